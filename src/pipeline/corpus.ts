/**
 * Loading a whole corpus at a revision: list the files, take each parse from
 * the cache by content, parse the rest, and check what spans files.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { JsonCache } from '../load/cache.js';
import { openCorpus, type Revision } from '../load/corpus.js';
import { GitRepo } from '../load/git.js';
import { buildIndex, type CorpusIndex } from '../model/locate.js';
import type { Diagnostic, Instrument } from '../model/types.js';
import type { Context } from './context.js';
import { resolveAt } from './revision.js';
import type { ParsedFile } from './parse-file.js';
import { PARSER_VERSION } from './parser-version.js';

export interface Corpus {
  revision: Revision;
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
  close(): void;
}

export async function openSession(ctx: Context): Promise<Session> {
  const repo = await GitRepo.open(ctx.repo);
  const cache = ctx.useCache === false ? undefined : new JsonCache(ctx.cacheDir !== undefined ? path.resolve(repo.root, ctx.cacheDir) : defaultCacheDir(repo.gitDir));
  return { repo, ctx, cache, close: () => repo.close() };
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
  return createHash('sha1').update(`parse-v${PARSER_VERSION}\0${file}\0${blob}`).digest('hex');
}

export async function loadCorpus(session: Session, revision: Revision): Promise<Corpus> {
  const { ctx, cache } = session;
  const reader = await openCorpus(session.repo, ctx.corpus, revision);
  const results = new Map<string, ParsedFile>();
  const missing = [];
  let cached = 0;
  for (const f of reader.files) {
    const hit = cache ? await cache.get<ParsedFile>(cacheKey(f.path, f.blob)) : undefined;
    if (hit) {
      results.set(f.path, hit);
      cached++;
    } else missing.push(f);
  }
  if (missing.length > 0) {
    // loaded only on a cache miss: unified, remark and yaml are a third of a warm run's start-up
    const { parseSourceFile } = await import('./parse-file.js');
    const contents = await reader.read(missing);
    for (const f of missing) {
      const parsed = parseSourceFile(f.path, contents.get(f.blob) ?? new Uint8Array(), ctx.limits);
      results.set(f.path, parsed);
      if (cache) await cache.put(cacheKey(f.path, f.blob), parsed);
    }
  }
  const instruments: Instrument[] = [];
  const diagnostics: Diagnostic[] = [];
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
    instruments,
    diagnostics: sortDiagnostics(diagnostics),
    index,
    stats: { files: reader.files.length, bytes: reader.files.reduce((n, f) => n + f.size, 0), cached },
  };
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)));
}
