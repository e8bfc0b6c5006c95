/**
 * The publications catalogue: schema errors with their line, and checks
 * against the corpus (rows that exist, rows the ordinance specifies covered).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalogue } from '../../src/load/catalogue.js';
import { runCli } from '../support/cli.js';
import { frontMatter, makeTempRepo } from '../support/repo.js';
import { REPO_ROOT } from '../support/paths.js';

const rule = (text: string) => readCatalogue('c.yaml', text).diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}: ${d.message}`);

describe('reading the catalogue', () => {
  it('reads the bundled catalogue: Parameter Sheets for rows 2–15, Commodity Guidance per sector', () => {
    const r = readCatalogue('regulations/publications.yaml', readFileSync(path.join(REPO_ROOT, 'regulations', 'publications.yaml'), 'utf8'));
    expect(r.diagnostics).toEqual([]);
    const sheets = r.catalogue?.publications.filter((p) => p.kind === 'parameter-sheet').flatMap((p) => p.rows);
    expect(sheets).toEqual(['2', '3', '3-2', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15']);
    const guidance = r.catalogue?.publications.filter((p) => p.kind === 'commodity-guidance').flatMap((p) => p.rows).sort();
    expect(guidance).toEqual([...(sheets ?? [])].sort());
  });

  it.each([
    ['sectors: [\n  { id: a, title: A }\n]\npublications:\n  - { id: x, kind: poster, title: T, sector: a, rows: ["1"] }\n', ['5:20 error catalogue-schema: kind "poster" must be one of parameter-sheet, commodity-guidance']],
    ['sectors: []\npublications:\n  - { id: x, kind: parameter-sheet, title: T, sector: a, rows: ["seven"] }\n', ['3:65 error catalogue-schema: "seven" is not a row number such as "7" or "3-2"']],
    ['sectors: []\npublications:\n  - { id: x, kind: parameter-sheet, sector: a, rows: ["7"] }\n  - { id: x, kind: parameter-sheet, title: T, sector: a, rows: ["7"] }\n', ['3:5 error catalogue-schema: missing "title"']],
    ['sectors: [{ id: a, title: A }, { id: a, title: B }]\npublications: []\n', ['1:32 error catalogue-schema: sector "a" is listed twice']],
    ['publications: {}\n', ['1:1 error catalogue-schema: "sectors" must be a list', '1:15 error catalogue-schema: "publications" must be a list']],
    ['sectors: [\n', ['2:1 error catalogue-yaml: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']],
  ])('reports %j', (text, expected) => {
    expect(rule(text)).toEqual(expected);
  });
});

describe('checking the catalogue against the corpus', () => {
  it('reports a row the table does not have, and a specified row without a Parameter Sheet', async () => {
    const repo = makeTempRepo();
    const order = `${frontMatter('324CO0000000378', '輸出貿易管理令')}**別表第一**

|  | 貨物 | 地域 |
| --- | --- | --- |
| 一 | 武器 | 全地域 |
| 二 | 次に掲げる貨物であつて、経済産業省令で定める仕様のもの（一）　原子炉 | 全地域 |
| 三 | 次に掲げる貨物であつて、経済産業省令で定める仕様のもの（一）　化学製剤 | 全地域 |
`;
    const catalogue = 'sectors: [{ id: n, title: 原子力 }]\npublications:\n  - { id: ps-row-2, kind: parameter-sheet, title: 二の項, sector: n, rows: ["2", "9"] }\n';
    repo.commit({ 'regulations/order.md': order, 'regulations/publications.yaml': catalogue });
    const r = await runCli(['check', '--json'], { cwd: repo.dir });
    const ds = (JSON.parse(r.stdout) as { diagnostics: { file: string; line: number; rule: string; message: string }[] }).diagnostics.filter((d) => d.rule.startsWith('catalogue'));
    expect(ds.map((d) => `${d.file}:${d.line} ${d.rule}: ${d.message}`)).toEqual([
      'regulations/publications.yaml:1 catalogue-row-not-covered: row 三 of 輸出令別表第一 is specified by ordinance but has no Parameter Sheet',
      'regulations/publications.yaml:3 catalogue-unknown-row: ps-row-2 covers row 9, which 輸出令別表第一 does not have',
    ]);
    expect(r.code).toBe(1);
  });
});
