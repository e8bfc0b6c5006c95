/**
 * The impact of a change: along citations and delegations, with the path
 * that explains why; on the real 2023-07-23 amendment of 貨物等省令.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/link/graph.js';
import { impactOf } from '../../src/link/impact.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

describe('impactOf', () => {
  const graph: Graph = {
    unimplemented: [],
    edges: [
      { type: 'specifies', from: 'ord/art6', to: 'order/appx1/row7' },
      { type: 'cites', from: 'order/art4/para1', to: 'order/appx1/row7' },
      { type: 'cites', from: 'act/art1', to: 'order/art4' },
      { type: 'cites', from: 'other/art9', to: 'act/art1' },
    ],
  };

  it('follows delegations and citations from a change inside a provision, shortest path first, to a depth', () => {
    const a = impactOf(graph, ['ord/art6/para1/item17'], 3);
    expect(a.map((x) => `${x.id} ← ${x.via.map((s) => `${s.type}:${s.from}`).join(' ')}`)).toEqual([
      'order/appx1/row7 ← specifies:ord/art6/para1/item17',
      'order/art4/para1 ← specifies:ord/art6/para1/item17 cites:order/appx1/row7',
      'act/art1 ← specifies:ord/art6/para1/item17 cites:order/appx1/row7 cites:order/art4/para1',
    ]);
    expect(impactOf(graph, ['ord/art6/para1/item17'], 4).map((x) => x.id)).toContain('other/art9');
  });

  it('reaches the ordinance article behind a changed row', () => {
    expect(impactOf(graph, ['order/appx1/row7'], 1).map((x) => x.id).sort()).toEqual(['ord/art6', 'order/art4/para1']);
  });
});

describe('regpress impact on a real amendment', () => {
  it('takes the 2023-07-23 semiconductor items of 貨物等省令第六条第十七号 to 輸出令別表第一の七の項（十六）', async () => {
    const commit = execFileSync('git', ['log', '--format=%H', '--since=2023-07-22', '--until=2023-07-24', '--', 'regulations/jp/403M50000400049.md'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n')[0] as string;
    const r = await runCli(['impact', `${commit}~1`, commit, '--json'], { cwd: REPO_ROOT });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { changed: { id: string }[]; affected: { id: string; via: { type: string; from: string }[] }[]; publications: { id: string; because: string[] }[] };
    expect(out.changed.map((c) => c.id)).toContain('403M50000400049/art6/para1/item17/ru');
    const row = out.affected.find((a) => a.id === '324CO0000000378/appx1/row7/16');
    expect(row?.via.map((s) => `${s.type} ${s.from}`)).toEqual(['specifies 403M50000400049/art6/para1/item17']);
    expect(out.affected.map((a) => a.id)).toContain('324CO0000000378/appx1/row7');
    // the sheet and the guidance of row 7 show 第六条: both are re-issued; the nuclear sheet (第一条) is not
    const pubs = out.publications.map((p) => p.id);
    expect(pubs).toEqual(expect.arrayContaining(['ps-row-7', 'cg-electronics']));
    expect(pubs).not.toContain('ps-row-2');
    expect(out.publications.find((p) => p.id === 'ps-row-7')?.because).toContain('403M50000400049/art6/para1/item17/ru');
  });
});
