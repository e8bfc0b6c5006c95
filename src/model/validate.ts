/**
 * Structural checks on a built instrument: numbering order and gaps (削除
 * placeholders keep their number, so a gap is a real gap), empty provisions.
 */
import { compareBranched, isNextNumber } from './numerals.js';
import { isStructural, type Diagnostic, type Instrument, type Provision } from './types.js';

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

  const visit = (list: readonly Provision[], inSuppl: boolean) => {
    for (const p of list) {
      if (isEmpty(p)) diag(p, 'warning', 'empty-provision', `${p.label || p.kind} has no text`);
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
