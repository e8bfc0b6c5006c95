/**
 * Loading a whole corpus at a revision: list the files, take each parse from
 * the cache by content, parse the rest, and check what spans files.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { JsonCache } from '../load/cache.js';
import { DEFAULT_LIMITS } from '../load/decode.js';
import { openCorpus, type Revision, type SourceFile } from '../load/corpus.js';
import { GitRepo } from '../load/git.js';
import { buildIndex, type CorpusIndex } from '../model/locate.js';
import type { Diagnostic, Instrument } from '../model/types.js';
import type { Context } from './context.js';
import type { ParsedFile } from './parse-file.js';
import { parserFingerprint } from './cache-keys.js';
import { resolveAt } from './revision.js';

export interface Corpus {
  revision: Revision;
  /** The files read, with their blob ids: what a diff of two corpora is keyed by. */
  files: SourceFile[];
  instruments: Instrument[];
  diagnostics: Diagnostic[];
  index: CorpusIndex;
  /** Files read, and how many came from the cache. */
  stats: { files: number; bytes: number; cached: number };
}

export interface Session {
  repo: GitRepo;
  ctx: Context;
  cache: JsonCache | undefined;
  /** Parses of this run, by path and blob: a history walk reads each version once. */
  memo: Map<string, ParsedFile>;
  /** Results of later stages (citations, …) of this run, by cache key: a history walk computes each once. */
  derived: Map<string, unknown>;
  close(): void;
}

export async function openSession(ctx: Context): Promise<Session> {
  const repo = await GitRepo.open(ctx.repo);
  const cache = ctx.useCache === false ? undefined : new JsonCache(ctx.cacheDir !== undefined ? path.resolve(repo.root, ctx.cacheDir) : defaultCacheDir(repo.gitDir));
  return { repo, ctx, cache, memo: new Map(), derived: new Map(), close: () => repo.close() };
}

/** The default cache folder: inside the git directory, invisible to the work tree and to git. */
export function defaultCacheDir(gitDir: string): string {
  return path.join(gitDir, 'regpress', 'cache');
}

/** Resolves a user's `--at`: undefined means the work tree, YYYY-MM-DD the law in force that day. */
export async function resolveRevision(session: Session, at: string | undefined): Promise<Revision> {
  return resolveAt(session.repo, session.ctx.corpus, at);
}

function cacheKey(file: string, blob: string): string {
  return createHash('sha1').update(`parse-${parserFingerprint()}\0${file}\0${blob}`).digest('hex');
}

/**
 * Parses files (path + blob) through the run's memo and the disk cache;
 * `read` supplies the bytes of those that are in neither.
 */
export async function parseFiles(session: Session, files: readonly SourceFile[], read: (fs: readonly SourceFile[]) => Promise<Map<string, Uint8Array>>): Promise<{ results: Map<string, ParsedFile>; cached: number }> {
  const { ctx, cache, memo } = session;
  const results = new Map<string, ParsedFile>();
  const missing: SourceFile[] = [];
  let cached = 0;
  const maxBytes = ctx.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  for (const f of files) {
    if (f.size > maxBytes) {
      // refused on its size alone, before a byte is read
      results.set(f.path, {
        instrument: undefined,
        diagnostics: [{ file: f.path, line: 1, column: 1, severity: 'error', rule: 'file-too-large', message: `file is ${f.size} bytes; the limit is ${maxBytes} bytes` }],
      });
      continue;
    }
    const key = cacheKey(f.path, f.blob);
    const hit = memo.get(key) ?? (cache ? await cache.get<ParsedFile>(key) : undefined);
    if (hit) {
      memo.set(key, hit);
      results.set(f.path, hit);
      cached++;
    } else missing.push(f);
  }
  if (missing.length > 0) {
    // in worker threads with a time and memory limit (parse-pool.ts); loaded only on a cache miss
    const { parseBounded, TRANSIENT_PARSE_RULES } = await import('./parse-pool.js');
    const contents = await read(missing);
    const parsedAll = await parseBounded(
      missing.map((f) => ({ file: f.path, bytes: contents.get(f.blob) ?? new Uint8Array() })),
      ctx.limits,
    );
    for (const [i, f] of missing.entries()) {
      const parsed = parsedAll[i] as ParsedFile;
      const key = cacheKey(f.path, f.blob);
      memo.set(key, parsed);
      results.set(f.path, parsed);
      if (cache && !parsed.diagnostics.some((d) => TRANSIENT_PARSE_RULES.has(d.rule))) await cache.put(key, parsed);
    }
  }
  return { results, cached };
}

/** One version of one file, from git, through the caches. */
export async function loadVersion(session: Session, file: SourceFile): Promise<ParsedFile> {
  const { results } = await parseFiles(session, [file], (fs) => session.repo.readBlobs(fs.map((f) => f.blob)));
  return results.get(file.path) as ParsedFile;
}

export async function loadCorpus(session: Session, revision: Revision): Promise<Corpus> {
  const reader = await openCorpus(session.repo, session.ctx.corpus, revision);
  const { results, cached } = await parseFiles(session, reader.files, reader.read);
  const instruments: Instrument[] = [];
  const diagnostics: Diagnostic[] = [...(reader.refused ?? [])];
  for (const f of reader.files) {
    const r = results.get(f.path);
    if (!r) continue;
    diagnostics.push(...r.diagnostics);
    if (r.instrument) instruments.push(r.instrument);
  }
  const { index, diagnostics: indexDiagnostics } = buildIndex(instruments);
  diagnostics.push(...indexDiagnostics);
  return {
    revision,
    files: reader.files,
    instruments,
    diagnostics: sortDiagnostics(diagnostics),
    index,
    stats: { files: reader.files.length, bytes: reader.files.reduce((n, f) => n + f.size, 0), cached },
  };
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)));
}
