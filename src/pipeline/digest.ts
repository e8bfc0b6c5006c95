/**
 * Change digests: what changed between two revisions, for each subscriber
 * only what they follow — directly (the instrument, the provision, a
 * provision inside it) or through the graph (a subscriber to row 7 hears
 * of a change to the ordinance article that specifies it) — split into in
 * force now, coming into force on a date, and editorial.
 *
 * Matching is indexed, not pairwise: every change is expanded once into the
 * ids it reaches, and every followed id is looked up with its ancestors, so
 * the cost per subscriber does not grow with the size of the amendment.
 */
import { createHash } from 'node:crypto';
import { buildGraph } from '../link/graph.js';
import { impactOf } from '../link/impact.js';
import { publicationScope } from '../link/scope.js';
import { ROW_NUMBER_RE } from '../load/subscriptions.js';
import { citeById, locate, shortName, type CorpusIndex } from '../model/locate.js';
import type { Catalogue } from '../model/publication.js';
import type { DigestChange, DigestPublication, Match, SubscriberDigest } from '../model/digest.js';
import type { Subscriber } from '../model/subscription.js';
import { loadCatalogue, TABLE_ID } from './catalogue.js';
import { loadCorpus, resolveRevision, type Session } from './corpus.js';
import { diffCorpora, revisionLabel } from './diff.js';
import { corpusCitations } from './links.js';

export interface Digest {
  /** Stable id of this digest: the two revisions and the as-of date. */
  id: string;
  from: string;
  to: string;
  asOf: string;
  changes: DigestChange[];
  /** Follows that name nothing in the corpus, per subscriber line: reported, not fatal. */
  unresolved: { subscriber: Subscriber; follow: string; reason: string }[];
  digestFor(s: Subscriber): SubscriberDigest | undefined;
}

/** An id and every id above it: a/b/c → a/b/c, a/b, a. */
function ancestorsOf(id: string): string[] {
  const out = [id];
  for (let i = id.lastIndexOf('/'); i > 0; i = id.lastIndexOf('/', i - 1)) out.push(id.slice(0, i));
  return out;
}

/** 7 → row7; 3の2 → row3-2; 16(1) → row16/1. */
export function rowId(text: string): string | undefined {
  const m = ROW_NUMBER_RE.exec(text.trim());
  if (!m) return undefined;
  const row = `${TABLE_ID}/row${m[1]}${m[2] ? `-${m[2]}` : ''}`;
  return m[3] ? `${row}/${m[3].replace('の', '-')}` : row;
}

interface Target {
  id: string;
  /** Only changes to the target itself count (following an instrument or a layer), not what reaches it. */
  directOnly: boolean;
  label: string;
}

function resolveFollows(index: CorpusIndex, catalogue: Catalogue | undefined, s: Subscriber, cache: Map<string, Target[] | string>): { targets: Target[]; unresolved: { follow: string; reason: string }[] } {
  const targets: Target[] = [];
  const unresolved: { follow: string; reason: string }[] = [];
  const add = (key: string, f: () => Target[] | string) => {
    let r = cache.get(key);
    if (r === undefined) {
      r = f();
      cache.set(key, r);
    }
    if (typeof r === 'string') unresolved.push({ follow: key.slice(key.indexOf(':') + 1), reason: r });
    else targets.push(...r);
  };
  const rowsOfSector = (sector: string) => [...new Set((catalogue?.publications ?? []).filter((p) => p.sector === sector).flatMap((p) => p.rows))];
  for (const name of s.follows.instruments) {
    add(`instrument:${name}`, () => {
      const id = index.instruments.has(name) ? name : index.names.get(name);
      return id ? [{ id, directOnly: true, label: name }] : `no instrument ${name} in the corpus`;
    });
  }
  for (const layer of s.follows.layers) {
    add(`layer:${layer}`, () => [...index.instruments.values()].filter((i) => i.meta.layer === layer).map((i) => ({ id: i.id, directOnly: true, label: layer })));
  }
  for (const ref of s.follows.provisions) {
    add(`provision:${ref}`, () => {
      if (index.provisions.has(ref)) return [{ id: ref, directOnly: false, label: ref }];
      try {
        const { instrument, provision } = locate(index, ref);
        return [{ id: provision?.id ?? instrument.id, directOnly: provision === undefined, label: ref }];
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    });
  }
  for (const row of s.follows.rows) {
    add(`row:${row}`, () => {
      const id = rowId(row);
      return id && index.provisions.has(id) ? [{ id, directOnly: false, label: `${row}の項` }] : `別表第一 has no row ${row}`;
    });
  }
  for (const sector of s.follows.sectors) {
    add(`sector:${sector}`, () => {
      const rows = rowsOfSector(sector);
      if (rows.length === 0) return `no publication of the catalogue is in sector ${sector}`;
      return rows.map((r) => ({ id: `${TABLE_ID}/row${r}`, directOnly: false, label: sector }));
    });
  }
  for (const pubId of s.follows.publications) {
    add(`publication:${pubId}`, () => {
      const pub = catalogue?.publications.find((p) => p.id === pubId);
      return pub ? pub.rows.map((r) => ({ id: `${TABLE_ID}/row${r}`, directOnly: false, label: pubId })) : `no publication ${pubId} in the catalogue`;
    });
  }
  return { targets, unresolved };
}

export interface DigestOptions {
  from: string;
  to?: string | undefined;
  /** The day "in force now" is judged on (YYYY-MM-DD). */
  asOf: string;
  subscribers: readonly Subscriber[];
  /** The portal's base URL: links to provisions and PDFs are made from it. */
  siteUrl: string;
  /** Edition of each publication once the change is in (from the manifest or the history). */
  editions?: ReadonlyMap<string, number>;
}

export async function computeDigest(session: Session, opts: DigestOptions): Promise<Digest> {
  const before = await loadCorpus(session, await resolveRevision(session, opts.from));
  const after = await loadCorpus(session, await resolveRevision(session, opts.to));
  const diff = await diffCorpora(session, before, after);
  const graph = buildGraph(after.index, await corpusCitations(session, after));
  const { catalogue } = await loadCatalogue(session, after);
  const cat = catalogue ?? (await loadCatalogue(session, { ...after, revision: { kind: 'worktree' } })).catalogue;
  const site = opts.siteUrl.replace(/\/+$/, '');

  // which publications show which provision
  const shownBy = new Map<string, DigestPublication[]>();
  for (const pub of cat?.publications ?? []) {
    const scope = publicationScope(after.index, graph, TABLE_ID, pub.rows, { citedBy: pub.kind === 'commodity-guidance' });
    const dp: DigestPublication = { id: pub.id, title: pub.title, edition: opts.editions?.get(pub.id) ?? null, pdfUrl: `${site}/pdf/${pub.id}.pdf`, htmlUrl: `${site}/html/${pub.id}.html` };
    for (const u of scope.used) shownBy.set(u.id, [...(shownBy.get(u.id) ?? []), dp]);
  }

  const changes: DigestChange[] = [];
  /** ancestor-or-self id of something a change reaches → [change index, via]. */
  const reach = new Map<string, { change: number; via: string | null }[]>();
  /** ids that changed themselves → change index: a follower of something inside them hears of it. */
  const changedAt = new Map<string, number[]>();
  for (const d of diff.instruments) {
    const ins = after.index.instruments.get(d.instrument) ?? before.index.instruments.get(d.instrument);
    for (const c of d.changes) {
      const id = c.kind === 'removed' ? c.id : (c.newId ?? c.id);
      const idx = changes.length;
      const index = c.kind === 'removed' ? before.index : after.index;
      const pubs = new Map<string, DigestPublication>();
      for (const p of shownBy.get(id) ?? []) pubs.set(p.id, p);
      changes.push({
        instrument: d.instrument,
        instrumentName: ins ? shortName(ins) : d.instrument,
        id,
        oldId: c.oldId ?? null,
        cite: citeById(index, id) ?? id,
        kind: c.kind,
        editorial: c.editorial,
        effective: d.effective ?? '',
        redline: c.redline?.segments ?? (c.kind === 'added' ? [{ op: 'insert', text: c.after ?? '' }] : c.kind === 'removed' ? [{ op: 'delete', text: c.before ?? '' }] : [{ op: 'equal', text: c.after ?? c.before ?? '' }]),
        numbers: (c.numbers ?? []).map((n) => ({ before: `${n.before.text}${n.before.unit}`, after: `${n.after.text}${n.after.unit}`, control: n.control ?? null })),
        url: `${site}/instruments/${d.instrument}.html#${encodeURIComponent(id)}`,
        publications: [...pubs.values()],
      });
      const own = [id, ...(c.oldId && c.oldId !== id ? [c.oldId] : [])];
      for (const x of own) {
        changedAt.set(x, [...(changedAt.get(x) ?? []), idx]);
        for (const a of ancestorsOf(x)) reach.set(a, [...(reach.get(a) ?? []), { change: idx, via: null }]);
      }
      if (c.kind !== 'removed') {
        // one step along the graph: the row an ordinance article specifies, the provision that cites the one changed
        for (const aff of impactOf(graph, [id], 1)) {
          for (const a of ancestorsOf(aff.id)) reach.set(a, [...(reach.get(a) ?? []), { change: idx, via: aff.id }]);
        }
      }
    }
  }

  const resolved = new Map<string, Target[] | string>();
  const unresolved: Digest['unresolved'] = [];
  for (const s of opts.subscribers) for (const u of resolveFollows(after.index, cat, s, resolved).unresolved) unresolved.push({ subscriber: s, ...u });

  const idOf = (r: { kind: string; commit?: string }) => (r.kind === 'commit' ? (r.commit as string) : revisionLabel(r as Parameters<typeof revisionLabel>[0]));
  const id = createHash('sha256').update(`${idOf(before.revision)}..${idOf(after.revision)}@${opts.asOf}`).digest('hex').slice(0, 16);

  const digestFor = (s: Subscriber): SubscriberDigest | undefined => {
    const { targets } = resolveFollows(after.index, cat, s, resolved);
    const found = new Map<number, Match & { viaId: string | null }>();
    // of several ways a change reaches what is followed, the direct one, else the most specific provision it goes through
    const better = (a: string | null, b: string | null) => a === null ? false : b === null ? true : b.length > a.length;
    for (const t of targets) {
      for (const r of reach.get(t.id) ?? []) {
        if (t.directOnly && r.via !== null) continue;
        const had = found.get(r.change);
        if (!had || better(had.viaId, r.via)) found.set(r.change, { change: changes[r.change] as DigestChange, follows: t.label, via: r.via === null ? null : (citeById(after.index, r.via) ?? r.via), viaId: r.via });
      }
      // a change to something that holds what is followed (a whole article replaced)
      for (const a of ancestorsOf(t.id).slice(1)) {
        for (const c of changedAt.get(a) ?? []) if (!found.has(c)) found.set(c, { change: changes[c] as DigestChange, follows: t.label, via: null, viaId: null });
      }
    }
    const ordered = [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, { viaId: _, ...m }]) => m);
    const substantive = ordered.filter((m) => !m.change.editorial);
    const editorial = s.editorial ? ordered.filter((m) => m.change.editorial) : [];
    const now = substantive.filter((m) => m.change.effective === '' || m.change.effective <= opts.asOf);
    const comingDates = [...new Set(substantive.filter((m) => m.change.effective > opts.asOf).map((m) => m.change.effective))].sort();
    const coming = comingDates.map((date) => ({ date, matches: substantive.filter((m) => m.change.effective === date) }));
    if (now.length === 0 && coming.length === 0 && editorial.length === 0) return undefined;
    return { subscriber: s, now, coming, editorial };
  };

  return { id, from: idOf(before.revision), to: idOf(after.revision), asOf: opts.asOf, changes, unresolved, digestFor };
}

export type { DigestChange, Match, SubscriberDigest };

export interface DigestMailOptions {
  sender: { name: string; address: string };
  siteUrl: string;
  /** The Date header: the newer revision's date, so the same digest is the same bytes. */
  date: Date;
  /** The templates folder, relative to the repository root (read from the work tree). */
  templatesDir?: string;
}

export interface ComposedDigest {
  subscriber: Subscriber;
  /** `<digest id>.<subscriber id>`: the outbox key and the .eml name. */
  key: string;
  messageId: string;
  subject: string;
  counts: { now: number; coming: number; editorial: number };
  raw: Buffer;
}

/**
 * Every subscriber's digest as a finished message, one at a time (a
 * generator: 100,000 subscribers are never in memory at once). Subscribers
 * with nothing to hear get nothing.
 */
export async function* composeDigests(session: Session, digest: Digest, subscribers: readonly Subscriber[], opts: DigestMailOptions): AsyncGenerator<ComposedDigest> {
  const { openFolder } = await import('../load/corpus.js');
  const { compileTemplates } = await import('../render/templates.js');
  const { digestView } = await import('../render/digest-view.js');
  const { composeMail } = await import('../publish/mail.js');
  const { escapeHtml } = await import('../render/diff-text.js');
  const reader = await openFolder(session.repo, opts.templatesDir ?? 'templates', { kind: 'worktree' }, (p) => /(^|\/)(digest\.[a-z]+\.hbs|partials\/[^/]+\.hbs)$/.test(p));
  const bytes = await reader.read(reader.files);
  const prefix = (opts.templatesDir ?? 'templates').replace(/\/+$/, '');
  const templates = compileTemplates(reader.files.map((f) => ({ name: f.path.slice(prefix.length + 1), text: new TextDecoder().decode(bytes.get(f.blob) ?? new Uint8Array()) })));
  const domain = opts.sender.address.split('@')[1] ?? 'localhost';
  const site = opts.siteUrl.replace(/\/+$/, '');
  // Subscribers who follow alike hear alike: the text and HTML are rendered once per distinct view,
  // with tokens where the greeting and the unsubscribe link go, filled in per subscriber (escaped for HTML).
  const GREETING = '\u0000regpress-greeting\u0000';
  const UNSUBSCRIBE = 'https://regpress.invalid/unsubscribe-token';
  const rendered = new Map<string, { text: string; html: string; subject: string }>();
  for (const s of subscribers) {
    const d = digest.digestFor(s);
    if (!d) continue;
    const key = `${digest.id}.${s.id}`;
    const unsubscribe = `${site}/unsubscribe?s=${encodeURIComponent(s.id)}`;
    const view = digestView(digest, { ...d, subscriber: { ...s, name: GREETING } }, UNSUBSCRIBE);
    const signature = JSON.stringify(view);
    let body = rendered.get(signature);
    if (!body) {
      if (rendered.size >= 2000) rendered.clear(); // bounded: a cache, not a store
      body = { text: templates.render('digest.text', view), html: templates.render('digest.html', view), subject: view.subject };
      rendered.set(signature, body);
    }
    const messageId = `<digest.${key}@${domain}>`;
    const raw = await composeMail({
      from: opts.sender,
      to: { name: s.name, address: s.email },
      subject: body.subject,
      text: body.text.replaceAll(GREETING, s.name).replaceAll(UNSUBSCRIBE, unsubscribe),
      html: body.html.replaceAll(GREETING, escapeHtml(s.name)).replaceAll(UNSUBSCRIBE, escapeHtml(unsubscribe)),
      messageId,
      date: opts.date,
      unsubscribe,
    });
    yield { subscriber: s, key, messageId, subject: body.subject, counts: { now: d.now.length, coming: d.coming.reduce((n, c) => n + c.matches.length, 0), editorial: d.editorial.length }, raw };
  }
}
