/**
 * A content-addressed JSON cache on disk. Keys are hashes of everything the
 * value depends on (parser version, blob id), so entries never go stale and
 * need no invalidation. Writes are atomic (temp file + rename): a killed run
 * leaves either the old entry or the new one, never half of one.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class JsonCache {
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  private file(key: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new Error(`invalid cache key ${key}`);
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as T;
    } catch {
      // missing or unreadable (e.g. written by a run killed before rename): recompute
      return undefined;
    }
  }

  async put(key: string, value: unknown): Promise<void> {
    const f = this.file(key);
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.ready;
    await mkdir(path.dirname(f), { recursive: true });
    const tmp = `${f}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(value));
      await rename(tmp, f);
    } catch {
      // a cache that cannot be written is only slower, never wrong
    }
  }
}
