/**
 * The portal's client-side search: templates/site/assets/normalize.js (the
 * Japanese-aware normalisation shared by query and index) and the pure
 * helpers of templates/site/assets/search.js (matching, ranking, snippets).
 * Both are plain browser ES modules without type declarations, so they are
 * imported by URL and typed here.
 */
import { describe, expect, it } from 'vitest';

interface NormalizeModule {
  normalize(s: string): string;
  kanjiToArabic(s: string): string;
  parseKanjiNumber(part: string): string | undefined;
  normalizeWithMap(s: string): { text: string; starts: number[]; ends: number[] };
}

interface Entry {
  id: string;
  cite: string;
  href: string;
  text: string;
  instrument: string;
}
type Prepared = Entry & { normCite: string; normText: string; order: number };
interface Segment {
  text: string;
  mark: boolean;
}
interface SearchModule {
  RESULT_LIMIT: number;
  prepareIndex(json: unknown): Prepared[];
  queryTerms(query: string): string[];
  findTerm(hay: string, term: string, from?: number): number;
  searchEntries(index: Prepared[], query: string, limit?: number): { terms: string[]; total: number; results: Prepared[] };
  snippet(text: string, query: string, length?: number): Segment[];
  matchRanges(text: string, terms: string[]): [number, number][];
  statusText(total: number, limit?: number): string;
  isSafeHref(href: string, base: string): boolean;
}

const assets = new URL('../../templates/site/assets/', import.meta.url);
const { normalize, kanjiToArabic, parseKanjiNumber, normalizeWithMap } = (await import(
  new URL('normalize.js', assets).href
)) as NormalizeModule;
const search = (await import(new URL('search.js', assets).href)) as SearchModule;

describe('kanjiToArabic', () => {
  // [input, expected]
  const positives: [string, string][] = [
    // ordinals after 第 and counters
    ['第十七号', '第17号'],
    ['第一条', '第1条'],
    ['第六条第一項第一号', '第6条第1項第1号'],
    ['平成十三年法律第百号', '平成13年法律第100号'],
    ['令和五年十二月一日', '令和5年12月1日'],
    // positional numerals, as the technical parameters write them
    ['一二五度', '125度'],
    ['五、〇〇〇グレイ', '5000グレイ'],
    ['一、〇〇〇・五メートル', '1000.5メートル'],
    ['〇・二五', '0.25'],
    ['〇・〇〇一一ミリメートル', '0.0011ミリメートル'],
    ['三一・八ギガヘルツ超', '31.8ギガヘルツ超'],
    ['五〇万ラド', '500000ラド'],
    ['周波数が三〇〇を超える', '周波数が300を超える'],
    // counted numerals before a unit, counter or comparison
    ['千五百メガヘルツ', '1500メガヘルツ'],
    ['二百三十ワット', '230ワット'],
    ['三万円', '30000円'],
    ['百万円以下', '1000000円以下'],
    ['一億二千万円', '120000000円'],
    ['五〇兆個以上', '50000000000000個以上'],
    ['二以上', '2以上'],
    ['一時間', '1時間'],
    ['三次元', '3次元'],
    ['十分の一を超える', '10分の1を超える'],
    ['五、〇〇〇分の一', '5000分の1'],
    ['一ワツト', '1ワツト'], // large ツ as in statutes before 1988
    // branches and row labels
    ['七の項', '7の項'],
    ['三の二の項', '3の2の項'],
    ['別表第一の二の項', '別表第1の2の項'],
    ['十の二', '10の2'],
    ['第六条の二及び第七条', '第6条の2及び第7条'],
    ['第五号の二に該当する', '第5号の2に該当する'],
    ['第十の二号', '第10の2号'],
    // labels in parentheses
    ['（一）', '（1）'],
    // a numeral alone is a number (a query 十七)
    ['十七', '17'],
    ['二百三十', '230'],
    ['千五百', '1500'],
    ['三万', '30000'],
  ];
  it.each(positives)('%s → %s', (input, expected) => {
    expect(kanjiToArabic(input)).toBe(expected);
  });

  // words with numerals in them: never converted
  const negatives = [
    '一般', '一部', '同一', '一時', '単一', '万一', '一つ', '一体',
    '一般信用', '法の一部を改正する', '同一の二つ', '同一条件', '万一の場合', '十分な',
    '二十歳', '一定の', '二酸化炭素', '三ふつ化ほう素', '一又は二', '二つ以上',
  ];
  it.each(negatives)('%s stays', (input) => {
    expect(kanjiToArabic(input)).toBe(input);
  });

  it('cuts a word off a chain and converts the rest', () => {
    expect(kanjiToArabic('第一の一部')).toBe('第1の一部');
    expect(kanjiToArabic('第六条の一部を改正')).toBe('第6条の一部を改正');
    expect(kanjiToArabic('単一の三ワット')).toBe('単一の3ワット');
  });

  it('leaves malformed counted numerals as written', () => {
    expect(kanjiToArabic('二三十度')).toBe('二三十度');
    expect(kanjiToArabic('十百度')).toBe('十百度');
  });
});

describe('parseKanjiNumber', () => {
  const cases: [string, string | undefined][] = [
    ['十七', '17'], ['二百三十', '230'], ['千五百', '1500'], ['三万', '30000'], ['十', '10'],
    ['一二五', '125'], ['〇〇一', '001'], ['五、〇〇〇', '5000'], ['〇・二五', '0.25'],
    ['五〇兆', '50000000000000'], ['一億二千万', '120000000'],
    ['二三十', undefined], ['十百', undefined], ['〇十', undefined], ['万億', undefined], ['abc', undefined],
  ];
  it.each(cases)('%s → %s', (input, expected) => {
    expect(parseKanjiNumber(input)).toBe(expected);
  });
});

describe('normalize', () => {
  const cases: [string, string][] = [
    // NFKC: full-width digits and letters, half-width kana, lower case
    ['１７号', '17号'],
    ['ＦＰＧＡ', 'fpga'],
    ['FPGA', 'fpga'],
    ['ｶﾞｲﾄﾞﾗｲﾝ', 'ガイドライン'],
    ['ｷﾛﾒｰﾄﾙ', 'キロメートル'],
    ['２５％以上', '25%以上'],
    // whitespace, incl. U+3000
    ['集積回路　であって', '集積回路であつて'],
    ['a b\tc\n', 'abc'],
    // …but two numbers stay apart: a label, then 二五度
    ['１　二五度', '1 25度'],
    // small kana as large, ヶ as ケ
    ['であって', 'であつて'],
    ['フィルター', 'フイルター'],
    ['ヶ', 'ケ'],
    // long vowel variants
    ['メ－トル', 'メートル'],
    ['メ-トル', 'メートル'],
    ['ﾒｰﾄﾙ', 'メートル'],
    ['a-b', 'a-b'],
    // months and places after a numeral
    ['3ヶ月', '3か月'],
    ['三箇月', '3か月'],
    ['3カ月', '3か月'],
    ['二箇所', '2か所'],
    // Arabic numbers
    ['5,000グレイ', '5000グレイ'],
    ['５，０００', '5000'],
    ['1,000,000', '1000000'],
    ['1,2', '1,2'],
    ['3万円', '30000円'],
    ['1億2000万', '120000000'],
    // kanji numerals in context (see kanjiToArabic)
    ['第十七号', '第17号'],
    ['（一）', '(1)'],
    ['一般', '一般'],
  ];
  it.each(cases)('%s → %s', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const [input] of cases) expect(normalize(normalize(input))).toBe(normalize(input));
  });

  it('maps every normalised character back to the original', () => {
    const source = '第十七号　ＦＰＧＡ';
    const m = normalizeWithMap(source);
    expect(m.text).toBe(normalize(source));
    expect(m.text).toBe('第17号fpga');
    const i = m.text.indexOf('17');
    expect(source.slice(m.starts[i], m.ends[i + 1])).toBe('十七');
    const j = m.text.indexOf('fpga');
    expect(source.slice(m.starts[j], m.ends[j + 3])).toBe('ＦＰＧＡ');
  });
});

describe('query matches text', () => {
  // [query, text]: normalize(query) must occur in normalize(text)
  const matches: [string, string][] = [
    ['第17号', '貨物等省令第一条第十七号に該当するもの'],
    ['17号', '第十七号'],
    ['１７号', '第十七号'],
    ['十七号', '第十七号'],
    ['125度', '一二五度を超える温度'],
    ['5000グレイ', '五、〇〇〇グレイ以上の放射線'],
    ['5,000グレイ', '五、〇〇〇グレイ以上の放射線'],
    ['0.25', '〇・二五ミリメートル'],
    ['ＦＰＧＡ', 'FPGA'],
    ['fpga', 'ＦＰＧＡ'],
    ['7の項', '別表第一の七の項'],
    ['3の2の項', '三の二の項'],
    ['1500メガヘルツ', '千五百メガヘルツ'],
    ['6条の2', '第六条の二'],
    ['3か月', '三箇月を経過した'],
    ['30000円', '三万円'],
    ['3万円', '三万円'],
    ['であって', '集積回路であつて'],
    ['ワット', '一ワツト'],
    ['一部', '法の一部を改正する'],
    ['同一', '同一の二つの'],
    ['一般', '一般に'],
    ['十分', '十分な'],
  ];
  it.each(matches)('%s ⊂ %s', (query, text) => {
    expect(normalize(text)).toContain(normalize(query));
  });

  const nonMatches: [string, string][] = [
    ['第17号', '第百十七号'],
    ['125度', '１　二五度'],
    ['ＦＰＧＡ', 'ASIC'],
  ];
  it.each(nonMatches)('%s ⊄ %s', (query, text) => {
    expect(normalize(text)).not.toContain(normalize(query));
  });
});

describe('search.js helpers', () => {
  const raw = {
    version: 1,
    entries: [
      { id: 'a/art1', cite: '貨物等省令第一条', href: 'instruments/a.html#a%2Fart1', text: '定義は次のとおりとする。', instrument: '貨物等省令' },
      { id: 'a/art6/para1/item1', cite: '貨物等省令第六条第一項第一号', href: 'instruments/a.html#a%2Fart6%2Fpara1%2Fitem1', text: '集積回路であって、次のいずれかに該当するもの', instrument: '貨物等省令' },
      { id: 'a/art6/para1/item17', cite: '貨物等省令第六条第一項第十七号', href: 'instruments/a.html#x', text: '動作温度が一二五度を超える集積回路', instrument: '貨物等省令' },
      { id: 'a/art7', cite: '貨物等省令第七条', href: 'instruments/a.html#y', text: '第六条第一項第十七号に該当する集積回路の製造装置', instrument: '貨物等省令' },
      { id: 'a/art8', cite: '貨物等省令第八条', href: 'instruments/a.html#z', text: '吸収線量が五、〇〇〇グレイ以上のもの', instrument: '貨物等省令' },
      { id: 'a/art117', cite: '貨物等省令第百十七条', href: 'instruments/a.html#w', text: '第百十七号に掲げるもの', instrument: '貨物等省令' },
      { bogus: true },
    ],
  };
  const index = search.prepareIndex(raw);

  it('prepares well-formed entries only, normalised once', () => {
    expect(index).toHaveLength(6);
    expect(index[2]?.normCite).toBe('貨物等省令第6条第1項第17号');
    expect(index[2]?.normText).toBe('動作温度が125度を超える集積回路');
    expect(search.prepareIndex(null)).toEqual([]);
    expect(search.prepareIndex({ entries: 'x' })).toEqual([]);
  });

  it('splits queries on ASCII and ideographic spaces', () => {
    expect(search.queryTerms(' 集積回路　１２５度  集積回路 ')).toEqual(['集積回路', '125度']);
    expect(search.queryTerms('　 ')).toEqual([]);
  });

  it('does not match into a number', () => {
    expect(search.findTerm('第117号', '17号')).toBe(-1);
    expect(search.findTerm('第17号', '17号')).toBe(1);
    expect(search.findTerm('50000グレイ', '5000')).toBe(-1);
    expect(search.findTerm('0.25', '0.2')).toBe(-1);
    expect(search.findTerm('0.25', '25')).toBe(-1);
    expect(search.findTerm('117号と17号', '17号')).toBe(5);
    expect(search.findTerm('集積回路', '回路')).toBe(2);
  });

  it('requires every term and ranks cite matches first, then by position', () => {
    const r = search.searchEntries(index, '第17号');
    expect(r.total).toBe(2);
    // the entry whose cite is 第十七号 before the one that mentions it in its text
    expect(r.results.map((e) => e.id)).toEqual(['a/art6/para1/item17', 'a/art7']);

    const both = search.searchEntries(index, '集積回路 125度');
    expect(both.results.map((e) => e.id)).toEqual(['a/art6/para1/item17']);

    const byPosition = search.searchEntries(index, '集積回路');
    // no cite matches: by the position in the text (0, 12, 15)
    expect(byPosition.results.map((e) => e.id)).toEqual(['a/art6/para1/item1', 'a/art6/para1/item17', 'a/art7']);

    expect(search.searchEntries(index, '5000グレイ').results.map((e) => e.id)).toEqual(['a/art8']);
    expect(search.searchEntries(index, '存在しない語').total).toBe(0);
    expect(search.searchEntries(index, '   ').total).toBe(0);
  });

  it('limits the results but counts them all', () => {
    const r = search.searchEntries(index, '貨物等省令', 2);
    expect(r.total).toBe(6);
    expect(r.results.map((e) => e.id)).toEqual(['a/art1', 'a/art6/para1/item1']);
  });

  it('builds snippets with the match marked in the original text', () => {
    expect(search.snippet('動作温度が一二五度を超える集積回路', '125度')).toEqual([
      { text: '動作温度が', mark: false },
      { text: '一二五度', mark: true },
      { text: 'を超える集積回路', mark: false },
    ]);
    expect(search.snippet('第十七号に該当するＦＰＧＡ', '17号 fpga')).toEqual([
      { text: '第', mark: false },
      { text: '十七号', mark: true },
      { text: 'に該当する', mark: false },
      { text: 'ＦＰＧＡ', mark: true },
    ]);
    // no match in the text (the cite matched): the start of the text
    expect(search.snippet('定義は次のとおりとする。', '第1条')).toEqual([{ text: '定義は次のとおりとする。', mark: false }]);
  });

  it('cuts long texts around the first match with …', () => {
    const text = `${'あ'.repeat(100)}集積回路${'い'.repeat(100)}`;
    const segs = search.snippet(text, '集積回路', 40);
    expect(segs.map((s) => s.mark)).toEqual([false, true, false]);
    expect(segs[0]?.text.startsWith('…')).toBe(true);
    expect(segs[2]?.text.endsWith('…')).toBe(true);
    expect(segs.map((s) => s.text).join('').replace(/…/g, '')).toHaveLength(40);
  });

  it('merges overlapping matches', () => {
    expect(search.matchRanges('集積回路', ['集積', '積回'])).toEqual([[0, 3]]);
  });

  it('writes the status line', () => {
    expect(search.statusText(0)).toBe('該当なし');
    expect(search.statusText(12)).toBe('12件');
    expect(search.statusText(120)).toBe('120件（50件まで表示）');
    expect(search.RESULT_LIMIT).toBe(50);
  });

  it('links only to http(s)', () => {
    expect(search.isSafeHref('instruments/a.html#x', 'https://example.jp/site/search.html')).toBe(true);
    expect(search.isSafeHref('javascript:alert(1)', 'https://example.jp/')).toBe(false);
    expect(search.isSafeHref('data:text/html,x', 'https://example.jp/')).toBe(false);
  });
});
