/**
 * What a structural diff says: provision-level changes between two
 * revisions of a corpus, each at the finest level that changed.
 */
import type { Address, SourceRange } from '../model/types.js';

export const CHANGE_KINDS = ['added', 'removed', 'modified', 'renumbered', 'moved', 'became-削除'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface RedlineSegment {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

export interface Redline {
  segments: RedlineSegment[];
  /** True when the text diff gave up (timeout or edit length) and the whole text was replaced. */
  gaveUp?: boolean;
}

/** Which way a bound is read: 以上 / を超える (lower bounds), 以下 / 未満 (upper bounds). */
export type Comparator = '>' | '>=' | '<=' | '<';

export interface Quantity {
  /** The number as written: 三〇〇, 一、〇〇〇, 〇・一, 五、〇〇〇分の一. */
  text: string;
  value: number;
  /** The unit as written, normalised to a canonical spelling: メガヘルツ, 円, パーセント. */
  unit: string;
  comparator?: Comparator;
  /** Index of the number in the text it was read from. */
  index: number;
}

export interface NumberChange {
  before: Quantity;
  after: Quantity;
  /**
   * Whether control got wider (more goods caught) or narrower, where the
   * comparator says which way the bound is read.
   */
  control?: 'wider' | 'narrower';
}

export interface ProvisionChange {
  instrument: string;
  kind: ChangeKind;
  /** The provision's id in the newer revision (in the older one for `removed`). */
  id: string;
  oldId?: string;
  newId?: string;
  address?: Address;
  oldAddress?: Address;
  /** Label and own text (without children) before and after; a whole subtree for added/removed. */
  before?: string;
  after?: string;
  redline?: Redline;
  /** Only punctuation, whitespace, orthography, width or numbering changed. */
  editorial: boolean;
  numbers?: NumberChange[];
  /** Where the provision is in each source file. */
  oldRange?: SourceRange;
  newRange?: SourceRange;
}

export interface MetadataChange {
  key: string;
  before: string | undefined;
  after: string | undefined;
}

export interface InstrumentDiff {
  instrument: string;
  title: string;
  oldFile?: string;
  newFile?: string;
  /** The instrument itself was added or removed. */
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  metadata: MetadataChange[];
  changes: ProvisionChange[];
  /** Every id that changed between the revisions: old id → new id. */
  renumbering: Record<string, string>;
  /** When the newer version takes effect, from its front matter (effective:, else enforced_at). */
  effective?: string;
}

export interface CorpusDiff {
  from: string;
  to: string;
  instruments: InstrumentDiff[];
}
