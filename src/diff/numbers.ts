/**
 * Quantities in the technical parameters of export-control legislation
 * (「周波数が三〇〇メガヘルツを超えるもの」, 「一、〇〇〇ワット以上」,
 * 「五、〇〇〇分の一を超える」, 「百万円以下」), and which thresholds moved
 * between two versions of one provision.
 *
 * What counts as a quantity: a number followed by a unit from the table below,
 * or a bare number followed directly by a comparator (「見掛け比重が一・五〇を
 * 超える」, 「五、〇〇〇分の一を超える」) — a ratio is a threshold too, while a
 * bare number without a comparator is nearly always a count or a reference
 * (「一又は二」, 「第一号」), so it is left out. Bare ones get the unit ''.
 *
 * Normalisation: `value` is in the unit as written (三〇〇 メガヘルツ → 300),
 * and comparison goes through `baseUnit`, which splits a unit into a
 * dimension (the canonical spelling with every SI prefix removed, and 平方 /
 * 立方 and 毎 kept: メガヘルツ → ヘルツ, ミリアンペア毎ワット → アンペア毎ワット)
 * and a factor to that dimension (メガヘルツ → 1e6). Two quantities compare
 * when their dimensions are equal, by value × factor. Time is held in seconds
 * (分 = 60, 時間 = 3,600, 日 = 86,400) except months and years, which only
 * compare with each other; トン is 1e6 グラム.
 *
 * Money: 万, 億 and 兆 are read as part of the numeral, so 「百万円」 is
 * 百万 (1,000,000) 円 and 「五万円」 is 五万 円; no 万円 unit is needed.
 */
import { parseSimpleNumber, toHalfWidth } from '../model/numerals.js';
import type { Comparator, NumberChange, Quantity } from './types.js';

// ---------------------------------------------------------------------------
// Units

interface UnitInfo {
  /** The canonical spelling stored in Quantity.unit. */
  canonical: string;
  dimension: string;
  factor: number;
}

const PREFIXES: readonly (readonly [string, number])[] = [
  ['テラ', 1e12], ['ギガ', 1e9], ['メガ', 1e6], ['キロ', 1e3], ['センチ', 1e-2],
  ['ミリ', 1e-3], ['マイクロ', 1e-6], ['ナノ', 1e-9], ['ピコ', 1e-12], ['フェムト', 1e-15],
];

/**
 * Units that take an SI prefix: [spelling, canonical spelling, dimension, factor].
 * Products are listed whole rather than composed, so that a unit followed by
 * an unrelated word (「五〇ナノ秒以下」 next to 「時間分解能」) cannot grow into
 * a product by accident.
 */
const PREFIXABLE: readonly (readonly [string, string, string, number])[] = [
  ['ヘルツ', 'ヘルツ', 'ヘルツ', 1],
  ['ワット', 'ワット', 'ワット', 1],
  ['ワット時', 'ワット時', 'ワット時', 1],
  ['ボルト', 'ボルト', 'ボルト', 1],
  ['ボルトアンペア', 'ボルトアンペア', 'ボルトアンペア', 1],
  ['アンペア', 'アンペア', 'アンペア', 1],
  ['メートル', 'メートル', 'メートル', 1],
  ['グラム', 'グラム', 'グラム', 1],
  ['グラムミリメートル', 'グラムミリメートル', 'グラムメートル', 1e-3],
  ['秒', '秒', '秒', 1],
  ['ジュール', 'ジュール', 'ジュール', 1],
  ['パスカル', 'パスカル', 'パスカル', 1],
  ['ニュートン', 'ニュートン', 'ニュートン', 1],
  ['ニュートン秒', 'ニュートン秒', 'ニュートン秒', 1],
  ['ニュートンメートル', 'ニュートンメートル', 'ニュートンメートル', 1],
  ['テスラ', 'テスラ', 'テスラ', 1],
  ['ラジアン', 'ラジアン', 'ラジアン', 1],
  ['オーム', 'オーム', 'オーム', 1],
  ['オームメートル', 'オームメートル', 'オームメートル', 1],
  ['オームセンチメートル', 'オームセンチメートル', 'オームメートル', 1e-2],
  ['ファラド', 'ファラド', 'ファラド', 1],
  ['ヘンリー', 'ヘンリー', 'ヘンリー', 1],
  ['ジーメンス', 'ジーメンス', 'ジーメンス', 1],
  ['クーロン', 'クーロン', 'クーロン', 1],
  ['ベクレル', 'ベクレル', 'ベクレル', 1],
  ['グレイ', 'グレイ', 'グレイ', 1],
  ['ラド', 'ラド', 'ラド', 1],
  ['ガル', 'ガル', 'ガル', 1],
  ['ルーメン', 'ルーメン', 'ルーメン', 1],
  ['ストークス', 'ストークス', 'ストークス', 1],
  ['リットル', 'リットル', 'リットル', 1],
  ['電子ボルト', '電子ボルト', '電子ボルト', 1],
  ['エレクトロンボルト', '電子ボルト', '電子ボルト', 1],
  ['ビット', 'ビット', 'ビット', 1],
  ['バイト', 'バイト', 'バイト', 1],
  ['サンプル', 'サンプル', 'サンプル', 1],
  ['サンプリング', 'サンプル', 'サンプル', 1],
  ['演算', '演算', '演算', 1],
  // DNA length: 「一・五キロベースを超える核酸」
  ['ベース', 'ベース', 'ベース', 1],
  // beam parameter product: 「一・五ミリメートル・ミリラジアン以下」
  ['メートル・ミリラジアン', 'メートル・ミリラジアン', 'メートル・ラジアン', 1e-3],
];

/** Units without prefixes: [spelling, canonical spelling, dimension, factor]. */
const PLAIN: readonly (readonly [string, string, string, number])[] = [
  ['パーセント', 'パーセント', 'パーセント', 1],
  ['モルパーセント', 'モルパーセント', 'モルパーセント', 1],
  ['ピーピーエム', 'ピーピーエム', 'ピーピーエム', 1],
  // temperature and angle are both 度 in the text; neither converts to the other
  ['度', '度', '度', 1],
  ['角度秒', '角度秒', '角度秒', 1],
  ['デシベル', 'デシベル', 'デシベル', 1],
  ['ディービーエム', 'ディービーエム', 'ディービーエム', 1],
  ['ミクロン', 'マイクロメートル', 'メートル', 1e-6],
  ['トン', 'トン', 'グラム', 1e6],
  ['気圧', '気圧', 'パスカル', 101325],
  ['海里', '海里', '海里', 1],
  ['ノット', 'ノット', 'ノット', 1],
  ['サイクル', 'サイクル', 'サイクル', 1],
  ['オクターブ', 'オクターブ', 'オクターブ', 1],
  ['実効テラ演算', '実効テラ演算', '実効演算', 1e12],
  ['円', '円', '円', 1],
  ['分', '分', '秒', 60],
  ['分間', '分', '秒', 60],
  ['秒間', '秒', '秒', 1],
  ['時間', '時間', '秒', 3600],
  ['日', '日', '秒', 86400],
  ['日間', '日', '秒', 86400],
  ['月', '月', '月', 1],
  ['月間', '月', '月', 1],
  ['箇月', '月', '月', 1],
  ['年', '年', '月', 12],
  ['年間', '年', '月', 12],
  // counters: 「五軸以上」, 「三相以上」, 「五〇兆個以上」, 「一二五こまを超える」
  ['個', '個', '個', 1],
  ['軸', '軸', '軸', 1],
  ['倍', '倍', '倍', 1],
  ['層', '層', '層', 1],
  ['種類', '種類', '種類', 1],
  ['本', '本', '本', 1],
  ['台', '台', '台', 1],
  ['回', '回', '回', 1],
  ['回転', '回転', '回転', 1],
  ['相', '相', '相', 1],
  ['次元', '次元', '次元', 1],
  ['面', '面', '面', 1],
  ['級', '級', '級', 1],
  ['こま', 'こま', 'こま', 1],
  ['つ', 'つ', 'つ', 1],
  // only with a comparator (see WEAK): 「二重以上のシール」, 「一、〇二四値を超える直交振幅変調」
  ['重', '重', '重', 1],
  ['値', '値', '値', 1],
  ['箇所', '箇所', '箇所', 1],
  // nominal pipe size: 「呼び径が一〇Ａ超の弁」 (written in either width)
  ['Ａ', 'Ａ', 'Ａ', 1],
  ['A', 'Ａ', 'Ａ', 1],
];

function buildTerms(): Map<string, UnitInfo> {
  const terms = new Map<string, UnitInfo>();
  for (const [spelling, canonical, dimension, factor] of PREFIXABLE) {
    terms.set(spelling, { canonical, dimension, factor });
    for (const [prefix, scale] of PREFIXES) {
      terms.set(prefix + spelling, { canonical: prefix + canonical, dimension, factor: scale * factor });
    }
  }
  for (const [spelling, canonical, dimension, factor] of PLAIN) {
    terms.set(spelling, { canonical, dimension, factor });
  }
  // areas and volumes: 平方センチメートル, 立方ミリメートル
  for (const [spelling, info] of [...terms]) {
    if (info.dimension !== 'メートル' || spelling === 'ミクロン') continue;
    terms.set(`平方${spelling}`, { canonical: `平方${info.canonical}`, dimension: '平方メートル', factor: info.factor ** 2 });
    terms.set(`立方${spelling}`, { canonical: `立方${info.canonical}`, dimension: '立方メートル', factor: info.factor ** 3 });
  }
  return terms;
}

const TERMS = buildTerms();
/** Counters that also begin words (三重水素, 二値化): a unit only when a comparator follows. */
const WEAK = new Set(['重', '値', '箇所']);
const TERM_LENGTHS = [...new Set([...TERMS.keys()].map((k) => k.length))].sort((a, b) => b - a);

// a unit must end where a word ends: ミリメートルウエハー and ＡＣ are other words
const KATAKANA = /[\u30a1-\u30fa\u30fc]/;
const LATIN = /[A-Za-zＡ-Ｚａ-ｚ0-9０-９]/;

function matchTerm(text: string, pos: number): { end: number; info: UnitInfo } | undefined {
  for (const len of TERM_LENGTHS) {
    if (pos + len > text.length) continue;
    const info = TERMS.get(text.slice(pos, pos + len));
    if (info) return { end: pos + len, info };
  }
  return undefined;
}

/**
 * The unit at `pos`: one term, then any number of 毎 terms (メートル毎秒毎秒,
 * ミリアンペア毎ワット), or only 毎 terms after a ratio (「一億分の一毎ビット
 * 未満」). A term running on into katakana (三〇〇ミリメートルウエハー, 一トン
 * ネル) is part of a word, not a unit.
 */
function matchUnit(text: string, pos: number): { end: number; info: UnitInfo } | undefined {
  const first = text[pos] === '毎' ? undefined : matchTerm(text, pos);
  if (!first && text[pos] !== '毎') return undefined;
  let end = first ? first.end : pos;
  let canonical = first ? first.info.canonical : '';
  let dimension = first ? first.info.dimension : '';
  let factor = first ? first.info.factor : 1;
  while (text[end] === '毎') {
    const next = matchTerm(text, end + 1);
    if (!next) break;
    canonical += `毎${next.info.canonical}`;
    dimension += `毎${next.info.dimension}`;
    factor /= next.info.factor;
    end = next.end;
  }
  if (end === pos) return undefined;
  const next = text[end] ?? '';
  if (KATAKANA.test(next) || (LATIN.test(text[end - 1] ?? '') && LATIN.test(next))) return undefined;
  return { end, info: { canonical, dimension, factor } };
}

const UNIT_BY_CANONICAL = new Map<string, UnitInfo>();

/**
 * A canonical unit's dimension and its factor to that dimension:
 * キロヘルツ → { dimension: 'ヘルツ', factor: 1000 }. '' (no unit) is its
 * own dimension with factor 1.
 */
export function baseUnit(unit: string): { dimension: string; factor: number } {
  if (unit === '') return { dimension: '', factor: 1 };
  let info = UNIT_BY_CANONICAL.get(unit);
  if (!info) {
    const m = matchUnit(unit, 0);
    info = m && m.end === unit.length ? m.info : { canonical: unit, dimension: unit, factor: 1 };
    UNIT_BY_CANONICAL.set(unit, info);
  }
  return { dimension: info.dimension, factor: info.factor };
}

// ---------------------------------------------------------------------------
// Numerals

const KD = '〇一二三四五六七八九';
// a group: positional with thousands separators (一、〇〇〇), or kanji with or
// without 十百千 (一〇〇, 三百, 二千)
const GROUP = `(?:[${KD}]{1,3}(?:、[${KD}]{3})+(?![${KD}])|[${KD}十百千]+)`;
const KANJI_NUMERAL = `(?:${GROUP}[万億兆])+(?:${GROUP})?|${GROUP}(?:・[${KD}]+)?`;
const DIGIT_NUMERAL = '[0-9０-９]+(?:[,，][0-9０-９]{3})*(?![0-9０-９])(?:[.．・][0-9０-９]+)?';
const NUMERAL = new RegExp(`(?:${KANJI_NUMERAL})|(?:${DIGIT_NUMERAL})`, 'y');
const NUMERAL_START = new RegExp(`[${KD}十百千0-9０-９]|零下|マイナス`, 'g');
const NUMERAL_RUN = new RegExp(`[${KD}十百千万億兆、・0-9０-９,，.．]+`, 'y');

const BIG: Record<string, number> = { 万: 1e4, 億: 1e8, 兆: 1e12 };

function parseGroup(group: string): number | undefined {
  const [intPart = '', frac] = group.split('・');
  const int = parseSimpleNumber(intPart.replaceAll('、', ''));
  if (int === undefined) return undefined;
  if (frac === undefined) return int;
  // through a decimal string, so that 〇・一 is exactly 0.1
  return Number(`${int}.${[...frac].map((c) => KD.indexOf(c)).join('')}`);
}

/** The value of a numeral as NUMERAL matched it: 一、〇〇〇 → 1000, 〇・一 → 0.1, 二千万 → 2e7. */
function parseNumeral(s: string): number | undefined {
  if (/[0-9０-９]/.test(s)) {
    const v = Number(toHalfWidth(s).replace(/[,，]/g, '').replace(/[．・]/g, '.'));
    return Number.isFinite(v) ? v : undefined;
  }
  let total = 0;
  let current = '';
  let lastBig = Infinity;
  for (const c of s) {
    const big = BIG[c];
    if (big === undefined) {
      current += c;
      continue;
    }
    // 万 after 億 only: 一億万 is not a number
    if (big >= lastBig || current === '') return undefined;
    const g = parseGroup(current);
    if (g === undefined) return undefined;
    total += g * big;
    lastBig = big;
    current = '';
  }
  if (current === '') return total;
  const g = parseGroup(current);
  return g === undefined ? undefined : total + g;
}

// ---------------------------------------------------------------------------
// Comparators

// を超えない is tried before を超え; older laws write をこえ
const COMPARATOR = /(を超えない|をこえない|以上|以下|未満|以内|を超え|をこえ|より低い|超)/y;
const COMPARATORS: Record<string, Comparator> = {
  以上: '>=', 以下: '<=', 未満: '<', 以内: '<=', を超え: '>', をこえ: '>', を超えない: '<=', をこえない: '<=',
  より低い: '<', 超: '>',
};
const KANJI_WORD = /[\u4e00-\u9fff]/;

function matchComparator(text: string, pos: number): { end: number; comparator: Comparator } | undefined {
  COMPARATOR.lastIndex = pos;
  const m = COMPARATOR.exec(text);
  if (!m) return undefined;
  const word = m[1] ?? '';
  const end = pos + word.length;
  // 超 may also start a word (超電導, 超音速); as a comparator it is followed by
  // a numeral, punctuation or の (超六・八, 超、, 超の弁)
  if (word === '超') {
    const next = text[end] ?? '';
    if (KANJI_WORD.test(next) && !`${KD}十百千零`.includes(next)) return undefined;
  }
  const comparator = COMPARATORS[word];
  return comparator ? { end, comparator } : undefined;
}

// ---------------------------------------------------------------------------
// Extraction

interface Found extends Quantity {
  /** Where the unit (the number, if there is none) and the comparator end. */
  unitEnd: number;
  end: number;
}

// dates and law numbers: 令和二年一月二十二日, 昭和二十四年法律第二百二十八号, 十二月一日
const ERA_DATE = new RegExp(
  `(?:明治|大正|昭和|平成|令和)(?:元|[${KD}十百]+)年(?:[${KD}十]+月(?:[${KD}十]+日)?)?|[${KD}十]+月[${KD}十]+日`,
  'g',
);
// 「第七十条の二三億円」: a table cell run into its row label; the branch number takes the first digit
const BRANCH_BEFORE = new RegExp(`第[${KD}十百千]+(?:条|号|項)(?:の[${KD}十百千]+)*の$`);

function excludedSpans(text: string): [number, number][] {
  return [...text.matchAll(ERA_DATE)].map((m) => [m.index, m.index + m[0].length]);
}

interface Numeral {
  start: number;
  end: number;
  value: number;
}

/** A number at `pos` with its sign, fraction (N分のM) or power (一〇の一九乗). */
function readNumber(text: string, pos: number): { text: string; start: number; end: number; value: number } | undefined {
  let sign = 1;
  let p = pos;
  if (text.startsWith('零下', p)) {
    sign = -1;
    p += 2;
  } else if (text.startsWith('マイナス', p)) {
    // プラスマイナス is a tolerance, not a sign; its number is read without it
    if (text.slice(Math.max(0, p - 3), p) === 'プラス') return undefined;
    sign = -1;
    p += 4;
  }
  const first = readNumeral(text, p);
  if (!first) return undefined;
  let { end, value } = first;
  if (text.startsWith('分の', end)) {
    const numerator = readNumeral(text, end + 2);
    if (numerator && first.value !== 0) {
      value = numerator.value / first.value;
      end = numerator.end;
    }
  } else if (text[end] === 'の') {
    const negative = text.startsWith('マイナス', end + 1);
    const exponent = readNumeral(text, end + 1 + (negative ? 4 : 0));
    if (exponent && text[exponent.end] === '乗' && Number.isInteger(exponent.value)) {
      // 1 / 10 ** 3 is exactly 0.001, where 10 ** -3 need not be
      value = negative ? 1 / first.value ** exponent.value : first.value ** exponent.value;
      end = exponent.end + 1;
    }
  }
  return { text: text.slice(pos, end), start: pos, end, value: sign * value };
}

function readNumeral(text: string, pos: number): Numeral | undefined {
  NUMERAL.lastIndex = pos;
  const m = NUMERAL.exec(text);
  if (!m || m[0].length === 0) return undefined;
  const value = parseNumeral(m[0]);
  return value === undefined ? undefined : { start: pos, end: pos + m[0].length, value };
}

const EQUIVALENT_MAX = 40;

/** Whether a number with a unit ends exactly at `end` (and starts after `from`). */
function quantityEndsAt(text: string, from: number, end: number): boolean {
  for (let s = Math.max(0, from, end - 24); s < end; s++) {
    const n = readNumber(text, s);
    if (n && matchUnit(text, n.end)?.end === end) return true;
  }
  return false;
}

/**
 * The closing bracket of a parenthesised equivalent opening at `open` —
 * 「七〇ワット（四八・四五ディービーエム）を超える」, 「二〇ディービーエム（等価等方
 * 輻射電力（ＥＩＲＰ）が二二・一五ディービーエム）以上」 — whose last words are a
 * quantity: the comparator after it belongs to both quantities.
 */
function equivalentClose(text: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < Math.min(text.length, open + EQUIVALENT_MAX); i++) {
    const c = text[i];
    if (c === '。') return undefined;
    if (c === '（') depth++;
    else if (c === '）' && --depth === 0) return quantityEndsAt(text, open + 1, i) ? i : undefined;
  }
  return undefined;
}

/** The opening bracket matching the closing one at `close`. */
function openingOf(text: string, close: number): number | undefined {
  let depth = 0;
  for (let i = close; i >= Math.max(0, close - EQUIVALENT_MAX); i--) {
    const c = text[i];
    if (c === '）') depth++;
    else if (c === '（' && --depth === 0) return i;
  }
  return undefined;
}

/**
 * Words the corpus puts between a unit and its comparator: 「一五、二四〇メートル
 * の高度を超えて」, 「十万円に相当する額以下」.
 */
const CONNECTORS = ['の温度', 'の高度', 'の速度', 'に相当する額'];

/** Where the comparator of a quantity whose unit ends at `pos` would start. */
function comparatorStart(text: string, pos: number): number {
  let p = pos;
  if (text[p] === '（') {
    const close = equivalentClose(text, p);
    if (close !== undefined) p = close + 1;
  } else if (text[p] === '）') {
    // the equivalent itself: its comparator comes after the closing bracket
    const open = openingOf(text, p);
    if (open !== undefined && equivalentClose(text, open) === p && quantityEndsAt(text, open - 24, open)) p += 1;
  }
  const connector = CONNECTORS.find((c) => text.startsWith(c, p));
  return connector ? p + connector.length : p;
}

function readQuantity(text: string, pos: number): Found | undefined {
  const n = readNumber(text, pos);
  if (!n) return undefined;
  let unit = matchUnit(text, n.end);
  // 「十分に」「十分な」 mean "sufficiently"
  if (unit?.info.canonical === '分' && n.text === '十' && /^[にな]/.test(text.slice(unit.end))) unit = undefined;
  const after = unit ? comparatorStart(text, unit.end) : n.end;
  const cmp = matchComparator(text, after);
  if (!unit && !cmp) return undefined;
  if (unit && !cmp && WEAK.has(unit.info.canonical)) return undefined;
  const q: Found = {
    text: n.text,
    value: n.value,
    unit: unit ? unit.info.canonical : '',
    index: n.start,
    unitEnd: unit ? unit.end : n.end,
    end: cmp ? cmp.end : unit ? unit.end : n.end,
  };
  if (cmp) q.comparator = cmp.comparator;
  return q;
}

function extract(text: string): Found[] {
  const spans = excludedSpans(text);
  const out: Found[] = [];
  NUMERAL_START.lastIndex = 0;
  for (let m = NUMERAL_START.exec(text); m; m = NUMERAL_START.exec(text)) {
    let pos = m.index;
    const resume = (to: number): void => {
      NUMERAL_START.lastIndex = Math.max(to, pos + 1);
    };
    const date = spans.find(([s, e]) => pos >= s && pos < e);
    if (date) {
      resume(date[1]);
      continue;
    }
    NUMERAL_RUN.lastIndex = pos;
    const runEnd = pos + (NUMERAL_RUN.exec(text)?.[0].length ?? 1);
    // ordinals, references and identifiers: 第三号, 第二条, ＩＳＯ八四一, Ｏ一五七
    if (text[pos - 1] === '第' || LATIN.test(text[pos - 1] ?? '')) {
      resume(runEnd);
      continue;
    }
    if (BRANCH_BEFORE.test(text.slice(Math.max(0, pos - 20), pos))) pos += 1;
    const q = readQuantity(text, pos);
    if (!q) {
      resume(runEnd);
      continue;
    }
    out.push(q);
    // from the unit on: a parenthesised equivalent (七〇ワット（四八・四五ディービーエム）) and
    // the second bound of a range (七五ミリメートル超六五〇ミリメートル未満) come next
    resume(q.unitEnd);
  }
  // a bare lower bound just before a bound with a unit shares it: 〇以上一三・三二六キロパスカル以下
  for (let i = 0; i + 1 < out.length; i++) {
    const q = out[i] as Found;
    const next = out[i + 1] as Found;
    if (q.unit === '' && (q.comparator === '>' || q.comparator === '>=') && next.unit !== '' && q.end === next.index) {
      q.unit = next.unit;
    }
  }
  return out;
}

/**
 * Every quantity in a text, in order: a number (kanji positional with 、 and
 * ・, kanji with 十百千万億兆, N分のM, 一〇のN乗, full-width or ASCII digits,
 * negative with 零下 or マイナス) with a unit, a comparator or both.
 */
export function extractQuantities(text: string): Quantity[] {
  return extract(text).map(({ unitEnd: _u, end: _e, ...q }) => q);
}

// ---------------------------------------------------------------------------
// Comparison

type Direction = 'lower' | 'upper' | 'none';

function directionOf(c: Comparator | undefined): Direction {
  if (c === '>' || c === '>=') return 'lower';
  if (c === '<' || c === '<=') return 'upper';
  return 'none';
}

function normalised(q: Quantity): { dimension: string; value: number } {
  const { dimension, factor } = baseUnit(q.unit);
  return { dimension, value: q.value * factor };
}

function sameValue(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function leftContext(text: string, q: Quantity): string {
  return text.slice(Math.max(0, q.index - 4), q.index);
}

/**
 * Pairs the quantities of two versions of one provision and returns those
 * whose value changed. Quantities pair when they have the same dimension and
 * bound direction (a lower bound written 以上 in one version and を超える in
 * the other still pairs). Among alignments with the most pairs, the one
 * keeping equal values, equal comparators and equal preceding text together
 * wins, so an inserted bound does not shift every pairing after it.
 */
export function compareQuantities(before: string, after: string): NumberChange[] {
  const a = extractQuantities(before);
  const b = extractQuantities(after);
  const na = a.map(normalised);
  const nb = b.map(normalised);
  const ctxA = a.map((q) => leftContext(before, q));
  const ctxB = b.map((q) => leftContext(after, q));
  // a pair outweighs any combination of the bonuses (4 + 2 + 1 < 8)
  const score = (i: number, j: number): number => {
    const qa = a[i] as Quantity;
    const qb = b[j] as Quantity;
    const va = na[i] as { dimension: string; value: number };
    const vb = nb[j] as { dimension: string; value: number };
    if (va.dimension !== vb.dimension || directionOf(qa.comparator) !== directionOf(qb.comparator)) return 0;
    return 8 + (sameValue(va.value, vb.value) ? 4 : 0) + (qa.comparator === qb.comparator ? 2 : 0) + (ctxA[i] === ctxB[j] ? 1 : 0);
  };
  const cols = b.length + 1;
  const table = new Int32Array((a.length + 1) * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const s = score(i, j);
      const diag = s > 0 ? s + (table[(i + 1) * cols + j + 1] ?? 0) : 0;
      table[i * cols + j] = Math.max(diag, table[(i + 1) * cols + j] ?? 0, table[i * cols + j + 1] ?? 0);
    }
  }
  const changes: NumberChange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const here = table[i * cols + j] ?? 0;
    const s = score(i, j);
    if (s > 0 && here === s + (table[(i + 1) * cols + j + 1] ?? 0)) {
      const qa = a[i] as Quantity;
      const qb = b[j] as Quantity;
      const va = (na[i] as { value: number }).value;
      const vb = (nb[j] as { value: number }).value;
      if (!sameValue(va, vb)) changes.push(changeOf(qa, qb, va, vb));
      i++;
      j++;
    } else if (here === (table[(i + 1) * cols + j] ?? 0)) i++;
    else j++;
  }
  return changes;
}

function changeOf(before: Quantity, after: Quantity, va: number, vb: number): NumberChange {
  const direction = directionOf(after.comparator);
  if (direction === 'none') return { before, after };
  // a lower bound that drops, or an upper bound that rises, catches more goods
  const wider = direction === 'lower' ? vb < va : vb > va;
  return { before, after, control: wider ? 'wider' : 'narrower' };
}
