/**
 * The document markup templates write: read strictly, flattened into runs,
 * and nothing outside the vocabulary (scripts, unsafe links, DOCTYPEs) let in.
 */
import { describe, expect, it } from 'vitest';
import { MarkupError, parseMarkup } from '../../src/render/markup.js';

const doc = (body: string) => `<document id="t" title="T" lang="ja" edition="第1版" as-of="2025-01-01" commit="abc">\n${body}\n</document>`;

function error(xml: string): string {
  try {
    parseMarkup(xml, 'x.hbs');
  } catch (e) {
    if (e instanceof MarkupError) return `${e.line}:${e.column} ${e.rule}`;
    throw e;
  }
  return 'no error';
}

describe('parseMarkup', () => {
  it('flattens inline markup into runs and drops the whitespace of template layout only', () => {
    const d = parseMarkup(doc('<p id="a" indent="2" changed="yes">一\u3000<b>二 <a href="#b">三</a></b>\n    <ins>四</ins><del>五</del><br/>六</p>'), 'x.hbs');
    const p = d.blocks[0];
    expect(p?.type).toBe('para');
    if (p?.type !== 'para') return;
    expect(p.indent).toBe(2);
    expect(p.changed).toBe(true);
    expect(p.runs).toEqual([
      { text: '一\u3000' },
      { text: '二 ', bold: true },
      { text: '三', bold: true, href: '#b' },
      { text: '四', ins: true },
      { text: '五', del: true },
      { text: '\n六' },
    ]);
  });

  it('reads tables with header rows, fields and bookmarks', () => {
    const d = parseMarkup(doc('<table widths="1,3"><thead><tr><td>a</td><td>b</td></tr></thead><tr id="r1" outline="イ" outline-level="3"><td align="center"><checkbox name="q1.yes" label="該当"/></td><td indent="1">x</td></tr></table>'), 'x.hbs');
    const t = d.blocks[0];
    if (t?.type !== 'table') throw new Error('no table');
    expect(t.header[0]?.cells.map((c) => c.runs[0]?.text)).toEqual(['a', 'b']);
    expect(t.rows[0]).toMatchObject({ id: 'r1', bookmark: { title: 'イ', level: 3 }, cells: [{ field: { type: 'checkbox', name: 'q1.yes', label: '該当' }, align: 'center' }, { indent: 1 }] });
  });

  it('refuses what is outside the vocabulary, with line, column and rule', () => {
    expect(error(doc('<script>alert(1)</script>'))).toBe('2:9 markup-unknown-element');
    expect(error(doc('<p><a href="javascript:alert(1)">x</a></p>'))).toMatch(/^2:\d+ markup-unsafe-link$/);
    expect(error(doc('<p><a href="data:text/html,x">x</a></p>'))).toMatch(/markup-unsafe-link/);
    expect(error(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${doc('<p>&e;</p>')}`)).toMatch(/markup-doctype|markup-not-well-formed/);
    expect(error(doc('<p>unclosed'))).toMatch(/markup-not-well-formed/);
    expect(error(doc('loose text'))).toMatch(/markup-stray-text/);
    expect(error(doc('<table widths="1,2"><tr><td>a</td></tr></table>'))).toMatch(/markup-table-shape/);
    expect(error(doc('<table widths="1"><tr><td><checkbox name="a" label="x"/></td></tr><tr><td><textfield name="a"/></td></tr></table>'))).toMatch(/markup-duplicate-field/);
    expect(error(doc('<p id="a b">x</p>'))).toMatch(/markup-bad-id/);
  });

  it('keeps escaped text as text: markup in data never becomes markup', () => {
    const d = parseMarkup(doc('<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &#x3D; &amp;</p>'), 'x.hbs');
    const p = d.blocks[0];
    expect(p?.type === 'para' ? p.runs : []).toEqual([{ text: "<script>alert('x')</script> = &" }]);
  });
});
