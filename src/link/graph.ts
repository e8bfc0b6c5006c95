/**
 * The cross-layer graph: typed edges between provisions, from citations.
 *
 * - `cites`: a provision's text cites another provision.
 * - `specifies`: a lower-layer provision fills in a delegation of a higher
 *   one: 「輸出令別表第一の七の項の経済産業省令で定める仕様のものは…」 (貨物等省令
 *   第六条 specifies 輸出令別表第一の七の項), 「法第四十八条第一項に規定する政令で
 *   定める…」 (輸出令第一条 specifies 法第四十八条第一項). Items of a specifying
 *   article specify the row items they open with the same words.
 * - `delegates-to`: the reverse of `specifies`, from the delegating provision.
 *
 * Delegations that nothing in the corpus specifies are reported.
 */
import type { CorpusIndex } from '../model/locate.js';
import { walkProvisions } from '../model/text.js';
import type { Diagnostic, Instrument, Layer, Provision } from '../model/types.js';
import type { Citation } from './extract.js';

export type EdgeType = 'cites' | 'specifies' | 'delegates-to';

export interface Edge {
  type: EdgeType;
  from: string;
  to: string;
  /** The citation text the edge comes from. */
  text?: string;
  /** How an item-level specification was found: by the citation, or by the words the two open with. */
  basis?: 'citation' | 'wording';
}

export interface Graph {
  edges: Edge[];
  /** Provisions that delegate (政令で定める, 経済産業省令で定める …) with nothing in the corpus specifying them. */
  unimplemented: { id: string; phrase: string }[];
}

const DELEGATION = /(政令|経済産業省令|主務省令|省令|内閣府令|財務省令)で定める/;
/** After a citation: 「…の経済産業省令で定める」, 「…に規定する政令で定める」. */
const SPECIFYING = /^(?:[（(][^）)]{0,30}[）)])?(?:の|に規定する|に掲げる|において)(?:政令|経済産業省令|主務省令|省令|内閣府令)で定める/;

const LAYER_BELOW: Record<string, Layer> = {
  政令: 'cabinet-order',
  経済産業省令: 'ministerial-ordinance',
  主務省令: 'ministerial-ordinance',
  省令: 'ministerial-ordinance',
  内閣府令: 'ministerial-ordinance',
  財務省令: 'ministerial-ordinance',
};

function normalise(s: string): string {
  return s.replace(/[\s\u3000、。]/g, '');
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * How well an item of a specifying article opens like a row item: the row
 * item's name (集積回路, 光検出器若しくはその冷却器…) at the start of the item,
 * or its head words near the start. 0 … 1.
 */
function openingScore(item: string, rowItem: string): number {
  const a = normalise(item);
  const b = normalise(rowItem).replace(/[（(][^）)]*[）)]/g, '');
  if (b.length < 2) return 0;
  const p = commonPrefix(a, b);
  const head = b.split(/又は|若しくは|並びに|及び|であって|であつて|の項/)[0] ?? b;
  const near = head.length >= 2 && a.slice(0, 40).includes(head.slice(0, Math.min(head.length, 12))) ? 0.8 : 0;
  return Math.max(Math.min(1, p / Math.min(b.length, 8)), near);
}

/**
 * Items of a specifying article ↔ the row items of the row. Both run in the
 * same order (several items may specify one row item), so they are aligned
 * by a monotone DP over how alike they open, not matched one by one: a
 * common word (アナログ, 集積回路) cannot pull an item out of place.
 */
function itemEdges(article: Provision, row: Provision): Edge[] {
  const rowItems = row.children.filter((p) => p.kind === 'row-item');
  const items = article.children.flatMap((para) => para.children).filter((p) => p.kind === 'item' && !p.deleted);
  if (rowItems.length === 0 || items.length === 0) return [];
  const n = items.length;
  const m = rowItems.length;
  const score = items.map((it) => rowItems.map((ri) => openingScore(it.text, ri.text)));
  // best[i][j]: best total for items i.. with row items j.. still available
  const best: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const s = score[i]?.[j] ?? 0;
      const take = s >= 0.5 ? s + (best[i + 1]?.[j] ?? 0) : -1;
      best[i]![j] = Math.max(take, best[i + 1]?.[j] ?? 0, best[i]?.[j + 1] ?? 0);
    }
  }
  const out: Edge[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const s = score[i]?.[j] ?? 0;
    const here = best[i]?.[j] ?? 0;
    if (s >= 0.5 && Math.abs(here - (s + (best[i + 1]?.[j] ?? 0))) < 1e-9) {
      out.push({ type: 'specifies', from: (items[i] as Provision).id, to: (rowItems[j] as Provision).id, basis: 'wording' });
      i++;
    } else if (here === (best[i + 1]?.[j] ?? 0)) i++;
    else j++;
  }
  return out;
}

export function buildGraph(index: CorpusIndex, citations: readonly Citation[]): Graph {
  const edges: Edge[] = [];
  const specified = new Set<string>();
  const provisionOf = (id: string) => index.provisions.get(id);
  for (const c of citations) {
    if (c.status !== 'resolved') continue;
    const source = provisionOf(c.source);
    for (const t of c.targets) {
      // この条 / 以下この条において同じ: a provision naming itself or what holds it is no link
      if (c.source === t.id || c.source.startsWith(`${t.id}/`)) continue;
      edges.push({ type: 'cites', from: c.source, to: t.id, text: c.text });
    }
    if (!source) continue;
    const after = source.text.slice(c.index + c.text.length, c.index + c.text.length + 60);
    if (!SPECIFYING.test(after)) continue;
    // the provision that specifies is the article (its items follow), for a paragraph 1
    const specifier = source.kind === 'paragraph' && source.address.path.length >= 2 ? (index.parents.get(source.id) ?? source) : source;
    for (const t of c.targets) {
      edges.push({ type: 'specifies', from: specifier.id, to: t.id, text: c.text, basis: 'citation' });
      edges.push({ type: 'delegates-to', from: t.id, to: specifier.id, text: c.text, basis: 'citation' });
      specified.add(t.id);
      const target = provisionOf(t.id);
      if (target?.kind === 'row' && specifier.kind === 'article') edges.push(...itemEdges(specifier, target));
    }
  }
  // delegations nothing specifies, where the layer below is in the corpus
  const layers = new Set([...index.instruments.values()].map((i) => i.meta.layer));
  const unimplemented: Graph['unimplemented'] = [];
  for (const ins of index.instruments.values()) {
    for (const p of walkProvisions(ins.provisions)) {
      if (p.address.path[0]?.kind === 'suppl-provision' || p.deleted) continue;
      const m = DELEGATION.exec(p.text);
      if (!m) continue;
      const below = LAYER_BELOW[m[1] as string];
      if (!below || !layers.has(below)) continue;
      // a delegation in a provision is met when it, or one of its ancestors, is specified
      let q: Provision | undefined = p;
      let met = false;
      while (q && !met) {
        met = specified.has(q.id);
        q = index.parents.get(q.id);
      }
      if (!met) unimplemented.push({ id: p.id, phrase: m[0] });
    }
  }
  edges.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { edges: dedupe(edges), unimplemented };
}

function dedupe(edges: Edge[]): Edge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const k = `${e.type}\0${e.from}\0${e.to}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Delegations to a layer that is in the corpus but that nothing specifies:
 * a warning in a row of an appended table, else information.
 */
export function delegationDiagnostics(index: CorpusIndex, graph: Graph): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const u of graph.unimplemented) {
    const p = index.provisions.get(u.id);
    const ins = index.instruments.get(u.id.split('/')[0] ?? '') as Instrument | undefined;
    if (!p || !ins) continue;
    const at = p.textAt ?? p.range.start;
    const col = p.text.indexOf(u.phrase);
    out.push({
      file: ins.file,
      line: at.line,
      column: at.column + Math.max(col, 0),
      // the rows of an appended table are what the corpus's ordinance implements;
      // elsewhere the implementing order or ordinance is usually not in the corpus
      severity: p.kind === 'row' || p.kind === 'row-item' ? 'warning' : 'info',
      rule: 'unimplemented-delegation',
      message: `「${u.phrase}」: no provision in the corpus specifies ${u.id}`,
    });
  }
  return out;
}

export interface Neighbourhood {
  id: string;
  cites: Edge[];
  citedBy: Edge[];
  specifies: Edge[];
  specifiedBy: Edge[];
}

/** Edges at one provision, in both directions; a row's specifications include its row items'. */
export function linksOf(graph: Graph, id: string): Neighbourhood {
  const here = (x: string) => x === id || x.startsWith(`${id}/`);
  return {
    id,
    cites: graph.edges.filter((e) => e.type === 'cites' && here(e.from)),
    citedBy: graph.edges.filter((e) => e.type === 'cites' && here(e.to)),
    specifies: graph.edges.filter((e) => e.type === 'specifies' && here(e.from)),
    specifiedBy: graph.edges.filter((e) => e.type === 'specifies' && here(e.to)),
  };
}
