/**
 * mdast → provision model, for the Markdown of e-Gov texts as converted by
 * legalize-jp and for the same conventions written by our editors
 * (docs/format.md). Every character of provision text ends up in exactly one
 * provision field; a block that is not understood is kept as a `text`
 * provision and reported.
 */
import type { List, ListItem, Paragraph as MdParagraph, PhrasingContent, Root, RootContent, Table } from 'mdast';
import { formatStep, parseId, rowItemKind, subitemKind } from './ids.js';
import { plainText, rangeOf } from './inline-text.js';
import { parseLabel, splitLabel, type Label } from './labels.js';
import { parseBranchedNumber } from './numerals.js';
import type {
  AddressStep,
  AppendixTable,
  Article,
  Chapter,
  Diagnostic,
  InlineLink,
  Instrument,
  InstrumentMeta,
  Paragraph,
  Provision,
  Row,
  RowItem,
  SourcePoint,
  SourceRange,
  SubItem,
  StepKind,
  SupplProvision,
  TextBlock,
} from './types.js';
import { splitRowItems } from './row-items.js';
import { isStructural } from './types.js';

export interface BuildInput {
  file: string;
  /** The whole file text (LF line endings), for positions and indentation. */
  source: string;
  meta: InstrumentMeta;
  root: Root;
}

export interface BuildResult {
  instrument: Instrument;
  diagnostics: Diagnostic[];
}

/** Deepest sub-item level the id grammar names (subitem … subitem6). */
export const MAX_SUBITEM_LEVEL = 6;

interface StepInfo {
  kind: StepKind;
  num: string;
  to?: string;
  iroha: boolean;
  /** An explicit step written by an editor: `{#art4-2}`. */
  explicit?: string;
}

const N = '[〇一二三四五六七八九十百千0-9０-９]+';
const ARTICLE_RE = new RegExp(`^(第${N}条(?:の${N})*)(?:(から|及び)(第${N}条(?:の${N})*)(まで)?)?(?:[（(](.*)[）)])?$`);
const PARAGRAPH_RE = /^[０-９0-9]+$/;
const APPENDIX_RE = new RegExp(`^(附則)?(別表(?:第${N}(?:の${N})*)?)(?:[（(](.*)[）)])?(?:[\\u3000 ]+(削除))?$`);
const HEADING_RE = new RegExp(`^第(${N})(章|節|款|目)((?:の${N})*)(?:[\\u3000 ]+(.*))?$`);
const SUPPL_RE = /^附[\u3000 ]*則(?:[\u3000 ]*(.*))?$/;
const EXPLICIT_ID_RE = /^\s*\{#([^}\s]+)\}[\u3000 ]*/;

const DELETED = '削除';

function articleNum(label: string): string | undefined {
  return parseBranchedNumber(label.replace(/^第/, '').replace('条', ''));
}

function shiftPoint(p: SourcePoint, by: number): SourcePoint {
  return { line: p.line, column: p.column + by, offset: p.offset + by };
}

function emptyRange(): SourceRange {
  return { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
}

export function buildInstrument(input: BuildInput): BuildResult {
  return new Builder(input).build();
}

class Builder {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly steps = new WeakMap<Provision, StepInfo>();
  private readonly top: Provision[] = [];
  private readonly lineStarts: number[];

  // where we are
  private structure: Chapter[] = [];
  private suppl: SupplProvision | undefined;
  private article: Article | undefined;
  private paragraph: Paragraph | undefined;
  private appendix: AppendixTable | undefined;
  private last: Provision | undefined;
  private listStack: { col: number; prov: Provision; depth: number }[] = [];

  constructor(private readonly input: BuildInput) {
    this.lineStarts = [0];
    const s = input.source;
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  build(): BuildResult {
    for (const node of this.input.root.children) this.block(node);
    this.assignIds(this.top, [], [], this.input.meta.identifier);
    this.fixRanges(this.top);
    const { meta, file } = this.input;
    return {
      instrument: { id: meta.identifier, file, meta, provisions: this.top },
      diagnostics: this.diagnostics,
    };
  }

  private diag(range: SourceRange, severity: Diagnostic['severity'], rule: string, message: string): void {
    this.diagnostics.push({ file: this.input.file, line: range.start.line, column: range.start.column, severity, rule, message });
  }

  private make<P extends Provision>(p: Omit<P, 'id' | 'address' | 'extra' | 'children'> & Partial<Pick<P, 'extra'>>, step: StepInfo): P {
    const { kind, ...rest } = p;
    const prov = { kind, id: '', address: { instrument: this.input.meta.identifier, path: [] }, ...rest, extra: p.extra ?? [], children: [] } as unknown as P;
    this.steps.set(prov, step);
    return prov;
  }

  private add(parent: Provision | undefined, child: Provision): void {
    if (parent) parent.children.push(child);
    else this.top.push(child);
    this.last = child;
  }

  private resetContent(): void {
    this.article = undefined;
    this.paragraph = undefined;
    this.appendix = undefined;
    this.listStack = [];
  }

  // ── blocks ────────────────────────────────────────────────────────────

  private block(node: RootContent): void {
    switch (node.type) {
      case 'heading':
        this.heading(node.children, rangeOf(node));
        return;
      case 'paragraph':
        this.paragraphBlock(node);
        return;
      case 'list':
        this.list(node);
        return;
      case 'table':
        this.table(node);
        return;
      default:
        this.unrecognised(node);
    }
  }

  private unrecognised(node: RootContent): void {
    const range = rangeOf(node);
    const text = this.sourceSlice(range);
    this.diag(range, 'warning', 'unrecognised-construct', `a ${node.type} block is not part of the legislative format; kept as text`);
    this.addTextProvision(text, range);
  }

  private addTextProvision(text: string, range: SourceRange): void {
    const parent = this.last && this.last.kind !== 'text' ? this.containerForText() : this.containerForText();
    const p = this.make<Provision>({ kind: 'text', label: '', text, deleted: false, range }, { kind: 'text', num: '', iroha: false });
    this.add(parent, p);
  }

  private containerForText(): Provision | undefined {
    return this.paragraph ?? this.article ?? this.appendix ?? this.suppl ?? this.structure[this.structure.length - 1];
  }

  private sourceSlice(range: SourceRange): string {
    return this.input.source.slice(range.start.offset, range.end.offset);
  }

  private heading(children: PhrasingContent[], range: SourceRange): void {
    const { text } = plainText(children);
    const explicit = EXPLICIT_ID_RE.exec(text.replace(/^.*?(?=\{#)/, ''));
    const title = text.replace(/\s*\{#[^}]*\}\s*$/, '').trim();
    const sm = SUPPL_RE.exec(title);
    if (sm) {
      this.resetContent();
      this.structure = [];
      const caption = sm[1]?.trim();
      const p = this.make<SupplProvision>(
        { kind: 'suppl-provision', label: title.slice(0, title.length - (sm[1]?.length ?? 0)).trim(), text: '', deleted: false, range, ...(caption ? { caption } : {}) },
        { kind: 'suppl-provision', num: '', iroha: false, ...(explicit?.[1] ? { explicit: explicit[1] } : {}) },
      );
      this.add(undefined, p);
      this.suppl = p;
      return;
    }
    const hm = HEADING_RE.exec(title);
    if (hm?.[1] && hm[2]) {
      const num = parseBranchedNumber(hm[1] + (hm[3] ?? ''));
      const kind = ({ 章: 'chapter', 節: 'section', 款: 'subsection', 目: 'division' } as const)[hm[2] as '章' | '節' | '款' | '目'];
      const level = ['chapter', 'section', 'subsection', 'division'].indexOf(kind);
      if (num !== undefined) {
        this.resetContent();
        this.structure = this.structure.slice(0, level);
        const parent = this.structure[level - 1] ?? this.suppl;
        const heading = hm[4] ?? '';
        const p = this.make<Chapter>(
          { kind, label: title.slice(0, title.length - heading.length).trim(), title: heading, text: '', deleted: heading === DELETED, range },
          { kind, num, iroha: false, ...(explicit?.[1] ? { explicit: explicit[1] } : {}) },
        );
        this.add(parent, p);
        this.structure[level] = p;
        return;
      }
    }
    this.diag(range, 'warning', 'unrecognised-heading', `heading "${title}" is neither a chapter/section heading nor 附則; kept as text`);
    this.addTextProvision(text, range);
  }

  private paragraphBlock(node: MdParagraph): void {
    const range = rangeOf(node);
    const first = node.children[0];
    if (first?.type === 'strong') {
      const strong = plainText(first.children).text.trim();
      const restPlain = plainText(node.children.slice(1));
      let rest = restPlain.text;
      let explicit: string | undefined;
      const em = EXPLICIT_ID_RE.exec(rest);
      if (em) {
        explicit = em[1];
        rest = rest.slice(em[0].length);
      }
      const lead = rest.length - rest.replace(/^[\u3000 ]+/, '').length;
      rest = rest.slice(lead);
      const shiftBy = restPlain.text.length - rest.length;
      const links = restPlain.links.map((l) => ({ ...l, index: l.index - shiftBy }));
      const after = node.children[1];
      const textAt = after ? shiftPoint(rangeOf(after).start, shiftBy) : undefined;
      if (this.articleParagraph(strong, rest, links, range, explicit, textAt)) return;
      if (this.numberedParagraph(strong, rest, links, range, explicit, textAt)) return;
      if (this.appendixCaption(strong, rest, range, explicit)) return;
      this.diag(range, 'warning', 'unrecognised-construct', `bold text "${strong.slice(0, 30)}" does not start an article, paragraph or appended table; kept as text`);
    }
    this.plainParagraph(node, range);
  }

  private articleParagraph(strong: string, rest: string, links: InlineLink[], range: SourceRange, explicit: string | undefined, textAt: SourcePoint | undefined): boolean {
    const m = ARTICLE_RE.exec(strong);
    if (!m?.[1]) return false;
    const num = articleNum(m[1]);
    const to = m[3] ? articleNum(m[3]) : undefined;
    if (num === undefined || (m[3] && to === undefined)) return false;
    const caption = m[5];
    const label = strong.slice(0, caption !== undefined ? strong.lastIndexOf('（') >= 0 ? strong.lastIndexOf('（') : strong.lastIndexOf('(') : strong.length);
    this.resetContent();
    const deleted = rest.trim() === DELETED;
    const art = this.make<Article>(
      { kind: 'article', label, text: deleted ? rest : '', deleted, range, ...(caption !== undefined ? { caption } : {}), ...(deleted && textAt ? { textAt } : {}) },
      { kind: 'article', num, iroha: false, ...(to !== undefined ? { to } : {}), ...(explicit ? { explicit } : {}) },
    );
    this.add(this.suppl && this.structure.length === 0 ? this.suppl : this.structure[this.structure.length - 1] ?? this.suppl, art);
    this.article = art;
    if (!deleted) {
      const para = this.make<Paragraph>(
        { kind: 'paragraph', label: '', text: '', implicit: true, deleted: false, range },
        { kind: 'paragraph', num: '1', iroha: false },
      );
      this.add(art, para);
      this.paragraph = para;
      this.setTextWithLazyItems(para, rest, links, textAt, range);
    }
    return true;
  }

  private numberedParagraph(strong: string, rest: string, links: InlineLink[], range: SourceRange, explicit: string | undefined, textAt: SourcePoint | undefined): boolean {
    if (!PARAGRAPH_RE.test(strong)) return false;
    const parent = this.article ?? this.suppl;
    if (!parent) {
      this.diag(range, 'warning', 'orphan-paragraph', `paragraph ${strong} is not inside an article or 附則; kept as text`);
      this.addTextProvision(`${strong}${rest}`, range);
      return true;
    }
    const num = parseBranchedNumber(strong) ?? strong;
    const para = this.make<Paragraph>(
      { kind: 'paragraph', label: strong, text: '', implicit: false, deleted: rest.trim() === DELETED, range },
      { kind: 'paragraph', num, iroha: false, ...(explicit ? { explicit } : {}) },
    );
    this.add(parent, para);
    this.paragraph = para;
    this.listStack = [];
    this.setTextWithLazyItems(para, rest, links, textAt, range);
    return true;
  }

  private appendixCaption(strong: string, rest: string, range: SourceRange, explicit: string | undefined): boolean {
    const m = APPENDIX_RE.exec(strong);
    if (!m?.[2]) return false;
    const numText = m[2].replace(/^別表/, '').replace(/^第/, '');
    const num = numText === '' ? '' : parseBranchedNumber(numText);
    if (num === undefined) return false;
    const inSuppl = m[1] !== undefined;
    const caption = m[3];
    const deleted = m[4] !== undefined || rest.trim() === DELETED;
    const labelEnd = caption !== undefined ? strong.indexOf('（') : m[4] !== undefined ? strong.search(/[\u3000 ]+削除$/) : strong.length;
    const label = strong.slice(0, labelEnd < 0 ? strong.length : labelEnd);
    this.resetContent();
    if (!inSuppl) {
      this.suppl = undefined;
      this.structure = [];
    }
    const p = this.make<AppendixTable>(
      {
        kind: 'appendix-table',
        label,
        text: m[4] !== undefined ? m[4] : rest,
        header: [],
        deleted,
        range,
        ...(caption !== undefined ? { caption } : {}),
      },
      { kind: 'appendix-table', num, iroha: false, ...(explicit ? { explicit } : {}) },
    );
    this.add(inSuppl ? this.suppl : undefined, p);
    this.appendix = p;
    return true;
  }

  private plainParagraph(node: MdParagraph, range: SourceRange): void {
    const { text, links } = plainText(node.children);
    if (this.suppl && !this.article && !this.paragraph && !this.appendix && this.last === this.suppl) {
      const para = this.make<Paragraph>(
        { kind: 'paragraph', label: '', text: '', implicit: true, deleted: false, range },
        { kind: 'paragraph', num: '1', iroha: false },
      );
      this.add(this.suppl, para);
      this.paragraph = para;
      const first = node.children[0];
      this.setTextWithLazyItems(para, text, links, first ? rangeOf(first).start : undefined, range);
      return;
    }
    if (this.last && this.last.kind !== 'suppl-provision' && this.last.kind !== 'chapter' && this.last.kind !== 'section' && this.last.kind !== 'subsection' && this.last.kind !== 'division') {
      // a formula or a sentence on its own line, continuing the provision before it
      this.last.extra.push({ text, range });
      return;
    }
    this.diag(range, 'warning', 'unrecognised-construct', 'text outside any article, paragraph or appended table; kept as text');
    this.addTextProvision(text, range);
  }

  /**
   * Sets a provision's text. Lines of the paragraph that look like list items
   * ("- イ　…") are list items that CommonMark read as lazy continuation
   * lines (they followed a less indented line without a blank line): they
   * are recovered as items at their source indentation, and reported.
   */
  private setTextWithLazyItems(p: Provision, text: string, links: InlineLink[], textAt: SourcePoint | undefined, range: SourceRange): void {
    const segments = text.split('\n');
    let own = segments[0] ?? '';
    const virtual: { col: number; line: number; text: string }[] = [];
    const firstLine = range.start.line;
    for (let i = 1; i < segments.length; i++) {
      const seg = segments[i] ?? '';
      const lm = /^[-*+] (.*)$/.exec(seg);
      const srcLine = this.lineText(firstLine + i);
      if (lm?.[1] !== undefined && splitLabel(lm[1]) && /^\s*[-*+] /.test(srcLine)) {
        virtual.push({ col: srcLine.length - srcLine.trimStart().length, line: firstLine + i, text: lm[1] });
        continue;
      }
      const target = virtual[virtual.length - 1];
      if (target) target.text += `\n${seg}`;
      else own += `\n${seg}`;
    }
    p.text = own;
    if (textAt) p.textAt = textAt;
    if (own.trim() === DELETED) p.deleted = true;
    const ownLinks = links.filter((l) => l.index < own.length);
    if (ownLinks.length > 0) p.links = ownLinks;
    for (const v of virtual) {
      const vr: SourceRange = {
        start: { line: v.line, column: v.col + 1, offset: (this.lineStarts[v.line - 1] ?? 0) + v.col },
        end: { line: v.line, column: v.col + 1 + v.text.length, offset: (this.lineStarts[v.line - 1] ?? 0) + v.col + v.text.length },
      };
      this.diag(vr, 'warning', 'lazy-list-item', 'this list item continues the text above it in Markdown (no blank line before it); it was read as an item at its indentation');
      this.placeItem(v.col, v.text, [], vr, shiftPoint(vr.start, 2));
    }
  }

  private lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const end = this.input.source.indexOf('\n', start);
    return this.input.source.slice(start, end < 0 ? undefined : end);
  }

  // ── lists ─────────────────────────────────────────────────────────────

  private list(node: List): void {
    for (const item of node.children) this.listItem(item);
  }

  private listItem(item: ListItem): void {
    const range = rangeOf(item);
    const col = range.start.column - 1;
    const [head, ...more] = item.children;
    let placed: Provision | undefined;
    if (head?.type === 'paragraph') {
      const { text, links } = plainText(head.children);
      const first = head.children[0];
      placed = this.placeItem(col, text, links, range, first ? rangeOf(first).start : undefined);
    } else {
      placed = this.placeItem(col, '', [], range, undefined);
      if (head) more.unshift(head);
    }
    for (const child of more) {
      if (child.type === 'list') this.list(child);
      else if (child.type === 'paragraph') {
        const pt = plainText(child.children);
        (placed ?? this.last)?.extra.push({ text: pt.text, range: rangeOf(child) });
      } else {
        const r = rangeOf(child);
        this.diag(r, 'warning', 'unrecognised-construct', `a ${child.type} block inside a list item; kept as text`);
        (placed ?? this.last)?.extra.push({ text: this.sourceSlice(r), range: r });
      }
    }
  }

  /** Places an item by indentation: the stack of open items decides its parent and level. */
  private placeItem(col: number, text: string, links: InlineLink[], range: SourceRange, textStart: SourcePoint | undefined): Provision | undefined {
    while (this.listStack.length > 0 && (this.listStack[this.listStack.length - 1]?.col ?? -1) >= col) this.listStack.pop();
    const open = this.listStack[this.listStack.length - 1];
    const base = this.paragraph ?? this.appendix ?? this.suppl ?? this.last;
    const parent = open?.prov ?? base;
    const depth = open ? open.depth + 1 : 0;
    const split = splitLabel(text);
    let explicit: string | undefined;
    let rest = split?.rest ?? text;
    const em = EXPLICIT_ID_RE.exec(rest);
    if (split && em) {
      explicit = em[1];
      rest = rest.slice(em[0].length);
    }
    const label: Label | undefined = split ? parseLabel(split.label) : undefined;
    if (!split || !label || !parent) {
      // an unlabelled item: the body text of an appended table (a list of
      // countries), or something we keep with the provision it follows
      const holder = parent ?? this.last;
      if (!holder) {
        this.diag(range, 'warning', 'unrecognised-construct', 'list item outside any provision; kept as text');
        this.addTextProvision(text, range);
        return undefined;
      }
      if (holder.kind !== 'appendix-table') {
        this.diag(range, 'warning', 'unlabelled-item', 'list item without a number label (一, イ, （一）…); kept as text of the provision above');
      }
      holder.extra.push({ text, range });
      this.listStack.push({ col, prov: holder, depth: depth - 1 });
      return holder;
    }
    if (depth > MAX_SUBITEM_LEVEL) {
      this.diag(range, 'error', 'nesting-too-deep', `item nested ${depth} levels below an item; at most ${MAX_SUBITEM_LEVEL} levels are supported; kept as text`);
      parent.extra.push({ text, range });
      return undefined;
    }
    const iroha = label.family === 'iroha' || label.family === 'paren-iroha';
    const stepBase = { num: label.num, iroha, ...(label.to !== undefined ? { to: label.to } : {}), ...(explicit ? { explicit } : {}) };
    const shiftBy = text.length - rest.length;
    const ownLinks = links.map((l) => ({ ...l, index: l.index - shiftBy })).filter((l) => l.index >= 0);
    let prov: Provision;
    if (depth === 0) {
      prov = this.make<Provision>({ kind: 'item', label: split.label, text: '', deleted: false, range }, { kind: 'item', ...stepBase });
    } else {
      prov = this.make<SubItem>({ kind: 'subitem', level: depth, label: split.label, text: '', deleted: false, range }, { kind: subitemKind(depth), ...stepBase });
    }
    this.add(parent, prov);
    this.listStack.push({ col, prov, depth });
    this.setTextWithLazyItems(prov, rest, ownLinks, textStart ? shiftPoint(textStart, shiftBy) : undefined, range);
    return prov;
  }

  // ── tables ────────────────────────────────────────────────────────────

  private table(node: Table): void {
    const range = rangeOf(node);
    const rows = node.children.map((row) =>
      row.children.map((cell) => {
        const first = cell.children[0];
        return { ...plainText(cell.children), range: rangeOf(cell), textAt: first ? rangeOf(first).start : rangeOf(cell).start };
      }),
    );
    const appendix = this.appendix;
    if (!appendix || appendix.children.some((c) => c.kind === 'row') || appendix.header.length > 0) {
      // a table inside a provision (e-Gov TableStruct): its cells are text of that provision
      const holder = this.last;
      if (!holder) {
        this.diag(range, 'warning', 'unrecognised-construct', 'table outside any provision; kept as text');
        this.addTextProvision(rows.map((r) => r.map((c) => c.text).join('\t')).join('\n'), range);
        return;
      }
      for (const r of rows) for (const c of r) holder.extra.push({ text: c.text, range: c.range });
      return;
    }
    const [header, ...body] = rows;
    appendix.header = (header ?? []).map((c) => ({ text: c.text, range: c.range }));
    let prev: Row | undefined;
    for (const cells of body) {
      const [numCell, goodsCell, ...others] = cells;
      const rowRange: SourceRange = numCell && cells.length > 0 ? { start: numCell.range.start, end: (cells[cells.length - 1] ?? numCell).range.end } : emptyRange();
      const label = numCell ? parseLabel(numCell.text.trim()) : undefined;
      if (!numCell || !label || (label.family !== 'kanji' && label.family !== 'digit')) {
        if (prev) {
          prev.continuation.push(cells.map((c) => ({ text: c.text, range: c.range })));
        } else {
          for (const c of cells) appendix.extra.push({ text: c.text, range: c.range });
        }
        continue;
      }
      const goods = goodsCell?.text ?? '';
      const row = this.make<Row>(
        {
          kind: 'row',
          label: numCell.text.trim(),
          text: '',
          cells: others.map((c) => ({ text: c.text, range: c.range })),
          continuation: [],
          deleted: goods.trim() === DELETED,
          range: rowRange,
        },
        { kind: 'row', num: label.num, iroha: false, ...(label.to !== undefined ? { to: label.to } : {}) },
      );
      this.add(appendix, row);
      prev = row;
      const split = splitRowItems(goods);
      row.text = split.lead;
      const cellStart = goodsCell?.textAt ?? rowRange.start;
      row.textAt = cellStart;
      const stack: Provision[] = [row];
      for (const it of split.items) {
        const parent = stack[it.level - 1] ?? row;
        const offset = cellStart.offset + it.index;
        const column = cellStart.column + it.index;
        const r: SourceRange = {
          start: { line: cellStart.line, column, offset },
          end: { line: cellStart.line, column: column + it.label.length + 1 + it.text.length, offset: offset + it.label.length + 1 + it.text.length },
        };
        const iroha = it.family === 'iroha';
        if (it.level > 4) {
          this.diag(r, 'error', 'nesting-too-deep', 'row item nested more than 4 levels; kept as text');
          parent.extra.push({ text: it.text, range: r });
          continue;
        }
        const ri = this.make<RowItem>(
          { kind: 'row-item', level: it.level, label: it.label, text: it.text, deleted: it.text.trim() === DELETED, range: r, textAt: shiftPoint(r.start, it.label.length + 1) },
          { kind: rowItemKind(it.level), num: it.num, iroha },
        );
        parent.children.push(ri);
        stack.length = it.level;
        stack[it.level] = ri;
      }
      this.last = row;
    }
    void range;
  }

  // ── ids ───────────────────────────────────────────────────────────────

  private assignIds(list: Provision[], structPath: AddressStep[], contentPath: AddressStep[], instrumentId: string): void {
    const seen = new Map<string, Provision>();
    this.assign(list, structPath, contentPath, instrumentId, seen);
  }

  private assign(list: Provision[], structPath: AddressStep[], contentPath: AddressStep[], instrumentId: string, seen: Map<string, Provision>): void {
    let textOrdinal = 0;
    let supplOrdinal = 0;
    for (const p of list) {
      const info = this.steps.get(p);
      if (!info) continue;
      let num = info.num;
      if (info.kind === 'text') num = String(++textOrdinal);
      if (info.kind === 'suppl-provision') num = String(++supplOrdinal);
      const step: AddressStep = info.to !== undefined ? { kind: info.kind, num, to: info.to } : { kind: info.kind, num };
      const isStructure = isStructural(p);
      const base = isStructure ? structPath : contentPath;
      const path = [...base, step];
      p.address = { instrument: instrumentId, path };
      const parentId = base.length === 0 ? instrumentId : this.idOfPath(base, instrumentId);
      let stepText = formatStep(step, info.iroha);
      if (info.explicit !== undefined) {
        if (explicitStepKind(info.explicit, base[base.length - 1]?.kind) === info.kind) stepText = info.explicit;
        else this.diag(p.range, 'error', 'invalid-explicit-id', `explicit id {#${info.explicit}} is not a valid step for this ${info.kind} in the id grammar (such as ${stepText}); using ${stepText}`);
      }
      p.id = `${parentId}/${stepText}`;
      this.stepTexts.set(pathKeyOf(path), p.id);
      const dup = seen.get(p.id);
      if (dup) {
        this.diag(p.range, 'error', 'duplicate-provision-id', `provision id ${p.id} is already used at line ${dup.range.start.line}`);
      } else seen.set(p.id, p);
      if (isStructure) this.assign(p.children, path, contentPath, instrumentId, seen);
      else this.assign(p.children, path, path, instrumentId, seen);
    }
  }

  private readonly stepTexts = new Map<string, string>();

  private idOfPath(path: AddressStep[], instrumentId: string): string {
    return this.stepTexts.get(pathKeyOf(path)) ?? `${instrumentId}/${path.map((s) => formatStep(s)).join('/')}`;
  }

  private fixRanges(list: Provision[]): SourceRange['end'] | undefined {
    let max: SourceRange['end'] | undefined;
    for (const p of list) {
      let end = p.range.end;
      for (const b of p.extra) if (b.range.end.offset > end.offset) end = b.range.end;
      if (p.kind === 'row') {
        for (const c of p.cells) if (c.range.end.offset > end.offset) end = c.range.end;
        for (const row of p.continuation) for (const c of row) if (c.range.end.offset > end.offset) end = c.range.end;
      }
      const childEnd = this.fixRanges(p.children);
      if (childEnd && childEnd.offset > end.offset) end = childEnd;
      p.range = { start: p.range.start, end };
      if (!max || end.offset > max.offset) max = end;
    }
    return max;
  }
}

/** The kind of step an explicit id names, if it is one the grammar can read after `prev`. */
function explicitStepKind(step: string, prev: StepKind | undefined): StepKind | undefined {
  try {
    const parsed = parseId(`x/${prev === 'item' ? 'item1/' : ''}${step}`);
    return parsed.path[parsed.path.length - 1]?.kind;
  } catch {
    return undefined;
  }
}

function pathKeyOf(path: AddressStep[]): string {
  return path.map((s) => `${s.kind}:${s.num}:${s.to ?? ''}`).join('/');
}

export type { TextBlock };
