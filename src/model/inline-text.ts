/**
 * The plain text of mdast inline content, and the Markdown links in it
 * (explicit citations written by editors). Markup is dropped, every
 * character of text is kept.
 */
import type { PhrasingContent, RootContent, TableCell } from 'mdast';
import type { InlineLink, SourceRange } from './types.js';

export interface PlainText {
  text: string;
  links: InlineLink[];
}

type Inline = PhrasingContent | RootContent | TableCell;

import type { Position } from 'unist';

export function rangeOf(node: { position?: Position | undefined }): SourceRange {
  const p = node.position;
  if (!p) return { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  return {
    start: { line: p.start.line, column: p.start.column, offset: p.start.offset ?? 0 },
    end: { line: p.end.line, column: p.end.column, offset: p.end.offset ?? 0 },
  };
}

function walk(node: Inline, out: PlainText): void {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
    case 'html':
    case 'code':
      out.text += node.value;
      return;
    case 'break':
      out.text += '\n';
      return;
    case 'image':
    case 'imageReference':
      out.text += node.alt ?? '';
      return;
    case 'footnoteReference':
      out.text += `[^${node.identifier}]`;
      return;
    case 'link': {
      const index = out.text.length;
      const inner: PlainText = { text: '', links: [] };
      for (const c of node.children) walk(c, inner);
      out.text += inner.text;
      out.links.push({ text: inner.text, href: node.url, index, range: rangeOf(node) });
      return;
    }
    default:
      if ('children' in node && Array.isArray(node.children)) {
        for (const c of node.children as Inline[]) walk(c, out);
      } else if ('value' in node && typeof node.value === 'string') {
        out.text += node.value;
      }
  }
}

export function plainText(nodes: readonly Inline[]): PlainText {
  const out: PlainText = { text: '', links: [] };
  for (const n of nodes) walk(n, out);
  return out;
}
