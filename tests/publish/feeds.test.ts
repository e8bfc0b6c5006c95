/**
 * The feeds are read back with real parsers: feedparser (what many feed
 * readers are built on) for Atom, saxes (a conforming XML 1.0 parser, which
 * refuses what feedparser's sax would let through) for well-formedness and the
 * exact text of every element, and JSON.parse plus the JSON Feed 1.1 rules
 * for the JSON feed.
 */
import { Readable } from 'node:stream';
import FeedParser from 'feedparser';
import { SaxesParser } from 'saxes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { atomFeed, EMPTY_FEED_UPDATED, jsonFeed, type FeedEntry, type FeedSpec } from '../../src/publish/feeds.js';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

// ---------------------------------------------------------------- readers

interface Parsed {
  meta: FeedParser.Meta;
  items: FeedParser.Item[];
}

/** Streams the document through feedparser in strict mode, with sax errors fatal (by default it resumes after them). */
function feedparse(xml: string): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const parser = new FeedParser({ strict: true, resume_saxerror: false });
    const items: FeedParser.Item[] = [];
    parser.on('error', reject);
    parser.on('readable', function (this: FeedParser) {
      for (let item = this.read(); item !== null; item = this.read()) items.push(item);
    });
    parser.on('end', () => resolve({ meta: parser.meta, items }));
    Readable.from([xml]).pipe(parser);
  });
}

interface XmlNode {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** A namespace-aware tree of the document; throws on anything that is not well-formed XML 1.0 (including forbidden characters). */
function xmlTree(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlNode = { uri: '', local: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const top = (): XmlNode => stack[stack.length - 1] ?? root;
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) attrs[a.name] = a.value;
    const node: XmlNode = { uri: tag.uri, local: tag.local, attrs, children: [], text: '' };
    top().children.push(node);
    stack.push(node);
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (t) => {
    top().text += t;
  });
  parser.on('cdata', (t) => {
    top().text += t;
  });
  parser.write(xml).close();
  return root;
}

function kids(n: XmlNode, local: string): XmlNode[] {
  return n.children.filter((c) => c.uri === ATOM_NS && c.local === local);
}

function one(n: XmlNode, local: string): XmlNode {
  const found = kids(n, local);
  expect(found, `exactly one atom:${local} in atom:${n.local}`).toHaveLength(1);
  return found[0] as XmlNode;
}

/** The structural MUSTs of RFC 4287 §4.1 that this feed relies on; returns the feed element. */
function checkAtomStructure(xml: string): XmlNode {
  const feed = one(xmlTree(xml), 'feed');
  for (const name of ['id', 'title', 'updated']) one(feed, name);
  expect(RFC3339.test(one(feed, 'updated').text)).toBe(true);
  expect(kids(feed, 'author').length).toBeGreaterThan(0);
  for (const a of kids(feed, 'author')) one(a, 'name');
  const links = kids(feed, 'link');
  expect(links.filter((l) => l.attrs.rel === 'self')).toHaveLength(1);
  expect(links.filter((l) => l.attrs.rel === 'alternate' && l.attrs.type === 'text/html')).toHaveLength(1);
  for (const e of kids(feed, 'entry')) {
    for (const name of ['id', 'title', 'updated', 'summary', 'content']) one(e, name);
    expect(RFC3339.test(one(e, 'updated').text)).toBe(true);
    expect(one(e, 'content').attrs.type).toBe('html');
    expect(one(e, 'title').attrs.type ?? 'text').toBe('text');
    expect(kids(e, 'link').filter((l) => (l.attrs.rel ?? 'alternate') === 'alternate')).toHaveLength(1);
    for (const c of kids(e, 'category')) expect(c.attrs.term).toBeTypeOf('string');
  }
  return feed;
}

// ---------------------------------------------------------------- JSON Feed 1.1

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isAbsoluteUrl(x: unknown): boolean {
  if (typeof x !== 'string') return false;
  try {
    new URL(x);
    return true;
  } catch {
    return false;
  }
}

/** What a document breaks of https://www.jsonfeed.org/version/1.1/ ; [] when nothing. */
function jsonFeedProblems(doc: unknown): string[] {
  const p: string[] = [];
  if (!isObject(doc)) return ['not an object'];
  if (doc.version !== 'https://jsonfeed.org/version/1.1') p.push('version');
  if (typeof doc.title !== 'string' || doc.title === '') p.push('title');
  for (const k of ['home_page_url', 'feed_url'] as const) if (k in doc && !isAbsoluteUrl(doc[k])) p.push(k);
  if ('description' in doc && typeof doc.description !== 'string') p.push('description');
  if ('language' in doc && typeof doc.language !== 'string') p.push('language');
  if ('author' in doc) p.push('author (1.0; 1.1 has authors)');
  if ('authors' in doc) {
    if (!Array.isArray(doc.authors)) p.push('authors');
    else for (const a of doc.authors) if (!isObject(a) || !['name', 'url', 'avatar'].some((k) => typeof a[k] === 'string')) p.push('authors[]');
  }
  if (!Array.isArray(doc.items)) return [...p, 'items'];
  const ids = new Set<string>();
  doc.items.forEach((item: unknown, i) => {
    const at = `items[${i}]`;
    if (!isObject(item)) return void p.push(at);
    if (typeof item.id !== 'string' || item.id === '') p.push(`${at}.id`);
    else if (ids.has(item.id)) p.push(`${at}.id duplicate`);
    else ids.add(item.id);
    if (typeof item.content_html !== 'string' && typeof item.content_text !== 'string') p.push(`${at} content_html/content_text`);
    for (const k of ['content_html', 'content_text', 'title', 'summary']) if (k in item && typeof item[k] !== 'string') p.push(`${at}.${k}`);
    if ('url' in item && !isAbsoluteUrl(item.url)) p.push(`${at}.url`);
    for (const k of ['date_published', 'date_modified']) {
      const v = item[k];
      if (k in item && (typeof v !== 'string' || !RFC3339.test(v))) p.push(`${at}.${k}`);
    }
    if ('tags' in item && !(Array.isArray(item.tags) && item.tags.every((t) => typeof t === 'string'))) p.push(`${at}.tags`);
    if ('attachments' in item) {
      if (!Array.isArray(item.attachments)) p.push(`${at}.attachments`);
      else for (const a of item.attachments) if (!isObject(a) || !isAbsoluteUrl(a.url) || typeof a.mime_type !== 'string') p.push(`${at}.attachments[]`);
    }
  });
  return p;
}

interface JsonItem {
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

interface JsonDoc {
  version: string;
  title: string;
  home_page_url: string;
  feed_url: string;
  description?: string;
  authors: { name: string }[];
  language: string;
  items: JsonItem[];
}

function readJsonFeed(text: string): JsonDoc {
  const doc: unknown = JSON.parse(text);
  expect(jsonFeedProblems(doc)).toEqual([]);
  return doc as JsonDoc;
}

// ---------------------------------------------------------------- fixtures

const SITE = 'https://regpress.example/';

const entry = (over: Partial<FeedEntry> & Pick<FeedEntry, 'id' | 'updated'>): FeedEntry => ({
  title: '輸出貿易管理令 別表第一の改正',
  link: `${SITE}changes/${encodeURIComponent(over.id)}`,
  summary: '第二項中「旧」を「新」に改める。',
  contentHtml: '<p>第二項中<del>旧</del><ins>新</ins>に改める。</p>',
  categories: ['輸出貿易管理令'],
  ...over,
});

const A = entry({
  id: 'tag:regpress.example,2025:change/1a2b3c/324AC0000000228',
  updated: '2025-03-01T10:00:00+09:00',
  published: '2025-02-28',
  title: '外国為替及び外国貿易法の改正',
  categories: ['外為法', '法律'],
  related: [{ href: `${SITE}pdf/324AC0000000228.pdf`, title: '外為法（第3版）PDF' }],
});
const B = entry({ id: 'tag:regpress.example,2025:change/4d5e6f/355CO0000000260', updated: '2025-04-01T00:00:00+09:00' });
/** The same instant as B, written in UTC: the two are ordered by id. */
const C = entry({ id: 'tag:regpress.example,2025:change/4d5e6f/324CO0000000378', updated: '2025-03-31T15:00:00Z', categories: [] });
const D = entry({ id: 'tag:regpress.example,2025:change/000aaa/403M50000400049', updated: '2025-01-15' });

const spec = (entries: FeedEntry[], over: Partial<FeedSpec> = {}): FeedSpec => ({
  id: 'tag:regpress.example,2025:feed/changes',
  title: '規制改正のお知らせ',
  subtitle: '輸出管理関係法令の改正履歴',
  link: SITE,
  self: `${SITE}changes.atom`,
  author: 'regpress 編集部',
  lang: 'ja',
  entries,
  ...over,
});

const NEWEST_FIRST = [C.id, B.id, A.id, D.id];

// ---------------------------------------------------------------- tests

describe('atomFeed', () => {
  it('is Atom that feedparser reads back field by field', async () => {
    const xml = atomFeed(spec([A, B, C, D]));
    checkAtomStructure(xml);
    const { meta, items } = await feedparse(xml);
    expect(meta['#type']).toBe('atom');
    expect(meta.title).toBe('規制改正のお知らせ');
    expect(meta.description).toBe('輸出管理関係法令の改正履歴');
    expect(meta.link).toBe(SITE);
    expect(meta.xmlurl).toBe(`${SITE}changes.atom`);
    expect(meta.author).toBe('regpress 編集部');
    expect(meta.language).toBe('ja');
    expect(meta.date?.toISOString()).toBe('2025-03-31T15:00:00.000Z');

    expect(items.map((i) => i.guid)).toEqual(NEWEST_FIRST);
    const a = items.find((i) => i.guid === A.id);
    expect(a?.title).toBe('外国為替及び外国貿易法の改正');
    expect(a?.link).toBe(A.link);
    expect(a?.date?.toISOString()).toBe('2025-03-01T01:00:00.000Z');
    expect(a?.pubdate?.toISOString()).toBe('2025-02-28T00:00:00.000Z');
    expect(a?.categories).toEqual(['外為法', '法律']);
    expect(a?.summary).toBe('第二項中「旧」を「新」に改める。');
    expect(a?.description).toContain('<del>旧</del><ins>新</ins>');
    expect(a?.enclosures.map((x) => ({ url: x.url, type: x.type }))).toEqual([{ url: `${SITE}pdf/324AC0000000228.pdf`, type: 'application/pdf' }]);
    expect(items.find((i) => i.guid === C.id)?.categories).toEqual([]);
  });

  it('writes the date-only form as midnight UTC and keeps a given offset', () => {
    const feed = checkAtomStructure(atomFeed(spec([A, D])));
    const updated = kids(feed, 'entry').map((e) => one(e, 'updated').text);
    expect(updated).toEqual(['2025-03-01T10:00:00+09:00', '2025-01-15T00:00:00Z']);
    expect(one(feed, 'updated').text).toBe('2025-03-01T10:00:00+09:00');
  });
});

describe('jsonFeed', () => {
  it('is a JSON Feed 1.1 with every item field', () => {
    const doc = readJsonFeed(jsonFeed(spec([A, B, C, D], { self: `${SITE}changes.json` })));
    expect(doc.title).toBe('規制改正のお知らせ');
    expect(doc.description).toBe('輸出管理関係法令の改正履歴');
    expect(doc.home_page_url).toBe(SITE);
    expect(doc.feed_url).toBe(`${SITE}changes.json`);
    expect(doc.authors).toEqual([{ name: 'regpress 編集部' }]);
    expect(doc.language).toBe('ja');
    expect(doc.items.map((i) => i.id)).toEqual(NEWEST_FIRST);
    const a = doc.items.find((i) => i.id === A.id);
    expect(a).toEqual({
      id: A.id,
      url: A.link,
      title: A.title,
      content_html: A.contentHtml,
      content_text: A.summary,
      summary: A.summary,
      date_published: '2025-02-28T00:00:00Z',
      date_modified: '2025-03-01T10:00:00+09:00',
      tags: ['外為法', '法律'],
      attachments: [{ url: `${SITE}pdf/324AC0000000228.pdf`, mime_type: 'application/pdf', title: '外為法（第3版）PDF' }],
    });
    // Without `published`, a change is published when it was made (readers sort JSON feeds by date_published).
    expect(doc.items.find((i) => i.id === D.id)?.date_published).toBe('2025-01-15T00:00:00Z');
  });

  it('the checker itself catches a JSON Feed 1.0 document and items without content', () => {
    const v1 = { version: 'https://jsonfeed.org/version/1', title: 't', author: { name: 'x' }, items: [{ id: 'a' }, { id: 'a', content_text: 'x', date_modified: '2025-01-01' }] };
    expect(jsonFeedProblems(v1)).toEqual(['version', 'author (1.0; 1.1 has authors)', 'items[0] content_html/content_text', 'items[1].id duplicate', 'items[1].date_modified']);
  });
});

describe('determinism', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the same bytes whatever order the entries come in', () => {
    const orders = [
      [A, B, C, D],
      [D, C, B, A],
      [C, A, D, B],
    ];
    for (const write of [atomFeed, jsonFeed]) {
      const outs = orders.map((o) => write(spec(o)));
      expect(new Set(outs).size).toBe(1);
    }
  });

  it('keeps ids exactly as given, in both feeds', async () => {
    const { items } = await feedparse(atomFeed(spec([D, B])));
    expect(items.map((i) => i.guid)).toEqual([B.id, D.id]);
    expect(readJsonFeed(jsonFeed(spec([D, B]))).items.map((i) => i.id)).toEqual([B.id, D.id]);
  });

  it('never reads the clock: builds years apart are identical', () => {
    vi.useFakeTimers();
    const build = (): string[] => [atomFeed(spec([A, B])), jsonFeed(spec([A, B])), atomFeed(spec([])), jsonFeed(spec([]))];
    vi.setSystemTime(new Date('2001-01-01T00:00:00Z'));
    const first = build();
    vi.setSystemTime(new Date('2039-06-30T12:34:56Z'));
    expect(build()).toEqual(first);
    for (const out of first) expect(out).not.toMatch(/20(01|39)-/);
  });
});

describe('escaping', () => {
  const C0 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join('');
  const C0_ALLOWED = '\t\n\r';
  const hostileTitle = `Evil <script>alert("x")</script> ]]> &amp; & 'q' ]]>${C0}end`;
  const hostileHtml = `<p onclick="x">a ]]> b</p><script>alert('&amp;')</script>]]>${C0}<![CDATA[x]]>`;
  const hostile = entry({
    id: 'tag:regpress.example,2025:change/ffff/hostile',
    updated: '2025-05-05T05:05:05Z',
    title: hostileTitle,
    summary: `summary ${C0} <b>not bold</b> ]]>`,
    contentHtml: hostileHtml,
    categories: ['a"b<c>&d', `tab\there`],
    related: [{ href: `${SITE}pdf/x.pdf?a=1&b="2"`, title: 'PDF "quoted" <&>' }],
  });
  const stripC0 = (s: string): string => s.replace(C0, C0_ALLOWED);

  it('keeps titles and content as text and the XML well-formed', async () => {
    const xml = atomFeed(spec([hostile, A], { title: `Feed ]]> <b>&</b>${C0}` }));
    const feed = checkAtomStructure(xml); // saxes: throws on a forbidden character or a stray ]]>
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(xml).not.toContain('<script');
    expect(xml).not.toContain('<![CDATA[');

    expect(one(feed, 'title').text).toBe(stripC0(`Feed ]]> <b>&</b>${C0}`));
    const e = kids(feed, 'entry').find((n) => one(n, 'id').text === hostile.id);
    if (!e) throw new Error('hostile entry missing');
    expect(one(e, 'title').text).toBe(stripC0(hostileTitle));
    expect(one(e, 'summary').text).toBe(stripC0(hostile.summary));
    expect(one(e, 'content').text).toBe(stripC0(hostileHtml));
    expect(kids(e, 'category').map((c) => c.attrs.term)).toEqual(['a"b<c>&d', 'tab\there']);
    const enclosure = kids(e, 'link').find((l) => l.attrs.rel === 'enclosure');
    expect(enclosure?.attrs.href).toBe(`${SITE}pdf/x.pdf?a=1&b=%222%22`);
    expect(enclosure?.attrs.title).toBe('PDF "quoted" <&>');

    // feedparser (strict, sax errors fatal) reads it too; its titles are trimmed and have known HTML tags removed, so compare the raw node.
    const { meta, items } = await feedparse(xml);
    expect(meta.title).toBe('Feed ]]> &');
    const item = items.find((i) => i.guid === hostile.id);
    expect((item?.['atom:title'] as { '#': string } | undefined)?.['#']).toBe(stripC0(hostileTitle).trim());
    expect(item?.description).toContain('a ]]> b');
    expect(item?.description).toContain("alert('&amp;')");
    expect(item?.categories).toEqual(['a"b<c>&d', 'tab\there']);
    expect(items.map((i) => i.guid)).toEqual([hostile.id, A.id]);
  });

  it('gives the JSON feed the same cleaned text', () => {
    const doc = readJsonFeed(jsonFeed(spec([hostile])));
    const item = doc.items[0];
    expect(item?.title).toBe(stripC0(hostileTitle));
    expect(item?.content_html).toBe(stripC0(hostileHtml));
    expect(item?.tags).toEqual(['a"b<c>&d', 'tab\there']);
  });

  it('the well-formedness check itself rejects control characters and a second ]]> in CDATA', () => {
    expect(() => xmlTree('<a>x\u0001y</a>')).toThrow();
    expect(() => xmlTree('<a><![CDATA[one ]]]]><![CDATA[> two ]]> three]]></a>')).toThrow();
    expect(() => xmlTree('<a>ok &amp; fine</a>')).not.toThrow();
  });

  it('removes unpaired surrogates and U+FFFE/U+FFFF but keeps astral characters', () => {
    const title = `𠮷野家 \uD800 \uDC00 \uFFFE\uFFFF 😀`;
    const xml = atomFeed(spec([entry({ id: 'tag:regpress.example,2025:change/1/astral', updated: '2025-01-01', title })]));
    const e = one(checkAtomStructure(xml), 'entry');
    expect(one(e, 'title').text).toBe('𠮷野家    😀');
  });
});

describe('links and ids', () => {
  const bad = [
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'ftp://regpress.example/x',
    '/relative/path',
    'regpress.example/no-scheme',
  ];

  it.each(bad)('rejects %j as a link anywhere', (href) => {
    for (const write of [atomFeed, jsonFeed]) {
      expect(() => write(spec([entry({ id: 'tag:regpress.example,2025:x', updated: '2025-01-01', link: href })]))).toThrow(/http\(s\)/);
      expect(() => write(spec([entry({ id: 'tag:regpress.example,2025:x', updated: '2025-01-01', related: [{ href, title: 'x' }] })]))).toThrow(/http\(s\)/);
      expect(() => write(spec([], { link: href }))).toThrow(/http\(s\)/);
      expect(() => write(spec([], { self: href }))).toThrow(/http\(s\)/);
    }
  });

  it('accepts http and https', () => {
    expect(() => atomFeed(spec([entry({ id: 'tag:regpress.example,2025:x', updated: '2025-01-01', link: 'http://regpress.example/a' })]))).not.toThrow();
  });

  it('rejects ids that are not tag: URIs, and two entries with one id', () => {
    for (const id of ['https://regpress.example/changes/1', 'tag:regpress.example:no-date', 'tag:regpress.example,2025:has space', 'tag:regpress.example,2025:改正']) {
      expect(() => atomFeed(spec([entry({ id, updated: '2025-01-01' })]))).toThrow(/tag: URI/);
    }
    expect(() => jsonFeed(spec([], { id: 'urn:uuid:1' }))).toThrow(/tag: URI/);
    expect(() => atomFeed(spec([A, { ...B, id: A.id }]))).toThrow(/two entries/);
  });

  it('rejects dates that are not dates, or whose time zone would be the build machine’s', () => {
    for (const updated of ['2025-03-01T10:00:00', '2025-02-30', '2025-13-01', 'yesterday', '2025-03-01T25:00:00Z', '']) {
      expect(() => atomFeed(spec([entry({ id: 'tag:regpress.example,2025:x', updated })]))).toThrow(/updated/);
    }
    expect(() => jsonFeed(spec([entry({ id: 'tag:regpress.example,2025:x', updated: '2025-01-01', published: '2025-01-01T00:00' })]))).toThrow(/published/);
  });
});

describe('empty feed', () => {
  it('is valid Atom with a fixed updated date', async () => {
    const xml = atomFeed(spec([]));
    const feed = checkAtomStructure(xml);
    expect(kids(feed, 'entry')).toEqual([]);
    expect(one(feed, 'updated').text).toBe(EMPTY_FEED_UPDATED);
    const { meta, items } = await feedparse(xml);
    expect(meta.title).toBe('規制改正のお知らせ');
    expect(meta.date?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(items).toEqual([]);
  });

  it('is a valid JSON Feed with no items', () => {
    const s = spec([]);
    delete s.subtitle;
    const doc = readJsonFeed(jsonFeed(s));
    expect(doc.items).toEqual([]);
    expect(doc).not.toHaveProperty('description');
  });
});

describe('Japanese text', () => {
  it('is written as UTF-8 characters and read back unchanged', async () => {
    const xml = atomFeed(spec([A]));
    const json = jsonFeed(spec([A]));
    for (const out of [xml, json]) {
      expect(out).toContain('外国為替及び外国貿易法の改正');
      expect(out).toContain('第二項中');
      expect(out).not.toMatch(/&#x?[0-9a-f]+;|\\u[0-9a-f]{4}/i);
    }
    const { meta, items } = await feedparse(xml);
    expect(meta.author).toBe('regpress 編集部');
    expect(items[0]?.title).toBe('外国為替及び外国貿易法の改正');
    expect(items[0]?.description).toContain('第二項中<del>旧</del><ins>新</ins>に改める。');
    expect(items[0]?.categories).toEqual(['外為法', '法律']);
    const doc = readJsonFeed(json);
    expect(doc.items[0]?.title).toBe('外国為替及び外国貿易法の改正');
    expect(doc.items[0]?.tags).toEqual(['外為法', '法律']);
    expect(doc.items[0]?.content_html).toBe(A.contentHtml);
  });
});
