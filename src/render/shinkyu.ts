/**
 * The 新旧対照表: a structural diff laid out as METI publishes amendments,
 * 改正後 on the left, 改正前 on the right, one table per instrument.
 *
 * Two steps. `buildShinkyuView` turns the diff into rows of lines of marked
 * spans (view data, no HTML); `renderShinkyuView` turns those into one
 * self-contained HTML document. The rows come from walking a tree that
 * merges the old and the new instrument (pairs of provisions, matched by id
 * and by the diff's renumbering), so that every change appears at its place
 * in the text, under the article it belongs to, with the unchanged stretches
 * between changes folded into 「（略）」 rows as the official tables do.
 */
import type { CorpusDiff, InstrumentDiff, ProvisionChange, Redline } from '../diff/types.js';
import { computeRedline } from '../diff/text.js';
import { citeProvision, shortName, type CorpusIndex } from '../model/locate.js';
import { provisionOwnText } from '../model/text.js';
import { isStructural, type Instrument, type Provision } from '../model/types.js';
import { escapeHtml } from './diff-text.js';

// ---------------------------------------------------------------------------
// View data

/** `changed`: 傍線 (an insertion on the 改正後 side, a deletion on the 改正前 side); `label`: a renumbered label, 二重傍線. */
export type Mark = 'plain' | 'changed' | 'label';

export interface Span {
  text: string;
  mark: Mark;
}

export interface Line {
  /** `caption`: a 見出し on its own line; `note`: （略）（新設）（削る）; `remark`: regpress's own comment, not legislation. */
  role: 'text' | 'caption' | 'note' | 'remark';
  /** Indentation in characters, as provisions are set in the official text (号 one in, イ two in …). */
  indent: number;
  spans: Span[];
}

export interface ShinkyuRow {
  kind: 'change' | 'context' | 'elided';
  after: Line[];
  before: Line[];
}

export interface ShinkyuTable {
  instrument: string;
  name: string;
  title: string;
  lawNum?: string;
  enforcedBefore?: string;
  enforcedAfter?: string;
  rows: ShinkyuRow[];
  /**
   * Supplementary provisions the amendment appended: the amending act's own
   * 附則, which the official tables do not show as part of the amended text.
   */
  appended: Line[][];
}

export interface ShinkyuView {
  from: string;
  to: string;
  tables: ShinkyuTable[];
}

type Side = 'before' | 'after';

const IDEOGRAPHIC_SPACE = '\u3000';
const ELIDED = '（略）';
const NEW_NOTE = '（新設）';
const REMOVED_NOTE = '（削る）';

// ---------------------------------------------------------------------------
// Merging the two trees

/** A provision as it stands on both sides; either side is missing where the provision was added or removed. */
interface Node {
  old?: Provision;
  new?: Provision;
  change?: ProvisionChange;
  children: Node[];
  /** This node or one below it carries a change to show. */
  changed: boolean;
}

interface MergeContext {
  before: CorpusIndex;
  after: CorpusIndex;
  oldToNew: Map<string, string>;
  newToOld: Map<string, string>;
  added: Set<string>;
  removed: Set<string>;
  byNew: Map<string, ProvisionChange>;
  byOld: Map<string, ProvisionChange>;
}

/** Changes of the provision as a whole: added, removed, or reduced to 削除. */
function isWhole(c: ProvisionChange | undefined): boolean {
  return c !== undefined && (c.kind === 'added' || c.kind === 'removed' || c.kind === 'became-削除');
}

/**
 * Whether one row shows the whole subtree, so nothing below is walked. Not
 * for chapters: the diff aligns them in the same lists as the articles they
 * hold, so an added chapter's articles carry changes of their own.
 */
function coversSubtree(c: ProvisionChange | undefined, p: Provision | undefined): boolean {
  return isWhole(c) && p !== undefined && !isStructural(p);
}

function mergeContext(d: InstrumentDiff, before: CorpusIndex, after: CorpusIndex, shown: readonly ProvisionChange[]): MergeContext {
  const oldToNew = new Map(Object.entries(d.renumbering));
  const newToOld = new Map([...oldToNew].map(([o, n]) => [n, o] as const));
  const ctx: MergeContext = { before, after, oldToNew, newToOld, added: new Set(), removed: new Set(), byNew: new Map(), byOld: new Map() };
  for (const c of d.changes) {
    // added and removed ids say which same-numbered provisions are not the same provision
    if (c.kind === 'added') ctx.added.add(c.id);
    if (c.kind === 'removed') ctx.removed.add(c.id);
  }
  for (const c of shown) {
    if (c.kind === 'removed') ctx.byOld.set(c.oldId ?? c.id, c);
    else ctx.byNew.set(c.newId ?? c.id, c);
  }
  return ctx;
}

/** The old provision a new one continues, wherever it stood. */
function oldCounterpart(ctx: MergeContext, n: Provision): Provision | undefined {
  if (ctx.added.has(n.id)) return undefined;
  const renamed = ctx.newToOld.get(n.id);
  // an old provision under this id that was renumbered away is a different provision
  const oldId = renamed ?? (ctx.oldToNew.has(n.id) ? undefined : n.id);
  return oldId === undefined ? undefined : ctx.before.provisions.get(oldId);
}

/** Whether an old provision is shown elsewhere, next to the new provision it became. */
function placedElsewhere(ctx: MergeContext, o: Provision): boolean {
  if (ctx.removed.has(o.id)) return false;
  const newId = ctx.oldToNew.get(o.id) ?? o.id;
  return ctx.after.provisions.has(newId) && !ctx.added.has(newId);
}

function makeNode(ctx: MergeContext, o: Provision | undefined, n: Provision | undefined): Node {
  const change = n ? ctx.byNew.get(n.id) : o ? ctx.byOld.get(o.id) : undefined;
  const children = coversSubtree(change, n ?? o) ? [] : mergeLists(ctx, o?.children ?? [], n?.children ?? []);
  return { ...(o ? { old: o } : {}), ...(n ? { new: n } : {}), ...(change ? { change } : {}), children, changed: change !== undefined || children.some((c) => c.changed) };
}

/**
 * Siblings of both sides in one list, in the new order, each removed
 * provision after the old sibling it followed.
 */
function mergeLists(ctx: MergeContext, olds: readonly Provision[], news: readonly Provision[]): Node[] {
  const out: Node[] = [];
  const oldIndex = new Map(olds.map((p, i) => [p.id, i] as const));
  let next = 0;
  const flushOld = (upTo: number) => {
    for (; next < upTo; next++) {
      const o = olds[next] as Provision;
      if (!placedElsewhere(ctx, o)) out.push(makeNode(ctx, o, undefined));
    }
  };
  for (const n of news) {
    const o = oldCounterpart(ctx, n);
    const at = o ? oldIndex.get(o.id) : undefined;
    if (at !== undefined && at >= next) {
      flushOld(at);
      next = at + 1;
    }
    out.push(makeNode(ctx, o, n));
  }
  flushOld(olds.length);
  return out;
}

// ---------------------------------------------------------------------------
// Lines of one provision

/** Where the official text sets a provision's first line. */
function indentOf(p: Provision): number {
  switch (p.kind) {
    case 'item':
      return 1;
    case 'subitem':
      return 1 + p.level;
    case 'row-item':
      return p.level;
    case 'chapter':
      return 2;
    case 'section':
      return 3;
    case 'subsection':
      return 4;
    case 'division':
      return 5;
    case 'suppl-provision':
      return 3;
    default:
      return 0;
  }
}

/** The caption as provisionOwnText writes it as the first line of the own text. */
function captionLine(p: Provision): string | undefined {
  switch (p.kind) {
    case 'article':
      return p.caption === undefined ? undefined : `（${p.caption}）`;
    case 'appendix-table':
    case 'suppl-provision':
      return p.caption;
    default:
      return undefined;
  }
}

function spanText(spans: readonly Span[]): string {
  return spans.map((s) => s.text).join('');
}

function splitLines(spans: readonly Span[]): Span[][] {
  const lines: Span[][] = [[]];
  for (const s of spans) {
    s.text.split('\n').forEach((t, i) => {
      if (i > 0) lines.push([]);
      if (t !== '') (lines[lines.length - 1] as Span[]).push({ text: t, mark: s.mark });
    });
  }
  return lines;
}

/** Adjacent spans with the same mark as one, so that an underline is one element, not one per piece. */
function mergeSpans(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && last.mark === s.mark) last.text += s.text;
    else if (s.text !== '') out.push({ ...s });
  }
  return out;
}

function plain(text: string): Span[] {
  return text === '' ? [] : [{ text, mark: 'plain' }];
}

function labelSpans(p: Provision, mark: Mark): Span[] {
  return p.label === '' ? [] : [{ text: p.label, mark }];
}

/** Label, then text: with a full-width space between them, as legislation is set. */
function joinLabel(label: readonly Span[], body: readonly Span[]): Span[] {
  if (label.length === 0) return [...body];
  if (body.length === 0) return [...label];
  // inside a wholly added or removed provision the underline runs on through the space
  const through = label[label.length - 1]?.mark === 'changed' && body[0]?.mark === 'changed';
  return [...label, { text: IDEOGRAPHIC_SPACE, mark: through ? 'changed' : 'plain' }, ...body];
}

/**
 * The lines of one provision without its children: an article's 見出し on
 * the line above its number, a table's caption after its name, the label
 * before the first line of text. `folded` is the text of an unnumbered first
 * paragraph, which stands on the article's own line.
 */
function provisionLines(p: Provision, own: readonly Span[], label: readonly Span[], folded?: readonly Span[]): Line[] {
  const indent = indentOf(p);
  const lines = splitLines(own);
  const out: Line[] = [];
  let head = [...label];
  const cap = captionLine(p);
  if (cap !== undefined && lines.length > 0 && spanText(lines[0] as Span[]) === cap) {
    const capSpans = lines.shift() as Span[];
    if (p.kind === 'article') out.push({ role: 'caption', indent: indent + 1, spans: mergeSpans(capSpans) });
    else head = [...head, ...capSpans];
  }
  const body = lines.filter((l, i) => l.length > 0 || i === 0);
  if (folded !== undefined) {
    const foldLines = splitLines(folded);
    if (body.length === 0 || (body[0] as Span[]).length === 0) body.splice(0, body.length > 0 ? 1 : 0, ...foldLines);
    else body.push(...foldLines);
  }
  out.push({ role: 'text', indent, spans: mergeSpans(joinLabel(head, body[0] ?? [])) });
  for (const l of body.slice(1)) if (l.length > 0) out.push({ role: 'text', indent: indent + 1, spans: mergeSpans(l) });
  return out;
}

/** An article whose first paragraph is unnumbered: the two are set as one line (第六条　輸出令別表…). */
function foldedParagraph(p: Provision | undefined): Provision | undefined {
  if (!p || (p.kind !== 'article' && p.kind !== 'suppl-provision')) return undefined;
  if (p.text !== '' || p.extra.length > 0) return undefined;
  const first = p.children[0];
  return first && first.kind === 'paragraph' && first.implicit ? first : undefined;
}

/** A whole provision and everything below it, every word marked: added ones on the new side, removed ones on the old. */
function subtreeLines(p: Provision, mark: Mark, rootLabel: Mark): Line[] {
  const fold = foldedParagraph(p);
  const own: Span[] = [{ text: provisionOwnText(p), mark }];
  const lines = provisionLines(p, own, labelSpans(p, rootLabel), fold ? [{ text: provisionOwnText(fold), mark }] : undefined);
  const children = fold ? [...fold.children, ...p.children.slice(1)] : p.children;
  for (const c of children) lines.push(...subtreeLines(c, mark, mark));
  return lines;
}

/** Unchanged text standing for context: the label, the caption, and （略） for the words. */
function contextOwn(p: Provision): Span[] {
  if (isStructural(p)) return plain(provisionOwnText(p));
  const cap = captionLine(p);
  const hasWords = p.kind === 'appendix-table' ? p.text !== '' || p.extra.length > 0 : p.text !== '' || p.extra.length > 0 || (p.kind === 'row' && p.cells.some((c) => c.text !== ''));
  const words = hasWords ? ELIDED : '';
  return plain(cap === undefined ? words : words === '' ? cap : `${cap}\n${words}`);
}

/** One side's own text, marked from the redline: deletions on the old side, insertions on the new. */
function redlineSpans(r: Redline, side: Side): Span[] {
  const spans: Span[] = [];
  for (const s of r.segments) {
    if (s.op === 'equal') spans.push({ text: s.text, mark: 'plain' });
    else if ((s.op === 'delete') === (side === 'before')) spans.push({ text: s.text, mark: 'changed' });
  }
  return spans;
}

/**
 * Both sides' own text of a changed provision. The redline was computed
 * from exactly these texts; if it no longer fits them (a diff read from an
 * older cache), it is computed again rather than shown against the wrong words.
 */
function ownSpans(c: ProvisionChange | undefined, o: Provision, n: Provision): { before: Span[]; after: Span[] } {
  const ob = provisionOwnText(o);
  const nb = provisionOwnText(n);
  let r = c?.redline;
  if (r) {
    const b = redlineSpans(r, 'before');
    const a = redlineSpans(r, 'after');
    if (spanText(b) === ob && spanText(a) === nb) return { before: b, after: a };
  }
  if (ob === nb) return { before: plain(ob), after: plain(nb) };
  r = computeRedline(ob, nb);
  return { before: redlineSpans(r, 'before'), after: redlineSpans(r, 'after') };
}

function note(text: string, indent: number): Line {
  return { role: 'note', indent, spans: plain(text) };
}

// ---------------------------------------------------------------------------
// Rows

interface Walk {
  rows: ShinkyuRow[];
  shown: Set<ProvisionChange>;
  before: CorpusIndex;
  after: CorpusIndex;
}

function labelMark(c: ProvisionChange | undefined): Mark {
  return c && (c.kind === 'renumbered' || c.kind === 'moved') ? 'label' : 'plain';
}

/** A remark for a provision moved from another place: where it stood before. */
function movedRemark(w: Walk, node: Node): Line[] {
  if (node.change?.kind !== 'moved' || !node.old) return [];
  return [{ role: 'remark', indent: indentOf(node.old), spans: plain(`〔${citeProvision(w.before, node.old)}から移動〕`) }];
}

/** The row of a changed provision, or of an ancestor standing for context; `fold` is its unnumbered first paragraph. */
function provisionRow(w: Walk, node: Node, fold: Node | undefined): ShinkyuRow {
  const c = node.change;
  if (c) w.shown.add(c);
  if (fold?.change) w.shown.add(fold.change);
  const side = (s: Side): Line[] => {
    const p = s === 'before' ? node.old : node.new;
    if (!p) return [];
    let own: Span[];
    if (c && node.old && node.new) own = ownSpans(c, node.old, node.new)[s];
    else own = contextOwn(p);
    let folded: Span[] | undefined;
    const f = fold ? (s === 'before' ? fold.old : fold.new) : undefined;
    if (fold && f) folded = fold.change && fold.old && fold.new ? ownSpans(fold.change, fold.old, fold.new)[s] : plain(ELIDED);
    const lines = provisionLines(p, own, labelSpans(p, labelMark(c)), folded);
    // below the text, so that both sides' first lines stay level
    return s === 'after' ? [...lines, ...movedRemark(w, node)] : lines;
  };
  return { kind: c || fold?.change ? 'change' : 'context', after: side('after'), before: side('before') };
}

/** A provision with everything below it; a chapter's heading alone, its articles having rows of their own. */
function wholeLines(p: Provision, mark: Mark, rootLabel: Mark): Line[] {
  return isStructural(p) ? provisionLines(p, [{ text: provisionOwnText(p), mark }], labelSpans(p, rootLabel)) : subtreeLines(p, mark, rootLabel);
}

/** Added, removed, or reduced to 削除: the whole provision on one side, a note or 削除 on the other. */
function wholeRow(w: Walk, node: Node, c: ProvisionChange): ShinkyuRow {
  w.shown.add(c);
  const o = node.old;
  const n = node.new;
  switch (c.kind) {
    case 'added':
      return { kind: 'change', after: n ? wholeLines(n, 'changed', 'changed') : [], before: n ? [note(NEW_NOTE, indentOf(n))] : [] };
    case 'removed':
      return { kind: 'change', after: o ? [note(REMOVED_NOTE, indentOf(o))] : [], before: o ? wholeLines(o, 'changed', 'changed') : [] };
    default:
      // the number stays; its words give way to 削除
      return {
        kind: 'change',
        after: n ? provisionLines(n, [{ text: provisionOwnText(n), mark: 'changed' }], labelSpans(n, 'plain')) : [],
        before: o ? wholeLines(o, 'changed', 'plain') : [],
      };
  }
}

/** 一～十六, ２・３, 十八: the labels of an elided run, as the official tables write them. */
function labelRange(ps: readonly Provision[]): string {
  const first = ps[0];
  const last = ps[ps.length - 1];
  if (!first || !last) return '';
  // a range only reads as one when the run is of one kind, all numbered, and not all 附則
  if (ps.some((p) => p.label === '' || p.kind !== first.kind)) return '';
  if (ps.length === 1) return first.label;
  if (first.label === last.label) return '';
  return `${first.label}${ps.length === 2 ? '・' : '～'}${last.label}`;
}

function elidedRow(run: readonly Node[]): ShinkyuRow {
  const side = (s: Side): Line[] => {
    const ps = run.flatMap((n) => {
      const p = s === 'before' ? n.old : n.new;
      return p ? [p] : [];
    });
    const first = ps[0];
    if (!first) return [];
    const range = labelRange(ps);
    return [{ role: 'note', indent: indentOf(first), spans: joinLabel(plain(range), plain(ELIDED)) }];
  };
  return { kind: 'elided', after: side('after'), before: side('before') };
}

/** Lists of articles, chapters, 附則 and tables: the official tables do not elide before the first change or after the last. */
function isOuter(nodes: readonly Node[]): boolean {
  return nodes.every((n) => {
    const p = n.new ?? n.old;
    return p !== undefined && (isStructural(p) || p.kind === 'article' || p.kind === 'suppl-provision' || p.kind === 'appendix-table');
  });
}

function walkList(w: Walk, nodes: readonly Node[]): void {
  const outer = isOuter(nodes);
  let run: Node[] = [];
  let seen = false;
  for (const node of nodes) {
    if (!node.changed) {
      run.push(node);
      continue;
    }
    if (run.length > 0 && (!outer || seen)) w.rows.push(elidedRow(run));
    run = [];
    seen = true;
    walkNode(w, node);
  }
  if (run.length > 0 && !outer) w.rows.push(elidedRow(run));
}

function walkNode(w: Walk, node: Node): void {
  const c = node.change;
  if (c && isWhole(c)) {
    w.rows.push(wholeRow(w, node, c));
    if (!coversSubtree(c, node.new ?? node.old)) walkList(w, node.children);
    return;
  }
  const [first, ...rest] = node.children;
  const foldOld = foldedParagraph(node.old);
  const foldNew = foldedParagraph(node.new);
  // fold the unnumbered first paragraph into the article's line unless it was itself added or removed
  const fold = first && !isWhole(first.change) && (first.old === undefined || first.old === foldOld) && (first.new === undefined || first.new === foldNew) && (foldOld || foldNew) ? first : undefined;
  w.rows.push(provisionRow(w, node, fold));
  // 第十二条　（略） under a new number already says the whole article stands as it was
  if (fold && !fold.change && !node.children.some((ch) => ch.changed)) return;
  if (fold) {
    walkList(w, fold.children);
    walkList(w, rest);
  } else walkList(w, node.children);
}

/** The amending act's 附則, appended at the top level: shown after the table, not in it. */
function isAppendedSuppl(c: ProvisionChange, after: CorpusIndex): boolean {
  if (c.kind !== 'added') return false;
  const p = after.provisions.get(c.id);
  return p?.kind === 'suppl-provision' && !after.parents.has(p.id);
}

function instrumentTable(d: InstrumentDiff, before: CorpusIndex, after: CorpusIndex): ShinkyuTable {
  const oldIns: Instrument | undefined = before.instruments.get(d.instrument);
  const newIns: Instrument | undefined = after.instruments.get(d.instrument);
  const appendedChanges = d.changes.filter((c) => isAppendedSuppl(c, after));
  const inTable = d.changes.filter((c) => !appendedChanges.includes(c));
  const ctx = mergeContext(d, before, after, inTable);
  const tree = mergeLists(ctx, oldIns?.provisions ?? [], newIns?.provisions ?? []);
  const w: Walk = { rows: [], shown: new Set(), before, after };
  walkList(w, tree);
  // a change the merged tree could not place is still shown, at the end, with its citation
  for (const c of inTable) {
    if (w.shown.has(c)) continue;
    const o = c.kind === 'added' ? undefined : before.provisions.get(c.oldId ?? c.id);
    const n = c.kind === 'removed' ? undefined : after.provisions.get(c.newId ?? c.id);
    const node: Node = { ...(o ? { old: o } : {}), ...(n ? { new: n } : {}), change: c, children: [], changed: true };
    const cite = n ? citeProvision(after, n) : o ? citeProvision(before, o) : c.id;
    w.rows.push({ kind: 'context', after: [{ role: 'remark', indent: 0, spans: plain(`〔${cite}〕`) }], before: [] });
    w.rows.push(isWhole(c) ? wholeRow(w, node, c) : o && n ? provisionRow(w, node, undefined) : wholeRow(w, node, { ...c, kind: o ? 'removed' : 'added' }));
  }
  const ins = newIns ?? oldIns;
  const appended = appendedChanges.flatMap((c) => {
    const p = after.provisions.get(c.id);
    return p ? [subtreeLines(p, 'plain', 'plain')] : [];
  });
  const lawNum = ins?.meta.lawNum;
  const enforcedBefore = oldIns?.meta.enforcedAt;
  const enforcedAfter = newIns?.meta.enforcedAt;
  return {
    instrument: d.instrument,
    name: ins ? shortName(ins) : d.instrument,
    title: ins?.meta.title ?? d.title,
    ...(lawNum !== undefined ? { lawNum } : {}),
    ...(enforcedBefore !== undefined ? { enforcedBefore } : {}),
    ...(enforcedAfter !== undefined ? { enforcedAfter } : {}),
    rows: w.rows,
    appended,
  };
}

export function buildShinkyuView(diff: CorpusDiff, before: CorpusIndex, after: CorpusIndex): ShinkyuView {
  const tables = diff.instruments.filter((d) => d.changes.length > 0).map((d) => instrumentTable(d, before, after));
  return { from: diff.from, to: diff.to, tables };
}

// ---------------------------------------------------------------------------
// HTML

const CSS = `
@page { size: A4 landscape; margin: 14mm 12mm; }
:root { color: #000; background: #fff; }
body {
  margin: 2em auto; max-width: 80em; padding: 0 1.5em;
  font-family: "Noto Serif CJK JP", "Noto Serif JP", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Mincho ProN", "Yu Mincho", serif;
  font-size: 10.5pt; line-height: 1.75;
  line-break: strict; overflow-wrap: anywhere;
}
header.doc h1 { font-size: 1.3em; font-weight: normal; letter-spacing: 0.5em; text-align: center; margin: 0 0 0.3em; }
header.doc p { text-align: center; margin: 0 0 1.5em; font-size: 0.85em; color: #333; }
section.instrument { margin: 0 0 3em; }
table.shinkyu { width: 100%; border-collapse: collapse; table-layout: fixed; border: 1px solid #000; }
table.shinkyu caption { caption-side: top; text-align: left; padding: 0 0 0.4em; }
caption .law { display: block; font-size: 1.05em; }
caption .law .title { font-size: 0.85em; }
caption .meta { display: block; font-size: 0.8em; color: #333; }
caption .marking { display: block; text-align: right; }
thead { display: table-header-group; }
th { font-weight: normal; text-align: center; letter-spacing: 1em; padding: 0.2em 0 0.2em 1em; border: 1px solid #000; }
td { vertical-align: top; padding: 0.15em 0.6em; border-left: 1px solid #000; border-right: 1px solid #000; }
tbody tr:first-child td { padding-top: 0.5em; }
tbody tr:last-child td { padding-bottom: 0.8em; }
/* an empty footer, repeated like the header, closes the table at the foot of every printed page */
tfoot { display: table-footer-group; }
tfoot td { padding: 0; height: 0; border: 0; border-top: 1px solid #000; }
tr.elided, tr.context { break-inside: avoid; }
p.l { margin: 0; text-indent: -1em; }
p.caption { text-indent: 0; }
p.note { text-indent: 0; }
p.remark { text-indent: 0; font-size: 0.85em; color: #555; }
${Array.from({ length: 10 }, (_, i) => `p.i${i} { padding-left: ${i + 1}em; }`).join('\n')}
p.caption.i0, p.note.i0, p.remark.i0 { padding-left: 0; }
${Array.from({ length: 9 }, (_, i) => `p.caption.i${i + 1}, p.note.i${i + 1}, p.remark.i${i + 1} { padding-left: ${i + 1}em; }`).join('\n')}
ins, del { text-decoration: underline; text-decoration-thickness: 1px; text-underline-offset: 0.22em; color: inherit; background: none; }
.renum { text-decoration: underline double; text-decoration-thickness: 1px; text-underline-offset: 0.22em; }
section.appended { margin-top: 1em; border: 1px solid #888; padding: 0.5em 0.8em; break-inside: avoid; }
section.appended h3 { font-size: 0.9em; font-weight: normal; margin: 0 0 0.3em; color: #333; }
p.empty { text-align: center; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  header.doc p, caption .meta, p.remark { color: #000; }
}
`;

function spanHtml(s: Span, side: Side): string {
  const text = escapeHtml(s.text);
  switch (s.mark) {
    case 'plain':
      return text;
    case 'label':
      return `<span class="renum">${text}</span>`;
    case 'changed':
      return side === 'after' ? `<ins>${text}</ins>` : `<del>${text}</del>`;
  }
}

function lineHtml(l: Line, side: Side): string {
  const cls = ['l', `i${Math.min(l.indent, 9)}`, ...(l.role === 'text' ? [] : [l.role])].join(' ');
  return `<p class="${cls}">${l.spans.map((s) => spanHtml(s, side)).join('')}</p>`;
}

function cellHtml(lines: readonly Line[], side: Side): string {
  return `<td class="${side === 'after' ? 'new' : 'old'}">${lines.map((l) => lineHtml(l, side)).join('')}</td>`;
}

function shortRevision(r: string): string {
  return /^[0-9a-f]{40}$/.test(r) ? r.slice(0, 7) : r;
}

function tableHtml(t: ShinkyuTable): string {
  const title = t.title !== t.name ? `<span class="title">（${escapeHtml(t.title)}${t.lawNum ? `・${escapeHtml(t.lawNum)}` : ''}）</span>` : t.lawNum ? `<span class="title">（${escapeHtml(t.lawNum)}）</span>` : '';
  const dates = [t.enforcedBefore ? `改正前 ${t.enforcedBefore} 施行` : '', t.enforcedAfter ? `改正後 ${t.enforcedAfter} 施行` : ''].filter((s) => s !== '').join('　／　');

  const rows = t.rows.map((r) => `<tr class="${r.kind}">${cellHtml(r.after, 'after')}${cellHtml(r.before, 'before')}</tr>`);
  const appended =
    t.appended.length === 0
      ? ''
      : `<section class="appended"><h3>この改正で加えられた附則（改正法令の附則であり、対照表には掲げない。）</h3>${t.appended.map((lines) => lines.map((l) => lineHtml(l, 'after')).join('')).join('')}</section>`;
  return [
    `<section class="instrument" id="${escapeHtml(t.instrument)}">`,
    '<table class="shinkyu">',
    `<caption><span class="law">○${escapeHtml(t.name)}${title}</span>${dates ? `<span class="meta">${escapeHtml(dates)}</span>` : ''}<span class="marking">（傍線部分は改正部分）</span></caption>`,
    '<colgroup><col class="new"><col class="old"></colgroup>',
    '<thead><tr><th scope="col">改正後</th><th scope="col">改正前</th></tr></thead>',
    '<tfoot><tr><td colspan="2"></td></tr></tfoot>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
    appended,
    '</section>',
  ].join('\n');
}

/** The style of the 新旧対照表, for pages that hold it under their own stylesheet (the portal). */
export const SHINKYU_CSS = CSS;

/** The tables alone, without a page around them. */
export function shinkyuTablesHtml(view: ShinkyuView): string {
  return view.tables.length === 0 ? '<p class="empty">規定の改正はありません。</p>' : view.tables.map((t) => tableHtml(t)).join('\n');
}

export function renderShinkyuView(view: ShinkyuView): string {
  const heading = `${shortRevision(view.from)} → ${shortRevision(view.to)}`;
  const body = view.tables.length === 0 ? '<p class="empty">規定の改正はありません。</p>' : view.tables.map((t) => tableHtml(t)).join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="ja">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`新旧対照表 ${view.tables.map((t) => t.name).join('・')} ${heading}`)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<header class="doc"><h1>新旧対照表</h1><p>${escapeHtml(heading)}</p></header>`,
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function renderShinkyuHtml(diff: CorpusDiff, before: CorpusIndex, after: CorpusIndex): string {
  return renderShinkyuView(buildShinkyuView(diff, before, after));
}
