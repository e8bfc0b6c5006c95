/**
 * One source file → one instrument and its diagnostics: decode, front
 * matter, Markdown, model, structural checks. Content problems come back as
 * diagnostics; only misuse and I/O failures throw.
 */
import { decodeSource, DEFAULT_LIMITS, DEFAULT_MAX_INLINE_MARKS, type SourceLimits } from '../load/decode.js';
import { readFrontMatter } from '../load/front-matter.js';
import { crowdedInline, deepestNesting, parseMarkdown } from '../load/markdown.js';
import { buildInstrument } from '../model/build-instrument.js';
import type { Root } from 'mdast';
import type { Diagnostic, Instrument } from '../model/types.js';
import { validateInstrument } from '../model/validate.js';


export interface ParsedFile {
  instrument: Instrument | undefined;
  diagnostics: Diagnostic[];
}

export function parseSourceFile(file: string, bytes: Uint8Array, limits: SourceLimits = DEFAULT_LIMITS): ParsedFile {
  const decoded = decodeSource(file, bytes, limits);
  const diagnostics = [...decoded.diagnostics];
  if (decoded.text === undefined) return { instrument: undefined, diagnostics };
  const text = decoded.text;
  const fm = readFrontMatter(file, text);
  diagnostics.push(...fm.diagnostics);
  if (!fm.meta) return { instrument: undefined, diagnostics };
  const body = text.slice(fm.bodyOffset);
  const deepest = deepestNesting(body);
  if (deepest.depth > limits.maxNesting * 2) {
    diagnostics.push({
      file,
      line: deepest.line + fm.bodyLine - 1,
      column: 1,
      severity: 'error',
      rule: 'nesting-too-deep',
      message: `lists or block quotes nested about ${deepest.depth} levels deep; the limit is ${limits.maxNesting * 2}`,
    });
    return { instrument: undefined, diagnostics };
  }
  const maxMarks = limits.maxInlineMarks ?? DEFAULT_MAX_INLINE_MARKS;
  const crowded = crowdedInline(body, maxMarks);
  if (crowded) {
    const blockLine = crowded.blockLine + fm.bodyLine - 1;
    diagnostics.push({
      file,
      line: crowded.line + fm.bodyLine - 1,
      column: crowded.column,
      severity: 'error',
      rule: 'inline-too-complex',
      message: `the paragraph from line ${blockLine} has more than ${maxMarks} emphasis or link marks (*, _, ~, [, ]); Markdown parsing time grows with their square, so the limit is ${maxMarks}`,
    });
    return { instrument: undefined, diagnostics };
  }
  const root = parseMarkdown(body, fm.bodyLine, fm.bodyOffset);
  diagnostics.push(...imagesNotShown(file, root));
  const built = buildInstrument({ file, source: text, meta: fm.meta, root });
  diagnostics.push(...built.diagnostics, ...validateInstrument(built.instrument));
  return { instrument: built.instrument, diagnostics };
}

/**
 * Regulation texts publish no images: an image keeps its alternative text,
 * and the file it names is never read (so no path, inside the repository or
 * out of it, reaches a renderer). The editor is told, not left to find out.
 */
function imagesNotShown(file: string, root: Root): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (n: { type: string; url?: string; alt?: string | null; position?: { start: { line: number; column: number } }; children?: unknown[] }) => {
    if ((n.type === 'image' || n.type === 'imageReference') && n.position) {
      out.push({ file, line: n.position.start.line, column: n.position.start.column, severity: 'warning', rule: 'image-not-published', message: `images are not published: only the alternative text 「${n.alt ?? ''}」 is kept${n.url ? `, and ${n.url} is never read` : ''}` });
    }
    for (const c of n.children ?? []) visit(c as typeof n);
  };
  visit(root as unknown as Parameters<typeof visit>[0]);
  return out;
}
