/**
 * Markdown → mdast with unified + remark-parse + remark-gfm, one processor
 * built once and reused.
 *
 * remark parses about half a megabyte a second, and successive revisions of
 * an instrument share almost all of their text. So a body is cut into chunks
 * at top-level block boundaries where CommonMark guarantees that parsing the
 * parts gives the same tree as parsing the whole (a blank line followed by an
 * unindented `**…` or `#` line, and no construct that can span blank lines:
 * fenced code, HTML blocks, link or footnote definitions). Each chunk's tree is
 * cached by its text, and positions are shifted into place. A test checks the
 * chunked tree equals the whole-file tree on every revision of the corpus.
 */
import type { Root, RootContent } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

const processor = unified().use(remarkParse).use(remarkGfm).freeze();

/** Parses Markdown text into mdast, with no chunking or caching. */
export function parseMarkdownWhole(text: string): Root {
  return processor.parse(text);
}

const SPANNING = /^ {0,3}(?:```|~~~|<|\[[^\]]*\]:|\[\^)/m;

/** Line start offsets where the text may be cut into independently parsed chunks. */
export function chunkBoundaries(text: string): number[] {
  const cuts: number[] = [0];
  if (SPANNING.test(text)) return cuts;
  let prevBlank = false;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const c = text.charCodeAt(pos);
    const isBlank = /^[ \t]*$/.test(text.slice(pos, nl));
    // `**` or `#` at column 0, after a blank line
    if (prevBlank && pos > 0 && (c === 0x23 /* # */ || (c === 0x2a /* * */ && text.charCodeAt(pos + 1) === 0x2a))) {
      cuts.push(pos);
    }
    prevBlank = isBlank;
    pos = nl + 1;
  }
  return cuts;
}

interface ChunkTree {
  children: RootContent[];
}

const MAX_CACHED_CHUNKS = 200_000;
const chunkCache = new Map<string, ChunkTree>();

function shift<T>(node: T, lineDelta: number, offsetDelta: number): T {
  if (Array.isArray(node)) return node.map((n) => shift(n, lineDelta, offsetDelta)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'position' && v && typeof v === 'object') {
      const p = v as { start: { line: number; column: number; offset?: number }; end: { line: number; column: number; offset?: number } };
      out[k] = {
        start: { line: p.start.line + lineDelta, column: p.start.column, offset: (p.start.offset ?? 0) + offsetDelta },
        end: { line: p.end.line + lineDelta, column: p.end.column, offset: (p.end.offset ?? 0) + offsetDelta },
      };
    } else if (k === 'data') {
      // remark-parse leaves no data we rely on; skip it so trees compare equal
      continue;
    } else {
      out[k] = typeof v === 'object' ? shift(v, lineDelta, offsetDelta) : v;
    }
  }
  return out as T;
}

/**
 * Parses `text` (which starts at `startLine`/`startOffset` of its file) into
 * mdast whose positions refer to the file. Chunks are cached across calls.
 */
export function parseMarkdown(text: string, startLine = 1, startOffset = 0): Root {
  const cuts = chunkBoundaries(text);
  cuts.push(text.length);
  const children: RootContent[] = [];
  let line = startLine;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i] as number;
    const to = cuts[i + 1] as number;
    const chunk = text.slice(from, to);
    let tree = chunkCache.get(chunk);
    if (!tree) {
      if (chunkCache.size >= MAX_CACHED_CHUNKS) chunkCache.clear();
      tree = { children: processor.parse(chunk).children };
      chunkCache.set(chunk, tree);
    }
    children.push(...shift(tree.children, line - 1, from + startOffset));
    line += countLines(chunk);
  }
  const endLines = countLines(text);
  const lastLineStart = text.lastIndexOf('\n') + 1;
  return {
    type: 'root',
    children,
    position: {
      start: { line: startLine, column: 1, offset: startOffset },
      end: { line: startLine + endLines, column: text.length - lastLineStart + 1, offset: startOffset + text.length },
    },
  };
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Drops the chunk cache (for benchmarks that measure a cold parse). */
export function clearMarkdownCache(): void {
  chunkCache.clear();
}

/**
 * Estimated nesting depth of the deepest line (list markers, block quote
 * markers and indentation), so that pathological inputs are refused before
 * the parser sees them. Returns the 1-based line of the deepest one.
 */
export function deepestNesting(text: string): { depth: number; line: number } {
  let best = { depth: 0, line: 1 };
  let line = 1;
  let pos = 0;
  const marker = /^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))+/;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    // only the prefix can nest: cap the slice so a huge line costs nothing extra
    const head = text.slice(pos, Math.min(nl, pos + 100_000));
    let indent = 0;
    for (let i = 0; i < head.length; i++) {
      const ch = head.charCodeAt(i);
      if (ch === 0x20) indent++;
      else if (ch === 0x09) indent += 4;
      else break;
    }
    const m = marker.exec(head);
    const markers = m ? (m[0].match(/>|[-*+]|\d{1,9}[.)]/g)?.length ?? 0) : 0;
    const depth = markers + Math.floor(indent / 2);
    if (depth > best.depth) best = { depth, line };
    line++;
    pos = nl + 1;
  }
  return best;
}

/**
 * The first mark past `limit` in one paragraph, counting runs of `*`, `_`
 * and `~` and each `[` and `]`. micromark matches emphasis and link brackets
 * by looking back over the earlier marks of the same paragraph, so its time
 * grows with their square: a paragraph of 40,000 `**a` takes a minute, while
 * one of the real corpus holds fewer than ten. A paragraph is approximated
 * from above, so as never to undercount: text between blank lines, cut also
 * where a bullet line must start a new list item (indented less than four
 * columns past the content of the item that began the current part).
 */
export function crowdedInline(text: string, limit: number): { line: number; column: number; blockLine: number } | undefined {
  let line = 1;
  let pos = 0;
  let marks = 0;
  let blockLine = 1;
  let contentColumn = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let i = pos;
    let indent = 0;
    for (; i < nl; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 0x20) indent++;
      else if (ch === 0x09) indent += 4 - (indent % 4);
      else break;
    }
    if (i === nl) {
      marks = 0;
      contentColumn = 0;
      blockLine = line + 1;
    } else {
      const bullet = bulletContent(text, i, nl, indent);
      if (bullet !== undefined && indent <= contentColumn + 3) {
        marks = 0;
        contentColumn = bullet;
        blockLine = line;
      }
      for (; i < nl; i++) {
        const ch = text.charCodeAt(i);
        if (ch === 0x5c /* backslash */) {
          i++; // an escaped mark is text
          continue;
        }
        const at = i;
        if (ch === 0x5b /* [ */ || ch === 0x5d /* ] */) marks++;
        else if (ch === 0x2a /* * */ || ch === 0x5f /* _ */ || ch === 0x7e /* ~ */) {
          marks++;
          while (i + 1 < nl && text.charCodeAt(i + 1) === ch) i++;
        } else continue;
        if (marks > limit) return { line, column: at - pos + 1, blockLine };
      }
    }
    line++;
    pos = nl + 1;
  }
  return undefined;
}

/**
 * Where the content of a bullet list item starting at `i` (column `indent`)
 * begins, or undefined when the line is no such item. Empty items are not
 * counted: they cannot interrupt a paragraph.
 */
function bulletContent(text: string, i: number, nl: number, indent: number): number | undefined {
  const ch = text.charCodeAt(i);
  if (ch !== 0x2d /* - */ && ch !== 0x2a /* * */ && ch !== 0x2b /* + */) return undefined;
  let col = indent + 1;
  let j = i + 1;
  const after = col;
  for (; j < nl; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x20) col++;
    else if (c === 0x09) col += 4 - (col % 4);
    else break;
  }
  if (col === after || j === nl) return undefined;
  // five or more spaces: the content starts one column after the marker
  return col - after > 4 ? after + 1 : col;
}
