/**
 * The typed domain of regpress: instruments made of provisions.
 *
 * A provision is a discriminated union on `kind`; every provision keeps the
 * source range it came from and its own text, so that the text of an
 * instrument can be reassembled from the model (see `text.ts`).
 */

/** A point in a source file: 1-based line and column, 0-based UTF-16 offset. */
export interface SourcePoint {
  line: number;
  column: number;
  offset: number;
}

export interface SourceRange {
  start: SourcePoint;
  end: SourcePoint;
}

/** A block of text that belongs to a provision but is not its main sentence. */
export interface TextBlock {
  text: string;
  range: SourceRange;
}

/** A Markdown link in provision text: an explicit citation written by an editor. */
export interface InlineLink {
  text: string;
  href: string;
  /** Index of the link text in the text it was found in. */
  index: number;
  range: SourceRange;
}

/** The layers of the legislation, top to bottom. */
export const LAYERS = ['law', 'cabinet-order', 'ministerial-ordinance', 'notice', 'guidance'] as const;
export type Layer = (typeof LAYERS)[number];

/**
 * The closed set of address step kinds. Tools may rely on it whatever the id
 * grammar (documented in docs/format.md).
 */
export const STEP_KINDS = [
  'chapter',
  'section',
  'subsection',
  'division',
  'article',
  'paragraph',
  'item',
  'subitem',
  'subitem2',
  'subitem3',
  'subitem4',
  'subitem5',
  'subitem6',
  'appendix-table',
  'row',
  'row-item',
  'row-item2',
  'row-item3',
  'row-item4',
  'suppl-provision',
  'text',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/**
 * One step of an address. `num` is in Arabic digits with `-` for の
 * (十の二 → `10-2`); イロハ labels count from 1 (イ → `1`, ロ → `2`).
 * A provision that covers a range (第二条から第四条まで) has `to`.
 */
export interface AddressStep {
  kind: StepKind;
  num: string;
  to?: string;
}

export interface Address {
  instrument: string;
  path: AddressStep[];
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  rule: string;
  message: string;
}

interface ProvisionBase {
  /** Full id: `<instrument>/<step>/<step>…`, see ids.ts. */
  id: string;
  address: Address;
  /** The number as written in the source: 第四条の二, ２, 一の二, イ, （十の二）. */
  label: string;
  /** Own text, without label and without the text of children. */
  text: string;
  /** Further blocks of this provision (formulas, continuation lines). */
  extra: TextBlock[];
  /** True for 削除 placeholders, which keep their number. */
  deleted: boolean;
  /** Where the provision (including its children) is in the source. */
  range: SourceRange;
  /** Explicit citations (Markdown links) in `text`. */
  links?: InlineLink[];
  /** Where `text` starts in the source, when it is known: positions of citations in it. */
  textAt?: SourcePoint;
  children: Provision[];
}

export interface Chapter extends ProvisionBase {
  kind: 'chapter' | 'section' | 'subsection' | 'division';
  title: string;
}

export interface Article extends ProvisionBase {
  kind: 'article';
  /** 見出し, without the brackets. */
  caption?: string;
}

export interface Paragraph extends ProvisionBase {
  kind: 'paragraph';
  /** Paragraph 1 has no number in the source. */
  implicit: boolean;
}

export interface Item extends ProvisionBase {
  kind: 'item';
}

export interface SubItem extends ProvisionBase {
  kind: 'subitem';
  /** 1 for イ, 2 for the level below, and so on. */
  level: number;
}

export interface AppendixTable extends ProvisionBase {
  kind: 'appendix-table';
  caption?: string;
  /** The table's header cells, when it has a table. */
  header: TextBlock[];
}

export interface Row extends ProvisionBase {
  kind: 'row';
  /** Cells after the one the row's own text and row items come from. */
  cells: TextBlock[];
  /** Layout rows (merged cells flattened by the converter) that follow this row. */
  continuation: TextBlock[][];
}

export interface RowItem extends ProvisionBase {
  kind: 'row-item';
  level: number;
}

export interface SupplProvision extends ProvisionBase {
  kind: 'suppl-provision';
  caption?: string;
}

/** A block regpress did not recognise: kept as text, reported as a diagnostic. */
export interface TextProvision extends ProvisionBase {
  kind: 'text';
}

export type Provision =
  | Chapter
  | Article
  | Paragraph
  | Item
  | SubItem
  | AppendixTable
  | Row
  | RowItem
  | SupplProvision
  | TextProvision;

export type ProvisionKind = Provision['kind'];

export interface InstrumentMeta {
  identifier: string;
  title: string;
  rank: string;
  layer: Layer;
  aliases: string[];
  lawNum?: string;
  abbrev?: string;
  enforcedAt?: string;
  effective?: string;
  publicationDate?: string;
  lastUpdated?: string;
  status?: string;
  source?: string;
  country?: string;
}

export interface Instrument {
  /** The e-Gov law id (or the editors' own identifier). */
  id: string;
  /** Path of the source file, relative to the repository root. */
  file: string;
  meta: InstrumentMeta;
  /** Top-level provisions in document order. */
  provisions: Provision[];
}

/** Chapters, sections, subsections and divisions: headings that hold articles but are not cited through. */
export function isStructural(p: Provision): p is Chapter {
  return p.kind === 'chapter' || p.kind === 'section' || p.kind === 'subsection' || p.kind === 'division';
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
