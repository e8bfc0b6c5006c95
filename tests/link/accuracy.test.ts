/**
 * Accuracy of citation extraction against a hand-checked fixture
 * (tests/fixtures/link/citations.tsv): citations of all four instruments at
 * HEAD, each with the provisions a careful reader finds it refers to, or
 * `external` / `unresolvable`.
 *
 * A fixture line is found when an extracted citation of its provision that
 * overlaps its span has exactly the expected targets (or the status external,
 * or unresolved for `unresolvable`). Recall is found lines over all lines.
 * Precision counts every extracted citation that overlaps a fixture span
 * once: it is right when it matches the expectation of a line it overlaps,
 * wrong otherwise (a wrong target, a wrong status, a span cut in two).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractCitations, type Citation } from '../../src/link/extract.js';
import { walkProvisions } from '../../src/model/text.js';
import type { Provision } from '../../src/model/types.js';
import { loadCorpus, openSession, resolveRevision } from '../../src/pipeline/corpus.js';
import { REPO_ROOT } from '../support/paths.js';

const FIXTURE = path.join(REPO_ROOT, 'tests', 'fixtures', 'link', 'citations.tsv');
const MIN_PRECISION = 0.99;
const MIN_RECALL = 0.97;

interface Entry {
  line: number;
  source: string;
  text: string;
  expected: string;
  /** Where the text stands in the provision's text. */
  at?: number;
}

function readFixture(): { entries: Entry[]; problems: string[] } {
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n');
  const problems: string[] = [];
  if (lines[0] !== 'source\ttext\texpected') problems.push(`line 1: header must be "source<TAB>text<TAB>expected"`);
  const entries: Entry[] = [];
  lines.slice(1).forEach((raw, k) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const fields = raw.split('\t');
    const [source, text, expected] = fields;
    if (fields.length !== 3 || !source || !text || !expected) {
      problems.push(`line ${k + 2}: expected 3 tab-separated fields`);
      return;
    }
    entries.push({ line: k + 2, source, text, expected });
  });
  return { entries, problems };
}

/**
 * Places each line in its provision's text: longest texts first, skipping
 * occurrences inside a longer line's span (unless there is no other); equal
 * texts in file order.
 */
function locate(entries: Entry[], provisions: Map<string, Provision>, problems: string[]): void {
  const spans = new Map<string, [number, number][]>();
  const order = [...entries].sort((a, b) => b.text.length - a.text.length || a.line - b.line);
  for (const e of order) {
    const p = provisions.get(e.source);
    if (!p) {
      problems.push(`line ${e.line}: no provision ${e.source}`);
      continue;
    }
    const taken = spans.get(e.source) ?? [];
    const occurrences: number[] = [];
    for (let i = p.text.indexOf(e.text); i >= 0; i = p.text.indexOf(e.text, i + 1)) occurrences.push(i);
    const inside = (i: number) => taken.some(([a, b]) => i >= a && i + e.text.length <= b);
    const same = (i: number) => taken.some(([a, b]) => i === a && i + e.text.length === b);
    // a citation nested in a longer one (in its parenthesis) only when it stands nowhere else
    const at = occurrences.find((i) => !inside(i)) ?? occurrences.find((i) => !same(i));
    if (at === undefined) {
      problems.push(`line ${e.line}: 「${e.text}」 is not in the text of ${e.source}`);
      continue;
    }
    e.at = at;
    taken.push([at, at + e.text.length]);
    spans.set(e.source, taken);
  }
}

function resolution(c: Citation): string {
  if (c.status === 'external') return 'external';
  if (c.status === 'unresolved') return 'unresolvable';
  return c.targets.map((t) => t.id).join(',');
}

describe('citation accuracy on the hand-checked fixture', () => {
  it(`finds the fixture's citations with precision ≥ ${MIN_PRECISION} and recall ≥ ${MIN_RECALL}`, async () => {
    const session = await openSession({ repo: REPO_ROOT, corpus: 'regulations' });
    try {
      const corpus = await loadCorpus(session, await resolveRevision(session, 'HEAD'));
      const provisions = new Map<string, Provision>();
      for (const ins of corpus.instruments) for (const p of walkProvisions(ins.provisions)) provisions.set(p.id, p);
      const all = corpus.instruments.flatMap((i) => extractCitations(corpus.index, i));
      const bySource = new Map<string, Citation[]>();
      for (const c of all) bySource.set(c.source, [...(bySource.get(c.source) ?? []), c]);

      const { entries, problems } = readFixture();
      locate(entries, provisions, problems);
      for (const e of entries) {
        if (e.expected === 'external' || e.expected === 'unresolvable') continue;
        for (const id of e.expected.split(',')) if (!provisions.has(id)) problems.push(`line ${e.line}: no provision ${id}`);
      }
      // the fixture itself must be sound before it measures anything
      expect(problems).toEqual([]);
      expect(entries.length).toBeGreaterThanOrEqual(200);
      expect(new Set(entries.map((e) => e.source.split('/')[0])).size).toBe(4);

      const overlapping = (e: Entry) =>
        (bySource.get(e.source) ?? []).filter((c) => e.at !== undefined && c.index < e.at + e.text.length && c.index + c.text.length > e.at);
      const mismatches: string[] = [];
      let found = 0;
      const judged = new Map<Citation, boolean>();
      for (const e of entries) {
        const over = overlapping(e);
        const ok = over.some((c) => resolution(c) === e.expected);
        if (ok) found++;
        for (const c of over) judged.set(c, (judged.get(c) ?? false) || resolution(c) === e.expected);
        if (!ok) {
          const got = over.map((c) => `「${c.text}」→${resolution(c)}`).join(' | ') || '(nothing extracted)';
          mismatches.push(`line ${e.line} ${e.source} 「${e.text}」\n    expected ${e.expected}\n    got      ${got}`);
        }
      }
      const right = [...judged.values()].filter(Boolean).length;
      // extracted citations that overlap a fixture line but match none (the line may still be found by another)
      const wrong = [...judged.entries()].filter(([, ok]) => !ok).map(([c]) => `${c.source} 「${c.text}」→${resolution(c)}`);
      const precision = judged.size === 0 ? 0 : right / judged.size;
      const recall = found / entries.length;
      const unresolved = all.filter((c) => c.status === 'unresolved').length;

      console.log(
        [
          `citation accuracy: ${entries.length} fixture citations`,
          `  precision ${(precision * 100).toFixed(1)}% (${right} of ${judged.size} extracted citations overlapping the fixture resolve as expected)`,
          `  recall    ${(recall * 100).toFixed(1)}% (${found} of ${entries.length} fixture citations found with the expected resolution)`,
          `  unresolved over the whole corpus at HEAD: ${unresolved} of ${all.length} citations (${((unresolved / all.length) * 100).toFixed(1)}%)`,
          ...(mismatches.length > 0 ? [`  fixture citations not found (${mismatches.length}):`, ...mismatches.map((m) => `  ${m}`)] : []),
          ...(wrong.length > 0 ? [`  extracted citations that match no overlapping fixture line (${wrong.length}):`, ...wrong.map((w) => `    ${w}`)] : []),
        ].join('\n'),
      );
      expect(precision).toBeGreaterThanOrEqual(MIN_PRECISION);
      expect(recall).toBeGreaterThanOrEqual(MIN_RECALL);
    } finally {
      session.close();
    }
  });
});
