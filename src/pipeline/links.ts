/**
 * Citations of a whole corpus at a revision, cached by the exact set of
 * file versions they were read from (a citation's resolution depends on
 * every instrument it may point into).
 */
import { createHash } from 'node:crypto';
import { extractCitations, type Citation } from '../link/extract.js';
import { mergeExplicit } from '../link/explicit.js';
import { instrumentNames } from '../model/locate.js';
import { walkProvisions } from '../model/text.js';
import type { Diagnostic, Instrument } from '../model/types.js';
import { linkerFingerprint } from './cache-keys.js';
import { loadCatalogue } from './catalogue.js';
import { sortDiagnostics, type Corpus, type Session } from './corpus.js';
import { buildGraph, delegationDiagnostics, type Graph } from '../link/graph.js';

const structures = new WeakMap<Instrument, string>();

/**
 * What another instrument's citations can depend on in this one: its names,
 * law number, and the address, label, kind and 削除 state of every
 * provision — not its wording. An amendment that only rewords leaves it as
 * it was, so the other instruments' citations are not read again.
 */
function structureDigest(ins: Instrument): string {
  let d = structures.get(ins);
  if (d === undefined) {
    const h = createHash('sha1').update(`${ins.id}\0${instrumentNames(ins).join('\0')}\0${ins.meta.lawNum ?? ''}\0`);
    for (const p of walkProvisions(ins.provisions)) h.update(`${p.id}\0${p.kind}\0${p.label}\0${p.deleted ? 1 : 0}\n`);
    d = h.digest('hex');
    structures.set(ins, d);
  }
  return d;
}

/** Every name of every instrument: a citation by name resolves differently when these change. */
function namesDigest(corpus: Corpus): string {
  const h = createHash('sha1');
  for (const [name, id] of [...corpus.index.names].sort((a, b) => (a[0] < b[0] ? -1 : 1))) h.update(`${name}\0${id}\n`);
  for (const i of corpus.instruments) h.update(`${i.id}\0${i.meta.lawNum ?? ''}\n`);
  return h.digest('hex');
}

function blobOf(corpus: Corpus, ins: Instrument): string {
  return corpus.files.find((f) => f.path === ins.file)?.blob ?? '';
}

/**
 * The citations of an instrument depend on its own text, on the names of
 * all instruments, and on the structure of the instruments it cites — not
 * on the others. So they are cached in two steps: the text says which
 * instruments it cites (`deps`), and the citations are keyed by the text
 * and those instruments' structure. A history walk then reads an unchanged
 * instrument's citations again only when something it cites was renumbered.
 */
export async function corpusCitations(session: Session, corpus: Corpus): Promise<Citation[]> {
  const out: Citation[] = [];
  const names = namesDigest(corpus);
  const fp = linkerFingerprint();
  for (const ins of corpus.instruments) {
    const depsKey = createHash('sha1').update(`citation-deps-${fp}\0${ins.file}\0${blobOf(corpus, ins)}\0${names}`).digest('hex');
    const keyFor = (deps: readonly string[]) => {
      const h = createHash('sha1').update(`citations-${fp}\0${depsKey}`);
      for (const d of deps) {
        const other = corpus.index.instruments.get(d);
        h.update(`\0${d}\0${other ? structureDigest(other) : 'absent'}`);
      }
      return h.digest('hex');
    };
    const deps = (session.derived.get(depsKey) as string[] | undefined) ?? (await session.cache?.get<string[]>(depsKey));
    let mine: Citation[] | undefined;
    if (deps) {
      const key = keyFor(deps);
      mine = (session.derived.get(key) as Citation[] | undefined) ?? (await session.cache?.get<Citation[]>(key));
      if (mine) session.derived.set(key, mine);
    }
    if (!mine) {
      mine = mergeExplicit(corpus.index, ins, extractCitations(corpus.index, ins));
      const cited = new Set<string>();
      for (const c of mine) {
        if (c.instrument && corpus.index.instruments.has(c.instrument)) cited.add(c.instrument);
        for (const t of c.targets) cited.add(t.address.instrument);
      }
      const found = [...cited].sort();
      const key = keyFor(found);
      session.derived.set(depsKey, found);
      session.derived.set(key, mine);
      await session.cache?.put(depsKey, found);
      await session.cache?.put(key, mine);
    }
    out.push(...mine);
  }
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
