/**
 * Crash safety of publishing (P3, P4, P5, P15): a real `regpress build`
 * process is killed with SIGKILL at each injected point (src/publish/faults.ts),
 * or its N-th write fails with ENOSPC. After each, the output folder still
 * holds the previous generation whole (its manifest verifies, the portal
 * serves it), no staging leftovers are visible, and the next build succeeds
 * and gives exactly the bytes of a clean build. Every build here is the
 * compiled CLI in a child process, as users run it (the renderer's code is
 * part of each publication's input hash, and the compiled code is not the
 * TypeScript vitest runs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSite } from '../../src/publish/server.js';
import { REPO_ROOT } from '../support/paths.js';
import { firstDifference, readOutput } from '../support/output-tree.js';
import { makeTempRepo, type TempRepo } from '../support/repo.js';
import { smallCorpus } from '../support/small-corpus.js';

const BIN = path.join(REPO_ROOT, 'bin', 'regpress.js');

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The manifest of the current output names files that are all there with their sha256, and nothing temporary is visible. */
function verifyManifest(outDir: string): void {
  const m = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as { publications: { files: { path: string; sha256: string }[] }[]; feeds: { path: string; sha256: string }[] };
  const files = [...m.publications.flatMap((p) => p.files), ...m.feeds];
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) expect(sha(readFileSync(path.join(outDir, f.path))), f.path).toBe(f.sha256);
  expect(readdirSync(path.join(outDir, 'current'), { recursive: true }).filter((n) => String(n).endsWith('.tmp'))).toEqual([]);
}

async function servable(outDir: string): Promise<void> {
  const server = await serveSite({ root: path.join(outDir, 'site'), port: 0 });
  try {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<html');
    const pdf = await fetch(`${server.url}/pdf/ps-row-7.pdf`);
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).equals(readFileSync(path.join(outDir, 'pdf', 'ps-row-7.pdf')))).toBe(true);
  } finally {
    await server.close();
  }
}

function runBuild(cwd: string, env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'build'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const current = (outDir: string) => readlinkSync(path.join(outDir, 'current'));

describe('crash safety of a build', () => {
  let repo: TempRepo;
  let template: string;
  let before: Map<string, Buffer>;
  let clean: Map<string, Buffer>;
  const copies: string[] = [];
  /** A fresh copy of the repository as it was before the crash: gen 1 published, an amendment committed and not yet built. */
  const fresh = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'regpress-crash-'));
    copies.push(dir);
    execFileSync('cp', ['-a', `${template}/.`, dir]);
    return dir;
  };

  beforeAll(async () => {
    repo = makeTempRepo();
    repo.commit(smallCorpus('一二五'), 'initial texts', '2024-01-10T00:00:00+09:00');
    expect((await runBuild(repo.dir, {})).code).toBe(0);
    repo.commit(smallCorpus('一五〇'), 'amend 第六条第一号ロ', '2024-06-01T00:00:00+09:00');
    template = repo.dir;
    before = readOutput(path.join(repo.dir, 'output'));
    // the reference: a clean build of the amended commit into an empty folder
    const ref = fresh();
    rmSync(path.join(ref, 'output'), { recursive: true });
    expect((await runBuild(ref, {})).code).toBe(0);
    clean = readOutput(path.join(ref, 'output'));
    expect(firstDifference(before, clean)).toBeDefined();
  }, 120_000);
  afterAll(() => {
    for (const d of copies) rmSync(d, { recursive: true, force: true });
  });

  const points: [string, 'old' | 'new'][] = [
    ['file:write:1', 'old'],
    ['file:write:4', 'old'],
    ['pdf:mid-write', 'old'],
    ['generation:complete', 'old'],
    ['swap:before', 'old'],
    ['swap:after', 'new'],
  ];
  it.each(points)('killed at %s: the %s output is whole and servable, and the next build equals a clean one', { timeout: 120_000 }, async (point, which) => {
    const dir = fresh();
    const outDir = path.join(dir, 'output');
    const gen = current(outDir);
    const r = await runBuild(dir, { REGPRESS_CRASH_AT: point });
    expect(r.signal, r.stderr).toBe('SIGKILL');

    const after = readOutput(outDir);
    expect(firstDifference(after, which === 'old' ? before : clean)).toBeUndefined();
    if (which === 'old') expect(current(outDir)).toBe(gen);
    else expect(current(outDir)).not.toBe(gen);
    verifyManifest(outDir);
    await servable(outDir);

    const next = await runBuild(dir, {});
    expect(next.code, next.stderr).toBe(0);
    expect(firstDifference(readOutput(outDir), clean)).toBeUndefined();
    // the killed build's staging folder and temporary link are gone
    expect(readdirSync(path.join(outDir, 'generations')).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(readdirSync(outDir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it.each([1, 3, 9])('disk full at write %i: exit 4 naming the file, the previous output unchanged, staging removed; the next build succeeds', { timeout: 120_000 }, async (n) => {
    const dir = fresh();
    const outDir = path.join(dir, 'output');
    const gen = current(outDir);
    const r = await runBuild(dir, { REGPRESS_FAIL_WRITE_AT: String(n) });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^regpress: disk full while writing (pdf|html|feeds|site)\/\S+; nothing was published, the previous output is unchanged\n$/);
    expect(current(outDir)).toBe(gen);
    expect(firstDifference(readOutput(outDir), before)).toBeUndefined();
    expect(readdirSync(path.join(outDir, 'generations')).filter((n) => n.startsWith('.'))).toEqual([]);
    verifyManifest(outDir);

    const next = await runBuild(dir, {});
    expect(next.code, next.stderr).toBe(0);
    expect(firstDifference(readOutput(outDir), clean)).toBeUndefined();
  });

  it('a re-run with nothing changed publishes nothing: the same generation stays current, no file is replaced', { timeout: 120_000 }, async () => {
    const dir = fresh();
    const outDir = path.join(dir, 'output');
    expect((await runBuild(dir, {})).code).toBe(0);
    const gen = current(outDir);
    const inode = lstatSync(path.join(outDir, 'current', 'pdf', 'ps-row-7.pdf')).ino;
    const again = await runBuild(dir, {});
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`nothing changed: generation ${path.basename(gen)} stays current`);
    expect(current(outDir)).toBe(gen);
    expect(lstatSync(path.join(outDir, 'current', 'pdf', 'ps-row-7.pdf')).ino).toBe(inode);
    expect(readdirSync(path.join(outDir, 'generations')).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('two builds at once (P9)', () => {
  it('never interleave: of two builds started together, one publishes and the other stops naming it or finds nothing left to do', { timeout: 180_000 }, async () => {
    const repo = makeTempRepo();
    repo.commit(smallCorpus('一二五'), 'initial texts', '2024-01-10T00:00:00+09:00');
    expect((await runBuild(repo.dir, {})).code).toBe(0);
    const outDir = path.join(repo.dir, 'output');
    for (const [i, d] of ['一三〇', '一四〇', '一五〇'].entries()) {
      repo.commit(smallCorpus(d), `amend ${i}`, `2024-0${i + 2}-01T00:00:00+09:00`);
      const gen = current(outDir);
      const [a, b] = await Promise.all([runBuild(repo.dir, {}), runBuild(repo.dir, {})]);
      const published = [a, b].filter((r) => r.code === 0 && /^generation \d+ published$/m.test(r.stdout));
      expect(published, `${a.stdout}${a.stderr}\n---\n${b.stdout}${b.stderr}`).toHaveLength(1);
      const other = published[0] === a ? b : a;
      if (other.code === 0) expect(other.stdout).toMatch(/^nothing changed: generation \d+ stays current$/m);
      else {
        expect(other.code).toBe(1);
        expect(other.stderr).toMatch(/is being built by process \d+ \(lock file .*\.regpress-build\.lock\)/);
      }
      expect(current(outDir)).not.toBe(gen);
      verifyManifest(outDir);
      expect(existsSync(path.join(outDir, '.regpress-build.lock'))).toBe(false);
    }
  });
});

describe('readers during publishing (P3)', () => {
  it('a portal read in a loop while six generations are published answers every request from one whole generation, never 404', { timeout: 180_000 }, async () => {
    const { runCli } = await import('../support/cli.js');
    const repo = makeTempRepo();
    repo.commit(smallCorpus('一二五'), 'initial texts', '2024-01-10T00:00:00+09:00');
    expect((await runCli(['build'], { cwd: repo.dir })).code).toBe(0);
    const outDir = path.join(repo.dir, 'output');
    const paths = ['pdf/ps-row-7.pdf', 'feeds/all.atom', 'index.html', 'instruments/403M50000400049.html'];
    const seen = new Map<string, Set<string>>(paths.map((p) => [p, new Set<string>()]));
    const record = () => {
      const snap = readOutput(outDir);
      for (const p of paths) seen.get(p)?.add(sha(snap.get(`site/${p}`) as Buffer));
    };
    record();
    const server = await serveSite({ root: path.join(outDir, 'site'), port: 0 });
    const answers: { path: string; status: number; sha: string }[] = [];
    let publishing = true;
    const reader = (async () => {
      for (let i = 0; publishing; i++) {
        const p = paths[i % paths.length] as string;
        const res = await fetch(`${server.url}/${p}`);
        answers.push({ path: p, status: res.status, sha: sha(Buffer.from(await res.arrayBuffer())) });
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      const degrees = ['一三〇', '一三五', '一四〇', '一四五', '一五〇', '一五五'];
      for (const [i, d] of degrees.entries()) {
        repo.commit(smallCorpus(d), `amend ${i}`, `2024-0${i + 2}-01T00:00:00+09:00`);
        const r = await runCli(['build'], { cwd: repo.dir });
        expect(r.code, r.stderr).toBe(0);
        record();
      }
    } finally {
      publishing = false;
      await reader;
      await server.close();
    }
    expect(seen.get('pdf/ps-row-7.pdf')?.size).toBe(7);
    expect(answers.length).toBeGreaterThan(50);
    for (const a of answers) {
      expect(a.status, a.path).toBe(200);
      expect(seen.get(a.path)?.has(a.sha), `${a.path} answered with bytes of no complete generation`).toBe(true);
    }
    // old generations are pruned, the current one and two before it stay
    expect(readdirSync(path.join(outDir, 'generations')).filter((n) => /^\d+$/.test(n))).toHaveLength(3);
  });
});

describe('disk full while queueing digests (P15)', () => {
  it('stops with exit 4 naming the file; every queued entry has its message; the next run queues the rest, each once', { timeout: 120_000 }, async () => {
    const repo = makeTempRepo();
    repo.commit(smallCorpus('一二五'), 'initial texts', '2024-01-10T00:00:00+09:00');
    repo.commit(smallCorpus('一五〇'), 'amend 第六条第一号ロ', '2024-06-01T00:00:00+09:00');
    const subscribers = Array.from({ length: 4 }, (_, i) => `  - name: 購読者${i}\n    email: s${i}@example.com\n    follows:\n      rows: ["7"]\n`).join('');
    repo.write({ 'subscribers.yaml': `subscribers:\n${subscribers}` });
    const digest = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'digest', 'HEAD~1', 'HEAD', '--subscribers', 'subscribers.yaml', '--as-of', '2024-07-01', '--json'], { cwd: repo.dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const outbox = path.join(repo.dir, '.git', 'regpress', 'outbox');
    const listing = (sub: string) => (existsSync(path.join(outbox, sub)) ? readdirSync(path.join(outbox, sub)).sort() : []);
    const r = await digest({ REGPRESS_FAIL_WRITE_AT: '6' });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^regpress: disk full while writing \S+outbox\S+; stopped, nothing half-written was kept\n$/);
    expect([...listing('messages'), ...listing('entries')].filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // an entry never names a message that is not there
    const stem = (n: string) => n.replace(/\.[^.]+$/, '');
    for (const e of listing('entries')) expect(listing('messages').map(stem)).toContain(stem(e));
    const again = await digest({});
    expect(again.code, again.stderr).toBe(0);
    const mails = (JSON.parse(again.stdout) as { mails: { key: string }[] }).mails;
    expect(mails).toHaveLength(4);
    expect(listing('entries').map(stem).sort()).toEqual(mails.map((m) => m.key).sort());
    expect(listing('messages').map(stem).sort()).toEqual(mails.map((m) => m.key).sort());
  });
});
