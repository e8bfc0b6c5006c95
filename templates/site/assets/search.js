/**
 * Client-side search of the static portal. search.html loads this module
 * (`<script type="module" src="assets/search.js">`, no inline script: the
 * site's CSP is `script-src 'self'`); it fetches `search-index.json` next to
 * the page, normalises every entry once (normalize.js), and answers queries
 * from the form and from `?q=` in the URL.
 *
 * Matching: the query is split on whitespace into terms, each normalised;
 * an entry matches when every term occurs in its normalised cite or text.
 * A term that starts or ends with a digit must not cut into a number there
 * (17号 does not match 第117号, 5000 does not match 50000, 0.2 does not
 * match 0.25). Ranking: entries with more terms in the cite first, then the
 * earliest first occurrence (in the cite for those, else in the text), then
 * index order (the order of the laws).
 *
 * The helpers above the DOM section are pure, so the tests import this file
 * in Node; the DOM wiring only runs where there is a document.
 */
import { normalize, normalizeWithMap } from './normalize.js';

/** How many results are shown. */
export const RESULT_LIMIT = 50;
/** Length of a snippet, in characters of the original text. */
const SNIPPET_LENGTH = 120;
/** Characters of context shown before the first match in a snippet. */
const SNIPPET_LEAD = 30;

/**
 * @typedef {{ id: string, cite: string, href: string, text: string, instrument: string }} IndexEntry
 * @typedef {IndexEntry & { normCite: string, normText: string, order: number }} PreparedEntry
 * @typedef {{ text: string, mark: boolean }} Segment
 */

/**
 * Turns the parsed search-index.json into searchable entries, normalising
 * each cite and text once. Entries without the string fields are skipped
 * (the index is data from the network: nothing in it is trusted to be
 * well-formed).
 * @param {unknown} json
 * @returns {PreparedEntry[]}
 */
export function prepareIndex(json) {
  const list = json && typeof json === 'object' ? /** @type {{ entries?: unknown }} */ (json).entries : undefined;
  const entries = Array.isArray(list) ? list : [];
  /** @type {PreparedEntry[]} */
  const out = [];
  for (const e of entries) {
    if (!e || typeof e.cite !== 'string' || typeof e.href !== 'string' || typeof e.text !== 'string') continue;
    out.push({
      id: typeof e.id === 'string' ? e.id : '',
      cite: e.cite,
      href: e.href,
      text: e.text,
      instrument: typeof e.instrument === 'string' ? e.instrument : '',
      normCite: normalize(e.cite),
      normText: normalize(e.text),
      order: out.length,
    });
  }
  return out;
}

/**
 * The normalised terms of a query: split on whitespace (incl. U+3000) first,
 * so that each term is normalised on its own, without duplicates.
 * @param {string} query
 * @returns {string[]}
 */
export function queryTerms(query) {
  const terms = String(query)
    .split(/\s+/u)
    .map((t) => normalize(t))
    .filter((t) => t !== '');
  return [...new Set(terms)];
}

/**
 * Index of the first occurrence of `term` in `hay` at or after `from` that
 * does not cut into a number (see the top of the file), or -1.
 * @param {string} hay
 * @param {string} term
 * @param {number} [from]
 */
export function findTerm(hay, term, from = 0) {
  const digitStart = isDigit(term[0]);
  const digitEnd = isDigit(term[term.length - 1]);
  for (let i = hay.indexOf(term, from); i >= 0; i = hay.indexOf(term, i + 1)) {
    if (digitStart && continuesNumberBefore(hay, i)) continue;
    if (digitEnd && continuesNumberAfter(hay, i + term.length)) continue;
    return i;
  }
  return -1;
}

/** @param {string | undefined} c */
function isDigit(c) {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Whether the text before `i` is part of the same number: a digit, or a point after a digit.
 * @param {string} hay
 * @param {number} i
 */
function continuesNumberBefore(hay, i) {
  return isDigit(hay[i - 1]) || (hay[i - 1] === '.' && isDigit(hay[i - 2]));
}

/**
 * Whether the text at `i` continues the number before it: a digit, or a point before a digit.
 * @param {string} hay
 * @param {number} i
 */
function continuesNumberAfter(hay, i) {
  return isDigit(hay[i]) || (hay[i] === '.' && isDigit(hay[i + 1]));
}

/**
 * Searches prepared entries. Returns how many matched and the best `limit`
 * of them, ranked as described at the top of the file.
 * @param {PreparedEntry[]} index
 * @param {string} query
 * @param {number} [limit]
 * @returns {{ terms: string[], total: number, results: PreparedEntry[] }}
 */
export function searchEntries(index, query, limit = RESULT_LIMIT) {
  const terms = queryTerms(query);
  if (terms.length === 0) return { terms, total: 0, results: [] };
  /** @type {{ entry: PreparedEntry, inCite: number, first: number }[]} */
  const hits = [];
  for (const entry of index) {
    const hit = matchEntry(entry, terms);
    if (hit) hits.push({ entry, ...hit });
  }
  hits.sort((a, b) => b.inCite - a.inCite || a.first - b.first || a.entry.order - b.entry.order);
  return { terms, total: hits.length, results: hits.slice(0, limit).map((h) => h.entry) };
}

/**
 * Whether every term occurs in the entry's cite or text; if so, how many
 * terms are in the cite, and the earliest first occurrence: in the cite if a
 * term is there, else in the text (positions of one kind are compared only
 * with each other, since `inCite` sorts first).
 * @param {PreparedEntry} entry
 * @param {string[]} terms
 */
function matchEntry(entry, terms) {
  let inCite = 0;
  let firstCite = Infinity;
  let firstText = Infinity;
  for (const term of terms) {
    const c = findTerm(entry.normCite, term);
    if (c >= 0) {
      inCite += 1;
      firstCite = Math.min(firstCite, c);
      continue;
    }
    const t = findTerm(entry.normText, term);
    if (t < 0) return undefined;
    firstText = Math.min(firstText, t);
  }
  return { inCite, first: inCite > 0 ? firstCite : firstText };
}

/**
 * A snippet of `text` around the first match of the query, as segments of
 * plain and matched (`mark`) text, with … where the text was cut. Matches are
 * found in the normalised text and mapped back to the original characters
 * (a match on 17 in 第十七号 marks 十七). Without a match in the text (the
 * query matched the cite), the start of the text.
 * @param {string} text the entry's original text
 * @param {string} query the query as typed
 * @param {number} [length] length of the snippet in characters of `text`
 * @returns {Segment[]}
 */
export function snippet(text, query, length = SNIPPET_LENGTH) {
  const ranges = matchRanges(text, queryTerms(query));
  const firstStart = ranges.length > 0 ? ranges[0][0] : 0;
  let from = Math.max(0, firstStart - SNIPPET_LEAD);
  const to = Math.min(text.length, from + length);
  from = Math.max(0, Math.min(from, to - length));
  // do not split a surrogate pair at either end
  if (isLowSurrogate(text, from)) from += 1;
  const end = isLowSurrogate(text, to) ? to - 1 : to;

  /** @type {Segment[]} */
  const segments = [];
  /** @param {string} s @param {boolean} mark */
  const push = (s, mark) => {
    if (s !== '') segments.push({ text: s, mark });
  };
  let pos = from;
  for (const [s, e] of ranges) {
    const a = Math.max(s, from);
    const b = Math.min(e, end);
    if (b <= a) continue;
    push(text.slice(pos, a), false);
    push(text.slice(a, b), true);
    pos = b;
  }
  push(text.slice(pos, end), false);
  if (from > 0) addEllipsis(segments, 'start');
  if (end < text.length) addEllipsis(segments, 'end');
  return segments;
}

/**
 * @param {string} text
 * @param {number} i
 */
function isLowSurrogate(text, i) {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Adds … at one end, to the plain segment there or as its own.
 * @param {Segment[]} segments
 * @param {'start' | 'end'} where
 */
function addEllipsis(segments, where) {
  const i = where === 'start' ? 0 : segments.length - 1;
  const seg = segments[i];
  if (seg && !seg.mark) {
    seg.text = where === 'start' ? `…${seg.text}` : `${seg.text}…`;
  } else if (where === 'start') {
    segments.unshift({ text: '…', mark: false });
  } else {
    segments.push({ text: '…', mark: false });
  }
}

/**
 * Every occurrence of the terms in `text`, as sorted, merged [start, end)
 * ranges of the original text.
 * @param {string} text
 * @param {string[]} terms
 * @returns {[number, number][]}
 */
export function matchRanges(text, terms) {
  const norm = normalizeWithMap(text);
  /** @type {[number, number][]} */
  const raw = [];
  for (const term of terms) {
    for (let i = findTerm(norm.text, term); i >= 0; i = findTerm(norm.text, term, i + 1)) {
      raw.push([norm.starts[i], norm.ends[i + term.length - 1]]);
    }
  }
  raw.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  /** @type {[number, number][]} */
  const merged = [];
  for (const r of raw) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/**
 * The status line: 「該当なし」, 「12件」, or 「120件（50件まで表示）」 when not
 * all are shown.
 * @param {number} total
 * @param {number} [limit]
 */
export function statusText(total, limit = RESULT_LIMIT) {
  if (total === 0) return '該当なし';
  return total > limit ? `${total}件（${limit}件まで表示）` : `${total}件`;
}

/**
 * Whether an entry's href, resolved against the page, is an http(s) link:
 * index data must not be able to plant a javascript: or data: link.
 * @param {string} href
 * @param {string} base
 */
export function isSafeHref(href, base) {
  try {
    const { protocol } = new URL(href, base);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// DOM wiring (browser only). Everything from the index goes in through
// textContent / createTextNode; no innerHTML, no inline styles (CSP).

const LOADING = '索引を読み込み中…';
const LOAD_FAILED = '索引を読み込めませんでした';

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}

function start() {
  const form = document.getElementById('search-form');
  const input = document.getElementById('q');
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  if (!(form instanceof HTMLFormElement) || !(input instanceof HTMLInputElement) || !status || !list) return;

  /** @type {PreparedEntry[] | undefined} */
  let index;
  const initial = new URLSearchParams(window.location.search).get('q') ?? '';
  if (initial !== '') input.value = initial;

  const run = () => {
    if (!index) {
      status.textContent = LOADING; // searched once the index is in
      return;
    }
    const query = input.value;
    updateUrl(query);
    if (queryTerms(query).length === 0) {
      list.replaceChildren();
      status.textContent = '';
      return;
    }
    const { total, results } = searchEntries(index, query);
    list.replaceChildren(...results.map((entry) => resultItem(entry, query)));
    status.textContent = statusText(total);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });

  status.textContent = LOADING;
  list.setAttribute('aria-busy', 'true');
  loadIndex()
    .then((prepared) => {
      index = prepared;
      list.removeAttribute('aria-busy');
      status.textContent = '';
      if (input.value.trim() !== '') run();
    })
    .catch(() => {
      list.removeAttribute('aria-busy');
      status.textContent = LOAD_FAILED;
    });
}

async function loadIndex() {
  const response = await fetch(new URL('search-index.json', document.baseURI));
  if (!response.ok) throw new Error(`search-index.json: HTTP ${response.status}`);
  return prepareIndex(await response.json());
}

/**
 * Keeps the query in the address bar (?q=…) so the page can be linked and reloaded.
 * @param {string} query
 */
function updateUrl(query) {
  const url = new URL(window.location.href);
  if (query.trim() === '') url.searchParams.delete('q');
  else url.searchParams.set('q', query);
  if (url.href !== window.location.href) window.history.replaceState(null, '', url);
}

/**
 * <li><a href>cite</a><p class="search-snippet">…<mark>match</mark>…</p></li>
 * @param {PreparedEntry} entry
 * @param {string} query
 */
function resultItem(entry, query) {
  const li = document.createElement('li');
  const linked = isSafeHref(entry.href, document.baseURI);
  const title = document.createElement(linked ? 'a' : 'span');
  if (linked) title.setAttribute('href', entry.href);
  title.textContent = entry.cite;
  const p = document.createElement('p');
  p.className = 'search-snippet';
  for (const seg of snippet(entry.text, query)) {
    if (seg.mark) {
      const mark = document.createElement('mark');
      mark.textContent = seg.text;
      p.append(mark);
    } else {
      p.append(document.createTextNode(seg.text));
    }
  }
  li.append(title, p);
  return li;
}
