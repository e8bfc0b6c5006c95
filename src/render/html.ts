/**
 * Document tree → one self-contained HTML page: the same content as the PDF,
 * for reading on screen. Every element with an id is an anchor; change bars
 * are a left border; form fields are inputs. Deterministic: no dates, no
 * scripts, only the document's own text, escaped.
 */
import { documentAnchors, type Block, type Cell, type Document, type Run, type TableRow } from './document.js';
import { isAllowedHref } from './markup.js';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function runsHtml(runs: readonly Run[], anchors: ReadonlySet<string>): string {
  return runs
    .map((r) => {
      let h = esc(r.text).replace(/\n/g, '<br>');
      if (r.bold) h = `<strong>${h}</strong>`;
      if (r.ins) h = `<ins>${h}</ins>`;
      if (r.del) h = `<del>${h}</del>`;
      if (r.href && isAllowedHref(r.href) && (!r.href.startsWith('#') || anchors.has(r.href.slice(1)))) {
        const external = !r.href.startsWith('#');
        h = `<a href="${esc(r.href)}"${external ? ' rel="noopener noreferrer"' : ''}>${h}</a>`;
      }
      return h;
    })
    .join('');
}

function attrs(id: string | undefined, classes: string[]): string {
  const c = classes.filter((x) => x !== '');
  return `${id ? ` id="${esc(id)}"` : ''}${c.length > 0 ? ` class="${c.join(' ')}"` : ''}`;
}

function cellHtml(tag: 'td' | 'th', c: Cell, anchors: ReadonlySet<string>): string {
  const style = c.indent > 0 ? ` style="padding-left:${0.4 + c.indent}em"` : '';
  const cls = c.align === 'center' ? ' class="c"' : '';
  let field = '';
  if (c.field?.type === 'checkbox') field = `<label><input type="checkbox" name="${esc(c.field.name)}"> ${esc(c.field.label)}</label>`;
  if (c.field?.type === 'text') field = `<input type="text" name="${esc(c.field.name)}" aria-label="備考">`;
  return `<${tag}${cls}${style}>${runsHtml(c.runs, anchors)}${field}</${tag}>`;
}

function rowHtml(r: TableRow, tag: 'td' | 'th', anchors: ReadonlySet<string>): string {
  return `<tr${attrs(r.id, [r.changed ? 'changed' : ''])}>${r.cells.map((c) => cellHtml(tag, c, anchors)).join('')}</tr>`;
}

interface TocEntry {
  id: string;
  title: string;
  level: number;
}

function tocEntries(doc: Document): TocEntry[] {
  const out: TocEntry[] = [];
  for (const b of doc.blocks) {
    if ((b.type === 'heading' || b.type === 'para') && b.bookmark && b.id) out.push({ id: b.id, title: b.bookmark.title || b.runs.map((r) => r.text).join(''), level: b.bookmark.level });
    if (b.type === 'table') for (const r of b.rows) if (r.bookmark && r.id) out.push({ id: r.id, title: r.bookmark.title, level: r.bookmark.level });
  }
  return out;
}

function blockHtml(b: Block, doc: Document, anchors: ReadonlySet<string>): string {
  switch (b.type) {
    case 'heading': {
      const level = Math.min(6, b.level + 1);
      return `<h${level}${attrs(b.id, [b.changed ? 'changed' : ''])}>${runsHtml(b.runs, anchors)}</h${level}>`;
    }
    case 'para': {
      const style = b.indent > 0 ? ` style="margin-left:${b.indent}em"` : '';
      return `<p${attrs(b.id, [b.role === 'body' ? '' : b.role, b.changed ? 'changed' : ''])}${style}>${runsHtml(b.runs, anchors)}</p>`;
    }
    case 'table': {
      const total = b.widths.reduce((a, w) => a + w, 0);
      const cols = b.widths.map((w) => `<col style="width:${((100 * w) / total).toFixed(2)}%">`).join('');
      const head = b.header.length > 0 ? `<thead>${b.header.map((r) => rowHtml(r, 'th', anchors)).join('')}</thead>` : '';
      return `<table${attrs(b.id, [])}><colgroup>${cols}</colgroup>${head}<tbody>${b.rows.map((r) => rowHtml(r, 'td', anchors)).join('\n')}</tbody></table>`;
    }
    case 'toc': {
      const entries = tocEntries(doc).filter((e) => e.level <= b.depth);
      return `<nav class="toc" aria-label="${esc(b.title)}"><h2>${esc(b.title)}</h2><ol>${entries.map((e) => `<li class="l${e.level}"><a href="#${esc(e.id)}">${esc(e.title)}</a></li>`).join('')}</ol></nav>`;
    }
    case 'pagebreak':
      return '<hr class="pb">';
  }
}

const CSS = `
:root{color-scheme:light}
body{font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;line-height:1.7;max-width:60rem;margin:0 auto;padding:0 1.25rem;color:#1a1a1a;line-break:strict;overflow-wrap:anywhere}
header.doc{border-bottom:1px solid #999;padding:.75rem 0;display:flex;justify-content:space-between;gap:1rem;font-size:.85rem;color:#444}
footer.doc{border-top:1px solid #999;margin-top:2rem;padding:.75rem 0;font-size:.8rem;color:#555}
h2{font-size:1.5rem}h3{font-size:1.2rem;border-bottom:1px solid #ccc}h4{font-size:1.05rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #999;padding:.25rem .4rem;vertical-align:top;text-align:left}
th{background:#eee}
td.c,th.c{text-align:center;white-space:nowrap}
.changed{border-left:4px solid #222;padding-left:.5rem}
tr.changed>td:first-child{border-left:4px solid #222}
p.note{font-size:.85rem;color:#444}
p.quote{margin-left:1em}
ins{text-decoration:underline;color:#0a4da2}
del{text-decoration:line-through;color:#b00020}
nav.toc ol{list-style:none;padding-left:0}nav.toc li.l2{padding-left:1em}nav.toc li.l3{padding-left:2em}
hr.pb{border:0;border-top:1px dashed #ccc;margin:2rem 0}
@media print{hr.pb{break-after:page;border:0}}
`;

export function renderHtml(doc: Document): string {
  const anchors = documentAnchors(doc);
  const m = doc.meta;
  const body = doc.blocks.map((b) => blockHtml(b, doc, anchors)).join('\n');
  return `<!DOCTYPE html>
<html lang="${esc(m.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(m.title)}（${esc(m.edition)}）</title>
${m.subject ? `<meta name="description" content="${esc(m.subject)}">\n` : ''}<meta name="generator" content="regpress">
<style>${CSS}</style>
</head>
<body>
<header class="doc" role="banner"><span>${esc(m.title)}</span><span>${esc(m.edition)}・${esc(m.asOf)}現在</span></header>
<main id="main">
${body}
</main>
<footer class="doc" role="contentinfo">source commit ${esc(m.commit)}</footer>
</body>
</html>
`;
}
