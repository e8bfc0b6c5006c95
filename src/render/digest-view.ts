/**
 * A subscriber's digest → the view data of the digest templates (text and
 * HTML parts of one e-mail). The surrounding words come in the subscriber's
 * language; the legal text stays as it is.
 */
import type { Match, SubscriberDigest } from '../model/digest.js';
import { CHANGE_KIND_JA } from './diff-text.js';

const LABELS = {
  ja: {
    greeting: (name: string) => `${name} 様`,
    intro: (from: string, to: string, asOf: string) => `${from} から ${to} までの改正のうち、フォローしている規定に関わるものをお知らせします（${asOf} 時点）。`,
    now: '施行済みの改正',
    coming: (date: string) => `公布済み・${date} 施行予定の改正`,
    editorial: '形式的な変更（句読点・表記・番号のみ）',
    follows: 'フォロー',
    via: '経由',
    thresholds: '数値',
    wider: '規制範囲の拡大',
    narrower: '規制範囲の縮小',
    publications: '改訂された出版物',
    edition: (n: number) => `第${n}版`,
    view: '規定を見る',
    unsubscribe: '配信の停止',
    footer: 'このメールは regpress が改正履歴から自動的に作成しました。法令の条文が優先します。',
    subject: (n: number, to: string) => `[regpress] 改正のお知らせ ${n}件（${to}）`,
    kinds: CHANGE_KIND_JA,
  },
  en: {
    greeting: (name: string) => `Dear ${name},`,
    intro: (from: string, to: string, asOf: string) => `These are the amendments between ${from} and ${to} that touch what you follow (as of ${asOf}).`,
    now: 'In force now',
    coming: (date: string) => `Promulgated, coming into force on ${date}`,
    editorial: 'Editorial changes (punctuation, orthography, numbering only)',
    follows: 'you follow',
    via: 'through',
    thresholds: 'thresholds',
    wider: 'control wider',
    narrower: 'control narrower',
    publications: 'Re-issued publications',
    edition: (n: number) => `edition ${n}`,
    view: 'view the provision',
    unsubscribe: 'Unsubscribe',
    footer: 'regpress wrote this message from the amendment history. The legal texts govern.',
    subject: (n: number, to: string) => `[regpress] ${n} change${n === 1 ? '' : 's'} to what you follow (${to})`,
    kinds: { added: 'added', removed: 'removed', modified: 'amended', renumbered: 'renumbered', moved: 'moved', 'became-削除': 'deleted (number kept)' },
  },
} as const;

export interface DigestItemView {
  kind: string;
  cite: string;
  instrumentName: string;
  url: string;
  /** The redline in text form: [-deleted-]{+inserted+}. */
  redlineText: string;
  runs: { text: string; ins: boolean; del: boolean }[];
  numbers: string[];
  follows: string;
  via: string | null;
  publications: { title: string; edition: string; pdfUrl: string }[];
  hasPublications: boolean;
}

export interface DigestView {
  lang: string;
  /** The publications re-issued with these changes, once each. */
  publications: { title: string; edition: string; pdfUrl: string }[];
  hasPublications: boolean;
  subject: string;
  greeting: string;
  intro: string;
  sections: { title: string; items: DigestItemView[] }[];
  labels: { follows: string; via: string; thresholds: string; publications: string; view: string; unsubscribe: string };
  footer: string;
  unsubscribeUrl: string;
}

/** Unchanged text kept on each side of a change; the rest is elided: the portal link has the whole provision. */
const CONTEXT = 40;
/** An inserted or deleted run longer than this is cut (a whole new item is still shown in full up to it). */
const MAX_RUN = 200;

/**
 * A redline fit for an e-mail: unchanged stretches shortened to their ends
 * next to a change, long insertions and deletions cut. A digest of a large
 * amendment stays a message one reads, not a copy of the ordinance.
 */
export function compactRedline(segs: readonly { op: 'equal' | 'insert' | 'delete'; text: string }[]): { text: string; ins: boolean; del: boolean }[] {
  return segs.map((s, i) => {
    const chars = [...s.text];
    if (s.op !== 'equal') return { text: chars.length > MAX_RUN ? `${chars.slice(0, MAX_RUN).join('')}…` : s.text, ins: s.op === 'insert', del: s.op === 'delete' };
    const first = i === 0;
    const last = i === segs.length - 1;
    const keep = (first || last ? CONTEXT : 2 * CONTEXT) + 1;
    if (chars.length <= keep) return { text: s.text, ins: false, del: false };
    if (first) return { text: `…${chars.slice(-CONTEXT).join('')}`, ins: false, del: false };
    if (last) return { text: `${chars.slice(0, CONTEXT).join('')}…`, ins: false, del: false };
    return { text: `${chars.slice(0, CONTEXT).join('')}…${chars.slice(-CONTEXT).join('')}`, ins: false, del: false };
  });
}

function itemView(m: Match, l: (typeof LABELS)['ja' | 'en']): DigestItemView {
  const c = m.change;
  const runs = compactRedline(c.redline.length === 1 && c.redline[0]?.op === 'equal' ? [] : c.redline);
  return {
    kind: l.kinds[c.kind],
    cite: c.cite,
    instrumentName: c.instrumentName,
    url: c.url,
    redlineText: runs.map((s) => (s.ins ? `{+${s.text}+}` : s.del ? `[-${s.text}-]` : s.text)).join(''),
    runs,
    numbers: c.numbers.map((n) => `${n.before} → ${n.after}${n.control === 'wider' ? `（${l.wider}）` : n.control === 'narrower' ? `（${l.narrower}）` : ''}`),
    follows: m.follows,
    via: m.via,
    publications: c.publications.map((p) => ({ title: p.title, edition: p.edition !== null ? l.edition(p.edition) : '', pdfUrl: p.pdfUrl })),
    hasPublications: c.publications.length > 0,
  };
}

export function digestView(digest: { from: string; to: string; asOf: string }, d: SubscriberDigest, unsubscribeUrl: string): DigestView {
  const l = LABELS[d.subscriber.language];
  const sections = [
    ...(d.now.length > 0 ? [{ title: l.now, items: d.now.map((m) => itemView(m, l)) }] : []),
    ...d.coming.map((c) => ({ title: l.coming(c.date), items: c.matches.map((m) => itemView(m, l)) })),
    ...(d.editorial.length > 0 ? [{ title: l.editorial, items: d.editorial.map((m) => itemView(m, l)) }] : []),
  ];
  const count = sections.reduce((n, s) => n + s.items.length, 0);
  const publications = new Map<string, { title: string; edition: string; pdfUrl: string }>();
  for (const s of sections) for (const i of s.items) for (const p of i.publications) publications.set(p.pdfUrl, p);
  const short = (r: string) => (/^[0-9a-f]{40}$/.test(r) ? r.slice(0, 12) : r);
  return {
    lang: d.subscriber.language,
    publications: [...publications.values()],
    hasPublications: publications.size > 0,
    subject: l.subject(count, short(digest.to)),
    greeting: l.greeting(d.subscriber.name),
    intro: l.intro(short(digest.from), short(digest.to), digest.asOf),
    sections,
    labels: { follows: l.follows, via: l.via, thresholds: l.thresholds, publications: l.publications, view: l.view, unsubscribe: l.unsubscribe },
    footer: l.footer,
    unsubscribeUrl,
  };
}
