/**
 * Text redlines inside one changed provision: Japanese compared character
 * by character, Latin words and numbers as whole tokens, with the diff
 * library's time and edit-length limits (when it gives up, the whole text
 * is shown as replaced, and the redline says so).
 */
import { diffArrays } from 'diff';
import type { Redline, RedlineSegment } from './types.js';

/** Half-width runs of letters/digits, full-width ones, whitespace runs; otherwise one character (code point). */
const TOKEN = /[A-Za-z0-9]+(?:[.,][0-9]+)*|[Ａ-Ｚａ-ｚ０-９]+|[ \t\n\u3000]+|[\s\S]/gu;

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
  return { segments };
}

/** The redline as readable text: `[-old-]{+new+}`, as git's word diff writes it. */
export function formatRedline(r: Redline): string {
  return r.segments.map((s) => (s.op === 'equal' ? s.text : s.op === 'delete' ? `[-${s.text}-]` : `{+${s.text}+}`)).join('');
}
