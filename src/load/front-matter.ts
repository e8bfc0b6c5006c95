/**
 * Our own front-matter reader: `---` YAML `---` at the top of the file, parsed
 * with the `yaml` package as data only (no custom tags, no code: gray-matter
 * runs `---js` front matter, which is why we do not use it), and validated once
 * into InstrumentMeta. Problems become positioned diagnostics.
 */
import { LineCounter, parseDocument, isMap, isScalar, visit, type Node as YamlNode, type Pair } from 'yaml';
import type { Diagnostic, InstrumentMeta, Layer } from '../model/types.js';

export interface FrontMatter {
  meta: InstrumentMeta | undefined;
  /** Where the body starts: offset in the text and 1-based line. */
  bodyOffset: number;
  bodyLine: number;
  diagnostics: Diagnostic[];
}

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
const IDENTIFIER_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

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
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    schema: 'core',
    strict: true,
  });
  // positions in the YAML text → positions in the file (front matter starts on line 2)
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + 1, column: p.col };
  };
  for (const e of [...doc.errors, ...doc.warnings]) {
    const p = at(e.pos[0]);
    const severity = e.name === 'YAMLWarning' ? 'warning' : 'error';
    diag(p.line, p.column, 'front-matter-yaml', `invalid YAML: ${e.message.split('\n')[0] ?? e.code}`, severity);
  }
  if (doc.errors.length > 0) return { meta: undefined, bodyOffset, bodyLine, diagnostics };
  let yamlAliases = 0;
  visit(doc, {
    Alias(_, node) {
      if (yamlAliases++ === 0) {
        const p = at(node.range?.[0] ?? 0);
        diag(p.line, p.column, 'front-matter-yaml', 'YAML aliases (*name) are not allowed in front matter');
      }
      return visit.BREAK;
    },
  });
  // front matter has no use for aliases, and they are how a YAML bomb expands
  if (yamlAliases > 0) return { meta: undefined, bodyOffset, bodyLine, diagnostics };

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
    fields.set(key, { value: (pair.value as YamlNode | null)?.toJSON?.() ?? (isScalar(pair.value) ? pair.value.value : null), pair });
  }
  const where = (key: string) => {
    const f = fields.get(key);
    return f ? pairAt(f.pair) : { line: 2, column: 1 };
  };
  const str = (key: string, required: boolean, pattern?: RegExp, patternText?: string): string | undefined => {
    const f = fields.get(key);
    if (!f) {
      if (required) diag(2, 1, 'front-matter-schema', `front matter lacks the required key "${key}"`);
      return undefined;
    }
    const v = f.value;
    if (typeof v !== 'string' && typeof v !== 'number') {
      const p = where(key);
      diag(p.line, p.column, 'front-matter-schema', `"${key}" must be a string`);
      return undefined;
    }
    const s = String(v);
    if (pattern && !pattern.test(s)) {
      const p = where(key);
      diag(p.line, p.column, 'front-matter-schema', `"${key}" must be ${patternText ?? pattern.source}, not "${s}"`);
      return undefined;
    }
    return s;
  };

  const identifier = str('identifier', true, IDENTIFIER_RE, 'letters, digits, "-" or "_" (an e-Gov law id such as 324CO0000000378)');
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
  const dateOf = (key: string) => str(key, false, DATE_RE, 'a date YYYY-MM-DD');
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
      const p = where('extra');
      const s = (k: string, pattern?: RegExp) => {
        const x = e[k];
        if (x === undefined || x === null) return undefined;
        if (typeof x !== 'string' || (pattern && !pattern.test(x))) {
          diag(p.line, p.column, 'front-matter-schema', `"extra.${k}" must be ${pattern ? 'a date YYYY-MM-DD' : 'a string'}`);
          return undefined;
        }
        return x;
      };
      lawNum = s('law_num');
      enforcedAt = s('enforced_at', DATE_RE);
      abbrev = s('abbrev');
    }
  }
  const aliases: string[] = [];
  const al = fields.get('aliases');
  if (al) {
    if (!Array.isArray(al.value) || !al.value.every((x) => typeof x === 'string' && x.length > 0 && !x.includes('/'))) {
      const p = where('aliases');
      diag(p.line, p.column, 'front-matter-schema', '"aliases" must be a list of names without "/"');
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
