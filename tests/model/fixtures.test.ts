/**
 * Builder fixtures: tests/fixtures/model/<case>/input.md and, beside it,
 * expected.txt: one line per provision (id, label, text) indented by depth,
 * then the diagnostics. Hand-checked; regenerate a case with
 * REGPRESS_UPDATE_FIXTURES=1 and read the diff before committing it.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Provision } from '../../src/model/types.js';
import { parseSourceFile } from '../../src/pipeline/parse-file.js';
import { formatDiagnostic } from '../../src/render/text.js';
import { REPO_ROOT } from '../support/paths.js';

const dir = path.join(REPO_ROOT, 'tests', 'fixtures', 'model');

function outline(list: readonly Provision[], depth = 0, out: string[] = []): string[] {
  for (const p of list) {
    const more = [
      ...('caption' in p && p.caption !== undefined ? [`caption=${p.caption}`] : []),
      ...('title' in p ? [`title=${p.title}`] : []),
      ...(p.deleted ? ['deleted'] : []),
      ...p.extra.map((b) => `+${JSON.stringify(b.text)}`),
      ...(p.kind === 'row' ? p.cells.map((c) => `cell=${JSON.stringify(c.text)}`) : []),
      ...(p.kind === 'row' ? p.continuation.map((r) => `cont=${JSON.stringify(r.map((c) => c.text))}`) : []),
      ...(p.kind === 'appendix-table' && p.header.length > 0 ? [`header=${JSON.stringify(p.header.map((h) => h.text))}`] : []),
      ...(p.links ?? []).map((l) => `link=${l.href}@${l.index}`),
    ];
    out.push(`${'  '.repeat(depth)}${p.id} [${p.label}] ${JSON.stringify(p.text)}${more.length ? ` ${more.join(' ')}` : ''} @${p.range.start.line}:${p.range.start.column}`);
    outline(p.children, depth + 1, out);
  }
  return out;
}

describe.each(readdirSync(dir))('model fixture %s', (name) => {
  it('builds the expected provisions and diagnostics', () => {
    const input = readFileSync(path.join(dir, name, 'input.md'));
    const parsed = parseSourceFile(`${name}/input.md`, input);
    const actual = [...outline(parsed.instrument?.provisions ?? []), '--', ...parsed.diagnostics.map((d) => formatDiagnostic(d))].join('\n') + '\n';
    const expectedFile = path.join(dir, name, 'expected.txt');
    if (process.env.REGPRESS_UPDATE_FIXTURES === '1' || !existsSync(expectedFile)) writeFileSync(expectedFile, actual);
    expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
  });
});
