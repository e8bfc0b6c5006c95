/**
 * Reading the publications catalogue (regulations/publications.yaml): YAML
 * as data only, validated into typed publications; every problem is a
 * diagnostic with the line and column of the offending entry.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import { PUBLICATION_KINDS, type Catalogue, type Publication, type PublicationKind, type Sector } from '../model/publication.js';
import type { Diagnostic } from '../model/types.js';
import { firstAlias } from './front-matter.js';

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ROW_RE = /^\d+(?:-\d+)*$/;

export function readCatalogue(file: string, text: string): { catalogue: Catalogue | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true, schema: 'core', strict: true });
  const at = (node: YamlNode | null | undefined) => {
    const p = lc.linePos(node?.range?.[0] ?? 0);
    return { line: p.line, column: p.col };
  };
  const diag = (node: YamlNode | null | undefined, message: string, severity: Diagnostic['severity'] = 'error') =>
    diagnostics.push({ file, ...at(node), severity, rule: 'catalogue-schema', message });
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    diagnostics.push({ file, line: p.line, column: p.col, severity: 'error', rule: 'catalogue-yaml', message: `invalid YAML: ${(e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, '')}` });
  }
  // a tag asks for a type or code the reader does not have (!!js/function would otherwise be read
  // as the plain string after it): the catalogue is plain data, as front matter is
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    const p = lc.linePos(w.pos[0]);
    diagnostics.push({ file, line: p.line, column: p.col, severity: 'error', rule: 'catalogue-yaml', message: `YAML tags are not allowed in the catalogue (${w.message.split('\n')[0] ?? w.code})` });
  }
  // nor aliases (*name): the catalogue has no use for them, and they are how a YAML bomb expands
  const alias = firstAlias(doc);
  if (alias !== undefined) {
    const p = lc.linePos(alias);
    diagnostics.push({ file, line: p.line, column: p.col, severity: 'error', rule: 'catalogue-yaml', message: 'YAML aliases (*name) are not allowed in the catalogue' });
  }
  if (diagnostics.length > 0) return { catalogue: undefined, diagnostics };
  const root = doc.contents;
  if (!isMap(root)) {
    diag(root, 'the catalogue must be a mapping with "sectors" and "publications"');
    return { catalogue: undefined, diagnostics };
  }
  const field = (m: YAMLMap, key: string) => m.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
  const str = (m: YAMLMap, key: string, required: boolean, where: YamlNode): string | undefined => {
    const pair = field(m, key);
    const v = (pair?.value as { value?: unknown } | null)?.value;
    if (pair === undefined) {
      if (required) diag(where, `missing "${key}"`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      diag(pair.value as YamlNode, `"${key}" must be a non-empty string`);
      return undefined;
    }
    return v;
  };

  const sectors: Sector[] = [];
  const sectorsNode = field(root, 'sectors')?.value as YamlNode | undefined;
  if (!isSeq(sectorsNode)) diag(sectorsNode ?? root, '"sectors" must be a list');
  else {
    for (const item of sectorsNode.items as YamlNode[]) {
      if (!isMap(item)) {
        diag(item, 'a sector must be a mapping with id and title');
        continue;
      }
      const id = str(item, 'id', true, item);
      const title = str(item, 'title', true, item);
      const titleEn = str(item, 'title_en', false, item);
      if (id !== undefined && !ID_RE.test(id)) diag(item, `sector id "${id}" must be lower-case letters, digits and "-"`);
      else if (id !== undefined && sectors.some((s) => s.id === id)) diag(item, `sector "${id}" is listed twice`);
      else if (id !== undefined && title !== undefined) sectors.push({ id, title, ...(titleEn !== undefined ? { titleEn } : {}) });
    }
  }

  const publications: Publication[] = [];
  const pubsNode = field(root, 'publications')?.value as YamlNode | undefined;
  if (!isSeq(pubsNode)) diag(pubsNode ?? root, '"publications" must be a list');
  else {
    for (const item of pubsNode.items as YamlNode[]) {
      if (!isMap(item)) {
        diag(item, 'a publication must be a mapping');
        continue;
      }
      const id = str(item, 'id', true, item);
      const kind = str(item, 'kind', true, item);
      const title = str(item, 'title', true, item);
      const sector = str(item, 'sector', true, item);
      const template = str(item, 'template', false, item);
      const rowsPair = field(item, 'rows');
      const rows: string[] = [];
      if (!rowsPair || !isSeq(rowsPair.value)) diag(rowsPair?.value as YamlNode | undefined ?? item, '"rows" must be a list of rows of 別表第一 such as "7" or "3-2"');
      else {
        for (const r of rowsPair.value.items as YamlNode[]) {
          const v = String((r as { value?: unknown }).value ?? '');
          if (!ROW_RE.test(v)) diag(r, `"${v}" is not a row number such as "7" or "3-2"`);
          else rows.push(v);
        }
      }
      let ok = id !== undefined && kind !== undefined && title !== undefined && sector !== undefined;
      if (id !== undefined && !ID_RE.test(id)) {
        diag(item, `publication id "${id}" must be lower-case letters, digits and "-"`);
        ok = false;
      }
      if (id !== undefined && publications.some((p) => p.id === id)) {
        diag(item, `publication "${id}" is listed twice`);
        ok = false;
      }
      if (kind !== undefined && !(PUBLICATION_KINDS as readonly string[]).includes(kind)) {
        diag(field(item, 'kind')?.value as YamlNode, `kind "${kind}" must be one of ${PUBLICATION_KINDS.join(', ')}`);
        ok = false;
      }
      if (sector !== undefined && sectors.length > 0 && !sectors.some((s) => s.id === sector)) {
        diag(field(item, 'sector')?.value as YamlNode, `sector "${sector}" is not in "sectors"`);
        ok = false;
      }
      if (ok) {
        publications.push({ id: id as string, kind: kind as PublicationKind, title: title as string, sector: sector as string, rows, template: template ?? (kind as string), line: at(item).line });
      }
    }
  }
  return { catalogue: { file, sectors, publications }, diagnostics };
}
