/**
 * The output folder's generations: a folder from before generations (flat
 * pdf/, html/, … and manifest.json) is taken over on its first build, and a
 * folder that holds files of those names that are not regpress's is never
 * touched.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';
import { smallCorpus } from '../support/small-corpus.js';

describe('the output folder', () => {
  const repo = makeTempRepo();
  repo.commit(smallCorpus(), 'initial texts', '2024-01-10T00:00:00+09:00');

  it('takes over a flat output folder of an earlier regpress: same files, now as a generation with links', { timeout: 120_000 }, async () => {
    expect((await runCli(['build', '--out', 'flat'], { cwd: repo.dir })).code).toBe(0);
    const flat = path.join(repo.dir, 'flat');
    const pdf = readFileSync(path.join(flat, 'pdf/ps-row-7.pdf'));
    // make it what regpress wrote before generations: real folders, no generations, no current
    execFileSync('sh', ['-c', 'for n in pdf html feeds site manifest.json; do rm "$n"; cp -r "current/$n" "$n"; done; rm -r current generations'], { cwd: flat });
    expect(lstatSync(path.join(flat, 'pdf')).isDirectory()).toBe(true);
    const r = await runCli(['build', '--out', 'flat'], { cwd: repo.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const n of ['pdf', 'html', 'feeds', 'site', 'manifest.json']) expect(readlinkSync(path.join(flat, n))).toBe(`current/${n}`);
    expect(readlinkSync(path.join(flat, 'current'))).toMatch(/^generations\/\d{6}$/);
    expect(readFileSync(path.join(flat, 'pdf/ps-row-7.pdf')).equals(pdf)).toBe(true);
    expect(r.stdout).toMatch(/0 of 3 publications regenerated/);
  });

  it('refuses a folder whose pdf/ or site/ is not regpress’s, and moves nothing in it', { timeout: 120_000 }, async () => {
    const mine = path.join(repo.dir, 'mine');
    mkdirSync(path.join(mine, 'site'), { recursive: true });
    writeFileSync(path.join(mine, 'site', 'index.html'), '<p>my own site</p>');
    const r = await runCli(['build', '--out', 'mine'], { cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mine is not a regpress output folder: it has site but no regpress manifest; regpress will not move them/);
    expect(readFileSync(path.join(mine, 'site', 'index.html'), 'utf8')).toBe('<p>my own site</p>');
    expect(existsSync(path.join(mine, 'generations'))).toBe(false);
    expect(existsSync(path.join(mine, 'current'))).toBe(false);
    rmSync(mine, { recursive: true });
  });

  it('the lock names its holder by process, start time and host: a reused process number does not hold it, another host does', { timeout: 120_000 }, async () => {
    expect((await runCli(['build'], { cwd: repo.dir })).code).toBe(0);
    const lock = path.join(repo.dir, 'output', '.regpress-build.lock');
    const host = hostname();
    // a live process number with another start time: the holder died and the number was reused
    writeFileSync(lock, `${process.pid} 1 ${host}\n`);
    const taken = await runCli(['build'], { cwd: repo.dir });
    expect(taken.code, taken.stdout + taken.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    // the same process with its real start time holds it
    const start = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
    writeFileSync(lock, `${process.pid} ${start} ${host}\n`);
    const held = await runCli(['build'], { cwd: repo.dir });
    expect(held.code).toBe(1);
    expect(held.stderr).toContain(`is being built by process ${process.pid} (lock file`);
    // another host: nothing can be told from here, so it holds, and the message says where
    writeFileSync(lock, `999999 12345 build-server-2\n`);
    const there = await runCli(['build'], { cwd: repo.dir });
    expect(there.code).toBe(1);
    expect(there.stderr).toContain('is being built by process 999999 on build-server-2 (lock file');
    // a lock of the older form, a bare number of a process that is gone: taken over
    const dead = Number(execFileSync('node', ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    writeFileSync(lock, `${dead}\n`);
    expect((await runCli(['build'], { cwd: repo.dir })).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});
