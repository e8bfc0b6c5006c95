/**
 * Unicode normalisation (ENC05, P16): texts are read as NFC, so a file
 * re-saved with decomposed kana (as macOS tools save them) reads, hashes and
 * builds exactly as before; the editor is told where, not silently changed.
 */
import { describe, expect, it } from 'vitest';
import { decodeSource } from '../../src/load/decode.js';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';
import { ordinance, smallCorpus } from '../support/small-corpus.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('NFC', () => {
  it('reads decomposed kana as composed, with a warning at the first one', () => {
    const nfd = 'first line\n二行目は\u304b\u3099ある';
    expect(nfd.length).toBe('first line\n二行目はがある'.length + 1);
    const r = decodeSource('a.md', enc(nfd));
    expect(r.text).toBe('first line\n二行目はがある');
    expect(r.diagnostics).toEqual([{ file: 'a.md', line: 2, column: 6, severity: 'warning', rule: 'not-nfc', message: expect.stringContaining('NFC') }]);
  });

  it('leaves NFC text alone, with no warning', () => {
    const r = decodeSource('a.md', enc('第六条　集積回路であって、が'));
    expect(r.text).toBe('第六条　集積回路であって、が');
    expect(r.diagnostics).toEqual([]);
  });

  it('builds an instrument re-saved decomposed with no new edition and no publication rendered again', { timeout: 120_000 }, async () => {
    const repo = makeTempRepo();
    repo.commit(smallCorpus(), 'initial texts', '2024-01-10T00:00:00+09:00');
    expect((await runCli(['build'], { cwd: repo.dir })).code).toBe(0);
    const text = ordinance('一二五');
    const nfd = text.normalize('NFD');
    expect(nfd).not.toBe(text); // the ordinance has kana that decompose (で, だ, ば …)
    repo.commit({ 'regulations/jp/403M50000400049.md': nfd }, 'the same text, saved decomposed', '2024-02-01T00:00:00+09:00');
    const r = await runCli(['build', '--json'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { publications: { regenerated: boolean; edition: number }[]; diagnostics: { rule: string }[] };
    // no new edition, no PDF rendered again (the portal still names the new revision it was built from)
    expect(out.publications.map((p) => [p.regenerated, p.edition])).toEqual(out.publications.map(() => [false, 1]));
    expect(out.diagnostics.map((d) => d.rule)).toContain('not-nfc');
  });
});
