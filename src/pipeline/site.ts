/**
 * The portal: a static site in output/site/ (deployable to any static host
 * as is) from the corpus, the graph, the history and the publications built.
 * Only files whose bytes changed are written, so a rebuild after a one-file
 * edit touches a handful of pages.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../publish/output.js';
import path from 'node:path';
import { corpusPrefix, openFolder, type Revision } from '../load/corpus.js';
import { buildGraph } from '../link/graph.js';
import type { Citation } from '../link/extract.js';
import { citeById, shortName } from '../model/locate.js';
import { walkProvisions } from '../model/text.js';
import type { ManifestEntry } from '../publish/manifest.js';
import { layerGraphView, neighbourhoodView, toSvg } from '../render/graph.js';
import { buildShinkyuView, shinkyuTablesHtml, SHINKYU_CSS } from '../render/shinkyu.js';
import { esc, historyHref, historyKey, indexEdges, instrumentPage, instrumentsIndexPage, historyPage, page, provisionHref, type HistoryItem } from '../render/site.js';
import { presentationFingerprint } from './cache-keys.js';
import { loadCorpus, resolveRevision, type Corpus, type Session } from './corpus.js';
import { diffCorpora } from './diff.js';
import { changeLine, revisionEntries, type RevisionEntry } from './feeds.js';
import { corpusCitations } from './links.js';

export interface SiteOptions {
  /** The output folder: the site goes to <outDir>/site, PDFs and feeds are copied from <outDir>. */
  outDir: string;
  /** The head whose history the site shows (undefined: a repository with no commit). */
  head: string | undefined;
  publications: readonly ManifestEntry[];
  /** The date the site says the texts are current on. */
  asOf: string;
  templatesDir?: string;
  /** Editors' preview: only the pages that show the texts (instruments, search); history, compare pages and copies stay as they are. */
  quick?: boolean;
}


const SITE_CSS = `
:root{color-scheme:light;--ink:#1a1a1a;--muted:#555;--line:#d0d0d0;--accent:#0b4f8a}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;line-height:1.8;color:var(--ink);line-break:strict;overflow-wrap:anywhere}
a{color:var(--accent)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header.site{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 2rem;padding:.6rem 1.5rem;border-bottom:3px solid var(--accent)}
header.site .brand{font-weight:700;text-decoration:none;color:var(--ink);font-size:1.15rem}header.site .brand span{font-weight:400;font-size:.85rem;color:var(--muted);margin-left:.5rem}
header.site ul{display:flex;flex-wrap:wrap;gap:.25rem 1.2rem;list-style:none;margin:0;padding:0}
main{max-width:62rem;margin:0 auto;padding:1rem 1.5rem 3rem}
footer.site{border-top:1px solid var(--line);padding:1rem 1.5rem;color:var(--muted);font-size:.85rem}
h1{font-size:1.6rem;line-height:1.4}h2{font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
.meta{color:var(--muted)}
nav.toc{border:1px solid var(--line);padding:.5rem 1rem;margin:1rem 0;max-height:24rem;overflow:auto;font-size:.92rem}
nav.toc ol{list-style:none;padding-left:1rem;margin:0}
.prov{margin:.15rem 0 .15rem 1.1rem}
.body>.prov{margin-left:0}
.prov.article{margin-top:1rem}
.prov:target{background:#fff7d6;outline:2px solid #e0b000}
.prov .label{font-weight:700;margin-right:.2rem}.prov .caption{color:var(--muted)}
.prov-text{margin:.1rem 0}
.prov.deleted>.prov-text{color:var(--muted)}
a.cite{text-decoration-style:dotted}
a.history{font-size:.8rem;margin-left:.5rem}
details.links{font-size:.85rem;margin:.1rem 0 .3rem;color:var(--muted)}details.links h4{margin:.3rem 0 0;font-size:.85rem}details.links ul{margin:0}
ins{color:#0a4da2;text-decoration:underline}del{color:#b00020;text-decoration:line-through}
table.list{border-collapse:collapse;width:100%}table.list th{white-space:nowrap}table.list th,table.list td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}table.list th{background:#f2f2f2}
ol.history>li{margin-bottom:1rem}ul.changes{margin:.2rem 0}
.search-results mark{background:#ffe58a}
#search-results li{margin-bottom:.8rem}
form[role=search] input{font-size:1rem;padding:.3rem;width:20rem;max-width:70vw}
.graph svg{max-width:100%;height:auto}
`;

/** The portal's own scripts and styles, from the revision built (a `build --at` of a commit ships that commit's assets, whatever the work tree holds). */
async function readAssets(session: Session, dir: string, revision: Revision): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const assets = [corpusPrefix(dir), 'site', 'assets'].filter((p) => p !== '').join('/');
  const reader = await openFolder(session.repo, assets, revision, (p) => /^[a-z0-9-]+\.(js|css|svg|png|ico)$/.test(p.slice(assets.length + 1)));
  const bytes = await reader.read(reader.files);
  for (const f of [...reader.files].sort((a, b) => (a.path < b.path ? -1 : 1))) out.set(`assets/${f.path.slice(assets.length + 1)}`, Buffer.from(bytes.get(f.blob) ?? new Uint8Array()));
  return out;
}

/** The compare page of one revision: its changes as redlines, then the 新旧対照表. Cached by commit. */
async function comparePage(session: Session, entry: RevisionEntry, prevCommit: string): Promise<string> {
  const key = createHash('sha1').update(`site-compare-${presentationFingerprint()}\0${prevCommit}\0${entry.commit}`).digest('hex');
  const cached = await session.cache?.get<{ html: string }>(key);
  if (cached) return cached.html;
  const before = await loadCorpus(session, { kind: 'commit', commit: prevCommit });
  const after = await loadCorpus(session, { kind: 'commit', commit: entry.commit });
  const diff = await diffCorpora(session, before, after);
  const html = compareBody(entry.commit, prevCommit, entry.instruments, shinkyuTablesHtml(buildShinkyuView(diff, before.index, after.index)), 1);
  await session.cache?.put(key, { html });
  return html;
}

function compareBody(to: string, from: string, instruments: RevisionEntry['instruments'], shinkyu: string, depth: number): string {
  const short = (c: string) => (/^[0-9a-f]{40}$/.test(c) ? c.slice(0, 12) : c);
  return page({
    title: `改正の比較 ${short(from)} → ${short(to)}`,
    depth,
    body: [
      `<h1>改正の比較</h1><p class="meta">${esc(short(from))} → ${esc(short(to))}</p>`,
      ...instruments.map((i) => `<section><h2>${esc(i.title)}（${esc(i.effective)} 施行）</h2><ul class="changes">${i.changes.map((c) => c.html.replace(/<strong>([^<]*)<\/strong>/, (_m, cite: string) => `<strong><a href="${esc(provisionHref(c.id, depth))}">${cite}</a></strong>`)).join('')}</ul></section>`),
      `<section class="shinkyu-section"><h2>新旧対照表</h2>${shinkyu}</section>`,
    ].join('\n'),
  });
}

/** The compare page of any two revisions, for `serve` (not part of the static site). */
export async function compareAny(session: Session, from: string, to: string): Promise<string> {
  const before = await loadCorpus(session, await resolveRevision(session, from));
  const after = await loadCorpus(session, await resolveRevision(session, to));
  const diff = await diffCorpora(session, before, after);
  const instruments = diff.instruments
    .filter((d) => d.changes.length > 0)
    .map((d) => ({
      id: d.instrument,
      title: d.title,
      effective: d.effective ?? '',
      changes: d.changes.map((c) => changeLine(c, before, after, () => [])),
    }));
  return compareBody(diff.to, diff.from, instruments, shinkyuTablesHtml(buildShinkyuView(diff, before.index, after.index)), 0);
}

/** Which version of each instrument the instrument pages on disk show (a dotfile: never served). */
const INSTRUMENT_BLOBS = '.instrument-blobs.json';

export async function buildSite(session: Session, corpus: Corpus, opts: SiteOptions): Promise<{ files: number; written: number; instrumentsRendered: number }> {
  const site = path.join(opts.outDir, 'site');
  const files = new Map<string, string | Buffer>();
  const citations = await corpusCitations(session, corpus);
  const graph = buildGraph(corpus.index, citations);
  const cites = new Map<string, Citation[]>();
  for (const c of citations) cites.set(c.source, [...(cites.get(c.source) ?? []), c]);
  const edges = indexEdges(graph.edges);

  // history: every change line of every revision, under the article or row it belongs to
  const revisions = opts.head && !opts.quick ? (await revisionEntries(session, opts.head)).filter((r) => r.instruments.length > 0) : [];
  const commits = opts.head ? (await session.repo.commitsTouching(opts.head, session.ctx.corpus)).map((c) => c.commit) : [];
  const history = new Map<string, HistoryItem[]>();
  for (const r of revisions) {
    for (const ins of r.instruments) {
      const byKey = new Map<string, string[]>();
      for (const c of ins.changes) {
        const key = historyKey(c.id);
        if (key) byKey.set(key, [...(byKey.get(key) ?? []), c.html]);
      }
      for (const [key, htmls] of byKey) history.set(key, [...(history.get(key) ?? []), { commit: r.commit, date: r.date, effective: ins.effective, cite: key, kind: `${htmls.length}件`, html: htmls.join('') }]);
    }
  }
  const hasHistory = new Set<string>();
  for (const ins of corpus.instruments) for (const p of walkProvisions(ins.provisions)) if (history.has(p.id)) hasHistory.add(p.id);
  if (opts.quick) {
    // the history pages that exist already keep their links
    try {
      for (const n of await readdir(path.join(site, 'history'))) hasHistory.add(n.replace(/\.html$/, '').replace(/_/g, '/'));
    } catch {
      // no history yet
    }
  }

  // assets
  for (const [rel, bytes] of await readAssets(session, opts.templatesDir ?? 'templates', corpus.revision)) files.set(rel, bytes);
  const svg = toSvg(layerGraphView(corpus.index, graph));
  const svgCss = /<style>([\s\S]*?)<\/style>/.exec(svg)?.[1] ?? '';
  files.set('assets/site.css', `${SITE_CSS}\n/* 新旧対照表 */\n${SHINKYU_CSS.replace(/@page[^}]*}/g, '').replace(/(^|\n)\s*body\s*{[^}]*}/g, '')}\n/* graph */\n${svgCss}\n`);

  // instruments
  files.set('instruments/index.html', instrumentsIndexPage(corpus.instruments));
  // the editors' preview renders again only the instruments whose source changed since the pages on
  // disk were made: this session's last build, or else the build that wrote them (site/.instrument-blobs.json)
  let rendered = session.derived.get('site-instrument-blobs') as Map<string, string> | undefined;
  if (!rendered && opts.quick) {
    try {
      rendered = new Map(Object.entries(JSON.parse(await readFile(path.join(site, INSTRUMENT_BLOBS), 'utf8')) as Record<string, string>));
    } catch {
      rendered = undefined; // no record: every instrument page is made again
    }
  }
  const blobOf = (file: string) => corpus.files.find((f) => f.path === file)?.blob ?? '';
  let instrumentsRendered = 0;
  for (const ins of corpus.instruments) {
    if (opts.quick && rendered?.get(ins.id) === blobOf(ins.file)) continue;
    files.set(`instruments/${ins.id}.html`, instrumentPage(corpus.index, edges, cites, ins, hasHistory, opts.asOf));
    instrumentsRendered++;
  }
  const blobs = new Map(corpus.instruments.map((i) => [i.id, blobOf(i.file)]));
  session.derived.set('site-instrument-blobs', blobs);
  files.set(INSTRUMENT_BLOBS, `${JSON.stringify(Object.fromEntries([...blobs].sort((a, b) => (a[0] < b[0] ? -1 : 1))))}\n`);
  for (const [key, items] of history) if (corpus.index.provisions.has(key)) files.set(`history/${key.replace(/\//g, '_')}.html`, historyPage(corpus.index, key, items));

  if (opts.quick) {
    files.set('search-index.json', searchIndex(corpus));
    return { ...(await writeSite(site, files, [], true)), instrumentsRendered };
  }

  // compare pages and the list of changes
  const prevOf = new Map(commits.map((c, i) => [c, commits[i - 1]]));
  for (const r of revisions) {
    const prev = prevOf.get(r.commit);
    if (prev) files.set(`compare/${r.commit}.html`, await comparePage(session, r, prev));
  }
  const newest = [...revisions].reverse();
  const revisionRow = (r: RevisionEntry) => `<tr><td>${esc(r.instruments.map((i) => i.effective).sort().pop() ?? '')}</td><td>${r.instruments.map((i) => esc(i.title)).join('<br>')}</td><td>${r.instruments.reduce((n, i) => n + i.changes.length, 0)}</td><td><a href="compare/${esc(r.commit)}.html">比較・新旧対照表</a></td></tr>`;
  const revisionTable = (rs: RevisionEntry[]) => `<table class="list"><thead><tr><th scope="col">施行日</th><th scope="col">法令</th><th scope="col">規定数</th><th scope="col"></th></tr></thead><tbody>${rs.map(revisionRow).join('\n')}</tbody></table>`;
  files.set('changes.html', page({ title: '改正履歴', depth: 0, body: `<h1>改正履歴</h1>${revisionTable(newest)}` }));

  // home
  const coming = newest.filter((r) => r.instruments.some((i) => i.effective > opts.asOf));
  files.set(
    'index.html',
    page({
      title: 'ホーム',
      depth: 0,
      body: [
        '<h1>安全保障貿易管理 法令ポータル</h1>',
        `<p>外為法・輸出貿易管理令・外国為替令・貨物等省令の ${esc(opts.asOf)} 現在の条文、改正の比較、パラメータシートと該非判定ガイダンスの最新版。</p>`,
        `<section><h2>施行予定の改正</h2>${coming.length > 0 ? revisionTable(coming) : '<p>施行予定の改正はない。</p>'}</section>`,
        `<section><h2>最近の改正</h2>${revisionTable(newest.slice(0, 10))}<p><a href="changes.html">すべての改正</a></p></section>`,
        `<section><h2>法令</h2><ul>${corpus.instruments.map((i) => `<li><a href="instruments/${esc(i.id)}.html">${esc(i.meta.title)}</a>（${esc(shortName(i))}）</li>`).join('')}</ul></section>`,
      ].join('\n'),
    }),
  );

  // the graph: the layers, and around each row of 別表第一 the provisions linked to it
  const rowIds = [...new Set(opts.publications.flatMap((p) => (p.id.startsWith('ps-row-') ? [p.id.slice('ps-row-'.length)] : [])))].map((r) => `324CO0000000378/appx1/row${r}`).filter((id) => corpus.index.provisions.has(id));
  for (const id of rowIds) {
    const around = toSvg(neighbourhoodView(corpus.index, graph, id, 1)).replace(/<style>[\s\S]*?<\/style>/, '');
    files.set(`graph/${id.split('/').pop()}.html`, page({ title: `${citeById(corpus.index, id) ?? id} の関係図`, depth: 1, body: `<h1>${esc(citeById(corpus.index, id) ?? id)} の関係図</h1><p><a href="${esc(provisionHref(id, 1))}">条文へ</a></p><div class="graph">${around}</div>` }));
  }
  files.set('graph.html', page({ title: '関係図', depth: 0, body: `<h1>法令の関係図</h1><p>上位の法令から下位の法令へ、引用（cites）と委任・仕様の定め（specifies）の数。</p><div class="graph">${svg.replace(/<style>[\s\S]*?<\/style>/, '')}</div>${rowIds.length > 0 ? `<h2>別表第一の項ごとの関係図</h2><ul>${rowIds.map((id) => `<li><a href="graph/${esc(id.split('/').pop() ?? '')}.html">${esc(citeById(corpus.index, id) ?? id)}</a></li>`).join('')}</ul>` : ''}` }));

  // publications, their PDFs and HTML, and the feeds
  const pubRows = opts.publications.map((p) => {
    const pdf = p.files.find((f) => f.path.endsWith('.pdf'));
    const html = p.files.find((f) => f.path.endsWith('.html'));
    return `<tr><td>${esc(p.title)}</td><td>第${p.edition}版${p.draft ? '（草稿）' : ''}</td><td>${esc(p.editionDate)}</td><td>${p.pages}</td><td>${pdf ? `<a href="pdf/${esc(p.id)}.pdf" type="application/pdf">PDF</a>（${Math.round(pdf.bytes / 1024)} KB, sha256 <code>${esc(pdf.sha256.slice(0, 16))}…</code>）` : ''}</td><td>${html ? `<a href="publications/${esc(p.id)}.html">HTML</a>・<a href="publications/${esc(p.id)}.html#revisions">改訂履歴</a>` : ''}</td></tr>`;
  });
  files.set('publications.html', page({ title: '出版物', depth: 0, body: `<h1>パラメータシートと該非判定ガイダンス</h1><table class="list"><thead><tr><th scope="col">出版物</th><th scope="col">版</th><th scope="col">日付</th><th scope="col">頁</th><th scope="col">ダウンロード</th><th scope="col">閲覧</th></tr></thead><tbody>${pubRows.join('\n')}</tbody></table>` }));
  const copies: [string, string][] = [];
  for (const p of opts.publications) for (const f of p.files) copies.push([path.join(opts.outDir, f.path), f.path.startsWith('pdf/') ? f.path : `publications/${path.basename(f.path)}`]);
  let feedNames: string[] = [];
  try {
    feedNames = (await readdir(path.join(opts.outDir, 'feeds'))).filter((n) => /\.(atom|json)$/.test(n)).sort();
  } catch {
    feedNames = [];
  }
  for (const n of feedNames) copies.push([path.join(opts.outDir, 'feeds', n), `feeds/${n}`]);
  files.set('feeds.html', page({ title: 'フィード', depth: 0, body: `<h1>改正フィード</h1><ul>${feedNames.filter((n) => n.endsWith('.atom')).map((n) => `<li><a href="feeds/${esc(n)}">${esc(n.replace(/\.atom$/, ''))}</a>（Atom）・<a href="feeds/${esc(n.replace(/\.atom$/, '.json'))}">JSON Feed</a></li>`).join('')}</ul>` }));

  files.set('search-index.json', searchIndex(corpus));
  files.set('search.html', page({ title: '検索', depth: 0, body: '<h1>条文の検索</h1><form id="search-form" role="search"><label for="q">検索</label> <input id="q" name="q" type="search" autocomplete="off"> <button type="submit">検索</button></form>\n<p id="search-status" aria-live="polite"></p>\n<ol id="search-results" class="search-results"></ol>\n<script type="module" src="assets/search.js"></script>' }));

  return { ...(await writeSite(site, files, copies, false)), instrumentsRendered };
}

/** Every provision with its citation and a start of its text, for the search page. */
function searchIndex(corpus: Corpus): string {
  const entries = corpus.instruments.flatMap((ins) =>
    [...walkProvisions(ins.provisions)].map((p) => ({
      id: p.id,
      cite: citeById(corpus.index, p.id) ?? p.id,
      href: `instruments/${encodeURIComponent(ins.id)}.html#${encodeURIComponent(p.id)}`,
      text: p.deleted ? '削除' : ('title' in p && typeof p.title === 'string' ? p.title : p.text).slice(0, 400),
      instrument: shortName(ins),
    })),
  );
  return JSON.stringify({ version: 1, entries });
}

/** Writes what changed, copies what changed, removes what is no longer part of the site. */
async function writeSite(site: string, files: Map<string, string | Buffer>, copies: readonly [string, string][], partial: boolean): Promise<{ files: number; written: number }> {
  const ledgerFile = path.join(site, '.files.json');
  let ledger: Record<string, string> = {};
  try {
    ledger = JSON.parse(await readFile(ledgerFile, 'utf8')) as Record<string, string>;
  } catch {
    ledger = {};
  }
  // a partial write keeps what it did not produce
  const next: Record<string, string> = partial ? { ...ledger } : {};
  let written = 0;
  // every file is replaced by rename, never written in place: the site of an
  // earlier generation shares its unchanged files with this one by hard link
  const put = async (rel: string, bytes: Buffer) => {
    const sha = createHash('sha256').update(bytes).digest('hex');
    next[rel] = sha;
    if (ledger[rel] === sha) return;
    await writeFileAtomic(path.join(site, rel), bytes);
    written++;
  };
  for (const [rel, content] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) await put(rel, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  for (const [from, rel] of copies) {
    const bytes = await readFile(from).catch(() => undefined);
    if (!bytes) continue;
    await put(rel, bytes);
  }
  if (!partial) for (const rel of Object.keys(ledger)) if (!(rel in next)) await rm(path.join(site, rel), { force: true });
  await mkdir(site, { recursive: true });
  const ledgerText = JSON.stringify(next);
  if (ledgerText !== JSON.stringify(ledger)) await writeFileAtomic(ledgerFile, ledgerText);
  return { files: Object.keys(next).length, written };
}

export { historyHref };
