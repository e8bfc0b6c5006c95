/**
 * Citations in provision text, read with the citation grammar of Japanese
 * legislation and resolved to provision ids at the same revision.
 *
 *   citation  = [instrument] reference *( ("、" | "及び" | "又は" | "並びに" | "若しくは") reference ) ["から" reference "まで"]
 *   instrument= a name in the corpus (輸出令, 法 as defined in the text by 以下「法」という。)
 *             | a law cited with its number (関税法（昭和二十九年法律第六十一号）): external unless in the corpus
 *   reference = step+ | relative
 *   step      = 第N条(のN)* | 第N項 | 第N号(のN)* | イロハ | （N） | 別表第N(のN)* | のN(のN)*の項 | 附則
 *   relative  = 前条 | 次条 | 同条 | この条 | 本条 | 前項 | 次項 | 同項 | 前各項 | 前号 | 次号 | 同号 | 前各号 | 同表
 *
 * A reference that names only lower steps (第三号) is read inside the
 * provision it stands in (its article and paragraph); 同 refers to the last
 * one cited; ranges and lists resolve to several targets.
 */
import { findByAddress, type CorpusIndex } from '../model/locate.js';
import { irohaOrdinal, parseBranchedNumber } from '../model/numerals.js';
import { walkProvisions } from '../model/text.js';
import type { Address, AddressStep, Instrument, Provision, SourcePoint } from '../model/types.js';

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
const IROHA = 'イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス';
const DEFINITION = /（[^（）]{0,30}以下「[^」]{1,12}」という。?）/y;
const ERA_LAW_NUM = /（((?:明治|大正|昭和|平成|令和)[^（）]{1,20}?(?:法律|政令|省令|規則|告示|勅令)第[〇一二三四五六七八九十百千]+号)[^（）]*?）/y;

type Step = AddressStep & { iroha?: boolean };

// compiled once: readRef runs at every candidate position of the corpus
const RE = {
  suppl: /附則/y,
  article: new RegExp(`第(${N})条((?:の${N})*)`, 'y'),
  paragraph: new RegExp(`第(${N})項`, 'y'),
  item: new RegExp(`第(${N})号((?:の${N})*)`, 'y'),
  // 別表第一の二の項: the table number ends where a row number follows
  tableWithRow: new RegExp(`別表(?:第(${N}(?:の${N})*?))?(?=の${BR}(?:の項|から|、|及び|又は))`, 'y'),
  table: new RegExp(`別表(?:第(${BR}))?`, 'y'),
  row: new RegExp(`の(${BR})(?:の項)?(?=の項|から|、|及び|又は|[（(]|の中欄|に|の|$|[^〇一二三四五六七八九十百千])`, 'y'),
  iroha: new RegExp(`(?:の)?([${IROHA}])(?![${IROHA}ァ-ヶー])`, 'y'),
  paren: new RegExp(`[（(](${BR}|[０-９]+)[）)]`, 'y'),
  bare: new RegExp(`^(${BR})(?=(?:、|及び|又は|から|まで|の項))`),
  relative: /(前各項|前各号|前条|次条|同条|この条|本条|前項|次項|同項|前号|次号|同号|同表)/y,
};

/** How deep a step stands: a reference's steps go down, and a list goes on at one level. */
const STEP_LEVEL: Record<string, number> = { 'suppl-provision': 0, 'appendix-table': 1, article: 1, paragraph: 2, row: 2, item: 3, 'row-item': 3, subitem: 4, subitem2: 5 };

interface Ref {
  steps: Step[];
  /** The first step is relative to the citing provision (第三号, 前項 …). */
  relative: boolean;
  start: number;
  end: number;
  /** Several targets (前各項, 前各号). */
  many?: Step[][];
  /** The end of a range that starts here (第三号から第五号まで). */
  to?: Ref;
}

/** Names an instrument defines for others in its own text: 外国為替及び外国貿易法（昭和二十四年法律第二百二十八号。以下「法」という。） */
export function definedNames(text: string): { name: string; lawNum?: string; title: string }[] {
  const out: { name: string; lawNum?: string; title: string }[] = [];
  const re = /([一-龯ぁ-んァ-ヶー]{2,40}?)（(?:((?:明治|大正|昭和|平成|令和)[^。）]*?第[〇一二三四五六七八九十百千]+号)。)?以下「([^」]{1,12})」という。）/g;
  for (const m of text.matchAll(re)) {
    const [, title, lawNum, name] = m;
    if (title && name) out.push({ name, title, ...(lawNum ? { lawNum } : {}) });
  }
  return out;
}

interface Scope {
  index: CorpusIndex;
  instrument: Instrument;
  /** name → instrument id (or external name, prefixed "ext:") */
  names: Map<string, string>;
  /** names by their first character, longest first, for matching */
  byFirstChar: Map<string, string[]>;
  articles: Provision[];
}

function buildScope(index: CorpusIndex, instrument: Instrument): Scope {
  const names = new Map<string, string>();
  for (const [n, id] of index.names) {
    // 法 means the Act only where an instrument defines it so (below)
    if (n.length >= 2 && !/^[\x20-\x7e]+$/.test(n)) names.set(n, id);
  }
  const all = [...walkProvisions(instrument.provisions)];
  for (const p of all) {
    for (const d of definedNames(p.text)) {
      const byNum = d.lawNum ? [...index.instruments.values()].find((i) => i.meta.lawNum === d.lawNum) : undefined;
      const byTitle = index.names.get(d.title);
      const target = byNum?.id ?? byTitle ?? `ext:${d.title}`;
      if (!names.has(d.name) || names.get(d.name) !== target) names.set(d.name, target);
    }
  }
  for (const n of ['この法律', 'この政令', 'この省令', 'この告示']) names.set(n, instrument.id);
  const articles = all.filter((p) => p.kind === 'article' && p.address.path.length === 1);
  const byFirstChar = new Map<string, string[]>();
  for (const n of [...names.keys()].sort((a, b) => b.length - a.length)) byFirstChar.set(n[0] as string, [...(byFirstChar.get(n[0] as string) ?? []), n]);
  return { index, instrument, names, byFirstChar, articles };
}

/** Reads the steps of one reference starting at `i`; undefined if there is none. */
function readRef(text: string, i: number): Ref | undefined {
  const steps: Step[] = [];
  let j = i;
  let relative = false;
  let many: Step[][] | undefined;
  const at = (re: RegExp) => {
    re.lastIndex = j;
    const m = re.exec(text);
    return m && m.index === j ? m : undefined;
  };
  const rel = at(RE.relative);
  if (rel) {
    relative = true;
    const w = rel[1] as string;
    const kind = w.endsWith('条') ? 'article' : w.endsWith('項') ? 'paragraph' : w.endsWith('号') ? 'item' : 'appendix-table';
    steps.push({ kind, num: w });
    j += w.length;
    if (w === '前各項' || w === '前各号') many = [];
  }
  const LEVEL = STEP_LEVEL;
  for (;;) {
    let m;
    const before = steps.length;
    if ((m = at(RE.suppl)) && steps.length === 0) {
      steps.push({ kind: 'suppl-provision', num: '1' });
    } else if ((m = at(RE.article))) {
      const num = parseBranchedNumber(`${m[1]}${m[2] ?? ''}`);
      if (num === undefined) break;
      steps.push({ kind: 'article', num });
    } else if ((m = at(RE.paragraph))) {
      steps.push({ kind: 'paragraph', num: parseBranchedNumber(m[1] as string) ?? '' });
    } else if ((m = at(RE.item))) {
      steps.push({ kind: 'item', num: parseBranchedNumber(`${m[1]}${m[2] ?? ''}`) ?? '' });
    } else if ((m = at(RE.tableWithRow) ?? at(RE.table))) {
      steps.push({ kind: 'appendix-table', num: m[1] ? (parseBranchedNumber(m[1]) ?? '') : '' });
    } else if (steps.length > 0 && steps[steps.length - 1]?.kind === 'appendix-table' && (m = at(RE.row))) {
      steps.push({ kind: 'row', num: parseBranchedNumber(m[1] as string) ?? '' });
    } else if (steps.length > 0 && (m = at(RE.iroha)) && ['item', 'subitem', 'subitem2'].includes(steps[steps.length - 1]?.kind ?? '')) {
      const o = irohaOrdinal(m[1] as string);
      if (o === undefined) break;
      steps.push({ kind: 'subitem', num: String(o), iroha: true });
    } else if (steps.length > 0 && (m = at(RE.paren)) && ['row', 'row-item', 'subitem', 'item'].includes(steps[steps.length - 1]?.kind ?? '')) {
      const prev = steps[steps.length - 1]?.kind;
      const num = parseBranchedNumber(m[1] as string);
      if (num === undefined) break;
      steps.push({ kind: prev === 'row' || prev === 'row-item' ? 'row-item' : 'subitem2', num });
    } else break;
    // 第一項第五号第二十条: an article cannot stand below an item; the reference ended before it
    const added = steps[steps.length - 1];
    const above = steps[steps.length - 2];
    if (steps.length > before && added && above && (LEVEL[added.kind] ?? 9) <= (LEVEL[above.kind] ?? 0) && !(added.kind === 'row-item' && above.kind === 'row-item')) {
      steps.pop();
      break;
    }
    j += m[0].length;
  }
  if (steps.length === 0) return undefined;
  return { steps, relative, start: i, end: j, ...(many ? { many } : {}) };
}

/** The kind of the first step of a reference, for lists: 第一号、第三号 continue at the item level. */
function headKind(r: Ref): string {
  return r.steps[0]?.kind ?? '';
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

interface Context {
  article?: Provision;
  paragraph?: Provision;
  item?: Provision;
  suppl?: Provision;
  /** last cited provisions, for 同条, 同項, 同号, 同表 */
  last: Partial<Record<'article' | 'paragraph' | 'item' | 'appendix-table', AddressStep[]>>;
  lastInstrument?: string | undefined;
  /** The citation being read names its instrument. */
  named?: boolean;
}

function contextOf(scope: Scope, p: Provision): Context {
  const ctx: Context = { last: {} };
  const path = p.address.path;
  const chain: Provision[] = [];
  for (let k = 1; k <= path.length; k++) {
    const q = findByAddress(scope.index, scope.instrument.id, path.slice(0, k));
    if (q) chain.push(q);
  }
  for (const q of chain) {
    if (q.kind === 'article') ctx.article = q;
    if (q.kind === 'paragraph') ctx.paragraph = q;
    if (q.kind === 'item') ctx.item = q;
    if (q.kind === 'suppl-provision') ctx.suppl = q;
  }
  return ctx;
}

function pointOf(p: Provision, index: number): { line: number; column: number } {
  const at: SourcePoint = p.textAt ?? p.range.start;
  const before = p.text.slice(0, index);
  const nl = before.lastIndexOf('\n');
  if (nl < 0) return { line: at.line, column: at.column + index };
  return { line: at.line + (before.match(/\n/g)?.length ?? 0), column: index - nl };
}

function citationsIn(scope: Scope, p: Provision): Citation[] {
  const text = p.text;
  const out: Citation[] = [];
  const ctx = contextOf(scope, p);
  let i = 0;
  while (i < text.length) {
    // an instrument named here?
    let instrument: string | undefined;
    let external: string | undefined;
    let start = i;
    let j = i;
    // a name starts a word: 法 inside 金融商品取引法 is not the Act
    const boundary = i === 0 || !/[一-龯ァ-ヶー々]/.test(text[i - 1] ?? '');
    const name = boundary ? scope.byFirstChar.get(text[i] ?? '')?.find((n) => text.startsWith(n, i)) : undefined;
    const other = boundary && !name ? /[一-龯ァ-ヶー々]{1,30}?(?:法律|法|令|規則|省令)(?=第[〇一二三四五六七八九十百千]+条)/y : undefined;
    if (other) other.lastIndex = i;
    const otherMatch = other?.exec(text);
    if ((text.startsWith('同法', i) || text.startsWith('同令', i)) && boundary) {
      // 同法 / 同令: the instrument cited last
      if (ctx.lastInstrument?.startsWith('ext:')) external = ctx.lastInstrument.slice(4);
      else instrument = ctx.lastInstrument ?? scope.instrument.id;
      j = i + 2;
    } else if (otherMatch) {
      // 金融商品取引法第二条: a law cited by name alone, not in the corpus
      external = otherMatch[0];
      j = i + otherMatch[0].length;
    } else if (name) {
      const target = scope.names.get(name) as string;
      if (target.startsWith('ext:')) external = target.slice(4);
      else instrument = target;
      j = i + name.length;
      // 輸出貿易管理令（昭和二十四年政令第三百七十八号）or （以下「輸出令」という。）: skip the parenthesis
      ERA_LAW_NUM.lastIndex = j;
      const ln = ERA_LAW_NUM.exec(text);
      if (ln && ln.index === j) j += ln[0].length;
      else {
        DEFINITION.lastIndex = j;
        const df = DEFINITION.exec(text);
        if (df && df.index === j) j += df[0].length;
      }
    } else if (boundary && /[一-龯ァ-ヶ]/.test(text[i] ?? '')) {
      // a law cited by name and number that is not in the corpus: 関税法（昭和二十九年法律第六十一号）
      const m = /[一-龯ぁ-んァ-ヶー]{1,40}?(?:法律|法|令|規則|省令|条約|協定)(?=（)/y;
      m.lastIndex = i;
      const mm = m.exec(text);
      if (mm) {
        ERA_LAW_NUM.lastIndex = i + mm[0].length;
        const ln = ERA_LAW_NUM.exec(text);
        if (ln && ln.index === i + mm[0].length) {
          const inCorpus = [...scope.index.instruments.values()].find((x) => x.meta.lawNum === ln[1]);
          if (inCorpus) instrument = inCorpus.id;
          else external = mm[0];
          j = i + mm[0].length + ln[0].length;
        }
      }
    }
    // 法律第百六十七号 is a law number, not an item
    const ref = /(?:法律|政令|省令|規則|告示|勅令|条約)$/.test(text.slice(Math.max(0, j - 2), j)) ? undefined : readRef(text, j);
    if (!ref) {
      if (instrument !== undefined || external !== undefined) {
        ctx.lastInstrument = external !== undefined ? `ext:${external}` : instrument;
        i = Math.max(j, i + 1);
      } else i++;
      continue;
    }
    if (instrument === undefined && external === undefined) start = ref.start;
    // a list or a range of references at the same level
    const refs: Ref[] = [ref];
    let end = ref.end;
    for (;;) {
      const sep = /^(、|及び|又は|並びに|若しくは|から)/.exec(text.slice(end));
      if (!sep) break;
      const next = readRef(text, end + (sep[1] as string).length);
      const prevRef = refs[refs.length - 1] as Ref;
      // 第五十五条の三第一項、第九項: a list goes on at any level the first reference named
      const continues = next && !next.relative && (headKind(next) === headKind(prevRef) || prevRef.steps.some((st) => st.kind === headKind(next)));
      if (!next || !continues) {
        // 別表第一の一、三六の項: bare numbers continue a list of rows
        const bare = RE.bare.exec(text.slice(end + (sep[1] as string).length));
        if (bare && refs[refs.length - 1]?.steps.some((s) => s.kind === 'row' || s.kind === 'appendix-table')) {
          const fake: Ref = { steps: [{ kind: 'row', num: parseBranchedNumber(bare[1] as string) ?? '' }], relative: false, start: end, end: end + (sep[1] as string).length + (bare[1] as string).length };
          if (sep[1] === 'から') (refs[refs.length - 1] as Ref).to = fake;
          else refs.push(fake);
          end = fake.end;
          if (text.startsWith('まで', end)) end += 2;
          if (text.startsWith('の項', end)) end += 2;
          continue;
        }
        break;
      }
      if (sep[1] === 'から') {
        prevRef.to = next;
        end = next.end;
        if (text.startsWith('まで', end)) end += 2;
        continue;
      }
      refs.push(next);
      end = next.end;
    }
    // 別表第一の一から一五までの項: the first reference is a table and a bare number
    out.push(resolveCitation(scope, p, ctx, text.slice(start, end), start, instrument, external, refs));
    i = end;
  }
  return out;
}

function absolutePath(scope: Scope, ctx: Context, ref: Ref, prev: AddressStep[] | undefined, sameInstrument: boolean): { paths: AddressStep[][]; reason?: string } {
  const s0 = ref.steps[0] as Step;
  let base: AddressStep[] = [];
  let rest = ref.steps;
  const here = (q: Provision | undefined) => (q ? q.address.path : undefined);
  if (ref.relative) {
    const w = s0.num;
    rest = ref.steps.slice(1);
    const articles = ctx.suppl ? ctx.suppl.children.filter((c) => c.kind === 'article') : scope.articles;
    const artIndex = ctx.article ? articles.indexOf(ctx.article) : -1;
    switch (w) {
      case '前条':
      case '次条': {
        const a = articles[artIndex + (w === '前条' ? -1 : 1)];
        if (!a) return { paths: [], reason: `${w} has no article` };
        base = a.address.path;
        break;
      }
      case '同条':
        base = ctx.last.article ?? here(ctx.article) ?? [];
        break;
      case 'この条':
      case '本条':
        base = here(ctx.article) ?? [];
        break;
      case '前項':
      case '次項':
      case '同項':
      case '前各項': {
        const para = ctx.paragraph;
        if (!para || !ctx.article && !ctx.suppl) return { paths: [], reason: `${w} outside a paragraph` };
        if (w === '同項' && ctx.last.paragraph) {
          base = ctx.last.paragraph;
          break;
        }
        const n = Number(para.address.path[para.address.path.length - 1]?.num ?? '1');
        const parent = para.address.path.slice(0, -1);
        if (w === '前各項') {
          return { paths: Array.from({ length: n - 1 }, (_, k) => [...parent, { kind: 'paragraph', num: String(k + 1) }, ...rest]) };
        }
        const num = w === '前項' ? n - 1 : w === '次項' ? n + 1 : n;
        base = [...parent, { kind: 'paragraph', num: String(num) }];
        break;
      }
      case '前号':
      case '次号':
      case '同号':
      case '前各号': {
        if (w === '同号' && ctx.last.item) {
          base = ctx.last.item;
          break;
        }
        const item = ctx.item;
        if (!item) return { paths: [], reason: `${w} outside an item` };
        const step = item.address.path[item.address.path.length - 1] as AddressStep;
        const parent = item.address.path.slice(0, -1);
        const siblings = (findByAddress(scope.index, scope.instrument.id, parent)?.children ?? []).filter((c) => c.kind === 'item');
        const k = siblings.findIndex((c) => c.id === item.id);
        if (w === '前各号') return { paths: siblings.slice(0, k).map((c) => [...c.address.path, ...rest]) };
        if (w === '同号') {
          base = item.address.path;
          break;
        }
        const other = siblings[k + (w === '前号' ? -1 : 1)];
        if (!other) return { paths: [], reason: `${w} has no item` };
        base = other.address.path;
        void step;
        break;
      }
      case '同表':
        // with no appended table cited before, 同表 is the table in the provision itself
        base = ctx.last['appendix-table'] ?? here(ctx.paragraph) ?? here(ctx.article) ?? [];
        break;
    }
    return { paths: [[...base, ...rest]] };
  }
  // in a list (第十九条第一項又は第二項), a reference goes on below the one before it
  if (prev && prev.length > 0) {
    const level = STEP_LEVEL[s0.kind] ?? 9;
    const k = prev.findIndex((st) => (STEP_LEVEL[st.kind] ?? 9) >= level);
    if (k > 0) return { paths: [[...prev.slice(0, k), ...ref.steps]] };
    if (k === 0) return { paths: [ref.steps] };
  }
  if (!sameInstrument) return { paths: [ref.steps] };
  // a reference that starts below the article is read where it stands
  switch (s0.kind) {
    case 'paragraph':
      base = prev && prev.some((s) => s.kind === 'article') ? prev.slice(0, prev.findIndex((s) => s.kind === 'article') + 1) : here(ctx.article) ?? [];
      break;
    case 'item':
      base = prev && prev.some((s) => s.kind === 'paragraph' || s.kind === 'article')
        ? prev.slice(0, Math.max(prev.findIndex((s) => s.kind === 'paragraph'), prev.findIndex((s) => s.kind === 'article')) + 1)
        : here(ctx.paragraph) ?? here(ctx.article) ?? [];
      break;
    case 'row':
      base = prev ? prev.slice(0, prev.findIndex((s) => s.kind === 'appendix-table') + 1) : [];
      break;
    case 'article':
      // in the 附則 of an amending act, 第N条 is that act's own article
      if (ctx.suppl && ctx.suppl.address.path[0]?.num !== '1' && !ctx.named) base = ctx.suppl.address.path;
      break;
    default:
      break;
  }
  return { paths: [[...base, ...ref.steps]] };
}

/**
 * Sub-item and row-item steps get their depth (（一）１ under a row is
 * row-item, row-item2), and a table number that does not exist is read as
 * table and row (別表第一の五 in 別表第一の五から一五までの項).
 */
function normalise(scope: Scope, instrument: string, path: AddressStep[]): AddressStep[] {
  const out: AddressStep[] = [];
  let sub = 0;
  let rowItem = 0;
  for (const st of path) {
    if (st.kind === 'subitem' || st.kind === 'subitem2') {
      sub++;
      out.push({ ...st, kind: (['subitem', 'subitem2', 'subitem3', 'subitem4', 'subitem5', 'subitem6'] as const)[Math.min(sub, 6) - 1] as AddressStep['kind'] });
    } else if (st.kind === 'row-item') {
      rowItem++;
      out.push({ ...st, kind: (['row-item', 'row-item2', 'row-item3', 'row-item4'] as const)[Math.min(rowItem, 4) - 1] as AddressStep['kind'] });
    } else out.push({ kind: st.kind, num: st.num, ...(st.to !== undefined ? { to: st.to } : {}) });
  }
  const k = out.findIndex((st) => st.kind === 'appendix-table');
  const t = out[k];
  if (k >= 0 && t && t.num.includes('-') && !findByAddress(scope.index, instrument, out.slice(0, k + 1))) {
    const parts = t.num.split('-');
    for (let cut = parts.length - 1; cut >= 1; cut--) {
      const table: AddressStep = { kind: 'appendix-table', num: parts.slice(0, cut).join('-') };
      if (!findByAddress(scope.index, instrument, [...out.slice(0, k), table])) continue;
      const hasRow = out[k + 1]?.kind === 'row';
      return [...out.slice(0, k), table, { kind: 'row', num: parts.slice(cut).join('-') }, ...out.slice(k + (hasRow ? 2 : 1))];
    }
  }
  return out;
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

function rowsBetween(scope: Scope, instrument: string, from: AddressStep[], to: AddressStep[]): AddressStep[][] {
  const table = findByAddress(scope.index, instrument, from.slice(0, -1));
  if (!table) return [from, to];
  const rows = table.children.filter((c) => c.kind === from[from.length - 1]?.kind);
  const a = rows.findIndex((r) => r.address.path[r.address.path.length - 1]?.num === from[from.length - 1]?.num);
  const b = rows.findIndex((r) => r.address.path[r.address.path.length - 1]?.num === to[to.length - 1]?.num);
  if (a < 0 || b < 0 || b < a) return [from, to];
  return rows.slice(a, b + 1).map((r) => r.address.path);
}

function resolveCitation(scope: Scope, p: Provision, ctx: Context, text: string, index: number, instrument: string | undefined, external: string | undefined, refs: Ref[]): Citation {
  const { line, column } = pointOf(p, index);
  const base = { source: p.id, text, index, line, column };
  if (external !== undefined) {
    ctx.lastInstrument = `ext:${external}`;
    return { ...base, status: 'external', external, targets: [] };
  }
  ctx.lastInstrument = instrument ?? scope.instrument.id;
  const insId = instrument ?? scope.instrument.id;
  const same = insId === scope.instrument.id;
  ctx.named = instrument !== undefined;
  const paths: AddressStep[][] = [];
  let reason: string | undefined;
  let prev: AddressStep[] | undefined;
  for (const r of refs) {
    const res = absolutePath(scope, ctx, r, prev, same);
    if (res.reason) reason = res.reason;
    const got = res.paths.map((x) => normalise(scope, insId, x));
    const last = got[got.length - 1];
    if (r.to && last) {
      // a range: every provision from here to its end, in order
      const endRes = absolutePath(scope, ctx, r.to, last, same);
      const end = endRes.paths[0] ? normalise(scope, insId, endRes.paths[0]) : undefined;
      if (end) {
        got.pop();
        got.push(...rowsBetween(scope, insId, last, end));
      }
    }
    paths.push(...got);
    if (got.length > 0) prev = got[got.length - 1];
  }
  const targets: CitationTarget[] = [];
  const missing: string[] = [];
  const deleted: string[] = [];
  for (const path of paths) {
    const t = findByAddress(scope.index, insId, path) ?? splitTableNumber(scope, insId, path);
    if (t) {
      targets.push({ id: t.id, address: t.address });
      if (t.deleted) deleted.push(t.id);
    } else missing.push(path.map((s) => `${s.kind}:${s.num}`).join('/'));
  }
  // remember what was cited, for 同条, 同項, 同号, 同表
  const lastPath = paths[paths.length - 1];
  if (lastPath && same) {
    for (const kind of ['article', 'paragraph', 'item', 'appendix-table'] as const) {
      const k = lastPath.findIndex((s) => s.kind === kind);
      if (k >= 0) ctx.last[kind] = lastPath.slice(0, k + 1);
    }
  }
  // the 附則 of an amending act cites that act (第二条の規定による改正後の…), which is not in the corpus
  if (missing.length > 0 && ctx.suppl && ctx.suppl.address.path[0]?.num !== '1' && !ctx.named) {
    return { ...base, status: 'external', external: '改正法令', targets: [] };
  }
  const status: CitationStatus = targets.length > 0 && missing.length === 0 ? 'resolved' : 'unresolved';
  return {
    ...base,
    status,
    instrument: insId,
    targets,
    ...(status === 'unresolved' ? { reason: reason ?? `no provision ${missing.join(', ')} in ${insId}` } : {}),
    ...(deleted.length > 0 ? { deletedTargets: deleted } : {}),
  };
}
