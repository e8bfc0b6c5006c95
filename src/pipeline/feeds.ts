/**
 * Change feeds from history: one entry per amended instrument per revision
 * (site-wide and per instrument), and per row of 輸出令別表第一 one entry per
 * revision whose changes reach the row (directly or through the ordinance
 * article that specifies it). Entry ids are made of the commit and what the
 * entry is about, nothing else, so they are the same on every rebuild and
 * every clone; the bytes are the same on a re-run.
 */
import { createHash } from 'node:crypto';
import type { ProvisionChange } from '../diff/types.js';
import { buildGraph } from '../link/graph.js';
import { impactOf } from '../link/impact.js';
import { corpusPrefix } from '../load/corpus.js';
import { citeById } from '../model/locate.js';
import type { FeedEntry, FeedSpec } from '../publish/feeds.js';
import { TABLE_ID } from './catalogue.js';
import { loadCorpus, type Corpus, type Session } from './corpus.js';
import { diffCorpora } from './diff.js';
import { presentationFingerprint } from './cache-keys.js';
import { formatRedline } from '../diff/text.js';
import { CHANGE_KIND_JA, escapeHtml, redlineHtml } from '../render/diff-text.js';
import { corpusCitations } from './links.js';
import { cachedVersions } from './versions-cache.js';

/** The tag: authority and date of every id regpress mints: fixed, so ids never depend on where the site is served. */
export const TAG_PREFIX = 'tag:regpress.invalid,2026:';

/** An entry lists this many changes in full; the rest are counted. */
const MAX_LISTED = 60;

export interface ChangeLine {
  id: string;
  cite: string;
  kind: ProvisionChange['kind'];
  html: string;
  text: string;
  /** Rows of 別表第一 the change reaches. */
  rows: string[];
}

export interface RevisionEntry {
  commit: string;
  date: string;
  subject: string;
  instruments: { id: string; title: string; effective: string; changes: ChangeLine[] }[];
}

/** One change as a line of a feed entry, a history page or a compare page. */
export function changeLine(c: ProvisionChange, before: Corpus, after: Corpus, rowsOf: (id: string) => string[]): ChangeLine {
  const id = c.kind === 'removed' ? c.id : (c.newId ?? c.id);
  const cite = citeById(c.kind === 'removed' ? before.index : after.index, id) ?? id;
  const segs = c.redline?.segments ?? (c.kind === 'added' ? [{ op: 'insert' as const, text: c.after ?? '' }] : c.kind === 'removed' ? [{ op: 'delete' as const, text: c.before ?? '' }] : [{ op: 'equal' as const, text: c.after ?? '' }]);
  const kind = CHANGE_KIND_JA[c.kind];
  return { id, cite, kind: c.kind, html: `<li><strong>${escapeHtml(cite)}</strong>（${kind}）${redlineHtml({ segments: segs })}</li>`, text: `${cite}（${kind}）${formatRedline({ segments: segs })}`, rows: rowsOf(id) };
}

/** Every revision that changed an instrument, with its changes, oldest first; each revision cached by its commit. */
export async function revisionEntries(session: Session, head: string): Promise<RevisionEntry[]> {
  const { repo, ctx, cache } = session;
  const commits = await repo.commitsTouching(head, corpusPrefix(ctx.corpus) || '.');
  const effective = new Map<string, Map<string, string>>();
  for (const v of await cachedVersions(session, head)) {
    const m = effective.get(v.commit) ?? new Map<string, string>();
    m.set(v.path, v.effective);
    effective.set(v.commit, m);
  }
  const out: RevisionEntry[] = [];
  let prevCommit: string | undefined;
  for (const c of commits) {
    const key = createHash('sha1').update(`feed-entry-${presentationFingerprint()}\0${prevCommit ?? ''}\0${c.commit}`).digest('hex');
    let entry = await cache?.get<RevisionEntry>(key);
    if (!entry) {
      entry = { commit: c.commit, date: c.authorDate, subject: c.subject, instruments: [] };
      if (prevCommit) {
        const before = await loadCorpus(session, { kind: 'commit', commit: prevCommit });
        const after = await loadCorpus(session, { kind: 'commit', commit: c.commit });
        const diff = await diffCorpora(session, before, after);
        if (diff.instruments.some((d) => d.changes.length > 0)) {
          const graph = buildGraph(after.index, await corpusCitations(session, after));
          const rowOf = new RegExp(`^${TABLE_ID}/row([0-9-]+)(?:/|$)`);
          const rowsOf = (id: string) => {
            const rows = new Set<string>();
            for (const r of [id, ...impactOf(graph, [id], 1).map((a) => a.id)]) {
              const m = rowOf.exec(r);
              if (m?.[1]) rows.add(m[1]);
            }
            return [...rows].sort();
          };
          for (const d of diff.instruments) {
            if (d.changes.length === 0) continue;
            const file = (after.index.instruments.get(d.instrument) ?? before.index.instruments.get(d.instrument))?.file ?? '';
            entry.instruments.push({
              id: d.instrument,
              title: d.title,
              effective: effective.get(c.commit)?.get(file) ?? d.effective ?? c.authorDate.slice(0, 10),
              changes: d.changes.map((ch) => changeLine(ch, before, after, rowsOf)),
            });
          }
        }
      }
      await cache?.put(key, entry);
    }
    prevCommit = c.commit;
    out.push(entry);
  }
  return out;
}

function entryFor(r: RevisionEntry, scope: string, title: string, lines: ChangeLine[], site: string, categories: string[], link: string): FeedEntry {
  const listed = lines.slice(0, MAX_LISTED);
  const more = lines.length - listed.length;
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(CHANGE_KIND_JA[l.kind], (counts.get(CHANGE_KIND_JA[l.kind]) ?? 0) + 1);
  const summary = `${[...counts].map(([k, n]) => `${k}${n}件`).join('、')}：${listed.slice(0, 3).map((l) => l.cite).join('、')}${lines.length > 3 ? ' ほか' : ''}`;
  return {
    id: `${TAG_PREFIX}change/${r.commit}/${scope}`,
    title,
    updated: r.date,
    published: r.date,
    link,
    summary,
    contentHtml: `<ul>${listed.map((l) => l.html).join('')}</ul>${more > 0 ? `<p>ほか${more}件</p>` : ''}<p>${escapeHtml(r.subject)}</p>`,
    categories,
    related: [{ href: `${site}/compare/${r.commit}.html`, title: '新旧対照表', type: 'text/html' }],
  };
}

/** Feed files (path under the output folder → bytes), Atom and JSON Feed each: site-wide, per instrument, per row. */
export async function buildFeeds(session: Session, head: string, siteUrl: string, rows: readonly string[]): Promise<Map<string, string>> {
  const { atomFeed, jsonFeed } = await import('../publish/feeds.js');
  const site = siteUrl.replace(/\/+$/, '');
  const revisions = (await revisionEntries(session, head)).filter((r) => r.instruments.length > 0);
  const files = new Map<string, string>();
  const emit = (name: string, spec: Omit<FeedSpec, 'self' | 'author' | 'lang' | 'link'> & { link?: string }) => {
    files.set(`feeds/${name}.atom`, atomFeed({ ...spec, link: spec.link ?? site + '/', self: `${site}/feeds/${name}.atom`, author: 'regpress', lang: 'ja' }));
    files.set(`feeds/${name}.json`, jsonFeed({ ...spec, link: spec.link ?? site + '/', self: `${site}/feeds/${name}.json`, author: 'regpress', lang: 'ja' }));
  };
  const perInstrument = new Map<string, { title: string; entries: FeedEntry[] }>();
  const all: FeedEntry[] = [];
  const perRow = new Map<string, FeedEntry[]>(rows.map((r) => [r, []]));
  for (const r of revisions) {
    for (const ins of r.instruments) {
      const e = entryFor(r, ins.id, `${ins.title}の改正（${ins.effective}施行）`, ins.changes, site, [ins.id, ...(ins.effective > r.date.slice(0, 10) ? ['coming-into-force'] : [])], `${site}/instruments/${ins.id}.html`);
      all.push(e);
      const p = perInstrument.get(ins.id) ?? { title: ins.title, entries: [] };
      p.entries.push(e);
      perInstrument.set(ins.id, p);
    }
    for (const row of rows) {
      const lines = r.instruments.flatMap((i) => i.changes.filter((c) => c.rows.includes(row)));
      if (lines.length === 0) continue;
      const when = r.instruments.filter((i) => i.changes.some((c) => c.rows.includes(row))).map((i) => i.effective).sort().pop() ?? r.date.slice(0, 10);
      perRow.get(row)?.push(entryFor(r, `row${row}`, `輸出令別表第一の${row.replace('-', 'の')}の項に関わる改正（${when}施行）`, lines, site, [`row${row}`], `${site}/instruments/${TABLE_ID.split('/')[0]}.html#${encodeURIComponent(`${TABLE_ID}/row${row}`)}`));
    }
  }
  emit('all', { id: `${TAG_PREFIX}feed/all`, title: 'regpress 改正情報（全体）', entries: all });
  for (const [id, p] of perInstrument) emit(`instrument-${id}`, { id: `${TAG_PREFIX}feed/instrument/${id}`, title: `${p.title}の改正`, entries: p.entries, link: `${site}/instruments/${id}.html` });
  for (const [row, entries] of perRow) emit(`row-${row}`, { id: `${TAG_PREFIX}feed/row/${row}`, title: `輸出令別表第一の${row.replace('-', 'の')}の項に関わる改正`, entries });
  return files;
}
