/**
 * Reading the number labels in front of provisions (一, 一の二, イ, （一）, １,
 * （ｉ）, 三から五まで …) into a family and an address number.
 */
import { irohaOrdinal, parseBranchedNumber, parseRoman } from './numerals.js';

export type LabelFamily =
  | 'kanji'
  | 'iroha'
  | 'paren-kanji'
  | 'paren-digit'
  | 'digit'
  | 'paren-roman'
  | 'paren-iroha';

export interface Label {
  family: LabelFamily;
  /** Address number, `-` for の. */
  num: string;
  /** End of a range (三から五まで, 三及び四). */
  to?: string;
}

const KANJI_NUM = '[〇一二三四五六七八九十百千]+(?:の[〇一二三四五六七八九十百千]+)*';
const DIGIT_NUM = '[０-９0-9]+(?:の[０-９0-9]+)*';

const patterns: [LabelFamily, RegExp][] = [
  ['kanji', new RegExp(`^(${KANJI_NUM})$`)],
  ['paren-kanji', new RegExp(`^[（(](${KANJI_NUM})[）)]$`)],
  ['digit', new RegExp(`^(${DIGIT_NUM})$`)],
  ['paren-digit', new RegExp(`^[（(](${DIGIT_NUM})[）)]$`)],
];

function single(s: string): Label | undefined {
  for (const [family, re] of patterns) {
    const m = re.exec(s);
    if (m?.[1]) {
      const num = parseBranchedNumber(m[1]);
      if (num !== undefined) return { family, num };
    }
  }
  const iroha = irohaOrdinal(s);
  if (iroha !== undefined) return { family: 'iroha', num: String(iroha) };
  const pi = /^[（(](..?)[）)]$/.exec(s);
  if (pi?.[1]) {
    const o = irohaOrdinal(pi[1]);
    if (o !== undefined) return { family: 'paren-iroha', num: String(o) };
  }
  const roman = /^[（(]([ｉｖｘｌｃivxlc]+)[）)]$/.exec(s);
  if (roman?.[1]) {
    const n = parseRoman(roman[1]);
    if (n !== undefined) return { family: 'paren-roman', num: String(n) };
  }
  return undefined;
}

/** Parses a label such as 一の二, イ, （十の二）, １, 三から五まで; undefined if it is none. */
export function parseLabel(label: string): Label | undefined {
  const range = /^(.+?)(から|及び|・)(.+?)(まで)?$/.exec(label);
  if (range?.[1] && range[3]) {
    const a = single(range[1]);
    const b = single(range[3]);
    if (a && b && a.family === b.family) return { family: a.family, num: a.num, to: b.num };
  }
  return single(label);
}

/** The first label of a family, with which a new level starts. */
export function isFirstLabel(l: Label): boolean {
  return l.num === '1';
}

/** Splits a list item's text into its label and the rest at the first full-width space. */
export function splitLabel(text: string): { label: string; rest: string; sep: number } | undefined {
  const i = text.indexOf('\u3000');
  if (i <= 0 || i > 24) return undefined;
  const label = text.slice(0, i);
  if (!parseLabel(label)) return undefined;
  return { label, rest: text.slice(i + 1), sep: i };
}
