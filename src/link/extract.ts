/**
 * Citations in provision text, read with the citation grammar of Japanese
 * legislation and resolved to provision ids at the same revision.
 *
 *   citation  = [instrument] reference *( sep reference | "から" reference ["まで"] )
 *   sep       = "、" | "及び" | "又は" | "並びに" | "若しくは"
 *   instrument= a name in the corpus (輸出令, 法 as defined in the text by 以下「法」という。)
 *             | a law cited with its number (関税法（昭和二十九年法律第六十一号）), or by a name
 *               (金融商品取引法第二条): external unless in the corpus
 *             | 同法, 同令: the instrument cited last
 *   reference = (relative | step) step* | label label*
 *   step      = 附則 | 第N章(のN)* | 第N条(のN)* | 第N項 | 第N号(のN)* | 別表第N(のN)* | のN(のN)*の項
 *   label     = イロハ | （N） | １ (a sub-item or row item, by its label) | N の項 (a row, in a table)
 *   relative  = 前条 | 次条 | 同条 | この条 | 本条 | 前N条 | 前項 | 次項 | 同項 | この項 | 本項 | 前各項 | 前N項
 *             | 前号 | 次号 | 同号 | この号 | 本号 | 前各号 | 前N号 | 同表 | この附則
 *
 * A reference that names only lower steps (第三号) is read inside the
 * provision it stands in; in a parenthesis right after a citation
 * (別表第二の三（第三号を除く。）) it is read inside the provision cited. A bare
 * label (イからハまで, （一）, 四の項 in a table) is a child of the provision it
 * stands in, else a sibling. In a list or range a lower reference goes on
 * below the one before it (第十一号イ又はロ). 同条・同項・同号 refer to the last
 * one cited, in whatever instrument; ranges and lists resolve to several
 * targets. In the 附則 of an amending act, 附則第N条 is that 附則's own article
 * and its own 第N条 is the amending act, which is not in the corpus.
 */
import { findByAddress, type CorpusIndex } from '../model/locate.js';
import { irohaOrdinal, isNextNumber, parseBranchedNumber, parseSimpleNumber } from '../model/numerals.js';
import { walkProvisions } from '../model/text.js';
import type { Address, AddressStep, Instrument, Provision, SourcePoint, StepKind } from '../model/types.js';

export type CitationStatus = 'resolved' | 'external' | 'unresolved';

export interface CitationTarget {
  id: string;
  address: Address;
}

export interface Citation {
  /** The provision whose text holds the citation. */
  source: string;
  text: string;
  /** Index of the citation in the provision's text. */
  index: number;
  line: number;
  column: number;
  status: CitationStatus;
  /** The instrument cited (an id in the corpus), or the name of an external one. */
  instrument?: string;
  external?: string;
  targets: CitationTarget[];
  /** Why a citation is unresolved, for diagnostics. */
  reason?: string;
  /** Targets that are 削除 placeholders. */
  deletedTargets?: string[];
}

const N = '[〇一二三四五六七八九十百千]+';
const BR = `${N}(?:の${N})*`;
const FW = '[０-９]+';
const IROHA = 'イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス';
const KATA = 'ァ-ヶーｦ-ﾟ';
/** （以下「輸出令」という。）, （以下この条において「旧令」という。） */
const DEFINITION = /（[^（）]{0,40}?以下[^「」（）。]{0,20}「([^」]{1,12})」という。?）/y;
const ERA_LAW_NUM = /（((?:明治|大正|昭和|平成|令和)[^（）]{1,20}?(?:法律|政令|省令|規則|告示|勅令)第[〇一二三四五六七八九十百千]+号)[^（）]*?）/y;
/** A law named without its number, right before an article: 金融商品取引法第二条, 資金決済に関する法律第二条 */
const OTHER_LAW = new RegExp(`[一-龯ァ-ヶ々][一-龯ぁ-んァ-ヶー々・]{0,40}?(?:法律|法|政令|省令|令|規則)(?=第${N}[条章]|別表)`, 'y');
/** A law named with its number: 関税法（昭和二十九年法律第六十一号） */
const NUMBERED_LAW = /[一-龯ぁ-んァ-ヶー]{1,40}?(?:法律|法|令|規則|省令|条約|協定)(?=（)/y;
const SEP = /^(、|及び|又は|並びに|若しくは|から)/;
const LAW_TITLE = /(?:法|法律|令|規則|省令|条約|協定)$/;
/** Where a name read backwards from 法律 stops being one: 同条第二項の規定により銀行等又は資金決済に関する法律 */
const NOT_IN_NAME = new RegExp(`(?:第${N}(?:条|項|号)(?:の${N})*|の規定に(?:より|よる)|に規定する|又は|若しくは|並びに|において|により|その他)`, 'g');

/** The law name at the end of a run of text, and how far into the run it starts. */
function trimLawName(run: string): { name: string; offset: number } {
  let offset = 0;
  for (const m of run.matchAll(NOT_IN_NAME)) offset = (m.index ?? 0) + m[0].length;
  return { name: run.slice(offset), offset };
}
/** Words that may stand inside a list without ending it: 別表第二の一の項の中欄、三五の三の項, 第二項ただし書若しくは第四項 */
const INTERRUPTION = /^(?:の(?:中|下|上)欄|ただし書|本文|後段|前段)/;

// compiled once: readRef runs at every candidate position of the corpus
const RE = {
  suppl: /附則/y,
  chapter: new RegExp(`第(${N})章((?:の${N})*)`, 'y'),
  article: new RegExp(`第(${N})条((?:の${N})*)`, 'y'),
  paragraph: new RegExp(`第(${N})項`, 'y'),
  item: new RegExp(`第(${N})号((?:の${N})*)`, 'y'),
  // 別表第一の二の項: the table number ends where a row number follows
  tableWithRow: new RegExp(`別表(?:第(${N}(?:の${N})*?))?(?=の${BR}(?:の項|から|、|及び|又は))`, 'y'),
  table: new RegExp(`別表(?:第(${BR}))?`, 'y'),
  row: new RegExp(`の(${BR})(?:の項)?(?=の項|から|、|及び|又は|[（(]|の中欄|に|の|$|[^〇一二三四五六七八九十百千])`, 'y'),
  iroha: new RegExp(`(?:の)?([${IROHA}])(?![${IROHA}${KATA}])`, 'y'),
  irohaBare: new RegExp(`([${IROHA}])(?![${IROHA}${KATA}])`, 'y'),
  paren: new RegExp(`[（(](${BR}|${FW}(?:の${FW})*)[）)]`, 'y'),
  digit: new RegExp(`(${FW})(?![０-９])`, 'y'),
  bareRow: new RegExp(`(${BR})(?:の項)?(?=の項|、|及び|又は|から|まで|並びに|若しくは|[（(])`, 'y'),
  relative: /(前各項|前各号|前[二三四五六七八九]条|前[二三四五六七八九]項|前[二三四五六七八九]号|前条|次条|同条|この条|本条|前項|次項|同項|この項|本項|前号|次号|同号|この号|本号|同表|この附則|次の項(?!目)|前の項(?!目))/y,
};

type NumKind = 'suppl-provision' | 'chapter' | 'article' | 'paragraph' | 'item' | 'appendix-table' | 'row';
type Fam = 'iroha' | 'paren' | 'digit';

type RefStep =
  | { t: 'num'; kind: NumKind; num: string; bare?: boolean }
  | { t: 'label'; fam: Fam; num: string }
  | { t: 'rel'; word: string };

interface Ref {
  steps: RefStep[];
  start: number;
  end: number;
  /** The end of a range that starts here (第三号から第五号まで). */
  to?: Ref;
}

/** How deep a step stands: a reference's steps go down, and a list goes on at one level. */
const LEVEL: Record<string, number> = { 'suppl-provision': 0, chapter: 0.5, 'appendix-table': 1, article: 1, paragraph: 2, row: 2, item: 3, label: 4 };

const REL_KIND: Record<string, NumKind> = { 条: 'article', 項: 'paragraph', 号: 'item', 表: 'appendix-table', 則: 'suppl-provision' };
const relKind = (w: string): NumKind => REL_KIND[w[w.length - 1] as string] ?? 'article';

/** The kind of the first step, for lists: 第一号、第三号 go on at the item level. */
function headKind(r: Ref): string {
  const h = r.steps[0] as RefStep;
  if (h.t === 'rel') return relKind(h.word);
  if (h.t === 'label') return `label-${h.fam}`;
  return h.bare ? 'bare-row' : h.kind;
}

/** The kind of the last numbered step: 前項第三号 ends at the item level. */
function tailKind(r: Ref): string {
  const nums = r.steps.filter((s) => s.t === 'num');
  const last = nums[nums.length - 1];
  return last && last.t === 'num' ? last.kind : headKind(r);
}

/** The family of a label as written: イ, （一）, １. */
function labelFamily(label: string): Fam | 'kanji' | undefined {
  if (/^[（(][〇一二三四五六七八九十百千０-９0-9]/.test(label)) return 'paren';
  if (/^[０-９0-9]/.test(label)) return 'digit';
  if (irohaOrdinal(label) !== undefined) return 'iroha';
  if (/^[〇一二三四五六七八九十百千]/.test(label)) return 'kanji';
  return undefined;
}

const SUB_KINDS: StepKind[] = ['subitem', 'subitem2', 'subitem3', 'subitem4', 'subitem5', 'subitem6'];
const ROW_ITEM_KINDS: StepKind[] = ['row-item', 'row-item2', 'row-item3', 'row-item4'];
function kindAfter(kind: StepKind | undefined): StepKind {
  if (kind === 'item') return 'subitem';
  if (kind === 'row') return 'row-item';
  const s = SUB_KINDS.indexOf(kind as StepKind);
  if (s >= 0) return SUB_KINDS[Math.min(s + 1, SUB_KINDS.length - 1)] as StepKind;
  const r = ROW_ITEM_KINDS.indexOf(kind as StepKind);
  if (r >= 0) return ROW_ITEM_KINDS[Math.min(r + 1, ROW_ITEM_KINDS.length - 1)] as StepKind;
  return 'subitem';
}

/** Names an instrument defines for others in its own text: 外国為替及び外国貿易法（昭和二十四年法律第二百二十八号。以下「法」という。） */
export function definedNames(text: string): { name: string; lawNum?: string; title: string }[] {
  const out: { name: string; lawNum?: string; title: string }[] = [];
  const re = /([一-龯ぁ-んァ-ヶー]{2,40}?)（(?:((?:明治|大正|昭和|平成|令和)[^。）]*?第[〇一二三四五六七八九十百千]+号)。)?以下[^「」（）。]{0,20}「([^」]{1,12})」という。）/g;
  for (const m of text.matchAll(re)) {
    const [, title, lawNum, name] = m;
    if (title && name) out.push({ name, title, ...(lawNum ? { lawNum } : {}) });
  }
  return out;
}

interface NameDef {
  /** An instrument id, or "ext:" and the name of one outside the corpus. */
  target: string;
  /** Document order of the provision that defines it; -1 for names of the corpus. */
  order: number;
}

interface Scope {
  index: CorpusIndex;
  instrument: Instrument;
  names: Map<string, NameDef[]>;
  /** names by their first character, longest first, for matching */
  byFirstChar: Map<string, string[]>;
  /** Articles of the body, and of each 附則, in document order. */
  articles: Map<string, Provision[]>;
  order: Map<string, number>;
  /** What each provision's text cited last: its items and sub-items go on from there (同条 in ロ after 第六条 in the item). */
  states: Map<string, Pick<Context, 'last' | 'seq' | 'lastInstrument'>>;
}

const SELF_NAMES = ['この法律', 'この政令', 'この省令', 'この規則', 'この告示'];

function buildScope(index: CorpusIndex, instrument: Instrument): Scope {
  const names = new Map<string, NameDef[]>();
  const add = (n: string, d: NameDef) => names.set(n, [...(names.get(n) ?? []), d]);
  for (const [n, id] of index.names) {
    // 法 means the Act only where an instrument defines it so (below)
    if (n.length >= 2 && !/^[\x20-\x7e]+$/.test(n)) add(n, { target: id, order: -1 });
  }
  for (const n of SELF_NAMES) add(n, { target: instrument.id, order: -1 });
  const all = [...walkProvisions(instrument.provisions)];
  const order = new Map(all.map((p, k) => [p.id, k]));
  all.forEach((p, k) => {
    for (const d of definedNames(p.text)) {
      const byNum = d.lawNum ? [...index.instruments.values()].find((i) => i.meta.lawNum === d.lawNum) : undefined;
      const byTitle = index.names.get(d.title);
      // 以下「特定技術」という。 defines a term, not a name for a law
      if (!byNum && !byTitle && !LAW_TITLE.test(d.title)) continue;
      add(d.name, { target: byNum?.id ?? byTitle ?? `ext:${trimLawName(d.title).name}`, order: k });
    }
  });
  const articles = new Map<string, Provision[]>();
  for (const p of all) {
    if (p.kind !== 'article') continue;
    const top = p.address.path[0]?.kind === 'suppl-provision' ? `suppl${p.address.path[0].num}` : 'body';
    if (top === 'body' && p.address.path.length !== 1) continue;
    articles.set(top, [...(articles.get(top) ?? []), p]);
  }
  const byFirstChar = new Map<string, string[]>();
  for (const n of [...names.keys()].sort((a, b) => b.length - a.length)) byFirstChar.set(n[0] as string, [...(byFirstChar.get(n[0] as string) ?? []), n]);
  return { index, instrument, names, byFirstChar, articles, order, states: new Map() };
}

/** The target a name has at a place in the text: the last definition before it. */
function nameTarget(scope: Scope, name: string, order: number): string | undefined {
  let best: NameDef | undefined;
  for (const d of scope.names.get(name) ?? []) if (d.order <= order && (!best || d.order >= best.order)) best = d;
  return best?.target;
}

interface ReadOptions {
  /** A bare label may start the reference (イ, （一）, １). */
  bare: boolean;
  /** A bare row number may start it (四の項, 二及び四の項). */
  bareRow: boolean;
}

/** Reads the steps of one reference starting at `i`; undefined if there is none. */
function readRef(text: string, i: number, opt: ReadOptions): Ref | undefined {
  const steps: RefStep[] = [];
  let j = i;
  const at = (re: RegExp) => {
    re.lastIndex = j;
    const m = re.exec(text);
    return m && m.index === j ? m : undefined;
  };
  const rel = at(RE.relative);
  if (rel) {
    steps.push({ t: 'rel', word: rel[1] as string });
    j += (rel[1] as string).length;
  }
  for (;;) {
    const last = steps[steps.length - 1];
    const lk = !last ? 'start' : last.t === 'num' ? last.kind : last.t === 'label' ? `label-${last.fam}` : `rel-${relKind(last.word)}`;
    const rw = last?.t === 'rel' ? last.word : '';
    let m: RegExpExecArray | undefined;
    let step: RefStep | undefined;
    if (lk === 'start' && (m = at(RE.suppl))) {
      step = { t: 'num', kind: 'suppl-provision', num: '1' };
    } else if (['start', 'suppl-provision'].includes(lk) && (m = at(RE.chapter))) {
      const num = parseBranchedNumber(`${m[1]}${m[2] ?? ''}`);
      if (num === undefined) break;
      step = { t: 'num', kind: 'chapter', num };
    } else if (['start', 'suppl-provision'].includes(lk) && (m = at(RE.article))) {
      const num = parseBranchedNumber(`${m[1]}${m[2] ?? ''}`);
      if (num === undefined) break;
      step = { t: 'num', kind: 'article', num };
    } else if (['start', 'suppl-provision', 'article', 'rel-article'].includes(lk) && (m = at(RE.paragraph))) {
      step = { t: 'num', kind: 'paragraph', num: parseBranchedNumber(m[1] as string) ?? '' };
    } else if (['start', 'suppl-provision', 'article', 'paragraph', 'appendix-table', 'rel-article'].includes(lk) && (m = at(RE.item))) {
      step = { t: 'num', kind: 'item', num: parseBranchedNumber(`${m[1]}${m[2] ?? ''}`) ?? '' };
    } else if (lk === 'rel-paragraph' && !/^前[各二三四五六七八九]項$/.test(rw) && (m = at(RE.item))) {
      step = { t: 'num', kind: 'item', num: parseBranchedNumber(`${m[1]}${m[2] ?? ''}`) ?? '' };
    } else if (lk === 'start' && (m = at(RE.tableWithRow) ?? at(RE.table))) {
      step = { t: 'num', kind: 'appendix-table', num: m[1] ? (parseBranchedNumber(m[1]) ?? '') : '' };
    } else if (['appendix-table', 'rel-appendix-table'].includes(lk) && (m = at(RE.row))) {
      step = { t: 'num', kind: 'row', num: parseBranchedNumber(m[1] as string) ?? '' };
    } else if ((lk === 'item' || (lk === 'rel-item' && !/^前[各二三四五六七八九]号$/.test(rw))) && (m = at(RE.iroha))) {
      const o = irohaOrdinal(m[1] as string);
      if (o === undefined) break;
      step = { t: 'label', fam: 'iroha', num: String(o) };
    } else if ((['row', 'item', 'label-iroha', 'rel-item'].includes(lk) || rw === '同項') && !/^前[各二三四五六七八九]号$/.test(rw) && (m = at(RE.paren))) {
      const num = parseBranchedNumber(m[1] as string);
      if (num === undefined) break;
      step = { t: 'label', fam: 'paren', num };
    } else if (lk === 'label-paren' && (m = at(RE.digit))) {
      step = { t: 'label', fam: 'digit', num: String(parseSimpleNumber(m[1] as string) ?? '') };
    } else if (lk === 'start' && opt.bare && (m = at(RE.irohaBare))) {
      step = { t: 'label', fam: 'iroha', num: String(irohaOrdinal(m[1] as string)) };
    } else if (lk === 'start' && opt.bare && (m = at(RE.paren))) {
      const num = parseBranchedNumber(m[1] as string);
      if (num === undefined) break;
      step = { t: 'label', fam: 'paren', num };
    } else if (lk === 'start' && opt.bare && (m = at(RE.digit))) {
      step = { t: 'label', fam: 'digit', num: String(parseSimpleNumber(m[1] as string) ?? '') };
    } else if (lk === 'start' && opt.bareRow && (m = at(RE.bareRow))) {
      const num = parseBranchedNumber(m[1] as string);
      if (num === undefined) break;
      step = { t: 'num', kind: 'row', num, bare: true };
    } else break;
    if (!m || !step) break;
    // 第一項第五号第二十条: an article cannot stand below an item; the reference ended before it
    const above = [...steps].reverse().find((s) => s.t === 'num');
    if (step.t === 'num' && above && above.t === 'num' && (LEVEL[step.kind] ?? 9) <= (LEVEL[above.kind] ?? 0)) break;
    steps.push(step);
    j += m[0].length;
  }
  if (steps.length === 0) return undefined;
  return { steps, start: i, end: j };
}

export function extractCitations(index: CorpusIndex, instrument: Instrument): Citation[] {
  const scope = buildScope(index, instrument);
  const out: Citation[] = [];
  for (const p of walkProvisions(instrument.provisions)) {
    if (p.text === '' || p.deleted) continue;
    out.push(...citationsIn(scope, p));
  }
  return out;
}

/** Something cited, remembered for 同条・同項・同号・同表: its instrument (or "ext:…") and path. */
interface Cited {
  ins: string;
  path: AddressStep[];
  seq: number;
  /** What had been cited when this was: the parenthesis after it is read in that light. */
  after?: Context['last'];
}

interface Context {
  p: Provision;
  order: number;
  article?: Provision;
  paragraph?: Provision;
  item?: Provision;
  suppl?: Provision;
  /** In the 附則 of an amending act (not the first 附則). */
  amending: boolean;
  /** The appended table the provision stands in. */
  table?: Provision;
  last: Partial<Record<'article' | 'paragraph' | 'item' | 'appendix-table' | 'row', Cited>>;
  seq: number;
  lastInstrument?: string | undefined;
}

/** A parenthesis right after a citation: lower references inside it belong to what was cited. */
interface Paren {
  open: number;
  close: number;
  ins: string;
  path: AddressStep[];
}

function contextOf(scope: Scope, p: Provision): Context {
  const ctx: Context = { p, order: scope.order.get(p.id) ?? 0, amending: false, last: {}, seq: 0 };
  const path = p.address.path;
  for (let k = 1; k <= path.length; k++) {
    const q = findByAddress(scope.index, scope.instrument.id, path.slice(0, k));
    if (!q) continue;
    if (q.kind === 'article') ctx.article = q;
    if (q.kind === 'paragraph') ctx.paragraph = q;
    if (q.kind === 'item') ctx.item = q;
    if (q.kind === 'suppl-provision') ctx.suppl = q;
    if (q.kind === 'appendix-table') ctx.table = q;
  }
  ctx.amending = ctx.suppl !== undefined && ctx.suppl.address.path[0]?.num !== '1';
  return ctx;
}

function pointOf(p: Provision, index: number): { line: number; column: number } {
  const at: SourcePoint = p.textAt ?? p.range.start;
  const before = p.text.slice(0, index);
  const nl = before.lastIndexOf('\n');
  if (nl < 0) return { line: at.line, column: at.column + index };
  return { line: at.line + (before.match(/\n/g)?.length ?? 0), column: index - nl };
}

/** The index of the parenthesis that closes the one at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let k = open; k < text.length; k++) {
    const ch = text[k];
    if (ch === '（' || ch === '(') depth++;
    else if (ch === '）' || ch === ')') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

const KANA = new RegExp(`[${KATA}]`);
const isKana = (ch: string | undefined) => ch !== undefined && KANA.test(ch);

function citationsIn(scope: Scope, p: Provision): Citation[] {
  const text = p.text;
  const out: Citation[] = [];
  const ctx = contextOf(scope, p);
  const parent = scope.index.parents.get(p.id);
  const from = parent && (parent.kind === 'paragraph' || parent.kind === 'item' || parent.kind === 'subitem' || parent.kind === 'row') ? scope.states.get(parent.id) : undefined;
  if (from) {
    ctx.last = { ...from.last };
    ctx.seq = from.seq;
    ctx.lastInstrument = from.lastInstrument;
  }
  scan(scope, p, ctx, 0, text.length, [], out);
  scope.states.set(p.id, { last: ctx.last, seq: ctx.seq, lastInstrument: ctx.lastInstrument });
  return out.sort((a, b) => a.index - b.index);
}

/** The instrument a name stands for here, or "ext:…". */
function nameHere(scope: Scope, ctx: Context, name: string): string | undefined {
  // この法律 in the 附則 of an amending act is that act
  if (SELF_NAMES.includes(name) && ctx.amending) return 'ext:改正法令';
  return nameTarget(scope, name, ctx.order);
}

function scan(scope: Scope, p: Provision, ctx: Context, from: number, to: number, parens: Paren[], out: Citation[]): void {
  const text = p.text;
  const stack = [...parens];
  let i = from;
  while (i < to) {
    while (stack.length > 0 && i > (stack[stack.length - 1] as Paren).close) stack.pop();
    const paren = stack.length > 0 ? stack[stack.length - 1] : undefined;
    // an instrument named here?
    let named: string | undefined;
    let start = i;
    let j = i;
    // a name starts a word: 法 inside 金融商品取引法 is not the Act (but その他法第五十五条 is)
    const boundary = i === 0 || !/[一-龯ァ-ヶー々]/.test(text[i - 1] ?? '');
    // 第一条中証券取引法…: 中 after a citation ends a word too
    const afterWord =
      !boundary && (/[他等]/.test(text[i - 1] ?? '') || (text[i - 1] === '中' && /[条項号則]/.test(text[i - 2] ?? '')) || (/[条項号]/.test(text[i - 1] ?? '') && text.startsWith('法第', i)));
    // a one-letter name (法) only right before what it names: 法第四十八条, 法（…）, 法附則, 法別表
    const fits = (n: string) => n.length > 1 || /^[第（附別]/.test(text.slice(i + n.length, i + n.length + 1));
    const name = boundary || afterWord ? scope.byFirstChar.get(text[i] ?? '')?.find((n) => text.startsWith(n, i) && fits(n) && (boundary || n === '法' || text[i - 1] === '中') && nameHere(scope, ctx, n) !== undefined) : undefined;
    let nameEnd = i + 1;
    if ((text.startsWith('同法', i) || text.startsWith('同令', i)) && boundary) {
      // 同法 / 同令: the instrument cited last
      named = ctx.lastInstrument ?? scope.instrument.id;
      j = i + 2;
      nameEnd = j;
    } else if (name) {
      named = nameHere(scope, ctx, name) as string;
      j = i + name.length;
      nameEnd = j;
      // 輸出貿易管理令（昭和二十四年政令第三百七十八号）or （以下「輸出令」という。）: skip the parenthesis
      ERA_LAW_NUM.lastIndex = j;
      const ln = ERA_LAW_NUM.exec(text);
      if (ln && ln.index === j) j += ln[0].length;
      else {
        DEFINITION.lastIndex = j;
        const df = DEFINITION.exec(text);
        if (df && df.index === j) {
          j += df[0].length;
          // 改正前の輸出貿易管理令（以下「旧令」という。）: a text the corpus does not hold
          const defined = nameTarget(scope, df[1] as string, ctx.order);
          if (defined?.startsWith('ext:') && /(?:改正|廃止)[前後]/.test(defined)) named = defined;
        }
      }
    } else if ((boundary || afterWord) && /[一-龯ァ-ヶ]/.test(text[i] ?? '')) {
      const other = otherLaw(scope, ctx, text, i);
      if (other) {
        named = `ext:${other.name}`;
        j = i + other.length;
        nameEnd = j;
      } else {
        // a law cited by name and number: 関税法（昭和二十九年法律第六十一号）
        NUMBERED_LAW.lastIndex = i;
        const mm = NUMBERED_LAW.exec(text);
        if (mm && mm.index === i) {
          ERA_LAW_NUM.lastIndex = i + mm[0].length;
          const ln = ERA_LAW_NUM.exec(text);
          if (ln && ln.index === i + mm[0].length) {
            const inCorpus = [...scope.index.instruments.values()].find((x) => x.meta.lawNum === ln[1]);
            const trimmed = trimLawName(mm[0]);
            if (trimmed.offset === 0 || inCorpus) {
              named = inCorpus ? inCorpus.id : `ext:${cleanName(trimmed.name)}`;
              j = i + mm[0].length + ln[0].length;
              nameEnd = i + mm[0].length;
            }
          }
        }
      }
    } else if (text[i] === '（') {
      // 外国人の財産取得に関する政令（以下「旧財産取得令」という。）第三条: the name it defines
      DEFINITION.lastIndex = i;
      const df = DEFINITION.exec(text);
      if (df && df.index === i) {
        const target = nameTarget(scope, df[1] as string, ctx.order);
        if (target !== undefined && readRef(text, i + df[0].length, { bare: false, bareRow: false })) {
          named = target;
          j = i + df[0].length;
          nameEnd = j;
        }
      }
    }
    // 法律第百六十七号 is a law number, not an item
    const lawNumber = named === undefined && /(?:法律|政令|省令|規則|告示|勅令|条約)$/.test(text.slice(Math.max(0, j - 2), j));
    const bareRow = named === undefined && (ctx.table !== undefined || (paren !== undefined && ['appendix-table', 'row'].includes(paren.path[paren.path.length - 1]?.kind ?? '')));
    const bare = named === undefined && !isKana(text[j - 1]) && !/[０-９Ａ-Ｚａ-ｚ．・／〇一二三四五六七八九十]/.test(text[j - 1] ?? '');
    let ref = lawNumber ? undefined : readRef(text, j, { bare, bareRow });
    const h0 = ref?.steps[0];
    if (ref && h0?.t === 'label') {
      // a bare label is a citation only where a reference can stand: イからハまで, （一）に該当する
      const after = text.slice(ref.end);
      const ok = h0.fam === 'digit' ? /^(?:から|及び|又は|若しくは|並びに|に|、|まで)/.test(after) : /^(?:から|及び|又は|若しくは|並びに|に|、|まで|の|を|で|が|は|）|において)/.test(after);
      if (!ok) ref = undefined;
    }
    if (!ref) {
      if (named !== undefined) {
        ctx.lastInstrument = named;
        // 法（第六章及び第六章の三に限る。）: the references inside belong to the instrument
        if (text[j] === '（' && !text.startsWith('（以下', j)) {
          const close = closingParen(text, j);
          if (close > j) stack.push({ open: j, close, ins: named, path: [] });
        }
        // the parenthesis after the name (its law number, a definition) may hold citations of its own
        i = Math.max(nameEnd, i + 1);
      } else i++;
      continue;
    }
    if (named === undefined) start = ref.start;
    // a list or a range of references
    const refs: Ref[] = [ref];
    const inner: { open: number; close: number; after: number }[] = [];
    let end = ref.end;
    for (;;) {
      const prevRef = refs[refs.length - 1] as Ref;
      const lastRef = prevRef.to ?? prevRef;
      let k = end;
      let gap: { open: number; close: number } | undefined;
      let interrupted = false;
      if (text[k] === '（') {
        const close = closingParen(text, k);
        if (close < 0) break;
        gap = { open: k, close };
        k = close + 1;
      } else {
        const it = INTERRUPTION.exec(text.slice(k));
        if (it) {
          k += it[0].length;
          interrupted = true;
        }
      }
      const sep = SEP.exec(text.slice(k));
      if (!sep) break;
      const hasTable = [...refs, lastRef].some((r) => r.steps.some((s) => s.t === 'num' && (s.kind === 'appendix-table' || s.kind === 'row') || (s.t === 'rel' && s.word === '同表')));
      const next = readRef(text, k + (sep[1] as string).length, { bare: true, bareRow: hasTable || bareRow });
      if (!next) break;
      const nk = headKind(next);
      // 同条・同項・同表 start a citation of their own (別表第一の二の項（一）及び同表の三の項), and so does
      // a relative reference after another (前条及び次条); after a numbered one it goes on (第十三号及び前号)
      const nh = next.steps[0] as RefStep;
      if (nh.t === 'rel' && (nh.word.startsWith('同') || (lastRef.steps[0] as RefStep).t === 'rel')) break;
      if ((gap || interrupted) && sep[1] === 'から') break;
      const fits = nk === headKind(lastRef) || nk === tailKind(lastRef) || nk.startsWith('label') || nk === 'bare-row';
      if ((gap || interrupted) && !fits) break;
      if (gap) inner.push({ open: gap.open, close: gap.close, after: refs.length - 1 });
      if (sep[1] === 'から') {
        if (prevRef.to) break;
        prevRef.to = next;
      } else refs.push(next);
      end = next.end;
      if (text.startsWith('まで', end)) end += 2;
      if (text.startsWith('の項', end) && next.steps.some((s) => s.t === 'num' && s.bare)) end += 2;
    }
    const res = resolveCitation(scope, p, ctx, text.slice(start, end), start, named, refs, paren);
    if (res === undefined) {
      // a bare label that names nothing here is no citation
      i++;
      continue;
    }
    out.push(res.citation);
    // the parentheses inside a list, and one right after the citation, read their references under it
    for (const g of inner) {
      const at = res.refPaths[g.after];
      // 第二十七条第一項（同条第十三項…）又は第二十八条第一項: 同条 inside is the one before the parenthesis
      const final = ctx.last;
      if (at?.after) ctx.last = { ...at.after };
      scan(scope, p, ctx, g.open, g.close + 1, [...stack, { open: g.open, close: g.close, ins: at?.ins ?? scope.instrument.id, path: at?.path ?? [] }], out);
      ctx.last = final;
    }
    if (text[end] === '（' && !text.startsWith('（以下', end)) {
      const close = closingParen(text, end);
      const at = [...res.refPaths].reverse().find((x) => x !== undefined);
      if (close > end && at) stack.push({ open: end, close, ins: at.ins, path: at.path });
    }
    i = end;
  }
}

function cleanName(name: string): string {
  return name.replace(/^(?:又は|若しくは|及び|並びに)/, '');
}

/** A law named without its number before 第N条 that is not in the corpus, or undefined. */
function otherLaw(scope: Scope, ctx: Context, text: string, i: number): { name: string; length: number } | undefined {
  OTHER_LAW.lastIndex = i;
  const m = OTHER_LAW.exec(text);
  if (!m || m.index !== i) return undefined;
  const { name, offset } = trimLawName(m[0]);
  // 同条第二項の規定により…法律: the name starts further on, where the scan will find it; 同令 is read on its own
  if (offset > 0 || name.length < 2 || /同(?:法|令)$/.test(name)) return undefined;
  // a name with kana in it is a long title: 資金決済に関する法律
  if (/[ぁ-ん]/.test(name) && !/(?:法律|政令|省令|規則|令)$/.test(name)) return undefined;
  // 規定による改正後の外国為替令: the name of the corpus is further on
  for (const n of scope.names.keys()) if (n.length >= 2 && n !== name && name.endsWith(n) && nameHere(scope, ctx, n) !== undefined) return undefined;
  // その他法第五十五条, 非居住者預金契約等法第二十一条: the Act, as this instrument calls it
  if (name.endsWith('法') && nameHere(scope, ctx, '法') !== undefined && /[ぁ-ん他等]/.test(name[name.length - 2] ?? '')) return undefined;
  return { name: cleanName(name), length: m[0].length };
}

/** A provision by path, trying a table number as table and row (別表第二の三六). */
function find(scope: Scope, ins: string, path: AddressStep[]): Provision | undefined {
  if (path.length === 0) return undefined;
  return findByAddress(scope.index, ins, path) ?? splitTableNumber(scope, ins, path);
}

/**
 * 別表第二の三六 (without の項) or 別表第一の一〇: the numbers after the table
 * number may be a row. Tried when the table as read does not exist.
 */
function splitTableNumber(scope: Scope, instrument: string, path: AddressStep[]): Provision | undefined {
  const k = path.findIndex((s) => s.kind === 'appendix-table');
  const step = path[k];
  if (k < 0 || !step || !step.num.includes('-')) return undefined;
  const parts = step.num.split('-');
  for (let cut = parts.length - 1; cut >= 1; cut--) {
    const table: AddressStep = { kind: 'appendix-table', num: parts.slice(0, cut).join('-') };
    const row: AddressStep = { kind: 'row', num: parts.slice(cut).join('-') };
    const rest = path.slice(k + 1).filter((s) => s.kind !== 'row');
    const found = findByAddress(scope.index, instrument, [...path.slice(0, k), table, row, ...rest]);
    if (found) return found;
  }
  return undefined;
}

/** A table number that does not exist read as table and row: 別表第一の五 in 別表第一の五から一五までの項. */
function splitTable(scope: Scope, ins: string, path: AddressStep[]): AddressStep[] {
  const k = path.findIndex((st) => st.kind === 'appendix-table');
  const t = path[k];
  if (k < 0 || !t || !t.num.includes('-') || findByAddress(scope.index, ins, path.slice(0, k + 1))) return path;
  const parts = t.num.split('-');
  for (let cut = parts.length - 1; cut >= 1; cut--) {
    const table: AddressStep = { kind: 'appendix-table', num: parts.slice(0, cut).join('-') };
    if (!findByAddress(scope.index, ins, [...path.slice(0, k), table])) continue;
    const hasRow = path[k + 1]?.kind === 'row';
    return [...path.slice(0, k), table, { kind: 'row', num: parts.slice(cut).join('-') }, ...path.slice(k + (hasRow ? 2 : 1))];
  }
  return path;
}

/** The family of the label of each step of a path: イ, （一）, １. */
function familyAt(scope: Scope, ins: string, path: AddressStep[], k: number): Fam | 'kanji' | undefined {
  const q = find(scope, ins, path.slice(0, k + 1));
  if (q) return labelFamily(q.label);
  const kind = path[k]?.kind;
  if (kind === 'subitem' || kind === 'row-item3') return 'iroha';
  if (kind === 'subitem2' || kind === 'row-item') return 'paren';
  if (kind === 'subitem3' || kind === 'row-item2') return 'digit';
  return undefined;
}

/** A child of the provision at `path` by its label: イ, （一）, １. */
function appendLabel(scope: Scope, ins: string, path: AddressStep[], fam: Fam, num: string): AddressStep[] {
  const q = find(scope, ins, path);
  const child = q?.children.find((c) => labelFamily(c.label) === fam && c.address.path[c.address.path.length - 1]?.num === num);
  if (child) return child.address.path;
  return [...(q?.address.path ?? path), { kind: kindAfter(q?.address.path[q.address.path.length - 1]?.kind ?? path[path.length - 1]?.kind), num }];
}

/** The path of a reference below a base: numbered steps, then labels by their families. */
function extend(scope: Scope, ins: string, base: AddressStep[], steps: RefStep[]): AddressStep[] {
  let path = [...base];
  const nums = steps.filter((s): s is Extract<RefStep, { t: 'num' }> => s.t === 'num');
  path.push(...nums.map((s) => ({ kind: s.kind as StepKind, num: s.num })));
  path = splitTable(scope, ins, path);
  for (const s of steps) if (s.t === 'label') path = appendLabel(scope, ins, path, s.fam, s.num);
  return path;
}

/** A bare label continuing from `prev`: it takes the place of the step of its family (第十一号イ又はロ). */
function replaceLabel(scope: Scope, ins: string, prev: AddressStep[], fam: Fam, num: string): AddressStep[] {
  for (let k = prev.length - 1; k >= 0; k--) {
    const kind = prev[k]?.kind ?? '';
    if (!SUB_KINDS.includes(kind as StepKind) && !ROW_ITEM_KINDS.includes(kind as StepKind)) break;
    if (familyAt(scope, ins, prev, k) === fam) return appendLabel(scope, ins, prev.slice(0, k), fam, num);
  }
  return appendLabel(scope, ins, prev, fam, num);
}

/** A bare label where it stands: a child of the provision (or of the one cited before a parenthesis), else a sibling. */
function lookupLabel(scope: Scope, ctx: Context, paren: Paren | undefined, fam: Fam, num: string): { ins: string; path: AddressStep[] } | undefined {
  const match = (q: Provision | undefined) => q?.children.find((c) => labelFamily(c.label) === fam && c.address.path[c.address.path.length - 1]?.num === num);
  if (paren && !paren.ins.startsWith('ext:') && paren.path.length > 0) {
    const hit = match(find(scope, paren.ins, paren.path));
    if (hit) return { ins: paren.ins, path: hit.address.path };
  }
  for (let q: Provision | undefined = ctx.p; q; q = scope.index.parents.get(q.id)) {
    const hit = match(q);
    if (hit) return { ins: scope.instrument.id, path: hit.address.path };
    if (q.kind === 'article' || q.kind === 'appendix-table') break;
  }
  return undefined;
}

interface Resolved {
  /** An instrument id, or "ext:…". */
  ins: string;
  paths: AddressStep[][];
  reason?: string;
  /** A bare label or row that names nothing where it stands. */
  noLabel?: boolean;
}

/** Articles around the citing one, for 前条・次条 (in the body or in its 附則). */
function articleList(scope: Scope, ctx: Context): Provision[] {
  const top = ctx.suppl ? `suppl${ctx.suppl.address.path[0]?.num}` : 'body';
  return scope.articles.get(top) ?? [];
}

const KANJI_COUNT: Record<string, number> = { 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

function resolveRelative(scope: Scope, ctx: Context, w: string): Resolved {
  const own = scope.instrument.id;
  const here = (q: Provision | undefined) => (q ? q.address.path : undefined);
  const lastOf = (c: Cited | undefined): Resolved | undefined => (c ? { ins: c.ins, paths: [c.path] } : undefined);
  if (w === '次の項' || w === '前の項') {
    // in an appended table, the row after (or before) this one: 次の項及び四三の項
    let row: Provision | undefined = ctx.p;
    while (row && row.kind !== 'row') row = scope.index.parents.get(row.id);
    const table = row ? scope.index.parents.get(row.id) : undefined;
    const rows = table?.children.filter((c) => c.kind === 'row') ?? [];
    const other = row ? rows[rows.indexOf(row) + (w === '次の項' ? 1 : -1)] : undefined;
    return other ? { ins: own, paths: [other.address.path] } : { ins: own, paths: [], noLabel: true };
  }
  if (/条$/.test(w)) {
    if (w === '同条') return lastOf(ctx.last.article) ?? { ins: own, paths: [here(ctx.article) ?? []] };
    if (w === 'この条' || w === '本条') return { ins: own, paths: [here(ctx.article) ?? []] };
    const articles = articleList(scope, ctx);
    const k = ctx.article ? articles.indexOf(ctx.article) : -1;
    if (k < 0) return { ins: own, paths: [], reason: `${w} outside an article` };
    const num = (a: Provision | undefined) => a?.address.path[a.address.path.length - 1]?.num ?? '';
    const count = KANJI_COUNT[w[1] as string];
    if (count !== undefined) {
      const run = articles.slice(Math.max(0, k - count), k + 1);
      // in an excerpt (抄) the articles before this one may be left out
      const whole = run.length === count + 1 && run.every((a, x) => x === 0 || isNextNumber(num(run[x - 1]), num(a)));
      return whole ? { ins: own, paths: run.slice(0, -1).map((a) => a.address.path) } : { ins: own, paths: [], reason: `${w} is not in the text` };
    }
    const other = articles[k + (w === '前条' ? -1 : 1)];
    // in an excerpt (抄) the article next to this one may be left out
    const adjacent = other && (w === '前条' ? isNextNumber(num(other), num(ctx.article)) : isNextNumber(num(ctx.article), num(other)));
    if (!other || !adjacent) return { ins: own, paths: [], reason: `${w} is not in the text` };
    return { ins: own, paths: [other.address.path] };
  }
  if (/項$/.test(w)) {
    if (w === '同項') {
      const a = ctx.last.paragraph;
      const b = ctx.last.row;
      const latest = a && b ? (a.seq > b.seq ? a : b) : (a ?? b);
      if (latest) return lastOf(latest) as Resolved;
    }
    const para = ctx.paragraph;
    if (!para) return { ins: own, paths: [], reason: `${w} outside a paragraph` };
    const n = Number(para.address.path[para.address.path.length - 1]?.num ?? '1');
    const parent = para.address.path.slice(0, -1);
    const count = w === '前各項' ? n - 1 : KANJI_COUNT[w[1] as string];
    if (count !== undefined) {
      if (count > n - 1 || count <= 0) return { ins: own, paths: [], reason: `${w} has no paragraphs` };
      return { ins: own, paths: Array.from({ length: count }, (_, k) => [...parent, { kind: 'paragraph' as const, num: String(n - count + k) }]) };
    }
    const num = w === '前項' ? n - 1 : w === '次項' ? n + 1 : n;
    return { ins: own, paths: [[...parent, { kind: 'paragraph', num: String(num) }]] };
  }
  if (/号$/.test(w)) {
    if (w === '同号' && ctx.last.item) return lastOf(ctx.last.item) as Resolved;
    const item = ctx.item;
    if (!item) return { ins: own, paths: [], reason: `${w} outside an item` };
    if (w === '同号' || w === 'この号' || w === '本号') return { ins: own, paths: [item.address.path] };
    const parent = scope.index.parents.get(item.id);
    const siblings = (parent?.children ?? []).filter((c) => c.kind === 'item');
    const k = siblings.findIndex((c) => c.id === item.id);
    const count = w === '前各号' ? k : KANJI_COUNT[w[1] as string];
    if (count !== undefined) {
      if (count > k || count <= 0) return { ins: own, paths: [], reason: `${w} has no items` };
      return { ins: own, paths: siblings.slice(k - count, k).map((c) => c.address.path) };
    }
    const other = siblings[k + (w === '前号' ? -1 : 1)];
    if (!other) return { ins: own, paths: [], reason: `${w} has no item` };
    return { ins: own, paths: [other.address.path] };
  }
  if (w === 'この附則') return ctx.suppl ? { ins: own, paths: [ctx.suppl.address.path] } : { ins: own, paths: [], reason: 'この附則 outside a 附則' };
  // 同表: with no appended table cited before, the table in the provision itself
  return lastOf(ctx.last['appendix-table']) ?? { ins: own, paths: [here(ctx.paragraph) ?? here(ctx.article) ?? []] };
}

/** One reference of a citation: its instrument and the provisions it names. */
function resolveRef(scope: Scope, ctx: Context, r: Ref, named: string | undefined, prev: Cited | undefined, paren: Paren | undefined, textAfter: string): Resolved {
  const own = scope.instrument.id;
  const h = r.steps[0] as RefStep;
  const rest = r.steps.slice(1);
  if (h.t === 'rel') {
    const base = resolveRelative(scope, ctx, h.word);
    if (base.ins.startsWith('ext:') || base.paths.length === 0) return base;
    return { ...base, paths: base.paths.map((b) => extend(scope, base.ins, b, rest)) };
  }
  if (h.t === 'label') {
    if (prev && !prev.ins.startsWith('ext:') && prev.path.length > 0) {
      return { ins: prev.ins, paths: [extend(scope, prev.ins, replaceLabel(scope, prev.ins, prev.path, h.fam, h.num), rest)] };
    }
    if (prev?.ins.startsWith('ext:')) return { ins: prev.ins, paths: [] };
    const at = lookupLabel(scope, ctx, paren, h.fam, h.num);
    if (!at) return { ins: own, paths: [], noLabel: true };
    return { ins: at.ins, paths: [extend(scope, at.ins, at.path, rest)] };
  }
  if (h.bare) {
    // a row by its number alone: 四の項, 二及び四の項
    if (prev && !prev.ins.startsWith('ext:')) {
      const t = prev.path.findIndex((s) => s.kind === 'appendix-table');
      if (t >= 0) return { ins: prev.ins, paths: [extend(scope, prev.ins, prev.path.slice(0, t + 1), r.steps)] };
    }
    if (prev?.ins.startsWith('ext:')) return { ins: prev.ins, paths: [] };
    const t = paren && !paren.ins.startsWith('ext:') ? paren.path.findIndex((s) => s.kind === 'appendix-table') : -1;
    const ins = t >= 0 ? (paren as Paren).ins : own;
    const table = t >= 0 ? (paren as Paren).path.slice(0, t + 1) : ctx.table?.address.path;
    if (!table) return { ins, paths: [], noLabel: true };
    const path = extend(scope, ins, table, r.steps);
    if (!find(scope, ins, path)) return { ins, paths: [], noLabel: true };
    return { ins, paths: [path] };
  }
  // numbered steps: 第N条…, 附則…, 別表…
  const level = LEVEL[h.kind] ?? 9;
  let ins = named ?? prev?.ins ?? own;
  if (named === undefined && !prev && paren) {
    // 別表第二の三（第三号を除く。）, 法（第六章…）: lower references belong to what was cited
    const deepest = Math.max(-1, ...paren.path.map((s) => LEVEL[s.kind] ?? 9));
    // 法（…に限る。第十号において同じ。）: only chapters and articles go with a bare instrument
    const fitsScope = paren.path.length > 0 || level <= (LEVEL.article as number);
    if (level > deepest && fitsScope && h.kind !== 'suppl-provision') {
      if (paren.ins.startsWith('ext:')) return { ins: paren.ins, paths: [] };
      return { ins: paren.ins, paths: [extend(scope, paren.ins, paren.path.filter((s) => s.kind !== 'chapter'), r.steps)] };
    }
    // 第九号（第一号から第四号までに掲げる行為に準ずるもの…）: items beside the one cited
    if (h.kind === 'item' && paren.path[paren.path.length - 1]?.kind === 'item' && !paren.ins.startsWith('ext:')) {
      return { ins: paren.ins, paths: [extend(scope, paren.ins, paren.path.slice(0, -1), r.steps)] };
    }
  }
  if (ins.startsWith('ext:')) return { ins, paths: [] };
  const same = ins === own;
  if (h.kind === 'suppl-provision') {
    // in the 附則 of an amending act, 附則第三条 is its own; 附則第三項の改正規定 amends the instrument's
    const ownSuppl = same && named === undefined && ctx.amending && !/^の改正規定/.test(textAfter);
    const base = ownSuppl ? (ctx.suppl as Provision).address.path : [{ kind: 'suppl-provision' as const, num: '1' }];
    return { ins, paths: [extend(scope, ins, base, r.steps.slice(1))] };
  }
  if (prev && prev.path.length > 0) {
    // in a list (第十九条第一項又は第二項), a reference goes on below the one before it
    const k = prev.path.findIndex((st) => (LEVEL[st.kind] ?? (st.kind.startsWith('sub') || st.kind.startsWith('row-item') ? 4 : 9)) >= level);
    if (k > 0) return { ins, paths: [extend(scope, ins, prev.path.slice(0, k), r.steps)] };
    if (k === 0) return { ins, paths: [extend(scope, ins, [], r.steps)] };
  }
  let base: AddressStep[] = [];
  if (same && named === undefined) {
    const here = (q: Provision | undefined) => (q ? q.address.path : undefined);
    switch (h.kind) {
      case 'paragraph':
        base = here(ctx.article) ?? here(ctx.suppl) ?? [];
        break;
      case 'item':
        base = here(ctx.paragraph) ?? here(ctx.article) ?? [];
        break;
      case 'article':
        // in the 附則 of an amending act, 第N条 is an article of that act (its 附則 is cited as 附則第N条),
        // unless a range ends in the 附則 itself (第二条から前条まで)
        if (ctx.amending) {
          const end = r.to?.steps[0];
          if (end?.t === 'rel' && /条$/.test(end.word)) base = (ctx.suppl as Provision).address.path;
          else return { ins: 'ext:改正法令', paths: [] };
        }
        break;
      default:
        break;
    }
  }
  return { ins, paths: [extend(scope, ins, base, r.steps)] };
}

/** Every provision from one to another, in order (第三号から第五号まで, 第十八条から前条まで). */
function expandRange(scope: Scope, ins: string, from: AddressStep[], to: AddressStep[]): AddressStep[][] {
  const a = find(scope, ins, from);
  const b = find(scope, ins, to);
  if (!a || !b) return [from, to];
  let siblings: Provision[] | undefined;
  if (a.kind === 'article' && b.kind === 'article') {
    const top = (q: Provision) => (q.address.path[0]?.kind === 'suppl-provision' ? `suppl${q.address.path[0].num}` : 'body');
    const other = scope.index.instruments.get(ins);
    if (top(a) !== top(b) || !other) return [from, to];
    siblings = ins === scope.instrument.id ? scope.articles.get(top(a)) : [...walkProvisions(other.provisions)].filter((q) => q.kind === 'article' && top(q) === top(a) && (top(a) !== 'body' || q.address.path.length === 1));
  } else {
    const pa = scope.index.parents.get(a.id);
    if (!pa) return [from, to];
    if (pa !== scope.index.parents.get(b.id)) {
      // 第九号から第十一号イまで: the items up to 第十一号, then 第十一号's own up to イ
      let x: Provision | undefined = b;
      while (x && scope.index.parents.get(x.id) !== pa) x = scope.index.parents.get(x.id);
      if (!x || x === b || x.kind !== a.kind) return [from, to];
      let below: Provision = b;
      while (scope.index.parents.get(below.id) !== x) below = scope.index.parents.get(below.id) as Provision;
      const first = x.children.find((c) => c.kind === below.kind);
      if (!first) return [from, to];
      return [...expandRange(scope, ins, from, x.address.path).slice(0, -1), ...expandRange(scope, ins, first.address.path, to)];
    }
    siblings = pa.children.filter((c) => c.kind === a.kind);
  }
  const i = siblings?.indexOf(a) ?? -1;
  const j = siblings?.indexOf(b) ?? -1;
  if (!siblings || i < 0 || j < i) return [from, to];
  const run = siblings.slice(i, j + 1);
  // a provision of the range left out of the text (抄): the range is not all there
  const num = (q: Provision) => q.address.path[q.address.path.length - 1];
  const gap = run.findIndex((q, x) => x > 0 && num(run[x - 1] as Provision)?.to === undefined && num(q)?.to === undefined && !isNextNumber(num(run[x - 1] as Provision)?.num ?? '', num(q)?.num ?? '') && !/[^0-9-]/.test(num(q)?.num ?? 'x'));
  if (gap > 0) return [...run.map((q) => q.address.path), [...from.slice(0, -1), { kind: a.address.path[a.address.path.length - 1]?.kind ?? 'article', num: `${num(run[gap - 1] as Provision)?.num}+` }]];
  return run.map((q) => q.address.path);
}

/** Remembers what a reference cited, for 同条・同項・同号・同表 and the lists after it. */
function remember(ctx: Context, r: Ref, ins: string, path: AddressStep[]): void {
  const h = r.steps[0] as RefStep;
  if (h.t === 'label') return;
  const level = h.t === 'rel' ? (LEVEL[relKind(h.word)] ?? 9) : h.bare ? (LEVEL.row as number) : (LEVEL[h.kind] ?? 9);
  ctx.seq++;
  for (const kind of ['article', 'paragraph', 'item', 'appendix-table', 'row'] as const) {
    if ((LEVEL[kind] ?? 9) < level) continue;
    const k = path.findIndex((s) => s.kind === kind);
    if (k >= 0) ctx.last[kind] = { ins, path: path.slice(0, k + 1), seq: ctx.seq };
  }
}

function resolveCitation(scope: Scope, p: Provision, ctx: Context, text: string, index: number, named: string | undefined, refs: Ref[], paren: Paren | undefined): { citation: Citation; refPaths: (Cited | undefined)[] } | undefined {
  const { line, column } = pointOf(p, index);
  const base = { source: p.id, text, index, line, column };
  const own = scope.instrument.id;
  if (named !== undefined) ctx.lastInstrument = named;
  const paths: { ins: string; path: AddressStep[] }[] = [];
  const refPaths: (Cited | undefined)[] = [];
  let external: string | undefined;
  let reason: string | undefined;
  let prev: Cited | undefined;
  for (const [k, r] of refs.entries()) {
    const res = resolveRef(scope, ctx, r, k === 0 ? named : undefined, k === 0 ? undefined : prev, paren, p.text.slice(r.end));
    if (res.noLabel) {
      if (k === 0) return undefined;
      reason = 'a label that names nothing here';
      continue;
    }
    if (res.reason) reason = res.reason;
    if (res.ins.startsWith('ext:')) {
      external ??= res.ins.slice(4);
      // what it cited, for 同条・同項 after it
      const steps = r.steps.filter((s): s is Extract<RefStep, { t: 'num' }> => s.t === 'num').map((s) => ({ kind: s.kind as StepKind, num: s.num }));
      const cited: Cited = { ins: res.ins, path: res.paths[0] ?? steps, seq: 0 };
      remember(ctx, r, res.ins, cited.path);
      cited.after = { ...ctx.last };
      prev = cited;
      refPaths[k] = cited;
      if (!named?.startsWith('ext:') && (r.steps[0] as RefStep).t === 'rel') ctx.lastInstrument = res.ins;
      continue;
    }
    const got = [...res.paths];
    const lastPath = got[got.length - 1];
    if (r.to && lastPath) {
      // a range: every provision from here to its end, in order
      const endRes = resolveRef(scope, ctx, r.to, undefined, { ins: res.ins, path: lastPath, seq: 0 }, paren, '');
      const end = endRes.paths[endRes.paths.length - 1];
      if (end && endRes.ins === res.ins) {
        got.pop();
        got.push(...expandRange(scope, res.ins, lastPath, end));
      }
    }
    for (const g of got) paths.push({ ins: res.ins, path: g });
    const anchor = got[got.length - 1];
    if (anchor) {
      remember(ctx, r, res.ins, anchor);
      prev = { ins: res.ins, path: anchor, seq: 0, after: { ...ctx.last } };
      refPaths[k] = prev;
    }
  }
  if (paths.length === 0 && external !== undefined) {
    return { citation: { ...base, status: 'external', external, targets: [] }, refPaths };
  }
  const targets: CitationTarget[] = [];
  const missing: string[] = [];
  const deleted: string[] = [];
  for (const { ins, path } of paths) {
    const t = find(scope, ins, path);
    if (t) {
      targets.push({ id: t.id, address: t.address });
      if (t.deleted) deleted.push(t.id);
    } else missing.push(`${ins === own ? '' : `${ins}#`}${path.map((s) => `${s.kind}:${s.num}`).join('/')}`);
  }
  const insId = paths[0]?.ins ?? named ?? own;
  // the 附則 of an amending act cites that act (第二条の規定による改正後の…), which is not in the corpus
  const firstHead = refs[0]?.steps[0];
  const amendingAct = ctx.amending && named === undefined && missing.length > 0 && ((firstHead?.t === 'num' && firstHead.kind !== 'suppl-provision') || (firstHead?.t === 'rel' && firstHead.word.startsWith('同')));
  if (amendingAct) return { citation: { ...base, status: 'external', external: '改正法令', targets: [] }, refPaths };
  const status: CitationStatus = targets.length > 0 && missing.length === 0 ? 'resolved' : 'unresolved';
  return {
    citation: {
      ...base,
      status,
      instrument: insId,
      targets,
      ...(status === 'unresolved' ? { reason: reason ?? `no provision ${missing.join(', ')} in ${insId}` } : {}),
      ...(deleted.length > 0 ? { deletedTargets: deleted } : {}),
    },
    refPaths,
  };
}
