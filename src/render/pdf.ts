/**
 * The PDF renderer: a document tree laid out on A4 pages with pdfkit.
 *
 * pdfkit only draws here. Lines are broken by linebreak.ts (Japanese
 * 禁則処理, which pdfkit's wrapper does not know, and much faster on long
 * text) and every line, or the part of a line in one style, is drawn with
 * one call at a position computed here. Character widths are measured once
 * per font and character.
 *
 * One pass lays out the blocks page by page; what is only known at the end
 * is drawn then, into buffered pages: the running header and footer (the
 * page count) and the table of contents (the pages its entries point at,
 * in lines reserved where the TOC stands — one line per entry, so the
 * reservation is exact before anything after it is laid out).
 *
 * The bytes depend on the document and the options only: pdfkit derives
 * the file ID from the info dictionary (whose dates come from the caller)
 * and the font subset tags from the font's resource name.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import PDFDocument from 'pdfkit';
import type { Block, Bookmark, Cell, Document, Heading, Para, Run, Table, TableRow, Toc } from './document.js';
import { documentAnchors } from './document.js';
import { checkFontPin } from './fonts.js';
import { breakLines, type LineBox } from './linebreak.js';

export interface RenderPdfOptions {
  fonts: { regular: string; bold: string };
  /** Written as both creation and modification date: the same date gives the same bytes. */
  creationDate: Date;
  pageSize?: 'A4';
}

export interface RenderedPdf {
  bytes: Uint8Array;
  pages: number;
}

// ---------------------------------------------------------------------------
// Page and type

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
/** The left margin leaves room for change bars outside the text. */
const LEFT = 64;
const RIGHT = PAGE_WIDTH - 50;
const TOP = 56;
const BOTTOM = PAGE_HEIGHT - 56;
const TEXT_WIDTH = RIGHT - LEFT;

const BAR_X = LEFT - 12;
const BAR_WIDTH = 2;
const BAR_COLOR = '#222222';

const INS_COLOR = '#1f4fb3';
const DEL_COLOR = '#b3261e';
const LINK_COLOR = '#155e75';
const GREY = '#555555';
/** Underline and strike-through: drawn, not a colour, so that they survive black-and-white print. */
const DECORATION = 0.6;
/** The widest spacing between characters justification adds, in em. */
const MAX_JUSTIFICATION = 0.25;

/**
 * CJK fonts put the ideographic em box from −0.12 em to 0.88 em around the
 * baseline: centring that box in the line box centres the text.
 */
const EM_BOX_ASCENT = 0.88;

interface TextStyle {
  size: number;
  /** Line height in points. */
  leading: number;
  color: string;
  bold: boolean;
}

function style(size: number, lineHeight: number, extra: Partial<TextStyle> = {}): TextStyle {
  return { size, leading: size * lineHeight, color: '#000000', bold: false, ...extra };
}

const BODY = style(9.5, 1.6);
const NOTE = style(8.5, 1.6, { color: GREY });
const HEADINGS = [style(16, 1.4, { bold: true }), style(13, 1.45, { bold: true }), style(11, 1.5, { bold: true }), style(10, 1.5, { bold: true })];
const HEADING_SPACE_BEFORE = [18, 14, 10, 8];
const HEADING_SPACE_AFTER = 4;
const PARA_SPACE_BEFORE = 3;
const QUOTE_INDENT = 2;
const CELL = style(9, 1.5);
const CELL_HEADER = style(9, 1.5, { bold: true });
const CELL_PAD_X = 4;
const CELL_PAD_Y = 3;
const TABLE_SPACE_BEFORE = 6;
const HEADER_FILL = '#e6e6e6';
const BORDER = '#707070';
const TOC_TITLE = style(14, 1.5, { bold: true });
const TOC_SPACE_BEFORE = 18;
const TOC_ENTRY = style(9.5, 1.75);
const TOC_ENTRY_TOP = style(9.5, 1.75, { bold: true });
const RUNNING = style(7.5, 1.2, { color: GREY });

const FONT_KEY = { regular: 'regpress-regular', bold: 'regpress-bold' } as const;
type FontName = keyof typeof FONT_KEY;
/** Form fields start empty: their default appearance uses standard fonts, which every viewer has (a subset of the Japanese font has no glyphs for what a reader types). */
const FIELD_FONT = 'Helvetica';
const CHECK_FONT = 'ZapfDingbats';

// ---------------------------------------------------------------------------
// Layout state

type Target = Heading | Para | TableRow;

interface Place {
  /** 0-based. */
  page: number;
  y: number;
}

type LinkTarget = { kind: 'internal'; id: string } | { kind: 'external'; url: string };

interface TocPlan {
  entries: { target: Target; bookmark: Bookmark; id?: string }[];
  slots: Place[];
}

interface OutlineItem {
  addItem(title: string): OutlineItem;
}

interface Press {
  doc: PDFKit.PDFDocument;
  /** What the page's content stream has set: skips redundant font and colour operators. */
  pen: { font: string; size: number; fill: string };
  widths: Map<string, Map<string, number>>;
  links: Map<Run, LinkTarget>;
  page: number;
  y: number;
  /** Where content starts on the current page (below a repeated table header). */
  pageTop: number;
  /** Draws what every page of the current block starts with: a table's header rows. */
  onNewPage: (() => void) | undefined;
  outline: { level: number; item: OutlineItem }[];
  placed: Map<Target, Place>;
  tocs: TocPlan[];
  /** The page dictionaries, for destinations on pages other than the current one. */
  pageRefs: unknown[];
  formReady: boolean;
}

function newPage(p: Press): void {
  p.doc.addPage();
  p.page++;
  p.pageRefs.push(p.doc.page.dictionary);
  p.pen.fill = '';
  p.y = TOP;
  p.pageTop = TOP;
  if (p.onNewPage) {
    p.onNewPage();
    p.pageTop = p.y;
  }
}

function atPageTop(p: Press): boolean {
  return p.y <= p.pageTop + 0.01;
}

/** Starts a new page unless `height` fits below the cursor or the page is still empty. */
function ensure(p: Press, height: number): void {
  if (p.y + height > BOTTOM + 0.01 && !atPageTop(p)) newPage(p);
}

function setFont(p: Press, font: string, size: number): void {
  if (p.pen.font !== font || p.pen.size !== size) {
    p.doc.font(font, size);
    p.pen.font = font;
    p.pen.size = size;
  }
}

function setFill(p: Press, color: string): void {
  if (p.pen.fill !== color) {
    p.doc.fillColor(color);
    p.pen.fill = color;
  }
}

/** Width of `ch` in `font` at 1 pt, measured once. */
function emWidth(p: Press, font: FontName, ch: string): number {
  const key = FONT_KEY[font];
  let cache = p.widths.get(key);
  if (cache === undefined) p.widths.set(key, (cache = new Map()));
  let w = cache.get(ch);
  if (w === undefined) {
    setFont(p, key, 1000);
    w = p.doc.widthOfString(ch) / 1000;
    cache.set(ch, w);
  }
  return w;
}

function fontOf(run: Run, st: TextStyle): FontName {
  return run.bold || st.bold ? 'bold' : 'regular';
}

function layoutRuns(p: Press, runs: readonly Run[], st: TextStyle, width: number): LineBox[] {
  return breakLines(runs, (ch, i) => emWidth(p, fontOf(runs[i] as Run, st), ch) * st.size, width);
}

function textWidth(p: Press, text: string, font: FontName, size: number): number {
  let w = 0;
  for (const ch of text) w += emWidth(p, font, ch) * size;
  return w;
}

/** `text` cut to fit `width`, ending in … where cut. */
function truncate(p: Press, text: string, font: FontName, size: number, width: number): string {
  if (textWidth(p, text, font, size) <= width) return text;
  const room = width - textWidth(p, '…', font, size);
  let out = '';
  let w = 0;
  for (const ch of text) {
    w += emWidth(p, font, ch) * size;
    if (w > room) break;
    out += ch;
  }
  return out + '…';
}

// ---------------------------------------------------------------------------
// Drawing

/**
 * The spacing between characters that sets `line` flush with both edges
 * of `width` (両端揃え, as Japanese text is set), or 0 where that would space
 * the characters visibly apart (a long Latin word pushed to the next line).
 */
function justification(line: LineBox, width: number, st: TextStyle): number {
  if (line.hard) return 0;
  let chars = 0;
  for (const s of line.slices) chars += s.chars;
  const spacing = (width - line.width) / (chars - 1);
  return chars > 1 && spacing > 0 && spacing <= MAX_JUSTIFICATION * st.size ? spacing : 0;
}

/** A line of runs with its line box's top at `top`, its characters `spacing` further apart than measured. */
function drawLine(p: Press, line: LineBox, runs: readonly Run[], st: TextStyle, x: number, top: number, spacing = 0): void {
  const baseline = top + (st.leading - st.size) / 2 + EM_BOX_ASCENT * st.size;
  let before = 0;
  line.slices.forEach((s, i) => {
    const run = runs[s.run] as Run;
    const link = p.links.get(run);
    setFont(p, FONT_KEY[fontOf(run, st)], st.size);
    setFill(p, run.del ? DEL_COLOR : run.ins ? INS_COLOR : link ? LINK_COLOR : st.color);
    const sx = x + s.x + before * spacing;
    // the spacing after the line's last character is not part of the line
    const width = s.width + (s.chars - (i === line.slices.length - 1 ? 1 : 0)) * spacing;
    before += s.chars;
    p.doc.text(s.text, sx, baseline, spacing > 0 ? { lineBreak: false, baseline: 'alphabetic', characterSpacing: spacing } : { lineBreak: false, baseline: 'alphabetic' });
    if (run.ins) p.doc.rect(sx, baseline + 0.13 * st.size, width, DECORATION).fill();
    if (run.del) p.doc.rect(sx, baseline - 0.35 * st.size, width, DECORATION).fill();
    if (link?.kind === 'internal') p.doc.goTo(sx, top, width, st.leading, link.id);
    else if (link?.kind === 'external') p.doc.link(sx, top, width, st.leading, link.url);
  });
}

/** One piece of text on its own, in one style: headers, footers, TOC entries. */
function drawText(p: Press, text: string, font: FontName, st: TextStyle, x: number, top: number): void {
  setFont(p, FONT_KEY[font], st.size);
  setFill(p, st.color);
  p.doc.text(text, x, top + (st.leading - st.size) / 2 + EM_BOX_ASCENT * st.size, { lineBreak: false, baseline: 'alphabetic' });
}

function changeBar(p: Press, top: number, bottom: number): void {
  if (bottom <= top) return;
  setFill(p, BAR_COLOR);
  p.doc.rect(BAR_X, top, BAR_WIDTH, bottom - top).fill();
}

/** The landing place of an id and a bookmark: a named destination, an outline item, and where the TOC points. */
function mark(p: Press, y: number, id: string | undefined, bookmark: Bookmark | undefined, target: Target | undefined): void {
  const top = Math.max(TOP, y - 4);
  if (id !== undefined) p.doc.addNamedDestination(id, 'XYZ', null, top, null);
  if (bookmark !== undefined) addOutline(p, bookmark, top);
  if (target !== undefined) p.placed.set(target, { page: p.page, y: top });
}

/** The fields of pdfkit's outline items that say where they point (pdfkit would point at the whole page). */
interface OutlineInternals {
  outlineData?: Record<string, unknown>;
}

function outlineData(item: unknown): Record<string, unknown> {
  const data = (item as OutlineInternals).outlineData;
  if (typeof data !== 'object') throw new Error('pdfkit outline items have no outlineData: pdfkit changed, see pdf.ts');
  return data;
}

function addOutline(p: Press, bookmark: Bookmark, top: number): void {
  while ((p.outline.at(-1)?.level ?? 0) >= bookmark.level) p.outline.pop();
  const parent: OutlineItem = p.outline.at(-1)?.item ?? p.doc.outline;
  const item = parent.addItem(bookmark.title);
  outlineData(item).Dest = [p.doc.page.dictionary, 'XYZ', null, PAGE_HEIGHT - top, null];
  p.outline.push({ level: bookmark.level, item });
}

/**
 * Sets lines down the page, breaking pages between lines; a change bar
 * beside them on every page they reach. All but the last line are
 * justified to `justify` where that is given.
 */
function placeLines(p: Press, lines: readonly LineBox[], runs: readonly Run[], st: TextStyle, x: number, changed: boolean, justify?: number): void {
  let barTop = p.y;
  for (const [i, line] of lines.entries()) {
    if (p.y + st.leading > BOTTOM + 0.01 && !atPageTop(p)) {
      if (changed) changeBar(p, barTop, p.y);
      newPage(p);
      barTop = p.y;
    }
    drawLine(p, line, runs, st, x, p.y, justify !== undefined && i < lines.length - 1 ? justification(line, justify, st) : 0);
    p.y += st.leading;
  }
  if (changed) changeBar(p, barTop, p.y);
}

// ---------------------------------------------------------------------------
// Blocks

interface TextBlockLayout {
  st: TextStyle;
  x: number;
  lines: LineBox[];
  /** The width running text is justified to; headings are set ragged. */
  justify?: number;
  spaceBefore: number;
  spaceAfter: number;
}

function textBlockLayout(p: Press, b: Heading | Para, memo: Map<Block, TextBlockLayout>): TextBlockLayout {
  const cached = memo.get(b);
  if (cached) return cached;
  let out: TextBlockLayout;
  if (b.type === 'heading') {
    const i = Math.min(Math.max(b.level, 1), HEADINGS.length) - 1;
    const st = HEADINGS[i] as TextStyle;
    out = { st, x: LEFT, lines: layoutRuns(p, b.runs, st, TEXT_WIDTH), spaceBefore: HEADING_SPACE_BEFORE[i] ?? 0, spaceAfter: HEADING_SPACE_AFTER };
  } else {
    const st = b.role === 'note' ? NOTE : BODY;
    const indent = (b.indent + (b.role === 'quote' ? QUOTE_INDENT : 0)) * st.size;
    out = { st, x: LEFT + indent, lines: layoutRuns(p, b.runs, st, TEXT_WIDTH - indent), justify: TEXT_WIDTH - indent, spaceBefore: PARA_SPACE_BEFORE, spaceAfter: 0 };
  }
  memo.set(b, out);
  return out;
}

/** Height of what a heading must share its page with: the first two lines of the next block. */
function leadHeight(p: Press, b: Block | undefined, memo: Map<Block, TextBlockLayout>): number {
  if (b === undefined) return 0;
  switch (b.type) {
    case 'heading':
    case 'para': {
      const l = textBlockLayout(p, b, memo);
      return l.spaceBefore + Math.min(2, l.lines.length) * l.st.leading;
    }
    case 'table': {
      const rows = [...b.header, ...b.rows.slice(0, 1)].map((r, i) => layoutRow(p, b, r, i < b.header.length));
      return TABLE_SPACE_BEFORE + rows.reduce((h, r) => h + rowHeight(Math.min(r.slots, r.header ? r.slots : 2)), 0);
    }
    case 'toc':
      return TOC_TITLE.leading + 2 * TOC_ENTRY.leading;
    case 'pagebreak':
      return 0;
  }
}

function placeTextBlock(p: Press, b: Heading | Para, next: Block | undefined, memo: Map<Block, TextBlockLayout>): void {
  const l = textBlockLayout(p, b, memo);
  if (b.type === 'heading') {
    // a heading stays with the start of what follows it
    ensure(p, l.spaceBefore + l.lines.length * l.st.leading + l.spaceAfter + leadHeight(p, next, memo));
  } else {
    ensure(p, l.spaceBefore + Math.min(1, l.lines.length) * l.st.leading);
  }
  if (!atPageTop(p)) p.y += l.spaceBefore;
  mark(p, p.y, b.id, b.bookmark, b.bookmark ? b : undefined);
  placeLines(p, l.lines, b.runs, l.st, l.x, b.changed, l.justify);
  p.y += l.spaceAfter;
}

// ---------------------------------------------------------------------------
// Tables

interface CellLayout {
  cell: Cell;
  x: number;
  width: number;
  lines: LineBox[];
  /** The line slot the field takes, or −1. */
  fieldSlot: number;
}

interface RowLayout {
  row: TableRow;
  header: boolean;
  st: TextStyle;
  cells: CellLayout[];
  /** Lines of the tallest cell. */
  slots: number;
}

function columns(t: Table): { x: number; width: number }[] {
  const total = t.widths.reduce((a, b) => a + b, 0);
  let x = LEFT;
  return t.widths.map((w) => {
    const width = (TEXT_WIDTH * w) / total;
    const col = { x, width };
    x += width;
    return col;
  });
}

function layoutRow(p: Press, t: Table, row: TableRow, header: boolean): RowLayout {
  const st = header ? CELL_HEADER : CELL;
  const cols = columns(t);
  const cells = row.cells.map((cell, i): CellLayout => {
    const col = cols[i] ?? { x: RIGHT, width: 0 }; // never: checkTables
    const indent = cell.indent * st.size;
    const lines = layoutRuns(p, cell.runs, st, Math.max(col.width - 2 * CELL_PAD_X - indent, st.size));
    return { cell, x: col.x, width: col.width, lines, fieldSlot: cell.field ? lines.length : -1 };
  });
  const slots = Math.max(1, ...cells.map((c) => c.lines.length + (c.fieldSlot >= 0 ? 1 : 0)));
  return { row, header, st, cells, slots };
}

function rowHeight(slots: number): number {
  return slots * CELL.leading + 2 * CELL_PAD_Y;
}

/** Lines [from, to) of a row, as one box at the cursor. */
function drawRowPart(p: Press, r: RowLayout, from: number, to: number, bar: boolean): void {
  const top = p.y;
  const height = rowHeight(to - from);
  const { st } = r;
  if (r.header) {
    setFill(p, HEADER_FILL);
    p.doc.rect(LEFT, top, TEXT_WIDTH, height).fill();
  }
  for (const c of r.cells) {
    const indent = c.cell.indent * st.size;
    const inner = c.width - 2 * CELL_PAD_X - indent;
    const x = c.x + CELL_PAD_X + indent;
    for (let k = from; k < Math.min(to, c.lines.length); k++) {
      const line = c.lines[k] as LineBox;
      const lineTop = top + CELL_PAD_Y + (k - from) * st.leading;
      if (c.cell.align === 'center') drawLine(p, line, c.cell.runs, st, x + (inner - line.width) / 2, lineTop);
      else drawLine(p, line, c.cell.runs, st, x, lineTop, k < c.lines.length - 1 ? justification(line, inner, st) : 0);
    }
    if (c.fieldSlot >= from && c.fieldSlot < to) {
      const slotTop = top + CELL_PAD_Y + (c.fieldSlot - from) * st.leading;
      // a text field alone in its cell fills the cell
      const fieldHeight = c.lines.length === 0 ? height - 2 * CELL_PAD_Y : st.leading;
      drawField(p, c, x, inner, slotTop, fieldHeight, st);
    }
  }
  p.doc.lineWidth(0.5).strokeColor(BORDER);
  for (const c of r.cells) p.doc.rect(c.x, top, c.width, height);
  p.doc.stroke();
  if (bar) changeBar(p, top, top + height);
  p.y = top + height;
}

function ensureForm(p: Press): void {
  if (p.formReady) return;
  setFont(p, FIELD_FONT, BODY.size);
  p.doc.initForm();
  p.formReady = true;
}

function drawField(p: Press, c: CellLayout, x: number, width: number, top: number, height: number, st: TextStyle): void {
  const field = c.cell.field;
  if (!field) return;
  ensureForm(p);
  if (field.type === 'checkbox') {
    const box = st.size * 0.95;
    const label = field.label;
    const total = box + (label ? 0.3 * st.size + textWidth(p, label, 'regular', st.size) : 0);
    const bx = c.cell.align === 'center' ? x + (width - total) / 2 : x;
    const by = top + (st.leading - box) / 2;
    p.doc.lineWidth(0.6).strokeColor('#000000').rect(bx, by, box, box).stroke();
    setFont(p, CHECK_FONT, st.size);
    p.doc.formCheckbox(field.name, bx, by, box, box, { label: '4' });
    if (label) drawText(p, label, 'regular', st, bx + box + 0.3 * st.size, top);
  } else {
    p.doc.lineWidth(0.4).strokeColor('#9a9a9a').rect(x, top + 1, width, height - 2).stroke();
    setFont(p, FIELD_FONT, st.size);
    p.doc.formText(field.name, x, top + 1, width, height - 2, {});
  }
}

function drawHeaderRows(p: Press, rows: readonly RowLayout[], first: boolean): void {
  for (const r of rows) {
    if (first) mark(p, p.y, r.row.id, r.row.bookmark, r.row.bookmark ? r.row : undefined);
    drawRowPart(p, r, 0, r.slots, first && r.row.changed);
  }
}

/** Rows of this many lines or fewer move to the next page whole rather than split. */
const KEEP_ROW_LINES = 3;

function placeTable(p: Press, t: Table): void {
  const header = t.header.map((r) => layoutRow(p, t, r, true));
  const headerHeight = header.reduce((h, r) => h + rowHeight(r.slots), 0);
  const first = t.rows[0] ? layoutRow(p, t, t.rows[0], false) : undefined;
  ensure(p, TABLE_SPACE_BEFORE + headerHeight + rowHeight(Math.min(first?.slots ?? 0, 2)));
  if (!atPageTop(p)) p.y += TABLE_SPACE_BEFORE;
  if (t.id !== undefined) mark(p, p.y, t.id, undefined, undefined);
  drawHeaderRows(p, header, true);
  p.onNewPage = () => drawHeaderRows(p, header, false);
  try {
    t.rows.forEach((row, i) => {
      const r = i === 0 && first ? first : layoutRow(p, t, row, false);
      let from = 0;
      while (from < r.slots) {
        const fit = Math.floor((BOTTOM - p.y - 2 * CELL_PAD_Y + 0.01) / CELL.leading);
        const left = r.slots - from;
        let take: number;
        if (left <= fit) take = left;
        else if (atPageTop(p)) take = Math.max(1, fit);
        else if (fit < 2 || (from === 0 && left <= KEEP_ROW_LINES)) {
          newPage(p);
          continue;
        } else take = left - fit === 1 && fit >= 3 ? fit - 1 : fit;
        if (from === 0) mark(p, p.y, row.id, row.bookmark, row.bookmark ? row : undefined);
        drawRowPart(p, r, from, from + take, row.changed);
        from += take;
        if (from < r.slots) newPage(p);
      }
    });
  } finally {
    p.onNewPage = undefined;
  }
}

// ---------------------------------------------------------------------------
// Table of contents

function tocEntries(doc: Document, depth: number): TocPlan['entries'] {
  const out: TocPlan['entries'] = [];
  const add = (target: Target): void => {
    if (target.bookmark && target.bookmark.level <= depth) out.push({ target, bookmark: target.bookmark, ...(target.id !== undefined ? { id: target.id } : {}) });
  };
  for (const b of doc.blocks) {
    if (b.type === 'heading' || b.type === 'para') add(b);
    if (b.type === 'table') for (const r of [...b.header, ...b.rows]) add(r);
  }
  return out;
}

/** Draws the title and reserves one line per entry; the entries are drawn once every page number is known. */
function placeToc(p: Press, toc: Toc, doc: Document): void {
  const entries = tocEntries(doc, toc.depth);
  ensure(p, TOC_SPACE_BEFORE + TOC_TITLE.leading + HEADING_SPACE_AFTER + Math.min(2, entries.length) * TOC_ENTRY.leading);
  if (!atPageTop(p)) p.y += TOC_SPACE_BEFORE;
  drawText(p, toc.title, 'bold', TOC_TITLE, LEFT, p.y);
  p.y += TOC_TITLE.leading + HEADING_SPACE_AFTER;
  const slots: Place[] = [];
  for (let i = 0; i < entries.length; i++) {
    ensure(p, TOC_ENTRY.leading);
    slots.push({ page: p.page, y: p.y });
    p.y += TOC_ENTRY.leading;
  }
  p.tocs.push({ entries, slots });
}

function drawToc(p: Press, plan: TocPlan): void {
  plan.entries.forEach((e, i) => {
    const slot = plan.slots[i];
    const place = p.placed.get(e.target);
    if (!slot || !place) return;
    switchPage(p, slot.page);
    const st = e.bookmark.level <= 1 ? TOC_ENTRY_TOP : TOC_ENTRY;
    const font: FontName = st.bold ? 'bold' : 'regular';
    const x = LEFT + (Math.max(e.bookmark.level, 1) - 1) * st.size;
    const num = String(place.page + 1);
    const numWidth = textWidth(p, num, 'regular', st.size);
    const title = truncate(p, e.bookmark.title, font, st.size, RIGHT - x - numWidth - 3 * st.size);
    const titleWidth = textWidth(p, title, font, st.size);
    drawText(p, title, font, st, x, slot.y);
    drawText(p, num, 'regular', { ...st, bold: false }, RIGHT - numWidth, slot.y);
    // dotted leader on the baseline
    const baseline = slot.y + (st.leading - st.size) / 2 + EM_BOX_ASCENT * st.size;
    const from = x + titleWidth + 0.5 * st.size;
    const to = RIGHT - numWidth - 0.5 * st.size;
    if (to > from) {
      p.doc.save().lineWidth(0.9).lineCap('round').dash(0.01, { space: 2.6 }).strokeColor('#808080').moveTo(from, baseline - 0.5).lineTo(to, baseline - 0.5).stroke().restore();
    }
    const w = RIGHT - x;
    if (e.id !== undefined) p.doc.goTo(x, slot.y, w, st.leading, e.id);
    else {
      const page = p.pageRefs[place.page];
      p.doc.annotate(x, slot.y, w, st.leading, { Subtype: 'Link', Border: [0, 0, 0], Dest: [page, 'XYZ', null, PAGE_HEIGHT - place.y, null] } as PDFKit.Mixins.AnnotationOption);
    }
  });
}

// ---------------------------------------------------------------------------
// Running header and footer

/** Back to a laid-out page, to draw what is known only at the end: the colour its content stream ends in is not known. */
function switchPage(p: Press, page: number): void {
  p.doc.switchToPage(page);
  p.pen.fill = '';
}

function drawRunning(p: Press, doc: Document, page: number, pages: number): void {
  switchPage(p, page);
  const headerTop = 26;
  const footerTop = PAGE_HEIGHT - 40;
  const right = `${doc.meta.edition} ・ ${doc.meta.asOf}`;
  const rightWidth = textWidth(p, right, 'regular', RUNNING.size);
  drawText(p, truncate(p, doc.meta.title, 'regular', RUNNING.size, TEXT_WIDTH - rightWidth - 2 * RUNNING.size), 'regular', RUNNING, LEFT, headerTop);
  drawText(p, right, 'regular', RUNNING, RIGHT - rightWidth, headerTop);
  p.doc.lineWidth(0.5).strokeColor('#999999').moveTo(LEFT, headerTop + RUNNING.leading + 3).lineTo(RIGHT, headerTop + RUNNING.leading + 3).stroke();
  const num = `page ${page + 1} / ${pages}`;
  drawText(p, `source commit ${doc.meta.commit}`, 'regular', RUNNING, LEFT, footerTop);
  drawText(p, num, 'regular', RUNNING, RIGHT - textWidth(p, num, 'regular', RUNNING.size), footerTop);
}

// ---------------------------------------------------------------------------
// Checks before layout

/** Where a run links to: undefined for plain text, and for `#id` of an id the document does not have. */
function linkTarget(href: string, anchors: ReadonlySet<string>): LinkTarget | undefined {
  if (href.startsWith('#')) {
    const id = href.slice(1);
    return anchors.has(id) ? { kind: 'internal', id } : undefined;
  }
  if (/^(https?:\/\/|mailto:)/i.test(href)) return { kind: 'external', url: href };
  throw new Error(`link target ${JSON.stringify(href)} is neither #id nor an https, http or mailto URL`);
}

function* allRuns(doc: Document): Generator<Run> {
  for (const b of doc.blocks) {
    switch (b.type) {
      case 'heading':
      case 'para':
        yield* b.runs;
        break;
      case 'table':
        for (const r of [...b.header, ...b.rows]) for (const c of r.cells) yield* c.runs;
        break;
      case 'toc':
      case 'pagebreak':
        break;
    }
  }
}

/** What a template should not produce but a PDF must not get: field names used twice (a PDF form has one value per name) and rows that do not match their table's columns. */
function checkTables(doc: Document): void {
  const names = new Set<string>();
  for (const b of doc.blocks) {
    if (b.type !== 'table') continue;
    if (b.widths.length === 0 || b.widths.some((w) => !(w > 0))) throw new Error(`table${b.id ? ` ${b.id}` : ''}: column widths must be positive, got ${JSON.stringify(b.widths)}`);
    for (const r of [...b.header, ...b.rows]) {
      if (r.cells.length !== b.widths.length) throw new Error(`table${b.id ? ` ${b.id}` : ''}: a row${r.id ? ` (${r.id})` : ''} has ${r.cells.length} cells for ${b.widths.length} columns`);
      for (const c of r.cells) {
        if (!c.field) continue;
        if (names.has(c.field.name)) throw new Error(`form field name ${JSON.stringify(c.field.name)} is used twice: PDF field names must be unique`);
        names.add(c.field.name);
      }
    }
  }
}

// ---------------------------------------------------------------------------

const fontFiles = new Map<string, Buffer>();

/** Font files are read once per process: each is several megabytes. */
/** The bytes of a font, read once and checked against the pinned hashes: fontkit trusts the fonts it parses, so only reviewed ones are given to it. */
function fontFile(path: string): Buffer {
  let b = fontFiles.get(path);
  if (b === undefined) {
    b = readFileSync(path);
    checkFontPin(basename(path), b, path);
    fontFiles.set(path, b);
  }
  return b;
}

export async function renderPdf(doc: Document, opts: RenderPdfOptions): Promise<RenderedPdf> {
  const anchors = documentAnchors(doc);
  const links = new Map<Run, LinkTarget>();
  for (const run of allRuns(doc)) {
    const target = run.href === undefined ? undefined : linkTarget(run.href, anchors);
    if (target) links.set(run, target);
  }
  checkTables(doc);

  const info: PDFKit.DocumentInfo = {
    Title: doc.meta.title,
    Author: 'regpress',
    Creator: 'regpress',
    Producer: 'regpress',
    CreationDate: opts.creationDate,
    ModDate: opts.creationDate,
  };
  const subject = doc.meta.subject ?? doc.meta.subtitle;
  if (subject !== undefined) info.Subject = subject;
  const pdf = new PDFDocument({
    size: opts.pageSize ?? 'A4',
    margins: { top: TOP, bottom: PAGE_HEIGHT - BOTTOM, left: LEFT, right: PAGE_WIDTH - RIGHT },
    bufferPages: true,
    pdfVersion: '1.7',
    lang: doc.meta.lang,
    displayTitle: true,
    info,
  });
  const chunks: Uint8Array[] = [];
  pdf.on('data', (c: Uint8Array) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    pdf.on('end', resolve);
    pdf.on('error', reject);
  });
  pdf.registerFont(FONT_KEY.regular, fontFile(opts.fonts.regular));
  pdf.registerFont(FONT_KEY.bold, fontFile(opts.fonts.bold));

  const p: Press = {
    doc: pdf,
    pen: { font: '', size: 0, fill: '' },
    widths: new Map(),
    links,
    page: 0,
    y: TOP,
    pageTop: TOP,
    onNewPage: undefined,
    outline: [],
    placed: new Map(),
    tocs: [],
    pageRefs: [pdf.page.dictionary],
    formReady: false,
  };
  const memo = new Map<Block, TextBlockLayout>();
  doc.blocks.forEach((b, i) => {
    switch (b.type) {
      case 'heading':
      case 'para':
        placeTextBlock(p, b, doc.blocks[i + 1], memo);
        memo.delete(b);
        break;
      case 'table':
        placeTable(p, b);
        break;
      case 'toc':
        placeToc(p, b, doc);
        break;
      case 'pagebreak':
        // not on a page with nothing on it yet: that would leave a blank page
        if (!atPageTop(p)) newPage(p);
        break;
    }
  });

  for (const plan of p.tocs) drawToc(p, plan);
  const pages = p.page + 1;
  for (let i = 0; i < pages; i++) drawRunning(p, doc, i, pages);
  const root = outlineData(pdf.outline);
  if (pdf.outline.children.length > 0) root.Count = pdf.outline.children.length;

  pdf.end();
  await ended;
  return { bytes: Buffer.concat(chunks), pages };
}
