/**
 * Reading one complete Japanese citation, as a user types it to name a
 * provision: 輸出令第四条第一項第三号, 法第四十八条第一項, 輸出令別表第一の一六の項（一）,
 * 貨物等省令第一条第四号ロ, 附則第二項. Where the text is ambiguous (別表第二の二の一の
 * 項: table 2-2 row 1, or table 2 row 2-1?) every reading is returned, most
 * likely first, and the caller keeps the one that exists.
 */
import { subitemKind, rowItemKind } from './ids.js';
import { irohaOrdinal, parseBranchedNumber } from './numerals.js';
import type { AddressStep } from './types.js';

export interface CitationReading {
  instrument: string | undefined;
  path: AddressStep[];
}

const NUM = '[〇一二三四五六七八九十百千0-9０-９]+';
const BRANCHED = `${NUM}(?:の${NUM})*`;
const IROHA = 'イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス';

type Token =
  | { t: 'suppl' }
  | { t: 'structure'; kind: 'chapter' | 'section' | 'subsection' | 'division'; num: string }
  | { t: 'article'; num: string; to?: string }
  | { t: 'paragraph'; num: string }
  | { t: 'item'; num: string; to?: string }
  | { t: 'iroha'; num: string }
  | { t: 'paren'; num: string }
  | { t: 'digit'; num: string }
  | { t: 'kanji'; num: string }
  | { t: 'appendix'; parts: string[]; row: boolean };

const RULES: [RegExp, (m: RegExpExecArray) => Token | undefined][] = [
  [/^附則/, () => ({ t: 'suppl' })],
  [new RegExp(`^第(${NUM})(章|節|款|目)((?:の${NUM})*)`), (m) => {
    const num = parseBranchedNumber(`${m[1] ?? ''}${m[3] ?? ''}`);
    const kind = ({ 章: 'chapter', 節: 'section', 款: 'subsection', 目: 'division' } as const)[m[2] as '章' | '節' | '款' | '目'];
    return num === undefined ? undefined : { t: 'structure', kind, num };
  }],
  [new RegExp(`^第(${NUM})条((?:の${NUM})*)(?:(?:から|及び)第(${NUM})条((?:の${NUM})*)(?:まで)?)?`), (m) => {
    const num = parseBranchedNumber(`${m[1] ?? ''}${m[2] ?? ''}`);
    const to = m[3] !== undefined ? parseBranchedNumber(`${m[3]}${m[4] ?? ''}`) : undefined;
    if (num === undefined) return undefined;
    return to !== undefined ? { t: 'article', num, to } : { t: 'article', num };
  }],
  [new RegExp(`^第(${NUM})項`), (m) => num1(m[1], (num) => ({ t: 'paragraph', num }))],
  [new RegExp(`^第(${NUM})号((?:の${NUM})*)(?:(?:から|及び)第(${NUM})号((?:の${NUM})*)(?:まで)?)?`), (m) => {
    const num = parseBranchedNumber(`${m[1] ?? ''}${m[2] ?? ''}`);
    const to = m[3] !== undefined ? parseBranchedNumber(`${m[3]}${m[4] ?? ''}`) : undefined;
    if (num === undefined) return undefined;
    return to !== undefined ? { t: 'item', num, to } : { t: 'item', num };
  }],
  [new RegExp(`^別表(?:第(${BRANCHED}))?の(${BRANCHED})の項`), appendix],
  [new RegExp(`^別表(?:第(${BRANCHED}))?`), appendix],
  [new RegExp(`^[（(](${BRANCHED})[）)]`), (m) => num1(m[1], (num) => ({ t: 'paren', num }))],
  [new RegExp(`^([${IROHA}])`), (m) => {
    const o = m[1] ? irohaOrdinal(m[1]) : undefined;
    return o === undefined ? undefined : { t: 'iroha', num: String(o) };
  }],
  [/^([０-９0-9]+)/, (m) => num1(m[1], (num) => ({ t: 'digit', num }))],
  // a bare kanji number is a sub-item label only below another sub-item (ロ（二）１一)
  [new RegExp(`^(${BRANCHED})`), (m) => num1(m[1], (num) => ({ t: 'kanji', num }))],
];

function appendix(m: RegExpExecArray): Token {
  const a = m[1] ? m[1].split('の') : [];
  const r = m[2] ? m[2].split('の') : [];
  return { t: 'appendix', parts: [...a, ...r], row: m[2] !== undefined };
}

function num1(s: string | undefined, f: (num: string) => Token): Token | undefined {
  if (s === undefined) return undefined;
  const n = parseBranchedNumber(s);
  return n === undefined ? undefined : f(n);
}

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let rest = text;
  while (rest.length > 0) {
    let matched = false;
    for (const [re, make] of RULES) {
      const m = re.exec(rest);
      if (!m || m[0] === '') continue;
      const tok = make(m);
      if (!tok) continue;
      tokens.push(tok);
      rest = rest.slice(m[0].length);
      matched = true;
      break;
    }
    if (!matched) return undefined;
  }
  return tokens;
}

/**
 * Reads `text` as a citation. `instrumentNames` are the names and aliases
 * that may start it (longest match wins). Returns no readings if the text is
 * not a citation.
 */
export function readCitation(text: string, instrumentNames: readonly string[]): CitationReading[] {
  const t = text.trim().replace(/\s+/g, '');
  const name = [...instrumentNames].sort((a, b) => b.length - a.length).find((n) => t.startsWith(n));
  const tokens = tokenize(name ? t.slice(name.length) : t);
  if (!tokens || tokens.length === 0) return [];
  const readings: AddressStep[][] = [[]];
  let level = 0; // sub-item or row-item depth
  let inRow = false;
  for (const tok of tokens) {
    switch (tok.t) {
      case 'suppl':
        for (const r of readings) r.push({ kind: 'suppl-provision', num: '1' });
        break;
      case 'structure':
        for (const r of readings) r.push({ kind: tok.kind, num: tok.num });
        break;
      case 'article':
        for (const r of readings) r.push(tok.to !== undefined ? { kind: 'article', num: tok.num, to: tok.to } : { kind: 'article', num: tok.num });
        break;
      case 'paragraph':
        for (const r of readings) r.push({ kind: 'paragraph', num: tok.num });
        break;
      case 'item':
        for (const r of readings) r.push(tok.to !== undefined ? { kind: 'item', num: tok.num, to: tok.to } : { kind: 'item', num: tok.num });
        level = 0;
        break;
      case 'kanji':
      case 'iroha':
      case 'paren':
      case 'digit':
        if (tok.t === 'kanji' && level === 0) return [];
        level++;
        for (const r of readings) r.push({ kind: inRow ? rowItemKind(Math.min(level, 4)) : subitemKind(Math.min(level, 6)), num: tok.num });
        break;
      case 'appendix': {
        const next: AddressStep[][] = [];
        const nums = tok.parts.map((p) => parseBranchedNumber(p) ?? p);
        const splits: [string[], string[]][] = [];
        if (!tok.row) splits.push([nums, []]);
        else for (let k = nums.length - 1; k >= 0; k--) splits.push([nums.slice(0, k), nums.slice(k)]);
        for (const r of readings) {
          for (const [a, row] of splits) {
            const steps: AddressStep[] = [{ kind: 'appendix-table', num: a.length === 0 ? '' : a.join('-') }];
            if (row.length > 0) steps.push({ kind: 'row', num: row.join('-') });
            next.push([...r, ...steps]);
          }
        }
        readings.splice(0, readings.length, ...next);
        inRow = tok.row;
        level = 0;
        break;
      }
    }
  }
  return readings.map((path) => ({ instrument: name, path }));
}
