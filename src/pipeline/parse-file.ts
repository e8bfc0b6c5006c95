/**
 * One source file → one instrument and its diagnostics: decode, front
 * matter, Markdown, model, structural checks. Content problems come back as
 * diagnostics; only misuse and I/O failures throw.
 */
import { decodeSource, DEFAULT_LIMITS, DEFAULT_MAX_INLINE_MARKS, type SourceLimits } from '../load/decode.js';
import { readFrontMatter } from '../load/front-matter.js';
import { crowdedInline, deepestNesting, parseMarkdown } from '../load/markdown.js';
import { buildInstrument } from '../model/build-instrument.js';
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
  const built = buildInstrument({ file, source: text, meta: fm.meta, root });
  diagnostics.push(...built.diagnostics, ...validateInstrument(built.instrument));
  return { instrument: built.instrument, diagnostics };
}
