/**
 * P2, one time source: SOURCE_DATE_EPOCH, when set, is the date a build
 * writes (PDF /CreationDate and /ModDate, the portal's "as of" date); a value
 * that is not an ASCII integer of seconds is a usage error (exit 2) naming
 * the variable and the value, for build and digest alike, before anything is
 * written or queued.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceDateEpoch } from '../../src/cli/source-date.js';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';
import { ordinance, smallCorpus } from '../support/small-corpus.js';

const MALFORMED = ['1.5', 'abc', '12abc', '', '-1', '+1700000000', ' 1700000000', '1700000000\n', '1e9', '0x10', '１７００００００００', '253402300800', '99999999999999999999', '8640000000001'];

const pdfDates = (file: string) => {
  const info = execFileSync('pdfinfo', ['-isodates', file], { encoding: 'utf8' });
  return { created: /^CreationDate:\s+(\S+)/m.exec(info)?.[1], modified: /^ModDate:\s+(\S+)/m.exec(info)?.[1] };
};

interface Built {
  ok: boolean;
  publications: { id: string; regenerated: boolean; reason: string[] }[];
}

describe('SOURCE_DATE_EPOCH', () => {
  const repo = makeTempRepo();
  repo.commit(smallCorpus('一二五'), 'initial texts', '2024-01-10T00:00:00+09:00');
  repo.commit({ 'regulations/jp/403M50000400049.md': ordinance('一五〇') }, 'amend 第六条第一号ロ', '2024-06-01T00:00:00+09:00');
  const out = (...p: string[]) => path.join(repo.dir, 'output', ...p);

  it('reads whole seconds since 1970 and nothing else', () => {
    expect(sourceDateEpoch({})).toBeUndefined();
    expect(sourceDateEpoch({ SOURCE_DATE_EPOCH: '0' })?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' })?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(sourceDateEpoch({ SOURCE_DATE_EPOCH: '253402300799' })?.toISOString()).toBe('9999-12-31T23:59:59.000Z');
    for (const v of MALFORMED) expect(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: v }), JSON.stringify(v)).toThrow(`SOURCE_DATE_EPOCH=${JSON.stringify(v)}`);
  });

  it('stops build with exit 2, naming the variable and its value, before writing anything', { timeout: 60_000 }, async () => {
    for (const v of MALFORMED) {
      const r = await runCli(['build'], { cwd: repo.dir, env: { SOURCE_DATE_EPOCH: v } });
      expect(r.code, JSON.stringify(v)).toBe(2);
      expect(r.stderr).toContain(`SOURCE_DATE_EPOCH=${JSON.stringify(v)}`);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(out())).toBe(false);
  });

  it('stops digest with exit 2, naming the variable and its value, before reading subscribers or queueing', { timeout: 60_000 }, async () => {
    const outbox = path.join(repo.dir, 'outbox');
    for (const v of MALFORMED) {
      const r = await runCli(['digest', 'HEAD~1', 'HEAD', '--subscribers', 'no-such-file.yaml', '--outbox', outbox], { cwd: repo.dir, env: { SOURCE_DATE_EPOCH: v } });
      expect(r.code, JSON.stringify(v)).toBe(2);
      expect(r.stderr).toContain(`SOURCE_DATE_EPOCH=${JSON.stringify(v)}`);
      expect(r.stderr).not.toContain('subscribers');
    }
    expect(existsSync(outbox)).toBe(false);
    // a valid value lets digest go on (to the missing subscribers file here)
    const ok = await runCli(['digest', 'HEAD~1', 'HEAD', '--subscribers', 'no-such-file.yaml', '--outbox', outbox], { cwd: repo.dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(ok.stderr).toContain('cannot read the subscribers file');
    expect(ok.stderr).not.toContain('SOURCE_DATE_EPOCH');
  });

  it('with it, digest mails carry its date and judge "in force" on its day; without it, the commit date', { timeout: 60_000 }, async () => {
    repo.write({ 'subscribers.yaml': 'subscribers:\n  - name: 購読者\n    email: s@example.com\n    follows:\n      rows: ["7"]\n' });
    const mail = async (env: Record<string, string>, dir: string) => {
      const r = await runCli(['digest', 'HEAD~1', 'HEAD', '--subscribers', 'subscribers.yaml', '--out', dir, '--dry-run'], { cwd: repo.dir, env });
      expect(r.code, r.stderr).toBe(0);
      const { readdirSync } = await import('node:fs');
      const sub = path.join(repo.dir, dir, readdirSync(path.join(repo.dir, dir))[0] as string);
      return readFileSync(path.join(sub, readdirSync(sub)[0] as string), 'utf8');
    };
    // 2024-06-02T00:00:00Z
    const withEpoch = await mail({ SOURCE_DATE_EPOCH: '1717286400' }, 'mails-epoch');
    expect(withEpoch).toMatch(/^Date: Sun, 02 Jun 2024 00:00:00 \+0000$/m);
    const { simpleParser } = await import('mailparser');
    expect((await simpleParser(withEpoch)).text).toContain('（2024-06-02 時点）');
    const withoutEpoch = await mail({}, 'mails-commit');
    // the amendment's commit: 2024-06-01T00:00:00+09:00
    expect(withoutEpoch).toMatch(/^Date: Fri, 31 May 2024 15:00:00 \+0000$/m);
  });

  it('without it, the PDFs carry their edition’s commit date; with it, its date, in the PDF and on the portal, and the publications are rendered again', { timeout: 120_000 }, async () => {
    const plain = JSON.parse((await runCli(['build', '--json'], { cwd: repo.dir })).stdout) as Built;
    expect(plain.ok).toBe(true);
    expect(pdfDates(out('pdf', 'ps-row-7.pdf'))).toEqual({ created: '2024-05-31T15:00:00Z', modified: '2024-05-31T15:00:00Z' }); // 第2版: 2024-06-01T00:00:00+09:00
    expect(pdfDates(out('pdf', 'ps-row-8.pdf'))).toEqual({ created: '2024-01-09T15:00:00Z', modified: '2024-01-09T15:00:00Z' }); // 第1版
    expect(readFileSync(out('site', 'index.html'), 'utf8')).toContain('2024-06-01 現在');

    const r = await runCli(['build', '--json'], { cwd: repo.dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.stderr).toBe('');
    const dated = JSON.parse(r.stdout) as Built;
    expect(dated.publications.map((p) => [p.id, p.regenerated, p.reason])).toEqual([
      ['ps-row-7', true, ['edition']],
      ['ps-row-8', true, ['edition']],
      ['cg-electronics', true, ['edition']],
    ]);
    for (const id of ['ps-row-7', 'ps-row-8', 'cg-electronics']) expect(pdfDates(out('pdf', `${id}.pdf`)), id).toEqual({ created: '2023-11-14T22:13:20Z', modified: '2023-11-14T22:13:20Z' });
    const index = readFileSync(out('site', 'index.html'), 'utf8');
    expect(index).toContain('2023-11-14 現在');
    expect(readFileSync(out('site', 'instruments', '403M50000400049.html'), 'utf8')).toContain('2023-11-14 現在');
    // the same value again: nothing to do
    const again = JSON.parse((await runCli(['build', '--json'], { cwd: repo.dir, env: { SOURCE_DATE_EPOCH: '1700000000' } })).stdout) as Built;
    expect(again.publications.filter((p) => p.regenerated)).toEqual([]);
  });
});
