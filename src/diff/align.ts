/**
 * Aligning two revisions of an instrument provision by provision.
 *
 * Siblings are aligned in order: first provisions whose whole content is
 * identical (an LCS over content hashes, preferring the same id), then, in
 * the gaps between those anchors, the most similar pairs (a DP over
 * similarity, with a small bonus for the same id). A pair whose id changed
 * is a renumbering, never a delete plus an add. Provisions left over on
 * both sides that are alike are moves. Chapters are aligned in the same
 * lists as the articles they hold, since article ids do not depend on them.
 */
import { diffArrays } from 'diff';
import { isStructural, type Instrument, type InstrumentMeta, type Provision } from '../model/types.js';
import { provisionFullText, provisionOwnText } from '../model/text.js';
import { isEditorialChange } from './classify.js';
import { computeRedline, type RedlineLimits } from './text.js';
import type { InstrumentDiff, MetadataChange, ProvisionChange } from './types.js';

export interface AlignOptions {
  redline?: RedlineLimits;
  /** Pairs less similar than this are not aligned (0…1). */
  minSimilarity?: number;
  /** Reads quantities out of changed texts (see numbers.ts); optional so align stays testable alone. */
  compareNumbers?: (before: string, after: string) => ProvisionChange['numbers'];
}

interface Unit {
  p: Provision;
  /** Content of the whole subtree, without the provision's own label. */
  subtree: string;
  own: string;
  step: string;
  bigrams?: Map<number, number>;
}

// subtree texts are asked for at every level of the recursion: compute each once
const subtreeMemo = new WeakMap<Provision, string>();
function subtreeOf(p: Provision): string {
  let s = subtreeMemo.get(p);
  if (s === undefined) {
    s = [provisionOwnText(p), ...p.children.map((c) => `${c.label}\u3000${subtreeOf(c)}`)].join('\n');
    subtreeMemo.set(p, s);
  }
  return s;
}

/** Siblings for alignment: structural provisions stand in the list next to the articles they hold. */
function units(list: readonly Provision[]): Unit[] {
  const out: Unit[] = [];
  const visit = (ps: readonly Provision[]) => {
    for (const p of ps) {
      const step = p.id.slice(p.id.lastIndexOf('/') + 1);
      if (isStructural(p)) {
        out.push({ p, subtree: `${p.label}${p.title}`, own: provisionOwnText(p), step });
        visit(p.children);
      } else out.push({ p, subtree: subtreeOf(p), own: provisionOwnText(p), step });
    }
  };
  visit(list);
  return out;
}

function bigrams(u: Unit): Map<number, number> {
  if (u.bigrams) return u.bigrams;
  const m = new Map<number, number>();
  const s = u.subtree;
  for (let i = 0; i + 1 < s.length; i++) {
    const g = s.charCodeAt(i) * 65536 + s.charCodeAt(i + 1);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  u.bigrams = m;
  return m;
}

/** Dice coefficient over character bigrams: 1 for equal texts, 0 for nothing in common. */
export function similarity(a: Unit, b: Unit): number {
  if (a.p.kind !== b.p.kind) return 0;
  if (a.subtree === b.subtree) return 1;
  const ga = bigrams(a);
  const gb = bigrams(b);
  let common = 0;
  let total = 0;
  for (const [g, n] of ga) {
    total += n;
    const m = gb.get(g);
    if (m) common += Math.min(n, m);
  }
  for (const n of gb.values()) total += n;
  return total === 0 ? (a.subtree === b.subtree ? 1 : 0) : (2 * common) / total;
}

function ownSimilarity(a: Unit, b: Unit): number {
  if (a.p.kind !== b.p.kind) return 0;
  return similarity({ p: a.p, subtree: a.own, own: a.own, step: a.step }, { p: b.p, subtree: b.own, own: b.own, step: b.step });
}

const MAX_DP = 400;

/** Pairs [oldIndex, newIndex] in order. */
function alignUnits(olds: Unit[], news: Unit[], minSim: number): [number, number][] {
  const key = (u: Unit) => `${u.p.kind}\u0000${u.subtree}`;
  // pass 1: identical content, same id; pass 2: identical content
  const anchors: [number, number][] = [];
  const lcs = (a: number[], b: number[], k: (u: Unit) => string) => {
    const out: [number, number][] = [];
    const d = diffArrays(a.map((i) => k(olds[i] as Unit)), b.map((i) => k(news[i] as Unit)));
    let i = 0;
    let j = 0;
    for (const c of d) {
      if (c.added) j += c.count;
      else if (c.removed) i += c.count;
      else for (let t = 0; t < c.count; t++) out.push([a[i++] as number, b[j++] as number]);
    }
    return out;
  };
  const allOld = olds.map((_, i) => i);
  const allNew = news.map((_, i) => i);
  const strict = lcs(allOld, allNew, (u) => `${key(u)}\u0000${u.step}`);
  const between = (pairs: [number, number][], f: (a: number[], b: number[]) => [number, number][]) => {
    const out: [number, number][] = [];
    let pi = 0;
    let pj = 0;
    for (const [i, j] of [...pairs, [olds.length, news.length] as [number, number]]) {
      const a = allOld.slice(pi, i);
      const b = allNew.slice(pj, j);
      if (a.length > 0 && b.length > 0) out.push(...f(a, b));
      if (i < olds.length) out.push([i, j]);
      pi = i + 1;
      pj = j + 1;
    }
    return out;
  };
  // short contents (削除, 同上) are alike everywhere: they must not anchor the
  // alignment across a provision that changed, so they are left to the DP
  const unique = new Map<Unit, string>();
  const looseKey = (u: Unit) => {
    if (u.subtree.length >= 8) return key(u);
    let k = unique.get(u);
    if (k === undefined) unique.set(u, (k = `\u0000unique${unique.size}`));
    return k;
  };
  const loose = between(strict, (a, b) => lcs(a, b, looseKey));
  anchors.push(...loose);
  // pass 3: in the gaps, the most similar pairs in order
  return between(anchors, (a, b) => dpAlign(a, b, olds, news, minSim));
}

function dpAlign(a: number[], b: number[], olds: Unit[], news: Unit[], minSim: number): [number, number][] {
  // the common case, a provision changed in place: same kinds and numbers on both sides
  if (a.length === b.length && a.every((i, k) => {
    const u = olds[i] as Unit;
    const v = news[b[k] as number] as Unit;
    return u.p.kind === v.p.kind && u.step === v.step && u.p.label === v.p.label;
  })) {
    return a.map((i, k) => [i, b[k] as number]);
  }
  if (a.length * b.length > MAX_DP * MAX_DP) {
    // too large to compare all pairs: align by id alone
    const byStep = new Map(b.map((j) => [`${(news[j] as Unit).p.kind}:${(news[j] as Unit).step}`, j]));
    return a.flatMap((i) => {
      const j = byStep.get(`${(olds[i] as Unit).p.kind}:${(olds[i] as Unit).step}`);
      return j !== undefined ? [[i, j] as [number, number]] : [];
    });
  }
  const n = a.length;
  const m = b.length;
  const score = (i: number, j: number) => {
    const u = olds[a[i] as number] as Unit;
    const v = news[b[j] as number] as Unit;
    // under the same number, a provision whose own wording stayed alike is the same
    // provision even when sub-items were added below it
    const same = u.step === v.step;
    const s = same ? Math.max(similarity(u, v), ownSimilarity(u, v)) : similarity(u, v);
    if (s < minSim) return -1;
    return s + (same ? 0.05 : 0);
  };
  const best: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const sc: number[][] = Array.from({ length: n }, () => new Array<number>(m).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const s = score(i, j);
      (sc[i] as number[])[j] = s;
      const take = s >= 0 ? s + ((best[i + 1] as number[])[j + 1] as number) : -Infinity;
      (best[i] as number[])[j] = Math.max(take, (best[i + 1] as number[])[j] as number, (best[i] as number[])[j + 1] as number);
    }
  }
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const s = (sc[i] as number[])[j] as number;
    const here = (best[i] as number[])[j] as number;
    if (s >= 0 && Math.abs(here - (s + ((best[i + 1] as number[])[j + 1] as number))) < 1e-9) {
      out.push([a[i] as number, b[j] as number]);
      i++;
      j++;
    } else if (here === (best[i + 1] as number[])[j]) i++;
    else j++;
  }
  return out;
}

const META_KEYS: (keyof InstrumentMeta)[] = ['title', 'rank', 'lawNum', 'abbrev', 'enforcedAt', 'effective', 'publicationDate', 'lastUpdated', 'status', 'source'];

function metadataChanges(a: InstrumentMeta | undefined, b: InstrumentMeta | undefined): MetadataChange[] {
  const out: MetadataChange[] = [];
  for (const k of META_KEYS) {
    const x = a?.[k];
    const y = b?.[k];
    const sx = x === undefined ? undefined : String(x);
    const sy = y === undefined ? undefined : String(y);
    if (sx !== sy) out.push({ key: k, before: sx, after: sy });
  }
  return out;
}

function labelled(p: Provision, text: string): string {
  return p.label === '' ? text : text === '' ? p.label : `${p.label}\u3000${text}`;
}

/**
 * Changes are collected in document order as the alignment walks: a slot
 * holds the place of a provision that was removed or added until the move
 * pass knows whether it moved, so nothing needs sorting afterwards.
 */
interface Slot {
  entries: Entry[];
}
type Entry = ProvisionChange | Slot;

function flatten(entries: readonly Entry[], out: ProvisionChange[] = []): ProvisionChange[] {
  for (const e of entries) {
    if ('entries' in e) flatten(e.entries, out);
    else out.push(e);
  }
  return out;
}

/** What an added or removed provision shows: a chapter only its heading (its articles are listed one by one). */
function wholeText(p: Provision): string {
  return isStructural(p) ? labelled(p, p.title) : provisionFullText(p);
}

export function alignInstruments(oldIns: Instrument | undefined, newIns: Instrument | undefined, options: AlignOptions = {}): InstrumentDiff {
  const minSim = options.minSimilarity ?? 0.5;
  const ins = (newIns ?? oldIns) as Instrument;
  const root: Entry[] = [];
  const renumbering: Record<string, string> = {};
  const removedRoots: { p: Provision; slot: Slot }[] = [];
  const addedRoots: { p: Provision; slot: Slot }[] = [];
  const base = { instrument: ins.id };

  const compare = (o: Provision, n: Provision, sink: Entry[]) => {
    // identical subtree under the same id: nothing below can have changed
    if (o.id === n.id && o.label === n.label && subtreeOf(o) === subtreeOf(n)) return;
    if (o.id !== n.id) renumbering[o.id] = n.id;
    const ownBefore = provisionOwnText(o);
    const ownAfter = provisionOwnText(n);
    // 附則 blocks carry no number of their own: their ordinal shifts whenever an
    // amending act's 附則 is filed before them, which is not a renumbering
    const ordinalOnly = o.kind === 'suppl-provision' && o.label === n.label;
    const stepChanged = !ordinalOnly && (o.id.slice(o.id.lastIndexOf('/') + 1) !== n.id.slice(n.id.lastIndexOf('/') + 1) || o.label !== n.label);
    const ids = o.id !== n.id ? { oldId: o.id, newId: n.id } : {};
    const where = { address: n.address, ...(o.id !== n.id ? { oldAddress: o.address } : {}), oldRange: o.range, newRange: n.range };
    if (!o.deleted && n.deleted) {
      sink.push({ ...base, kind: 'became-削除', id: n.id, ...ids, ...where, before: wholeText(o), after: labelled(n, ownAfter), editorial: false });
      return;
    }
    if (ownBefore !== ownAfter) {
      const redline = computeRedline(ownBefore, ownAfter, options.redline);
      const numbers = options.compareNumbers?.(ownBefore, ownAfter);
      sink.push({
        ...base,
        kind: stepChanged ? 'renumbered' : 'modified',
        id: n.id,
        ...ids,
        ...where,
        before: labelled(o, ownBefore),
        after: labelled(n, ownAfter),
        redline,
        editorial: isEditorialChange(ownBefore, ownAfter),
        ...(numbers && numbers.length > 0 ? { numbers } : {}),
      });
    } else if (stepChanged) {
      sink.push({ ...base, kind: 'renumbered', id: n.id, ...ids, ...where, before: labelled(o, ownBefore), after: labelled(n, ownAfter), editorial: true });
    }
    if (!isStructural(o)) alignLists(o.children, n.children, sink);
  };

  const alignLists = (oldList: readonly Provision[], newList: readonly Provision[], sink: Entry[]) => {
    const ou = units(oldList);
    const nu = units(newList);
    const pairs = alignUnits(ou, nu, minSim);
    let io = 0;
    let jn = 0;
    // removed before added before the pair they precede: the order of a 新旧対照表
    for (const [i, j] of [...pairs, [ou.length, nu.length] as [number, number]]) {
      for (; io < i; io++) {
        const slot: Slot = { entries: [] };
        removedRoots.push({ p: (ou[io] as Unit).p, slot });
        sink.push(slot);
      }
      for (; jn < j; jn++) {
        const slot: Slot = { entries: [] };
        addedRoots.push({ p: (nu[jn] as Unit).p, slot });
        sink.push(slot);
      }
      if (i < ou.length && j < nu.length) compare((ou[i] as Unit).p, (nu[j] as Unit).p, sink);
      io = i + 1;
      jn = j + 1;
    }
  };

  alignLists(oldIns?.provisions ?? [], newIns?.provisions ?? [], root);

  // moves: a provision gone from one place and added, alike, in another;
  // the move is reported where the provision now stands
  const added = [...addedRoots];
  for (const { p: r, slot: rSlot } of removedRoots) {
    const ru: Unit = { p: r, subtree: subtreeOf(r), own: '', step: '' };
    let bestIdx = -1;
    let bestSim = 0.9;
    added.forEach(({ p: a }, k) => {
      if (a.kind !== r.kind || isStructural(a)) return;
      const s = similarity(ru, { p: a, subtree: subtreeOf(a), own: '', step: '' });
      if (s >= bestSim) {
        bestSim = s;
        bestIdx = k;
      }
    });
    const found = bestIdx >= 0 ? added.splice(bestIdx, 1)[0] : undefined;
    if (!found) {
      rSlot.entries.push({ ...base, kind: 'removed', id: r.id, oldAddress: r.address, oldRange: r.range, before: wholeText(r), editorial: false });
      continue;
    }
    const { p: a, slot: aSlot } = found;
    if (a.id === r.id || (a.kind === 'suppl-provision' && subtreeOf(a) === subtreeOf(r))) {
      // the same provision after all (same id), or the same 附則 filed at another ordinal
      compare(r, a, aSlot.entries);
      continue;
    }
    renumbering[r.id] = a.id;
    const before = provisionOwnText(r);
    const after = provisionOwnText(a);
    aSlot.entries.push({
      ...base,
      kind: 'moved',
      id: a.id,
      oldId: r.id,
      newId: a.id,
      address: a.address,
      oldAddress: r.address,
      oldRange: r.range,
      newRange: a.range,
      before: labelled(r, before),
      after: labelled(a, after),
      ...(before !== after ? { redline: computeRedline(before, after, options.redline) } : {}),
      editorial: false,
    });
    if (!isStructural(r)) alignLists(r.children, a.children, aSlot.entries);
  }
  for (const { p: a, slot } of added) {
    slot.entries.push({ ...base, kind: 'added', id: a.id, address: a.address, newRange: a.range, after: wholeText(a), editorial: false });
  }
  const changes = flatten(root);
  const metadata = metadataChanges(oldIns?.meta, newIns?.meta);
  const effective = newIns?.meta.effective ?? newIns?.meta.enforcedAt;
  return {
    ...(effective !== undefined ? { effective } : {}),
    instrument: ins.id,
    title: ins.meta.title,
    ...(oldIns ? { oldFile: oldIns.file } : {}),
    ...(newIns ? { newFile: newIns.file } : {}),
    status: !oldIns ? 'added' : !newIns ? 'removed' : changes.length > 0 || metadata.length > 0 ? 'changed' : 'unchanged',
    metadata,
    changes,
    renumbering,
  };
}
