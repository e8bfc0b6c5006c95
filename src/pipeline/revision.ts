/**
 * Turning what a user passes as `--at` into a Revision: nothing → the work
 * tree; YYYY-MM-DD → the versions in force on that date (from the history of
 * HEAD); anything else → a validated git revision.
 */
import { corpusPrefix, isInstrumentPath, type Revision, type SourceFile } from '../load/corpus.js';
import type { GitRepo } from '../load/git.js';
import { DATE_RE, isDate, versionsInForce, type VersionRecord } from '../model/versions.js';

export class DateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DateError';
  }
}

/** Every version of every instrument file in the history of `head`, with effective dates. */
export async function instrumentVersions(repo: GitRepo, head: string, corpusDir: string): Promise<VersionRecord[]> {
  const changes = (await repo.fileChanges(head, corpusPrefix(corpusDir) || '.')).filter((c) => isInstrumentPath(c.path));
  // yaml is loaded only when dates are asked for
  const [{ decodeSource }, { readFrontMatter }] = await Promise.all([import('../load/decode.js'), import('../load/front-matter.js')]);
  const blobs = await repo.readBlobs([...new Set(changes.flatMap((c) => (c.blob ? [c.blob] : [])))]);
  const commitOrder = new Map<string, number>();
  for (const c of changes) if (!commitOrder.has(c.commit)) commitOrder.set(c.commit, commitOrder.size);
  return changes.map((c) => {
    const commitDate = c.authorDate.slice(0, 10);
    let effective = commitDate;
    if (c.blob) {
      const text = decodeSource(c.path, blobs.get(c.blob) ?? new Uint8Array()).text;
      const meta = text !== undefined ? readFrontMatter(c.path, text).meta : undefined;
      effective = meta?.effective ?? meta?.enforcedAt ?? commitDate;
    }
    return { path: c.path, blob: c.blob, commit: c.commit, order: commitOrder.get(c.commit) ?? 0, commitDate, effective };
  });
}

export async function resolveAt(repo: GitRepo, corpusDir: string, at: string | undefined): Promise<Revision> {
  if (at === undefined) return { kind: 'worktree' };
  if (DATE_RE.test(at)) {
    if (!isDate(at)) throw new DateError(`"${at}" is not a calendar date`);
    const head = await repo.resolveRevision('HEAD');
    const versions = await instrumentVersions(repo, head, corpusDir);
    const inForce = versionsInForce(versions, at);
    const tree = new Map((await repo.listTree(head, corpusPrefix(corpusDir))).map((e) => [e.blob, e.size]));
    const files: SourceFile[] = [...inForce.values()]
      .map((v) => ({ path: v.path, blob: v.blob as string, size: tree.get(v.blob as string) ?? 0 }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    return { kind: 'as-of', date: at, head, files };
  }
  return { kind: 'commit', commit: await repo.resolveRevision(at) };
}
