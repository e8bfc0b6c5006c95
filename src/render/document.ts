/**
 * The document tree: what a publication template produces and what both
 * renderers (PDF and HTML) consume. Templates write it as a small XML
 * vocabulary (see markup.ts); nothing else reaches a renderer, so a renderer
 * never sees template logic and a template never sees layout.
 *
 * Text is carried as flat runs: nested inline markup (<b><a>…</a></b>) is
 * flattened by the parser into runs that each say how they look and where
 * they link, so renderers need no recursion to style text.
 */

export interface Run {
  text: string;
  bold?: true;
  /** Inserted text of a redline: underlined. */
  ins?: true;
  /** Deleted text of a redline: struck through. */
  del?: true;
  /** `#id` for a place in the same document, or an allow-listed absolute URL (https, http, mailto). */
  href?: string;
}

/** An entry of the PDF outline (bookmarks) and of the table of contents. */
export interface Bookmark {
  title: string;
  /** 1 = top level. */
  level: number;
}

export type Field =
  | { type: 'checkbox'; name: string; label: string }
  | { type: 'text'; name: string };

export interface Cell {
  runs: Run[];
  /** Indent steps (one step = one full-width character) of the cell's text. */
  indent: number;
  /** A form field drawn in the cell (a fillable box in the PDF, an input in HTML). */
  field?: Field;
  align: 'left' | 'center';
}

export interface TableRow {
  /** Anchor of the row: internal links (`#id`) land here. */
  id?: string;
  /** Changed since the previous edition: carries a change bar. */
  changed: boolean;
  bookmark?: Bookmark;
  cells: Cell[];
}

export interface Heading {
  type: 'heading';
  /** 1 … 4. */
  level: number;
  id?: string;
  /** Shown in the outline and the table of contents. */
  bookmark?: Bookmark;
  changed: boolean;
  runs: Run[];
}

export interface Para {
  type: 'para';
  id?: string;
  bookmark?: Bookmark;
  changed: boolean;
  /** Indent steps, as for cells. */
  indent: number;
  /** body: running text; note: smaller explanatory text; quote: text of a provision set off from commentary. */
  role: 'body' | 'note' | 'quote';
  runs: Run[];
}

export interface Table {
  type: 'table';
  id?: string;
  /** Relative widths of the columns. */
  widths: number[];
  /** Header rows: repeated at the top of every page the table runs onto. */
  header: TableRow[];
  rows: TableRow[];
}

/** The table of contents: built by the renderer from the bookmarks of level ≤ `depth`. */
export interface Toc {
  type: 'toc';
  title: string;
  depth: number;
}

export interface PageBreak {
  type: 'pagebreak';
}

export type Block = Heading | Para | Table | Toc | PageBreak;

export interface DocumentMeta {
  /** Publication id: ps-row-7. */
  id: string;
  title: string;
  subtitle?: string;
  /** BCP 47: ja. */
  lang: string;
  /** 第3版 — as shown in headers. */
  edition: string;
  /** The date the texts are in force at, YYYY-MM-DD. */
  asOf: string;
  /** The source commit, abbreviated for headers. */
  commit: string;
  /** Free text, shown in the PDF's document properties. */
  subject?: string;
}

export interface Document {
  meta: DocumentMeta;
  blocks: Block[];
}

/** Every id a document defines: the targets its internal links may use. */
export function documentAnchors(doc: Document): Set<string> {
  const out = new Set<string>();
  for (const b of doc.blocks) {
    if ((b.type === 'heading' || b.type === 'para' || b.type === 'table') && b.id) out.add(b.id);
    if (b.type === 'table') for (const r of [...b.header, ...b.rows]) if (r.id) out.add(r.id);
  }
  return out;
}
