/**
 * regpress on another repository in the legalize-jp layout (files under jp/,
 * as in a clone of the corpus bundle), via --repo and --corpus, and export.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';
import { REPO_ROOT } from '../support/paths.js';

const IDS = ['324AC0000000228', '324CO0000000378', '355CO0000000260', '403M50000400049'];

function headVersion(id: string): string {
  return execFileSync('git', ['show', `HEAD:regulations/jp/${id}.md`], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
}

describe('a repository in the legalize-jp layout', () => {
  it('is read with --repo PATH --corpus jp, from any working directory', async () => {
    const other = makeTempRepo();
    other.commit(Object.fromEntries(IDS.map((id) => [`jp/${id}.md`, headVersion(id)])), '[bootstrap] corpus');
    const elsewhere = makeTempRepo();
    const r = await runCli(['--repo', other.dir, '--corpus', 'jp', 'check', '--json', '--at', 'HEAD'], { cwd: elsewhere.dir });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { instruments: { id: string; file: string; provisions: number }[] };
    expect(out.instruments.map((i) => i.id)).toEqual(IDS);
    expect(out.instruments.map((i) => i.file)).toEqual(IDS.map((id) => `jp/${id}.md`));
    expect(out.instruments.every((i) => i.provisions > 500)).toBe(true);
    const show = await runCli(['--repo', other.dir, '--corpus', 'jp', 'show', '輸出令別表第一の七の項（一）'], { cwd: elsewhere.dir });
    expect(show.stdout).toMatch(/^（一）　集積回路/m);
    // the default corpus folder does not exist there: nothing to read, said plainly
    const empty = await runCli(['--repo', other.dir, 'check'], { cwd: elsewhere.dir });
    expect(empty.stdout).toMatch(/0 instruments/);
  });

  it('exports the whole model as JSON, with addresses on every provision', async () => {
    const r = await runCli(['export', '--json', '--at', 'HEAD'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { revision: string; instruments: { id: string; provisions: { id: string; address: { path: unknown[] } }[] }[] };
    expect(out.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(out.instruments.map((i) => i.id)).toEqual(IDS);
    const etco = out.instruments.find((i) => i.id === '324CO0000000378');
    expect(etco?.provisions[0]?.id).toBe('324CO0000000378/art1');
    expect(etco?.provisions[0]?.address.path).toEqual([{ kind: 'article', num: '1' }]);
  });
});
