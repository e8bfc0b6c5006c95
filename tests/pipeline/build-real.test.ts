/**
 * The build on the real corpus: the Parameter Sheet and the Commodity
 * Guidance of row 7 at HEAD, read back with poppler.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const out = mkdtempSync(path.join(tmpdir(), 'regpress-real-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('regpress build on the bundled corpus', () => {
  it('builds row 7 at HEAD: its edition from history, its real texts, anchors and outline, the changes of its last amendment', { timeout: 300_000 }, async () => {
    const r = await runCli(['build', '--at', 'HEAD', '--only', 'ps-row-7,cg-electronics', '--out', out, '--json'], { cwd: REPO_ROOT });
    expect(r.stderr).toBe('');
    const built = JSON.parse(r.stdout) as { ok: boolean; publications: { id: string; edition: number; pages: number; sourceCommit: string }[] };
    expect(built.ok).toBe(true);
    expect(built.publications.map((p) => p.id)).toEqual(['ps-row-7', 'cg-electronics']);

    const eds = JSON.parse((await runCli(['editions', '--json'], { cwd: REPO_ROOT })).stdout) as { publications: { id: string; editions: { number: number; commit: string; date: string }[] }[] };
    const ps7 = eds.publications.find((p) => p.id === 'ps-row-7')?.editions ?? [];
    const last = ps7[ps7.length - 1];
    const prev = ps7[ps7.length - 2];
    expect(built.publications[0]).toMatchObject({ edition: last?.number, sourceCommit: last?.commit });
    // the semiconductor amendment of 2023-07-23 began an edition of row 7's sheet
    expect(ps7.map((e) => e.date)).toContain('2023-07-23');

    const pdf = path.join(out, 'pdf/ps-row-7.pdf');
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBe(built.publications[0]?.pages);
    expect(info).toMatch(/Form:\s+AcroForm/);
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain('集積回路（四の項の中欄に掲げるものを除く。）');
    expect(text).toContain(`第${prev?.number}版（${prev?.date}）から第${last?.number}版への変更は次の`);
    expect(text).toMatch(new RegExp(`page1/${built.publications[0]?.pages}`));
    const dests = execFileSync('pdfinfo', ['-dests', pdf], { encoding: 'utf8' });
    expect(dests).toContain('403M50000400049/art6/para1/item1/ro');
    expect(dests).toContain('324CO0000000378/appx1/row7');
    const bytes = readFileSync(pdf).toString('latin1');
    // an outline: the catalogue points at it, and it has an entry per row, article, item and sub-item
    expect(bytes).toMatch(/\/Outlines \d+ 0 R/);
    expect((bytes.match(/\/Title \([^)]*\)\s*\/Parent \d+ 0 R|\/Parent \d+ 0 R\s*\/Title/g) ?? []).length).toBeGreaterThan(100);
    const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' });
    expect(fonts).toMatch(/[A-Z]{6}\+NotoSansJP-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/);

    const guidance = execFileSync('pdftotext', [path.join(out, 'pdf/cg-electronics.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    // the editors' commentary, the row, and the ordinance article that specifies it
    expect(guidance).toContain('法令の条文が優先する');
    expect(guidance).toContain('仕様を定める規定');
    expect(guidance).toContain('輸出令別表第一の七の項の経済産業省令で定める仕様のものは');
  });
});
