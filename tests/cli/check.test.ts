import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { frontMatter, makeTempRepo } from '../support/repo.js';

const order = `${frontMatter('900CO0000000001', 'テスト令')}**第一条（目的）**　この政令は、試験のために定める。

**２**　前項の規定は、次に掲げる場合に適用する。

- 一　第一の場合
  - イ　細目
- 二　第二の場合
`;

describe('regpress check', () => {
  it('reports a clean corpus with exit 0 and counts its provisions', async () => {
    const repo = makeTempRepo();
    repo.commit({ 'regulations/a.md': order });
    const r = await runCli(['check', '--json'], { cwd: repo.dir });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { instruments: { id: string; provisions: number }[]; diagnostics: unknown[] };
    // article, paragraph 1, paragraph 2, two items, one sub-item
    expect(out.instruments).toEqual([expect.objectContaining({ id: '900CO0000000001', provisions: 6 })]);
    expect(out.diagnostics).toEqual([]);
  });

  it('prints diagnostics compiler-style and exits 1 on errors', async () => {
    const repo = makeTempRepo();
    repo.commit({ 'regulations/a.md': order.replace('**２**', '**１**') });
    const r = await runCli(['check'], { cwd: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^regulations\/a\.md:9:1 error .* duplicate-provision-id$/m);
  });

  it('reads a revision without touching the work tree', async () => {
    const repo = makeTempRepo();
    const first = repo.commit({ 'regulations/a.md': order });
    repo.write({ 'regulations/a.md': 'not front matter' });
    const atRev = await runCli(['check', '--at', first], { cwd: repo.dir });
    expect(atRev.code).toBe(0);
    const worktree = await runCli(['check'], { cwd: repo.dir });
    expect(worktree.code).toBe(1);
    expect(worktree.stdout).toMatch(/missing-front-matter/);
    expect(repo.git('status', '--porcelain')).toBe(' M regulations/a.md\n');
  });

  it('refuses option-looking and unknown refs with exit 2 before calling git with them', async () => {
    const repo = makeTempRepo();
    repo.commit({ 'regulations/a.md': order });
    const opt = await runCli(['check', '--at=--output=x'], { cwd: repo.dir });
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/starts with "-"/);
    const unknown = await runCli(['check', '--at', 'no-such-branch'], { cwd: repo.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown revision "no-such-branch"/);
  });

  it('exits 2 on a usage error', async () => {
    const repo = makeTempRepo();
    const r = await runCli(['check', '--no-such-option'], { cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });

  it('colours only on a TTY and never with NO_COLOR', async () => {
    const repo = makeTempRepo();
    repo.commit({ 'regulations/a.md': order });
    const tty = await runCli(['check'], { cwd: repo.dir, isTTY: true });
    expect(tty.stdout).toMatch(/\u001b\[/);
    const noColor = await runCli(['check'], { cwd: repo.dir, isTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toMatch(/\u001b\[/);
    const pipe = await runCli(['check'], { cwd: repo.dir, isTTY: false });
    expect(pipe.stdout).not.toMatch(/\u001b\[/);
  });
});
