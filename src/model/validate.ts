/**
 * Structural checks on a built instrument: numbering order and gaps (削除
 * placeholders keep their number, so a gap is a real gap), empty provisions.
 */
import { compareBranched, isNextNumber } from './numerals.js';
import { isStructural, type Diagnostic, type Instrument, type Provision } from './types.js';

/** U+202A–202E and U+2066–2069: they reorder what is shown (Trojan Source). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
/** Zero-width characters, word joiners, line and paragraph separators, C0/C1 controls other than tab and line feed. */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff]/;

function isEmpty(p: Provision): boolean {
  if (p.deleted || p.children.length > 0 || p.extra.length > 0) return false;
  switch (p.kind) {
    case 'chapter':
    case 'section':
    case 'subsection':
    case 'division':
      return p.title === '';
    case 'row':
      return p.text.trim() === '' && p.cells.every((c) => c.text.trim() === '');
    case 'suppl-provision':
      return true;
    default:
      return p.text.trim() === '';
  }
}

/** Articles are numbered through the whole body (or one 附則), across chapters and sections. */
function articlesIn(list: readonly Provision[]): Provision[] {
  return list.flatMap((p) => (p.kind === 'article' ? [p] : isStructural(p) ? articlesIn(p.children) : []));
}

function sequenceKey(p: Provision): string | undefined {
  switch (p.kind) {
    case 'subitem':
    case 'row-item':
      return `${p.kind}${p.level}`;
    case 'article':
    case 'text':
    case 'suppl-provision':
      return undefined; // articles are checked through articlesIn; the others carry no number
    default:
      return p.kind;
  }
}

export function validateInstrument(instrument: Instrument): Diagnostic[] {
  const out: Diagnostic[] = [];
  const diag = (p: Provision, severity: Diagnostic['severity'], rule: string, message: string) =>
    out.push({ file: instrument.file, line: p.range.start.line, column: p.range.start.column, severity, rule, message });

  // 附則 of amending acts are shown in excerpt (抄): missing numbers there are normal
  const checkSequence = (ps: readonly Provision[], gaps = true) => {
    let prev: string | undefined;
    let prevName = '';
    for (const p of ps) {
      const step = p.address.path[p.address.path.length - 1];
      if (!step || step.num === '') continue;
      const name = p.label || step.num;
      if (prev !== undefined) {
        if (compareBranched(step.num, prev) <= 0) {
          diag(p, 'error', 'numbering-order', `${name} comes after ${prevName}: numbers must increase`);
        } else if (gaps && !isNextNumber(prev, step.num)) {
          diag(p, 'warning', 'numbering-gap', `${name} follows ${prevName}: a number is missing (deleted provisions keep their number as 削除)`);
        }
      } else if (gaps && step.num !== '1' && p.kind !== 'appendix-table') {
        diag(p, 'warning', 'numbering-gap', `numbering starts at ${name}, not at 1`);
      }
      prev = step.to ?? step.num;
      prevName = name;
    }
  };

  const checkChildren = (list: readonly Provision[], gaps: boolean) => {
    const groups = new Map<string, Provision[]>();
    for (const p of list) {
      const key = sequenceKey(p);
      if (key) groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    for (const g of groups.values()) checkSequence(g, gaps);
  };

  /** Where index `i` of the provision's own text is in the file, when it is known. */
  const at = (p: Provision, i: number) => {
    const before = p.text.slice(0, i);
    if (p.textAt && !before.includes('\n')) return { line: p.textAt.line, column: p.textAt.column + i };
    return { line: p.range.start.line, column: p.range.start.column };
  };
  const characters = (p: Provision) => {
    for (const [i, text] of [p.text, ...p.extra.map((e) => e.text)].entries()) {
      const bidi = BIDI_CONTROL.exec(text);
      const invisible = INVISIBLE.exec(text);
      for (const [m, severity, rule, what] of [
        [bidi, 'error', 'bidi-control', 'a bidirectional control character, which can make the text read differently from what it says'],
        [invisible, 'warning', 'invisible-character', 'an invisible character (zero-width, line or paragraph separator, control)'],
      ] as const) {
        if (!m) continue;
        const block = p.extra[i - 1];
        const where = i === 0 ? at(p, m.index) : block ? { line: block.range.start.line, column: block.range.start.column } : { line: p.range.start.line, column: p.range.start.column };
        const code = `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
        out.push({ file: instrument.file, ...where, severity, rule, message: `${p.label || p.kind} contains ${code}, ${what}` });
      }
    }
  };
  const links = (p: Provision) => {
    for (const l of p.links ?? []) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(l.href) && !/^(?:https?:\/\/|mailto:)/i.test(l.href)) {
        out.push({ file: instrument.file, line: l.range.start.line, column: l.range.start.column, severity: 'warning', rule: 'unsafe-link', message: `link 「${l.text}」 to ${l.href.slice(0, 80)}: only https:, http: and mailto: links may leave the corpus` });
      }
    }
  };

  const visit = (list: readonly Provision[], inSuppl: boolean) => {
    for (const p of list) {
      if (isEmpty(p)) diag(p, 'warning', 'empty-provision', `${p.label || p.kind} has no text`);
      characters(p);
      links(p);
      const suppl = inSuppl || p.kind === 'suppl-provision';
      if (p.kind === 'suppl-provision') checkSequence(articlesIn(p.children), false);
      checkChildren(p.children, !suppl);
      visit(p.children, suppl);
    }
  };
  checkSequence(articlesIn(instrument.provisions));
  checkChildren(instrument.provisions, true);
  visit(instrument.provisions, false);
  return out;
}
