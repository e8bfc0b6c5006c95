/**
 * Text redlines inside one changed provision: Japanese compared character
 * by character, Latin words and numbers as whole tokens, with the diff
 * library's time and edit-length limits (when it gives up, the whole text
 * is shown as replaced, and the redline says so).
 */
import { diffArrays } from 'diff';
import type { Redline, RedlineSegment } from './types.js';

/**
 * Tokens: a number written in kanji digits (一六, 一、〇〇〇, 〇・一; 、 only as
 * a thousands separator, so the list 一、二〇 stays two tokens) so that a
 * threshold reads [-一六-]{+一二+}, not 一[-六-]{+二+}; runs of half-width and
 * of full-width letters and digits; whitespace runs; otherwise one character.
 */
const TOKEN = /[〇一二三四五六七八九]+(?:、[〇一二三四五六七八九]{3}(?![〇一二三四五六七八九]))*(?:・[〇一二三四五六七八九]+)?|[A-Za-z0-9]+(?:[.,][0-9]+)*|[Ａ-Ｚａ-ｚ０-９]+|[ \t\n\u3000]+|[\s\S]/gu;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export interface RedlineLimits {
  timeoutMs: number;
  maxEditLength: number;
}

export const DEFAULT_REDLINE_LIMITS: RedlineLimits = { timeoutMs: 250, maxEditLength: 4000 };

function push(segments: RedlineSegment[], op: RedlineSegment['op'], text: string): void {
  if (text === '') return;
  const last = segments[segments.length - 1];
  if (last && last.op === op) last.text += text;
  else segments.push({ op, text });
}

export function computeRedline(before: string, after: string, limits: RedlineLimits = DEFAULT_REDLINE_LIMITS): Redline {
  if (before === after) return { segments: before === '' ? [] : [{ op: 'equal', text: before }] };
  const changes = diffArrays(tokenize(before), tokenize(after), { timeout: limits.timeoutMs, maxEditLength: limits.maxEditLength });
  if (!changes) {
    const segments: RedlineSegment[] = [];
    push(segments, 'delete', before);
    push(segments, 'insert', after);
    return { segments, gaveUp: true };
  }
  const segments: RedlineSegment[] = [];
  for (const c of changes) push(segments, c.added ? 'insert' : c.removed ? 'delete' : 'equal', c.value.join(''));
  return { segments: cleanupSemantic(segments) };
}

interface Group {
  equal?: string;
  del: string;
  ins: string;
}

/**
 * A character diff of reworded text leaves one-character coincidences
 * (又は, 酸) between edits: "[-過塩素酸塩-]{+燃料+}又は[-クロム-]酸…". As in
 * diff-match-patch's semantic cleanup, an equality no longer than the edits
 * on both sides of it is folded into them, until nothing changes; the reader
 * then sees whole phrases replaced.
 */
export function cleanupSemantic(segments: readonly RedlineSegment[]): RedlineSegment[] {
  // alternate: change group, equality, change group, …
  const groups: Group[] = [];
  for (const s of segments) {
    if (s.op === 'equal') groups.push({ equal: s.text, del: '', ins: '' });
    else {
      let g = groups[groups.length - 1];
      if (!g || g.equal !== undefined) {
        g = { del: '', ins: '' };
        groups.push(g);
      }
      if (s.op === 'delete') g.del += s.text;
      else g.ins += s.text;
    }
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 1; i + 1 < groups.length; i++) {
      const e = groups[i] as Group;
      const before = groups[i - 1] as Group;
      const after = groups[i + 1] as Group;
      if (e.equal === undefined || before.equal !== undefined || after.equal !== undefined) continue;
      const len = [...e.equal].length;
      if (len <= Math.max(before.del.length, before.ins.length) && len <= Math.max(after.del.length, after.ins.length)) {
        groups.splice(i - 1, 3, { del: before.del + e.equal + after.del, ins: before.ins + e.equal + after.ins });
        changed = true;
        i--;
      }
    }
  }
  const out: RedlineSegment[] = [];
  for (const g of groups) {
    if (g.equal !== undefined) {
      push(out, 'equal', g.equal);
      continue;
    }
    // [-を-]{+及び…場合を+} is an insertion before an unchanged を: say so; but
    // a number stays whole: [-五-]{+二五+} reads as 5 → 25
    const numeric = /^[〇一二三四五六七八九0-9０-９・、．.]+$/;
    const common = g.del !== '' && g.ins !== '' && !numeric.test(g.del) && !numeric.test(g.ins) ? (g.ins.endsWith(g.del) ? 'suffix' : g.ins.startsWith(g.del) ? 'prefix' : g.del.endsWith(g.ins) ? 'dsuffix' : g.del.startsWith(g.ins) ? 'dprefix' : undefined) : undefined;
    switch (common) {
      case 'suffix':
        push(out, 'insert', g.ins.slice(0, g.ins.length - g.del.length));
        push(out, 'equal', g.del);
        break;
      case 'prefix':
        push(out, 'equal', g.del);
        push(out, 'insert', g.ins.slice(g.del.length));
        break;
      case 'dsuffix':
        push(out, 'delete', g.del.slice(0, g.del.length - g.ins.length));
        push(out, 'equal', g.ins);
        break;
      case 'dprefix':
        push(out, 'equal', g.ins);
        push(out, 'delete', g.del.slice(g.ins.length));
        break;
      default:
        push(out, 'delete', g.del);
        push(out, 'insert', g.ins);
    }
  }
  return out;
}

/** The redline as readable text: `[-old-]{+new+}`, as git's word diff writes it. */
export function formatRedline(r: Redline): string {
  return r.segments.map((s) => (s.op === 'equal' ? s.text : s.op === 'delete' ? `[-${s.text}-]` : `{+${s.text}+}`)).join('');
}
