/**
 * Validate before writing (P7): a work tree with errors in five files of
 * four kinds (two instruments, the catalogue, a commentary file, a template)
 * is reported whole in one run, each error at its file, line and column,
 * and nothing is published: the output folder keeps every byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { snapshotTree as snapshot } from '../support/output-tree.js';
import { makeTempRepo } from '../support/repo.js';
import { CATALOGUE, COMMENTARY, ORDER, ordinance, smallCorpus } from '../support/small-corpus.js';

/** A repository of the small corpus with one generation published, and what its output folder holds. */
async function published() {
  const repo = makeTempRepo();
  repo.commit(smallCorpus(), 'initial texts', '2024-01-10T00:00:00+09:00');
  expect((await runCli(['build'], { cwd: repo.dir })).code).toBe(0);
  const outDir = path.join(repo.dir, 'output');
  return { repo, outDir, before: snapshot(outDir) };
}

describe('validate before writing', () => {
  it('reports the errors of five files in one run, each at its line, and publishes nothing', { timeout: 120_000 }, async () => {
    const { repo, outDir, before } = await published();
    const template = readFileSync(path.join(repo.dir, 'templates/partials/front.hbs'), 'utf8');
    repo.write({
      // a duplicate front-matter key, line 6: the file does not load at all
      'regulations/jp/324CO0000000378.md': ORDER.replace('rank: "cabinet_order"\n', 'rank: "cabinet_order"\ntitle: "二つ目"\n'),
      // a provision number given twice (第七条 after 第七条), in the ordinance
      'regulations/jp/403M50000400049.md': `${ordinance('一二五')}\n**第七条**　重複する条である。\n`,
      // a publication of a kind there is not, line 5
      'regulations/publications.yaml': CATALOGUE.replace('kind: parameter-sheet, title: パラメータシート　七の項', 'kind: parameter-shet, title: パラメータシート　七の項'),
      // a link to a provision that is not there, line 9
      'regulations/guidance/electronics.md': COMMENTARY.replace('art6/para1/item1/ro', 'art6/para1/item9'),
      // an unclosed block in a partial
      'templates/partials/front.hbs': `${template}\n{{#if edition}}\n`,
    });
    const r = await runCli(['build'], { cwd: repo.dir });
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => / error /.test(l));
    const at = (file: string) => errors.filter((l) => l.startsWith(`${file}:`));
    expect(at('regulations/jp/324CO0000000378.md').join('\n')).toMatch(/^regulations\/jp\/324CO0000000378\.md:6:1 error .*/);
    expect(at('regulations/jp/403M50000400049.md').join('\n')).toMatch(/^regulations\/jp\/403M50000400049\.md:19:1 error 第七条 comes after 第七条.* numbering-order$/m);
    expect(at('regulations/publications.yaml')).toEqual([expect.stringMatching(/^regulations\/publications\.yaml:5:\d+ error .* catalogue-schema$/)]);
    // the link into the instrument that did not load is not reported again (its own error is the one to fix)
    expect(at('regulations/guidance/electronics.md')).toEqual([expect.stringMatching(/^regulations\/guidance\/electronics\.md:9:8 error .*commentary-unresolved-reference$/)]);
    expect(at('templates/partials/front.hbs')[0]).toMatch(/^templates\/partials\/front\.hbs:\d+:\d+ error .*template-error$/);
    expect(new Set(errors.map((l) => l.split(':')[0])).size).toBe(5);
    expect(r.stdout).toContain('build stopped: nothing was written');
    expect(snapshot(outDir)).toEqual(before);
    expect(existsSync(path.join(outDir, '.regpress-build.lock'))).toBe(false);
  });

  it('a template that fails on the data of a publication is an error at its line, with nothing published and no crash', { timeout: 120_000 }, async () => {
    const { repo, outDir, before } = await published();
    const sheet = readFileSync(path.join(repo.dir, 'templates/parameter-sheet.hbs'), 'utf8');
    // a field no publication has: strict mode stops the render of the first parameter sheet
    const lines = sheet.split('\n');
    repo.write({ 'templates/parameter-sheet.hbs': [...lines.slice(0, 2), '{{edition.nosuchfield}}', ...lines.slice(2)].join('\n') });
    const r = await runCli(['build'], { cwd: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^templates\/parameter-sheet\.hbs:3:\d+ error .*nosuchfield.* template-error$/m);
    expect(r.stdout).toContain('build stopped: nothing was written');
    expect(snapshot(outDir)).toEqual(before);
  });

  it('a template that is not UTF-8 is an error at its line and byte, never decoded with replacement characters', { timeout: 120_000 }, async () => {
    const { repo, outDir, before } = await published();
    const front = readFileSync(path.join(repo.dir, 'templates/partials/front.hbs'));
    // 「改訂」 in Shift_JIS on a line of its own after the first two lines
    const lines = front.toString('utf8').split('\n');
    const sjis = Buffer.from([0x89, 0xfc, 0x92, 0xf9]);
    repo.write({ 'templates/partials/front.hbs': Buffer.concat([Buffer.from(`${lines.slice(0, 2).join('\n')}\n`), sjis, Buffer.from(`\n${lines.slice(2).join('\n')}`)]) });
    const r = await runCli(['build'], { cwd: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^templates\/partials\/front\.hbs:3:1 error .*UTF-8/m);
    expect(r.stdout).not.toContain('\uFFFD');
    expect(snapshot(outDir)).toEqual(before);
  });
});
