/**
 * Pictures of the cross-layer graph: first the data of a view (which nodes,
 * in which layer, which edges with how many links), then the view as
 * Graphviz DOT, JSON or an SVG laid out here.
 *
 * Two views:
 * - the layer graph: one node per instrument, in bands from the Act down to
 *   the ordinance, with the provision-level links between two instruments
 *   counted by type;
 * - a neighbourhood: the provisions within some links of one provision.
 *
 * A `delegates-to` edge is the reverse of a `specifies` edge, so views show
 * it as that `specifies` edge: drawing both would show every delegation
 * twice.
 *
 * The SVG needs no layout engine: bands are layers, nodes are placed in rows
 * inside their band, edges are curves between the boxes. The same view gives
 * the same bytes.
 */
import type { Graph } from '../link/graph.js';
import { citeProvision, shortName, type CorpusIndex } from '../model/locate.js';
import { walkProvisions } from '../model/text.js';
import { isStructural, LAYERS, type Layer, type Provision } from '../model/types.js';
import { escapeHtml } from './diff-text.js';

export type ViewEdgeType = 'cites' | 'specifies';

export interface EdgeCounts {
  cites: number;
  specifies: number;
}

export interface ViewNode {
  /** An instrument id (layer graph) or a provision id (neighbourhood). */
  id: string;
  /** 輸出令, 貨物等省令第六条. */
  label: string;
  /** The e-Gov id, or the provision id. */
  sublabel: string;
  /** Further short lines: provision counts, the opening words of the text. */
  details: string[];
  /** The instrument title, or the provision's text: for a tooltip. */
  title: string;
  instrument: string;
  layer: Layer;
  /** Layer graph: how many provisions the instrument has. */
  provisions?: number;
  /** Layer graph: links that stay inside the instrument. */
  internal?: EdgeCounts;
  /** Neighbourhood: how many links from the provision asked about. */
  distance?: number;
  focus?: boolean;
}

export interface ViewEdge {
  from: string;
  to: string;
  /** Provision-level links from `from` to `to`, by type. */
  counts: EdgeCounts;
}

export interface ViewLayer {
  layer: Layer;
  nodes: ViewNode[];
}

export interface GraphView {
  kind: 'layers' | 'neighbourhood';
  title: string;
  /** What the picture was drawn from: a commit, the work tree, a date. */
  revision?: string;
  /** Only the layers that have nodes, top to bottom. */
  layers: ViewLayer[];
  edges: ViewEdge[];
}

const LAYER_NAMES: Record<Layer, { ja: string; en: string }> = {
  law: { ja: '法律', en: 'Act' },
  'cabinet-order': { ja: '政令', en: 'Cabinet order' },
  'ministerial-ordinance': { ja: '省令', en: 'Ministerial ordinance' },
  notice: { ja: '告示', en: 'Notice' },
  guidance: { ja: '通達', en: 'Guidance' },
};

interface PlainEdge {
  type: ViewEdgeType;
  from: string;
  to: string;
}

/** Provision-level edges with `delegates-to` turned into the `specifies` it mirrors, once each. */
function plainEdges(graph: Graph): PlainEdge[] {
  const seen = new Set<string>();
  const out: PlainEdge[] = [];
  for (const e of graph.edges) {
    const p: PlainEdge = e.type === 'delegates-to' ? { type: 'specifies', from: e.to, to: e.from } : { type: e.type, from: e.from, to: e.to };
    if (p.from === p.to) continue;
    const k = `${p.type}\0${p.from}\0${p.to}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

function instrumentOf(id: string): string {
  return id.split('/')[0] ?? id;
}

function countAll(list: readonly Provision[]): number {
  let n = 0;
  for (const _ of walkProvisions(list)) n++;
  return n;
}

/** 1234 → 1,234, the same on every machine (toLocaleString depends on the locale). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${thousands(n)} ${n === 1 ? one : many}`;
}

function groupByLayer(nodes: readonly ViewNode[]): ViewLayer[] {
  return LAYERS.map((layer) => ({ layer, nodes: nodes.filter((n) => n.layer === layer) })).filter((l) => l.nodes.length > 0);
}

function aggregate(edges: readonly PlainEdge[], endpoint: (id: string) => string | undefined, order: ReadonlyMap<string, number>): ViewEdge[] {
  const byPair = new Map<string, ViewEdge>();
  for (const e of edges) {
    const from = endpoint(e.from);
    const to = endpoint(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    const k = `${from}\0${to}`;
    let v = byPair.get(k);
    if (!v) byPair.set(k, (v = { from, to, counts: { cites: 0, specifies: 0 } }));
    v.counts[e.type]++;
  }
  const rank = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  return [...byPair.values()].sort((a, b) => rank(a.from) - rank(b.from) || rank(a.to) - rank(b.to));
}

/** The instruments by layer and the links between them, counted by type. */
export function layerGraphView(index: CorpusIndex, graph: Graph): GraphView {
  const edges = plainEdges(graph);
  const internal = new Map<string, EdgeCounts>();
  for (const e of edges) {
    const ins = instrumentOf(e.from);
    if (ins !== instrumentOf(e.to)) continue;
    let c = internal.get(ins);
    if (!c) internal.set(ins, (c = { cites: 0, specifies: 0 }));
    c[e.type]++;
  }
  const nodes: ViewNode[] = [];
  for (const ins of index.instruments.values()) {
    const provisions = countAll(ins.provisions);
    const inside = internal.get(ins.id) ?? { cites: 0, specifies: 0 };
    nodes.push({
      id: ins.id,
      label: shortName(ins),
      sublabel: ins.id,
      details: [plural(provisions, 'provision'), `${plural(inside.cites, 'citation')} within`],
      title: ins.meta.title,
      instrument: ins.id,
      layer: ins.meta.layer,
      provisions,
      internal: inside,
    });
  }
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  return {
    kind: 'layers',
    title: 'Instruments by layer and the links between them',
    layers: groupByLayer(nodes),
    edges: aggregate(edges, (id) => (index.instruments.has(instrumentOf(id)) ? instrumentOf(id) : undefined), order),
  };
}

/** Characters of a provision's text on its node, and in its tooltip. */
const OPENING_LENGTH = 24;
const TITLE_LENGTH = 200;

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** The opening words of a provision, for a node's last line. */
function opening(p: Provision): string {
  if (p.kind === 'article' && p.caption) return `（${p.caption}）`;
  if (isStructural(p)) return p.title;
  if (p.deleted) return '削除';
  return p.text.replace(/\s+/g, ' ').trim();
}

/**
 * The provisions within `depth` links of one provision, in both directions
 * and over every edge type, with all the links among them. Links of the
 * provision's sub-provisions are theirs, not its own: a row's items are
 * provisions of their own, reached with `--around` on them.
 */
export function neighbourhoodView(index: CorpusIndex, graph: Graph, id: string, depth = 1): GraphView {
  const edges = plainEdges(graph);
  const adjacent = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = adjacent.get(a);
    if (list) list.push(b);
    else adjacent.set(a, [b]);
  };
  for (const e of edges) {
    link(e.from, e.to);
    link(e.to, e.from);
  }
  const distance = new Map<string, number>([[id, 0]]);
  let frontier = [id];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const x of frontier) {
      for (const y of adjacent.get(x) ?? []) {
        if (distance.has(y)) continue;
        distance.set(y, d);
        next.push(y);
      }
    }
    frontier = next;
  }
  // document order: the order of the corpus index, instrument by instrument
  const order = new Map<string, number>();
  for (const key of index.provisions.keys()) if (distance.has(key)) order.set(key, order.size);
  const ids = [...distance.keys()].filter((x) => index.instruments.has(instrumentOf(x)));
  ids.sort((a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER) || (a < b ? -1 : a > b ? 1 : 0));
  const nodes: ViewNode[] = ids.map((pid) => {
    const ins = index.instruments.get(instrumentOf(pid));
    const p = index.provisions.get(pid);
    const name = ins ? shortName(ins) : instrumentOf(pid);
    const text = p ? opening(p) : '';
    return {
      id: pid,
      label: p ? `${name}${citeProvision(index, p)}` : pid,
      sublabel: pid,
      details: text ? [clip(text, OPENING_LENGTH)] : [],
      title: clip(text, TITLE_LENGTH),
      instrument: instrumentOf(pid),
      layer: ins?.meta.layer ?? 'law',
      distance: distance.get(pid) ?? 0,
      ...(pid === id ? { focus: true } : {}),
    };
  });
  const focus = nodes.find((n) => n.focus);
  const rank = new Map(ids.map((x, i) => [x, i]));
  return {
    kind: 'neighbourhood',
    title: `${focus?.label ?? id} and the provisions within ${plural(depth, 'link')} of it`,
    layers: groupByLayer(nodes),
    edges: aggregate(edges, (x) => (rank.has(x) ? x : undefined), rank),
  };
}

export function toJson(view: GraphView): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}

/* ---------------------------------------------------------------- DOT */

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

const COLOURS = {
  cites: '#8a929c',
  citesText: '#4d5663',
  specifies: '#d9480f',
  ink: '#1f2933',
  muted: '#5f6b7a',
  band: ['#f5f7fa', '#eceff4'],
  gutter: ['#e8ecf2', '#dfe4ec'],
  focusFill: '#fff4e0',
  focusStroke: '#e8590c',
};

/** Accents that tell instruments apart, by order of appearance; none is the orange of `specifies`. */
const PALETTE = ['#3b5bdb', '#0c8599', '#7048e8', '#2b8a3e', '#c2255c', '#5c7080', '#1098ad', '#862e9c'];

function edgeLabel(type: ViewEdgeType, count: number, aggregated: boolean): string {
  return aggregated || count > 1 ? `${type} ${thousands(count)}` : type;
}

export function toDot(view: GraphView): string {
  const font = 'Noto Sans CJK JP';
  const out: string[] = [
    'digraph regpress {',
    `  graph [rankdir=TB, newrank=true, nodesep=0.4, ranksep=0.9, fontname=${dotString(font)}, labelloc=t, fontsize=16, label=${dotString(view.revision ? `${view.title}\n${view.revision}` : view.title)}];`,
    `  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#5c7080", fontname=${dotString(font)}, fontsize=11];`,
    `  edge [fontname=${dotString(font)}, fontsize=9];`,
  ];
  view.layers.forEach((l, i) => {
    const names = LAYER_NAMES[l.layer];
    out.push(`  subgraph ${dotString(`cluster_${l.layer}`)} {`);
    out.push(`    label=${dotString(`${names.ja} ${names.en}`)}; labeljust=l; style=filled; color=${dotString(COLOURS.band[i % 2] ?? '#ffffff')}; fillcolor=${dotString(COLOURS.band[i % 2] ?? '#ffffff')};`);
    out.push('    { rank=same;');
    for (const n of l.nodes) {
      const attrs = [`label=${dotString([n.label, n.sublabel, ...n.details].join('\n'))}`, `tooltip=${dotString(n.title)}`];
      if (n.focus) attrs.push(`fillcolor=${dotString(COLOURS.focusFill)}`, `color=${dotString(COLOURS.focusStroke)}`, 'penwidth=2');
      out.push(`      ${dotString(n.id)} [${attrs.join(', ')}];`);
    }
    out.push('    }', '  }');
  });
  // an invisible chain keeps the layers in order where no edge joins them
  for (let i = 0; i + 1 < view.layers.length; i++) {
    const a = view.layers[i]?.nodes[0];
    const b = view.layers[i + 1]?.nodes[0];
    if (a && b) out.push(`  ${dotString(a.id)} -> ${dotString(b.id)} [style=invis, weight=100];`);
  }
  const aggregated = view.kind === 'layers';
  const layerOf = new Map(view.layers.flatMap((l, i) => l.nodes.map((n) => [n.id, i] as const)));
  for (const e of view.edges) {
    const a = layerOf.get(e.from) ?? 0;
    const b = layerOf.get(e.to) ?? 0;
    // an edge up the layers is written downwards and drawn back, so that it helps dot rank rather than fights it
    const head = a > b ? `${dotString(e.to)} -> ${dotString(e.from)} [dir=back, ` : `${dotString(e.from)} -> ${dotString(e.to)} [${a === b ? 'constraint=false, ' : ''}`;
    for (const type of ['specifies', 'cites'] as const) {
      const count = e.counts[type];
      if (count === 0) continue;
      out.push(`  ${head}label=${dotString(edgeLabel(type, count, aggregated))}, color=${dotString(COLOURS[type])}, fontcolor=${dotString(type === 'cites' ? COLOURS.citesText : COLOURS[type])}, penwidth=${num(strokeWidth(type, count, aggregated))}];`);
    }
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/* ---------------------------------------------------------------- SVG */

/** Characters XML 1.0 cannot carry at all, even escaped. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function xml(s: string): string {
  return escapeHtml(s.replace(NOT_XML, '\ufffd'));
}

/** A coordinate: one decimal at most, so that output is short and the same everywhere. */
function num(x: number): string {
  const r = Math.round(x * 10) / 10;
  return String(r === 0 ? 0 : r);
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x20000
  );
}

/**
 * The width text will take, without a font at hand: full-width characters
 * are one em; Latin is estimated generously so that boxes never clip.
 */
function textWidth(s: string, size: number, mono = false): number {
  let w = 0;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (isWide(code)) w += size;
    else if (mono) w += size * 0.61;
    else if (/[A-Z0-9mw@%&]/.test(ch)) w += size * 0.66;
    else if (/[iljtf.,:;'|!()[\]\s]/.test(ch)) w += size * 0.32;
    else w += size * 0.55;
  }
  return w;
}

/** Cuts text to a width, with an ellipsis when something was cut. */
function fit(s: string, size: number, width: number): string {
  if (textWidth(s, size) <= width) return s;
  let out = '';
  for (const ch of s) {
    if (textWidth(`${out}${ch}…`, size) > width) break;
    out += ch;
  }
  return `${out}…`;
}

function strokeWidth(type: ViewEdgeType, count: number, aggregated: boolean): number {
  const grow = aggregated ? Math.log10(Math.max(count, 1)) : 0;
  return type === 'specifies' ? 2.4 + grow * 1.1 : 1.2 + grow * 0.55;
}

interface Metrics {
  label: number;
  sub: number;
  detail: number;
  padX: number;
  padY: number;
  minWidth: number;
  maxDetail: number;
  gapX: number;
  rowGap: number;
  bandPad: number;
  maxRow: number;
}

const METRICS: Record<GraphView['kind'], Metrics> = {
  layers: { label: 22, sub: 12, detail: 13, padX: 20, padY: 14, minWidth: 210, maxDetail: 260, gapX: 190, rowGap: 70, bandPad: 62, maxRow: 1160 },
  neighbourhood: { label: 15, sub: 10.5, detail: 12, padX: 14, padY: 10, minWidth: 150, maxDetail: 230, gapX: 46, rowGap: 64, bandPad: 56, maxRow: 1160 },
};

const GUTTER = 176;
const MARGIN = 28;
const HEADER = 112;
const FOOTER = 24;
const LINE = { label: 1.3, sub: 1.55, detail: 1.5 };

interface Box {
  node: ViewNode;
  x: number;
  y: number;
  w: number;
  h: number;
  band: number;
  /** Rows are numbered through the whole picture, top to bottom. */
  row: number;
  /** Position in its row, left to right. */
  col: number;
  accent: string;
  details: string[];
}

/**
 * Orders the nodes of each band to cut crossings: a few sweeps placing each
 * node at the mean position of its neighbours (the barycenter heuristic),
 * keeping each instrument's nodes together. Ties keep the view's order.
 */
function orderBands(view: GraphView): ViewNode[][] {
  const bands = view.layers.map((l) => [...l.nodes]);
  const neighbours = new Map<string, string[]>();
  for (const e of view.edges) {
    neighbours.set(e.from, [...(neighbours.get(e.from) ?? []), e.to]);
    neighbours.set(e.to, [...(neighbours.get(e.to) ?? []), e.from]);
  }
  const initial = new Map(bands.flatMap((b) => b.map((n, i) => [n.id, i] as const)));
  const position = () => {
    const m = new Map<string, { band: number; at: number }>();
    bands.forEach((b, bi) => b.forEach((n, i) => m.set(n.id, { band: bi, at: (i + 0.5) / b.length })));
    return m;
  };
  for (let sweep = 0; sweep < 6; sweep++) {
    const pos = position();
    bands.forEach((band, bi) => {
      const centre = new Map<string, number>();
      for (const n of band) {
        const own = pos.get(n.id)?.at ?? 0.5;
        const others = (neighbours.get(n.id) ?? []).map((x) => pos.get(x)).filter((p): p is { band: number; at: number } => p !== undefined && p.band !== bi);
        centre.set(n.id, others.length ? others.reduce((s, p) => s + p.at, 0) / others.length : own);
      }
      const groupCentre = new Map<string, number>();
      for (const ins of new Set(band.map((n) => n.instrument))) {
        const members = band.filter((n) => n.instrument === ins);
        groupCentre.set(ins, members.reduce((s, n) => s + (centre.get(n.id) ?? 0), 0) / members.length);
      }
      band.sort(
        (a, b) =>
          (groupCentre.get(a.instrument) ?? 0) - (groupCentre.get(b.instrument) ?? 0) ||
          (a.instrument < b.instrument ? -1 : a.instrument > b.instrument ? 1 : 0) ||
          (centre.get(a.id) ?? 0) - (centre.get(b.id) ?? 0) ||
          (initial.get(a.id) ?? 0) - (initial.get(b.id) ?? 0),
      );
    });
  }
  return bands;
}

interface Layout {
  boxes: Map<string, Box>;
  bands: { y: number; h: number; layer: Layer; count: number }[];
  width: number;
  height: number;
}

interface Sized {
  node: ViewNode;
  w: number;
  details: string[];
}

function wrap(items: readonly Sized[], m: Metrics): Sized[][] {
  const out: Sized[][] = [];
  let row: Sized[] = [];
  let width = 0;
  for (const s of items) {
    if (row.length && width + m.gapX + s.w > m.maxRow) {
      out.push(row);
      row = [];
      width = 0;
    }
    width += row.length ? m.gapX + s.w : s.w;
    row.push(s);
  }
  if (row.length) out.push(row);
  return out;
}

/**
 * Rows of a band. The provision a neighbourhood is drawn around gets a row
 * of its own in the middle, with the rest of its layer on the side that
 * has fewer of its links to other layers: its links then fan out without
 * running along a row.
 */
function bandRows(band: readonly Sized[], bi: number, view: GraphView, bandOf: ReadonlyMap<string, number>, m: Metrics): Sized[][] {
  const focus = band.find((s) => s.node.focus);
  if (!focus) return wrap(band, m);
  const rest = wrap(
    band.filter((s) => s !== focus),
    m,
  );
  let above = 0;
  let below = 0;
  for (const e of view.edges) {
    const other = e.from === focus.node.id ? e.to : e.to === focus.node.id ? e.from : undefined;
    const ob = other === undefined ? undefined : bandOf.get(other);
    if (ob === undefined || ob === bi) continue;
    if (ob < bi) above++;
    else below++;
  }
  return above > below ? [[focus], ...rest] : [...rest, [focus]];
}

function layout(view: GraphView, m: Metrics, minWidth: number): Layout {
  const accents = new Map<string, string>();
  for (const l of view.layers) for (const n of l.nodes) if (!accents.has(n.instrument)) accents.set(n.instrument, PALETTE[accents.size % PALETTE.length] ?? '#5c7080');
  const ordered = orderBands(view);
  const bandOf = new Map(ordered.flatMap((b, bi) => b.map((n) => [n.id, bi] as const)));
  const detailLines = Math.max(0, ...view.layers.flatMap((l) => l.nodes.map((n) => n.details.length)));
  const h = m.padY * 2 + m.label * LINE.label + m.sub * LINE.sub + detailLines * m.detail * LINE.detail;
  const rows = ordered.map((band, bi) =>
    bandRows(
      band.map((node) => {
        const details = node.details.map((d) => fit(d, m.detail, m.maxDetail));
        const w = Math.max(m.minWidth, textWidth(node.label, m.label) * 1.04, textWidth(node.sublabel, m.sub, true), ...details.map((d) => textWidth(d, m.detail))) + m.padX * 2;
        return { node, w, details };
      }),
      bi,
      view,
      bandOf,
      m,
    ),
  );
  const rowWidth = (row: { w: number }[]) => row.reduce((s, x) => s + x.w, 0) + m.gapX * Math.max(0, row.length - 1);
  const content = Math.max(640, minWidth - GUTTER - MARGIN * 2, ...rows.flatMap((band) => band.map(rowWidth)));
  const width = GUTTER + MARGIN * 2 + content;
  const boxes = new Map<string, Box>();
  const bands: Layout['bands'] = [];
  let y = HEADER;
  let rowNumber = 0;
  rows.forEach((list, bi) => {
    const bandH = m.bandPad * 2 + list.length * h + (list.length - 1) * m.rowGap;
    list.forEach((row, ri) => {
      let x = GUTTER + MARGIN + (content - rowWidth(row)) / 2;
      const top = y + m.bandPad + ri * (h + m.rowGap);
      row.forEach((s, col) => {
        boxes.set(s.node.id, { node: s.node, x, y: top, w: s.w, h, band: bi, row: rowNumber, col, accent: accents.get(s.node.instrument) ?? '#5c7080', details: s.details });
        x += s.w + m.gapX;
      });
      rowNumber++;
    });
    const layer = view.layers[bi]?.layer ?? 'law';
    bands.push({ y, h: bandH, layer, count: list.reduce((s, r) => s + r.length, 0) });
    y += bandH;
  });
  return { boxes, bands, width, height: Math.max(y, HEADER + 60) + FOOTER };
}

type Side = 'top' | 'bottom' | 'left' | 'right';

interface Stroke {
  type: ViewEdgeType;
  count: number;
  from: Box;
  to: Box;
  fromSide: Side;
  toSide: Side;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  key: string;
  /** Rows the stroke passes on its way, through a gap between boxes: x, and the y where it enters and leaves. */
  via: { x: number; enter: number; leave: number }[];
}

/** Which sides of the two boxes a stroke leaves and enters by. */
function sides(from: Box, to: Box): [Side, Side] {
  if (from.row === to.row) {
    // neighbours in a row: straight across the gap; others: an arch over the row
    if (Math.abs(from.col - to.col) === 1) return from.col < to.col ? ['right', 'left'] : ['left', 'right'];
    return ['top', 'top'];
  }
  return from.row < to.row ? ['bottom', 'top'] : ['top', 'bottom'];
}

/**
 * One stroke per edge and type, each with its own attachment point: points
 * on a side are spread in the order of where their other ends are, so that
 * strokes leaving one box do not cross each other there.
 */
function strokes(view: GraphView, boxes: ReadonlyMap<string, Box>): Stroke[] {
  const out: Stroke[] = [];
  for (const e of view.edges) {
    const from = boxes.get(e.from);
    const to = boxes.get(e.to);
    if (!from || !to) continue;
    for (const type of ['cites', 'specifies'] as const) {
      const count = e.counts[type];
      if (count === 0) continue;
      const [fromSide, toSide] = sides(from, to);
      out.push({ type, count, from, to, fromSide, toSide, x1: 0, y1: 0, x2: 0, y2: 0, key: `${e.from}\0${e.to}\0${type}`, via: [] });
    }
  }
  const ports = new Map<string, { box: Box; side: Side; list: { stroke: Stroke; end: 'from' | 'to'; toward: number }[] }>();
  for (const s of out) {
    for (const end of ['from', 'to'] as const) {
      const box = end === 'from' ? s.from : s.to;
      const other = end === 'from' ? s.to : s.from;
      const side = end === 'from' ? s.fromSide : s.toSide;
      const k = `${box.node.id}\0${side}`;
      const entry = ports.get(k) ?? { box, side, list: [] };
      entry.list.push({ stroke: s, end, toward: other.x + other.w / 2 });
      ports.set(k, entry);
    }
  }
  for (const { box, side, list } of ports.values()) {
    const across = side === 'left' || side === 'right';
    // across a gap both ends sort alike (by key), so parallel strokes stay parallel
    list.sort((a, b) => (across ? 0 : a.toward - b.toward) || (a.stroke.key < b.stroke.key ? -1 : a.stroke.key > b.stroke.key ? 1 : 0) || (a.end < b.end ? -1 : 1));
    const room = across ? box.h * 0.6 : box.w * 0.8;
    const spacing = Math.min(across ? 12 : 18, room / Math.max(1, list.length - 1));
    list.forEach((p, i) => {
      const offset = (i - (list.length - 1) / 2) * spacing;
      const x = side === 'left' ? box.x : side === 'right' ? box.x + box.w : box.x + box.w / 2 + offset;
      const y = side === 'top' ? box.y : side === 'bottom' ? box.y + box.h : box.y + box.h / 2 + offset;
      if (p.end === 'from') {
        p.stroke.x1 = x;
        p.stroke.y1 = y;
      } else {
        p.stroke.x2 = x;
        p.stroke.y2 = y;
      }
    });
  }
  route(out, boxes);
  return out;
}

/**
 * Strokes that pass rows on their way go through the gaps between the
 * boxes of those rows, not behind a box: at each row, the gap nearest to
 * where a straight line would cross it. Strokes sharing a gap are spread
 * across it.
 */
function route(list: Stroke[], boxes: ReadonlyMap<string, Box>): void {
  const rows = new Map<number, Box[]>();
  for (const b of boxes.values()) rows.set(b.row, [...(rows.get(b.row) ?? []), b]);
  for (const r of rows.values()) r.sort((a, b) => a.col - b.col);
  const gaps = new Map<string, { x: number; half: number; enter: number; leave: number; through: { stroke: Stroke; down: boolean }[] }>();
  const passes: { stroke: Stroke; gap: string }[] = [];
  for (const s of list) {
    if (Math.abs(s.from.row - s.to.row) < 2) continue;
    const down = s.from.row < s.to.row;
    const step = down ? 1 : -1;
    for (let r = s.from.row + step; r !== s.to.row; r += step) {
      const row = rows.get(r);
      const first = row?.[0];
      if (!row || !first) continue;
      const y = first.y + first.h / 2;
      const along = s.x1 + ((s.x2 - s.x1) * (y - s.y1)) / (s.y2 - s.y1 || 1);
      // candidate gaps: before the first box, between boxes, after the last
      let best: { x: number; half: number; at: number } | undefined;
      row.forEach((b, i) => {
        const next = row[i + 1];
        const candidates = [...(i === 0 ? [{ x: b.x - 26, half: 18, at: -1 }] : []), next ? { x: (b.x + b.w + next.x) / 2, half: (next.x - b.x - b.w) / 2 - 6, at: i } : { x: b.x + b.w + 26, half: 18, at: i + 1 }];
        for (const g of candidates) if (!best || Math.abs(g.x - along) < Math.abs(best.x - along)) best = g;
      });
      if (!best) continue;
      const k = `${r}\0${best.at}`;
      const gap = gaps.get(k) ?? { x: best.x, half: best.half, enter: first.y - 8, leave: first.y + first.h + 8, through: [] };
      gap.through.push({ stroke: s, down });
      gaps.set(k, gap);
      passes.push({ stroke: s, gap: k });
    }
  }
  // spread the strokes of a gap in the order of where they arrive, so that they do not cross in it
  const at = new Map<string, number>();
  for (const [k, g] of gaps) {
    g.through.sort((a, b) => a.stroke.x2 - b.stroke.x2 || a.stroke.x1 - b.stroke.x1 || (a.stroke.key < b.stroke.key ? -1 : 1));
    const spacing = Math.min(7, (2 * Math.max(g.half, 0)) / Math.max(1, g.through.length - 1));
    g.through.forEach((t, i) => at.set(`${k}\0${t.stroke.key}`, g.x + (i - (g.through.length - 1) / 2) * spacing));
  }
  for (const { stroke, gap } of passes) {
    const g = gaps.get(gap);
    if (!g) continue;
    const down = stroke.from.row < stroke.to.row;
    stroke.via.push({ x: at.get(`${gap}\0${stroke.key}`) ?? g.x, enter: down ? g.enter : g.leave, leave: down ? g.leave : g.enter });
  }
}

interface Curve {
  d: string;
  /** Where the label goes: the middle of the curve. */
  mid: { x: number; y: number };
}

/** How long an arrowhead is: the stroke stops short of the box by this, and the head fills the rest. */
function arrowLength(type: ViewEdgeType): number {
  return type === 'specifies' ? 13 : 9;
}

function curve(s: Stroke, m: Metrics): Curve {
  const { x1, y1 } = s;
  const a = arrowLength(s.type);
  // the stroke ends where the arrowhead starts
  const x2 = s.toSide === 'left' ? s.x2 - a : s.toSide === 'right' ? s.x2 + a : s.x2;
  const y2 = s.toSide === 'top' ? s.y2 - a : s.toSide === 'bottom' ? s.y2 + a : s.y2;
  const p = (x: number, y: number) => `${num(x)},${num(y)}`;
  if (s.fromSide === 'left' || s.fromSide === 'right') {
    return { d: `M${p(x1, y1)} L${p(x2, y2)}`, mid: { x: (x1 + s.x2) / 2, y: (y1 + y2) / 2 } };
  }
  if (s.fromSide === 'top' && s.toSide === 'top') {
    // an arch over the row, higher the further it goes
    const lift = Math.min(m.bandPad - 10, 18 + Math.abs(x2 - x1) * 0.1) / 0.75;
    const cy = Math.min(y1, y2) - lift;
    return { d: `M${p(x1, y1)} C${p(x1, cy)} ${p(x2, cy)} ${p(x2, y2)}`, mid: { x: (x1 + x2) / 2, y: 0.125 * y1 + 0.75 * cy + 0.125 * y2 } };
  }
  // vertical at both ends of every bend: down (or up) out of a box, through each gap, into the next box
  const points = [{ x: x1, y: y1 }, ...s.via.flatMap((v) => [{ x: v.x, y: v.enter }, { x: v.x, y: v.leave }]), { x: x2, y: y2 }];
  const parts: string[] = [`M${p(x1, y1)}`];
  const bends: { x: number; y: number }[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as { x: number; y: number };
    const b = points[i + 1] as { x: number; y: number };
    if (i % 2 === 1) {
      parts.push(`L${p(b.x, b.y)}`);
      continue;
    }
    const dy = b.y - a.y;
    parts.push(`C${p(a.x, a.y + dy * 0.5)} ${p(b.x, b.y - dy * 0.5)} ${p(b.x, b.y)}`);
    bends.push({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  }
  return { d: parts.join(' '), mid: bends[Math.floor(bends.length / 2)] ?? { x: (x1 + x2) / 2, y: (y1 + y2) / 2 } };
}

interface Label {
  text: string;
  type: ViewEdgeType;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Pushes labels that would overlap apart sideways, left to right. */
function separate(labels: Label[]): void {
  labels.sort((a, b) => a.y - b.y || a.x - b.x || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const placed: Label[] = [];
  for (const l of labels) {
    for (let guard = 0; guard < 50; guard++) {
      const hit = placed.find((p) => Math.abs(p.y - l.y) < (p.h + l.h) / 2 + 2 && Math.abs(p.x - l.x) < (p.w + l.w) / 2 + 4);
      if (!hit) break;
      l.x = hit.x + (hit.w + l.w) / 2 + 4;
    }
    placed.push(l);
  }
}

const FONT_SANS = "'Noto Sans CJK JP', 'Noto Sans JP', 'Source Han Sans JP', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', 'Yu Gothic', 'YuGothic', Meiryo, 'IPAexGothic', 'Droid Sans Fallback', sans-serif";
const FONT_MONO = "'DejaVu Sans Mono', 'Menlo', 'Consolas', 'Noto Sans Mono CJK JP', monospace";

const LEGEND = {
  specifies: 'specifies: fills in a delegation of the layer above (…で定める)',
  cites: 'cites: names the provision in its text',
  layers: 'numbers: links between provisions',
  neighbourhood: 'the provision asked about',
};
const LEGEND_SIZE = 13;

function legendWidth(view: GraphView): number {
  return 44 + textWidth(LEGEND.specifies, LEGEND_SIZE) + 28 + 44 + textWidth(LEGEND.cites, LEGEND_SIZE) + 28 + (view.kind === 'layers' ? textWidth(LEGEND.layers, LEGEND_SIZE) : 30 + textWidth(LEGEND.neighbourhood, LEGEND_SIZE));
}

function marker(type: ViewEdgeType): string {
  const a = arrowLength(type);
  // the head's base sits on the end of the stroke, its tip on the box
  return `<marker id="arrow-${type}" viewBox="0 0 10 10" refX="0.5" refY="5" markerWidth="${a}" markerHeight="${a}" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0.8 L10,5 L0,9.2 z" fill="${COLOURS[type]}"/></marker>`;
}

export function toSvg(view: GraphView): string {
  const m = METRICS[view.kind];
  const aggregated = view.kind === 'layers';
  const minWidth = MARGIN * 2 + Math.max(legendWidth(view), textWidth(view.title, 21) * 1.04);
  const { boxes, bands, width, height } = layout(view, m, minWidth);
  const all = strokes(view, boxes);
  const W = num(width);
  const H = num(height);
  const out: string[] = [];
  const nodeCount = view.layers.reduce((s, l) => s + l.nodes.length, 0);
  const linkCount = view.edges.reduce((s, e) => s + e.counts.cites + e.counts.specifies, 0);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xml:lang="ja" role="img" aria-labelledby="graph-title">`,
    `<title id="graph-title">${xml(view.title)}</title>`,
    '<style>',
    `text{font-family:${FONT_SANS};fill:${COLOURS.ink}}`,
    `.mono{font-family:${FONT_MONO};fill:${COLOURS.muted}}`,
    `.muted{fill:${COLOURS.muted}}`,
    '.edge{fill:none;stroke-linecap:butt}',
    `.edge.cites{stroke:${COLOURS.cites}}`,
    `.edge.specifies{stroke:${COLOURS.specifies}}`,
    '.label rect{fill:#ffffff;stroke-width:1.2}',
    `.label.cites rect{stroke:${COLOURS.cites}}`,
    `.label.cites text{fill:${COLOURS.citesText}}`,
    `.label.specifies rect{stroke:${COLOURS.specifies}}`,
    `.label.specifies text{fill:${COLOURS.specifies}}`,
    '</style>',
    '<defs>',
    marker('cites'),
    marker('specifies'),
    `<filter id="shadow" x="-10%" y="-10%" width="120%" height="140%"><feDropShadow dx="0" dy="1.5" stdDeviation="1.6" flood-color="#1f2933" flood-opacity=".14"/></filter>`,
    '</defs>',
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
  );

  // header: title, what it was drawn from, legend
  out.push(`<text x="${MARGIN}" y="38" font-size="21" font-weight="700">${xml(view.title)}</text>`);
  const facts = [aggregated ? plural(nodeCount, 'instrument') : plural(nodeCount, 'provision'), `${plural(linkCount, 'link')} drawn`, ...(view.revision ? [`at ${view.revision}`] : [])];
  out.push(`<text x="${MARGIN}" y="62" font-size="13" class="muted">${xml(facts.join(' · '))}</text>`);
  {
    let x = MARGIN;
    const y = 88;
    const item = (type: ViewEdgeType) => {
      out.push(`<path class="edge ${type}" d="M${num(x)},${y} L${num(x + 34 - arrowLength(type))},${y}" stroke-width="${num(strokeWidth(type, 1, false))}" marker-end="url(#arrow-${type})"/>`);
      out.push(`<text x="${num(x + 44)}" y="${y + 4.5}" font-size="${LEGEND_SIZE}">${xml(LEGEND[type])}</text>`);
      x += 44 + textWidth(LEGEND[type], LEGEND_SIZE) + 28;
    };
    item('specifies');
    item('cites');
    if (aggregated) {
      out.push(`<text x="${num(x)}" y="${y + 4.5}" font-size="${LEGEND_SIZE}" class="muted">${xml(LEGEND.layers)}</text>`);
    } else {
      out.push(`<rect x="${num(x)}" y="${y - 8}" width="22" height="16" rx="4" fill="${COLOURS.focusFill}" stroke="${COLOURS.focusStroke}" stroke-width="2"/>`);
      out.push(`<text x="${num(x + 30)}" y="${y + 4.5}" font-size="${LEGEND_SIZE}">${xml(LEGEND.neighbourhood)}</text>`);
    }
  }

  // bands, with the layer's name in the gutter
  bands.forEach((b, i) => {
    const names = LAYER_NAMES[b.layer];
    out.push(`<g class="layer" data-layer="${xml(b.layer)}">`);
    out.push(`<rect x="0" y="${num(b.y)}" width="${W}" height="${num(b.h)}" fill="${COLOURS.band[i % 2] ?? '#ffffff'}"/>`);
    out.push(`<rect x="0" y="${num(b.y)}" width="${GUTTER}" height="${num(b.h)}" fill="${COLOURS.gutter[i % 2] ?? '#ffffff'}"/>`);
    const cy = b.y + b.h / 2;
    out.push(`<text x="${MARGIN}" y="${num(cy - 6)}" font-size="22" font-weight="700">${xml(names.ja)}</text>`);
    out.push(`<text x="${MARGIN}" y="${num(cy + 15)}" font-size="12.5" class="muted">${xml(names.en)}</text>`);
    out.push(`<text x="${MARGIN}" y="${num(cy + 32)}" font-size="11.5" class="muted">${xml(aggregated ? plural(b.count, 'instrument') : plural(b.count, 'provision'))}</text>`);
    out.push('</g>');
  });

  // edges under the boxes; grey citations under the coloured specifications
  const labels: Label[] = [];
  out.push('<g class="edges">');
  for (const type of ['cites', 'specifies'] as const) {
    for (const s of all.filter((x) => x.type === type)) {
      const c = curve(s, m);
      const tip = `${s.from.node.label} ${type} ${s.to.node.label}${s.count > 1 || aggregated ? ` (${thousands(s.count)})` : ''}`;
      out.push(`<path class="edge ${type}" d="${c.d}" stroke-width="${num(strokeWidth(type, s.count, aggregated))}" marker-end="url(#arrow-${type})"><title>${xml(tip)}</title></path>`);
      if (aggregated || s.count > 1) {
        const text = thousands(s.count);
        labels.push({ text, type, x: c.mid.x, y: c.mid.y, w: textWidth(text, 12.5) + 14, h: 20 });
      }
    }
  }
  out.push('</g>');

  out.push('<g class="nodes">');
  for (const box of [...boxes.values()].sort((a, b) => a.row - b.row || a.col - b.col)) {
    const n = box.node;
    const stroke = n.focus ? COLOURS.focusStroke : '#c3cad4';
    const fill = n.focus ? COLOURS.focusFill : '#ffffff';
    out.push(`<g class="node" data-id="${xml(n.id)}">`);
    out.push(`<title>${xml([n.label, n.sublabel, n.title].filter((t) => t !== '').join('\n'))}</title>`);
    out.push(`<rect class="box" x="${num(box.x)}" y="${num(box.y)}" width="${num(box.w)}" height="${num(box.h)}" rx="9" style="fill:${fill}" stroke="${stroke}" stroke-width="${n.focus ? 2.5 : 1.2}" filter="url(#shadow)"/>`);
    // the instrument's accent: a bar down the left edge
    out.push(`<path d="M${num(box.x + 1.5)},${num(box.y + 8)} L${num(box.x + 1.5)},${num(box.y + box.h - 8)}" stroke="${box.accent}" stroke-width="4" stroke-linecap="round"/>`);
    let ty = box.y + m.padY + m.label * 0.98;
    out.push(`<text x="${num(box.x + m.padX)}" y="${num(ty)}" font-size="${m.label}" font-weight="700">${xml(n.label)}</text>`);
    ty += m.label * (LINE.label - 1) + m.sub * LINE.sub * 0.95;
    out.push(`<text class="mono" x="${num(box.x + m.padX)}" y="${num(ty)}" font-size="${m.sub}">${xml(n.sublabel)}</text>`);
    for (const d of box.details) {
      ty += m.detail * LINE.detail;
      out.push(`<text x="${num(box.x + m.padX)}" y="${num(ty)}" font-size="${m.detail}" class="muted">${xml(d)}</text>`);
    }
    out.push('</g>');
  }
  out.push('</g>');

  separate(labels);
  out.push('<g class="labels">');
  for (const l of labels) {
    out.push(`<g class="label ${l.type}"><rect x="${num(l.x - l.w / 2)}" y="${num(l.y - l.h / 2)}" width="${num(l.w)}" height="${num(l.h)}" rx="10"/><text x="${num(l.x)}" y="${num(l.y + 4.5)}" font-size="12.5" font-weight="700" text-anchor="middle">${xml(l.text)}</text></g>`);
  }
  out.push('</g>');
  if (nodeCount === 0) out.push(`<text x="${MARGIN}" y="${HEADER + 30}" font-size="14" class="muted">nothing to draw</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
