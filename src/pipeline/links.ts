/**
 * Citations of a whole corpus at a revision, cached by the exact set of
 * file versions they were read from (a citation's resolution depends on
 * every instrument it may point into).
 */
import { createHash } from 'node:crypto';
import { extractCitations, type Citation } from '../link/extract.js';
import { mergeExplicit } from '../link/explicit.js';
import type { Diagnostic } from '../model/types.js';
import { linkerFingerprint } from './cache-keys.js';
import { loadCatalogue } from './catalogue.js';
import { sortDiagnostics, type Corpus, type Session } from './corpus.js';
import { buildGraph, delegationDiagnostics, type Graph } from '../link/graph.js';

function citationsKey(corpus: Corpus): string {
  const h = createHash('sha1').update(`citations-${linkerFingerprint()}`);
  for (const f of [...corpus.files].sort((a, b) => (a.path < b.path ? -1 : 1))) h.update(`\0${f.path}\0${f.blob}`);
  return h.digest('hex');
}

export async function corpusCitations(session: Session, corpus: Corpus): Promise<Citation[]> {
  const key = citationsKey(corpus);
  const cached = await session.cache?.get<Citation[]>(key);
  if (cached) return cached;
  const out: Citation[] = [];
  for (const ins of corpus.instruments) out.push(...mergeExplicit(corpus.index, ins, extractCitations(corpus.index, ins)));
  await session.cache?.put(key, out);
  return out;
}

/** Citations that point nowhere, or to a 削除 placeholder, as diagnostics of the citing file. */
export function citationDiagnostics(corpus: Corpus, citations: readonly Citation[]): Diagnostic[] {
  const fileOf = new Map(corpus.instruments.map((i) => [i.id, i.file]));
  const out: Diagnostic[] = [];
  for (const c of citations) {
    const file = fileOf.get(c.source.split('/')[0] ?? '') ?? '';
    if (c.status === 'unresolved') {
      out.push({ file, line: c.line, column: c.column, severity: 'warning', rule: 'unresolved-reference', message: `「${c.text}」 cites nothing that exists: ${c.reason ?? 'not found'}` });
    } else if (c.deletedTargets && c.deletedTargets.length > 0) {
      out.push({ file, line: c.line, column: c.column, severity: 'warning', rule: 'reference-to-deleted', message: `「${c.text}」 cites ${c.deletedTargets.join(', ')}, which is 削除` });
    }
  }
  return out;
}

/** The cross-layer graph of a corpus at its revision. */
export async function corpusGraph(session: Session, corpus: Corpus): Promise<Graph> {
  return buildGraph(corpus.index, await corpusCitations(session, corpus));
}

/**
 * Everything `check` reports on a corpus: the files' own diagnostics, then
 * citations that point nowhere or to 削除, delegations nothing specifies, and
 * the publications catalogue checked against the corpus.
 */
export async function checkCorpus(session: Session, corpus: Corpus): Promise<Diagnostic[]> {
  const citations = await corpusCitations(session, corpus);
  const graph = buildGraph(corpus.index, citations);
  const { diagnostics: catalogue } = await loadCatalogue(session, corpus);
  return sortDiagnostics([...corpus.diagnostics, ...citationDiagnostics(corpus, citations), ...delegationDiagnostics(corpus.index, graph), ...catalogue]);
}
