import { describe, expect, it } from 'vitest';
import { splitRowItems } from '../../src/model/row-items.js';

function outline(cell: string): string[] {
  const s = splitRowItems(cell);
  return [`lead:${s.lead}`, ...s.items.map((i) => `${'  '.repeat(i.level - 1)}${i.label}=${i.num}:${i.text}`)];
}

describe('splitting row items out of a table cell', () => {
  it('splits （一）（二） and keeps the lead text', () => {
    expect(outline('次に掲げる貨物であつて、経済産業省令で定める仕様のもの（一）　集積回路（二）　マイクロ波用機器')).toEqual([
      'lead:次に掲げる貨物であつて、経済産業省令で定める仕様のもの',
      '（一）=1:集積回路',
      '（二）=2:マイクロ波用機器',
    ]);
  });

  it('follows の-branches and leaves references such as （（十八）に掲げるものを除く。） in the text', () => {
    expect(outline('（八）　エンコーダ（八の二）　サイリスター（九）　オシロスコープ').slice(1)).toEqual([]);
    expect(outline('（一）　エンコーダ（一の二）　サイリスター（二）　基板（（一）に掲げるものを除く。）').slice(1)).toEqual([
      '（一）=1:エンコーダ',
      '（一の二）=1-2:サイリスター',
      '（二）=2:基板（（一）に掲げるものを除く。）',
    ]);
  });

  it('nests １, ２ inside （一） and returns to the outer level', () => {
    expect(outline('（一）　工作機械であつて次のもの１　数値制御２　測定装置（二）　歯車').slice(1)).toEqual([
      '（一）=1:工作機械であつて次のもの',
      '  １=1:数値制御',
      '  ２=2:測定装置',
      '（二）=2:歯車',
    ]);
  });

  it('reads イ, ロ as the first level when the row has no （一）', () => {
    expect(outline('船舶であつて、次のいずれかに該当するものイ　漁ろう設備を有するものロ　製造設備を有するもの')).toEqual([
      'lead:船舶であつて、次のいずれかに該当するもの',
      'イ=1:漁ろう設備を有するもの',
      'ロ=2:製造設備を有するもの',
    ]);
  });

  it('does not split a number out of sequence', () => {
    expect(outline('温度が３　以上のもの').slice(1)).toEqual([]);
  });
});
