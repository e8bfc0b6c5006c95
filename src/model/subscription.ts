/**
 * Subscribers: who wants a digest of which changes. What they follow is
 * kept as written here and resolved against the corpus by the pipeline.
 */
import type { Layer } from './types.js';

export interface Follows {
  /** Instrument ids or names: 輸出令, 403M50000400049. */
  instruments: string[];
  /** Provision ids, id prefixes or Japanese citations. */
  provisions: string[];
  /** Rows of 輸出令別表第一 as 項番: "7", "3の2", "16(1)". */
  rows: string[];
  sectors: string[];
  publications: string[];
  layers: Layer[];
}

export interface Subscriber {
  /** Stable id of the subscriber: derived from the address unless given. */
  id: string;
  name: string;
  email: string;
  language: 'ja' | 'en';
  follows: Follows;
  /** Whether editorial changes (punctuation, width, numbering only) are wanted too. */
  editorial: boolean;
  /** Where the entry is, for diagnostics. */
  line: number;
  column: number;
}
