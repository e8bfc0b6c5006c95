/**
 * The worker side of the parse pool: parses one file per message. Runs in a
 * worker thread so that a file the pre-scan guards did not foresee cannot
 * hold the build beyond its time limit or take its memory (see parse-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { SourceLimits } from '../load/decode.js';
import { parseSourceFile } from './parse-file.js';

interface Job {
  id: number;
  file: string;
  bytes: Uint8Array;
  limits: SourceLimits | undefined;
}

parentPort?.on('message', (job: Job) => {
  try {
    parentPort?.postMessage({ id: job.id, ok: true, result: parseSourceFile(job.file, job.bytes, job.limits) });
  } catch (e) {
    parentPort?.postMessage({ id: job.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

// the modules are loaded: the time limit of the first file starts now, not while the worker was starting
parentPort?.postMessage({ ready: true });
