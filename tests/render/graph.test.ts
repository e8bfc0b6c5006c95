/**
 * The graph pictures on the real corpus: the instruments in their layers
 * with the ordinance specifying the order's table, the neighbourhood of
 * 輸出令別表第一の七の項, and renderings that are the same every time and
 * that an XML parser would accept whatever the regulation text says.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph, type Graph } from '../../src/link/graph.js';
import { locate, type CorpusIndex } from '../../src/model/locate.js';
import { loadCorpus, openSession, resolveRevision } from '../../src/pipeline/corpus.js';
import { corpusCitations } from '../../src/pipeline/links.js';
import { escapeHtml } from '../../src/render/diff-text.js';
import { layerGraphView, neighbourhoodView, toDot, toJson, toSvg, type GraphView } from '../../src/render/graph.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const ACT = '324AC0000000228';
const ETCO = '324CO0000000378';
const FEO = '355CO0000000260';
const GOODS = '403M50000400049';

let index: CorpusIndex;
let graph: Graph;

beforeAll(async () => {
  const session = await openSession({ repo: REPO_ROOT, corpus: 'regulations' });
  try {
    const corpus = await loadCorpus(session, await resolveRevision(session, 'HEAD'));
    index = corpus.index;
    graph = buildGraph(corpus.index, await corpusCitations(session, corpus));
  } finally {
    session.close();
  }
});

/**
 * Enough of XML to catch what a renderer gets wrong: tags that do not nest,
 * unquoted or duplicated attributes, a bare `<` or `&` in text, control
 * characters.
 */
function wellFormed(doc: string): string | undefined {
  const stack: string[] = [];
  let i = 0;
  let roots = 0;
  const entity = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
  const text = (s: string, where: number): string | undefined => {
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(s)) return `control character near ${where}`;
    for (let k = s.indexOf('&'); k >= 0; k = s.indexOf('&', k + 1)) if (!entity.test(s.slice(k))) return `bare & near ${where + k}`;
    return undefined;
  };
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const chunk = doc.slice(i, lt < 0 ? doc.length : lt);
    const bad = text(chunk, i);
    if (bad) return bad;
    if (chunk.includes('>')) return `bare > near ${i}`;
    if (stack.length === 0 && chunk.trim() !== '') return `text outside the root near ${i}`;
    if (lt < 0) break;
    const gt = doc.indexOf('>', lt);
    if (gt < 0) return `unclosed tag at ${lt}`;
    const tag = doc.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) return `</${name}> closes nothing open near ${lt}`;
    } else {
      const m = /^([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*="[^"<]*")*)\s*(\/?)$/.exec(tag);
      if (!m) return `malformed tag <${tag.slice(0, 60)}> at ${lt}`;
      const names = [...(m[2] ?? '').matchAll(/([A-Za-z_][\w:.-]*)="([^"]*)"/g)].map((a) => {
        return { name: a[1] ?? '', value: a[2] ?? '' };
      });
      if (new Set(names.map((a) => a.name)).size !== names.length) return `duplicate attribute in <${m[1]}> at ${lt}`;
      for (const a of names) {
        const bad = text(a.value, lt);
        if (bad) return bad;
      }
      if (stack.length === 0) roots++;
      if (m[3] !== '/') stack.push(m[1] ?? '');
    }
    i = gt + 1;
  }
  if (stack.length) return `unclosed <${stack.join('> <')}>`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

function labels(view: GraphView): string[] {
  return view.layers.flatMap((l) => l.nodes.map((n) => n.label));
}

describe('the layer graph', () => {
  it('has the four instruments in three layers, top to bottom', () => {
    const view = layerGraphView(index, graph);
    expect(view.layers.map((l) => l.layer)).toEqual(['law', 'cabinet-order', 'ministerial-ordinance']);
    expect(view.layers.map((l) => l.nodes.map((n) => n.id))).toEqual([[ACT], [ETCO, FEO], [GOODS]]);
    expect(labels(view)).toEqual(['外為法', '輸出令', '外為令', '貨物等省令']);
    for (const n of view.layers.flatMap((l) => l.nodes)) expect(n.provisions).toBeGreaterThan(100);
  });

  it('counts the ordinance specifying the rows of 輸出令別表第一', () => {
    const view = layerGraphView(index, graph);
    const edge = view.edges.find((e) => e.from === GOODS && e.to === ETCO);
    expect(edge?.counts.specifies).toBeGreaterThanOrEqual(14);
    // the order specifies the Act, not the other way round
    expect(view.edges.find((e) => e.from === ETCO && e.to === ACT)?.counts.specifies).toBeGreaterThan(0);
    expect(view.edges.some((e) => e.from === ACT && e.to !== ACT && e.counts.specifies > 0)).toBe(false);
    // no edge from an instrument to itself: those are counted on the node
    expect(view.edges.every((e) => e.from !== e.to)).toBe(true);
  });
});

describe('the neighbourhood of a provision', () => {
  it('has 貨物等省令第六条 next to 輸出令別表第一の七の項', () => {
    const row7 = locate(index, '輸出令別表第一の七の項').provision;
    expect(row7?.id).toBe(`${ETCO}/appx1/row7`);
    const view = neighbourhoodView(index, graph, row7?.id ?? '');
    const nodes = view.layers.flatMap((l) => l.nodes);
    const art6 = nodes.find((n) => n.id === `${GOODS}/art6`);
    expect(art6?.label).toBe('貨物等省令第六条');
    expect(art6?.distance).toBe(1);
    expect(nodes.find((n) => n.focus)?.label).toBe('輸出令別表第一の七の項');
    expect(view.edges.find((e) => e.from === `${GOODS}/art6` && e.to === row7?.id)?.counts.specifies).toBe(1);
    // grouped by layer, in layer order
    expect(view.layers.map((l) => l.layer)).toEqual(['cabinet-order', 'ministerial-ordinance']);
    for (const l of view.layers) for (const n of l.nodes) expect(n.layer).toBe(l.layer);
  });

  it('grows with the depth, and is the provision alone at depth 0', () => {
    const id = `${ETCO}/appx1/row7`;
    const count = (d: number) => neighbourhoodView(index, graph, id, d).layers.reduce((s, l) => s + l.nodes.length, 0);
    expect(count(0)).toBe(1);
    expect(count(2)).toBeGreaterThan(count(1));
  });
});

describe('rendering', () => {
  const views = (): [string, GraphView][] => [
    ['layers', layerGraphView(index, graph)],
    ['neighbourhood', neighbourhoodView(index, graph, `${ETCO}/appx1/row7`, 1)],
    ['depth 2', neighbourhoodView(index, graph, `${ETCO}/appx1/row7`, 2)],
  ];

  it('gives the same DOT, SVG and JSON every time', () => {
    for (const [, view] of views()) {
      const again = neighbourhoodOrLayers(view);
      expect(toDot(again)).toBe(toDot(view));
      expect(toSvg(again)).toBe(toSvg(view));
      expect(toJson(again)).toBe(toJson(view));
    }
  });

  it('writes SVG that is well-formed XML with every node label in it, escaped', () => {
    for (const [name, view] of views()) {
      const svg = toSvg(view);
      expect(wellFormed(svg), name).toBeUndefined();
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      for (const label of labels(view)) expect(svg).toContain(`>${escapeHtml(label)}</text>`);
    }
  });

  it('escapes whatever the text holds', () => {
    const hostile: GraphView = {
      kind: 'neighbourhood',
      title: 'Around <script>alert("x")</script> & more',
      revision: "it's \u0007 here",
      layers: [
        { layer: 'law', nodes: [{ id: 'a/<b>', label: '法第一条 <b>&amp;</b>', sublabel: 'a/"q"', details: ["it's & <i>"], title: ']]> <!-- -->', instrument: 'a', layer: 'law', focus: true }] },
        { layer: 'cabinet-order', nodes: [{ id: 'c', label: '令 "第二条"', sublabel: 'c', details: [], title: '', instrument: 'c', layer: 'cabinet-order' }] },
      ],
      edges: [{ from: 'c', to: 'a/<b>', counts: { cites: 2, specifies: 1 } }],
    };
    const svg = toSvg(hostile);
    expect(wellFormed(svg)).toBeUndefined();
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('法第一条 &lt;b&gt;&amp;amp;&lt;/b&gt;');
    expect(svg).toContain('令 &quot;第二条&quot;');
    const dot = toDot(hostile);
    expect(dot).toContain('"a/<b>"');
    expect(dot).toContain('label="令 \\"第二条\\"\\nc"');
    expect(JSON.parse(toJson(hostile))).toEqual(hostile);
  });

  it('draws DOT with one rank per layer, the layers in order and labelled edges', () => {
    const dot = toDot(layerGraphView(index, graph));
    expect(dot.startsWith('digraph regpress {')).toBe(true);
    expect(dot).toContain('rankdir=TB');
    expect(dot.match(/rank=same/g)).toHaveLength(3);
    const at = (s: string) => dot.indexOf(s);
    expect(at('cluster_law')).toBeLessThan(at('cluster_cabinet-order'));
    expect(at('cluster_cabinet-order')).toBeLessThan(at('cluster_ministerial-ordinance'));
    expect(dot).toMatch(/"324CO0000000378" -> "403M50000400049" \[dir=back, label="specifies \d+"/);
  });
});

/** A view built again from scratch, for the determinism checks. */
function neighbourhoodOrLayers(view: GraphView): GraphView {
  if (view.kind === 'layers') return layerGraphView(index, graph);
  const focus = view.layers.flatMap((l) => l.nodes).find((n) => n.focus);
  const depth = Math.max(0, ...view.layers.flatMap((l) => l.nodes.map((n) => n.distance ?? 0)));
  return neighbourhoodView(index, graph, focus?.id ?? '', depth);
}

describe('regpress graph', () => {
  it('prints DOT', async () => {
    const r = await runCli(['graph', '--format', 'dot'], { cwd: REPO_ROOT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('digraph regpress {')).toBe(true);
    expect(r.stdout).toContain('"403M50000400049"');
  });

  it('prints the SVG of a neighbourhood by default', async () => {
    const r = await runCli(['graph', '--around', '輸出令別表第一の七の項'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(wellFormed(r.stdout)).toBeUndefined();
    expect(r.stdout).toContain('貨物等省令第六条');
  });

  it('refuses an unknown format, a bad depth and a whole instrument with exit 2', async () => {
    const bmp = await runCli(['graph', '--format', 'bmp'], { cwd: REPO_ROOT });
    expect(bmp.code).toBe(2);
    expect(bmp.stderr).toContain('--format bmp');
    expect((await runCli(['graph', '--around', '輸出令別表第一の七の項', '--depth', 'two'], { cwd: REPO_ROOT })).code).toBe(2);
    expect((await runCli(['graph', '--depth', '2'], { cwd: REPO_ROOT })).code).toBe(2);
    expect((await runCli(['graph', '--around', '輸出令'], { cwd: REPO_ROOT })).code).toBe(2);
    expect((await runCli(['graph', '--around', '輸出令第九百九十九条'], { cwd: REPO_ROOT })).code).toBe(2);
  });
});
