/**
 * Refs from users are validated and resolved to one commit id before any
 * other git call; what cannot be resolved exactly gets a clear error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitRepo, RevisionError } from '../../src/load/git.js';
import { runCli } from '../support/cli.js';
import { frontMatter, makeTempRepo } from '../support/repo.js';

const doc = `${frontMatter('900CO0000000040', '試験令')}**第一条**　本文。\n`;

describe('resolving revisions', () => {
  const repo = makeTempRepo();
  const first = repo.commit({ 'regulations/a.md': doc }, 'first', '2024-01-01T00:00:00+09:00');
  repo.git('tag', 'v1');
  const second = repo.commit({ 'regulations/a.md': doc.replace('本文', '新本文') }, 'second', '2024-02-01T00:00:00+09:00');
  repo.git('branch', 'v1'); // a branch named like the tag, on another commit

  it.each([
    ['HEAD', () => second],
    ['HEAD~1', () => first],
    ['main^', () => first],
    ['refs/tags/v1', () => first],
    ['refs/heads/v1', () => second],
  ])('resolves %s to a commit id', async (ref, expected) => {
    const g = await GitRepo.open(repo.dir);
    try {
      expect(await g.resolveRevision(ref)).toBe(expected());
    } finally {
      g.close();
    }
  });

  it.each([
    ['--output=x', /starts with "-"/],
    ['-p', /starts with "-"/],
    ['HEAD --all', /not allowed/],
    ['HEAD..main', /is a range/],
    ['$(touch pwned)', /not allowed/],
    ['', /empty revision/],
    ['no-such-branch', /unknown revision "no-such-branch"/],
    ['v1', /"v1" is ambiguous: refs\/heads\/v1, refs\/tags\/v1/],
  ])('refuses %j', async (ref, message) => {
    const g = await GitRepo.open(repo.dir);
    try {
      await expect(g.resolveRevision(ref)).rejects.toThrow(RevisionError);
      await expect(g.resolveRevision(ref)).rejects.toThrow(message);
    } finally {
      g.close();
    }
  });

  it('refuses an abbreviated commit id that names several objects', async () => {
    const r = makeTempRepo();
    // commit ids are fixed by content and dates: this sequence has a 4-digit collision
    let prefix: string | undefined;
    const seen = new Set<string>();
    for (let i = 0; i < 2000 && !prefix; i++) {
      const id = r.commit({}, `c${i}`, '2024-01-01T00:00:00+09:00');
      const p = id.slice(0, 4);
      if (seen.has(p)) prefix = p;
      seen.add(p);
    }
    expect(prefix).toBeDefined();
    const res = await runCli(['check', '--at', prefix as string], { cwd: r.dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/is ambiguous: \d+ objects start with it/);
  }, 120_000);

  it('says a shallow clone may lack the commit', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'regpress-shallow-'));
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.dir}`, dir]);
    const res = await runCli(['diff', 'HEAD~1', 'HEAD'], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/shallow clone.*git fetch --unshallow/);
  });
});
