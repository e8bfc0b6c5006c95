/**
 * Writing into the output folder: each file is written beside its final
 * name and renamed into place, so a reader (or a killed build) never sees a
 * half-written PDF; the manifest is written last, so it never names a file
 * that is not there yet.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw new Error(`cannot write ${file}`, { cause: e });
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
  await writeFileAtomic(tmp, `${process.pid}\n`);
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
