/**
 * Numbers as Japanese legislation writes them: kanji with 十/百/千 (十六),
 * positional kanji (一六, 一〇〇), full-width and ASCII digits, イロハ order,
 * full-width roman numerals, and の-branches (十の二 → "10-2").
 */

const KANJI_DIGITS: Record<string, number> = {
  〇: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const KANJI_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** The イロハ order as used for sub-items, with the romanisation used in ids. */
export const IROHA: readonly (readonly [string, string])[] = [
  ['イ', 'i'], ['ロ', 'ro'], ['ハ', 'ha'], ['ニ', 'ni'], ['ホ', 'ho'], ['ヘ', 'he'], ['ト', 'to'],
  ['チ', 'chi'], ['リ', 'ri'], ['ヌ', 'nu'], ['ル', 'ru'], ['ヲ', 'wo'], ['ワ', 'wa'], ['カ', 'ka'],
  ['ヨ', 'yo'], ['タ', 'ta'], ['レ', 're'], ['ソ', 'so'], ['ツ', 'tsu'], ['ネ', 'ne'], ['ナ', 'na'],
  ['ラ', 'ra'], ['ム', 'mu'], ['ウ', 'u'], ['ヰ', 'wi'], ['ノ', 'no'], ['オ', 'o'], ['ク', 'ku'],
  ['ヤ', 'ya'], ['マ', 'ma'], ['ケ', 'ke'], ['フ', 'fu'], ['コ', 'ko'], ['エ', 'e'], ['テ', 'te'],
  ['ア', 'a'], ['サ', 'sa'], ['キ', 'ki'], ['ユ', 'yu'], ['メ', 'me'], ['ミ', 'mi'], ['シ', 'shi'],
  ['ヱ', 'we'], ['ヒ', 'hi'], ['モ', 'mo'], ['セ', 'se'], ['ス', 'su'],
];
const IROHA_INDEX = new Map(IROHA.map(([kana], i) => [kana, i + 1]));
const ROMAJI_INDEX = new Map(IROHA.map(([, romaji], i) => [romaji, i + 1]));
const BASE = IROHA.length; // 47
// After ス come ン and then pairs イイ, イロ, … (as e-Gov numbers long lists)
const N_ORDINAL = BASE + 1;

export function irohaOrdinal(kana: string): number | undefined {
  if (kana.length === 1) return kana === 'ン' ? N_ORDINAL : IROHA_INDEX.get(kana);
  if (kana.length !== 2) return undefined;
  const a = IROHA_INDEX.get(kana[0] as string);
  const b = IROHA_INDEX.get(kana[1] as string);
  return a !== undefined && b !== undefined ? N_ORDINAL + (a - 1) * BASE + b : undefined;
}

export function romajiOrdinal(romaji: string): number | undefined {
  if (romaji === 'n') return N_ORDINAL;
  const single = ROMAJI_INDEX.get(romaji);
  if (single !== undefined) return single;
  for (let k = 1; k < romaji.length; k++) {
    const a = ROMAJI_INDEX.get(romaji.slice(0, k));
    const b = ROMAJI_INDEX.get(romaji.slice(k));
    if (a !== undefined && b !== undefined) return N_ORDINAL + (a - 1) * BASE + b;
  }
  return undefined;
}

function pairOf(ordinal: number): [number, number] | undefined {
  if (ordinal <= N_ORDINAL) return undefined;
  const k = ordinal - N_ORDINAL - 1;
  const a = Math.floor(k / BASE) + 1;
  return a <= BASE ? [a, (k % BASE) + 1] : undefined;
}

export function irohaRomaji(ordinal: number): string | undefined {
  if (ordinal === N_ORDINAL) return 'n';
  const pair = pairOf(ordinal);
  if (pair) return `${IROHA[pair[0] - 1]?.[1]}${IROHA[pair[1] - 1]?.[1]}`;
  return IROHA[ordinal - 1]?.[1];
}

export function irohaKana(ordinal: number): string | undefined {
  if (ordinal === N_ORDINAL) return 'ン';
  const pair = pairOf(ordinal);
  if (pair) return `${IROHA[pair[0] - 1]?.[0]}${IROHA[pair[1] - 1]?.[0]}`;
  return IROHA[ordinal - 1]?.[0];
}

/** Full-width digits and letters to ASCII. */
export function toHalfWidth(s: string): string {
  return s.replace(/[０-９Ａ-Ｚａ-ｚ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

export const KANJI_NUMBER_CHARS = '〇一二三四五六七八九十百千';

/** Parses one number without の: 十六, 一六, 一〇〇, 百二十, １６, 16. */
export function parseSimpleNumber(s: string): number | undefined {
  if (s.length === 0) return undefined;
  const half = toHalfWidth(s);
  if (/^[0-9]+$/.test(half)) return Number(half);
  if (![...s].every((c) => c in KANJI_DIGITS || c in KANJI_UNITS)) return undefined;
  if (![...s].some((c) => c in KANJI_UNITS)) {
    // positional: 一六 = 16, 一〇〇 = 100
    let n = 0;
    for (const c of s) n = n * 10 + (KANJI_DIGITS[c] ?? 0);
    return n;
  }
  let total = 0;
  let digit: number | undefined;
  for (const c of s) {
    const d = KANJI_DIGITS[c];
    if (d !== undefined) {
      if (digit !== undefined) return undefined;
      digit = d;
      continue;
    }
    const unit = KANJI_UNITS[c] ?? 1;
    total += (digit ?? 1) * unit;
    digit = undefined;
  }
  return total + (digit ?? 0);
}

const ROMAN: Record<string, number> = { i: 1, v: 5, x: 10, l: 50, c: 100 };

/** Parses a lower- or upper-case roman numeral (full width allowed). */
export function parseRoman(s: string): number | undefined {
  const half = toHalfWidth(s).toLowerCase();
  if (!/^[ivxlc]+$/.test(half)) return undefined;
  let total = 0;
  for (let i = 0; i < half.length; i++) {
    const v = ROMAN[half[i] as string] ?? 0;
    const next = ROMAN[half[i + 1] as string] ?? 0;
    total += v < next ? -v : v;
  }
  return total;
}

/**
 * Parses a number with の-branches into the address form: 十の二 → "10-2",
 * 一の二の三 → "1-2-3". Returns undefined when it is not a number.
 */
export function parseBranchedNumber(s: string): string | undefined {
  const parts = s.split('の');
  const nums: number[] = [];
  for (const p of parts) {
    const n = parseSimpleNumber(p);
    if (n === undefined) return undefined;
    nums.push(n);
  }
  return nums.join('-');
}

/** Formats an Arabic number as kanji with 十/百/千: 16 → 十六, 48 → 四十八. */
export function toKanjiNumber(n: number): string {
  if (n === 0) return '〇';
  const digits = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  let out = '';
  const units: [number, string][] = [[1000, '千'], [100, '百'], [10, '十']];
  let rest = n;
  for (const [value, sign] of units) {
    const d = Math.floor(rest / value);
    if (d > 0) out += (d === 1 ? '' : digits[d]) + sign;
    rest %= value;
  }
  return out + (digits[rest] ?? '');
}

/** Formats an Arabic number as positional kanji, as appended tables do: 16 → 一六. */
export function toPositionalKanji(n: number): string {
  const digits = '〇一二三四五六七八九';
  return String(n)
    .split('')
    .map((d) => digits[Number(d)])
    .join('');
}

/** Formats a branched address number in kanji: "10-2" → 十の二. */
export function branchedToKanji(num: string, positional = false): string {
  return num
    .split('-')
    .map((p) => (positional ? toPositionalKanji(Number(p)) : toKanjiNumber(Number(p))))
    .join('の');
}

/** Full-width digits for an Arabic number: 2 → ２. */
export function toFullWidthDigits(n: number | string): string {
  return String(n).replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

/**
 * Compares two branched numbers ("4", "4-2", "5"): negative if a comes first.
 */
export function compareBranched(a: string, b: string): number {
  const pa = a.split('-').map(Number);
  const pb = b.split('-').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * Whether `next` may directly follow `prev` in a numbering sequence without a
 * gap: 4 → 5, 4 → 4-2, 4-2 → 4-3, 4-2 → 5, 4-2-1 → 4-3.
 */
export function isNextNumber(prev: string, next: string): boolean {
  const p = prev.split('-').map(Number);
  const n = next.split('-').map(Number);
  if (n.length === p.length + 1 && n[n.length - 1] === 2) {
    return p.every((v, i) => v === n[i]);
  }
  if (n.length > p.length) return false;
  // same or shallower depth: increment at the last level of `next`
  const k = n.length - 1;
  for (let i = 0; i < k; i++) if (p[i] !== n[i]) return false;
  return (n[k] ?? 0) === (p[k] ?? 0) + 1;
}
