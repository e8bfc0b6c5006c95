/**
 * The subscribers file: untrusted YAML validated into typed subscribers, with
 * file:line:column diagnostics; the fast reader and the positional reader
 * agree on every clean file.
 */
import { describe, expect, it } from 'vitest';
import { readSubscribers, readSubscribersFast, readSubscribersPositional } from '../../src/load/subscriptions.js';

const CLEAN = `# comment
subscribers:
  - name: 半導体　太郎
    email: row7@example.co.jp
    follows:
      rows: ["7", "16(1)", 3の2]
      publications: [ps-row-7]
  - id: legal-team
    name: "Legal & Compliance"
    email: legal@example.com
    language: en
    editorial: true
    follows: { instruments: [輸出令, 403M50000400049], layers: [law], provisions: ["輸出令第四条"] }
`;

function problems(text: string): string[] {
  return readSubscribers('s.yaml', text).diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule} ${d.message}`);
}

describe('readSubscribers', () => {
  it('reads a clean file the same way on the fast and the positional path', () => {
    const fast = readSubscribersFast(CLEAN);
    const slow = readSubscribersPositional('s.yaml', CLEAN);
    expect(slow.diagnostics).toEqual([]);
    expect(fast).toEqual(slow.subscribers);
    expect(fast?.map((s) => [s.id, s.language, s.editorial, s.line, s.follows.rows.join('|')])).toEqual([
      [expect.stringMatching(/^[0-9a-f]{16}$/), 'ja', false, 3, '7|16(1)|3の2'],
      ['legal-team', 'en', true, 8, ''],
    ]);
  });

  const entry = (email: string, extra: string, follows: string) => `subscribers:\n  - name: x\n    email: ${email}\n${extra}    follows:\n      ${follows}\n`;
  it.each([
    ['a header injection in the address', entry('"a@b.example\\r\\nBcc: x@evil.example"', '', 'rows: ["7"]'), /^3:12 error subscribers-schema .*line breaks/],
    ['an address that is no address', entry('"not an address"', '', 'rows: ["7"]'), /^3:12 error subscribers-schema .*not an e-mail address/],
    ['a row that is no 項番', entry('x@example.com', '', 'rows: ["99x"]'), /^5:14 error subscribers-schema row "99x"/],
    ['an unknown layer', entry('x@example.com', '', 'layers: [federal]'), /^5:16 error subscribers-schema layer "federal"/],
    ['an unknown follows key', entry('x@example.com', '', 'chapters: [1]'), /^5:7 error subscribers-schema unknown key "chapters"/],
    ['a language other than ja/en', entry('x@example.com', '    language: fr\n', 'rows: ["7"]'), /^4:15 error subscribers-schema language "fr"/],
    ['a name with a control character', 'subscribers:\n  - name: "a\\u0007b"\n    email: x@example.com\n    follows: { rows: ["7"] }\n', /^2:\d+ error subscribers-(schema|yaml) /],
  ])('refuses %s with its line and column', (_what, text, expected) => {
    expect(readSubscribersFast(text)).toBeUndefined();
    expect(problems(text).join('\n')).toMatch(expected);
  });

  it('reports a duplicate subscriber, a YAML error and an alias', () => {
    expect(problems('subscribers:\n  - { name: a, email: a@example.com, follows: { rows: ["7"] } }\n  - { name: b, email: A@example.com, follows: { rows: ["8"] } }\n')).toEqual([expect.stringMatching(/^3:\d+ error subscribers-duplicate .*line 2/)]);
    expect(problems('subscribers:\n  - name: [unclosed\n')[0]).toMatch(/^\d+:\d+ error subscribers-yaml invalid YAML/);
    expect(problems('x: &a [1]\nsubscribers:\n  - name: a\n    email: a@example.com\n    follows: { rows: *a }\n').join('\n')).toMatch(/error subscribers-schema/);
  });

  it('reads 20,000 subscribers on the fast path', () => {
    const lines = ['subscribers:'];
    for (let i = 0; i < 20_000; i++) lines.push(`  - name: 購読者${i}`, `    email: s${i}@example.com`, '    follows:', `      rows: ["${(i % 14) + 2}"]`);
    const text = `${lines.join('\n')}\n`;
    const fast = readSubscribersFast(text);
    expect(fast).toHaveLength(20_000);
    expect(fast?.[19_999]?.line).toBe(2 + 4 * 19_999);
  });
});
