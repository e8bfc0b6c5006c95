/**
 * Text normalisation for the portal's client-side search: the query and the
 * indexed text go through the same `normalize`, and a query matches when its
 * normalised form is a substring of the normalised text. Plain ES module with
 * no dependencies, so the browser loads it as-is under `script-src 'self'`
 * and Node (the tests) imports the same file.
 *
 * The rules, in the order they run (each is cheap and 1:1 or local):
 *
 *  1. NFKC, then lower case: full-width digits and letters become ASCII
 *     (１７ → 17, ＦＰＧＡ → fpga), half-width kana becomes full-width
 *     (ｶﾞ → ガ), U+3000 becomes a space, ％ → %, （ → (, ㍻ → 平成, ㎒ → mhz.
 *  2. Small kana as large (っ → つ, ゃ → や, ッ → ツ, ァ → ア …) and ヶ → ケ,
 *     ヵ → カ: laws enacted before 1988 write small kana large (「であつて」),
 *     and users type either.
 *  3. A counter after a numeral: ヶ / ヵ / ケ / カ / か / 箇 before 月 or 所 →
 *     か (三箇月, 3ヶ月 and 3か月 all become 3か月).
 *  4. Kanji numerals to Arabic digits, in context only (see `kanjiToArabic`).
 *  5. Thousands separators in Arabic numbers: 5,000 → 5000 (the kanji form
 *     五、〇〇〇 already became 5000 in rule 4).
 *  6. Arabic digits with 万 / 億 / 兆: 3万 → 30000, 1億2000万 → 120000000 (the
 *     text writes 三万円, which rule 4 turns into 30000円).
 *  7. A dash after katakana is the long vowel: メ-トル, メ－トル → メートル
 *     (ｰ is already ー after NFKC). Elsewhere dashes are left alone.
 *  8. Whitespace (incl. U+3000, zero-width spaces) is removed, except that
 *     between two digits it becomes one space, so that 「１　二五度」 (a
 *     label, then 25度) does not read as 125度. Queries are split on
 *     whitespace before they are normalised, so no term spans that space.
 *
 * Not done (documented limits): old and new kanji forms (舊/旧, 附則/付則),
 * unit symbols to katakana (mhz ≠ メガヘルツ), hiragana ↔ katakana, okurigana
 * variants (取扱い/取り扱い), wave-dash ranges.
 */

// ---------------------------------------------------------------------------
// Mapped rewriting: every pass is a regex replacement whose callback sees
// (match, offset, whole string). Run plain (a string) to build the index, or
// mapped (each output UTF-16 unit remembers the source range it came from)
// to put <mark> around the right characters of the original text.

/**
 * @typedef {{ text: string, starts: number[] | null, ends: number[] | null }} Mapped
 * `starts[i]`/`ends[i]`: the half-open range of the source that output unit
 * `i` came from; null when not tracked.
 */

/**
 * @param {Mapped} state
 * @param {RegExp} re a global regex without named groups
 * @param {(match: string, offset: number, str: string) => string} fn
 * @returns {Mapped}
 */
function rewrite(state, re, fn) {
  const { text, starts, ends } = state;
  if (!starts || !ends) {
    // replace() passes (match, ...groups, offset, string): take the last two
    const out = text.replace(re, (...args) => fn(args[0], args[args.length - 2], args[args.length - 1]));
    return { text: out, starts: null, ends: null };
  }
  let out = '';
  /** @type {number[]} */ const s2 = [];
  /** @type {number[]} */ const e2 = [];
  let last = 0;
  /** @param {number} from @param {number} to */
  const copy = (from, to) => {
    out += text.slice(from, to);
    for (let i = from; i < to; i++) {
      s2.push(starts[i]);
      e2.push(ends[i]);
    }
  };
  for (const m of text.matchAll(re)) {
    const off = m.index ?? 0;
    const len = m[0].length;
    const rep = fn(m[0], off, text);
    copy(last, off);
    if (rep === m[0]) {
      copy(off, off + len); // unchanged: keep the finer map
    } else {
      // a replacement maps as a whole onto the matched source
      out += rep;
      for (let i = 0; i < rep.length; i++) {
        s2.push(starts[off]);
        e2.push(ends[off + len - 1]);
      }
    }
    last = off + len;
  }
  copy(last, text.length);
  return { text: out, starts: s2, ends: e2 };
}

// ---------------------------------------------------------------------------
// 1. NFKC and lower case, per character cluster (so the map stays per
//    character). Only characters outside the ranges that NFKC and
//    toLowerCase leave alone are touched: ASCII except A–Z, 、。「」 etc.,
//    kana, CJK ideographs. A base followed by combining or half-width
//    (semi-)voiced marks is taken whole so that カ + ﾞ composes to ガ.
const NFKC_TARGET =
  /[^][\u0300-\u036f\u3099\u309a\uff9e\uff9f]+|[^\0-@\[-~\u3001-\u3011\u3041-\u3096\u30a1-\u30fc\u4e00-\u9fff]/gu;

/** @param {string} c */
const nfkcLower = (c) => c.normalize('NFKC').toLowerCase();

// 2. Small kana as large, ヶ/ヵ as ケ/カ.
const SMALL_KANA = 'ぁあぃいぅうぇえぉおっつゃやゅゆょよゎわゕかゖけァアィイゥウェエォオッツャヤュユョヨヮワヵカヶケ';
const KANA_FOLD = new Map();
for (let i = 0; i < SMALL_KANA.length; i += 2) KANA_FOLD.set(SMALL_KANA[i], SMALL_KANA[i + 1]);
const SMALL_KANA_RE = /[ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ]/g;

// 3. 箇月 / ヶ月 / か月, 箇所 / か所 after a numeral (after rule 2, ヶ is ケ).
const KA_COUNTER_RE = /[0-9〇一二三四五六七八九十百千万][かカケ箇](?=[月所])/g;

// 5. 5,000 → 5000: a comma followed by exactly three digits, after a digit.
const THOUSANDS_RE = /,(?=[0-9]{3}(?![0-9]))/g;

// 6. Arabic digits with 万 / 億 / 兆.
const ARABIC_BIG_RE = /(?:[0-9]+[兆億万])+[0-9]*/g;

// 7. Dashes that stand for ー after katakana.
const DASH_RE = /[-‐‑‒–—―−]/g;
const KATAKANA_RE = /[\u30a1-\u30fa\u30fc]/;

// 8. Whitespace.
const SPACE_RE = /[\s\u200b-\u200d\u2060]+/g;

/**
 * Normalises a query or an indexed text for matching (the rules are listed at
 * the top of this file).
 * @param {string} s
 * @returns {string}
 */
export function normalize(s) {
  return runPasses({ text: String(s), starts: null, ends: null }).text;
}

/**
 * `normalize` that also returns, for every unit of the result, the range of
 * `s` it came from, so a match in the normalised text can be highlighted in
 * the original.
 * @param {string} s
 * @returns {{ text: string, starts: number[], ends: number[] }}
 */
export function normalizeWithMap(s) {
  const text = String(s);
  const starts = Array.from({ length: text.length }, (_, i) => i);
  const ends = starts.map((i) => i + 1);
  const out = runPasses({ text, starts, ends });
  return { text: out.text, starts: out.starts ?? [], ends: out.ends ?? [] };
}

/** @param {Mapped} state */
function runPasses(state) {
  let st = rewrite(state, NFKC_TARGET, nfkcLower);
  st = rewrite(st, SMALL_KANA_RE, (c) => KANA_FOLD.get(c) ?? c);
  st = rewrite(st, KA_COUNTER_RE, (m) => `${m[0]}か`);
  st = rewrite(st, CHAIN_RE, convertChain);
  st = rewrite(st, THOUSANDS_RE, (m, off, str) => (isDigit(str[off - 1]) ? '' : m));
  st = rewrite(st, ARABIC_BIG_RE, (m, off, str) => (str[off - 1] === '.' ? m : (arabicWithBigUnits(m) ?? m)));
  st = rewrite(st, DASH_RE, (m, off, str) => (KATAKANA_RE.test(str[off - 1] ?? '') ? 'ー' : m));
  st = rewrite(st, SPACE_RE, (m, off, str) => (isDigit(str[off - 1]) && isDigit(str[off + m.length]) ? ' ' : ''));
  return st;
}

/** @param {string | undefined} c */
function isDigit(c) {
  return c !== undefined && c >= '0' && c <= '9';
}

// ---------------------------------------------------------------------------
// 4. Kanji numerals

const DIGITS = '〇一二三四五六七八九';
/** @type {Record<string, number>} */
const DIGIT_VALUE = Object.fromEntries([...DIGITS].map((c, i) => [c, i]));
/** @type {Record<string, number>} */
const SMALL_UNIT = { 十: 10, 百: 100, 千: 1000 };
/** @type {[string, number][]} */
const BIG_UNITS = [['兆', 1e12], ['億', 1e8], ['万', 1e4]];

/**
 * One number as the laws write it:
 * - positional with thousands groups and a decimal part: 五、〇〇〇 (the 、
 *   separates groups of exactly three digits), 一、〇〇〇・五;
 * - positional with a decimal part: 〇・二五;
 * - a run of digits and units: 一二五, 十七, 二百三十, 五〇兆.
 */
const PART = `[${DIGITS}]{1,3}(?:、[${DIGITS}]{3})+(?![${DIGITS}])(?:・[${DIGITS}]+)?|[${DIGITS}]+・[${DIGITS}]+|[${DIGITS}十百千万億兆]+`;
/** Numbers joined by の, as in branch labels: 十の二, 三の二. */
const CHAIN_RE = new RegExp(`(?:${PART})(?:の(?:${PART}))*`, 'g');

/**
 * Words that make a numeral before them a number. A numeral run followed by
 * one of these converts (千五百メガヘルツ, 七の項, 三万円, 十分の一). Only a
 * trigger: nothing here is consumed or rewritten. Deliberately absent: つ
 * (一つ), 時 (一時; 時間 is here), 分 (十分; 分の and 分間 are here), 部, 般,
 * 体, 定, 方 and other second halves of words.
 */
const COUNTERS = [
  // structure
  '条', '項', '号', '款', '節', '章', '編', '類', 'の項',
  // time
  '年', '月', 'か月', 'ケ月', 'ヶ月', 'カ月', 'ヵ月', '箇月', '日', '時間', '分間', '秒', '週間',
  // comparisons and ratios
  '以上', '以下', '未満', '超', 'を超え', '以内', '倍', '分の', '割',
  // counts
  '個', '件', '人', '台', '回', '桁', '軸', '次元', '種類', 'か所', '箇所',
  // units
  '度', '%', '％', 'パーセント', '円', '平方', '立方', '気圧', '海里', '電子ボルト',
  'テラ', 'ギガ', 'メガ', 'キロ', 'センチ', 'ミリ', 'マイクロ', 'ナノ', 'ピコ', 'フェムト',
  'ヘルツ', 'メートル', 'グラム', 'ワット', 'ボルト', 'アンペア', 'ジュール', 'パスカル',
  'ニュートン', 'テスラ', 'ラジアン', 'オーム', 'ファラド', 'ヘンリー', 'ジーメンス', 'クーロン',
  'ベクレル', 'グレイ', 'シーベルト', 'ケルビン', 'リットル', 'ビット', 'バイト', 'デシベル',
  'ミクロン', 'トン', 'ラド', 'ノット', 'サイクル', 'サンプル', 'ベース', 'モル', 'ルーメン',
];
// Old statutes write small kana large (ワツト, ジユール) and rule 2 folds the
// text that way before this rule runs, so both spellings are listed.
const COUNTER_SPELLINGS = [...new Set(COUNTERS.flatMap((c) => [c, c.replace(SMALL_KANA_RE, (k) => KANA_FOLD.get(k) ?? k)]))];
const COUNTER_RE = new RegExp(`(?:${COUNTER_SPELLINGS.sort((a, b) => b.length - a.length).join('|')})`, 'y');

/** Before a numeral, these make it an ordinal or a year: 第十七号, 令和五年. */
const STRONG_PREFIX_RE = /(?:第|明治|大正|昭和|平成|令和)$/;
/**
 * Before a numeral, these make it a branch or a denominator's partner:
 * 第六条の二, 第三号の二, 十分の一 (only when a label ends after it, see
 * `atLabelEnd`, so that 同条の一部 stays).
 */
const WEAK_PREFIX_RE = /(?:[条項号款節章編表]|[0-9〇一二三四五六七八九十百千万億兆]分|[0-9])の$/;
/** A single numeral after these is the second half of a word: 同一, 単一, 唯一. */
const WORD_BEFORE = new Set([...'同単唯統均画随逐無不専択純']);
/** Numeral runs that are words in their own right. */
const WORD_RUNS = new Set(['万一']);
/**
 * Kanji that may follow a label (第六条の二第一項, …の二及び…, …の二中); any
 * other kanji right after a bare numeral means a word (一部, 一般, 一体).
 */
const LABEL_FOLLOWERS = new Set([...'第及又若並中各前後関等本別同']);
const IDEOGRAPH_RE = /[\u3005\u3400-\u9fff\uf900-\ufaff]/;

/**
 * Converts kanji numerals to Arabic digits where they are numbers and not part
 * of a word. A chain of numerals (joined by の) converts when
 * - it follows 第 or an era name (第十七号 → 第17号, 令和五年 → 令和5年), is
 *   in parentheses (（一）→ （1）), or is the whole string (a query 十七 → 17);
 * - or it is followed by a counter, unit or comparison (`COUNTERS`: 千五百メガ
 *   ヘルツ, 七の項, 一二五度, 三万円, 十分の…);
 * - or any of its numbers is positional with two or more digits (一二五,
 *   五、〇〇〇, 〇・二五) — such sequences are never words;
 * - or it has a branch (十の二, 三の二) or follows a label and の (第六条の二,
 *   十分の一), and a label may end there (`atLabelEnd`).
 * Otherwise it stays: 一般, 一部, 同一, 一時, 単一, 万一, 一つ, 一体.
 * A single numeral glued to a word (同一の二つ, 第一の一部) is cut off the
 * chain first and left as written.
 * @param {string} s
 * @returns {string}
 */
export function kanjiToArabic(s) {
  return String(s).replace(CHAIN_RE, (m, off, str) => convertChain(m, off, str));
}

/**
 * @param {string} chain the numerals matched by CHAIN_RE
 * @param {number} off its offset in `str`
 * @param {string} str
 */
function convertChain(chain, off, str) {
  // after Arabic digits (3万, 1億2000万) the numerals belong to rule 6
  if (isDigit(str[off - 1])) return chain;
  const parts = chain.split('の');
  // partStart[i]: offset of parts[i] in str; partStart[i + 1] - 1: its end
  const partStart = [off];
  for (const p of parts) partStart.push(partStart[partStart.length - 1] + p.length + 1);
  const endOf = (/** @type {number} */ i) => partStart[i] - 1; // end of parts[i - 1]

  let head = 0; // parts[0 .. head) are left as written
  let tail = parts.length; // parts[tail ..) are left as written
  // a leading numeral that finishes a word (同一の二つ) or is one (万一)
  if (WORD_RUNS.has(parts[0]) || (parts[0].length === 1 && WORD_BEFORE.has(str[off - 1]))) head = 1;
  if (tail > head && WORD_RUNS.has(parts[tail - 1])) tail -= 1;
  // a trailing single numeral that begins a word (第一の一部 keeps 一部)
  while (tail - head > 1 && parts[tail - 1].length === 1 && !counterAt(str, endOf(tail)) && !atLabelEnd(str, endOf(tail))) {
    tail -= 1;
  }
  if (tail <= head) return chain;

  const kept = parts.slice(head, tail);
  const start = partStart[head];
  const end = endOf(tail);
  const before = str.slice(Math.max(0, start - 3), start);
  const convert =
    counterAt(str, end) ||
    kept.some(isMultiDigitPositional) ||
    STRONG_PREFIX_RE.test(before) ||
    (OPEN_PAREN_RE.test(before) && CLOSE_PAREN_RE.test(str[end] ?? '')) ||
    (isBlank(str, 0, start) && isBlank(str, end, str.length)) ||
    ((kept.length > 1 || WEAK_PREFIX_RE.test(before)) && atLabelEnd(str, end));
  if (!convert) return chain;

  const numbers = kept.map(parseKanjiNumber);
  if (numbers.some((n) => n === undefined)) return chain;
  return [...parts.slice(0, head), ...numbers, ...parts.slice(tail)].join('の');
}

const OPEN_PAREN_RE = /[(（]$/;
const CLOSE_PAREN_RE = /^[)）]/;
const SPACE_CHAR_RE = /\s/;

/**
 * Whether a counter or unit begins at `pos`.
 * @param {string} str
 * @param {number} pos
 */
function counterAt(str, pos) {
  COUNTER_RE.lastIndex = pos;
  return COUNTER_RE.test(str);
}

/**
 * Whether a label may end at `pos`: end of text, punctuation, kana (except
 * つ, as in 二つ), or one of `LABEL_FOLLOWERS`; not another kanji (一部).
 * @param {string} str
 * @param {number} pos
 */
function atLabelEnd(str, pos) {
  const c = str[pos];
  if (c === undefined) return true;
  if (c === 'つ') return false;
  return !IDEOGRAPH_RE.test(c) || LABEL_FOLLOWERS.has(c);
}

/**
 * Whether str[from .. to) is all whitespace; stops at the first non-space.
 * @param {string} str
 * @param {number} from
 * @param {number} to
 */
function isBlank(str, from, to) {
  for (let i = from; i < to; i++) if (!SPACE_CHAR_RE.test(str[i] ?? '')) return false;
  return true;
}

/**
 * 一二五, 〇・二五, 五、〇〇〇, 五〇万: two digits in a row (the counted form
 * never writes two, 二十三 has a unit between them).
 * @param {string} part
 */
function isMultiDigitPositional(part) {
  return /[〇一二三四五六七八九]{2}/.test(part.replace(/[、・]/g, ''));
}

/**
 * Parses one kanji number into Arabic digits, or undefined when it is not a
 * well-formed number. Positional numbers convert digit by digit, keeping
 * leading zeros and decimals (〇・〇〇一 → 0.001, 五、〇〇〇 → 5000); counted
 * numbers are evaluated (二百三十 → 230, 千五百 → 1500, 三万 → 30000,
 * 五〇兆 → 50000000000000).
 * @param {string} part
 * @returns {string | undefined}
 */
export function parseKanjiNumber(part) {
  if (!/^[〇一二三四五六七八九十百千万億兆、・]+$/.test(part)) return undefined;
  if (!/[十百千万億兆]/.test(part)) {
    return [...part].map((c) => (c === '、' ? '' : c === '・' ? '.' : String(DIGIT_VALUE[c]))).join('');
  }
  if (/[、・]/.test(part)) return undefined;
  let total = 0;
  let rest = part;
  for (const [unit, value] of BIG_UNITS) {
    const i = rest.indexOf(unit);
    if (i < 0) continue;
    const n = i === 0 ? 1 : parseBelowMyriad(rest.slice(0, i));
    if (n === undefined || n === 0) return undefined;
    total += n * value;
    rest = rest.slice(i + 1);
  }
  if (rest !== '') {
    const n = parseBelowMyriad(rest);
    if (n === undefined) return undefined;
    total += n;
  }
  return Number.isSafeInteger(total) ? String(total) : undefined;
}

/**
 * 二百三十 → 230, 五〇 → 50 (positional), 二三十 → undefined.
 * @param {string} s
 * @returns {number | undefined}
 */
function parseBelowMyriad(s) {
  if (!/[十百千]/.test(s)) {
    if (![...s].every((c) => c in DIGIT_VALUE)) return undefined;
    return Number([...s].map((c) => DIGIT_VALUE[c]).join(''));
  }
  let total = 0;
  /** @type {number | undefined} */ let digit;
  let lastUnit = Infinity;
  for (const c of s) {
    if (c in DIGIT_VALUE) {
      if (digit !== undefined) return undefined; // 二三十
      digit = DIGIT_VALUE[c];
      continue;
    }
    const unit = SMALL_UNIT[c];
    // units must descend (百十, not 十百) and take a digit 1–9 or none
    if (unit === undefined || unit >= lastUnit || digit === 0) return undefined;
    lastUnit = unit;
    total += (digit ?? 1) * unit;
    digit = undefined;
  }
  return total + (digit ?? 0);
}

/**
 * 3万 → 30000, 1億2000万 → 120000000; undefined when units do not descend.
 * @param {string} s
 * @returns {string | undefined}
 */
function arabicWithBigUnits(s) {
  let total = 0;
  let lastValue = Infinity;
  let rest = s;
  for (const m of s.matchAll(/([0-9]+)([兆億万])/g)) {
    const value = BIG_UNITS.find(([u]) => u === m[2])?.[1] ?? 0;
    if (value >= lastValue) return undefined;
    lastValue = value;
    total += Number(m[1]) * value;
    rest = s.slice((m.index ?? 0) + m[0].length);
  }
  if (rest !== '') {
    if (rest.length >= String(lastValue).length) return undefined; // 1万12345: not a number
    total += Number(rest);
  }
  return Number.isSafeInteger(total) ? String(total) : undefined;
}
