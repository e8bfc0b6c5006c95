/**
 * Change feeds: the same list of entries as an Atom feed (RFC 4287) and as a
 * JSON Feed 1.1, so a reader can follow amendments without visiting the
 * portal.
 *
 * Deterministic like everything else in an output folder: the same spec gives
 * the same bytes. Entries are sorted here (newest first, then by id), the
 * feed's `updated` is its newest entry's, never the clock, and there is no
 * generator version or build time. A rebuilt feed that has not changed is a
 * file that has not changed, so its manifest hash and its HTTP ETag stay put.
 *
 * The XML is written by hand rather than with the `feed` package (6.0.0),
 * which falls short here in ways its options cannot fix:
 * - its Atom `updated` is `new Date()` when no date is given;
 * - it writes titles and summaries as `type="html"` in CDATA, so a plain-text
 *   title such as `a < b` or `<script>` is markup to the reader;
 * - CDATA is closed with a single `replace(']]>', …)`, so a second `]]>` in a
 *   title or content ends the section early and the XML is not well-formed;
 * - text nodes go through xml-js, which first turns `&amp;` back into `&`
 *   ("to avoid double sanitization"), so a literal `&amp;` is lost;
 * - nothing removes the C0 control characters XML 1.0 forbids;
 * - an enclosure's type is guessed as `image/<extension>` (`image/pdf`);
 * - its URL check is `new URL()`, which accepts `javascript:` and `data:`;
 * - its JSON Feed is version 1 (single `author`, no `authors`, `language`
 *   or `content_text`), not 1.1.
 * The serializer below is small: elements with escaped text and attributes,
 * nothing else.
 */

export interface FeedEntry {
  /** Stable forever: a tag: URI (RFC 4151) the caller builds from content that never changes, e.g. "tag:regpress.example,2025:change/<commit>/<instrument>". */
  id: string;
  title: string;
  /** ISO 8601 date-time or YYYY-MM-DD; the entry's last change (for a change: its commit date). */
  updated: string;
  published?: string;
  /** Absolute URL of the entry's page (portal). */
  link: string;
  /** Plain-text summary, and an HTML rendering of the same (redline with <ins>/<del>). */
  summary: string;
  contentHtml: string;
  categories: string[];
  /** Optional related links (PDFs of regenerated publications) as enclosures/related links. */
  related?: { href: string; title: string; type?: string }[];
}

export interface FeedSpec {
  /** A tag: URI, like an entry's id. */
  id: string;
  title: string;
  subtitle?: string;
  /** The site page the feed is about (rel="alternate", JSON Feed home_page_url). */
  link: string;
  /** Absolute URL of this feed file: pass the Atom file's URL to atomFeed and the JSON file's to jsonFeed. */
  self: string;
  author: string;
  /** BCP 47 language tag, e.g. "ja". */
  lang: string;
  entries: FeedEntry[];
}

/** The `updated` of a feed with no entries: a fixed date, so that an empty feed is as reproducible as any other. */
export const EMPTY_FEED_UPDATED = '1970-01-01T00:00:00Z';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

/**
 * Characters XML 1.0 does not allow (C0 controls other than tab, LF and CR;
 * U+FFFE, U+FFFF; unpaired surrogates). They are removed from every string,
 * in the JSON Feed too, so that both feeds say the same thing.
 */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function clean(s: string): string {
  return s.replace(NOT_XML_CHAR, '');
}

/** Text content. `>` is escaped too, so `]]>` cannot appear; CR as a reference, because a parser turns a literal CR into LF. */
function escText(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Attribute values: also `"`, and tab/LF/CR as references, which attribute-value normalization would otherwise turn into spaces. */
function escAttr(s: string): string {
  return escText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

// ---------------------------------------------------------------- validation

/**
 * An absolute http(s) URL, as the WHATWG parser writes it. Anything else
 * (javascript:, data:, relative paths) is a caller's mistake and would be
 * followed by every reader, so it throws. The parsed form is what is written,
 * so what was checked is what is published.
 */
function httpUrl(value: string, what: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`feed: ${what} must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`feed: ${what} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return u.href;
}

/**
 * RFC 4151: tag:authorityName,date:specific[#fragment], ASCII only (percent-encode the rest).
 * Checked because an id is forever: one built from something that can change
 * (a URL, a title) makes every reader show the entry again as new.
 */
const TAG_URI = /^tag:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+@[A-Za-z0-9.-]+),\d{4}(?:-\d{2}(?:-\d{2})?)?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*(?:#(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;

function tagUri(value: string, what: string): string {
  if (!TAG_URI.test(value)) throw new Error(`feed: ${what} must be a tag: URI (RFC 4151, ASCII, percent-encoded), got ${JSON.stringify(value)}`);
  return value;
}

/** A moment, and how to write it: RFC 3339 with the offset it was given in. */
interface Moment {
  ms: number;
  text: string;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;

/**
 * `YYYY-MM-DD` (taken as midnight UTC) or a date-time with an offset. A
 * date-time without one is refused: it would mean the build machine's time
 * zone, and the same spec must give the same feed anywhere.
 */
function moment(value: string, what: string): Moment {
  const m = DATE_TIME.exec(value.trim());
  const bad = (): never => {
    throw new Error(`feed: ${what} must be YYYY-MM-DD or an ISO 8601 date-time with Z or an offset, got ${JSON.stringify(value)}`);
  };
  if (!m) return bad();
  const [, y, mo, d, hh = '00', mi = '00', ss = '00', frac = '', zone = 'Z'] = m;
  const date = `${y}-${mo}-${d}`;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mi), Number(ss)] as const;
  const utc = Date.UTC(...fields);
  const back = new Date(utc);
  // Date.UTC rolls 2025-02-30 over into March; a date that does not come back unchanged does not exist.
  if (back.getUTCFullYear() !== fields[0] || back.getUTCMonth() !== fields[1] || back.getUTCDate() !== fields[2] || back.getUTCHours() !== fields[3] || back.getUTCMinutes() !== fields[4] || back.getUTCSeconds() !== fields[5]) return bad();
  let offsetText = 'Z';
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return bad();
    offsetText = `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2)}`;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fracMs = frac === '' ? 0 : Math.floor(Number(`0${frac}`) * 1000);
  return { ms: utc + fracMs - offsetMin * 60_000, text: `${date}T${hh}:${mi}:${ss}${frac}${offsetText}` };
}

const MIME_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"\\\r\n]*"))*$/;

const TYPE_BY_EXTENSION: Readonly<Record<string, string>> = { pdf: 'application/pdf', html: 'text/html', htm: 'text/html', json: 'application/json', xml: 'application/xml', csv: 'text/csv', txt: 'text/plain', zip: 'application/zip' };

/** The media type of a related file: as given, or from its extension; JSON Feed requires one on every attachment. */
function mediaType(href: string, type: string | undefined, what: string): string {
  if (type !== undefined) {
    if (!MIME_TYPE.test(type)) throw new Error(`feed: ${what} type must be a media type such as application/pdf, got ${JSON.stringify(type)}`);
    return type;
  }
  const ext = /\.([A-Za-z0-9]+)$/.exec(new URL(href).pathname)?.[1]?.toLowerCase();
  return (ext !== undefined ? TYPE_BY_EXTENSION[ext] : undefined) ?? 'application/octet-stream';
}

const LANGUAGE_TAG = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;

// ---------------------------------------------------------------- the checked feed both writers share

interface Related {
  href: string;
  title: string;
  type: string;
}

interface Entry {
  id: string;
  title: string;
  updated: Moment;
  published: Moment | undefined;
  link: string;
  summary: string;
  contentHtml: string;
  categories: string[];
  related: Related[];
}

interface Checked {
  id: string;
  title: string;
  subtitle: string | undefined;
  link: string;
  self: string;
  author: string;
  lang: string;
  /** Newest first; ties by id, compared by code unit so that no locale can reorder them. */
  entries: Entry[];
  updated: string;
}

function checkEntry(e: FeedEntry): Entry {
  const id = tagUri(e.id, 'entry id');
  const what = (field: string): string => `entry ${id} ${field}`;
  const categories = [...new Set(e.categories.map((c) => clean(c).trim()).filter((c) => c !== ''))];
  const related = (e.related ?? []).map((r, i) => {
    const href = httpUrl(r.href, what(`related[${i}] href`));
    return { href, title: clean(r.title), type: mediaType(href, r.type, what(`related[${i}]`)) };
  });
  return {
    id,
    title: clean(e.title),
    updated: moment(e.updated, what('updated')),
    published: e.published === undefined ? undefined : moment(e.published, what('published')),
    link: httpUrl(e.link, what('link')),
    summary: clean(e.summary),
    contentHtml: clean(e.contentHtml),
    categories,
    related,
  };
}

function byNewest(a: Entry, b: Entry): number {
  if (a.updated.ms !== b.updated.ms) return b.updated.ms - a.updated.ms;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Validates the spec and puts the entries in their one order. Two entries
 * with one id are refused: a reader would keep only one of them, and which
 * one would depend on the order the caller happened to pass.
 */
function check(spec: FeedSpec): Checked {
  if (!LANGUAGE_TAG.test(spec.lang)) throw new Error(`feed: lang must be a language tag such as "ja", got ${JSON.stringify(spec.lang)}`);
  const entries = spec.entries.map(checkEntry).sort(byNewest);
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.id)) throw new Error(`feed: two entries have the id ${e.id}`);
    seen.add(e.id);
  }
  return {
    id: tagUri(spec.id, 'feed id'),
    title: clean(spec.title),
    subtitle: spec.subtitle === undefined ? undefined : clean(spec.subtitle),
    link: httpUrl(spec.link, 'feed link'),
    self: httpUrl(spec.self, 'feed self'),
    author: clean(spec.author),
    lang: spec.lang,
    entries,
    updated: entries[0]?.updated.text ?? EMPTY_FEED_UPDATED,
  };
}

// ---------------------------------------------------------------- Atom

type Attrs = Readonly<Record<string, string | undefined>>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter((kv): kv is [string, string] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escAttr(v)}"`)
    .join('');
}

/** `<name attrs>text</name>`; the text is escaped here, so callers pass plain strings only. */
function el(indent: string, name: string, text: string, a: Attrs = {}): string {
  return `${indent}<${name}${attrs(a)}>${escText(text)}</${name}>`;
}

function empty(indent: string, name: string, a: Attrs): string {
  return `${indent}<${name}${attrs(a)}/>`;
}

function atomEntry(e: Entry): string[] {
  const i = '    ';
  return [
    '  <entry>',
    el(i, 'id', e.id),
    el(i, 'title', e.title, { type: 'text' }),
    el(i, 'updated', e.updated.text),
    ...(e.published ? [el(i, 'published', e.published.text)] : []),
    empty(i, 'link', { rel: 'alternate', type: 'text/html', href: e.link }),
    ...e.related.map((r) => empty(i, 'link', { rel: 'enclosure', type: r.type, href: r.href, title: r.title })),
    ...e.categories.map((c) => empty(i, 'category', { term: c })),
    el(i, 'summary', e.summary, { type: 'text' }),
    // type="html": the content is HTML, escaped once, which Atom readers unescape and then render (sanitized).
    el(i, 'content', e.contentHtml, { type: 'html' }),
    '  </entry>',
  ];
}

/** An Atom 1.0 document (RFC 4287), UTF-8, ending in a newline. */
export function atomFeed(spec: FeedSpec): string {
  const f = check(spec);
  const i = '  ';
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed${attrs({ xmlns: ATOM_NS, 'xml:lang': f.lang })}>`,
    el(i, 'id', f.id),
    el(i, 'title', f.title, { type: 'text' }),
    ...(f.subtitle !== undefined ? [el(i, 'subtitle', f.subtitle, { type: 'text' })] : []),
    el(i, 'updated', f.updated),
    empty(i, 'link', { rel: 'alternate', type: 'text/html', href: f.link }),
    empty(i, 'link', { rel: 'self', type: 'application/atom+xml', href: f.self }),
    `${i}<author>`,
    el(`${i}  `, 'name', f.author),
    `${i}</author>`,
    el(i, 'generator', 'regpress'),
    ...f.entries.flatMap(atomEntry),
    '</feed>',
  ];
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- JSON Feed

interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  content_text: string;
  summary: string;
  date_published: string;
  date_modified: string;
  tags: string[];
  attachments?: { url: string; mime_type: string; title: string }[];
}

interface JsonFeedDoc {
  version: typeof JSON_FEED_VERSION;
  title: string;
  home_page_url: string;
  feed_url: string;
  description?: string;
  authors: { name: string }[];
  language: string;
  items: JsonFeedItem[];
}

function jsonItem(e: Entry): JsonFeedItem {
  const item: JsonFeedItem = {
    id: e.id,
    url: e.link,
    title: e.title,
    content_html: e.contentHtml,
    // The summary is the plain-text form of the same change the HTML shows.
    content_text: e.summary,
    summary: e.summary,
    // Readers sort JSON feeds by date_published and many ignore date_modified, so a change is published when it was made unless told otherwise.
    date_published: (e.published ?? e.updated).text,
    date_modified: e.updated.text,
    tags: e.categories,
  };
  if (e.related.length > 0) item.attachments = e.related.map((r) => ({ url: r.href, mime_type: r.type, title: r.title }));
  return item;
}

/** A JSON Feed 1.1 document, two-space indented, ending in a newline. Non-ASCII text is written as is (UTF-8). */
export function jsonFeed(spec: FeedSpec): string {
  const f = check(spec);
  const doc: JsonFeedDoc = {
    version: JSON_FEED_VERSION,
    title: f.title,
    home_page_url: f.link,
    feed_url: f.self,
    ...(f.subtitle !== undefined ? { description: f.subtitle } : {}),
    authors: [{ name: f.author }],
    language: f.lang,
    items: f.entries.map(jsonItem),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
