import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { frontMatter, makeTempRepo } from '../support/repo.js';

const target = `${frontMatter('900CO0000000060', '試験令')}**第一条**　目的。\n\n**第二条**　許可。\n`;
const notice = `${frontMatter('meti-notice-9', '試験告示', 'notice')}**第一条**　この告示は、[試験令第二条](900CO0000000060#art2)及び[第一条](#art1)並びに[存在しない条](900CO0000000060#art9)による。[外部](https://example.invalid/x)も見よ。\n`;

describe('explicit citations (Markdown links)', () => {
  it('resolve by instrument and id path, replace what the grammar reads in the same words, and report what points nowhere', async () => {
    const repo = makeTempRepo();
    repo.commit({ 'regulations/order.md': target, 'regulations/notice.md': notice });
    const r = await runCli(['citations', '--json', '--instrument', 'meti-notice-9'], { cwd: repo.dir });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { citations: { text: string; status: string; targets: { id: string }[] }[] };
    expect(out.citations.map((c) => `${c.text} ${c.status} ${c.targets.map((t) => t.id).join(',')}`)).toEqual([
      '試験令第二条 resolved 900CO0000000060/art2',
      '第一条 resolved meti-notice-9/art1',
      '存在しない条 unresolved ',
      '外部 external ',
    ]);
    const check = await runCli(['check'], { cwd: repo.dir });
    expect(check.stdout).toMatch(/regulations\/notice\.md:7:\d+ warning 「存在しない条」 cites nothing that exists: .* unresolved-reference/);
  });
});
