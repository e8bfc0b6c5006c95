/**
 * P1 (byte-reproducible output) and P5 (an idempotent re-run), with the real
 * CLI in child processes: the same commit built in two checkouts that differ
 * in path (one deeper, with spaces and non-ASCII), TZ, locale, umask and the
 * order their files were created in gives the same bytes in every published
 * file; building again in the same checkout regenerates and rewrites
 * nothing. And P11: a renamed file keeps its feed entries' ids.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist, runCliChild, type ChildResult } from '../support/child-cli.js';
import { runCli } from '../support/cli.js';
import { firstDifference, outputTimes, PUBLISHED, readOutput } from '../support/output-tree.js';
import { makeTempRepo } from '../support/repo.js';
import { REPO_ROOT } from '../support/paths.js';
import { ordinance, smallCorpus } from '../support/small-corpus.js';

/** Two amendments' worth of history, so there are editions, change bars, revision pages, feed entries and compare pages. */
const COMMITS: { files: Record<string, string>; message: string; date: string }[] = [
  {
    files: {
      ...smallCorpus('一二五'),
      // the portal's scripts, as the repository keeps them
      'templates/site/assets/search.js': readFileSync(path.join(REPO_ROOT, 'templates/site/assets/search.js'), 'utf8'),
      'templates/site/assets/normalize.js': readFileSync(path.join(REPO_ROOT, 'templates/site/assets/normalize.js'), 'utf8'),
    },
    message: 'initial texts',
    date: '2024-01-10T00:00:00+09:00',
  },
  { files: { 'regulations/jp/403M50000400049.md': ordinance('一五〇') }, message: 'amend 第六条第一号ロ', date: '2024-06-01T00:00:00+09:00' },
];

/** A git repository at `dir` with COMMITS, each commit's files created in `order`; returns HEAD. */
function checkout(dir: string, order: 'forward' | 'reverse'): string {
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  for (const c of COMMITS) {
    const entries = Object.entries(c.files);
    if (order === 'reverse') entries.reverse();
    for (const [rel, text] of entries) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
      git('add', '--', rel); // the index, too, gets its entries in this order
    }
    execFileSync('git', ['commit', '-q', '-m', c.message], { cwd: dir, env: { ...env, GIT_AUTHOR_DATE: c.date, GIT_COMMITTER_DATE: c.date } });
  }
  return git('rev-parse', 'HEAD').trim();
}

interface Built {
  ok: boolean;
  publications: { id: string; regenerated: boolean; reason: string[] }[];
}

function parsed(r: ChildResult): Built {
  expect(r.stderr, 'stderr').toBe('');
  expect(r.code, r.stdout).toBe(0);
  return JSON.parse(r.stdout) as Built;
}

const TOKYO = { env: { TZ: 'Asia/Tokyo', LANG: 'ja_JP.UTF-8', LC_ALL: 'ja_JP.UTF-8' }, umask: '022' };
const LOS_ANGELES = { env: { TZ: 'America/Los_Angeles', LANG: 'C', LC_ALL: 'C' }, umask: '077' };

describe('reproducible builds', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'regpress-repro-'));
  const a = path.join(root, 'a');
  const b = path.join(root, 'deeper', 'with spaces', '規則 の 写し', 'b');
  let headA = '';
  let builtAt = 0;
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    ensureDist();
    headA = checkout(a, 'forward');
  }, 180_000);

  it('P1: the same commit, built in two checkouts that differ in path, TZ, locale, umask and file creation order, gives the same bytes in every published file', { timeout: 180_000 }, async () => {
    const headB = checkout(b, 'reverse');
    expect(headB, 'the same commit id in both checkouts').toBe(headA);

    const first = parsed(await runCliChild(['build', '--json'], { cwd: a, ...TOKYO }));
    expect(first.ok).toBe(true);
    expect(first.publications.map((p) => [p.id, p.regenerated])).toEqual([
      ['ps-row-7', true],
      ['ps-row-8', true],
      ['cg-electronics', true],
    ]);
    await sleep(1100); // a clock that leaks into the output shows as a second that differs
    const second = parsed(await runCliChild(['build', '--json'], { cwd: b, ...LOS_ANGELES }));
    expect(second.publications.every((p) => p.regenerated)).toBe(true);
    builtAt = Date.now();

    const outA = readOutput(path.join(a, 'output'));
    const outB = readOutput(path.join(b, 'output'));
    // what the comparison covers: PDFs (Japanese font, dates), HTML, feeds, the portal and the manifest
    for (const f of ['manifest.json', 'pdf/ps-row-7.pdf', 'pdf/cg-electronics.pdf', 'html/ps-row-7.html', 'feeds/all.atom', 'feeds/row-7.json', 'site/index.html', 'site/compare/' + headA + '.html', 'site/assets/search.js']) expect(outA.has(f), f).toBe(true);
    expect(firstDifference(outA, outB, ['checkout a', 'checkout b'])).toBeUndefined();
    // and no checkout path anywhere in the output
    for (const [rel, bytes] of outA) expect(bytes.includes(Buffer.from(root)), rel).toBe(false);
  });

  it('P5: building the same commit again in the same checkout regenerates nothing and rewrites no byte', { timeout: 120_000 }, async () => {
    const out = path.join(a, 'output');
    if (!existsSync(path.join(out, 'manifest.json'))) expect(parsed(await runCliChild(['build', '--json'], { cwd: a, ...TOKYO })).ok).toBe(true);
    const before = readOutput(out);
    const times = outputTimes(out);
    const where = PUBLISHED.map((p) => realpathSync(path.join(out, p)));
    await sleep(Math.max(0, builtAt + 1100 - Date.now()));

    const again = parsed(await runCliChild(['build', '--json'], { cwd: a, ...TOKYO }));
    expect(again.publications.filter((p) => p.regenerated)).toEqual([]);
    const text = await runCliChild(['build'], { cwd: a, ...LOS_ANGELES });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('0 of 3 publications regenerated');

    expect(firstDifference(before, readOutput(out), ['first build', 'again'])).toBeUndefined();
    // nothing published anew: the same files (or generation) in place, none of them written again
    expect(PUBLISHED.map((p) => realpathSync(path.join(out, p)))).toEqual(where);
    expect(outputTimes(out)).toEqual(times);
  });
});

describe('stable feeds', () => {
  /** Every entry id of every JSON feed in an output folder, by feed. */
  const entryIds = (out: string) => {
    const ids = new Map<string, string[]>();
    for (const [rel, bytes] of readOutput(out)) if (/^feeds\/.*\.json$/.test(rel)) ids.set(rel, (JSON.parse(bytes.toString('utf8')) as { items: { id: string }[] }).items.map((i) => i.id));
    return ids;
  };

  it('P11: renaming an instrument’s file keeps the id of every feed entry, and its feeds', { timeout: 120_000 }, async () => {
    const repo = makeTempRepo('regpress-feed-ids-');
    for (const c of COMMITS) repo.commit(c.files, c.message, c.date);
    const build = async () => {
      const r = await runCli(['build', '--json'], { cwd: repo.dir });
      expect(r.stderr).toBe('');
      expect((JSON.parse(r.stdout) as Built).ok).toBe(true);
    };
    await build();
    const before = entryIds(path.join(repo.dir, 'output'));
    expect(before.get('feeds/instrument-403M50000400049.json')?.length).toBeGreaterThan(0);
    repo.git('mv', 'regulations/jp/403M50000400049.md', 'regulations/jp/貨物等省令.md');
    repo.commit({}, 'rename the ordinance’s file', '2024-07-01T00:00:00+09:00');
    await build();
    const after = entryIds(path.join(repo.dir, 'output'));
    for (const [feed, ids] of before) expect(after.get(feed) ?? [], feed).toEqual(expect.arrayContaining(ids));
  });
});
