/**
 * Finding provisions: an index of a corpus by id, by address and by the
 * names of its instruments, and `locate`, which accepts an id
 * (`etco/art4/para1/item3`) or a Japanese citation (輸出令第四条第一項第三号).
 */
import { readCitation } from './citation.js';
import { formatCitation } from './cite-format.js';
import { parseId, pathKey, IdSyntaxError } from './ids.js';
import { compareBranched } from './numerals.js';
import { walkProvisions } from './text.js';
import type { AddressStep, Diagnostic, Instrument, Provision } from './types.js';

/** Conventional names of the instruments of Japan's export control, by e-Gov id. */
export const KNOWN_ALIASES: Readonly<Record<string, readonly string[]>> = {
  '324AC0000000228': ['fefta', '外為法', '法'],
  '324CO0000000378': ['etco', '輸出令'],
  '355CO0000000260': ['feo', '外為令'],
  '403M50000400049': ['goods-ordinance', '貨物等省令'],
};

/** The short name an instrument is cited by: 輸出令, 貨物等省令, or its title. */
export function shortName(instrument: Instrument): string {
  const known = (KNOWN_ALIASES[instrument.id] ?? []).filter((n) => !/^[\x20-\x7e]+$/.test(n));
  const abbrev = instrument.meta.abbrev?.split(/[,、，]/)[0]?.trim();
  return abbrev || (known.find((n) => n.length > 1) ?? instrument.meta.title);
}

export interface CorpusIndex {
  instruments: Map<string, Instrument>;
  /** Parent of each provision, by id (absent for top-level provisions). */
  parents: Map<string, Provision>;
  /** Every name an instrument can be cited by → its id. */
  names: Map<string, string>;
  provisions: Map<string, Provision>;
  byAddress: Map<string, Provision>;
}

function addressKey(instrument: string, path: readonly AddressStep[]): string {
  return `${instrument}#${pathKey(path)}`;
}

export function instrumentNames(instrument: Instrument): string[] {
  const m = instrument.meta;
  // e-Gov's abbrev may list several names: "外為法,外国為替法"
  const aliases = m.aliases.flatMap((a) => a.split(/[,、，]/)).map((a) => a.trim()).filter((a) => a !== '');
  return [...new Set([instrument.id, ...(KNOWN_ALIASES[instrument.id] ?? []), m.title, ...aliases, ...(m.lawNum ? [m.lawNum] : [])])];
}

export function buildIndex(instruments: readonly Instrument[]): { index: CorpusIndex; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const index: CorpusIndex = { instruments: new Map(), parents: new Map(), names: new Map(), provisions: new Map(), byAddress: new Map() };
  // ids become file names (site/instruments/<id>.html): ids that differ only in case clobber each other on macOS and Windows
  const byFoldedId = new Map<string, Instrument>();
  for (const ins of instruments) {
    const other = index.instruments.get(ins.id);
    if (other) {
      diagnostics.push({ file: ins.file, line: 1, column: 1, severity: 'error', rule: 'duplicate-instrument-id', message: `identifier ${ins.id} is also used by ${other.file}` });
      continue;
    }
    const folded = byFoldedId.get(ins.id.toLowerCase());
    if (folded) diagnostics.push({ file: ins.file, line: 1, column: 1, severity: 'error', rule: 'duplicate-instrument-id', message: `identifier ${ins.id} differs only in case from ${folded.id} in ${folded.file}: they would be one file on macOS and Windows` });
    else byFoldedId.set(ins.id.toLowerCase(), ins);
    index.instruments.set(ins.id, ins);
    for (const name of instrumentNames(ins)) {
      const owner = index.names.get(name);
      if (owner && owner !== ins.id) {
        diagnostics.push({ file: ins.file, line: 1, column: 1, severity: 'warning', rule: 'ambiguous-instrument-name', message: `name "${name}" also names ${owner}; it keeps naming ${owner}` });
        continue;
      }
      index.names.set(name, ins.id);
    }
    for (const p of walkProvisions(ins.provisions)) {
      for (const c of p.children) index.parents.set(c.id, p);
      if (!index.provisions.has(p.id)) index.provisions.set(p.id, p);
      const key = addressKey(ins.id, p.address.path);
      if (!index.byAddress.has(key)) index.byAddress.set(key, p);
    }
  }
  return { index, diagnostics };
}

/** 第一条第十七号ロ（二）１: the citation of a provision, with the labels of its own line of ancestors. */
export function citeProvision(index: CorpusIndex, p: Provision): string {
  const labels = new Map<string, string>();
  for (let q: Provision | undefined = p; q; q = index.parents.get(q.id)) labels.set(pathKey(q.address.path), q.label);
  const path = p.address.path;
  return formatCitation(path, path.map((_, i) => labels.get(pathKey(path.slice(0, i + 1)))));
}

/** 輸出令別表第一の七の項: the short name of the instrument and the citation of a provision, by id. */
export function citeById(index: CorpusIndex, id: string): string | undefined {
  const p = index.provisions.get(id);
  const ins = index.instruments.get(id.split('/')[0] ?? '');
  return p && ins ? `${shortName(ins)}${citeProvision(index, p)}` : undefined;
}

export class LocateError extends Error {
  constructor(
    readonly ref: string,
    message: string,
  ) {
    super(message);
    this.name = 'LocateError';
  }
}

/** Looks up an address, forgiving an omitted paragraph 1 (第四条第三号 = 第四条第一項第三号). */
export function findByAddress(index: CorpusIndex, instrument: string, path: readonly AddressStep[]): Provision | undefined {
  const direct = index.byAddress.get(addressKey(instrument, path));
  if (direct) return direct;
  const i = path.findIndex((s, k) => s.kind === 'article' && path[k + 1] !== undefined && path[k + 1]?.kind !== 'paragraph');
  if (i >= 0) {
    const withPara = [...path.slice(0, i + 1), { kind: 'paragraph' as const, num: '1' }, ...path.slice(i + 1)];
    return index.byAddress.get(addressKey(instrument, withPara));
  }
  // an appended table written as a list has items where a table has rows (別表第二の二の一の項)
  const rowAt = path.findIndex((s) => s.kind === 'row');
  if (rowAt >= 0) {
    const asItem = path.map((s, k) => (k === rowAt ? { ...s, kind: 'item' as const } : s));
    const found = index.byAddress.get(addressKey(instrument, asItem));
    if (found) return found;
  }
  // 第三条 inside 第二条から第四条まで　削除
  const last = path[path.length - 1];
  if (last?.kind === 'article' && last.to === undefined) {
    const parent = path.slice(0, -1);
    const ins = index.instruments.get(instrument);
    const siblings = parent.length === 0 ? ins?.provisions.flatMap(function flat(p): Provision[] { return p.kind === 'article' ? [p] : p.children.flatMap(flat); }) : index.byAddress.get(addressKey(instrument, parent))?.children;
    return siblings?.find((p) => {
      const s = p.address.path[p.address.path.length - 1];
      return p.kind === 'article' && s?.to !== undefined && compareBranched(s.num, last.num) <= 0 && compareBranched(last.num, s.to) <= 0;
    });
  }
  return undefined;
}

function resolveInstrument(index: CorpusIndex, name: string): string | undefined {
  if (index.instruments.has(name)) return name;
  return index.names.get(name);
}

/**
 * Finds the provision (or instrument) a user names. Throws LocateError with
 * a message that says what was not found.
 */
export function locate(index: CorpusIndex, ref: string): { instrument: Instrument; provision: Provision | undefined } {
  const trimmed = ref.trim();
  const firstPart = trimmed.split('/')[0] ?? '';
  const idInstrument = resolveInstrument(index, firstPart);
  if (idInstrument !== undefined && /^[\x20-\x7e]*$/.test(trimmed.slice(firstPart.length))) {
    let parsed;
    try {
      parsed = parseId(trimmed);
    } catch (e) {
      if (e instanceof IdSyntaxError) throw new LocateError(ref, e.message);
      throw e;
    }
    const instrument = index.instruments.get(idInstrument) as Instrument;
    if (parsed.path.length === 0) return { instrument, provision: undefined };
    // an exact id first: editors may pin ids ({#art9}) that differ from the numbering
    const exact = index.provisions.get(`${idInstrument}${trimmed.slice(firstPart.length)}`);
    const provision = exact ?? findByAddress(index, idInstrument, parsed.path);
    if (!provision) throw new LocateError(ref, `no provision ${trimmed} in ${instrument.meta.title} (${instrument.id})`);
    return { instrument, provision };
  }
  const known = Object.entries(KNOWN_ALIASES).flatMap(([id, names]) => names.map((n) => [n, id] as const));
  const readings = readCitation(trimmed, [...index.names.keys(), ...known.map(([n]) => n)]);
  if (readings.length === 0) {
    throw new LocateError(ref, `"${ref}" is neither a provision id (such as etco/art4/para1) nor a citation (such as 輸出令第四条第一項)`);
  }
  for (const r of readings) {
    const id = r.instrument !== undefined ? resolveInstrument(index, r.instrument) : undefined;
    if (id === undefined) {
      const absent = known.find(([n]) => n === r.instrument);
      if (absent) throw new LocateError(ref, `${absent[0]} (${absent[1]}) is not in the corpus at this revision`);
      continue;
    }
    const provision = findByAddress(index, id, r.path);
    if (provision) return { instrument: index.instruments.get(id) as Instrument, provision };
  }
  if (readings.every((r) => r.instrument === undefined)) {
    throw new LocateError(ref, `"${ref}" does not name an instrument; start with one of ${[...new Set(index.names.keys())].filter((n) => n.length < 8).join(', ')}`);
  }
  throw new LocateError(ref, `no provision matches "${ref}"`);
}
