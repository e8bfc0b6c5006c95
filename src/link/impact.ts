/**
 * The impact of a change set: from the provisions that changed, along the
 * graph to everything whose meaning depends on them, with the path that
 * explains why. A provision depends on what it cites, on what specifies it
 * (the ordinance article behind a row of 別表第一), and on what it specifies
 * (the row an ordinance article fills in). Edges attach to a provision and
 * everything inside it: a citation of 第六条 is affected by a change to
 * 第六条第一号.
 */
import type { Edge, Graph } from './graph.js';

export interface ImpactStep {
  type: Edge['type'] | 'specified-by';
  from: string;
  to: string;
}

export interface Affected {
  id: string;
  /** From a changed provision to this one. */
  via: ImpactStep[];
}

function within(id: string, container: string): boolean {
  return id === container || id.startsWith(`${container}/`);
}

/** Who is affected when `id` changes, one step away. */
function dependants(graph: Graph, id: string): ImpactStep[] {
  const out: ImpactStep[] = [];
  for (const e of graph.edges) {
    // X cites Y: a change inside Y (or to a provision that contains Y) affects X
    if (e.type === 'cites' && (within(id, e.to) || within(e.to, id))) out.push({ type: 'cites', from: id, to: e.from });
    // S specifies R: a change inside S affects R, and a change to R affects S
    if (e.type === 'specifies') {
      if (within(id, e.from)) out.push({ type: 'specifies', from: id, to: e.to });
      if (within(id, e.to)) out.push({ type: 'specified-by', from: id, to: e.from });
    }
  }
  return out;
}

/** Everything the changed provisions affect, breadth first, each with its shortest explanation. */
export function impactOf(graph: Graph, changed: readonly string[], maxDepth = 3): Affected[] {
  const seen = new Map<string, ImpactStep[]>();
  for (const c of changed) seen.set(c, []);
  let frontier = [...changed];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const id of frontier) {
      const path = seen.get(id) ?? [];
      for (const step of dependants(graph, id)) {
        // a provision that holds a changed one has changed itself; it is not affected through the graph
        if (seen.has(step.to) || changed.some((c) => within(c, step.to))) continue;
        seen.set(step.to, [...path, step]);
        next.push(step.to);
      }
    }
    frontier = next;
  }
  const changedSet = new Set(changed);
  return [...seen.entries()]
    .filter(([id]) => !changedSet.has(id))
    .map(([id, via]) => ({ id, via }))
    .sort((a, b) => a.via.length - b.via.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
