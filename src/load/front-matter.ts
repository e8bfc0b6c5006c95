/**
 * Our own front-matter reader: `---` YAML `---` at the top of the file, parsed
 * with the `yaml` package as data only (no custom tags, no code: gray-matter
 * runs `---js` front matter, which is why we do not use it), and validated once
 * into InstrumentMeta. Problems become positioned diagnostics.
 */
import { LineCounter, parseDocument, isMap, isScalar, visit, type Document, type Node as YamlNode, type Pair } from 'yaml';
import type { Diagnostic, InstrumentMeta, Layer } from '../model/types.js';

export interface FrontMatter {
  meta: InstrumentMeta | undefined;
  /** Where the body starts: offset in the text and 1-based line. */
  bodyOffset: number;
  bodyLine: number;
  diagnostics: Diagnostic[];
}

/** Zero-width characters, bidirectional controls, line and paragraph separators, C0/C1 controls (tab included). */
const HIDDEN_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff]/;

/** rank as written by e-Gov / legalize-jp (and by our editors) → layer. */
const RANK_LAYER: Record<string, Layer> = {
  act: 'law',
  law: 'law',
  constitution: 'law',
  cabinet_order: 'cabinet-order',
  imperial_ordinance: 'cabinet-order',
  ministerial_ordinance: 'ministerial-ordinance',
  rule: 'ministerial-ordinance',
  notice: 'notice',
  public_notice: 'notice',
  guidance: 'guidance',
};

const KNOWN_KEYS = new Set([
  'title', 'identifier', 'country', 'rank', 'publication_date', 'last_updated', 'status', 'source',
  'extra', 'aliases', 'effective',
]);
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TEXT = 'a date YYYY-MM-DD';
const IDENTIFIER_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Real front matter is under a kilobyte. The cap keeps YAML parsing bounded:
 * the yaml package checks key uniqueness pairwise, so a front matter of tens
 * of thousands of keys would take minutes.
 */
export const MAX_FRONT_MATTER_CHARS = 32 * 1024;

/** The offset of the first alias (*name) of a YAML document, or undefined: plain data (front matter, the catalogue) has none. */
export function firstAlias(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Alias(_, node) {
      found = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return found;
}

/** DATE_RE says the shape; this says the day exists (no 2024-02-30). */
function isCalendarDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function readFrontMatter(file: string, text: string): FrontMatter {
  const diagnostics: Diagnostic[] = [];
  const diag = (line: number, column: number, rule: string, message: string, severity: Diagnostic['severity'] = 'error') =>
    diagnostics.push({ file, line, column, severity, rule, message });

  if (!text.startsWith('---\n') && text !== '---') {
    diag(1, 1, 'missing-front-matter', 'an instrument file must start with YAML front matter between "---" lines');
    return { meta: undefined, bodyOffset: 0, bodyLine: 1, diagnostics };
  }
  let end = text.indexOf('\n---\n', 3);
  let bodyOffset = end + 5;
  if (end < 0 && text.endsWith('\n---')) {
    end = text.length - 4;
    bodyOffset = text.length;
  }
  if (end < 0) {
    diag(1, 1, 'unterminated-front-matter', 'front matter opened with "---" is never closed by a "---" line');
    return { meta: undefined, bodyOffset: 0, bodyLine: 1, diagnostics };
  }
  const yamlText = text.slice(4, end + 1);
  const bodyLine = text.slice(0, bodyOffset).split('\n').length;
  if (yamlText.length > MAX_FRONT_MATTER_CHARS) {
    diag(1, 1, 'front-matter-too-large', `front matter is ${yamlText.length} characters long; the limit is ${MAX_FRONT_MATTER_CHARS}`);
    return { meta: undefined, bodyOffset, bodyLine, diagnostics };
  }
  const lineCounter = new LineCounter();
  // prettyErrors would put the position inside the YAML (one line off) into the message
  const doc = parseDocument(yamlText, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    schema: 'core',
    strict: true,
  });
  // positions in the YAML text → positions in the file (front matter starts on line 2)
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + 1, column: p.col };
  };
  // one mistake often makes the yaml package report several errors at the same place
  const reported = new Set<number>();
  let yamlErrors = 0;
  // past a stack overflow the yaml package reports the unwinding at every level: one error says it
  const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  for (const e of exhausted ? [exhausted] : [...doc.errors, ...doc.warnings]) {
    if (reported.has(e.pos[0])) continue;
    reported.add(e.pos[0]);
    // yaml finds a missing closing quote at the end of the front matter; the mistake is where it opened
    const opened = e.code === 'MISSING_CHAR' && /quote/.test(e.message) ? quotedScalarEndingAt(doc, e.pos[0]) : undefined;
    const p = at(opened ?? e.pos[0]);
    // a tag asks for a type or code the reader does not have: front matter is plain data
    const isError = e.name !== 'YAMLWarning' || e.code === 'TAG_RESOLVE_FAILED';
    const message =
      e.code === 'RESOURCE_EXHAUSTION'
        ? 'front matter is nested too deeply to read'
        : e.code === 'TAG_RESOLVE_FAILED'
          ? `YAML tags are not allowed in front matter (${e.message})`
          : `invalid YAML: ${e.message.split('\n')[0] ?? e.code}${opened !== undefined ? ' for the string that starts here' : ''}`;
    if (isError) yamlErrors++;
    diag(p.line, p.column, 'front-matter-yaml', message, isError ? 'error' : 'warning');
  }
  if (yamlErrors > 0) return { meta: undefined, bodyOffset, bodyLine, diagnostics };
  // front matter has no use for aliases, and they are how a YAML bomb expands
  const alias = firstAlias(doc);
  if (alias !== undefined) {
    const p = at(alias);
    diag(p.line, p.column, 'front-matter-yaml', 'YAML aliases (*name) are not allowed in front matter');
    return { meta: undefined, bodyOffset, bodyLine, diagnostics };
  }

  const root = doc.contents;
  if (!isMap(root)) {
    diag(2, 1, 'front-matter-schema', 'front matter must be a YAML mapping of keys to values');
    return { meta: undefined, bodyOffset, bodyLine, diagnostics };
  }
  const pairAt = (pair: Pair<unknown, unknown>) => at((pair.key as YamlNode | undefined)?.range?.[0] ?? 0);
  const fields = new Map<string, { value: unknown; pair: Pair<unknown, unknown> }>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) {
      const p = pairAt(pair);
      diag(p.line, p.column, 'front-matter-schema', 'front matter keys must be plain strings');
      continue;
    }
    if (!KNOWN_KEYS.has(key)) {
      const p = pairAt(pair);
      diag(p.line, p.column, 'front-matter-unknown-key', `unknown front matter key "${key}" is ignored`, 'warning');
    }
    fields.set(key, { value: valueOf(pair.value), pair });
  }
  const where = (key: string) => {
    const f = fields.get(key);
    return f ? pairAt(f.pair) : { line: 2, column: 1 };
  };
  const str = (key: string, required: boolean, valid?: (s: string) => boolean, validText?: string): string | undefined => {
    const f = fields.get(key);
    if (!f) {
      if (required) diag(2, 1, 'front-matter-schema', `front matter lacks the required key "${key}"`);
      return undefined;
    }
    const s = stringOf(f.pair.value, f.value);
    if (s === undefined) {
      const p = where(key);
      diag(p.line, p.column, 'front-matter-schema', f.value === null ? `"${key}" has no value` : `"${key}" must be a string`);
      return undefined;
    }
    if (valid && !valid(s)) {
      const p = where(key);
      diag(p.line, p.column, 'front-matter-schema', `"${key}" must be ${validText ?? 'valid'}, not "${s}"`);
      return undefined;
    }
    const hidden = HIDDEN_CHARACTER.exec(s);
    if (hidden) {
      const p = where(key);
      diag(p.line, p.column, 'front-matter-schema', `"${key}" contains U+${(hidden[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}, an invisible, control or bidirectional character: metadata is shown in titles, file names and mail headers`);
      return undefined;
    }
    return s;
  };

  const identifier = str('identifier', true, (s) => IDENTIFIER_RE.test(s), 'letters, digits, "-" or "_" (an e-Gov law id such as 324CO0000000378)');
  const title = str('title', true);
  const rank = str('rank', true);
  let layer: Layer | undefined;
  if (rank !== undefined) {
    layer = RANK_LAYER[rank];
    if (!layer) {
      const p = where('rank');
      diag(p.line, p.column, 'front-matter-schema', `unknown rank "${rank}"; expected one of ${Object.keys(RANK_LAYER).join(', ')}`);
    }
  }
  const dateOf = (key: string) => str(key, false, isCalendarDate, DATE_TEXT);
  const publicationDate = dateOf('publication_date');
  const lastUpdated = dateOf('last_updated');
  const effective = dateOf('effective');
  const status = str('status', false);
  const source = str('source', false);
  const country = str('country', false);

  let lawNum: string | undefined;
  let enforcedAt: string | undefined;
  let abbrev: string | undefined;
  const extra = fields.get('extra');
  if (extra) {
    const v = extra.value;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      const p = where('extra');
      diag(p.line, p.column, 'front-matter-schema', '"extra" must be a mapping');
    } else {
      const e = v as Record<string, unknown>;
      const extraPairs = isMap(extra.pair.value) ? extra.pair.value.items : [];
      // point at the nested key, not at "extra": the mistake is on that line
      const nestedAt = (k: string) => {
        const pair = extraPairs.find((it) => isScalar(it.key) && it.key.value === k);
        return pair ? pairAt(pair) : where('extra');
      };
      const s = (k: string, date = false) => {
        const x = e[k];
        if (x === undefined || x === null) return undefined;
        if (typeof x !== 'string' || (date && !isCalendarDate(x))) {
          const p = nestedAt(k);
          const shown = typeof x === 'string' ? `, not "${x}"` : '';
          diag(p.line, p.column, 'front-matter-schema', `"extra.${k}" must be ${date ? DATE_TEXT : 'a string'}${shown}`);
          return undefined;
        }
        return x;
      };
      lawNum = s('law_num');
      enforcedAt = s('enforced_at', true);
      abbrev = s('abbrev');
    }
  }
  const aliases: string[] = [];
  const al = fields.get('aliases');
  if (al) {
    if (!Array.isArray(al.value) || !al.value.every((x) => typeof x === 'string' && x.length > 0 && !x.includes('/') && !HIDDEN_CHARACTER.test(x))) {
      const p = where('aliases');
      diag(p.line, p.column, 'front-matter-schema', '"aliases" must be a list of names without "/" and without invisible, control or bidirectional characters');
    } else aliases.push(...(al.value as string[]));
  }
  if (abbrev !== undefined) aliases.push(abbrev);

  if (identifier === undefined || title === undefined || rank === undefined || layer === undefined) {
    return { meta: undefined, bodyOffset, bodyLine, diagnostics };
  }
  const meta: InstrumentMeta = { identifier, title, rank, layer, aliases };
  if (lawNum !== undefined) meta.lawNum = lawNum;
  if (abbrev !== undefined) meta.abbrev = abbrev;
  if (enforcedAt !== undefined) meta.enforcedAt = enforcedAt;
  if (effective !== undefined) meta.effective = effective;
  if (publicationDate !== undefined) meta.publicationDate = publicationDate;
  if (lastUpdated !== undefined) meta.lastUpdated = lastUpdated;
  if (status !== undefined) meta.status = status;
  if (source !== undefined) meta.source = source;
  if (country !== undefined) meta.country = country;
  return { meta, bodyOffset, bodyLine, diagnostics };
}

function quotedScalarEndingAt(doc: Document.Parsed, end: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_, node) {
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range?.[1] === end) {
        start = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return start;
}

function valueOf(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  return (node as YamlNode | null)?.toJSON?.() ?? null;
}

/**
 * A scalar as the string it is written as: YAML reads `identifier: 0123`
 * as the number 123, and the leading zero is part of the id.
 */
function stringOf(node: unknown, value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number') return undefined;
  return isScalar(node) && typeof node.source === 'string' && node.source !== '' ? node.source : String(value);
}
