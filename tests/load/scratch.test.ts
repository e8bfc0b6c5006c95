import { it } from 'vitest';
import { parseSourceFile } from '../../src/pipeline/parse-file.js';
import { frontMatter } from '../support/repo.js';

const enc = new TextEncoder();
const F = 'regulations/x.md';
const body = '**第一条**　本文。\n';
const cases: Record<string, string | Uint8Array> = {
  badIndent: '---\ntitle: "t"\n  identifier: "A1"\nrank: law\n---\n\n' + body,
  badIndent2: '---\ntitle: "t"\nidentifier: "A1"\nextra:\n  law_num: x\n   abbrev: y\nrank: law\n---\n\n' + body,
  unclosed: '---\ntitle: "t\nidentifier: "A1"\nrank: law\n---\n\n' + body,
  unclosed2: '---\nidentifier: A1\nrank: law\ntitle: "t\n---\n\n' + body,
  dup: '---\ntitle: "t"\nidentifier: "A1"\nrank: law\ntitle: "u"\n---\n\n' + body,
  bomb: '---\na: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\ntitle: "t"\nidentifier: "A1"\nrank: law\n---\n\n' + body,
  tag: '---\ntitle: !!js/function "function () { return 1 }"\nidentifier: "A1"\nrank: law\n---\n\n' + body,
  tag2: '---\ntitle: !custom "x"\nidentifier: "A1"\nrank: law\n---\n\n' + body,
  list: '---\n- title\n- identifier\n---\n\n' + body,
  scalar: '---\njust a string\n---\n\n' + body,
  empty: '---\n---\n\n' + body,
  missingFm: body,
  unterminated: '---\ntitle: t\nidentifier: A1\nrank: law\n\n' + body,
  missingKeys: '---\ntitle: t\n---\n\n' + body,
  wrongType: '---\ntitle: [a, b]\nidentifier: A1\nrank: law\n---\n\n' + body,
  wrongType2: '---\ntitle: t\nidentifier: A1\nrank: law\nextra: 5\n---\n\n' + body,
  numTitle: '---\ntitle: 5\nidentifier: 12\nrank: law\n---\n\n' + body,
  boolTitle: '---\ntitle: true\nidentifier: A1\nrank: law\n---\n\n' + body,
  unknownRank: '---\ntitle: t\nidentifier: A1\nrank: decree\n---\n\n' + body,
  badDate1: frontMatter('A1', 't', 'law', 'extra:\n  enforced_at: 2024/01/01\n') + body,
  badDate2: frontMatter('A1', 't', 'law', 'extra:\n  enforced_at: 2024-1-1\n') + body,
  badDate3: frontMatter('A1', 't', 'law', 'extra:\n  enforced_at: 2024-01-01\n') + body,
  badDate4: frontMatter('A1', 't', 'law', 'extra:\n  enforced_at: 2024-13-45\n') + body,
  badDate5: frontMatter('A1', 't', 'law', 'extra:\n  enforced_at: "令和6年4月1日"\n') + body,
  badDate6: frontMatter('A1', 't', 'law', 'publication_date: 2024-02-30\n') + body,
  codeBlock: frontMatter('A1', 't', 'law') + body + '\n```\ncode here\n```\n',
  quote: frontMatter('A1', 't', 'law') + body + '\n> quoted text\n',
  dupIds: frontMatter('A1', 't', 'law') + body + '\n**第一条**　二。\n',
  crlf: (frontMatter('A1', 't', 'law') + body).replace(/\n/g, '\r\n'),
  nul: frontMatter('A1', 't', 'law') + '**第一条**　本\0文。\n',
};
it('explore', () => {
  for (const [name, src] of Object.entries(cases)) {
    const bytes = typeof src === 'string' ? enc.encode(src) : src;
    let out: unknown;
    try {
      const r = parseSourceFile(F, bytes);
      out = r.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule} ${d.message}`);
      out = [...(out as string[]), r.instrument ? 'INSTR ' + JSON.stringify(r.instrument.meta) : 'NO INSTR'];
    } catch (e) {
      out = 'THROW ' + String(e);
    }
    console.log(name, out);
  }
});
