/**
 * `regpress serve --watch` as editors run it (the compiled CLI in a child
 * process): an edit is shown at once by the quick preview, which writes
 * under the build lock: while another build holds the lock the preview does
 * not write, and the next edit after it is released is shown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { makeTempRepo } from '../support/repo.js';
import { ordinance, smallCorpus } from '../support/small-corpus.js';

const BIN = path.join(REPO_ROOT, 'bin', 'regpress.js');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('serve --watch', () => {
  it('shows an edit at once, and does not write while another build holds the lock', { timeout: 180_000 }, async () => {
    const repo = makeTempRepo();
    repo.commit(smallCorpus(), 'initial texts', '2024-01-10T00:00:00+09:00');
    const child = spawn(process.execPath, [BIN, 'serve', '--watch', '--port', '0'], { cwd: repo.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await until('the server', () => /at (http:\/\/\S+)/.test(out));
    const url = (/at (http:\/\/\S+)/.exec(out) as RegExpExecArray)[1] as string;
    const page = async () => (await fetch(`${url}/instruments/403M50000400049.html`)).text();
    expect(await page()).toContain('一二五度');

    // another build holds the lock (this test process stands in for it): the preview writes nothing
    const lock = path.join(repo.dir, 'output', '.regpress-build.lock');
    writeFileSync(lock, `${process.pid}\n`);
    const before = err.length;
    writeFileSync(path.join(repo.dir, 'regulations/jp/403M50000400049.md'), ordinance('一三〇'));
    await until('the rebuild to give up on the lock', () => err.slice(before).includes(`being built by process ${process.pid}`));
    expect(await page()).toContain('一二五度');
    expect(err.slice(before)).not.toMatch(/pages? rebuilt/);

    // released: the next edit is shown by the quick preview, then the full build publishes
    rmSync(lock);
    const mark = err.length;
    writeFileSync(path.join(repo.dir, 'regulations/jp/403M50000400049.md'), ordinance('一四〇'));
    await until('the quick preview', () => /pages? rebuilt in \d+ ms/.test(err.slice(mark)));
    expect(await page()).toContain('一四〇度');
    await until('the full build to release the lock', () => !existsSync(lock) && readFileSync(path.join(repo.dir, 'output', 'manifest.json'), 'utf8').includes('+worktree'), 60_000);
    expect(err).not.toMatch(/internal error/);
  });
});
