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
