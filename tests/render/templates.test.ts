import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { compileTemplates, formatWareki, TemplateError } from '../../src/render/templates.js';

describe('compileTemplates', () => {
  it('escapes data, fills partials, and leaves the global Handlebars untouched', () => {
    const t = compileTemplates([
      { name: 'page.hbs', text: '<p>{{> item}}</p>' },
      { name: 'partials/item.hbs', text: '{{text}}・{{wareki date}}' },
    ]);
    expect(t.render('page', { text: '<b onclick="x">&', date: '2025-01-23' })).toBe('<p>&lt;b onclick&#x3D;&quot;x&quot;&gt;&amp;・令和7年1月23日</p>');
    expect(Object.keys(Handlebars.partials)).not.toContain('item');
    expect(Object.keys(Handlebars.helpers)).not.toContain('wareki');
  });

  it('writes plain-text templates (digest.text) as text: a URL and a quote come out as they are, while digest.html escapes them', () => {
    const t = compileTemplates([
      { name: 'digest.text.hbs', text: '{{url}} {{name}}' },
      { name: 'digest.html.hbs', text: '<p>{{url}} {{name}}</p>' },
    ]);
    const data = { url: 'https://regpress.example/unsubscribe?s=a&b=1', name: "O'Neil <x>" };
    expect(t.render('digest.text', data)).toBe("https://regpress.example/unsubscribe?s=a&b=1 O'Neil <x>");
    expect(t.render('digest.html', data)).toBe('<p>https://regpress.example/unsubscribe?s&#x3D;a&amp;b&#x3D;1 O&#x27;Neil &lt;x&gt;</p>');
  });

  it('is strict: a missing field is an error naming the template, not an empty string', () => {
    const t = compileTemplates([{ name: 'page.hbs', text: 'line one\n{{missing.field}}' }]);
    expect(() => t.render('page', {})).toThrow(TemplateError);
    expect(() => t.render('page', {})).toThrow(/^page\.hbs:2:\d+ "field" not defined/);
  });

  it('reports a syntax error with its file and line when compiled', () => {
    expect(() => compileTemplates([{ name: 'bad.hbs', text: 'a\n{{#each x}}\nb' }])).toThrow(/^bad\.hbs:\d+:\d+ /);
  });

  it('will not read prototype properties', () => {
    const t = compileTemplates([{ name: 'p.hbs', text: '[{{constructor.name}}]' }]);
    expect(() => t.render('p', {})).toThrow(TemplateError);
  });

  it('writes dates the Japanese way across era boundaries', () => {
    expect(['2019-04-30', '2019-05-01', '2020-01-22', '1989-01-08', 'x'].map(formatWareki)).toEqual(['平成31年4月30日', '令和元年5月1日', '令和2年1月22日', '平成元年1月8日', 'x']);
  });
});
