/**
 * Explicit citations: Markdown links an editor writes in provision text,
 * `[輸出令第四条](324CO0000000378#art4)`. The target is an instrument (id or
 * name), `#`, and a provision id path (or a whole id); `#art4` alone is in
 * the same instrument. An explicit citation takes the place of whatever the
 * grammar reads in the same words.
 */
import { locate, LocateError, type CorpusIndex } from '../model/locate.js';
import { walkProvisions } from '../model/text.js';
import type { Instrument, Provision } from '../model/types.js';
import type { Citation } from './extract.js';

/**
 * Where an explicit link points: `<instrument id or name>#<provision path>`,
 * or `#<path>` in `instrument` when one is given.
 */
export function resolveHref(index: CorpusIndex, instrument: Instrument | undefined, href: string): { status: Citation['status']; targets: Citation['targets']; reason?: string; external?: string } {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return { status: 'external', targets: [], external: href };
  const hash = href.indexOf('#');
  const ins = hash > 0 ? href.slice(0, hash) : instrument?.id;
  if (ins === undefined) return { status: 'unresolved', targets: [], reason: `${href} names no instrument: write <instrument>#<provision>` };
  const frag = hash >= 0 ? href.slice(hash + 1) : href;
  const insId = index.instruments.has(ins) ? ins : index.names.get(ins);
  if (insId === undefined) return { status: 'unresolved', targets: [], reason: `no instrument ${ins} in the corpus` };
  const ref = frag.startsWith(`${insId}/`) ? frag : frag === '' ? insId : `${insId}/${frag}`;
  try {
    const { provision } = locate(index, ref);
    if (!provision) return { status: 'unresolved', targets: [], reason: `${href} names an instrument, not a provision` };
    return { status: 'resolved', targets: [{ id: provision.id, address: provision.address }] };
  } catch (e) {
    if (e instanceof LocateError) return { status: 'unresolved', targets: [], reason: e.message };
    throw e;
  }
}

function linkCitations(index: CorpusIndex, instrument: Instrument, p: Provision): Citation[] {
  return (p.links ?? []).map((l) => {
    const at = l.range.start;
    return { source: p.id, text: l.text, index: l.index, line: at.line, column: at.column, ...resolveHref(index, instrument, l.href) };
  });
}

/** The grammar's citations of an instrument with its explicit links put in, overlapping ones replaced. */
export function mergeExplicit(index: CorpusIndex, instrument: Instrument, grammar: readonly Citation[]): Citation[] {
  const explicit: Citation[] = [];
  for (const p of walkProvisions(instrument.provisions)) explicit.push(...linkCitations(index, instrument, p));
  if (explicit.length === 0) return [...grammar];
  const overlaps = (a: Citation, b: Citation) => a.source === b.source && a.index < b.index + b.text.length && b.index < a.index + a.text.length;
  const kept = grammar.filter((g) => !explicit.some((e) => overlaps(e, g)));
  return [...kept, ...explicit].sort((a, b) => (a.source === b.source ? a.index - b.index : 0));
}
