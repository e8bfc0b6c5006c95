/**
 * The whole real amendment history (this repository's own history of
 * regulations/jp, replayed from the corpus bundle), walked once: every
 * version of every instrument parses without errors, its text survives into
 * the model character for character, and ids are unique.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GitRepo } from '../../src/load/git.js';
import { parseMarkdown, parseMarkdownWhole } from '../../src/load/markdown.js';
import { readFrontMatter } from '../../src/load/front-matter.js';
import { reassembleText, walkProvisions } from '../../src/model/text.js';
import type { Diagnostic, Instrument } from '../../src/model/types.js';
import { parseSourceFile } from '../../src/pipeline/parse-file.js';
import { REPO_ROOT } from '../support/paths.js';

interface Version {
  commit: string;
  path: string;
  source: string;
  instrument: Instrument | undefined;
  diagnostics: Diagnostic[];
}

/**
 * The source with Markdown markup removed, written independently of the
 * parser: list markers, heading marks, bold marks, table pipes and delimiter
 * rows, and all whitespace.
 */
function sourceText(source: string): string {
  const body = source.replace(/^---\n[\s\S]*?\n---\n/, '');
  return body
    .split('\n')
    .filter((l) => !/^\|?\s*:?-{3,}/.test(l))
    .map((l) => l.replace(/^\s*[-*+] /, '').replace(/^#+ /, '').replace(/\*\*/g, '').replace(/\|/g, ''))
    .join('')
    .replace(/[\s\u3000]/g, '');
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: source …${a.slice(Math.max(0, i - 20), i + 30)}… model …${b.slice(Math.max(0, i - 20), i + 30)}…`;
}

const versions: Version[] = [];
let commitCount = 0;

beforeAll(async () => {
  const repo = await GitRepo.open(REPO_ROOT);
  try {
    const head = await repo.resolveRevision('HEAD');
    const commits = await repo.commitsTouching(head, 'regulations/jp');
    commitCount = commits.length;
    const seen = new Set<string>();
    for (const c of commits) {
      const entries = (await repo.listTree(c.commit, 'regulations/jp')).filter((e) => e.path.endsWith('.md') && !seen.has(`${e.path}@${e.blob}`));
      const blobs = await repo.readBlobs(entries.map((e) => e.blob));
      for (const e of entries) {
        seen.add(`${e.path}@${e.blob}`);
        const bytes = blobs.get(e.blob) as Buffer;
        const parsed = parseSourceFile(e.path, bytes);
        versions.push({ commit: c.commit, path: e.path, source: bytes.toString('utf8'), ...parsed });
      }
    }
  } finally {
    repo.close();
  }
}, 300_000);

describe('the real amendment history', () => {
  it('is all there: 79 amendments of 4 instruments (a shallow clone fails here)', () => {
    expect(commitCount).toBeGreaterThanOrEqual(79);
    expect(new Set(versions.map((v) => v.path)).size).toBe(4);
    expect(versions.length).toBeGreaterThanOrEqual(79);
  });

  it('parses every version with no error', () => {
    const errors = versions.flatMap((v) => v.diagnostics.filter((d) => d.severity === 'error').map((d) => `${v.commit.slice(0, 8)} ${d.file}:${d.line}:${d.column} ${d.message} ${d.rule}`));
    expect(errors).toEqual([]);
    expect(versions.every((v) => v.instrument !== undefined)).toBe(true);
  });

  it('keeps every character of provision text exactly once, in order, in every version', () => {
    const mismatches: string[] = [];
    for (const v of versions) {
      if (!v.instrument) continue;
      const model = reassembleText(v.instrument).replace(/[\s\u3000]/g, '');
      const source = sourceText(v.source);
      if (model !== source) mismatches.push(`${v.commit.slice(0, 8)} ${v.path} ${firstDifference(source, model)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('gives every provision a unique id and an address that matches it', () => {
    const problems: string[] = [];
    for (const v of versions) {
      if (!v.instrument) continue;
      const ids = new Set<string>();
      for (const p of walkProvisions(v.instrument.provisions)) {
        if (ids.has(p.id)) problems.push(`${v.commit.slice(0, 8)} duplicate ${p.id}`);
        ids.add(p.id);
        if (p.address.instrument !== v.instrument.id || p.address.path.length === 0) problems.push(`${p.id} has a bad address`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('knows where the text of each provision starts in the source', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const v of versions) {
      if (!v.instrument) continue;
      const lines = v.source.split('\n');
      for (const p of walkProvisions(v.instrument.provisions)) {
        if (!p.textAt || p.text === '' || p.text.includes('\n')) continue;
        checked++;
        const at = v.source.slice(p.textAt.offset, p.textAt.offset + p.text.length);
        const line = lines[p.textAt.line - 1] ?? '';
        if (at !== p.text || line.slice(p.textAt.column - 1, p.textAt.column - 1 + p.text.length) !== p.text) wrong.push(`${v.commit.slice(0, 8)} ${p.id}: ${at.slice(0, 20)} ≠ ${p.text.slice(0, 20)}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });

  it('parses into the same tree in chunks as in one piece (HEAD and a sample of older versions)', () => {
    const sample = versions.filter((v, i) => i % 12 === 0 || versions.slice(i + 1).every((w) => w.path !== v.path));
    expect(sample.length).toBeGreaterThanOrEqual(8);
    for (const v of sample) {
      const fm = readFrontMatter(v.path, v.source);
      const body = v.source.slice(fm.bodyOffset);
      const chunked = parseMarkdown(body, fm.bodyLine, fm.bodyOffset).children;
      const whole = JSON.parse(JSON.stringify(parseMarkdownWhole(v.source.slice(0, fm.bodyOffset).replace(/[^\n]/g, ' ') + body).children, (k, val: unknown) => (k === 'data' ? undefined : val)));
      expect(chunked).toEqual(whole);
    }
  });

  it('models what the corpus is made of at HEAD', () => {
    const head = new Map<string, Instrument>();
    for (const v of versions) if (v.instrument) head.set(v.path, v.instrument);
    const kinds = (id: string) => {
      const ins = [...head.values()].find((i) => i.id === id);
      const out: Record<string, number> = {};
      for (const p of walkProvisions(ins?.provisions ?? [])) out[p.kind] = (out[p.kind] ?? 0) + 1;
      return out;
    };
    // 輸出令: 別表第一 has rows 一 … 一六 with （一）… split out of the cells
    const etco = [...head.values()].find((i) => i.id === '324CO0000000378');
    const table1 = etco?.provisions.find((p) => p.id === '324CO0000000378/appx1');
    expect(table1?.children.map((r) => r.label)).toEqual(['一', '二', '三', '三の二', '四', '五', '六', '七', '八', '九', '一〇', '一一', '一二', '一三', '一四', '一五', '一六']);
    const row7 = table1?.children.find((r) => r.label === '七');
    expect(row7?.children.length).toBeGreaterThan(20);
    expect(row7?.children.every((c) => c.kind === 'row-item' && /^（[一二三四五六七八九十の]+）$/.test(c.label))).toBe(true);
    expect(kinds('324AC0000000228').chapter).toBeGreaterThan(5);
    expect(kinds('403M50000400049').subitem).toBeGreaterThan(1000);
  });
});
