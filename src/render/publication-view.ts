/**
 * Model, graph and changes → the view data a publication template fills in.
 * Everything a template shows is decided here, as plain data with every
 * field present (templates run in strict mode): which provisions, in which
 * order, which are changed since the previous edition, where citations link.
 */
import type { NumberChange, ProvisionChange, RedlineSegment } from '../diff/types.js';
import { CHANGE_KIND_JA } from './diff-text.js';
import type { Citation } from '../link/extract.js';
import type { PublicationScope, RowScope } from '../link/scope.js';
import { citeById, citeProvision, type CorpusIndex } from '../model/locate.js';
import type { CommentaryBlock, Publication, Sector } from '../model/publication.js';
import { provisionOwnText } from '../model/text.js';
import { isStructural, type Provision } from '../model/types.js';

export interface ViewRun {
  text: string;
  /** A line break before nothing: the text is empty. */
  br: boolean;
  href: string | null;
  bold: boolean;
  ins: boolean;
  del: boolean;
}

export interface ProvisionLine {
  id: string;
  /** 第六条第一号イ（一）, without the instrument. */
  cite: string;
  runs: ViewRun[];
  indent: number;
  changed: boolean;
  deleted: boolean;
  /** A question line gets answer fields; a heading or definition line does not. */
  question: boolean;
  /** Field name stem, unique in the document: q12 → q12.yes, q12.no, q12.note. */
  field: string;
  outline: string | null;
  outlineLevel: number;
}

export interface SpecGroup {
  id: string;
  cite: string;
  title: string;
  changed: boolean;
  /** The row items of 別表第一 this group specifies: 七の項（一）. */
  specifies: { cite: string; href: string | null }[];
  lines: ProvisionLine[];
}

export interface SpecSection {
  id: string;
  /** 貨物等省令第六条. */
  cite: string;
  title: string;
  changed: boolean;
  /** Text of the section that precedes its items (the article's opening words, definitions). */
  lead: ProvisionLine[];
  groups: SpecGroup[];
}

export interface CommentaryView {
  heading: boolean;
  bullet: boolean;
  indent: number;
  runs: ViewRun[];
}

export interface RowView {
  id: string;
  cite: string;
  title: string;
  changed: boolean;
  head: ProvisionLine | null;
  items: ProvisionLine[];
  sections: SpecSection[];
  specifiedBy: { cite: string; href: string | null }[];
  citedBy: ProvisionLine[];
  commentary: CommentaryView[];
  hasCommentary: boolean;
  hasCitedBy: boolean;
}

export interface RevisionEntry {
  kind: string;
  cite: string;
  href: string | null;
  runs: ViewRun[];
  effective: string;
  numbers: string[];
  editorial: boolean;
}

export interface EditionInfo {
  number: number;
  /** When this edition's texts took effect (or the revision's date). */
  date: string;
  commit: string;
  draft: boolean;
  previous: { number: number; date: string } | null;
}

export interface PublicationView {
  doc: { id: string; title: string; subtitle: string; lang: string; edition: string; asOf: string; commit: string; subject: string };
  publication: { id: string; kind: string; title: string };
  sector: { title: string; titleEn: string };
  edition: EditionInfo & { label: string };
  intro: CommentaryView[];
  hasIntro: boolean;
  rows: RowView[];
  revisions: { initial: boolean; entries: RevisionEntry[]; count: number; previousLabel: string };
}

/** A change relevant to a publication, with the instrument's effective date. */
export interface EditionChange {
  change: ProvisionChange;
  effective: string;
}

export interface CommentaryInput {
  intro: CommentaryView[];
  /** Row id → commentary on it. */
  rows: Map<string, CommentaryView[]>;
}

export interface ViewInput {
  publication: Publication;
  sector: Sector | undefined;
  index: CorpusIndex;
  /** The index at the previous edition: citations of removed provisions. */
  previousIndex: CorpusIndex | undefined;
  scope: PublicationScope;
  citations: ReadonlyMap<string, readonly Citation[]>;
  edition: EditionInfo;
  changes: readonly EditionChange[];
  commentary: CommentaryInput | undefined;
}

function run(text: string, extra: Partial<ViewRun> = {}): ViewRun {
  return { text, br: false, href: null, bold: false, ins: false, del: false, ...extra };
}

/** Line breaks in text become runs of their own: templates write them as <br/>, never as raw newlines. */
export function splitBreaks(runs: readonly ViewRun[]): ViewRun[] {
  const out: ViewRun[] = [];
  for (const r of runs) {
    const parts = r.text.split('\n');
    parts.forEach((t, i) => {
      if (i > 0) out.push({ ...r, text: '', br: true });
      if (t !== '') out.push({ ...r, text: t });
    });
  }
  return out;
}

function within(id: string, container: string): boolean {
  return id === container || id.startsWith(`${container}/`);
}

/** The nearest provision at or above `id` that the document has an anchor for. */
export function anchorFor(index: CorpusIndex, anchors: ReadonlySet<string>, id: string): string | null {
  for (let q: string | undefined = id; q; q = index.parents.get(q)?.id) if (anchors.has(q)) return `#${q}`;
  return null;
}

function shorten(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

export class ViewBuilder {
  private fieldSeq = 0;
  private readonly changed: Set<string>;

  constructor(
    private readonly input: ViewInput,
    private readonly anchors: ReadonlySet<string>,
  ) {
    this.changed = new Set(input.changes.flatMap(({ change: c }) => (c.kind === 'removed' ? [] : [c.newId ?? c.id])));
  }

  isChanged(id: string): boolean {
    return this.changed.has(id);
  }

  /** A provision's own text as runs, its citations linked to the places in this document they point to. */
  textRuns(p: Provision): ViewRun[] {
    if (p.deleted) return [run('削除')];
    const out: ViewRun[] = [];
    const text = isStructural(p) ? p.title : p.text;
    let at = 0;
    const cites = [...(this.input.citations.get(p.id) ?? [])].sort((a, b) => a.index - b.index);
    for (const c of cites) {
      if (c.index < at || c.index + c.text.length > text.length || text.slice(c.index, c.index + c.text.length) !== c.text) continue;
      const target = c.targets[0];
      const href = c.status === 'resolved' && target ? anchorFor(this.input.index, this.anchors, target.id) : null;
      if (!href || within(target?.id ?? '', p.id)) continue;
      if (c.index > at) out.push(run(text.slice(at, c.index)));
      out.push(run(c.text, { href }));
      at = c.index + c.text.length;
    }
    if (at < text.length) out.push(run(text.slice(at)));
    // the rest of the provision's own content (formulas, further cells) after its text
    const own = provisionOwnText(p);
    const i = own.indexOf(text);
    const rest = i >= 0 ? own.slice(i + text.length).replace(/^\n/, '') : '';
    if (rest !== '') out.push(run(`\n${rest}`));
    return splitBreaks(out);
  }

  line(p: Provision, depth: number, opts: { question: boolean; outlineLevel?: number; cite?: string }): ProvisionLine {
    const cite = opts.cite ?? citeProvision(this.input.index, p);
    const runs = [...(p.label !== '' ? [run(`${p.label}\u3000`, { bold: true })] : []), ...this.textRuns(p)];
    const question = opts.question && !p.deleted;
    return {
      id: p.id,
      cite,
      runs,
      indent: depth,
      changed: this.isChanged(p.id),
      deleted: p.deleted,
      question,
      field: question ? `q${++this.fieldSeq}` : '',
      outline: opts.outlineLevel !== undefined ? shorten(`${p.label}　${p.deleted ? '削除' : p.text}`, 28) : null,
      outlineLevel: opts.outlineLevel ?? 0,
    };
  }

  /** An item (号) and everything below it, one line each, as questions. */
  private group(item: Provision, itemTargets: ReadonlyMap<string, string[]>, level: number): SpecGroup {
    const lines: ProvisionLine[] = [];
    const walk = (p: Provision, depth: number) => {
      // the group's heading is the item's bookmark; its sub-items (イ, and (一) below) get their own
      const outlineLevel = depth >= 1 && depth <= 2 ? level + depth : undefined;
      lines.push(this.line(p, depth, { question: true, ...(outlineLevel !== undefined ? { outlineLevel } : {}) }));
      for (const c of p.children) walk(c, depth + 1);
    };
    walk(item, 0);
    const targets = itemTargets.get(item.id) ?? [];
    return {
      id: `g-${item.id}`,
      cite: citeProvision(this.input.index, item),
      title: shorten(`${citeProvision(this.input.index, item)}　${item.deleted ? '削除' : item.text}`, 40),
      changed: lines.some((l) => l.changed),
      specifies: targets.map((t) => ({ cite: citeById(this.input.index, t) ?? t, href: anchorFor(this.input.index, this.anchors, t) })),
      lines,
    };
  }

  /** A specifying provision: its opening words and definitions as lead text, its items as groups. */
  section(spec: Provision, itemTargets: ReadonlyMap<string, string[]>): SpecSection {
    const lead: ProvisionLine[] = [];
    const groups: SpecGroup[] = [];
    const walk = (p: Provision, depth: number) => {
      if (p.kind === 'item' || p.kind === 'row-item') {
        groups.push(this.group(p, itemTargets, 2));
        return;
      }
      if (p !== spec || p.kind !== 'article') lead.push(this.line(p, depth, { question: false }));
      for (const c of p.children) walk(c, p.kind === 'article' ? depth : depth + 1);
    };
    walk(spec, 0);
    const cite = citeById(this.input.index, spec.id) ?? spec.id;
    const caption = spec.kind === 'article' && spec.caption ? `（${spec.caption}）` : '';
    return {
      // an article is not a line of its own, so its heading carries its id; anything else is a line
      id: spec.kind === 'article' ? spec.id : `s-${spec.id}`,
      cite,
      title: `${cite}${caption}`,
      changed: lead.some((l) => l.changed) || groups.some((g) => g.changed),
      lead,
      groups,
    };
  }

  row(rs: RowScope, commentary: CommentaryView[]): RowView {
    const { index } = this.input;
    const cite = citeById(index, rs.id) ?? rs.id;
    const row = rs.row;
    const items: ProvisionLine[] = [];
    const walk = (p: Provision, depth: number) => {
      items.push(this.line(p, depth, { question: false, ...(depth === 0 ? { outlineLevel: 2 } : {}) }));
      for (const c of p.children) walk(c, depth + 1);
    };
    if (row) for (const c of row.children) walk(c, 0);
    const sections = rs.specifying.map((s) => this.section(s, rs.specifiesItems));
    const citedBy = rs.citedBy.map((p) => this.line(p, 0, { question: false, cite: citeById(index, p.id) ?? p.id }));
    return {
      id: `r-${rs.id}`,
      cite,
      title: row ? `${cite}　${shorten(row.deleted ? '削除' : row.text, 30)}` : cite,
      changed: (row ? this.isChanged(row.id) : false) || items.some((i) => i.changed) || sections.some((s) => s.changed),
      head: row ? this.line(row, 0, { question: false, outlineLevel: 1, cite }) : null,
      items,
      sections,
      specifiedBy: rs.specifying.map((s) => ({ cite: citeById(index, s.id) ?? s.id, href: anchorFor(index, this.anchors, s.id) })),
      citedBy,
      commentary,
      hasCommentary: commentary.length > 0,
      hasCitedBy: citedBy.length > 0,
    };
  }

  revision(e: EditionChange): RevisionEntry {
    const c = e.change;
    const { index, previousIndex } = this.input;
    const id = c.kind === 'removed' ? c.id : (c.newId ?? c.id);
    const cite = (c.kind === 'removed' ? (previousIndex ? citeById(previousIndex, c.id) : undefined) : citeById(index, id)) ?? id;
    let runs: ViewRun[];
    if (c.redline) runs = c.redline.segments.map((s: RedlineSegment) => run(s.text, { ins: s.op === 'insert', del: s.op === 'delete' }));
    else if (c.kind === 'added') runs = [run(c.after ?? '', { ins: true })];
    else if (c.kind === 'removed') runs = [run(c.before ?? '', { del: true })];
    else runs = [run(c.after ?? c.before ?? '')];
    runs = splitBreaks(runs);
    if (c.kind === 'renumbered' || c.kind === 'moved') {
      const from = c.oldId && previousIndex ? citeById(previousIndex, c.oldId) : c.oldId;
      runs = [run(`${from ?? ''} → ${cite}`), ...(c.redline ? [run('\u3000'), ...runs] : [])];
    }
    return {
      kind: CHANGE_KIND_JA[c.kind],
      cite,
      href: c.kind === 'removed' ? null : anchorFor(index, this.anchors, id),
      runs,
      effective: e.effective,
      numbers: (c.numbers ?? []).map(numberText),
      editorial: c.editorial,
    };
  }
}

function numberText(n: NumberChange): string {
  const side = (q: NumberChange['before']) => `${q.text}${q.unit}${q.comparator ? ` (${q.comparator})` : ''}`;
  const dir = n.control === 'wider' ? '（規制範囲の拡大）' : n.control === 'narrower' ? '（規制範囲の縮小）' : '';
  return `${side(n.before)} → ${side(n.after)}${dir}`;
}

/** The whole view of one publication. */
export function publicationView(input: ViewInput, anchors: ReadonlySet<string>): PublicationView {
  const b = new ViewBuilder(input, anchors);
  const { publication: pub, edition } = input;
  const rows = input.scope.rows.map((rs) => b.row(rs, input.commentary?.rows.get(rs.id) ?? []));
  const label = `第${edition.number}版${edition.draft ? '（草稿）' : ''}`;
  const subtitle = [...input.scope.rows.map((r) => citeById(input.index, r.id) ?? r.id), ...input.scope.rows.flatMap((r) => r.specifying.map((s) => citeById(input.index, s.id) ?? s.id))].join('／');
  return {
    doc: {
      id: pub.id,
      title: pub.title,
      subtitle,
      lang: 'ja',
      edition: label,
      asOf: edition.date,
      commit: edition.commit.slice(0, 12),
      subject: `${pub.title}（${label}、${edition.date}現在）`,
    },
    publication: { id: pub.id, kind: pub.kind, title: pub.title },
    sector: { title: input.sector?.title ?? pub.sector, titleEn: input.sector?.titleEn ?? '' },
    edition: { ...edition, label },
    intro: input.commentary?.intro ?? [],
    hasIntro: (input.commentary?.intro.length ?? 0) > 0,
    rows,
    revisions: {
      initial: edition.previous === null,
      entries: input.changes.map((c) => b.revision(c)),
      count: input.changes.length,
      previousLabel: edition.previous ? `第${edition.previous.number}版（${edition.previous.date}）` : '',
    },
  };
}

/** Every provision id the view shows as an anchor: links inside the document may only go to these. */
export function viewAnchors(scope: PublicationScope, withCitedBy: boolean): Set<string> {
  const out = new Set<string>();
  const citedBy = new Set(scope.rows.flatMap((r) => r.citedBy.map((c) => c.id)));
  for (const p of scope.used) if (withCitedBy || !citedBy.has(p.id)) out.add(p.id);
  return out;
}

/**
 * Commentary blocks as view data; `link` turns an editor's href into a
 * place in this document (or an allowed external URL), null for plain text.
 */
export function commentaryViews(blocks: readonly CommentaryBlock[], link: (href: string) => string | null): CommentaryView[] {
  return blocks.map((b) => ({
    heading: b.kind === 'heading',
    bullet: b.kind === 'bullet',
    indent: b.kind === 'bullet' ? b.depth + 1 : 0,
    runs: splitBreaks(b.runs.map((r) => run(r.text, { bold: r.bold === true, href: r.href !== undefined ? link(r.href) : null }))),
  }));
}
