/**
 * The cross-layer graph on the real corpus: the ordinance specifies the
 * rows of 別表第一, the order specifies the Act's delegations.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph, linksOf, type Graph } from '../../src/link/graph.js';
import { extractCitations } from '../../src/link/extract.js';
import type { CorpusIndex } from '../../src/model/locate.js';
import { loadCorpus, openSession, resolveRevision } from '../../src/pipeline/corpus.js';
import { REPO_ROOT } from '../support/paths.js';

let graph: Graph;
let index: CorpusIndex;

beforeAll(async () => {
  const session = await openSession({ repo: REPO_ROOT, corpus: 'regulations' });
  try {
    const corpus = await loadCorpus(session, await resolveRevision(session, 'HEAD'));
    index = corpus.index;
    graph = buildGraph(corpus.index, corpus.instruments.flatMap((i) => extractCitations(corpus.index, i)));
  } finally {
    session.close();
  }
});

const ETCO = '324CO0000000378';
const GOODS = '403M50000400049';

describe('specification edges', () => {
  // 貨物等省令 第一条 → 二の項, 第二条 → 三の項（一）, 第二条の二 → 三の二の項（一）, 第三条 → 四の項 … 第十四条 → 一五の項
  const expected: [string, string][] = [
    ['row2', 'art1'], ['row3', 'art2'], ['row3-2', 'art2-2'], ['row4', 'art3'], ['row5', 'art4'], ['row6', 'art5'], ['row7', 'art6'],
    ['row8', 'art7'], ['row9', 'art8'], ['row10', 'art9'], ['row11', 'art10'], ['row12', 'art11'], ['row13', 'art12'], ['row14', 'art13'], ['row15', 'art14'],
  ];
  it.each(expected)('別表第一 %s is specified by 貨物等省令 %s', (row, article) => {
    const by = linksOf(graph, `${ETCO}/appx1/${row}`).specifiedBy.filter((e) => e.basis === 'citation').map((e) => e.from);
    expect([...new Set(by)]).toEqual([`${GOODS}/${article}`]);
  });

  it('gives each edge its reverse delegation', () => {
    const d = graph.edges.filter((e) => e.type === 'delegates-to' && e.from === `${ETCO}/appx1/row7`);
    expect(d.map((e) => e.to)).toEqual([`${GOODS}/art6`]);
  });

  it('matches the items of 第六条 to the row items of 七の項 they open with', () => {
    const items = linksOf(graph, `${ETCO}/appx1/row7`).specifiedBy.filter((e) => e.basis === 'wording');
    const pairs = new Map(items.map((e) => [e.from, e.to]));
    // 第六条第一号 集積回路… ↔ （一） 集積回路; 第八号の四 (アナログ信号用…光変調器) ↔ （八の四）
    // 電気光学効果を利用する光変調器, not （十） アナログデジタル変換器 for a shared アナログ;
    // 第十七号の三 集積回路の製造用のマスク若しくはレチクル ↔ （十七） マスク若しくはレチクル
    expect(pairs.get(`${GOODS}/art6/para1/item1`)).toBe(`${ETCO}/appx1/row7/1`);
    expect(pairs.get(`${GOODS}/art6/para1/item8-4`)).toBe(`${ETCO}/appx1/row7/8-4`);
    expect(pairs.get(`${GOODS}/art6/para1/item17-3`)).toBe(`${ETCO}/appx1/row7/17`);
    expect(index.provisions.get(`${ETCO}/appx1/row7/1`)?.text.startsWith('集積回路')).toBe(true);
    expect(items.length).toBeGreaterThan(10);
  });

  it('follows the order up to the Act: 輸出令第一条 specifies 法第四十八条第一項', () => {
    const s = linksOf(graph, `${ETCO}/art1`).specifies.map((e) => e.to);
    expect(s).toContain('324AC0000000228/art48/para1');
  });

  it('lists what cites a provision', () => {
    const citedBy = linksOf(graph, '324AC0000000228/art48/para1').citedBy.map((e) => e.from.split('/')[0]);
    expect(new Set(citedBy)).toEqual(new Set(['324AC0000000228', ETCO, '355CO0000000260']));
  });
});
