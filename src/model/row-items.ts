/**
 * Splitting the text of an appended-table cell into row items.
 *
 * The converter runs the sub-items of a row together inside one cell:
 * "次に掲げる貨物…のもの（一）　集積回路…（二）　マイクロ波用機器…", with deeper
 * levels (１　, イ　) inside those. A marker is a label followed by a
 * full-width space; it is accepted only where it continues a numbering
 * sequence (the next number or an の-branch of an open level) or starts a new
 * deeper level with its first number, so that references such as
 * "（（十八）に掲げるものを除く。）" stay text.
 */
import { parseLabel, type LabelFamily } from './labels.js';
import { isNextNumber } from './numerals.js';

export interface RowItemPiece {
  level: number;
  label: string;
  family: LabelFamily;
  num: string;
  text: string;
  /** Index of the label in the cell text. */
  index: number;
}

export interface RowItemSplit {
  lead: string;
  items: RowItemPiece[];
}

const MARKER =
  /（[〇一二三四五六七八九十]+(?:の[〇一二三四五六七八九十]+)*）(?=\u3000)|（[０-９]+(?:の[０-９]+)*）(?=\u3000)|[０-９]+(?:の[０-９]+)*(?=\u3000)|[イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス](?=\u3000)/g;

export function splitRowItems(cell: string): RowItemSplit {
  const accepted: { index: number; label: string; family: LabelFamily; num: string; level: number }[] = [];
  const levels: { family: LabelFamily; last: string }[] = [];
  for (const m of cell.matchAll(MARKER)) {
    const label = m[0];
    const index = m.index ?? 0;
    const parsed = parseLabel(label);
    if (!parsed || parsed.to !== undefined) continue;
    // a continuation of an open level, innermost first
    let level = -1;
    for (let i = levels.length - 1; i >= 0; i--) {
      const l = levels[i];
      if (l && l.family === parsed.family) {
        if (isNextNumber(l.last, parsed.num)) level = i;
        break;
      }
    }
    if (level >= 0) {
      levels.length = level + 1;
      (levels[level] as { last: string }).last = parsed.num;
    } else if (parsed.num === '1' && !levels.some((l) => l.family === parsed.family)) {
      levels.push({ family: parsed.family, last: '1' });
      level = levels.length - 1;
    } else continue;
    accepted.push({ index, label, family: parsed.family, num: parsed.num, level: level + 1 });
  }
  const first = accepted[0];
  const lead = first ? cell.slice(0, first.index) : cell;
  const items = accepted.map((a, i) => {
    const next = accepted[i + 1];
    const end = next ? next.index : cell.length;
    return { level: a.level, label: a.label, family: a.family, num: a.num, index: a.index, text: cell.slice(a.index + a.label.length + 1, end) };
  });
  return { lead, items };
}
