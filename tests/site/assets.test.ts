/**
 * The portal's scripts come from the revision built: `build --at` of a
 * commit ships that commit's assets, whatever the work tree holds, so the
 * same commit always gives the same site.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';
import { smallCorpus } from '../support/small-corpus.js';
import { REPO_ROOT } from '../support/paths.js';

describe('site assets', () => {
  it('come from the commit built, not from the work tree', { timeout: 120_000 }, async () => {
    const repo = makeTempRepo();
    const search = readFileSync(path.join(REPO_ROOT, 'templates/site/assets/search.js'), 'utf8');
    const head = repo.commit({ ...smallCorpus(), 'templates/site/assets/search.js': search }, 'initial texts', '2024-01-10T00:00:00+09:00');
    repo.write({ 'templates/site/assets/search.js': `${search}\n// an uncommitted edit\n` });
    const r = await runCli(['build', '--at', head], { cwd: repo.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(path.join(repo.dir, 'output/site/assets/search.js'), 'utf8')).toBe(search);
    // a build of the work tree ships the work tree's
    expect((await runCli(['build'], { cwd: repo.dir })).code).toBe(0);
    expect(readFileSync(path.join(repo.dir, 'output/site/assets/search.js'), 'utf8')).toContain('// an uncommitted edit');
  });
});
