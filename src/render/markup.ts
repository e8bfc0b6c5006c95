/**
 * Document markup → document tree. Templates write a small, closed XML
 * vocabulary; this reads it strictly (saxes: a conforming parser that
 * expands no external entities) and refuses anything outside it, with the
 * line and column in the template's output and the rule broken.
 *
 *     <document id title subtitle? lang edition as-of commit subject?>
 *       <toc title depth/>  <pagebreak/>
 *       <h level id? outline? outline-level? changed?>inline</h>
 *       <p id? indent? role? outline? outline-level? changed?>inline</p>
 *       <table id? widths="2,6,1">
 *         <thead><tr>…</tr></thead>
 *         <tr id? changed? outline? outline-level?>
 *           <td indent? align?>inline <checkbox name label/> | <textfield name/></td>
 *         </tr>
 *       </table>
 *     inline: text, <b>, <ins>, <del>, <a href>, <br/>
 *
 * Whitespace that contains a line break is template layout and is dropped;
 * other spaces (and every full-width space) are text.
 */
import { SaxesParser } from 'saxes';

interface SaxesTagPlain {
  name: string;
  attributes: Record<string, unknown>;
}
import type { Block, Cell, Document, DocumentMeta, Run, TableRow } from './document.js';

export class MarkupError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly rule: string,
    message: string,
  ) {
    super(`${file}:${line}:${column} ${message} [${rule}]`);
    this.name = 'MarkupError';
  }
}

/** Links a document may carry: its own anchors, and the web and mail. No javascript:, data:, file:. */
export function isAllowedHref(href: string): boolean {
  if (href.startsWith('#')) return /^#[A-Za-z0-9._~/:-]+$/.test(href);
  return /^(https?:\/\/|mailto:)[^\s<>"'`]+$/i.test(href);
}

interface Style {
  bold?: true;
  ins?: true;
  del?: true;
  href?: string;
}

type Frame =
  | { kind: 'document' }
  | { kind: 'block'; block: Block; runs: Run[] }
  | { kind: 'table'; block: Extract<Block, { type: 'table' }>; inHead: boolean }
  | { kind: 'thead' }
  | { kind: 'tr'; row: TableRow }
  | { kind: 'td'; cell: Cell }
  | { kind: 'inline'; name: string; style: Style }
  | { kind: 'empty'; name: string };

const ID_RE = /^[A-Za-z0-9._~/:-]+$/;

export function parseMarkup(xml: string, file: string): Document {
  const parser = new SaxesParser({ fileName: file, position: true });
  const stack: Frame[] = [];
  const styles: Style[] = [{}];
  let meta: DocumentMeta | undefined;
  const blocks: Block[] = [];
  const fieldNames = new Set<string>();

  const fail = (rule: string, message: string): never => {
    throw new MarkupError(file, parser.line, parser.column + 1, rule, message);
  };
  const top = (): Frame | undefined => stack[stack.length - 1];
  const attr = (tag: SaxesTagPlain, name: string): string | undefined => {
    const v = tag.attributes[name];
    return typeof v === 'string' ? v : undefined;
  };
  const need = (tag: SaxesTagPlain, name: string): string => attr(tag, name) ?? fail('markup-missing-attribute', `<${tag.name}> needs ${name}=""`);
  const int = (tag: SaxesTagPlain, name: string, def: number, min: number, max: number): number => {
    const v = attr(tag, name);
    if (v === undefined || v === '') return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) fail('markup-bad-attribute', `<${tag.name} ${name}="${v}">: give a whole number from ${min} to ${max}`);
    return n;
  };
  const id = (tag: SaxesTagPlain): string | undefined => {
    const v = attr(tag, 'id');
    if (v === undefined || v === '') return undefined;
    if (!ID_RE.test(v)) fail('markup-bad-id', `id="${v}" may hold only letters, digits and . _ ~ / : -`);
    return v;
  };
  const flag = (tag: SaxesTagPlain, name: string): boolean => {
    const v = attr(tag, name);
    return v === 'yes' || v === 'true';
  };
  const bookmark = (tag: SaxesTagPlain, defLevel: number): { title: string; level: number } | undefined => {
    const title = attr(tag, 'outline');
    if (title === undefined) return undefined;
    return { title, level: int(tag, 'outline-level', defLevel, 1, 8) };
  };
  const addText = (text: string, runs: Run[]) => {
    if (text === '') return;
    const style = styles[styles.length - 1] ?? {};
    const last = runs[runs.length - 1];
    if (last && last.bold === style.bold && last.ins === style.ins && last.del === style.del && last.href === style.href) last.text += text;
    else runs.push({ text, ...style });
  };
  const runsOf = (f: Frame | undefined): Run[] | undefined => {
    if (f?.kind === 'block') return f.runs;
    if (f?.kind === 'td') return f.cell.runs;
    return undefined;
  };
  /** The innermost block or cell receiving text, under any inline frames. */
  const textTarget = (): Run[] | undefined => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const f = stack[i];
      if (f?.kind === 'inline') continue;
      return runsOf(f);
    }
    return undefined;
  };

  parser.on('error', (e) => {
    throw new MarkupError(file, parser.line, parser.column + 1, 'markup-not-well-formed', e.message.replace(/^[^:]*:\d+:\d+: /, ''));
  });
  parser.on('doctype', () => fail('markup-doctype', 'document markup may not have a DOCTYPE'));
  parser.on('processinginstruction', () => fail('markup-processing-instruction', 'document markup may not have processing instructions'));

  parser.on('opentag', (tag) => {
    const parent = top();
    const inBlockText = textTarget() !== undefined;
    const name = tag.name;
    if (stack.length === 0) {
      if (name !== 'document') fail('markup-unknown-element', `the root element must be <document>, not <${name}>`);
      meta = {
        id: need(tag, 'id'),
        title: need(tag, 'title'),
        lang: attr(tag, 'lang') ?? 'ja',
        edition: need(tag, 'edition'),
        asOf: need(tag, 'as-of'),
        commit: need(tag, 'commit'),
        ...(attr(tag, 'subtitle') ? { subtitle: attr(tag, 'subtitle') as string } : {}),
        ...(attr(tag, 'subject') ? { subject: attr(tag, 'subject') as string } : {}),
      };
      stack.push({ kind: 'document' });
      return;
    }
    if (inBlockText) {
      const style = { ...(styles[styles.length - 1] ?? {}) };
      switch (name) {
        case 'b':
          style.bold = true;
          break;
        case 'ins':
          style.ins = true;
          break;
        case 'del':
          style.del = true;
          break;
        case 'a': {
          const href = need(tag, 'href');
          if (!isAllowedHref(href)) fail('markup-unsafe-link', `href="${href}" is not allowed: links go to #anchors, https:, http: or mailto:`);
          style.href = href;
          break;
        }
        case 'br':
          addText('\n', textTarget() ?? []);
          stack.push({ kind: 'empty', name });
          return;
        case 'checkbox':
        case 'textfield': {
          if (parent?.kind !== 'td') fail('markup-misplaced-element', `<${name}> belongs in a <td>`);
          const td = parent as Extract<Frame, { kind: 'td' }>;
          const fieldName = need(tag, 'name');
          if (!/^[A-Za-z0-9._-]+$/.test(fieldName)) fail('markup-bad-attribute', `field name "${fieldName}" may hold only letters, digits and . _ -`);
          if (fieldNames.has(fieldName)) fail('markup-duplicate-field', `a field named "${fieldName}" is already in this document`);
          fieldNames.add(fieldName);
          td.cell.field = name === 'checkbox' ? { type: 'checkbox', name: fieldName, label: need(tag, 'label') } : { type: 'text', name: fieldName };
          stack.push({ kind: 'empty', name });
          return;
        }
        default:
          fail('markup-unknown-element', `<${name}> is not allowed in text`);
      }
      styles.push(style);
      stack.push({ kind: 'inline', name, style });
      return;
    }
    switch (parent?.kind) {
      case 'document': {
        let block: Block;
        switch (name) {
          case 'h': {
            const bm = bookmark(tag, int(tag, 'level', 1, 1, 4));
            const i = id(tag);
            block = { type: 'heading', level: int(tag, 'level', 1, 1, 4), ...(i ? { id: i } : {}), ...(bm ? { bookmark: bm } : {}), changed: flag(tag, 'changed'), runs: [] };
            break;
          }
          case 'p': {
            const role = attr(tag, 'role') ?? 'body';
            if (role !== 'body' && role !== 'note' && role !== 'quote') fail('markup-bad-attribute', `<p role="${role}">: body, note or quote`);
            const bm = bookmark(tag, 3);
            const i = id(tag);
            block = { type: 'para', ...(i ? { id: i } : {}), ...(bm ? { bookmark: bm } : {}), changed: flag(tag, 'changed'), indent: int(tag, 'indent', 0, 0, 12), role: role as 'body', runs: [] };
            break;
          }
          case 'table': {
            const widths = need(tag, 'widths').split(',').map((w) => Number(w.trim()));
            if (widths.length === 0 || widths.some((w) => !(w > 0) || !Number.isFinite(w))) fail('markup-bad-attribute', `<table widths="${attr(tag, 'widths')}">: positive numbers separated by commas`);
            const i = id(tag);
            const table = { type: 'table' as const, ...(i ? { id: i } : {}), widths, header: [], rows: [] };
            blocks.push(table);
            stack.push({ kind: 'table', block: table, inHead: false });
            return;
          }
          case 'toc':
            blocks.push({ type: 'toc', title: attr(tag, 'title') ?? '目次', depth: int(tag, 'depth', 2, 1, 8) });
            stack.push({ kind: 'empty', name });
            return;
          case 'pagebreak':
            blocks.push({ type: 'pagebreak' });
            stack.push({ kind: 'empty', name });
            return;
          default:
            return fail('markup-unknown-element', `<${name}> is not a block element (h, p, table, toc, pagebreak)`);
        }
        blocks.push(block);
        stack.push({ kind: 'block', block, runs: block.runs });
        return;
      }
      case 'table':
      case 'thead': {
        if (name === 'thead' && parent.kind === 'table') {
          stack.push({ kind: 'thead' });
          return;
        }
        if (name !== 'tr') fail('markup-unknown-element', `<${name}> is not allowed in a <table> (thead, tr)`);
        const bm = bookmark(tag, 3);
        const i = id(tag);
        const row: TableRow = { ...(i ? { id: i } : {}), changed: flag(tag, 'changed'), ...(bm ? { bookmark: bm } : {}), cells: [] };
        const table = [...stack].reverse().find((f): f is Extract<Frame, { kind: 'table' }> => f.kind === 'table');
        if (!table) return fail('markup-misplaced-element', '<tr> outside a table');
        (parent.kind === 'thead' ? table.block.header : table.block.rows).push(row);
        stack.push({ kind: 'tr', row });
        return;
      }
      case 'tr': {
        if (name !== 'td') fail('markup-unknown-element', `<${name}> is not allowed in a <tr> (td)`);
        const align = attr(tag, 'align') ?? 'left';
        if (align !== 'left' && align !== 'center') fail('markup-bad-attribute', `<td align="${align}">: left or center`);
        const cell: Cell = { runs: [], indent: int(tag, 'indent', 0, 0, 12), align: align as 'left' };
        parent.row.cells.push(cell);
        stack.push({ kind: 'td', cell });
        return;
      }
      default:
        fail('markup-unknown-element', `<${name}> is not allowed here`);
    }
  });

  parser.on('text', (text) => {
    const target = textTarget();
    if (target) {
      addText(text.replace(/[ \t\r]*\n[ \t\r\n]*/g, ''), target);
      return;
    }
    if (text.trim() !== '') fail('markup-stray-text', `text "${text.trim().slice(0, 20)}" outside a block; put it in a <p>`);
  });

  parser.on('closetag', () => {
    const f = stack.pop();
    if (f?.kind === 'inline') styles.pop();
    if (f?.kind === 'table') {
      const cols = f.block.widths.length;
      for (const r of [...f.block.header, ...f.block.rows]) {
        if (r.cells.length !== cols) fail('markup-table-shape', `a row of table ${f.block.id ?? ''} has ${r.cells.length} cells; widths gives ${cols} columns`);
      }
    }
  });

  parser.write(xml).close();
  if (!meta) throw new MarkupError(file, 1, 1, 'markup-empty', 'the template produced no <document>');
  return { meta, blocks };
}
