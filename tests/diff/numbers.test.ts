import { describe, expect, it } from 'vitest';
import { baseUnit, compareQuantities, extractQuantities } from '../../src/diff/numbers.js';
import type { Comparator, NumberChange } from '../../src/diff/types.js';

interface Expected {
  text: string;
  value: number;
  unit: string;
  comparator?: Comparator;
}

// index is checked on its own below; here it would only restate the text
function read(text: string): Expected[] {
  return extractQuantities(text).map(({ index: _index, ...q }) => q);
}

/** A change as `before → after` with units, so a table row reads like the amendment. */
function brief(c: NumberChange): [string, string, NumberChange['control']] {
  return [`${c.before.text}${c.before.unit}`, `${c.after.text}${c.after.unit}`, c.control];
}

describe('extractQuantities', () => {
  it.each<[string, Expected[]]>([
    ['周波数が三〇〇メガヘルツを超えるもの', [{ text: '三〇〇', value: 300, unit: 'メガヘルツ', comparator: '>' }]],
    ['出力が一、〇〇〇ワット以上のもの', [{ text: '一、〇〇〇', value: 1000, unit: 'ワット', comparator: '>=' }]],
    ['直線性が〇・一パーセント以下のもの', [{ text: '〇・一', value: 0.1, unit: 'パーセント', comparator: '<=' }]],
    ['パルス幅が二〇〇ナノ秒未満のもの', [{ text: '二〇〇', value: 200, unit: 'ナノ秒', comparator: '<' }]],
    ['総価額が百万円以下の貨物', [{ text: '百万', value: 1_000_000, unit: '円', comparator: '<=' }]],
    ['| 三万円 |', [{ text: '三万', value: 30_000, unit: '円' }]],
    ['三百キロメートル以上運搬することができるもの', [{ text: '三百', value: 300, unit: 'キロメートル', comparator: '>=' }]],
    ['総価額が二〇〇万円未満の範囲で', [{ text: '二〇〇万', value: 2_000_000, unit: '円', comparator: '<' }]],
    ['十億円以下の罰金刑', [{ text: '十億', value: 1e9, unit: '円', comparator: '<=' }]],
    // a ratio has no unit but is a threshold all the same
    ['原子数に対する比率が五、〇〇〇分の一を超えるもの', [{ text: '五、〇〇〇分の一', value: 0.0002, unit: '', comparator: '>' }]],
    [
      'ほう素当量が全重量の一、〇〇〇、〇〇〇分の五未満で、かつ、二〇度の温度における見掛け比重が一・五〇を超えるもの',
      [
        { text: '一、〇〇〇、〇〇〇分の五', value: 0.000005, unit: '', comparator: '<' },
        { text: '二〇', value: 20, unit: '度' },
        { text: '一・五〇', value: 1.5, unit: '', comparator: '>' },
      ],
    ],
    ['精度がミリメートルで表した有効測定長さの十万分の六パーセント', [{ text: '十万分の六', value: 0.00006, unit: 'パーセント' }]],
    ['一立方センチメートル当たり一〇の一九乗未満のもの', [
      { text: '一', value: 1, unit: '立方センチメートル' },
      { text: '一〇の一九乗', value: 1e19, unit: '', comparator: '<' },
    ]],
    ['誤り率が一〇のマイナス三乗以下', [{ text: '一〇のマイナス三乗', value: 0.001, unit: '', comparator: '<=' }]],
    ['零下二五八度以上零下二三八度以下', [
      { text: '零下二五八', value: -258, unit: '度', comparator: '>=' },
      { text: '零下二三八', value: -238, unit: '度', comparator: '<=' },
    ]],
    ['音圧感度がマイナス二三〇デシベルを超えるもの', [{ text: 'マイナス二三〇', value: -230, unit: 'デシベル', comparator: '>' }]],
    // ± is a tolerance: the bound is on its size, so the sign word stays out
    ['出力周波数をプラスマイナス〇・二パーセント未満', [{ text: '〇・二', value: 0.2, unit: 'パーセント', comparator: '<' }]],
    ['一九度以上二一度以下', [
      { text: '一九', value: 19, unit: '度', comparator: '>=' },
      { text: '二一', value: 21, unit: '度', comparator: '<=' },
    ]],
    ['内径が七五ミリメートル超六五〇ミリメートル未満の円筒形', [
      { text: '七五', value: 75, unit: 'ミリメートル', comparator: '>' },
      { text: '六五〇', value: 650, unit: 'ミリメートル', comparator: '<' },
    ]],
    ['〇以上一三・三二六キロパスカル以下', [
      { text: '〇', value: 0, unit: 'キロパスカル', comparator: '>=' },
      { text: '一三・三二六', value: 13.326, unit: 'キロパスカル', comparator: '<=' },
    ]],
    ['ピーク飽和出力値が七〇ワット（四八・四五ディービーエム）を超えるもの', [
      { text: '七〇', value: 70, unit: 'ワット', comparator: '>' },
      { text: '四八・四五', value: 48.45, unit: 'ディービーエム', comparator: '>' },
    ]],
    ['実効輻射電力（ＥＲＰ）が二〇ディービーエム（等価等方輻射電力（ＥＩＲＰ）が二二・一五ディービーエム）以上のもの', [
      { text: '二〇', value: 20, unit: 'ディービーエム', comparator: '>=' },
      { text: '二二・一五', value: 22.15, unit: 'ディービーエム', comparator: '>=' },
    ]],
    ['無人航空機を一五、二四〇メートルの高度を超えて飛行させ', [{ text: '一五、二四〇', value: 15_240, unit: 'メートル', comparator: '>' }]],
    ['水素の排出量が一時間につき一、〇〇〇キログラム以上のもの', [
      { text: '一', value: 1, unit: '時間' },
      { text: '一、〇〇〇', value: 1000, unit: 'キログラム', comparator: '>=' },
    ]],
    ['加速度が九八メートル毎秒毎秒以上', [{ text: '九八', value: 98, unit: 'メートル毎秒毎秒', comparator: '>=' }]],
    ['エラー率が一日当たり一億分の一毎ビット未満', [
      { text: '一', value: 1, unit: '日' },
      { text: '一億分の一', value: 1e-8, unit: '毎ビット', comparator: '<' },
    ]],
    ['粒子の径が一〇ミクロン未満', [{ text: '一〇', value: 10, unit: 'マイクロメートル', comparator: '<' }]],
    ['更新速度が三、五〇〇メガサンプリング毎秒を超えるもの', [{ text: '三、五〇〇', value: 3500, unit: 'メガサンプル毎秒', comparator: '>' }]],
    ['制御することができる軸数が五軸以上のもの', [{ text: '五', value: 5, unit: '軸', comparator: '>=' }]],
    ['呼び径が一〇Ａ超の弁', [{ text: '一〇', value: 10, unit: 'Ａ', comparator: '>' }]],
    ['呼び径が一〇A超の弁', [{ text: '一〇', value: 10, unit: 'Ａ', comparator: '>' }]],
    ['分解能が１２ビット以上', [{ text: '１２', value: 12, unit: 'ビット', comparator: '>=' }]],
    ['速度が2.5メートル毎秒を超える', [{ text: '2.5', value: 2.5, unit: 'メートル毎秒', comparator: '>' }]],
    ['起算して九月をこえない範囲内', [{ text: '九', value: 9, unit: '月', comparator: '<=' }]],
    ['その金額が二百万円に相当する額を超えるもの', [{ text: '二百万', value: 2_000_000, unit: '円', comparator: '>' }]],
    // 「第七十条の二」 and 「三億円」 were two cells of one row
    ['四　第七十条の二三億円以下の罰金刑', [{ text: '三億', value: 3e8, unit: '円', comparator: '<=' }]],
  ])('reads %s', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['a unit is required of digits', '２０ｌｏｇ１０（メガヘルツで表した周波数）'],
    ['a bare number is a count or a reference', '次の一から三までの全てに該当するもの'],
    ['ordinals', '第三号から第五号までに該当するもの'],
    ['dates', 'この省令は、令和二年一月二十二日から施行する。'],
    ['law numbers', '産業標準化法（昭和二十四年法律第百八十五号）'],
    ['十分 is "sufficiently"', '爆発を十分に封じ込めるように'],
    ['a coefficient inside a formula', '長さに〇・〇〇一を乗じて得た数値に一・二五を加えた数値以下'],
    ['identifiers', 'ＩＳＯ八四一で定めるＺ軸'],
    ['a unit running on into a word', '一トンネル'],
    ['counters that also begin words, without a comparator', '三重水素'],
  ])('skips %s', (_why, text) => {
    expect(read(text)).toEqual([]);
  });

  it('does not read 超 that starts a word as a comparator', () => {
    expect(read('零下二六八・九六度の温度で超電導状態を保つ')).toEqual([{ text: '零下二六八・九六', value: -268.96, unit: '度' }]);
  });

  it('reads 一分につき as one minute, since 分の (a fraction) does not follow', () => {
    expect(read('回転数が一分につき八、〇〇〇回転以上')).toEqual([
      { text: '一', value: 1, unit: '分' },
      { text: '八、〇〇〇', value: 8000, unit: '回転', comparator: '>=' },
    ]);
  });

  it('gives the index of the number, sign word included, in the text it read', () => {
    const text = '温度が零下二五八度以上であって、出力が五〇ワットを超えるもの';
    const qs = extractQuantities(text);
    expect(qs.map((q) => q.index)).toEqual([3, 19]);
    expect(qs.map((q) => text.slice(q.index, q.index + q.text.length))).toEqual(['零下二五八', '五〇']);
  });
});

describe('baseUnit', () => {
  it.each<[string, string, number]>([
    ['メガヘルツ', 'ヘルツ', 1e6],
    ['キロヘルツ', 'ヘルツ', 1e3],
    ['キログラム', 'グラム', 1e3],
    ['トン', 'グラム', 1e6],
    ['ナノ秒', '秒', 1e-9],
    ['時間', '秒', 3600],
    ['年', '月', 12],
    ['平方センチメートル', '平方メートル', 1e-4],
    ['ミリアンペア毎ワット', 'アンペア毎ワット', 1e-3],
    ['メガサンプル毎秒', 'サンプル毎秒', 1e6],
    ['円', '円', 1],
    ['', '', 1],
  ])('%j is %j × factor', (unit, dimension, factor) => {
    const b = baseUnit(unit);
    expect(b.dimension).toBe(dimension);
    expect(b.factor).toBeCloseTo(factor, 12);
  });
});

describe('compareQuantities', () => {
  it.each<[string, string, string, ReturnType<typeof brief>[]]>([
    // 2024-02-01 (2bf3f9a), 第一条第十一号ロ: the mandrel's upper bound rose
    [
      'real: mandrel bore 400 → 650 mm',
      'ロ　内径が七五ミリメートル超四〇〇ミリメートル未満の円筒形のロータを成形することができるように設計したマンドレル',
      'ロ　内径が七五ミリメートル超六五〇ミリメートル未満の円筒形のロータを成形することができるように設計したマンドレル',
      [['四〇〇ミリメートル', '六五〇ミリメートル', 'wider']],
    ],
    // 2024-02-01 (2bf3f9a), 第九条第十号ロ（三）１二
    [
      'real: average power 50 → 80 W',
      '二　平均出力が五〇ワットを超えるもの',
      '二　平均出力が八〇ワットを超えるもの',
      [['五〇ワット', '八〇ワット', 'narrower']],
    ],
    // 2025-05-28 (e36a15e), 第一条第十号ロ（二）４: the pressure band moved down at both ends
    [
      'real: pressure range 0.5–5 → 0.1–1 MPa',
      '４　〇・五メガパスカル以上五メガパスカル以下の圧力範囲において用いることができるように設計したもの',
      '４　〇・一メガパスカル以上一メガパスカル以下の圧力範囲において用いることができるように設計したもの',
      [['〇・五メガパスカル', '〇・一メガパスカル', 'wider'], ['五メガパスカル', '一メガパスカル', 'narrower']],
    ],
    // 2025-05-28 (e36a15e), 第一条第十号ロ（二）３: a lower bound was added, the old bound kept its value
    [
      'real: an inserted lower bound is no change',
      '３　温度が零下二三八度以下で用いることができるように設計したもの',
      '３　温度が零下二五八度以上零下二三八度以下で用いることができるように設計したもの',
      [],
    ],
    // 2022-12-06 (97b82a5), 第六条第二号ワ（五）
    [
      'real: synthesiser band 37–90 → 37–75 GHz',
      '（五）　三七ギガヘルツ超九〇ギガヘルツ以下の合成出力周波数範囲で、二・二ギガヘルツを超えるいずれかの周波数切換えの所要時間が一〇〇マイクロ秒未満のもの',
      '（五）　三七ギガヘルツ超七五ギガヘルツ以下の合成出力周波数範囲で、二・二ギガヘルツを超えるいずれかの周波数切換えの所要時間が一〇〇マイクロ秒未満のもの',
      [['九〇ギガヘルツ', '七五ギガヘルツ', 'narrower']],
    ],
    // 2022-12-06 (97b82a5), 第六条第二号ホ（二）１: a corrected dBm equivalent is still a moved bound
    [
      'real: dBm equivalent 48.54 → 48.45',
      '１　動作周波数が六・八ギガヘルツ超八・五ギガヘルツ以下であって、ピーク飽和出力値が七〇ワット（四八・五四ディービーエム）を超えるもの',
      '１　動作周波数が六・八ギガヘルツ超八・五ギガヘルツ以下であって、ピーク飽和出力値が七〇ワット（四八・四五ディービーエム）を超えるもの',
      [['四八・五四ディービーエム', '四八・四五ディービーエム', 'wider']],
    ],
    // 2020-01-22 (0befad2), 第六条第一号ホ（二）１: an upper bound inserted into a range
    [
      'real: 一〇ビット以上 → 一〇ビット以上一二ビット未満',
      '１　分解能が一〇ビット以上のものであって、調整された更新速度が三、五〇〇メガサンプリング毎秒を超えるもの',
      '１　分解能が一〇ビット以上一二ビット未満のものであって、調整された更新速度が三、五〇〇メガサンプリング毎秒を超えるもの',
      [],
    ],
    // 2017-10-01 (e87c4c1), 外国為替及び外国貿易法第六十九条の六: the fine and the point where it follows the goods' value
    [
      'real: fine 七百万円 → 二千万円',
      '七年以下の懲役若しくは七百万円以下の罰金に処し、又はこれを併科する。ただし、当該違反行為の目的物の価格の五倍が七百万円を超えるときは、罰金は、当該価格の五倍以下とする。',
      '七年以下の懲役若しくは二千万円以下の罰金に処し、又はこれを併科する。ただし、当該違反行為の目的物の価格の五倍が二千万円を超えるときは、罰金は、当該価格の五倍以下とする。',
      [['七百万円', '二千万円', 'wider'], ['七百万円', '二千万円', 'narrower']],
    ],
    // the rule reads the bound, not whether the provision catches or exempts the goods it describes
    ['百万円 → 五万円', '総価額が百万円以下の貨物', '総価額が五万円以下の貨物', [['百万円', '五万円', 'narrower']]],
    ['exceeding 300 MHz → exceeding 200 MHz', '周波数が三〇〇メガヘルツを超えるもの', '周波数が二〇〇メガヘルツを超えるもの', [['三〇〇メガヘルツ', '二〇〇メガヘルツ', 'wider']]],
    [
      '一、〇〇〇 → 五、〇〇〇分の一',
      '重水素の原子数の水素の原子数に対する比率が一、〇〇〇を超えるもの',
      '重水素の原子数の水素の原子数に対する比率が五、〇〇〇分の一を超えるもの',
      [['一、〇〇〇', '五、〇〇〇分の一', 'wider']],
    ],
    ['an upper bound that drops', '長さが二〇〇ナノ秒未満のもの', '長さが一〇〇ナノ秒未満のもの', [['二〇〇ナノ秒', '一〇〇ナノ秒', 'narrower']]],
    ['a negative lower bound that drops', '温度が零下二五八度以上', '温度が零下二六〇度以上', [['零下二五八度', '零下二六〇度', 'wider']]],
    ['a value without a comparator has no direction', '二〇度の温度における見掛け比重が一・五〇を超えるもの', '二五度の温度における見掛け比重が一・五〇を超えるもの', [['二〇度', '二五度', undefined]]],
    ['the same frequency in another unit', '周波数が一、〇〇〇キロヘルツを超えるもの', '周波数が一メガヘルツを超えるもの', []],
    ['a lower frequency in another unit', '周波数が一、五〇〇キロヘルツを超えるもの', '周波数が一メガヘルツを超えるもの', [['一、五〇〇キロヘルツ', '一メガヘルツ', 'wider']]],
    ['以上 rewritten as を超える', '出力が一〇〇ワット以上のもの', '出力が二〇〇ワットを超えるもの', [['一〇〇ワット', '二〇〇ワット', 'narrower']]],
    ['different dimensions never pair', '出力が一〇〇ワットを超えるもの', '出力が一〇〇ボルトを超えるもの', []],
    ['a bound is not paired with a condition', '二〇度の温度において一〇〇メガパスカル以上', '二〇度を超える温度において一〇〇メガパスカル以上', []],
    [
      'an inserted bound of the same kind leaves the old one in place',
      '二・二ギガヘルツを超える切換え',
      '三七ギガヘルツを超える範囲で、二・二ギガヘルツを超える切換え',
      [],
    ],
  ])('%s', (_name, before, after, expected) => {
    expect(compareQuantities(before, after).map(brief)).toEqual(expected);
  });

  it('keeps each quantity as written and leaves out control when there is no comparator', () => {
    const [change] = compareQuantities('周波数が一、五〇〇キロヘルツを超える', '周波数が一メガヘルツを超える');
    expect(change?.before).toEqual({ text: '一、五〇〇', value: 1500, unit: 'キロヘルツ', comparator: '>', index: 4 });
    expect(change?.after).toEqual({ text: '一', value: 1, unit: 'メガヘルツ', comparator: '>', index: 4 });
    const [bare] = compareQuantities('二〇度の温度', '二五度の温度');
    expect(bare).toBeDefined();
    expect(Object.keys(bare ?? {})).not.toContain('control');
  });
});
