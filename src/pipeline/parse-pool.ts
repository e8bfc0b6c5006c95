/**
 * Parsing with a bound on time and memory. Markdown parsing (micromark)
 * is linear for ordinary text, but not for every input: deep nesting and
 * long runs of brackets are refused by cheap pre-scans before parsing, and
 * whatever those do not foresee is stopped here. Each file is parsed in a
 * worker thread with a memory limit; a file that takes longer than the time
 * limit has its worker terminated and comes back as a `parse-time-limit`
 * error at line 1, and the other files go on in a fresh worker. Two workers
 * parse at once, which also uses both cores of a cold history walk.
 *
 * The compiled code runs the workers; under a TypeScript test runner (this
 * module loaded from .ts) the worker script cannot be loaded, and files are
 * parsed in the calling thread, with the time checked after each file.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_LIMITS, type SourceLimits } from '../load/decode.js';
import type { Diagnostic } from '../model/types.js';
import { parseBounds, type ParseBounds } from './parse-bounds.js';
import type { ParsedFile } from './parse-file.js';

/** Refusals that say more about this run than about the file: never cached, tried again next run. */
export const TRANSIENT_PARSE_RULES: ReadonlySet<string> = new Set(['parse-time-limit', 'parse-memory-limit', 'parse-failed']);

export interface ParseJob {
  file: string;
  bytes: Uint8Array;
}

function refused(file: string, rule: string, message: string): ParsedFile {
  const d: Diagnostic = { file, line: 1, column: 1, severity: 'error', rule, message };
  return { instrument: undefined, diagnostics: [d] };
}

const WORKER_URL = new URL('./parse-worker.js', import.meta.url);
const IN_TYPESCRIPT = import.meta.url.endsWith('.ts');

/** Idle workers kept between calls (a history walk parses a few files per revision); unreferenced, so they never keep the process alive. */
const idle: Worker[] = [];
let idleBounds = '';

/** Workers that have loaded their modules (they say so once). */
const ready = new WeakMap<Worker, Promise<void>>();

function spawn(bounds: ParseBounds): Worker {
  const w = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: bounds.memoryMb } });
  ready.set(
    w,
    new Promise<void>((resolve) => {
      const on = (m: { ready?: boolean }) => {
        if (!m.ready) return;
        w.off('message', on);
        resolve();
      };
      w.on('message', on);
      // a worker that dies while starting is reported by the first job's error or exit handler
      w.once('error', () => resolve());
      w.once('exit', () => resolve());
    }),
  );
  w.unref();
  return w;
}

/**
 * Starts a worker ahead of need, and has it parse `jobs` once, results
 * unused: the editors' preview then neither waits for the parser to load
 * nor parses an edited file cold (the Markdown chunk cache lives in the
 * worker, and a one-line edit re-parses only the chunks it touched).
 */
export function warmParsePool(jobs: readonly ParseJob[] = [], limits: SourceLimits = DEFAULT_LIMITS, bounds: ParseBounds = parseBounds()): void {
  if (IN_TYPESCRIPT || idle.length > 0) return;
  idleBounds = `${bounds.timeMs}/${bounds.memoryMb}`;
  const w = spawn(bounds);
  idle.push(w);
  for (const j of jobs) w.postMessage({ id: -1, file: j.file, bytes: j.bytes, limits });
}

/** Parses files, each within the bounds; the results are in the order of the jobs. */
export async function parseBounded(jobs: readonly ParseJob[], limits: SourceLimits = DEFAULT_LIMITS, bounds: ParseBounds = parseBounds()): Promise<ParsedFile[]> {
  if (jobs.length === 0) return [];
  if (IN_TYPESCRIPT) return parseHere(jobs, limits, bounds);
  const key = `${bounds.timeMs}/${bounds.memoryMb}`;
  if (key !== idleBounds) {
    for (const w of idle.splice(0)) void w.terminate();
    idleBounds = key;
  }
  const results: ParsedFile[] = new Array(jobs.length);
  let next = 0;
  const lanes = Math.max(1, Math.min(jobs.length, Math.min(2, availableParallelism())));
  const run = async () => {
    let w = idle.pop() ?? spawn(bounds);
    try {
      for (let i = next++; i < jobs.length; i = next++) {
        const job = jobs[i] as ParseJob;
        const outcome = await parseOne(w, i, job, limits, bounds);
        results[i] = outcome.result;
        if (outcome.lost) w = spawn(bounds); // the worker was terminated or died: a fresh one for the rest
      }
    } finally {
      idle.push(w);
    }
  };
  await Promise.all(Array.from({ length: lanes }, run));
  return results;
}

async function parseOne(w: Worker, id: number, job: ParseJob, limits: SourceLimits, bounds: ParseBounds): Promise<{ result: ParsedFile; lost: boolean }> {
  w.ref();
  await ready.get(w);
  return new Promise((resolve) => {
    const done = (result: ParsedFile, lost: boolean) => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      w.unref();
      if (lost) void w.terminate();
      resolve({ result, lost });
    };
    const onMessage = (m: { id: number; ok: boolean; result?: ParsedFile; error?: string }) => {
      if (m.id !== id) return;
      done(m.ok && m.result ? m.result : refused(job.file, 'parse-failed', `the parser failed on this file: ${(m.error ?? 'no result').split('\n')[0] ?? ''}`), false);
    };
    const onError = (e: Error & { code?: string }) => {
      done(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? refused(job.file, 'parse-memory-limit', `parsing needed more than ${bounds.memoryMb} MB of memory; simplify the file (split it, or reduce nesting and markup)`)
          : refused(job.file, 'parse-failed', `the parser failed on this file: ${e.message.split('\n')[0] ?? ''}`),
        true,
      );
    };
    const onExit = () => done(refused(job.file, 'parse-failed', 'the parser stopped on this file'), true);
    const timer = setTimeout(() => done(refused(job.file, 'parse-time-limit', `parsing took longer than ${bounds.timeMs / 1000} s and was stopped; simplify the file (split it, or reduce nesting and markup)`), true), bounds.timeMs);
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.postMessage({ id, file: job.file, bytes: job.bytes, limits });
  });
}

/** Under a TypeScript runner: in this thread, one file after another, each checked against the time limit once done. */
async function parseHere(jobs: readonly ParseJob[], limits: SourceLimits, bounds: ParseBounds): Promise<ParsedFile[]> {
  const { parseSourceFile } = await import('./parse-file.js');
  return jobs.map((j) => {
    const started = performance.now();
    const r = parseSourceFile(j.file, j.bytes, limits);
    return performance.now() - started > bounds.timeMs ? refused(j.file, 'parse-time-limit', `parsing took longer than ${bounds.timeMs / 1000} s; simplify the file (split it, or reduce nesting and markup)`) : r;
  });
}
