/**
 * Provision ids, grammar version 1.
 *
 *   id         = instrument *( "/" step )
 *   instrument = e-Gov law id (324CO0000000378) | alias (etco, 輸出令, …)
 *   step       = prefix num          ; art4-2, para2, item1-2, appx1, row16
 *              | num | romaji        ; below an item, sub-item or row only
 *   prefix     = "ch" | "sec" | "subsec" | "div" | "art" | "para" | "item"
 *              | "appx" | "row" | "suppl" | "text"
 *   num        = n *( "-" n ) [ ( "to" | "and" ) n *( "-" n ) ]   ; 十の二 → 10-2
 *   romaji     = i | ro | ha | ni | ho | …                        ; イロハ order
 *
 * A bare step after `item` is a sub-item, after a sub-item the next sub-item
 * level, after `row` a row item (（一） → 1), and so on down. Sub-items
 * labelled イロハ are written in romaji (`item2/ro`), others by number
 * (`item4/i/1` for （一） under イ). `text` steps number blocks regpress kept as
 * text without recognising them. The grammar is versioned: a change that
 * alters existing ids bumps ID_GRAMMAR_VERSION and comes with an old → new map.
 */
import { irohaRomaji, romajiOrdinal } from './numerals.js';
import type { Address, AddressStep, StepKind } from './types.js';

export const ID_GRAMMAR_VERSION = 1;

const PREFIX_OF: Partial<Record<StepKind, string>> = {
  chapter: 'ch',
  section: 'sec',
  subsection: 'subsec',
  division: 'div',
  article: 'art',
  paragraph: 'para',
  item: 'item',
  'appendix-table': 'appx',
  row: 'row',
  'suppl-provision': 'suppl',
  text: 'text',
};
const KIND_OF_PREFIX = new Map(Object.entries(PREFIX_OF).map(([k, p]) => [p, k as StepKind]));
// longest prefixes first, so that `subsec` is not read as `sec`
const PREFIXES = [...KIND_OF_PREFIX.keys()].sort((a, b) => b.length - a.length);

const NUM_RE = /^(\d+(?:-\d+)*)?(?:(to|and)(\d+(?:-\d+)*))?$/;

export const SUBITEM_KINDS: readonly StepKind[] = ['subitem', 'subitem2', 'subitem3', 'subitem4', 'subitem5', 'subitem6'];
export const ROW_ITEM_KINDS: readonly StepKind[] = ['row-item', 'row-item2', 'row-item3', 'row-item4'];

/** The kind of a bare step that follows a step of kind `prev`, if any. */
export function childLevelKind(prev: StepKind | undefined): StepKind | undefined {
  if (prev === 'item') return 'subitem';
  if (prev === 'row') return 'row-item';
  const si = SUBITEM_KINDS.indexOf(prev as StepKind);
  if (si >= 0) return SUBITEM_KINDS[si + 1];
  const ri = ROW_ITEM_KINDS.indexOf(prev as StepKind);
  if (ri >= 0) return ROW_ITEM_KINDS[ri + 1];
  return undefined;
}

export function subitemKind(level: number): StepKind {
  const k = SUBITEM_KINDS[level - 1];
  if (!k) throw new RangeError(`sub-item level ${level} is deeper than the id grammar supports`);
  return k;
}

export function rowItemKind(level: number): StepKind {
  const k = ROW_ITEM_KINDS[level - 1];
  if (!k) throw new RangeError(`row item level ${level} is deeper than the id grammar supports`);
  return k;
}

/** Formats one step. `iroha` asks for the romaji form of a sub-item number. */
export function formatStep(step: AddressStep, iroha = false): string {
  const num = step.num + (step.to !== undefined ? `to${step.to}` : '');
  const prefix = PREFIX_OF[step.kind];
  if (prefix !== undefined) return prefix + num;
  if (iroha && step.to === undefined) {
    const r = irohaRomaji(Number(step.num));
    if (r) return r;
  }
  return num;
}

export interface FormatOptions {
  /** Indices of path steps whose label is in イロハ order (written as romaji). */
  irohaSteps?: ReadonlySet<number>;
}

export function formatId(address: Address, options: FormatOptions = {}): string {
  const parts = [address.instrument];
  address.path.forEach((step, i) => parts.push(formatStep(step, options.irohaSteps?.has(i) ?? false)));
  return parts.join('/');
}

export interface ParsedId {
  /** The instrument part as written: an e-Gov id or an alias. */
  instrument: string;
  path: AddressStep[];
}

export class IdSyntaxError extends Error {
  constructor(
    readonly input: string,
    readonly position: number,
    message: string,
  ) {
    super(`invalid provision id "${input}" at ${position + 1}: ${message}`);
    this.name = 'IdSyntaxError';
  }
}

function parseNum(text: string): { num: string; to?: string } | undefined {
  const m = NUM_RE.exec(text);
  if (!m) return undefined;
  const num = m[1] ?? '';
  if (m[2] !== undefined) {
    if (num === '' || m[3] === undefined) return undefined;
    return { num, to: m[3] };
  }
  return { num };
}

/** Parses an id. Throws IdSyntaxError with the position of the bad step. */
export function parseId(input: string): ParsedId {
  const parts = input.split('/');
  const instrument = parts[0] ?? '';
  if (instrument === '') throw new IdSyntaxError(input, 0, 'missing instrument');
  const path: AddressStep[] = [];
  let pos = instrument.length + 1;
  for (const raw of parts.slice(1)) {
    const step = parseStep(raw, path[path.length - 1]?.kind);
    if (!step) throw new IdSyntaxError(input, pos, `"${raw}" is not a step`);
    path.push(step);
    pos += raw.length + 1;
  }
  return { instrument, path };
}

function parseStep(raw: string, prev: StepKind | undefined): AddressStep | undefined {
  if (raw === '') return undefined;
  for (const prefix of PREFIXES) {
    if (!raw.startsWith(prefix)) continue;
    const n = parseNum(raw.slice(prefix.length));
    const kind = KIND_OF_PREFIX.get(prefix);
    if (!n || !kind) continue;
    if (n.num === '' && kind !== 'appendix-table') continue;
    return n.to !== undefined ? { kind, num: n.num, to: n.to } : { kind, num: n.num };
  }
  const kind = childLevelKind(prev);
  if (!kind) return undefined;
  const r = romajiOrdinal(raw);
  if (r !== undefined) return { kind, num: String(r) };
  const n = parseNum(raw);
  if (!n || n.num === '') return undefined;
  return n.to !== undefined ? { kind, num: n.num, to: n.to } : { kind, num: n.num };
}

/** Two addresses name the same provision. */
export function sameAddress(a: Address, b: Address): boolean {
  return a.instrument === b.instrument && samePath(a.path, b.path);
}

export function samePath(a: readonly AddressStep[], b: readonly AddressStep[]): boolean {
  return (
    a.length === b.length &&
    a.every((s, i) => s.kind === b[i]?.kind && s.num === b[i]?.num && s.to === b[i]?.to)
  );
}

/** A stable string key for a path, independent of label style: used for lookups. */
export function pathKey(path: readonly AddressStep[]): string {
  return path.map((s) => `${s.kind}:${s.num}${s.to !== undefined ? `:${s.to}` : ''}`).join('/');
}
