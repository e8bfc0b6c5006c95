/**
 * Turning the bytes of a source file into text, or into a diagnostic that
 * says why not: invalid UTF-8, a byte-order mark, CRLF line endings, NUL
 * bytes, a file too large to parse in bounded time.
 */
import type { Diagnostic } from '../model/types.js';

export interface SourceLimits {
  /** Largest file parsed, in bytes. */
  maxFileBytes: number;
  /** Deepest nesting of lists or block quotes accepted. */
  maxNesting: number;
  /** Most emphasis and link marks accepted in one paragraph (default DEFAULT_MAX_INLINE_MARKS). */
  maxInlineMarks?: number;
}

/** A hundred times what a paragraph of the real corpus holds. */
export const DEFAULT_MAX_INLINE_MARKS = 1000;

export const DEFAULT_LIMITS: SourceLimits = { maxFileBytes: 8 * 1024 * 1024, maxNesting: 16, maxInlineMarks: DEFAULT_MAX_INLINE_MARKS };

export interface DecodedSource {
  /** The text with LF line endings and without BOM, or undefined when unusable. */
  text: string | undefined;
  diagnostics: Diagnostic[];
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const keepBomDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

function lineColOfByte(bytes: Uint8Array, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // column in UTF-16 units, as in every other diagnostic: decode the valid
  // prefix of the line, keeping a U+FEFF inside the file but not the BOM,
  // which is gone from the text that the other positions refer to
  const prefix = keepBomDecoder.decode(bytes.subarray(lineStart, index));
  const bom = lineStart === 0 && prefix.charCodeAt(0) === 0xfeff ? 1 : 0;
  return { line, column: prefix.length - bom + 1 };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let n = 0;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) n = 2;
    else if (b >= 0xf0 && b <= 0xf4) n = 3;
    else return i;
    if (i + n >= bytes.length && n > 0) return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k] as number;
      if ((c & 0xc0) !== 0x80) return i;
    }
    if (n === 2) {
      const c = bytes[i + 1] as number;
      if ((b === 0xe0 && c < 0xa0) || (b === 0xed && c > 0x9f)) return i;
    }
    if (n === 3) {
      const c = bytes[i + 1] as number;
      if ((b === 0xf0 && c < 0x90) || (b === 0xf4 && c > 0x8f)) return i;
    }
    i += n + 1;
  }
  return -1;
}

export function decodeSource(file: string, bytes: Uint8Array, limits: SourceLimits = DEFAULT_LIMITS): DecodedSource {
  const diagnostics: Diagnostic[] = [];
  const diag = (line: number, column: number, severity: Diagnostic['severity'], rule: string, message: string) =>
    diagnostics.push({ file, line, column, severity, rule, message });

  if (bytes.length > limits.maxFileBytes) {
    diag(1, 1, 'error', 'file-too-large', `file is ${bytes.length} bytes; the limit is ${limits.maxFileBytes} bytes`);
    return { text: undefined, diagnostics };
  }
  let text: string;
  try {
    text = fatalDecoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const { line, column } = lineColOfByte(bytes, Math.max(at, 0));
    diag(line, column, 'error', 'invalid-utf8', `invalid UTF-8 byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at byte ${at}; save the file as UTF-8`);
    return { text: undefined, diagnostics };
  }
  if (text.charCodeAt(0) === 0xfeff) {
    diag(1, 1, 'warning', 'byte-order-mark', 'file starts with a byte-order mark; it was ignored');
    text = text.slice(1);
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const before = text.slice(0, nul);
    const line = before.split('\n').length;
    diag(line, nul - before.lastIndexOf('\n'), 'error', 'nul-byte', 'file contains a NUL byte: it is binary, not Markdown');
    return { text: undefined, diagnostics };
  }
  const cr = text.indexOf('\r');
  if (cr >= 0) {
    const before = text.slice(0, cr);
    const line = before.split('\n').length;
    diag(line, cr - before.lastIndexOf('\n'), 'warning', 'crlf-line-endings', 'file has CR or CRLF line endings; they were read as LF');
    text = text.replace(/\r\n?/g, '\n');
  }
  // one spelling of each character: a file re-saved decomposed (as macOS tools do) reads, hashes and diffs as before
  const nfc = text.normalize('NFC');
  if (nfc !== text) {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.normalize('NFC') !== l);
    const l = lines[i] ?? '';
    let col = 0;
    while (col < l.length && l.slice(0, col + 1).normalize('NFC') === l.slice(0, col + 1)) col++;
    diag(i + 1, col + 1, 'warning', 'not-nfc', 'text is not in Unicode NFC (decomposed kana or accents, or CJK compatibility ideographs); it was read as NFC');
    text = nfc;
  }
  return { text, diagnostics };
}
