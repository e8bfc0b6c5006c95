/**
 * The portal in a real browser (Debian's Chromium via playwright-core), built
 * from the real texts around a real amendment: 貨物等省令 before and after
 * 2023-07-23 in a temporary repository, served by regpress's own server.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSite, type SiteServer } from '../../src/publish/server.js';
import { launchBrowser } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { makeTempRepo } from '../support/repo.js';

const ORDINANCE = 'regulations/jp/403M50000400049.md';
const amendment = execFileSync('git', ['log', '--format=%H', '--since=2023-07-22', '--until=2023-07-24', '--', ORDINANCE], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n')[0] as string;
const show = (rev: string, file: string) => execFileSync('git', ['show', `${rev}:${file}`], { cwd: REPO_ROOT, maxBuffer: 1 << 28 });

function tree(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(REPO_ROOT, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else out[r] = readFileSync(path.join(REPO_ROOT, r));
    }
  };
  walk(dir);
  return out;
}

const CATALOGUE = `sectors:
  - { id: electronics, title: エレクトロニクス, title_en: Electronics }
publications:
  - { id: ps-row-7, kind: parameter-sheet, title: パラメータシート　七の項（エレクトロニクス）, sector: electronics, rows: ["7"] }
  - { id: cg-electronics, kind: commodity-guidance, title: 該非判定ガイダンス　エレクトロニクス, sector: electronics, rows: ["7"] }
`;

const repo = makeTempRepo('regpress-portal-');
let server: SiteServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let amended: string;
// kept after the run, for a person to look at
const shots = path.join(tmpdir(), 'regpress-screenshots');

beforeAll(async () => {
  const before = `${amendment}~1`;
  // today's commentary cites provisions of today's texts, so the 2023 texts go without it
  const files: Record<string, Buffer | string> = { 'regulations/publications.yaml': CATALOGUE, ...tree('templates') };
  for (const f of ['324AC0000000228', '324CO0000000378', '355CO0000000260', '403M50000400049']) files[`regulations/jp/${f}.md`] = show(before, `regulations/jp/${f}.md`);
  repo.commit(files, 'the texts before the amendment', '2023-05-01T00:00:00+09:00');
  amended = repo.commit({ [ORDINANCE]: show(amendment, ORDINANCE) }, '貨物等省令 2023-07-23', '2023-07-23T00:00:00+09:00');
  const r = await runCli(['build', '--json'], { cwd: repo.dir });
  expect(r.stderr).toBe('');
  const built = JSON.parse(r.stdout) as { ok: boolean; diagnostics: unknown[] };
  expect(built.diagnostics.filter((d) => (d as { severity: string }).severity === 'error')).toEqual([]);
  expect(built.ok).toBe(true);
  server = await serveSite({ root: path.join(repo.dir, 'output/site'), port: 0 });
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the portal in Chromium', () => {
  it('reads well in Japanese, with landmarks and no inline script', async () => {
    await page.goto(`${server.url}/index.html`);
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    for (const sel of ['header[role=banner]', 'main#main', 'footer[role=contentinfo]', 'nav[aria-label]']) expect(await page.locator(sel).count(), sel).toBe(1);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    await expect(page.locator('h1').textContent()).resolves.toContain('法令ポータル');
    await page.screenshot({ path: path.join(shots, 'home.png') });
  });

  it('follows a citation from the ordinance to the provision it cites', async () => {
    const id = '403M50000400049/art6/para1/item1/ro';
    await page.goto(`${server.url}/instruments/403M50000400049.html#${id}`);
    const link = page.locator(`[id="${id}"] > .prov-text a.cite`).filter({ hasText: '輸出令別表第一' }).first();
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\.\.\/instruments\/324CO0000000378\.html#/);
    await link.click();
    await page.waitForURL(/324CO0000000378\.html#/);
    const target = decodeURIComponent(new URL(page.url()).hash.slice(1));
    expect(target).toMatch(/^324CO0000000378\/appx1\/row5/);
    const box = await page.locator(`[id="${target}"]`).boundingBox();
    expect(box && box.y >= -2 && box.y < 900).toBe(true); // the target is on screen
    expect(await page.locator(':target').getAttribute('id')).toBe(target);
    await page.screenshot({ path: path.join(shots, 'citation-target.png') });
  });

  it('shows the redline and the 新旧対照表 of the real amendment on its compare page', async () => {
    await page.goto(`${server.url}/compare/${amended}.html`);
    await expect(page.locator('ins').filter({ hasText: 'ペリクル' }).first().isVisible()).resolves.toBe(true);
    expect(await page.locator('table.shinkyu').count()).toBeGreaterThan(0);
    expect(await page.locator('table.shinkyu thead').textContent()).toContain('改正後');
    await page.screenshot({ path: path.join(shots, 'compare.png'), fullPage: false });
  });

  it('downloads the Parameter Sheet as application/pdf, byte for byte the file in the manifest', async () => {
    await page.goto(`${server.url}/publications.html`);
    const href = await page.locator('a[href$="ps-row-7.pdf"]').getAttribute('href');
    const res = await page.request.get(new URL(href ?? '', page.url()).toString());
    expect(res.headers()['content-type']).toBe('application/pdf');
    const body = await res.body();
    const manifest = JSON.parse(readFileSync(path.join(repo.dir, 'output/manifest.json'), 'utf8')) as { publications: { id: string; files: { path: string; sha256: string }[] }[] };
    const entry = manifest.publications.find((p) => p.id === 'ps-row-7')?.files.find((f) => f.path.endsWith('.pdf'));
    expect(createHash('sha256').update(body).digest('hex')).toBe(entry?.sha256);
    expect(body.equals(readFileSync(path.join(repo.dir, 'output', entry?.path ?? '')))).toBe(true);
  });

  it('finds a provision by a search written with Arabic digits', async () => {
    await page.goto(`${server.url}/search.html`);
    await page.fill('#q', 'ペリクル 第17号');
    await page.click('#search-form button');
    const first = page.locator('#search-results li a').first();
    await first.waitFor();
    expect(await page.locator('#search-results').textContent()).toContain('貨物等省令第六条第一項第十七号ル');
    await page.screenshot({ path: path.join(shots, 'search.png') });
    await page.locator('#search-results li a', { hasText: '第十七号ル' }).first().click();
    await page.waitForURL(/403M50000400049\.html#/);
    expect(decodeURIComponent(new URL(page.url()).hash.slice(1))).toBe('403M50000400049/art6/para1/item17/ru');
  });
});
