/**
 * The portal's pages, as strings: every value that comes from the corpus is
 * escaped here, links are made only from ids and allow-listed URLs, and no
 * page carries a script but the site's own files (the server's CSP allows
 * nothing else). Links are relative, so the site works from any base path.
 */
import type { Citation } from '../link/extract.js';
import type { Edge } from '../link/graph.js';
import { citeById, citeProvision, shortName, type CorpusIndex } from '../model/locate.js';
import { isStructural, LAYERS, type Instrument, type Layer, type Provision } from '../model/types.js';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export const LAYER_NAMES: Record<Layer, string> = { law: '法律', 'cabinet-order': '政令', 'ministerial-ordinance': '省令', notice: '告示・通達', guidance: '解説' };

/** A provision's page and anchor, relative to a page `depth` folders below the site root. */
export function provisionHref(id: string, depth: number): string {
  const instrument = id.split('/')[0] ?? id;
  return `${'../'.repeat(depth)}instruments/${encodeURIComponent(instrument)}.html#${encodeURIComponent(id)}`;
}

/** The history page of an article or a row of a table: the id up to that step. */
export function historyKey(id: string): string | undefined {
  const parts = id.split('/');
  for (let i = 1; i < parts.length; i++) {
    const step = parts[i] ?? '';
    if (/^art\d/.test(step) || /^row\d/.test(step) || /^suppl/.test(step)) return parts.slice(0, i + 1).join('/');
  }
  return undefined;
}

export function historyHref(key: string, depth: number): string {
  return `${'../'.repeat(depth)}history/${key.replace(/\//g, '_')}.html`;
}

export interface PageOptions {
  title: string;
  /** Folders below the site root: 0 for index.html, 1 for instruments/x.html. */
  depth: number;
  body: string;
  description?: string;
}

const NAV: [string, string][] = [
  ['index.html', 'ホーム'],
  ['instruments/index.html', '法令'],
  ['publications.html', '出版物'],
  ['changes.html', '改正履歴'],
  ['graph.html', '関係図'],
  ['feeds.html', 'フィード'],
  ['search.html', '検索'],
];

export function page(o: PageOptions): string {
  const root = '../'.repeat(o.depth);
  return `<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} | regpress</title>
${o.description ? `<meta name="description" content="${esc(o.description)}">\n` : ''}<link rel="stylesheet" href="${root}assets/site.css">
<link rel="alternate" type="application/atom+xml" title="改正情報（全体）" href="${root}feeds/all.atom">
</head>
<body>
<a class="skip" href="#main">本文へ移動</a>
<header class="site" role="banner"><a class="brand" href="${root}index.html">regpress <span>安全保障貿易管理 法令ポータル</span></a>
<nav aria-label="サイト"><ul>${NAV.map(([href, label]) => `<li><a href="${root}${href}">${esc(label)}</a></li>`).join('')}</ul></nav></header>
<main id="main">
${o.body}
</main>
<footer class="site" role="contentinfo"><p>regpress が git の改正履歴から作成。法令の条文は e-Gov 法令検索による。解説・様式は補助であり、法令の条文が優先する。</p></footer>
</body>
</html>
`;
}

export interface EdgeIndex {
  from: Map<string, Edge[]>;
  to: Map<string, Edge[]>;
}

export function indexEdges(edges: readonly Edge[]): EdgeIndex {
  const from = new Map<string, Edge[]>();
  const to = new Map<string, Edge[]>();
  for (const e of edges) {
    if (e.type === 'delegates-to') continue;
    from.set(e.from, [...(from.get(e.from) ?? []), e]);
    to.set(e.to, [...(to.get(e.to) ?? []), e]);
  }
  return { from, to };
}

/** A provision's own text with its citations as links to where they point. */
export function textHtml(p: Provision, cites: readonly Citation[], depth: number): string {
  if (p.deleted) return '削除';
  const text = isStructural(p) ? p.title : p.text;
  let out = '';
  let at = 0;
  for (const c of [...cites].sort((a, b) => a.index - b.index)) {
    const target = c.targets[0];
    if (c.status !== 'resolved' || !target || c.index < at || text.slice(c.index, c.index + c.text.length) !== c.text) continue;
    out += esc(text.slice(at, c.index));
    out += `<a class="cite" href="${esc(provisionHref(target.id, depth))}">${esc(c.text)}</a>`;
    at = c.index + c.text.length;
  }
  out += esc(text.slice(at));
  const extra = [...p.extra.map((b) => b.text), ...(p.kind === 'row' ? p.cells.map((c) => c.text) : [])].filter((t) => t !== '');
  return out.replace(/\n/g, '<br>') + extra.map((t) => `<br>${esc(t).replace(/\n/g, '<br>')}`).join('');
}

function linkList(index: CorpusIndex, ids: readonly string[], depth: number): string {
  return `<ul>${[...new Set(ids)].map((id) => `<li><a href="${esc(provisionHref(id, depth))}">${esc(citeById(index, id) ?? id)}</a></li>`).join('')}</ul>`;
}

/** The panels of a provision: what cites it, what specifies it, what it specifies. */
function panels(index: CorpusIndex, edges: EdgeIndex, p: Provision, depth: number): string {
  const into = edges.to.get(p.id) ?? [];
  const out = edges.from.get(p.id) ?? [];
  const citedBy = into.filter((e) => e.type === 'cites' && !e.from.startsWith(`${p.id}/`)).map((e) => e.from);
  const specifiedBy = into.filter((e) => e.type === 'specifies').map((e) => e.from);
  const specifies = out.filter((e) => e.type === 'specifies').map((e) => e.to);
  const parts: string[] = [];
  if (citedBy.length > 0) parts.push(`<section class="panel cited-by"><h4>この規定を引用する規定（${new Set(citedBy).size}）</h4>${linkList(index, citedBy, depth)}</section>`);
  if (specifiedBy.length > 0) parts.push(`<section class="panel specified-by"><h4>仕様を定める規定</h4>${linkList(index, specifiedBy, depth)}</section>`);
  if (specifies.length > 0) parts.push(`<section class="panel specifies"><h4>この規定が仕様を定める貨物等</h4>${linkList(index, specifies, depth)}</section>`);
  if (parts.length === 0) return '';
  return `<details class="links"><summary>関連（${citedBy.length + specifiedBy.length + specifies.length}）</summary>${parts.join('')}</details>`;
}

function provisionHtml(index: CorpusIndex, edges: EdgeIndex, cites: ReadonlyMap<string, Citation[]>, p: Provision, hasHistory: ReadonlySet<string>): string {
  const depth = 1;
  const head = isStructural(p)
    ? `<h2 class="structure">${esc(p.label)}　${esc(p.title)}</h2>`
    : `<p class="prov-text"><span class="label">${esc(p.label)}</span>${p.kind === 'article' && p.caption ? `<span class="caption">（${esc(p.caption)}）</span>` : p.kind === 'appendix-table' && p.caption ? `<span class="caption">${esc(p.caption)}</span>` : ''}${p.label !== '' ? '　' : ''}${textHtml(p, cites.get(p.id) ?? [], depth)}</p>`;
  const history = hasHistory.has(p.id) ? `<a class="history" href="${esc(historyHref(p.id, depth))}">改正履歴</a>` : '';
  const kids = p.children.map((c) => provisionHtml(index, edges, cites, c, hasHistory)).join('');
  return `<div class="prov ${esc(p.kind)}${p.deleted ? ' deleted' : ''}" id="${esc(p.id)}">${head}${history}${panels(index, edges, p, depth)}${kids}</div>`;
}

/** The table of contents: chapters, articles, tables and 附則, linked to their anchors. */
function tocHtml(ins: Instrument): string {
  const item = (p: Provision): string => {
    const label = isStructural(p) ? `${p.label}　${p.title}` : p.kind === 'article' ? `${p.label}${p.caption ? `（${p.caption}）` : ''}` : `${p.label}${'caption' in p && p.caption ? `　${p.caption}` : ''}`;
    const kids = isStructural(p) ? p.children.filter((c) => isStructural(c) || c.kind === 'article') : p.kind === 'appendix-table' ? [] : [];
    return `<li><a href="#${esc(p.id)}">${esc(label)}</a>${kids.length > 0 ? `<ol>${kids.map(item).join('')}</ol>` : ''}</li>`;
  };
  return `<nav class="toc" aria-label="目次"><h2>目次</h2><ol>${ins.provisions.map(item).join('')}</ol></nav>`;
}

export function instrumentPage(index: CorpusIndex, edges: EdgeIndex, cites: ReadonlyMap<string, Citation[]>, ins: Instrument, hasHistory: ReadonlySet<string>, asOf: string): string {
  const m = ins.meta;
  const body = [
    `<h1>${esc(m.title)}</h1>`,
    `<p class="meta">${esc(shortName(ins))}・${esc(LAYER_NAMES[m.layer])}${m.lawNum ? `・${esc(m.lawNum)}` : ''}・${esc(asOf)} 現在・<a href="../feeds/instrument-${esc(ins.id)}.atom">改正フィード</a></p>`,
    tocHtml(ins),
    `<div class="body">${ins.provisions.map((p) => provisionHtml(index, edges, cites, p, hasHistory)).join('\n')}</div>`,
  ].join('\n');
  return page({ title: shortName(ins), depth: 1, body, description: m.title });
}

export function instrumentsIndexPage(instruments: readonly Instrument[]): string {
  const body = [
    '<h1>法令（階層別）</h1>',
    ...LAYERS.map((layer) => {
      const list = instruments.filter((i) => i.meta.layer === layer);
      if (list.length === 0) return '';
      return `<section><h2>${esc(LAYER_NAMES[layer])}</h2><ul class="instruments">${list.map((i) => `<li><a href="${esc(encodeURIComponent(i.id))}.html">${esc(i.meta.title)}</a>（${esc(shortName(i))}）</li>`).join('')}</ul></section>`;
    }),
  ].join('\n');
  return page({ title: '法令', depth: 1, body });
}

export interface HistoryItem {
  commit: string;
  date: string;
  effective: string;
  cite: string;
  kind: string;
  /** Escaped redline HTML, as made for the feeds. */
  html: string;
}

export function historyPage(index: CorpusIndex, key: string, items: readonly HistoryItem[]): string {
  const cite = citeById(index, key) ?? key;
  const body = [
    `<h1>${esc(cite)} の改正履歴</h1>`,
    `<p><a href="${esc(provisionHref(key, 1))}">現在の条文へ</a></p>`,
    items.length === 0 ? '<p>この履歴に記録された改正はない。</p>' : `<ol class="history">${[...items].reverse().map((h) => `<li><p class="when"><a href="../compare/${esc(h.commit)}.html">${esc(h.effective)} 施行</a>（${esc(h.kind)}）</p><ul class="changes">${h.html}</ul></li>`).join('\n')}</ol>`,
  ].join('\n');
  return page({ title: `${cite} の改正履歴`, depth: 1, body });
}

export function citeOf(index: CorpusIndex, p: Provision): string {
  return citeProvision(index, p);
}
