import { it } from 'vitest';
import { parseSourceFile } from '../../src/pipeline/parse-file.js';
import { frontMatter } from '../support/repo.js';

const enc = new TextEncoder();
const F = 'regulations/x.md';
const fm = frontMatter('A1', 't', 'law');
const body = '**第一条**　本文。\n';
const cases: Record<string, () => string | Uint8Array> = {
  yamlDeepFlow: () => '---\ntitle: ' + '['.repeat(100000) + '\nidentifier: A1\nrank: law\n---\n\n' + body,
  yamlDeepFlowClosed: () => '---\ntitle: ' + '['.repeat(20000) + ']'.repeat(20000) + '\nidentifier: A1\nrank: law\n---\n\n' + body,
  yamlDeepBlock: () => '---\ntitle: t\nidentifier: A1\nrank: law\nextra:\n' + Array.from({ length: 5000 }, (_, i) => ' '.repeat(i + 1) + '- ').join('\n') + 'x\n---\n\n' + body,
  yamlDeepMap: () => '---\ntitle: t\nidentifier: A1\nrank: law\nextra:\n' + Array.from({ length: 5000 }, (_, i) => ' '.repeat(i + 1) + 'k:').join('\n') + ' x\n---\n\n' + body,
  yamlHuge: () => '---\ntitle: t\nidentifier: A1\nrank: law\nextra:\n  law_num: "' + 'あ'.repeat(2_000_000) + '"\n---\n\n' + body,
  emphDeep: () => fm + '**第一条**　' + '*_'.repeat(20000) + 'x' + '_*'.repeat(20000) + '\n',
  imgDeep: () => fm + '**第一条**　' + '!['.repeat(20000) + 'x' + '](u)'.repeat(20000) + '\n',
  brackets: () => fm + '**第一条**　' + '['.repeat(200000) + '\n',
  brackets2: () => fm + '**第一条**　' + '[a]('.repeat(50000) + '\n',
  stars: () => fm + '**第一条**　' + '*'.repeat(200000) + '\n',
  starsA: () => fm + '**第一条**　' + '**a'.repeat(100000) + '\n',
  starsMixed: () => fm + '**第一条**　' + '*a_'.repeat(100000) + '\n',
  backticks: () => fm + '**第一条**　' + '`a``'.repeat(50000) + '\n',
  longAscii: () => fm + '**第一条**　' + 'a'.repeat(2_000_000) + '\n',
  longJa: () => fm + '**第一条**　' + 'あ'.repeat(700_000) + '\n',
  deepList: () => fm + body + '\n' + Array.from({ length: 3000 }, (_, i) => '  '.repeat(i) + '- 一　x').join('\n') + '\n',
  deepQuote: () => fm + body + '\n' + '>'.repeat(3000) + ' x\n',
  deepQuoteLines: () => fm + body + '\n' + Array.from({ length: 3000 }, (_, i) => '>'.repeat(i + 1) + ' x').join('\n') + '\n',
  deepListOneLine: () => fm + body + '\n' + '- '.repeat(3000) + 'x\n',
  nestedBelowLimit: () => fm + body + '\n' + Array.from({ length: 30 }, (_, i) => '>'.repeat(i + 1) + ' x').join('\n') + '\n',
  listUnderLimit: () => fm + body + '\n' + Array.from({ length: 16 }, (_, i) => '  '.repeat(i) + '- 一　x').join('\n') + '\n',
  manyLines: () => fm + Array.from({ length: 100000 }, (_, i) => `**第${i + 1}条**　x`).join('\n\n') + '\n',
  tableWide: () => fm + '| ' + 'a | '.repeat(50000) + '\n|' + '-|'.repeat(50000) + '\n',
  htmlComment: () => fm + body + '<!--' + 'x'.repeat(100000) + '\n',
  refDefs: () => fm + Array.from({ length: 20000 }, (_, i) => `[a${i}]: http://x`).join('\n') + '\n' + body,
  autolinks: () => fm + '**第一条**　' + 'www.'.repeat(200000) + '\n',
  autolinks2: () => fm + '**第一条**　' + 'http://a'.repeat(100000) + '\n',
  tildes: () => fm + '**第一条**　' + '~~a'.repeat(100000) + '\n',
  footnotes: () => fm + '**第一条**　' + '[^'.repeat(100000) + '\n',
  lt: () => fm + '**第一条**　' + '<a'.repeat(200000) + '\n',
  entity: () => fm + '**第一条**　' + '&#'.repeat(200000) + '\n',
};
it('explore', () => {
  for (const [name, mk] of Object.entries(cases)) {
    const src = mk();
    const bytes = typeof src === 'string' ? enc.encode(src) : src;
    let out: unknown;
    const t0 = performance.now();
    try {
      const r = parseSourceFile(F, bytes);
      out = r.diagnostics.slice(0, 4).map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule} ${d.message.slice(0, 120)}`);
      out = [...(out as string[]), `(${r.diagnostics.length} diags)`, r.instrument ? 'INSTR' : 'NO INSTR'];
    } catch (e) {
      out = 'THROW ' + String(e).slice(0, 200);
    }
    console.log(name, `${bytes.length}B`, Math.round(performance.now() - t0) + 'ms', out);
  }
}, 600_000);
