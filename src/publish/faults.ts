/**
 * Fault injection, for the crash tests: named checkpoints where a test can
 * have the process killed (SIGKILL, as `kill -9` or a power cut would) or a
 * write fail with "disk full". Off unless the environment asks for it.
 *
 *   REGPRESS_CRASH_AT=<point>[:<n>]   SIGKILL at the n-th time (default 1st) the point is reached
 *   REGPRESS_FAIL_WRITE_AT=<n>        the n-th file write fails with ENOSPC, half written
 *
 * The points, in the order a build reaches them:
 *   file:write            before each file of the new generation is written (n counts files)
 *   pdf:mid-write         half of a PDF's bytes are on disk, in its temporary file
 *   generation:complete   every file of the new generation is written, before it is named
 *   swap:before           the generation is named, `current` still points to the previous one
 *   swap:after            `current` points to the new generation, before the old ones are pruned
 *   send:accepted         the SMTP server accepted a message, before the ledger says so
 */

const counts = new Map<string, number>();

function crashSpec(): { point: string; n: number } | undefined {
  const spec = process.env.REGPRESS_CRASH_AT;
  if (!spec) return undefined;
  const m = /^([a-z-]+:[a-z-]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new Error(`REGPRESS_CRASH_AT="${spec}" is not <point>[:<n>]`);
  return { point: m[1] as string, n: m[2] ? Number(m[2]) : 1 };
}

/** Kills this process, with no chance to clean up, when a test asked for a crash here. */
export function checkpoint(point: string): void {
  const spec = crashSpec();
  if (!spec || spec.point !== point) return;
  const seen = (counts.get(point) ?? 0) + 1;
  counts.set(point, seen);
  if (seen === spec.n) process.kill(process.pid, 'SIGKILL');
}

let writes = 0;

/** An ENOSPC error for the write a test asked to fail, or undefined. */
export function injectedWriteFault(file: string): NodeJS.ErrnoException | undefined {
  const at = process.env.REGPRESS_FAIL_WRITE_AT;
  if (!at) return undefined;
  writes++;
  if (writes !== Number(at)) return undefined;
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC', errno: -28, syscall: 'write', path: file });
}
