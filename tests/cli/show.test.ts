import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { frontMatter, makeTempRepo } from '../support/repo.js';
import { REPO_ROOT } from '../support/paths.js';

interface ShowJson {
  citation: string;
  provision: { id: string; kind: string; text: string; address: { instrument: string; path: { kind: string; num: string }[] }; children: unknown[] };
}

describe('regpress show on the bundled corpus', () => {
  const cases: [string, string, string][] = [
    ['輸出令第四条第一項第三号', '324CO0000000378/art4/para1/item3', '第四条第一項第三号'],
    ['etco/art4/para1/item3', '324CO0000000378/art4/para1/item3', '第四条第一項第三号'],
    ['輸出令第四条第三号', '324CO0000000378/art4/para1/item3', '第四条第一項第三号'],
    ['輸出令別表第一の一六の項', '324CO0000000378/appx1/row16', '別表第一の一六の項'],
    ['輸出令別表第一の七の項（八の二）', '324CO0000000378/appx1/row7/8-2', '別表第一の七の項（八の二）'],
    ['輸出令別表第一の三の二の項', '324CO0000000378/appx1/row3-2', '別表第一の三の二の項'],
    ['法第四十八条第一項', '324AC0000000228/art48/para1', '第四十八条第一項'],
    ['外為法第六十九条の六第二項第二号', '324AC0000000228/art69-6/para2/item2', '第六十九条の六第二項第二号'],
    ['貨物等省令第一条第四号ロ', '403M50000400049/art1/para1/item4/ro', '第一条第一項第四号ロ'],
    ['goods-ordinance/art1/para1/item4/ro', '403M50000400049/art1/para1/item4/ro', '第一条第一項第四号ロ'],
    ['貨物等省令第一条第十七号ロ（二）１一', '403M50000400049/art1/para1/item17/ro/2/1/1', '第一条第一項第十七号ロ（二）１一'],
    ['外為法第三条', '324AC0000000228/art2to4', '第二条から第四条まで'],
    ['外為法第六章の二', '324AC0000000228/ch6-2', '第六章の二'],
    ['外国為替法第四十八条', '324AC0000000228/art48', '第四十八条'],
  ];
  it.each(cases)('finds %s', async (ref, id, citation) => {
    const r = await runCli(['show', ref, '--json'], { cwd: REPO_ROOT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as ShowJson;
    expect(out.provision.id).toBe(id);
    expect(out.citation).toBe(citation);
    expect(out.provision.address.instrument).toBe(id.split('/')[0]);
  });

  it('gives the structured address with Arabic numbers and - for の', async () => {
    const r = await runCli(['show', '輸出令別表第一の七の項（八の二）', '--json'], { cwd: REPO_ROOT });
    const out = JSON.parse(r.stdout) as ShowJson;
    expect(out.provision.address.path).toEqual([
      { kind: 'appendix-table', num: '1' },
      { kind: 'row', num: '7' },
      { kind: 'row-item', num: '8-2' },
    ]);
    expect(out.provision.text).toBe('パルス出力の切換えを行うサイリスターデバイス又はサイリスターモジュール');
  });

  it('prints a provision with its sub-items as text', async () => {
    const r = await runCli(['show', '輸出令第四条第一項第三号'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('324CO0000000378/art4/para1/item3  輸出令第四条第一項第三号');
    expect(r.stdout).toMatch(/^三　別表第一の一六の項に掲げる貨物/m);
    expect(r.stdout).toMatch(/^ {2}イ　その貨物が核兵器等の開発等のために用いられるおそれがある場合/m);
  });

  it('exits 2 with a clear message for what does not exist', async () => {
    const missing = await runCli(['show', 'etco/art999'], { cwd: REPO_ROOT });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no provision etco\/art999 in 輸出貿易管理令/);
    const nonsense = await runCli(['show', 'こんにちは'], { cwd: REPO_ROOT });
    expect(nonsense.code).toBe(2);
    expect(nonsense.stderr).toMatch(/neither a provision id .* nor a citation/);
  });
});

describe('regpress show --at', () => {
  const v = (text: string, enforced: string) =>
    `${frontMatter('900CO0000000002', '試験令', 'cabinet_order', `extra:\n  enforced_at: "${enforced}"\n`)}**第一条**　${text}\n`;

  it('reads a revision, and a date as the version in force that day', async () => {
    const repo = makeTempRepo();
    const first = repo.commit({ 'regulations/t.md': v('旧規定', '2020-04-01') }, 'first', '2020-03-01T00:00:00+09:00');
    // promulgated in May, in force from October
    repo.commit({ 'regulations/t.md': v('新規定', '2020-10-01') }, 'second', '2020-05-01T00:00:00+09:00');
    const text = async (args: string[]) => {
      const r = await runCli(['show', '900CO0000000002/art1/para1', '--json', ...args], { cwd: repo.dir });
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as ShowJson).provision.text;
    };
    expect(await text([])).toBe('新規定');
    expect(await text(['--at', first])).toBe('旧規定');
    expect(await text(['--at', 'HEAD~1'])).toBe('旧規定');
    expect(await text(['--at', '2020-06-30'])).toBe('旧規定');
    expect(await text(['--at', '2020-10-01'])).toBe('新規定');
    const before = await runCli(['show', '900CO0000000002/art1', '--at', '2020-01-01'], { cwd: repo.dir });
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/neither a provision id|not in the corpus/);
    const badDate = await runCli(['show', '900CO0000000002/art1', '--at', '2020-02-30'], { cwd: repo.dir });
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/not a calendar date/);
  });
});
