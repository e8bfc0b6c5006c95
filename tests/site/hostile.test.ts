/**
 * No script and no javascript: URL from regulation text, commentary or the
 * catalogue reaches a page of the portal: everything is escaped, links are
 * made from ids and allow-listed URLs only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';
import { repositoryFiles } from '../support/small-corpus.js';

const ORDER = `---
title: "輸出貿易管理令<script>alert('t')</script>"
identifier: "324CO0000000378"
country: "jp"
rank: "cabinet_order"
extra:
  abbrev: "輸出令"
---

**第一条（輸出の許可"><img src=x onerror=alert(1)>）**　<script>alert(1)</script>別表第一中欄に掲げる貨物の輸出は[ここ](javascript:alert(2))とする。<iframe src="https://evil.example/"></iframe>

**別表第一**

|  | 貨物 | 地域 |
| --- | --- | --- |
| 七 | 次に掲げる貨物であつて、経済産業省令で定める仕様のもの（一）　集積回路<svg onload=alert(3)> | 全地域 |
`;

const ORDINANCE = `---
title: "貨物等省令"
identifier: "403M50000400049"
country: "jp"
rank: "ministerial_ordinance"
---

**第六条**　輸出令別表第一の七の項の経済産業省令で定める仕様のものは、次のいずれかに該当するものとする。

- 一　集積回路であって、<a href="javascript:alert(4)">これ</a>に該当するもの
`;

function htmlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(p));
    else if (e.name.endsWith('.html')) out.push(p);
  }
  return out;
}

describe('hostile text and the portal', () => {
  it('puts no script, event handler, iframe or javascript: link from the texts on any page', { timeout: 120_000 }, async () => {
    const repo = makeTempRepo();
    repo.commit({
      ...repositoryFiles('templates'),
      'regulations/jp/324CO0000000378.md': ORDER,
      'regulations/jp/403M50000400049.md': ORDINANCE,
      'regulations/publications.yaml': 'sectors:\n  - { id: electronics, title: "エレクトロニクス<script>" }\npublications:\n  - { id: ps-row-7, kind: parameter-sheet, title: "<img src=x onerror=alert(5)>", sector: electronics, rows: ["7"] }\n',
    });
    const r = await runCli(['build', '--json'], { cwd: repo.dir });
    expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(true);
    const pages = htmlFiles(path.join(repo.dir, 'output/site'));
    expect(pages.length).toBeGreaterThan(5);
    const order = readFileSync(path.join(repo.dir, 'output/site/instruments/324CO0000000378.html'), 'utf8');
    // the hostile text is there, as text
    expect(order).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const file of [...pages, path.join(repo.dir, 'output/html/ps-row-7.html')]) {
      const html = readFileSync(file, 'utf8');
      const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
      for (const s of scripts) expect(s, file).toMatch(/^<script type="module" src="assets\/search\.js">$/);
      expect(html, file).not.toMatch(/<(iframe|img|object|embed)\b/i);
      for (const svg of html.matchAll(/<svg\b[^>]*>/gi)) expect(svg[0], file).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="[\d.]+" height="[\d.]+"/); // only our graphs
      // in the markup itself (escaped text has no tags): no event handler, no javascript: link
      for (const tag of html.matchAll(/<[a-z][^>]*>/gi)) {
        // attribute names, with the (escaped) quoted values taken out
        expect(tag[0].replace(/"[^"]*"/g, '""'), file).not.toMatch(/\son[a-z]+\s*=/i);
        expect(tag[0], file).not.toMatch(/(href|src)\s*=\s*["']?\s*javascript:/i);
      }
    }
  });
});
