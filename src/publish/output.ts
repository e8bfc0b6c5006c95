/**
 * Writing into the output folder: each file is written beside its final
 * name, flushed to disk and renamed into place, so a reader (or a killed
 * build) never sees a half-written file, and a file shared by hard link with
 * an earlier generation is replaced, never changed in place.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
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

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  checkpoint('file:write');
  await writeDurable(file, data, true);
}

async function writeDurable(file: string, data: Uint8Array | string, faults: boolean): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
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

/**
 * A single writer for a folder: the lock file is made by hard-linking a
 * complete temporary file into place (atomic, and never half-written), and
 * names the holder's process. A second writer fails at once, naming it; the
 * lock of a process that no longer runs (killed) is taken over.
 */
export async function lockFolder(dir: string, name: string, doing: string): Promise<() => Promise<void>> {
  const { link, readFile: read } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
  await writeDurable(tmp, `${process.pid}\n`, false);
  try {
    for (let tries = 0; ; tries++) {
      try {
        await link(tmp, file);
        return () => rm(file, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 1) throw new Error(`cannot lock ${dir}`, { cause: e });
      }
      const holder = Number.parseInt(await read(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && isAlive(holder)) throw new LockedError(holder, `${dir} is ${doing} by process ${holder} (lock file ${file}); try again when it has finished`);
      await rm(file, { force: true });
    }
  } finally {
    await rm(tmp, { force: true });
  }
}
