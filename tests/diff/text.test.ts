import { describe, expect, it } from 'vitest';
import { isEditorialChange } from '../../src/diff/classify.js';
import { computeRedline, formatRedline, tokenize } from '../../src/diff/text.js';

describe('redlines', () => {
  it.each([
    ['周波数が三〇〇メガヘルツを超えるもの', '周波数が二〇〇メガヘルツを超えるもの', '周波数が[-三〇〇-]{+二〇〇+}メガヘルツを超えるもの'],
    ['出力値が五ワット', '出力値が二五ワット', '出力値が[-五-]{+二五+}ワット'],
    ['一、〇〇〇ワット', '一、五〇〇ワット', '[-一、〇〇〇-]{+一、五〇〇+}ワット'],
    ['別表第二の一、二〇の項', '別表第二の一、一九、二〇の項', '別表第二の一、{+一九、+}二〇の項'],
    ['場合を除く', '場合及び輸出する場合を除く', '場合{+及び輸出する場合+}を除く'],
    ['過塩素酸塩、塩素酸塩又はクロム酸塩であつて、混合されたもの', '燃料又は酸化剤であつて、次のいずれかに該当するもの', '[-過塩素酸塩、塩素酸塩又はクロム酸塩であつて、混合された-]{+燃料又は酸化剤であつて、次のいずれかに該当する+}もの'],
    ['ISO 9001 applies', 'ISO 14001 applies', 'ISO [-9001-]{+14001+} applies'],
  ])('%s → %s', (a, b, expected) => {
    expect(formatRedline(computeRedline(a, b))).toBe(expected);
  });

  it('gives up on a hopeless diff within its limits and says so', () => {
    const a = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x4e00 + (i % 500))).join('');
    const b = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x6000 + ((i * 7) % 500))).join('');
    const r = computeRedline(a, b, { timeoutMs: 50, maxEditLength: 100 });
    expect(r.gaveUp).toBe(true);
    expect(formatRedline(r)).toBe(`[-${a}-]{+${b}+}`);
  });

  it('keeps kanji numbers, Latin words and full-width runs whole', () => {
    expect(tokenize('一、〇〇〇ＩＳＯ九〇〇一 ISO9001号')).toEqual(['一、〇〇〇', 'ＩＳＯ', '九〇〇一', ' ', 'ISO9001', '号']);
  });
});

describe('editorial changes', () => {
  it.each([
    ['あつかう', 'あっかう', true],
    ['ＩＳＯ一三二八', 'ISO一三二八', true],
    ['附属品', '付属品', true],
    ['次のいずれかに該当するもの。', '次のいずれかに該当するもの', true],
    ['三〇〇メガヘルツ', '二〇〇メガヘルツ', false],
    ['輸出する', '輸入する', false],
  ] as const)('%s → %s editorial: %s', (a, b, editorial) => {
    expect(isEditorialChange(a, b)).toBe(editorial);
  });
});
