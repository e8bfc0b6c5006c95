/**
 * Addresses written the way Japanese legislation cites them:
 * 第四条第一項第三号イ, 別表第一の一六の項（一）, 附則第二項.
 */
import { branchedToKanji, irohaKana, toFullWidthDigits } from './numerals.js';
import type { AddressStep } from './types.js';

/** 第四条の二 for ("4-2", "条"): the first number before the counter, branches after it. */
function numbered(num: string, counter: string): string {
  const [head, ...rest] = num.split('-');
  return `第${branchedToKanji(head ?? '')}${counter}${rest.map((r) => `の${branchedToKanji(r)}`).join('')}`;
}

function stepText(step: AddressStep): string {
  const range = (counter: string) =>
    step.to !== undefined ? `${numbered(step.num, counter)}から${numbered(step.to, counter)}まで` : numbered(step.num, counter);
  switch (step.kind) {
    case 'chapter':
      return range('章');
    case 'section':
      return range('節');
    case 'subsection':
      return range('款');
    case 'division':
      return range('目');
    case 'article':
      return range('条');
    case 'paragraph':
      return range('項');
    case 'item':
      return range('号');
    case 'subitem':
      return irohaKana(Number(step.num)) ?? `（${toFullWidthDigits(step.num)}）`;
    case 'subitem2':
    case 'subitem3':
    case 'subitem4':
    case 'subitem5':
    case 'subitem6':
      return `（${toFullWidthDigits(step.num)}）`;
    case 'appendix-table':
      return step.num === '' ? '別表' : `別表第${branchedToKanji(step.num)}`;
    case 'row':
      return `の${branchedToKanji(step.num, true)}の項`;
    case 'row-item':
      return `（${branchedToKanji(step.num)}）`;
    case 'row-item2':
    case 'row-item3':
    case 'row-item4':
      return toFullWidthDigits(step.num);
    case 'suppl-provision':
      // only the first 附則 (of the original act) is cited as plain 附則
      return step.num === '1' ? '附則' : `附則[${step.num}]`;
    case 'text':
      return `[本文${step.num}]`;
  }
}

const LABELLED = new Set(['subitem', 'subitem2', 'subitem3', 'subitem4', 'subitem5', 'subitem6', 'row-item', 'row-item2', 'row-item3', 'row-item4']);

/**
 * 第四条第一項第三号 for the path of an address (without the instrument
 * name). Sub-items and row items are cited by their labels as written (ロ,
 * （二）, １) when `labels` gives them, since their style varies by level.
 */
export function formatCitation(path: readonly AddressStep[], labels?: readonly (string | undefined)[]): string {
  return path
    .map((s, i) => {
      const label = labels?.[i];
      return label !== undefined && label !== '' && LABELLED.has(s.kind) ? label : stepText(s);
    })
    .join('');
}
