/**
 * Git as data in, typed results out. simple-git runs the small commands;
 * bulk blob reads go through one long-lived `git cat-file --batch`, which is
 * what makes walking the whole history cheap. Every ref from a user is
 * validated and resolved to a commit id before any other git call, and no
 * user string ever reaches git where it could be read as an option.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

export class GitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GitError';
  }
}

/** A ref a user gave us that is unsafe, unknown or not a commit. */
export class RevisionError extends Error {
  constructor(
    readonly ref: string,
    message: string,
  ) {
    super(message);
    this.name = 'RevisionError';
  }
}

export interface TreeEntry {
  /** Path relative to the repository root, with `/`. */
  path: string;
  blob: string;
  size: number;
  /** Git's file mode: 100644 or 100755 for a file, 120000 for a symbolic link, 160000 for a submodule. */
  mode: string;
}

export interface FileChange {
  commit: string;
  authorDate: string;
  path: string;
  /** The file's blob after the commit; null if the commit deleted it. */
  blob: string | null;
}

export interface CommitInfo {
  commit: string;
  /** Author date, ISO 8601 with offset. */
  authorDate: string;
  committerDate: string;
  subject: string;
  message: string;
}

const SAFE_REF = /^[A-Za-z0-9_][A-Za-z0-9_./@{}~^+-]*$/;
const COMMIT_ID = /^[0-9a-f]{40}$/;

/** Refuses refs that could be read as options or that are not plain revision syntax. */
export function validateRef(ref: string): void {
  if (ref.length === 0) throw new RevisionError(ref, 'empty revision');
  if (ref.length > 256) throw new RevisionError(ref, 'revision is longer than 256 characters');
  if (ref.startsWith('-')) throw new RevisionError(ref, `revision "${ref}" starts with "-": refusing what git would read as an option`);
  if (!SAFE_REF.test(ref) && ref !== 'HEAD@{0}') {
    throw new RevisionError(ref, `revision "${ref}" contains characters that are not allowed in a git revision`);
  }
  if (ref.includes('..')) throw new RevisionError(ref, `"${ref}" is a range; give a single revision`);
}

/** The git blob id of some content, as `git hash-object` computes it. */
export function blobId(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export class GitRepo {
  private batch: BlobReader | undefined;

  private constructor(
    readonly root: string,
    readonly gitDir: string,
    private readonly git: SimpleGit,
  ) {}

  /** Opens the repository that contains `dir`. */
  static async open(dir: string): Promise<GitRepo> {
    const git = simpleGit({ baseDir: path.resolve(dir), maxConcurrentProcesses: 4, trimmed: true });
    let root: string;
    let gitDir: string;
    try {
      root = await git.revparse(['--show-toplevel']);
      gitDir = path.resolve(root, await git.revparse(['--git-common-dir']));
    } catch (cause) {
      throw new GitError(`${dir} is not inside a git repository`, { cause });
    }
    return new GitRepo(root, gitDir, simpleGit({ baseDir: root, maxConcurrentProcesses: 4, trimmed: true }));
  }

  /** Validates a user's ref and resolves it to a commit id. */
  async resolveRevision(ref: string): Promise<string> {
    validateRef(ref);
    // a name that is both a branch and a tag (or a remote branch) on different
    // commits: git would pick one with a warning; we refuse to guess
    const name = /^([^~^@{}:]+)/.exec(ref)?.[1];
    if (name && !/^[0-9a-f]{4,40}$/.test(name)) {
      const owners = await this.git.raw(['for-each-ref', '--format=%(refname) %(objectname)', '--', `refs/heads/${name}`, `refs/tags/${name}`, `refs/remotes/${name}`]);
      const targets = new Map(owners.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
      if (new Set(targets.values()).size > 1) {
        throw new RevisionError(ref, `revision "${ref}" is ambiguous: ${[...targets.keys()].join(', ')}; name one of them in full`);
      }
    }
    let out: string;
    try {
      out = await this.git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    } catch (e) {
      if (/ambiguous/i.test(String(e))) throw new RevisionError(ref, `revision "${ref}" is ambiguous: give more digits of the commit id`);
      out = '';
    }
    const commit = out.trim();
    if (!COMMIT_ID.test(commit) && /^[0-9a-f]{4,39}$/.test(ref)) {
      const candidates = (await this.git.raw(['rev-parse', `--disambiguate=${ref}`]).catch(() => '')).split('\n').filter(Boolean);
      if (candidates.length > 1) {
        throw new RevisionError(ref, `revision "${ref}" is ambiguous: ${candidates.length} objects start with it (${candidates.slice(0, 4).map((c) => c.slice(0, 12)).join(', ')}…); give more digits`);
      }
    }
    if (!COMMIT_ID.test(commit)) {
      const shallow = await this.isShallow();
      throw new RevisionError(ref, `unknown revision "${ref}"${shallow ? ' (this is a shallow clone: the commit may not have been fetched; run git fetch --unshallow)' : ''}`);
    }
    return commit;
  }

  async isShallow(): Promise<boolean> {
    try {
      return (await this.git.raw(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
    } catch {
      return false;
    }
  }

  /** Files under `dir` at `commit` (a resolved commit id), with blob ids and sizes. */
  async listTree(commit: string, dir: string): Promise<TreeEntry[]> {
    if (!COMMIT_ID.test(commit)) throw new GitError(`listTree needs a resolved commit id, got "${commit}"`);
    const prefix = dir.replace(/\/+$/, '');
    const out = await this.git.raw(['ls-tree', '-r', '-l', '-z', '--full-tree', commit, '--', prefix === '' || prefix === '.' ? '.' : prefix]);
    const entries: TreeEntry[] = [];
    for (const rec of out.split('\0')) {
      if (rec === '') continue;
      const tab = rec.indexOf('\t');
      const [mode, type, blob, size] = rec.slice(0, tab).split(/\s+/);
      if ((type !== 'blob' && type !== 'commit') || !blob || !mode) continue;
      entries.push({ path: rec.slice(tab + 1), blob, size: type === 'commit' ? 0 : Number(size), mode });
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Reads blobs in bulk through one `git cat-file --batch` process. */
  async readBlobs(ids: readonly string[]): Promise<Map<string, Buffer>> {
    this.batch ??= new BlobReader(this.root);
    const out = new Map<string, Buffer>();
    const results = await Promise.all(ids.map((id) => this.batch!.read(id)));
    ids.forEach((id, i) => out.set(id, results[i] as Buffer));
    return out;
  }

  /** Commits that touched `dir`, oldest first (first-parent history of `commit`). */
  async commitsTouching(commit: string, dir: string): Promise<CommitInfo[]> {
    if (!COMMIT_ID.test(commit)) throw new GitError(`commitsTouching needs a resolved commit id, got "${commit}"`);
    const sep = '\x1f';
    const end = '\x1e';
    const out = await this.git.raw([
      'log', '--first-parent', '--reverse', `--format=%H${sep}%aI${sep}%cI${sep}%s${sep}%B${end}`, commit, '--', dir,
    ]);
    return out
      .split(end)
      .map((r) => r.replace(/^\n/, ''))
      .filter((r) => r.trim() !== '')
      .map((r) => {
        const [c, authorDate, committerDate, subject, message] = r.split(sep);
        return { commit: c ?? '', authorDate: authorDate ?? '', committerDate: committerDate ?? '', subject: subject ?? '', message: (message ?? '').trim() };
      });
  }

  /**
   * Every change to files under `dir` in the first-parent history of
   * `commit`, oldest first: which blob each file has after each commit
   * (null when the commit deleted it).
   */
  async fileChanges(commit: string, dir: string): Promise<FileChange[]> {
    if (!COMMIT_ID.test(commit)) throw new GitError(`fileChanges needs a resolved commit id, got "${commit}"`);
    const out = await this.git.raw([
      'log', '--first-parent', '--reverse', '--no-renames', '--raw', '--no-abbrev', '-z', '--format=%x1e%H%x1f%aI', commit, '--', dir,
    ]);
    const changes: FileChange[] = [];
    for (const rec of out.split('\x1e')) {
      if (rec === '') continue;
      const [head = '', ...rest] = rec.split('\0');
      const [c = '', date = ''] = head.split('\x1f');
      for (let i = 0; i + 1 < rest.length; i += 2) {
        const meta = (rest[i] ?? '').replace(/^\n/, '');
        const file = rest[i + 1] ?? '';
        if (!meta.startsWith(':')) continue;
        const [, , , blob = '', status = ''] = meta.slice(1).split(' ');
        changes.push({ commit: c, authorDate: date, path: file, blob: status.startsWith('D') ? null : blob });
      }
    }
    return changes;
  }

  close(): void {
    this.batch?.close();
    this.batch = undefined;
  }
}

/** A `git cat-file --batch` process serving blob reads in order. */
class BlobReader {
  private readonly proc;
  private queue: { id: string; resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private failed: Error | undefined;

  constructor(cwd: string) {
    this.proc = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.drain();
    });
    this.proc.on('error', (e) => this.fail(new GitError('git cat-file failed to start', { cause: e })));
    this.proc.on('exit', (code) => {
      if (this.queue.length > 0) this.fail(new GitError(`git cat-file exited with code ${code}`));
    });
  }

  read(id: string): Promise<Buffer> {
    if (!/^[0-9a-f]{40}$/.test(id)) return Promise.reject(new GitError(`not a blob id: ${id}`));
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ id, resolve, reject });
      this.proc.stdin.write(`${id}\n`);
    });
  }

  private drain(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString('utf8');
      if (header.endsWith(' missing')) {
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift();
        head.reject(new GitError(`blob ${head.id} is missing from the repository`));
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (this.buf.length < nl + 1 + size + 1) return;
      const content = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift();
      head.resolve(content);
    }
  }

  private fail(e: Error): void {
    this.failed = e;
    for (const q of this.queue) q.reject(e);
    this.queue = [];
  }

  close(): void {
    this.proc.stdin.end();
  }
}
