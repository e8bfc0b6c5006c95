/**
 * Writing into the output folder: each file is written beside its final
 * name, flushed to disk and renamed into place, so a reader (or a killed
 * build) never sees a half-written file, and a file shared by hard link with
 * an earlier generation is replaced, never changed in place.
 */
import { readFileSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { checkpoint, injectedWriteFault } from './faults.js';

/** A file of the output could not be written; `code` is the system's (ENOSPC when the disk is full). */
export class OutputWriteError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`${code === 'ENOSPC' || code === 'EDQUOT' ? 'disk full while writing' : 'cannot write'} ${file}${code && code !== 'ENOSPC' && code !== 'EDQUOT' ? ` (${code})` : ''}`, { cause });
    this.name = 'OutputWriteError';
    this.code = code;
  }
}

/** A file of the output: written durably, at the `file:write` crash point. */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  checkpoint('file:write');
  await writeDurable(file, data, true);
}

/** Makes the renames into a folder durable; a platform that cannot open folders for syncing (Windows) has nothing to sync. */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch (e) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes((e as NodeJS.ErrnoException).code ?? '')) return;
    throw e;
  }
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A file written durably and renamed into place (the outbox's entries and messages): no crash point, the write fault still applies. */
export async function writeFileDurably(file: string, data: Uint8Array | string): Promise<void> {
  await writeDurable(file, data, true);
}

/** Temporary names are unique within the process too: two writes of one file at once never share one. */
let tempCounter = 0;

async function writeDurable(file: string, data: Uint8Array | string, faults: boolean): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${tempCounter++}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const fault = faults ? injectedWriteFault(file) : undefined;
    if (fault || (faults && file.endsWith('.pdf') && process.env.REGPRESS_CRASH_AT)) {
      // half on disk, then the fault: what a full disk or a kill in the middle of a PDF leaves
      const half = bytes.length >> 1;
      await fh.write(bytes, 0, half);
      if (fault) throw fault;
      checkpoint('pdf:mid-write');
      await fh.write(bytes, half, bytes.length - half);
    } else {
      await fh.writeFile(bytes);
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw new OutputWriteError(file, e);
  }
  await fh.close();
  await rename(tmp, file);
}

/** Another live process holds the lock of a folder. */
export class LockedError extends Error {
  constructor(
    readonly holder: number,
    message: string,
  ) {
    super(message);
    this.name = 'LockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started, in clock ticks since boot (Linux /proc), or undefined where that cannot be read. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)": state is field 3, starttime field 22
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** What a lock file says of its holder: `pid start host`, or a bare pid (older locks). */
interface Holder {
  pid: number;
  start: string | undefined;
  host: string | undefined;
}

function parseHolder(text: string): Holder | undefined {
  const [pid, start, host] = text.trim().split(/\s+/);
  const n = Number.parseInt(pid ?? '', 10);
  if (!Number.isInteger(n) || n <= 0) return undefined;
  return { pid: n, start: start === undefined || start === '-' ? undefined : start, host };
}

/**
 * Whether the holder may still be running. On another host nothing can be
 * told, so it is taken as running. Here, a process with that number must
 * exist and, where /proc tells, have started when the holder did: a number
 * reused by a later process does not keep a dead build's lock.
 */
function holderRunning(h: Holder): boolean {
  if (h.host !== undefined && h.host !== hostname()) return true;
  if (!isAlive(h.pid)) return false;
  const now = processStart(h.pid);
  return h.start === undefined || now === undefined || now === h.start;
}

/**
 * A single writer for a folder: the lock file is made by hard-linking a
 * complete temporary file into place (atomic, and never half-written), and
 * names the holder: process id, its start time and the host. A second writer
 * fails at once, naming it. The lock of a process that no longer runs
 * (killed) is taken over: it is renamed away first, and only if what was
 * renamed is the lock judged dead is it removed, so two writers taking over
 * the same dead lock cannot remove each other's new one.
 */
export async function lockFolder(dir: string, name: string, doing: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
  await writeDurable(tmp, `${process.pid} ${processStart(process.pid) ?? '-'} ${hostname()}\n`, false);
  try {
    for (let tries = 0; ; tries++) {
      try {
        await link(tmp, file);
        return () => rm(file, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 3) throw new Error(`cannot lock ${dir}`, { cause: e });
      }
      const text = await readFile(file, 'utf8').catch(() => '');
      const holder = parseHolder(text);
      if (holder && holderRunning(holder)) {
        const where = holder.host !== undefined && holder.host !== hostname() ? ` on ${holder.host}` : '';
        throw new LockedError(holder.pid, `${dir} is ${doing} by process ${holder.pid}${where} (lock file ${file}); try again when it has finished`);
      }
      const aside = path.join(dir, `.${name}.stale.${process.pid}.tmp`);
      try {
        await rename(file, aside);
      } catch {
        continue; // gone already: another writer took it over or its holder finished
      }
      const moved = await readFile(aside, 'utf8').catch(() => '');
      // what was moved is a newer lock (another writer took the dead one over first): put it back
      if (moved !== text) await link(aside, file).catch(() => undefined);
      await rm(aside, { force: true });
    }
  } finally {
    await rm(tmp, { force: true });
  }
}
