/**
 * Line breaking for Japanese running text, as a pure function of the text,
 * a character measurer and a width: the PDF renderer sets every line itself
 * because pdfkit's wrapper breaks only at spaces (Japanese has none) and is
 * slow on long text.
 *
 * The rules are the core of JIS X 4051 禁則処理:
 * - a line never starts with a closing bracket, a comma or full stop, a
 *   middle dot, a small kana, the prolonged sound mark or an iteration mark
 *   (行頭禁則), and never ends with an opening bracket (行末禁則);
 * - Latin text (words, numbers such as `1.5` or `10%`, `x-ray`) breaks only
 *   at spaces, and consecutive full-width digits and letters stay together;
 * - anywhere else between two Japanese characters is a break.
 *
 * Where the character that overflows may not start a line, the line is
 * broken before the character before it (追い出し): no line is ever wider
 * than the width, and nothing hangs into the margin (ぶら下げ is not used).
 * Only a word wider than a whole line is broken between its characters.
 *
 * Characters are measured one at a time (the caller caches their widths
 * per font), which is what keeps this fast: a line's width is a sum, never
 * a re-measurement of a candidate line.
 */

/** A stretch of text in one style: only its text matters here. */
export interface TextRun {
  readonly text: string;
}

/** The advance width of one character (a code point with any marks on it) set in the style of run `run`. */
export type MeasureChar = (ch: string, run: number) => number;

/** The part of one run that falls on a line. */
export interface LineSlice {
  /** Index of the run in the input. */
  run: number;
  text: string;
  /** UTF-16 offsets of `text` in the run's text. */
  start: number;
  end: number;
  /** From the start of the line. */
  x: number;
  width: number;
  /** Characters in `text`, as measured (a character with its marks is one). */
  chars: number;
}

export interface LineBox {
  slices: LineSlice[];
  /** Without trailing spaces. */
  width: number;
  /** Ended by a `\n` of the text rather than by the width. */
  hard: boolean;
}

// ---------------------------------------------------------------------------
// Character classes

/** 行頭禁則: may not start a line. */
const NO_START = new Set(
  [
    ...'、。，．・：；？！‼⁇⁈⁉）］｝」』】〕〉》〙〗〟｠’”»',
    ...'ー々〻ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ',
    ...'ｧｨｩｪｫｯｬｭｮｰ｡｣､･',
    ...'‐゠–〜～',
    ...'％‰℃°′″￠',
    ...')]},.:;!?%',
  ],
);

/** 行末禁則: may not end a line (opening brackets, and currency signs that belong to the number after them). */
const NO_END = new Set([...'（［｛「『【〔〈《〘〖〝｟‘“«', ...'([{', ...'¥￥＄$£￡€#＃']);

/** 分離禁止: a pair of these is one mark (……, ――). */
const INSEPARABLE = new Set([...'…‥―—']);

/** Glue: no break on either side. */
const GLUE = new Set(['\u00a0', '\u202f', '\u2060', '\ufeff']);

/**
 * - `ideographic`: Japanese (and other CJK) characters, full-width punctuation and symbols: breakable around;
 * - `fullwidth-alnum`: full-width digits and letters: breakable around, but not between each other;
 * - `latin`: Latin (Greek, Cyrillic …) letters, digits and ASCII punctuation: a run of them is one word.
 */
type Kind = 'ideographic' | 'fullwidth-alnum' | 'latin' | 'space' | 'glue' | 'newline';

function kindOf(ch: string): Kind {
  if (ch === '\n') return 'newline';
  if (ch === ' ' || ch === '\t') return 'space';
  if (GLUE.has(ch)) return 'glue';
  const cp = ch.codePointAt(0) ?? 0;
  if ((cp >= 0xff10 && cp <= 0xff19) || (cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a)) return 'fullwidth-alnum';
  // below U+2000: alphabets and their punctuation; from it on: punctuation, symbols and scripts set full width in Japanese text
  return cp < 0x2000 ? 'latin' : 'ideographic';
}

function breakBetween(a: string, ka: Kind, b: string, kb: Kind): boolean {
  if (kb === 'space') return false; // spaces stay at the end of the line they follow
  if (ka === 'glue' || kb === 'glue') return false;
  if (NO_START.has(b) || NO_END.has(a)) return false;
  if (ka === 'space') return true;
  if (ka === 'latin' && kb === 'latin') return false;
  if (ka === 'fullwidth-alnum' && kb === 'fullwidth-alnum') return false;
  if (a === b && INSEPARABLE.has(a)) return false;
  return true;
}

/** Whether a line may end between the characters `a` and `b` (neither a newline). */
export function canBreakBetween(a: string, b: string): boolean {
  return breakBetween(a, kindOf(a), b, kindOf(b));
}

// ---------------------------------------------------------------------------
// Breaking

/** A character: one code point and the combining marks and variation selectors on it. */
interface Unit {
  text: string;
  run: number;
  start: number;
  end: number;
  kind: Kind;
}

const MARK = /^\p{M}$/u;

/** Whether the code point attaches to the one before it; kanji and kana (but the combining sound marks) are tested without a regular expression, as they make up most of the text. */
function isMark(cp: number, ch: string): boolean {
  if (cp < 0x300 || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3040 && cp <= 0x30ff && cp !== 0x3099 && cp !== 0x309a)) return false;
  return MARK.test(ch);
}

function unitsOf(runs: readonly TextRun[]): Unit[] {
  const out: Unit[] = [];
  runs.forEach((r, run) => {
    const t = r.text;
    let i = 0;
    while (i < t.length) {
      const start = i;
      const cp = t.codePointAt(i) ?? 0;
      i += cp > 0xffff ? 2 : 1;
      for (;;) {
        const next = t.codePointAt(i);
        if (next === undefined) break;
        const len = next > 0xffff ? 2 : 1;
        if (!isMark(next, t.slice(i, i + len))) break;
        i += len;
      }
      const text = t.slice(start, i);
      out.push({ text, run, start, end: i, kind: kindOf(text) });
    }
  });
  return out;
}

/**
 * The lines of `input` set in at most `maxWidth`. Empty text has no lines;
 * a `\n` ends a line (so "a\n" is two lines, the second empty). Only a single
 * character wider than `maxWidth` makes a line wider than `maxWidth`.
 */
export function breakLines(input: string | readonly TextRun[], measure: MeasureChar, maxWidth: number): LineBox[] {
  const runs: readonly TextRun[] = typeof input === 'string' ? [{ text: input }] : input;
  const units = unitsOf(runs);
  const n = units.length;
  // prefix[i]: width of units[0 .. i)
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const u = units[i] as Unit;
    prefix[i + 1] = (prefix[i] as number) + (u.kind === 'newline' ? 0 : measure(u.text, u.run));
  }
  const at = (i: number): Unit => units[i] as Unit;
  const width = (a: number, b: number): number => (prefix[b] as number) - (prefix[a] as number);
  const limit = maxWidth + 1e-6;

  const lines: LineBox[] = [];
  const emit = (a: number, b: number, hard: boolean): void => {
    let e = b;
    while (e > a && at(e - 1).kind === 'space') e--;
    lines.push({ slices: slicesOf(units, prefix, runs, a, e), width: width(a, e), hard });
  };
  const skipSpaces = (i: number): number => {
    while (i < n && at(i).kind === 'space') i++;
    return i;
  };

  let lineStart = 0;
  let lastBreak = -1;
  for (let i = 0; i < n; i++) {
    const u = at(i);
    if (u.kind === 'newline') {
      emit(lineStart, i, true);
      lineStart = i + 1;
      lastBreak = -1;
      if (i === n - 1) lines.push({ slices: [], width: 0, hard: false });
      continue;
    }
    if (i > lineStart) {
      const p = at(i - 1);
      if (breakBetween(p.text, p.kind, u.text, u.kind)) lastBreak = i;
    }
    if (u.kind === 'space' || i === lineStart || width(lineStart, i + 1) <= limit) continue;
    // u overflows: end the line at the last break, else (one word wider than the line) before u
    let end = lastBreak > lineStart ? lastBreak : i;
    if (end === i && i - 1 > lineStart && NO_START.has(u.text)) end = i - 1;
    emit(lineStart, end, false);
    lineStart = skipSpaces(end);
    lastBreak = -1;
    i = lineStart - 1;
  }
  if (lineStart < n) emit(lineStart, n, false);
  return lines;
}

function slicesOf(units: readonly Unit[], prefix: Float64Array, runs: readonly TextRun[], a: number, b: number): LineSlice[] {
  const out: LineSlice[] = [];
  const x0 = prefix[a] as number;
  let i = a;
  while (i < b) {
    const first = units[i] as Unit;
    let j = i + 1;
    while (j < b && (units[j] as Unit).run === first.run) j++;
    const last = units[j - 1] as Unit;
    const text = (runs[first.run] as TextRun).text.slice(first.start, last.end);
    out.push({ run: first.run, text, start: first.start, end: last.end, x: (prefix[i] as number) - x0, width: (prefix[j] as number) - (prefix[i] as number), chars: j - i });
    i = j;
  }
  return out;
}
