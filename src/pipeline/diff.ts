/**
 * Diffs between revisions: two corpora aligned instrument by instrument,
 * each instrument pair cached on disk by the blobs it was computed from.
 */
import { createHash } from 'node:crypto';
import { alignInstruments } from '../diff/align.js';
import type { CorpusDiff, InstrumentDiff } from '../diff/types.js';
import type { Revision, SourceFile } from '../load/corpus.js';
import type { Instrument } from '../model/types.js';
import { loadCorpus, type Corpus, type Session } from './corpus.js';
import { differFingerprint } from './cache-keys.js';

export function revisionLabel(r: Revision): string {
  switch (r.kind) {
    case 'commit':
      return r.commit;
    case 'worktree':
      return 'worktree';
    case 'as-of':
      return `as-of:${r.date}`;
  }
}

function diffKey(a: SourceFile | undefined, b: SourceFile | undefined): string {
  return createHash('sha1')
    .update(`diff-${differFingerprint()}\0${a?.path ?? ''}\0${a?.blob ?? ''}\0${b?.path ?? ''}\0${b?.blob ?? ''}`)
    .digest('hex');
}

type NumbersComparer = (before: string, after: string) => InstrumentDiff['changes'][number]['numbers'];
let compareNumbers: NumbersComparer | undefined;
async function numbersComparer(): Promise<NumbersComparer> {
  compareNumbers ??= (await import('../diff/numbers.js')).compareQuantities;
  return compareNumbers;
}

/**
 * The diff of one instrument between two versions, through the disk cache.
 * The models are asked for only on a cache miss: a warm history walk reads
 * no parse results at all.
 */
export async function diffInstrument(
  session: Session,
  oldFile: SourceFile | undefined,
  newFile: SourceFile | undefined,
  models: () => Promise<[Instrument | undefined, Instrument | undefined]>,
): Promise<InstrumentDiff | undefined> {
  const key = diffKey(oldFile, newFile);
  const cached = await session.cache?.get<InstrumentDiff>(key);
  if (cached) return cached;
  const [oldIns, newIns] = await models();
  if (!oldIns && !newIns) return undefined;
  const d = alignInstruments(oldIns, newIns, { compareNumbers: await numbersComparer() });
  await session.cache?.put(key, d);
  return d;
}

export async function diffCorpora(session: Session, a: Corpus, b: Corpus, only?: ReadonlySet<string>): Promise<CorpusDiff> {
  const fileOf = (c: Corpus, ins: Instrument) => c.files.find((f) => f.path === ins.file);
  const ids = [...new Set([...a.instruments.map((i) => i.id), ...b.instruments.map((i) => i.id)])].sort();
  const instruments: InstrumentDiff[] = [];
  for (const id of ids) {
    if (only && !only.has(id)) continue;
    const o = a.index.instruments.get(id);
    const n = b.index.instruments.get(id);
    const of = o ? fileOf(a, o) : undefined;
    const nf = n ? fileOf(b, n) : undefined;
    if (of && nf && of.blob === nf.blob && of.path === nf.path) {
      instruments.push({ instrument: id, title: (n ?? o)?.meta.title ?? id, oldFile: of.path, newFile: nf.path, status: 'unchanged', metadata: [], changes: [], renumbering: {} });
      continue;
    }
    const d = await diffInstrument(session, of, nf, async () => [o, n]);
    if (d) instruments.push(d);
  }
  return { from: revisionLabel(a.revision), to: revisionLabel(b.revision), instruments };
}

export async function diffRevisions(session: Session, from: Revision, to: Revision, only?: ReadonlySet<string>): Promise<{ diff: CorpusDiff; before: Corpus; after: Corpus }> {
  const before = await loadCorpus(session, from);
  const after = await loadCorpus(session, to);
  return { diff: await diffCorpora(session, before, after, only), before, after };
}
