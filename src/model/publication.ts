/**
 * Publications built from the corpus: Parameter Sheets (one per row of
 * 輸出令別表第一: a Yes/No question per specification) and Commodity Guidance
 * (per sector: the rule texts with the editors' commentary).
 */

export const PUBLICATION_KINDS = ['parameter-sheet', 'commodity-guidance'] as const;
export type PublicationKind = (typeof PUBLICATION_KINDS)[number];

export interface Sector {
  id: string;
  title: string;
  /** English title, for readers of both languages. */
  titleEn?: string;
}

export interface Publication {
  id: string;
  kind: PublicationKind;
  title: string;
  sector: string;
  /** Rows of 輸出令別表第一 covered, as address numbers: "2", "3-2". */
  rows: string[];
  /** Template name in templates/ (default: the kind). */
  template: string;
  /** Where the entry is in the catalogue file, for diagnostics. */
  line: number;
}

export interface Catalogue {
  file: string;
  sectors: Sector[];
  publications: Publication[];
}

/** A piece of commentary text: plain, bold, or a link as the editor wrote it. */
export interface CommentaryRun {
  text: string;
  bold?: true;
  /** The link target as written: `<instrument>#<provision path>` or an absolute URL. */
  href?: string;
  line: number;
  column: number;
}

export interface CommentaryBlock {
  kind: 'para' | 'bullet' | 'heading';
  /** List nesting for bullets (0 = top), heading level for headings. */
  depth: number;
  runs: CommentaryRun[];
  line: number;
}

/** Commentary on one row: opened by a `## ` heading that links to the row. */
export interface CommentarySection {
  heading: CommentaryRun[];
  href: string;
  line: number;
  column: number;
  blocks: CommentaryBlock[];
}

/** The editors' commentary for one Commodity Guidance publication. */
export interface Commentary {
  file: string;
  publication: string;
  title?: string;
  /** Line of the publication key, for diagnostics. */
  line: number;
  intro: CommentaryBlock[];
  sections: CommentarySection[];
}
