/**
 * What a publication is made of, read off the graph: for each row of
 * 輸出令別表第一 it covers, the row itself, the ordinance provisions that
 * specify it (`specifies` edges into the row or its row items), and the
 * provisions elsewhere that cite it. A publication's content hash is taken
 * over exactly these provisions, so a change anywhere else never re-issues it.
 */
import { createHash } from 'node:crypto';
import type { CorpusIndex } from '../model/locate.js';
import { provisionOwnText } from '../model/text.js';
import type { Provision } from '../model/types.js';
import type { Graph } from './graph.js';

export interface RowScope {
  /** The row's id: 324CO0000000378/appx1/row7. */
  id: string;
  row: Provision | undefined;
  /** Top-level specifying provisions (articles, or items when only items specify), in document order. */
  specifying: Provision[];
  /** Specifying provision id → the row items (ids) it specifies. */
  specifiesItems: Map<string, string[]>;
  /** Provisions outside the row and its specifications that cite the row or a row item, in document order. */
  citedBy: Provision[];
}

export interface PublicationScope {
  rows: RowScope[];
  /** Every provision the publication shows, in document order: rows and specifications with all descendants, citing provisions on their own. */
  used: Provision[];
}

function within(id: string, container: string): boolean {
  return id === container || id.startsWith(`${container}/`);
}

const ordinals = new WeakMap<CorpusIndex, Map<string, number>>();
/** Position of a provision in reading order (instruments in index order). */
function ordinalOf(index: CorpusIndex): Map<string, number> {
  let m = ordinals.get(index);
  if (!m) {
    m = new Map();
    for (const id of index.provisions.keys()) m.set(id, m.size);
    ordinals.set(index, m);
  }
  return m;
}

function inReadingOrder(index: CorpusIndex, ps: Provision[]): Provision[] {
  const ord = ordinalOf(index);
  return ps.sort((a, b) => (ord.get(a.id) ?? 0) - (ord.get(b.id) ?? 0));
}

/** Drops provisions that lie inside another one of the list. */
function outermost(ps: readonly Provision[]): Provision[] {
  const ids = ps.map((p) => p.id);
  return ps.filter((p) => !ids.some((o) => o !== p.id && within(p.id, o)));
}

function* subtree(p: Provision): Generator<Provision> {
  yield p;
  for (const c of p.children) yield* subtree(c);
}

/**
 * `rows` as address numbers ("7", "3-2") of 別表第一 of `tableId`. With
 * `citedBy`, the provisions citing the rows are part of what the publication
 * shows (Commodity Guidance); without, they are listed but not used.
 */
export function publicationScope(index: CorpusIndex, graph: Graph, tableId: string, rows: readonly string[], opts: { citedBy: boolean }): PublicationScope {
  const out: RowScope[] = [];
  const used = new Map<string, Provision>();
  for (const num of rows) {
    const id = `${tableId}/row${num}`;
    const row = index.provisions.get(id);
    const specifiers = new Map<string, Provision>();
    const specifiesItems = new Map<string, string[]>();
    const citing = new Map<string, Provision>();
    for (const e of graph.edges) {
      if (!within(e.to, id)) continue;
      const from = index.provisions.get(e.from);
      if (!from) continue;
      if (e.type === 'specifies') {
        specifiers.set(from.id, from);
        if (e.to !== id) specifiesItems.set(from.id, [...new Set([...(specifiesItems.get(from.id) ?? []), e.to])]);
      } else if (e.type === 'cites' && !within(e.from, id)) citing.set(from.id, from);
    }
    const specifying = inReadingOrder(index, outermost([...specifiers.values()]));
    const citedBy = inReadingOrder(
      index,
      [...citing.values()].filter((c) => !specifying.some((s) => within(c.id, s.id))),
    );
    out.push({ id, row, specifying, specifiesItems, citedBy });
    if (row) for (const p of subtree(row)) used.set(p.id, p);
    for (const s of specifying) for (const p of subtree(s)) used.set(p.id, p);
    if (opts.citedBy) for (const c of citedBy) used.set(c.id, c);
  }
  return { rows: out, used: inReadingOrder(index, [...used.values()]) };
}

/**
 * The digest of what a publication shows of each provision: its id, label,
 * own text and whether it is 削除 — never positions in the source file, so
 * an edit elsewhere in the file leaves the digest as it was.
 */
export function provisionDigest(p: Provision): string {
  return createHash('sha256').update(`${p.id}\0${p.label}\0${p.deleted ? 1 : 0}\0${provisionOwnText(p)}`).digest('hex');
}
