/**
 * diff, log and history through the CLI, on small amendments made in a
 * temporary repository: readable expectations ([-old-]{+new+}), not trees.
 */
import { describe, expect, it } from 'vitest';
import { formatRedline } from '../../src/diff/text.js';
import type { ProvisionChange } from '../../src/diff/types.js';
import { runCli } from '../support/cli.js';
import { frontMatter, makeTempRepo } from '../support/repo.js';

const fm = (enforced: string) => frontMatter('900CO0000000030', '試験令', 'cabinet_order', `extra:\n  enforced_at: "${enforced}"\n`);

const v1 = `${fm('2024-04-01')}**第一条（目的）**　この政令は、試験のために定める。

**２**　周波数が三〇〇メガヘルツを超えるものは、許可を要する。

**３**　前二項の規定は、輸出に適用する。

**第二条**　あつかう貨物は、次に掲げるものとする。

- 一　第一の貨物
- 二　第二の貨物
`;

// a new paragraph 2 is inserted: old 2 and 3 become 3 and 4; a threshold moves;
// 第二条 changes only in orthography (あつかう → あっかう is not a word, so we use つ/っ in 取扱つて)
const v2 = `${fm('2025-04-01')}**第一条（目的）**　この政令は、試験のために定める。

**２**　この政令において「貨物」とは、物品をいう。

**３**　周波数が二〇〇メガヘルツを超えるものは、許可を要する。

**４**　前三項の規定は、輸出に適用する。

**第二条**　あっかう貨物は、次に掲げるものとする。

- 一　第一の貨物
- 二　第二の貨物
`;

interface DiffJson {
  from: string;
  to: string;
  changes: ProvisionChange[];
}

function line(c: ProvisionChange): string {
  const ids = c.oldId && c.oldId !== c.id ? `${c.oldId} → ${c.id}` : c.id;
  return `${c.kind} ${ids}${c.redline ? ` ${formatRedline(c.redline)}` : c.kind === 'added' ? ` {+${c.after}+}` : ''}${c.editorial ? ' (editorial)' : ''}`;
}

describe('regpress diff', () => {
  const repo = makeTempRepo();
  repo.commit({ 'regulations/t.md': v1 }, 'first', '2024-03-01T00:00:00+09:00');
  repo.commit({ 'regulations/t.md': v2 }, 'second: insert a definition', '2025-03-01T00:00:00+09:00');

  it('reports an insertion as added plus renumbered provisions with redlines, at the finest level', async () => {
    const r = await runCli(['diff', 'HEAD~1', 'HEAD', '--json'], { cwd: repo.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as DiffJson;
    expect(d.from).toMatch(/^[0-9a-f]{40}$/);
    expect(d.changes.map(line)).toEqual([
      'added 900CO0000000030/art1/para2 {+２　この政令において「貨物」とは、物品をいう。+}',
      'renumbered 900CO0000000030/art1/para2 → 900CO0000000030/art1/para3 周波数が[-三〇〇-]{+二〇〇+}メガヘルツを超えるものは、許可を要する。',
      'renumbered 900CO0000000030/art1/para3 → 900CO0000000030/art1/para4 前[-二-]{+三+}項の規定は、輸出に適用する。',
      'modified 900CO0000000030/art2/para1 あ[-つ-]{+っ+}かう貨物は、次に掲げるものとする。 (editorial)',
    ]);
  });

  it('reads the threshold change and says control got wider', async () => {
    const r = await runCli(['diff', 'HEAD~1', 'HEAD', '--json'], { cwd: repo.dir });
    const d = JSON.parse(r.stdout) as DiffJson;
    const c = d.changes.find((x) => x.newId === '900CO0000000030/art1/para3');
    expect(c?.numbers?.map((n) => `${n.before.text}${n.before.unit} ${n.before.comparator} → ${n.after.text}${n.after.unit}: ${n.control}`)).toEqual(['三〇〇メガヘルツ > → 二〇〇メガヘルツ: wider']);
    expect(c?.oldAddress?.path).toEqual([{ kind: 'article', num: '1' }, { kind: 'paragraph', num: '2' }]);
    expect(c?.address?.path).toEqual([{ kind: 'article', num: '1' }, { kind: 'paragraph', num: '3' }]);
  });

  it('prints text, Markdown and HTML forms of the same changes', async () => {
    const text = await runCli(['diff', 'HEAD~1', 'HEAD'], { cwd: repo.dir });
    expect(text.stdout).toMatch(/renumbered +900CO0000000030\/art1\/para2 → 900CO0000000030\/art1\/para3 +第一条第二項 → 第一条第三項/);
    expect(text.stdout).toContain('周波数が[-三〇〇-]{+二〇〇+}メガヘルツ');
    const md = await runCli(['diff', 'HEAD~1', 'HEAD', '--format', 'md'], { cwd: repo.dir });
    expect(md.stdout).toContain('~~三〇〇~~**二〇〇**');
    const html = await runCli(['diff', 'HEAD~1', 'HEAD', '--format', 'html'], { cwd: repo.dir });
    expect(html.stdout).toContain('<del>三〇〇</del><ins>二〇〇</ins>');
  });

  it('diffs against the work tree when no second revision is given, and by date', async () => {
    repo.write({ 'regulations/t.md': v2.replace('第二の貨物', '第二の物品') });
    const wt = await runCli(['diff', 'HEAD', '--json'], { cwd: repo.dir });
    expect((JSON.parse(wt.stdout) as DiffJson).changes.map(line)).toEqual(['modified 900CO0000000030/art2/para1/item2 第二の[-貨物-]{+物品+}']);
    repo.write({ 'regulations/t.md': v2 });
    // in force on 2024-12-31 is v1, on 2025-04-01 v2
    const byDate = await runCli(['diff', '2024-12-31', '2025-04-01', '--json'], { cwd: repo.dir });
    expect((JSON.parse(byDate.stdout) as DiffJson).changes).toHaveLength(4);
    const same = await runCli(['diff', '2024-12-31', '2025-03-31'], { cwd: repo.dir });
    expect(same.stdout).toContain('no changes');
  });

  it('refuses bad refs and formats with exit 2', async () => {
    for (const args of [['diff', '--', '-x', 'HEAD'], ['diff', 'nope', 'HEAD'], ['diff', 'HEAD~1', 'HEAD', '--format', 'pdf'], ['diff', 'HEAD~1', 'HEAD', '--instrument', '無い令']]) {
      const r = await runCli(args, { cwd: repo.dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).not.toBe('');
    }
  });
});

describe('regpress log and history', () => {
  const repo = makeTempRepo();
  repo.commit({ 'regulations/t.md': v1 }, 'first', '2024-03-01T00:00:00+09:00');
  repo.commit({ 'regulations/t.md': v2 }, 'second: insert a definition', '2025-03-01T00:00:00+09:00');
  repo.commit({ 'README.md': 'not the corpus' }, 'docs only', '2025-03-02T00:00:00+09:00');

  it('lists the revisions that touched the corpus, newest first, with counts, dates and statuses', async () => {
    const r = await runCli(['log', '--json', '--as-of', '2025-03-15'], { cwd: repo.dir });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { revisions: { subject: string; date: string; instruments: { effective: string; status: string; counts: Record<string, number> }[] }[] };
    expect(out.revisions.map((e) => e.subject)).toEqual(['second: insert a definition', 'first']);
    const [second, first] = out.revisions;
    expect(second?.instruments[0]).toMatchObject({ effective: '2025-04-01', status: 'not-yet-in-force', counts: { added: 1, renumbered: 2, modified: 1, removed: 0 } });
    expect(first?.instruments[0]).toMatchObject({ effective: '2024-04-01', status: 'in-force', counts: { added: 2 } });
    const later = await runCli(['log', '--json', '--as-of', '2025-06-01'], { cwd: repo.dir });
    const statuses = (JSON.parse(later.stdout) as typeof out).revisions.map((e) => e.instruments[0]?.status);
    expect(statuses).toEqual(['in-force', 'superseded']);
  });

  it('follows a provision back through its renumbering', async () => {
    const r = await runCli(['history', '900CO0000000030/art1/para3', '--json'], { cwd: repo.dir });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { versions: { id: string; effective: string; text: string; change?: ProvisionChange }[] };
    expect(out.versions.map((v) => `${v.effective} ${v.id} ${v.change ? line(v.change) : 'first'}`)).toEqual([
      '2025-04-01 900CO0000000030/art1/para3 renumbered 900CO0000000030/art1/para2 → 900CO0000000030/art1/para3 周波数が[-三〇〇-]{+二〇〇+}メガヘルツを超えるものは、許可を要する。',
      '2024-04-01 900CO0000000030/art1/para2 first',
    ]);
    expect(out.versions[1]?.text).toBe('２　周波数が三〇〇メガヘルツを超えるものは、許可を要する。');
  });
});
