/**
 * The structural diff on the whole real amendment history: every successive
 * pair of versions of every instrument in this repository's history of
 * regulations/jp, diffed once. Every line git sees changed is accounted for
 * by a reported change, nothing identical is reported, and hand-checked
 * amendments come out as they happened.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignInstruments } from '../../src/diff/align.js';
import { compareQuantities } from '../../src/diff/numbers.js';
import { formatRedline } from '../../src/diff/text.js';
import type { InstrumentDiff, ProvisionChange } from '../../src/diff/types.js';
import { GitRepo } from '../../src/load/git.js';
import type { Instrument } from '../../src/model/types.js';
import { parseSourceFile } from '../../src/pipeline/parse-file.js';
import { REPO_ROOT } from '../support/paths.js';

interface Pair {
  commit: string;
  date: string;
  path: string;
  oldBlob: string;
  newBlob: string;
  oldSource: string;
  newSource: string;
  diff: InstrumentDiff;
}

const pairs: Pair[] = [];
let versions = 0;

beforeAll(async () => {
  const repo = await GitRepo.open(REPO_ROOT);
  try {
    const head = await repo.resolveRevision('HEAD');
    const changes = (await repo.fileChanges(head, 'regulations/jp')).filter((c) => c.path.endsWith('.md'));
    versions = changes.length;
    const blobs = await repo.readBlobs([...new Set(changes.flatMap((c) => (c.blob ? [c.blob] : [])))]);
    const models = new Map<string, Instrument | undefined>();
    const model = (p: string, blob: string) => {
      if (!models.has(blob)) models.set(blob, parseSourceFile(p, blobs.get(blob) as Buffer).instrument);
      return models.get(blob);
    };
    const last = new Map<string, string>();
    for (const c of changes) {
      const prev = last.get(c.path);
      if (c.blob) last.set(c.path, c.blob);
      if (!prev || !c.blob) continue;
      pairs.push({
        commit: c.commit,
        date: c.authorDate.slice(0, 10),
        path: c.path,
        oldBlob: prev,
        newBlob: c.blob,
        oldSource: (blobs.get(prev) as Buffer).toString('utf8'),
        newSource: (blobs.get(c.blob) as Buffer).toString('utf8'),
        diff: alignInstruments(model(c.path, prev), model(c.path, c.blob), { compareNumbers: compareQuantities }),
      });
    }
  } finally {
    repo.close();
  }
}, 600_000);

interface Hunk {
  old: number[];
  new: number[];
}

/** The hunks of git's own line diff: the lines it says changed on each side (1-based). */
function gitHunks(oldBlob: string, newBlob: string): Hunk[] {
  const out = execFileSync('git', ['diff', '-U0', '--no-color', '--no-ext-diff', oldBlob, newBlob], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const hunks: Hunk[] = [];
  for (const m of out.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    const [os, oc, ns, nc] = [Number(m[1]), m[2] === undefined ? 1 : Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
    hunks.push({ old: Array.from({ length: oc }, (_, i) => os + i), new: Array.from({ length: nc }, (_, i) => ns + i) });
  }
  return hunks;
}

function frontMatterEnd(source: string): number {
  return source.slice(0, source.indexOf('\n---\n', 3) + 5).split('\n').length - 1;
}

function covers(ranges: ({ start: { line: number }; end: { line: number } } | undefined)[], line: number): boolean {
  return ranges.some((r) => r !== undefined && r.start.line <= line && line <= r.end.line);
}

export function changeLine(c: ProvisionChange): string {
  const ids = c.oldId && c.oldId !== c.id ? `${c.oldId} → ${c.id}` : c.id;
  const body = c.redline ? formatRedline(c.redline) : c.kind === 'added' ? `{+${c.after ?? ''}+}` : c.kind === 'removed' ? `[-${c.before ?? ''}-]` : `${c.before ?? ''} ⇒ ${c.after ?? ''}`;
  return `${c.kind} ${ids} ${body}`.replace(/\n/g, '⏎');
}

describe('the structural diff on the real history', () => {
  it('diffs every successive pair of versions (78 amendments after the 4 first versions... 75 pairs per file)', () => {
    expect(versions).toBeGreaterThanOrEqual(79);
    expect(pairs.length).toBe(versions - 4);
  });

  it('accounts for every line git sees changed with a reported change', () => {
    const unaccounted: string[] = [];
    for (const p of pairs) {
      const hunks = gitHunks(p.oldBlob, p.newBlob);
      const oldLines = p.oldSource.split('\n');
      const newLines = p.newSource.split('\n');
      const oldRanges = p.diff.changes.map((c) => c.oldRange);
      const newRanges = p.diff.changes.map((c) => c.newRange);
      // Where git pairs identical lines differently from the structural alignment
      // (one of several identical "## 附則" blocks), the text is still accounted
      // for when a line with the same text lies in a reported change.
      const textIn = (lines: string[], ranges: typeof oldRanges) => {
        const out = new Set<string>();
        for (const r of ranges) if (r) for (let l = r.start.line; l <= r.end.line; l++) out.add(lines[l - 1] ?? '');
        return out;
      };
      const oldCovered = textIn(oldLines, oldRanges);
      const newCovered = textIn(newLines, newRanges);
      const fmOld = frontMatterEnd(p.oldSource);
      const fmNew = frontMatterEnd(p.newSource);
      for (const h of hunks) {
        // a hunk that replaces a line by one with an insertion inside it (a new row
        // item in a table cell) is accounted for by the change on either side
        const hunkNew = h.new.some((l) => covers(newRanges, l));
        const hunkOld = h.old.some((l) => covers(oldRanges, l));
        for (const l of h.old) {
          const text = oldLines[l - 1] ?? '';
          if (l <= fmOld || text.trim() === '' || hunkNew || covers(oldRanges, l) || oldCovered.has(text)) continue;
          unaccounted.push(`${p.date} ${p.path} old line ${l}: ${text.slice(0, 60)}`);
        }
        for (const l of h.new) {
          const text = newLines[l - 1] ?? '';
          if (l <= fmNew || text.trim() === '' || hunkOld || covers(newRanges, l) || newCovered.has(text)) continue;
          unaccounted.push(`${p.date} ${p.path} new line ${l}: ${text.slice(0, 60)}`);
        }
      }
      if (hunks.some((h) => h.old.some((l) => l <= fmOld)) && p.diff.metadata.length === 0) unaccounted.push(`${p.date} ${p.path}: front matter changed, no metadata change reported`);
    }
    expect(unaccounted).toEqual([]);
  });

  it('never reports a provision whose text and id are both unchanged', () => {
    const spurious: string[] = [];
    for (const p of pairs) {
      for (const c of p.diff.changes) {
        if (c.kind === 'modified' && c.before === c.after) spurious.push(`${p.date} ${changeLine(c)}`);
        if ((c.kind === 'renumbered' || c.kind === 'moved') && c.oldId === c.newId && c.before === c.after) spurious.push(`${p.date} ${changeLine(c)}`);
      }
    }
    expect(spurious).toEqual([]);
  });

  it('reports a renumbering as an old id → new id map, never as a delete plus an add of the same text', () => {
    const pairsOfSame: string[] = [];
    for (const p of pairs) {
      const removed = new Map(p.diff.changes.filter((c) => c.kind === 'removed').map((c) => [c.before?.replace(/^\S+\u3000/, ''), c.id]));
      for (const c of p.diff.changes.filter((x) => x.kind === 'added')) {
        const body = c.after?.replace(/^\S+\u3000/, '');
        if (body && body.length > 20 && removed.has(body)) pairsOfSame.push(`${p.date} ${removed.get(body)} / ${c.id}`);
      }
    }
    expect(pairsOfSame).toEqual([]);
  });

  const fixtures = path.join(REPO_ROOT, 'tests', 'fixtures', 'diff');
  describe.each(readdirSync(fixtures))('hand-checked amendment %s', (name) => {
    it('is reported as it happened', () => {
      const [spec = '', ...expected] = readFileSync(path.join(fixtures, name, 'expected.txt'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
      const [file, date, counts] = spec.split(/\s+/);
      const matching = pairs.filter((p) => p.path.endsWith(`/${file}`) && p.date === date);
      expect(matching.length).toBeGreaterThan(0);
      const pair = matching[0] as Pair;
      const lines = pair.diff.changes.map(changeLine);
      for (const e of expected) expect(lines).toContain(e);
      const byKind: Record<string, number> = {};
      for (const c of pair.diff.changes) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
      expect(Object.entries(byKind).sort().map(([k, v]) => `${k}=${v}`).join(',')).toBe(counts);
    });
  });
});
