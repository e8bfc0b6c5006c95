/**
 * `regpress build` end to end, in a real temporary git repository: editions
 * from history, exactly the affected publications regenerated after a
 * one-provision amendment (reached through the graph), change bars and the
 * revision page seen in the PDF with poppler, byte-identical rebuilds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import FeedParser from 'feedparser';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';
import { CATALOGUE, COMMENTARY, ORDER, ordinance, templates } from '../support/small-corpus.js';

interface Built {
  ok: boolean;
  publications: { id: string; edition: number; regenerated: boolean; reason: string[]; pages: number; files: { path: string; sha256: string }[] }[];
}

async function build(dir: string, ...args: string[]): Promise<Built> {
  const r = await runCli(['build', '--json', ...args], { cwd: dir });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Built;
}

const pdftotext = (file: string, ...args: string[]) => execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' });
/** The text of a PDF with the line breaks and spaces of its layout taken out: what a reader reads. */
const flat = (file: string) => pdftotext(file).replace(/\s+/g, '');

/** Words of a PDF page with their boxes (points), from poppler. */
function words(file: string): { page: number; text: string; xMin: number; yMin: number; yMax: number }[] {
  const html = pdftotext(file, '-bbox');
  const out: { page: number; text: string; xMin: number; yMin: number; yMax: number }[] = [];
  let page = 0;
  for (const m of html.matchAll(/<page [^>]*>|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
    if (m[0].startsWith('<page')) page++;
    else out.push({ page, text: m[4] ?? '', xMin: Number(m[1]), yMin: Number(m[2]), yMax: Number(m[3]) });
  }
  return out;
}

/** Dark pixels in the change-bar column of the margin (x 50–56 pt) between two heights, on a page rendered at 72 dpi. */
function darkInMargin(file: string, page: number, yMin: number, yMax: number): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'regpress-bar-'));
  try {
    execFileSync('pdftoppm', ['-r', '72', '-gray', '-f', String(page), '-l', String(page), file, path.join(dir, 'p')]);
    const pgm = readFileSync(path.join(dir, readdirSync(dir)[0] as string));
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'));
    if (!header) throw new Error('not a PGM');
    const w = Number(header[1]);
    const start = header[0].length;
    let dark = 0;
    for (let y = Math.floor(yMin); y <= Math.ceil(yMax); y++) for (let x = 50; x <= 56; x++) if ((pgm[start + y * w + x] ?? 255) < 100) dark++;
    return dark;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The entries of an Atom feed, read by a real feed parser. */
function parseFeed(xml: string): Promise<{ guid: string; title: string; categories: string[] }[]> {
  return new Promise((resolve, reject) => {
    const parser = new FeedParser({ strict: true });
    const items: { guid: string; title: string; categories: string[] }[] = [];
    parser.on('error', reject);
    parser.on('readable', () => {
      for (let item = parser.read(); item; item = parser.read()) items.push({ guid: item.guid, title: item.title, categories: item.categories });
    });
    parser.on('end', () => resolve(items));
    parser.end(xml);
  });
}

describe('regpress build', () => {
  const repo = makeTempRepo();
  const base = { 'regulations/jp/324CO0000000378.md': ORDER, 'regulations/publications.yaml': CATALOGUE, 'regulations/guidance/electronics.md': COMMENTARY, ...templates() };
  repo.commit({ ...base, 'regulations/jp/403M50000400049.md': ordinance('一二五') }, 'initial texts', '2024-01-10T00:00:00+09:00');
  const out = (f: string) => path.join(repo.dir, 'output', f);

  it('builds every publication at its first edition, with a manifest that matches the files', { timeout: 120_000 }, async () => {
    const first = await build(repo.dir);
    expect(first.ok).toBe(true);
    expect(first.publications.map((p) => [p.id, p.edition, p.regenerated, p.reason.join()])).toEqual([
      ['ps-row-7', 1, true, 'new'],
      ['ps-row-8', 1, true, 'new'],
      ['cg-electronics', 1, true, 'new'],
    ]);
    const manifest = JSON.parse(readFileSync(out('manifest.json'), 'utf8')) as { publications: { id: string; pages: number; files: { path: string; sha256: string }[] }[] };
    for (const p of manifest.publications) {
      for (const f of p.files) {
        const sha = execFileSync('sha256sum', [out(f.path)], { encoding: 'utf8' }).split(' ')[0];
        expect(sha, f.path).toBe(f.sha256);
      }
      const info = execFileSync('pdfinfo', [out(`pdf/${p.id}.pdf`)], { encoding: 'utf8' });
      expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1]), p.id).toBe(p.pages);
    }
    const text = flat(out('pdf/ps-row-7.pdf'));
    expect(text).toContain('一二五度を超える温度で使用することができるように設計したもの');
    expect(text).toContain('初版');
    expect(text).not.toContain('電子計算機であって'); // row 8's specification is not on row 7's sheet
    const guidance = flat(out('pdf/cg-electronics.pdf'));
    expect(guidance).toContain('耐熱性の基準は');
    expect(guidance).toContain('解説');
  });

  it('rebuilds nothing when nothing changed, and a forced rebuild gives the same bytes', { timeout: 120_000 }, async () => {
    const before = readFileSync(out('pdf/ps-row-7.pdf'));
    const again = await build(repo.dir);
    expect(again.publications.filter((p) => p.regenerated)).toEqual([]);
    const forced = await build(repo.dir, '--force');
    expect(forced.publications.every((p) => p.regenerated)).toBe(true);
    expect(readFileSync(out('pdf/ps-row-7.pdf')).equals(before)).toBe(true);
  });

  it('after a one-provision amendment of the ordinance, re-issues exactly the publications of the row it specifies', { timeout: 120_000 }, async () => {
    repo.commit({ 'regulations/jp/403M50000400049.md': ordinance('一五〇') }, 'amend 第六条第一号ロ', '2024-06-01T00:00:00+09:00');
    const second = await build(repo.dir);
    const changed = '403M50000400049/art6/para1/item1/ro';
    expect(second.publications.map((p) => [p.id, p.edition, p.regenerated])).toEqual([
      ['ps-row-7', 2, true],
      ['ps-row-8', 1, false],
      ['cg-electronics', 2, true],
    ]);
    expect(second.publications[0]?.reason).toEqual([changed]);

    const pdf = out('pdf/ps-row-7.pdf');
    const text = flat(pdf);
    expect(text).toContain('第1版（2024-01-10）から第2版への変更は次の1件');
    expect(text).toMatch(/規制範囲の縮小/);
    // the change bar: beside the amended line, not beside the unchanged one under it
    const ws = words(pdf);
    const amended = ws.filter((w) => w.text.includes('一五〇度を超える')).pop();
    const unchanged = ws.filter((w) => w.text.includes('マイクロ波用機器であって')).pop();
    expect(amended?.text).toContain('一五〇度を超える');
    expect(unchanged?.text).toContain('マイクロ波用機器であって');
    if (!amended || !unchanged) throw new Error('unreachable: both words were found above');
    expect(darkInMargin(pdf, amended.page, amended.yMin, amended.yMax)).toBeGreaterThan(5);
    expect(darkInMargin(pdf, unchanged.page, unchanged.yMin, unchanged.yMax)).toBe(0);
    const html = readFileSync(out('html/ps-row-7.html'), 'utf8');
    expect(html).toContain(`<tr id="${changed}" class="changed">`);
    // the feeds: the amendment reaches row 7 through 第六条, not row 8
    const row7 = await parseFeed(readFileSync(out('feeds/row-7.atom'), 'utf8'));
    expect(row7.map((e) => e.guid)).toEqual([`tag:regpress.invalid,2026:change/${repo.git('rev-parse', 'HEAD').trim()}/row7`]);
    expect(row7[0]?.title).toContain('7の項に関わる改正');
    expect(await parseFeed(readFileSync(out('feeds/row-8.atom'), 'utf8'))).toEqual([]);
    const all = await parseFeed(readFileSync(out('feeds/all.atom'), 'utf8'));
    expect(all.map((e) => e.categories)).toEqual([['403M50000400049']]);
    const json = JSON.parse(readFileSync(out('feeds/row-7.json'), 'utf8')) as { version: string; items: { id: string }[] };
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items.map((i) => i.id)).toEqual(row7.map((e) => e.guid));
    expect(html).not.toContain('<tr id="403M50000400049/art6/para1/item2" class="changed">');
  });

  it('numbers the same editions in a fresh clone, and builds the same bytes there', { timeout: 120_000 }, async () => {
    const clone = mkdtempSync(path.join(tmpdir(), 'regpress-clone-'));
    try {
      execFileSync('git', ['clone', '-q', repo.dir, clone]);
      const there = await build(clone);
      expect(there.publications.map((p) => [p.id, p.edition])).toEqual([
        ['ps-row-7', 2],
        ['ps-row-8', 1],
        ['cg-electronics', 2],
      ]);
      for (const f of ['pdf/ps-row-7.pdf', 'pdf/ps-row-8.pdf', 'pdf/cg-electronics.pdf', 'feeds/all.atom', 'feeds/row-7.atom', 'feeds/row-7.json']) {
        expect(readFileSync(path.join(clone, 'output', f)).equals(readFileSync(out(f))), f).toBe(true);
      }
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('lets one build write at a time: a second fails at once naming the first; the lock of a killed build is taken over', { timeout: 120_000 }, async () => {
    const lock = out('.regpress-build.lock');
    const before = readFileSync(out('manifest.json'));
    // a live holder: this very test process's parent stands in for a build in progress
    writeFileSync(lock, `${process.ppid}\n`);
    const r = await runCli(['build'], { cwd: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`is being built by process ${process.ppid}`);
    expect(readFileSync(out('manifest.json')).equals(before)).toBe(true);
    // a dead holder: a process that has exited
    const dead = Number(execFileSync('node', ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    writeFileSync(lock, `${dead}\n`);
    const again = await build(repo.dir);
    expect(again.ok).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses to build with a broken commentary link, naming file and line, and writes nothing', { timeout: 60_000 }, async () => {
    const before = readFileSync(out('manifest.json'));
    repo.write({ 'regulations/guidance/electronics.md': COMMENTARY.replace('art6/para1/item1/ro', 'art6/para1/item9') });
    try {
      const r = await runCli(['build'], { cwd: repo.dir });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/regulations\/guidance\/electronics\.md:9:8 error .*art6\/para1\/item9.* commentary-unresolved-reference/);
      expect(readFileSync(out('manifest.json')).equals(before)).toBe(true);
    } finally {
      repo.write({ 'regulations/guidance/electronics.md': COMMENTARY });
    }
  });
});
