/**
 * Bounded parsing (P8): each file is parsed in a worker thread with a time
 * and a memory limit (src/pipeline/parse-pool.ts). The limits are lowered
 * here so that a large but ordinary file runs past them: the file is refused
 * at line 1 with its rule, the other files are parsed in a fresh worker, the
 * run ends promptly, and nothing is published. The compiled CLI runs in a
 * child process, as users run it: the workers run compiled code.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { makeTempRepo } from '../support/repo.js';
import { smallCorpus } from '../support/small-corpus.js';

const BIN = path.join(REPO_ROOT, 'bin', 'regpress.js');
const cli = (cwd: string, env: Record<string, string>, ...args: string[]) => {
  const started = performance.now();
  const r = spawnSync(process.execPath, [BIN, '--no-cache', ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
};

/** A valid instrument of about `mb` MB of ordinary provisions: far inside the pre-scan guards, slow only by its size. */
function bigInstrument(mb: number): string {
  const head = '---\ntitle: "大きな告示"\nidentifier: "999M00000000001"\ncountry: "jp"\nrank: "notice"\n---\n\n';
  const article = (n: number) => `**第${n}条**　${'この告示は、貨物の輸出に関する手続の細目を定めるものとする。'.repeat(20)}\n\n`;
  let body = '';
  for (let n = 1; body.length * 3 < mb * 1024 * 1024; n++) body += article(n);
  return head + body;
}

describe('bounded parsing', () => {
  const repo = makeTempRepo();
  repo.commit({ ...smallCorpus(), 'regulations/jp/999M00000000001.md': bigInstrument(3) }, 'a large notice', '2024-01-10T00:00:00+09:00');

  it('parses everything within the default bounds', { timeout: 120_000 }, () => {
    const r = cli(repo.dir, {}, 'check');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/parse-(time|memory)-limit/);
  });

  it('stops a file that runs past the time limit, names it, and goes on with the others in a fresh worker', { timeout: 120_000 }, () => {
    const r = cli(repo.dir, { REGPRESS_PARSE_TIME_LIMIT_MS: '150' }, 'check');
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => / error /.test(l));
    expect(errors).toEqual([expect.stringMatching(/^regulations\/jp\/999M00000000001\.md:1:1 error parsing took longer than 0\.15 s and was stopped; .* parse-time-limit$/)]);
    expect(r.ms).toBeLessThan(20_000);
  });

  it('stops a file that needs more memory than the limit', { timeout: 120_000 }, () => {
    const r = cli(repo.dir, { REGPRESS_PARSE_MEMORY_MB: '12' }, 'check');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^regulations\/jp\/999M00000000001\.md:1:1 error parsing needed more than 12 MB of memory; .* parse-memory-limit$/m);
  });

  it('publishes nothing when a file is stopped', { timeout: 120_000 }, () => {
    expect(cli(repo.dir, {}, 'build').code).toBe(0);
    const manifest = readFileSync(path.join(repo.dir, 'output', 'manifest.json'));
    repo.commit({ 'regulations/jp/999M00000000001.md': bigInstrument(3.2) }, 'a larger notice', '2024-02-10T00:00:00+09:00');
    const r = cli(repo.dir, { REGPRESS_PARSE_TIME_LIMIT_MS: '150' }, 'build');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('parse-time-limit');
    expect(readFileSync(path.join(repo.dir, 'output', 'manifest.json')).equals(manifest)).toBe(true);
  });

  it('refuses a limit that is not a positive whole number, naming the variable', () => {
    for (const bad of ['0', '1.5', 'abc', '-1']) {
      const r = cli(repo.dir, { REGPRESS_PARSE_TIME_LIMIT_MS: bad }, 'check');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`regpress: REGPRESS_PARSE_TIME_LIMIT_MS="${bad}" is not a positive whole number\n`);
    }
  });
});
