/**
 * Reading a subscribers file (YAML, untrusted): validated once into typed
 * subscribers; every problem is a diagnostic with the line and column of
 * the entry. Addresses and names are refused when they could inject mail
 * headers (line breaks, control characters).
 */
import { createHash } from 'node:crypto';
import { CORE_SCHEMA, load as yamlLoad } from 'js-yaml';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { Follows, Subscriber } from '../model/subscription.js';
import { LAYERS, type Diagnostic, type Layer } from '../model/types.js';

/** A deliverable address: local@domain, no spaces, quotes, angle brackets or control characters. */
const EMAIL_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const CONTROL_RE = /[\u0000-\u001f\u007f\u2028\u2029]/;
/** 項番 of 輸出令別表第一: 7, 3の2 / 3-2, 16(1), 16（1）. */
export const ROW_NUMBER_RE = /^(\d{1,2})(?:(?:の|-)(\d{1,2}))?(?:[(（](\d{1,2}(?:(?:の|-)\d{1,2})?)[)）])?$/;
const ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const FOLLOW_KEYS = ['instruments', 'provisions', 'rows', 'sectors', 'publications', 'layers'] as const;
const MAX_SUBSCRIBERS = 1_000_000;

export function subscriberId(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 16);
}

/**
 * Reads a subscribers file. A clean file takes the fast path (js-yaml, then
 * plain-value checks: 100,000 subscribers in about a second); anything the
 * fast path does not accept as clean — a YAML error, an anchor or alias, any
 * problem at all — is read again by the positional reader, which is the one
 * place diagnostics come from, with their lines and columns.
 */
export function readSubscribers(file: string, text: string): { subscribers: Subscriber[]; diagnostics: Diagnostic[] } {
  const fast = readSubscribersFast(text);
  return fast ? { subscribers: fast, diagnostics: [] } : readSubscribersPositional(file, text);
}

/** Anchors and aliases (&a, *a) are left to the positional reader, which refuses them. */
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,:-])[&*][^\s,\]}]/m;

function cleanString(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '' && !CONTROL_RE.test(v) && v.length <= 200;
}

/** The subscribers of a clean file, or undefined when it is not clean (then the positional reader reports why). */
export function readSubscribersFast(text: string): Subscriber[] | undefined {
  if (ANCHOR_OR_ALIAS.test(text)) return undefined;
  let root: unknown;
  try {
    root = yamlLoad(text, { schema: CORE_SCHEMA, json: false });
  } catch {
    return undefined;
  }
  const list = typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as Record<string, unknown>).subscribers : undefined;
  if (!Array.isArray(list) || list.length > MAX_SUBSCRIBERS || Object.keys(root as object).some((k) => k !== 'subscribers')) return undefined;
  // where each item starts: the lines that open an item of the list, at the list's indentation
  const starts: number[] = [];
  const lines = text.split('\n');
  let indent: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)- /.exec(lines[i] ?? '');
    if (!m) continue;
    indent ??= m[1];
    if (m[1] === indent) starts.push(i + 1);
  }
  if (starts.length !== list.length) return undefined;
  const out: Subscriber[] = [];
  const seen = new Set<string>();
  for (const [n, item] of list.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    const o = item as Record<string, unknown>;
    if (Object.keys(o).some((k) => !['id', 'name', 'email', 'language', 'follows', 'editorial'].includes(k))) return undefined;
    const { name, email, id } = o;
    const language = o.language ?? 'ja';
    const editorial = o.editorial ?? false;
    if (!cleanString(name) || !cleanString(email) || !EMAIL_RE.test(email)) return undefined;
    if (id !== undefined && (!cleanString(id) || !ID_RE.test(id))) return undefined;
    if (language !== 'ja' && language !== 'en') return undefined;
    if (typeof editorial !== 'boolean') return undefined;
    const f = o.follows;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return undefined;
    const follows: Follows = { instruments: [], provisions: [], rows: [], sectors: [], publications: [], layers: [] };
    for (const [key, value] of Object.entries(f as Record<string, unknown>)) {
      if (!(FOLLOW_KEYS as readonly string[]).includes(key)) return undefined;
      for (const v of Array.isArray(value) ? value : [value]) {
        const t = typeof v === 'number' ? String(v) : v;
        if (!cleanString(t)) return undefined;
        if (key === 'rows' && !ROW_NUMBER_RE.test(t.trim())) return undefined;
        if (key === 'layers' && !(LAYERS as readonly string[]).includes(t)) return undefined;
        (follows[key as keyof Follows] as string[]).push(t.trim());
      }
    }
    if (FOLLOW_KEYS.every((k) => follows[k].length === 0)) return undefined;
    const sid = id ?? subscriberId(email);
    if (seen.has(sid)) return undefined;
    seen.add(sid);
    out.push({ id: sid, name, email, language, follows, editorial, line: starts[n] as number, column: (indent?.length ?? 0) + 3 });
  }
  return out;
}

/** The reader that knows where everything is: every problem with its line and column. */
export function readSubscribersPositional(file: string, text: string): { subscribers: Subscriber[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, schema: 'core', strict: true });
  const at = (node: YamlNode | null | undefined) => {
    const p = lc.linePos(node?.range?.[0] ?? 0);
    return { line: p.line, column: p.col };
  };
  const diag = (node: YamlNode | null | undefined, message: string, severity: Diagnostic['severity'] = 'error') =>
    diagnostics.push({ file, ...at(node), severity, rule: 'subscribers-schema', message });
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    diagnostics.push({ file, line: p.line, column: p.col, severity: 'error', rule: 'subscribers-yaml', message: `invalid YAML: ${(e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, '')}` });
  }
  if (doc.errors.length > 0) return { subscribers: [], diagnostics };
  const root = doc.contents;
  const list = isMap(root) ? (root.items.find((p) => isScalar(p.key) && p.key.value === 'subscribers')?.value as YamlNode | undefined) : undefined;
  if (!isSeq(list)) {
    diag(list ?? root, 'the file must be a mapping with a "subscribers" list');
    return { subscribers: [], diagnostics };
  }
  if (list.items.length > MAX_SUBSCRIBERS) {
    diag(list, `more than ${MAX_SUBSCRIBERS} subscribers in one file`);
    return { subscribers: [], diagnostics };
  }
  const subscribers: Subscriber[] = [];
  const seen = new Map<string, number>();
  const get = (m: YAMLMap, key: string) => m.items.find((p) => isScalar(p.key) && p.key.value === key);
  for (const item of list.items as YamlNode[]) {
    if (!isMap(item)) {
      diag(item, 'a subscriber must be a mapping with name, email and follows');
      continue;
    }
    for (const p of item.items) {
      const k = isScalar(p.key) ? String(p.key.value) : '';
      if (!['id', 'name', 'email', 'language', 'follows', 'editorial'].includes(k)) diag(p.key as YamlNode, `unknown key "${k}" (id, name, email, language, follows, editorial)`, 'warning');
    }
    const str = (key: string, required: boolean): string | undefined => {
      const pair = get(item, key);
      if (!pair) {
        if (required) diag(item, `missing "${key}"`);
        return undefined;
      }
      const v = isScalar(pair.value) ? pair.value.value : undefined;
      if (typeof v !== 'string' || v.trim() === '') {
        diag(pair.value as YamlNode, `"${key}" must be a non-empty string`);
        return undefined;
      }
      if (CONTROL_RE.test(v)) {
        diag(pair.value as YamlNode, `"${key}" may not contain line breaks or control characters`);
        return undefined;
      }
      if (v.length > 200) {
        diag(pair.value as YamlNode, `"${key}" is longer than 200 characters`);
        return undefined;
      }
      return v;
    };
    const name = str('name', true);
    const email = str('email', true);
    const id = str('id', false);
    const language = str('language', false) ?? 'ja';
    let ok = name !== undefined && email !== undefined;
    if (email !== undefined && !EMAIL_RE.test(email)) {
      diag(get(item, 'email')?.value as YamlNode, `"${email}" is not an e-mail address this tool will send to (local@domain, no spaces, quotes or brackets)`);
      ok = false;
    }
    if (id !== undefined && !ID_RE.test(id)) {
      diag(get(item, 'id')?.value as YamlNode, `id "${id}" may hold only letters, digits and . _ -`);
      ok = false;
    }
    if (language !== 'ja' && language !== 'en') {
      diag(get(item, 'language')?.value as YamlNode, `language "${language}": ja or en`);
      ok = false;
    }
    const editorialPair = get(item, 'editorial');
    const editorialValue = editorialPair && isScalar(editorialPair.value) ? editorialPair.value.value : false;
    if (typeof editorialValue !== 'boolean') {
      diag(editorialPair?.value as YamlNode, '"editorial" must be true or false');
      ok = false;
    }
    const follows: Follows = { instruments: [], provisions: [], rows: [], sectors: [], publications: [], layers: [] };
    const followsNode = get(item, 'follows')?.value as YamlNode | undefined;
    if (!isMap(followsNode)) {
      diag(followsNode ?? item, '"follows" must be a mapping (instruments, provisions, rows, sectors, publications, layers)');
      ok = false;
    } else {
      for (const p of followsNode.items) {
        const key = isScalar(p.key) ? String(p.key.value) : '';
        if (!(FOLLOW_KEYS as readonly string[]).includes(key)) {
          diag(p.key as YamlNode, `unknown key "${key}" in follows (${FOLLOW_KEYS.join(', ')})`);
          ok = false;
          continue;
        }
        const values = isSeq(p.value) ? (p.value.items as YamlNode[]) : [p.value as YamlNode];
        for (const v of values) {
          const s = isScalar(v) ? v.value : undefined;
          const text = typeof s === 'number' ? String(s) : s;
          if (typeof text !== 'string' || text.trim() === '' || CONTROL_RE.test(text) || text.length > 200) {
            diag(v, `each entry of follows.${key} is a non-empty string on one line`);
            ok = false;
            continue;
          }
          if (key === 'rows' && !ROW_NUMBER_RE.test(text.trim())) {
            diag(v, `row "${text}" is not a 項番 of 別表第一 (7, 3の2, 16(1))`);
            ok = false;
            continue;
          }
          if (key === 'layers' && !(LAYERS as readonly string[]).includes(text)) {
            diag(v, `layer "${text}": one of ${LAYERS.join(', ')}`);
            ok = false;
            continue;
          }
          (follows[key as keyof Follows] as string[]).push(text.trim());
        }
      }
      if (FOLLOW_KEYS.every((k) => follows[k].length === 0)) diag(followsNode, 'follows nothing: this subscriber would never get a digest', 'warning');
    }
    if (!ok || name === undefined || email === undefined) continue;
    const sid = id ?? subscriberId(email);
    const { line, column } = at(item);
    const dup = seen.get(sid);
    if (dup !== undefined) {
      diagnostics.push({ file, line, column, severity: 'error', rule: 'subscribers-duplicate', message: `${email} (id ${sid}) is already subscribed at line ${dup}` });
      continue;
    }
    seen.set(sid, line);
    subscribers.push({ id: sid, name, email, language: language as 'ja' | 'en', follows: follows as Follows & { layers: Layer[] }, editorial: editorialValue === true, line, column });
  }
  return { subscribers, diagnostics };
}
