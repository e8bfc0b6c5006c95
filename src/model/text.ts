/**
 * Walking an instrument's provisions in document order, and reassembling its
 * text from the model: the pieces come out in the order they stand in the
 * source, so that a test can compare them with the source character by
 * character (markup and whitespace aside).
 */
import { isStructural, type Instrument, type Provision } from './types.js';

/** Every provision, depth first, in document order. */
export function* walkProvisions(list: readonly Provision[]): Generator<Provision> {
  for (const p of list) {
    yield p;
    yield* walkProvisions(p.children);
  }
}

function captionOf(p: Provision): string | undefined {
  switch (p.kind) {
    case 'article':
    case 'appendix-table':
    case 'suppl-provision':
      return p.caption;
    default:
      return undefined;
  }
}

/** The text pieces of one provision and its descendants, in source order. */
export function provisionPieces(p: Provision, out: string[] = []): string[] {
  out.push(p.label);
  const caption = captionOf(p);
  if (caption !== undefined) out.push(p.kind === 'suppl-provision' ? caption : `（${caption}）`);
  if (isStructural(p)) out.push(p.title);
  else out.push(p.text);
  if (p.kind === 'appendix-table') for (const h of p.header) out.push(h.text);
  for (const b of p.extra) out.push(b.text);
  for (const c of p.children) provisionPieces(c, out);
  if (p.kind === 'row') {
    for (const c of p.cells) out.push(c.text);
    for (const row of p.continuation) for (const c of row) out.push(c.text);
  }
  return out;
}

/** The whole text of an instrument reassembled from the model. */
export function reassembleText(instrument: Instrument): string {
  const out: string[] = [];
  for (const p of instrument.provisions) provisionPieces(p, out);
  return out.join('\n');
}

/** The full text of one provision (label, caption, text and descendants), for display and search. */
export function provisionFullText(p: Provision): string {
  return provisionPieces(p).filter((s) => s !== '').join('\u3000');
}

/** A provision's own content without its label and without its children: caption, text, further blocks, cells. */
export function provisionOwnText(p: Provision): string {
  const parts: string[] = [];
  const caption = captionOf(p);
  if (caption !== undefined) parts.push(p.kind === 'suppl-provision' ? caption : `（${caption}）`);
  if (isStructural(p)) parts.push(p.title);
  else parts.push(p.text);
  if (p.kind === 'appendix-table') for (const h of p.header) parts.push(h.text);
  for (const b of p.extra) parts.push(b.text);
  if (p.kind === 'row') {
    for (const c of p.cells) parts.push(c.text);
    for (const row of p.continuation) for (const c of row) parts.push(c.text);
  }
  return parts.filter((s) => s !== '').join('\n');
}

/** The content of a provision and all its descendants, labels of descendants included, own label excluded. */
export function provisionSubtreeText(p: Provision): string {
  const parts = [provisionOwnText(p)];
  for (const c of p.children) parts.push(`${c.label}\u3000${provisionSubtreeText(c)}`);
  return parts.join('\n');
}
