/**
 * Finding the instrument files of a corpus, in the work tree or at a commit,
 * without touching the work tree when reading a commit.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { blobId, type GitRepo } from './git.js';
import type { Diagnostic } from '../model/types.js';

/**
 * The revision a corpus is read at: a commit id, the work tree, or the
 * versions in force on a date (one file version each, chosen from history).
 */
export type Revision =
  | { kind: 'commit'; commit: string }
  | { kind: 'worktree' }
  | { kind: 'as-of'; date: string; head: string; files: SourceFile[] };

export interface SourceFile {
  /** Path relative to the repository root, with `/`. */
  path: string;
  /** Git blob id of the content (computed for work tree files). */
  blob: string;
  size: number;
}

/**
 * Instrument files are Markdown files; READMEs describe the folder and are
 * not instruments, nor is the editors' commentary in a `guidance/` folder.
 */
export function isInstrumentPath(p: string): boolean {
  const parts = p.split('/');
  const base = parts.pop() ?? '';
  return base.toLowerCase().endsWith('.md') && base.toLowerCase() !== 'readme.md' && !parts.some((s) => s.startsWith('.') || s === 'guidance') && !base.startsWith('.');
}

/** Commentary files: Markdown in a `guidance/` folder of the corpus. */
export function isCommentaryPath(p: string): boolean {
  const parts = p.split('/');
  const base = parts.pop() ?? '';
  return base.toLowerCase().endsWith('.md') && base.toLowerCase() !== 'readme.md' && parts.includes('guidance') && !parts.some((s) => s.startsWith('.')) && !base.startsWith('.');
}

/** A corpus (or templates) folder that is not inside the repository: a usage error. */
export class CorpusPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusPathError';
  }
}

/** Normalises a corpus folder given by a user to a repository-relative path. */
export function corpusPrefix(corpusDir: string): string {
  // only a "." that is a whole path segment goes: "../x" keeps both its dots, and is refused below
  const norm = path.posix.normalize(corpusDir.replace(/\\/g, '/')).replace(/^\.(?:\/|$)/, '').replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../') || path.posix.isAbsolute(norm) || corpusDir.includes('\0')) {
    throw new CorpusPathError(`corpus folder "${corpusDir}" must be inside the repository`);
  }
  return norm;
}

async function walk(dir: string, rel: string, out: string[], links: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot read folder ${dir}`, { cause });
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) await walk(path.join(dir, e.name), r, out, links);
    else if (e.isFile()) out.push(r);
    else if (e.isSymbolicLink()) links.push(r);
  }
}

export interface SourceReader {
  files: SourceFile[];
  /** Entries of the folder that are not files to read: symbolic links and submodules, reported, never followed. */
  refused?: Diagnostic[];
  /** Reads the content of files (by blob id). */
  read(files: readonly SourceFile[]): Promise<Map<string, Uint8Array>>;
}

/** Lists the instrument files of the corpus at a revision. */
export async function openCorpus(repo: GitRepo, corpusDir: string, revision: Revision): Promise<SourceReader> {
  if (revision.kind === 'as-of') {
    return { files: revision.files, read: async (fs) => repo.readBlobs(fs.map((f) => f.blob)) };
  }
  return openFolder(repo, corpusDir, revision, isInstrumentPath);
}

/**
 * Lists the files of a folder of the repository (`accept`ed by path) at a
 * revision: a commit's tree, or the work tree. For a date, the tree of the
 * head the date was read from.
 */
export async function openFolder(repo: GitRepo, dir: string, revision: Revision, accept: (path: string) => boolean): Promise<SourceReader> {
  const prefix = corpusPrefix(dir);
  if (revision.kind !== 'worktree') {
    const entries = (await repo.listTree(revision.kind === 'commit' ? revision.commit : revision.head, prefix)).filter((e) => accept(e.path));
    const files = entries.filter((e) => e.mode.startsWith('100')).map((e) => ({ path: e.path, blob: e.blob, size: e.size }));
    return {
      files,
      refused: entries.filter((e) => !e.mode.startsWith('100')).map((e) => refusal(e.path, e.mode === '120000' ? 'link' : 'submodule')),
      read: async (fs) => repo.readBlobs(fs.map((f) => f.blob)),
    };
  }
  const rels: string[] = [];
  const links: string[] = [];
  await walk(path.join(repo.root, prefix), prefix, rels, links);
  rels.sort();
  const contents = new Map<string, Uint8Array>();
  const files: SourceFile[] = [];
  for (const rel of rels.filter(accept)) {
    const abs = path.join(repo.root, rel);
    const s = await stat(abs);
    // the size is checked before reading, so a huge file costs nothing
    if (s.size > 64 * 1024 * 1024) {
      files.push({ path: rel, blob: `size:${s.size}:${rel}`, size: s.size });
      continue;
    }
    const bytes = await readFile(abs);
    const id = blobId(bytes);
    contents.set(id, bytes);
    files.push({ path: rel, blob: id, size: bytes.length });
  }
  return {
    files,
    refused: links.filter(accept).sort().map((rel) => refusal(rel, 'link')),
    read: async (fs) => new Map(fs.map((f) => [f.blob, contents.get(f.blob) ?? new Uint8Array()])),
  };
}

/** A symbolic link could lead out of the repository, and a submodule is another repository: neither is read. */
function refusal(file: string, what: 'link' | 'submodule'): Diagnostic {
  return what === 'link'
    ? { file, line: 1, column: 1, severity: 'error', rule: 'symbolic-link', message: 'is a symbolic link; regpress reads only regular files of the repository (commit the file itself)' }
    : { file, line: 1, column: 1, severity: 'error', rule: 'submodule', message: 'is a git submodule; the corpus must be files of this repository' };
}

/** A non-instrument file of the corpus folder (the publications catalogue) at a revision; undefined if absent. */
export async function readCorpusFile(repo: GitRepo, corpusDir: string, revision: Revision, name: string): Promise<Uint8Array | undefined> {
  const rel = [corpusPrefix(corpusDir), name].filter((s) => s !== '').join('/');
  if (revision.kind === 'worktree') {
    try {
      return await readFile(path.join(repo.root, rel));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read ${rel}`, { cause: e });
    }
  }
  const commit = revision.kind === 'commit' ? revision.commit : revision.head;
  const entry = (await repo.listTree(commit, rel)).find((e) => e.path === rel);
  if (!entry) return undefined;
  return (await repo.readBlobs([entry.blob])).get(entry.blob);
}
