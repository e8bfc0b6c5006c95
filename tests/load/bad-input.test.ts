/**
 * Bad input, table-driven: every case must come back as diagnostics that
 * name the file, line and column with a stable rule id, from the parser and
 * from `regpress check` alike, with the right exit code and in bounded time:
 * never an exception, never a stack trace, never a parse that runs for
 * minutes. Byte-level cases go through the same path as Markdown ones; the
 * CLI reads the work tree of a real temporary git repository.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/load/decode.js';
import { MAX_FRONT_MATTER_CHARS } from '../../src/load/front-matter.js';
import { crowdedInline } from '../../src/load/markdown.js';
import { toKanjiNumber } from '../../src/model/numerals.js';
import { walkProvisions } from '../../src/model/text.js';
import type { Diagnostic, Instrument, Severity } from '../../src/model/types.js';
import { parseSourceFile, type ParsedFile } from '../../src/pipeline/parse-file.js';
import { runCli } from '../support/cli.js';
import { frontMatter, makeTempRepo } from '../support/repo.js';
import { bytesOf } from '../support/bytes.js';

const utf8 = new TextEncoder();

const FILE = 'regulations/bad.md';
/** A safety bound only: the cases that need a guard run in well under a second. */
const TIME_BOUND_MS = 10_000;


/** Where the next character after `prefix` is: 1-based line and UTF-16 column. */
function pointAfter(prefix: string): { line: number; column: number } {
  return { line: prefix.split('\n').length, column: prefix.length - prefix.lastIndexOf('\n') };
}

// front matter takes lines 1–5 and line 6 is blank, so the body starts on line 7
const FM = frontMatter('A1', 'テスト令');
const ARTICLE = '**第一条**　この政令は、試験のために定める。\n';
const DOC = `${FM}${ARTICLE}\n**２**　前項の規定は、次に掲げる場合に適用する。\n\n- 一　第一の場合\n- 二　第二の場合\n`;

/** Front matter written out by hand, for the cases that break it. */
const fm = (...lines: string[]) => `---\n${lines.join('\n')}\n---\n\n${ARTICLE}`;

interface Expected {
  rule: string;
  severity: Severity;
  line: number;
  /** Omitted only where the column is not meaningful (it depends on the stack depth). */
  column?: number;
}

interface Case {
  name: string;
  source: () => string | Uint8Array;
  /** In the order `regpress check` prints them: by line, column, rule. */
  diagnostics: Expected[];
  /** Whether an instrument still comes out of the file. */
  parsed: boolean;
  exit: 0 | 1;
  check?: (parsed: ParsedFile) => void;
}

const err = (rule: string, line: number, column?: number): Expected => ({ rule, severity: 'error', line, ...(column !== undefined ? { column } : {}) });
const warn = (rule: string, line: number, column?: number): Expected => ({ rule, severity: 'warning', line, ...(column !== undefined ? { column } : {}) });

function provisionsOf(source: string | Uint8Array): Instrument['provisions'] {
  const parsed = parseSourceFile(FILE, typeof source === 'string' ? utf8.encode(source) : source);
  if (!parsed.instrument) throw new Error(`control file did not parse: ${JSON.stringify(parsed.diagnostics)}`);
  return parsed.instrument.provisions;
}

function textProvisions(parsed: ParsedFile): string[] {
  return [...walkProvisions(parsed.instrument?.provisions ?? [])].filter((p) => p.kind === 'text').map((p) => p.text);
}

// ── front matter ────────────────────────────────────────────────────────

const BILLION_LAUGHS = [
  'lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  'g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]',
  'h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]',
  'title: *h',
  'identifier: A1',
  'rank: cabinet_order',
];

const frontMatterCases: Case[] = [
  {
    name: 'YAML: a key indented under a quoted scalar',
    source: () => fm('title: "テスト令"', '  identifier: A1', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-yaml', 3, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: a key indented under a plain scalar, which it continues',
    source: () => fm('title: テスト令', '  identifier: A1', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-yaml', 2, 8)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: a nested key indented one column too far',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'extra:', '  law_num: 政令第一号', '   abbrev: 試験令'),
    diagnostics: [err('front-matter-yaml', 6, 12)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: unclosed double quote, reported where it opens',
    source: () => fm('title: "テスト令', 'identifier: A1', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-yaml', 2, 8)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: unclosed single quote, reported where it opens',
    source: () => fm('title: テスト令', "identifier: 'A1", 'rank: cabinet_order'),
    diagnostics: [err('front-matter-yaml', 3, 13)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: duplicate key',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'title: 別の題名'),
    diagnostics: [err('front-matter-yaml', 5, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: alias bomb (billion laughs) is refused at its first alias',
    source: () => fm(...BILLION_LAUGHS),
    diagnostics: [err('front-matter-yaml', 3, 8)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: a !!js/function tag is an error, not a string',
    source: () => fm('title: !!js/function "function () { return process.exit(3) }"', 'identifier: A1', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-yaml', 2, 8)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: a local !include tag is an error',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'extra: !include other.yaml'),
    diagnostics: [err('front-matter-yaml', 5, 8)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'YAML: flow collections nested beyond the stack give one error',
    source: () => fm(`title: ${'['.repeat(30_000)}`, 'identifier: A1', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-yaml', 2)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'front matter that is a list, not a mapping',
    source: () => fm('- title', '- identifier', '- rank'),
    diagnostics: [err('front-matter-schema', 2, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'front matter that is a bare string',
    source: () => fm('テスト令'),
    diagnostics: [err('front-matter-schema', 2, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'empty front matter',
    source: () => `---\n---\n\n${ARTICLE}`,
    diagnostics: [err('front-matter-schema', 2, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'missing front matter',
    source: () => ARTICLE,
    diagnostics: [err('missing-front-matter', 1, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'front matter never closed',
    source: () => `---\ntitle: テスト令\nidentifier: A1\nrank: cabinet_order\n\n${ARTICLE}`,
    diagnostics: [err('unterminated-front-matter', 1, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'front matter over the size limit is not handed to the YAML parser',
    // tens of thousands of keys: the yaml package's duplicate check is quadratic in them
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', ...Array.from({ length: 80_000 }, (_, i) => `k${i}: ${i}`)),
    diagnostics: [err('front-matter-too-large', 1, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'missing identifier',
    source: () => fm('title: テスト令', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-schema', 2, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'missing title',
    source: () => fm('identifier: A1', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-schema', 2, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'missing rank',
    source: () => fm('title: テスト令', 'identifier: A1'),
    diagnostics: [err('front-matter-schema', 2, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'title is a list',
    source: () => fm('identifier: A1', 'title: [テスト, 令]', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-schema', 3, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'title has no value',
    source: () => fm('identifier: A1', 'rank: cabinet_order', 'title:'),
    diagnostics: [err('front-matter-schema', 4, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'identifier is a boolean',
    source: () => fm('title: テスト令', 'identifier: true', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-schema', 3, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'identifier with a slash',
    source: () => fm('title: テスト令', 'identifier: a/b', 'rank: cabinet_order'),
    diagnostics: [err('front-matter-schema', 3, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'rank is a mapping',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: {kind: order}'),
    diagnostics: [err('front-matter-schema', 4, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'unknown rank',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: decree'),
    diagnostics: [err('front-matter-schema', 4, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'extra is a number',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'extra: 5'),
    diagnostics: [err('front-matter-schema', 5, 1)],
    parsed: true,
    exit: 1,
  },
  {
    name: 'extra.law_num is a list: reported on its own line',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'extra:', '  abbrev: 試験令', '  law_num: [1, 2]'),
    diagnostics: [err('front-matter-schema', 7, 3)],
    parsed: true,
    exit: 1,
  },
  {
    name: 'aliases is a string',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'aliases: 試験令'),
    diagnostics: [err('front-matter-schema', 5, 1)],
    parsed: true,
    exit: 1,
  },
  {
    name: 'publication_date on a day that does not exist',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'publication_date: 2024-02-30'),
    diagnostics: [err('front-matter-schema', 5, 1)],
    parsed: true,
    exit: 1,
  },
  {
    name: 'unknown key: a warning only',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'colour: blue'),
    diagnostics: [warn('front-matter-unknown-key', 5, 1)],
    parsed: true,
    exit: 0,
  },
  {
    name: 'a numeric identifier keeps its leading zeros',
    source: () => fm('title: テスト令', 'identifier: 00123', 'rank: cabinet_order'),
    diagnostics: [],
    parsed: true,
    exit: 0,
    check: (p) => expect(p.instrument?.id).toBe('00123'),
  },
];

const BAD_DATES: [string, string][] = [
  ['slashes', '2024/04/01'],
  ['no zero padding', '2024-4-1'],
  ['month 13', '2024-13-01'],
  ['day 45', '2024-04-45'],
  ['29 February of a common year', '2023-02-29'],
  ['an era date', '令和6年4月1日'],
  ['a bare number', '20240401'],
  ['a date and time', '2024-04-01T00:00:00'],
];

const dateCases: Case[] = [
  ...BAD_DATES.map(([what, value]): Case => ({
    name: `extra.enforced_at: ${what} (${value})`,
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'extra:', '  law_num: 政令第一号', `  enforced_at: ${value}`),
    // on the enforced_at line itself, not on "extra:"
    diagnostics: [err('front-matter-schema', 7, 3)],
    parsed: true,
    exit: 1,
    check: (p) => expect(p.instrument?.meta.enforcedAt).toBeUndefined(),
  })),
  {
    name: 'extra.enforced_at: 29 February of a leap year is a date',
    source: () => fm('title: テスト令', 'identifier: A1', 'rank: cabinet_order', 'extra:', '  enforced_at: "2024-02-29"'),
    diagnostics: [],
    parsed: true,
    exit: 0,
    check: (p) => expect(p.instrument?.meta.enforcedAt).toBe('2024-02-29'),
  },
];

// ── bytes ───────────────────────────────────────────────────────────────

const BEFORE_BAD_BYTE = `${FM}**第一条**　この政令は、`;

const byteCases: Case[] = [
  {
    name: 'invalid UTF-8: a stray 0xFF after Japanese text',
    source: () => bytesOf(BEFORE_BAD_BYTE, [0xff], '試験のために定める。\n'),
    // **第一条** and a full-width space are 8 characters, この政令は、 6 more: the 15th
    diagnostics: [err('invalid-utf8', 7, 15)],
    parsed: false,
    exit: 1,
  },
  ...(
    [
      ['a lone continuation byte', [0x80]],
      ['an overlong encoding of "/"', [0xc0, 0xaf]],
      ['an encoded UTF-16 surrogate', [0xed, 0xa0, 0x80]],
      ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a Shift_JIS byte pair', [0x82, 0xa0]],
    ] as [string, number[]][]
  ).map(([what, bad]): Case => {
    const prefix = `${FM}**第一条**　この政令は、試験のために定める。\n\n**第二条**　😀と`;
    const at = pointAfter(prefix);
    return {
      name: `invalid UTF-8: ${what}`,
      source: () => bytesOf(prefix, bad, '定める。\n'),
      diagnostics: [err('invalid-utf8', at.line, at.column)],
      parsed: false,
      exit: 1,
    };
  }),
  {
    name: 'invalid UTF-8: a sequence cut short at the end of the file',
    source: () => bytesOf(`${FM}**第一条**　定める`, [0xe3, 0x80]),
    diagnostics: [err('invalid-utf8', 7, 12)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'invalid UTF-8 in front matter',
    source: () => bytesOf('---\ntitle: テスト', [0xfe], '令\nidentifier: A1\nrank: cabinet_order\n---\n\n', ARTICLE),
    diagnostics: [err('invalid-utf8', 2, 11)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'invalid UTF-8 on the first line counts columns after the byte-order mark',
    source: () => bytesOf([0xef, 0xbb, 0xbf], '--', [0xff], `-\n${FM.slice(4)}${ARTICLE}`),
    diagnostics: [err('invalid-utf8', 1, 3)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'invalid UTF-8 after a U+FEFF that starts a later line counts it as a column',
    source: () => bytesOf(`${FM}\ufeff`, [0xff], ARTICLE),
    diagnostics: [err('invalid-utf8', 7, 2)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'a UTF-8 byte-order mark: warned, then parsed as without it',
    source: () => bytesOf([0xef, 0xbb, 0xbf], DOC),
    diagnostics: [warn('byte-order-mark', 1, 1)],
    parsed: true,
    exit: 0,
    check: (p) => expect(p.instrument?.provisions).toEqual(provisionsOf(DOC)),
  },
  {
    name: 'CRLF line endings: warned, then parsed with the provisions of the LF file',
    source: () => DOC.replace(/\n/g, '\r\n'),
    diagnostics: [warn('crlf-line-endings', 1, 4)],
    parsed: true,
    exit: 0,
    check: (p) => {
      expect(p.instrument?.provisions).toEqual(provisionsOf(DOC));
      expect([...walkProvisions(p.instrument?.provisions ?? [])].map((x) => x.id)).toEqual([
        'A1/art1',
        'A1/art1/para1',
        'A1/art1/para2',
        'A1/art1/para2/item1',
        'A1/art1/para2/item2',
      ]);
    },
  },
  {
    name: 'bare CR line endings: warned, then parsed as LF',
    source: () => DOC.replace(/\n/g, '\r'),
    diagnostics: [warn('crlf-line-endings', 1, 4)],
    parsed: true,
    exit: 0,
    check: (p) => expect(p.instrument?.provisions).toEqual(provisionsOf(DOC)),
  },
  {
    name: 'a BOM and CRLF together: two warnings',
    source: () => bytesOf([0xef, 0xbb, 0xbf], DOC.replace(/\n/g, '\r\n')),
    diagnostics: [warn('byte-order-mark', 1, 1), warn('crlf-line-endings', 1, 4)],
    parsed: true,
    exit: 0,
    check: (p) => expect(p.instrument?.provisions).toEqual(provisionsOf(DOC)),
  },
  {
    name: 'a NUL byte',
    source: () => `${FM}**第一条**　この政令は\0、試験のために定める。\n`,
    diagnostics: [err('nul-byte', 7, 14)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'a 50 MB file is refused by its size, before it is decoded',
    source: () => {
      const big = new Uint8Array(50 * 1024 * 1024).fill(0x61);
      big.set(utf8.encode(DOC));
      // an invalid byte near the end: had the file been decoded, this would be reported instead
      big[big.length - 2] = 0xff;
      return big;
    },
    diagnostics: [err('file-too-large', 1, 1)],
    parsed: false,
    exit: 1,
  },
];

// ── Markdown ────────────────────────────────────────────────────────────

const BODY_LINE = 7;
const LINE_2 = `${FM}${ARTICLE}\n`; // the next block starts on line 9

const markdownCases: Case[] = [
  {
    name: 'a list nested 3,000 deep',
    source: () => `${LINE_2}${'- '.repeat(3000)}一　深い\n`,
    diagnostics: [err('nesting-too-deep', 9, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'a list nested 1,500 deep by tab indentation, reported at its deepest line',
    // spaces, two a level, would make 9 MB: over the size limit
    source: () => `${LINE_2}${Array.from({ length: 1500 }, (_, i) => `${'\t'.repeat(i)}- 一　深い`).join('\n')}\n`,
    diagnostics: [err('nesting-too-deep', 9 + 1499, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'a block quote nested 3,000 deep',
    source: () => `${LINE_2}${'>'.repeat(3000)} 深い\n`,
    diagnostics: [err('nesting-too-deep', 9, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'block quotes deepening line by line to 3,000, reported at the deepest',
    source: () => `${LINE_2}${Array.from({ length: 3000 }, (_, i) => `${'>'.repeat(i + 1)} 深い`).join('\n')}\n`,
    diagnostics: [err('nesting-too-deep', 9 + 2999, 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'a 2 MB paragraph of Japanese on one line parses, whole',
    source: () => `${FM}**第一条**　${'この政令は、試験のために定める。'.repeat(44_000)}\n`,
    diagnostics: [],
    parsed: true,
    exit: 0,
    check: (p) => {
      const para = [...walkProvisions(p.instrument?.provisions ?? [])].find((x) => x.id === 'A1/art1/para1');
      expect(para?.text.length).toBe('この政令は、試験のために定める。'.length * 44_000);
    },
  },
  {
    name: 'a 2 MB line of ASCII parses',
    source: () => `${FM}**第一条**　${'a'.repeat(2 * 1024 * 1024)}\n`,
    diagnostics: [],
    parsed: true,
    exit: 0,
  },
  {
    name: '200,000 "[" in one paragraph',
    source: () => `${FM}**第一条**　${'['.repeat(200_000)}\n`,
    // **, ** and then the 1,001st mark: the 999th "[", after 8 characters of label
    diagnostics: [err('inline-too-complex', BODY_LINE, 8 + 999)],
    parsed: false,
    exit: 1,
  },
  {
    name: '100,000 "**a" in one paragraph',
    source: () => `${FM}**第一条**　${'**a'.repeat(100_000)}\n`,
    diagnostics: [err('inline-too-complex', BODY_LINE, 8 + 998 * 3 + 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'images nested 20,000 deep',
    source: () => `${FM}**第一条**　${'!['.repeat(20_000)}x${'](a.png)'.repeat(20_000)}\n`,
    diagnostics: [err('inline-too-complex', BODY_LINE, 8 + 998 * 2 + 2)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'emphasis nested 20,000 deep, over several lines of one paragraph',
    source: () => `${FM}**第一条**　${'*_'.repeat(200)}\n${'*_'.repeat(200)}\nx\n${'_*'.repeat(20_000)}\n`,
    // 402 marks on line 7, 400 on line 8: the 199th on line 10 is the 1,001st
    diagnostics: [err('inline-too-complex', BODY_LINE + 3, 199)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'strikethrough marks in one paragraph',
    source: () => `${FM}**第一条**　${'~~a'.repeat(50_000)}\n`,
    diagnostics: [err('inline-too-complex', BODY_LINE, 8 + 998 * 3 + 1)],
    parsed: false,
    exit: 1,
  },
  {
    name: 'one run of 200,000 "*" is one mark, and parses',
    source: () => `${FM}**第一条**　${'*'.repeat(200_000)}\n`,
    diagnostics: [],
    parsed: true,
    exit: 0,
  },
  {
    name: '200,000 escaped "\\[" are text, and parse',
    source: () => `${FM}**第一条**　${'\\['.repeat(200_000)}\n`,
    diagnostics: [],
    parsed: true,
    exit: 0,
    check: (p) => expect(p.instrument?.provisions[0]?.children[0]?.text).toBe('['.repeat(200_000)),
  },
  {
    name: 'a list of 2,000 items with a link each is not one crowded paragraph',
    source: () =>
      // every link cites 第一条, which exists: check also resolves citations
      `${FM}**第一条**　次に掲げる規定\n\n${Array.from({ length: 2000 }, (_, i) => `- ${toKanjiNumber(i + 1)}　[第一条](#art1)の規定`).join('\n')}\n`,
    diagnostics: [],
    parsed: true,
    exit: 0,
    check: (p) => expect([...walkProvisions(p.instrument?.provisions ?? [])].filter((x) => x.kind === 'item')).toHaveLength(2000),
  },
  {
    name: 'duplicate article numbers',
    source: () => `${FM}${ARTICLE}\n**第一条**　再び定める。\n`,
    // the article and its implicit paragraph 1 both collide, and the numbers do not increase
    diagnostics: [err('duplicate-provision-id', 9, 1), err('duplicate-provision-id', 9, 1), err('numbering-order', 9, 1)],
    parsed: true,
    exit: 1,
  },
  {
    name: 'duplicate explicit ids',
    source: () => `${FM}${ARTICLE}\n- 一　{#item9}第一の場合\n- 二　{#item9}第二の場合\n`,
    diagnostics: [err('duplicate-provision-id', 10, 1)],
    parsed: true,
    exit: 1,
  },
  {
    name: 'a fenced code block: warned, its text kept',
    source: () => `${FM}${ARTICLE}\n\`\`\`\n規定の例 **太字**\n\`\`\`\n`,
    diagnostics: [warn('unrecognised-construct', 9, 1)],
    parsed: true,
    exit: 0,
    check: (p) => expect(textProvisions(p)).toEqual(['```\n規定の例 **太字**\n```']),
  },
  {
    name: 'a block quote: warned, its text kept',
    source: () => `${FM}${ARTICLE}\n> 引用された規定\n`,
    diagnostics: [warn('unrecognised-construct', 9, 1)],
    parsed: true,
    exit: 0,
    check: (p) => expect(textProvisions(p)).toEqual(['> 引用された規定']),
  },
  {
    name: 'an HTML block: warned, its text kept',
    source: () => `${FM}${ARTICLE}\n<div>注記</div>\n`,
    diagnostics: [warn('unrecognised-construct', 9, 1)],
    parsed: true,
    exit: 0,
    check: (p) => expect(textProvisions(p)).toEqual(['<div>注記</div>']),
  },
];

const ALL: Case[] = [...frontMatterCases, ...dateCases, ...byteCases, ...markdownCases];

/** The order `regpress check` prints them in, for one file. */
function sorted(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

function shape(ds: readonly Diagnostic[]) {
  return ds.map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, rule: d.rule }));
}

function expected(c: Case) {
  return c.diagnostics.map((e) => ({ file: FILE, line: e.line, column: e.column ?? expect.any(Number), severity: e.severity, rule: e.rule }));
}

const NO_STACK = /^\s+at .+\(.*:\d+:\d+\)$|Error:/m;

describe('bad input: parseSourceFile', () => {
  it.each(ALL.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const source = c.source();
    const started = performance.now();
    const parsed = parseSourceFile(FILE, typeof source === 'string' ? utf8.encode(source) : source);
    expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
    expect(shape(sorted(parsed.diagnostics))).toEqual(expected(c));
    for (const d of parsed.diagnostics) {
      expect(d.message).not.toBe('');
      expect(d.message).not.toMatch(NO_STACK);
    }
    expect(parsed.instrument !== undefined).toBe(c.parsed);
    c.check?.(parsed);
  });
});

describe('bad input: regpress check', () => {
  it.each(ALL.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const repo = makeTempRepo();
    repo.write({ [FILE]: c.source() });
    const started = performance.now();
    const json = await runCli(['check', '--json'], { cwd: repo.dir });
    expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
    const text = await runCli(['check'], { cwd: repo.dir });

    expect(json.stderr).toBe('');
    expect(text.stderr).toBe('');
    expect(json.code).toBe(c.exit);
    expect(text.code).toBe(c.exit);
    const out = JSON.parse(json.stdout) as { instruments: { id: string }[]; diagnostics: Diagnostic[] };
    expect(shape(out.diagnostics)).toEqual(expected(c));
    expect(out.instruments).toHaveLength(c.parsed ? 1 : 0);
    const lines = text.stdout.split('\n');
    for (const e of c.diagnostics) {
      const where = `${FILE}:${e.line}:${e.column ?? ''}`;
      expect(lines.some((l) => l.startsWith(where) && l.includes(` ${e.severity} `) && l.endsWith(` ${e.rule}`)), `${where} ${e.severity} … ${e.rule}`).toBe(true);
    }
    expect(text.stdout).not.toMatch(NO_STACK);
  });
});

describe('the limits are exact', () => {
  const marks = (n: number) => `${FM}**第一条**　${'[a]'.repeat(Math.floor(n / 2))}${n % 2 === 1 ? '[' : ''}\n`;

  it('accepts a paragraph of exactly maxInlineMarks marks and refuses one more, at that mark', () => {
    const limits = { ...DEFAULT_LIMITS, maxInlineMarks: 10 };
    // the label's ** and ** are two marks
    expect(parseSourceFile(FILE, utf8.encode(marks(8)), limits).diagnostics).toEqual([]);
    const over = parseSourceFile(FILE, utf8.encode(marks(9)), limits);
    expect(shape(over.diagnostics)).toEqual([{ file: FILE, line: BODY_LINE, column: 8 + 12 + 1, severity: 'error', rule: 'inline-too-complex' }]);
    expect(over.diagnostics[0]?.message).toMatch(/paragraph from line 7 has more than 10 /);
  });

  it('accepts a file of exactly maxFileBytes and refuses one byte more', () => {
    const doc = utf8.encode(DOC);
    expect(parseSourceFile(FILE, doc, { ...DEFAULT_LIMITS, maxFileBytes: doc.length }).diagnostics).toEqual([]);
    const over = parseSourceFile(FILE, doc, { ...DEFAULT_LIMITS, maxFileBytes: doc.length - 1 });
    expect(shape(over.diagnostics)).toEqual([{ file: FILE, line: 1, column: 1, severity: 'error', rule: 'file-too-large' }]);
  });

  it('accepts front matter of exactly MAX_FRONT_MATTER_CHARS and refuses one more', () => {
    const head = 'title: テスト令\nidentifier: A1\nrank: cabinet_order\nextra:\n  law_num: "';
    const yaml = (n: number) => `${head}${'x'.repeat(n - head.length - 2)}"\n`;
    expect(yaml(MAX_FRONT_MATTER_CHARS)).toHaveLength(MAX_FRONT_MATTER_CHARS);
    const at = parseSourceFile(FILE, utf8.encode(`---\n${yaml(MAX_FRONT_MATTER_CHARS)}---\n\n${ARTICLE}`));
    expect(at.diagnostics).toEqual([]);
    const over = parseSourceFile(FILE, utf8.encode(`---\n${yaml(MAX_FRONT_MATTER_CHARS + 1)}---\n\n${ARTICLE}`));
    expect(shape(over.diagnostics)).toEqual([{ file: FILE, line: 1, column: 1, severity: 'error', rule: 'front-matter-too-large' }]);
  });

  it('accepts lists and block quotes nested to twice maxNesting and refuses one level more', () => {
    const quote = (n: number) => `${LINE_2}${'>'.repeat(n)} 深い\n`;
    const limit = DEFAULT_LIMITS.maxNesting * 2;
    expect(parseSourceFile(FILE, utf8.encode(quote(limit))).diagnostics.map((d) => d.rule)).not.toContain('nesting-too-deep');
    expect(shape(parseSourceFile(FILE, utf8.encode(quote(limit + 1))).diagnostics)).toEqual([
      { file: FILE, line: 9, column: 1, severity: 'error', rule: 'nesting-too-deep' },
    ]);
  });
});

describe('crowdedInline never undercounts a paragraph', () => {
  // what CommonMark reads as one paragraph must be counted as one
  it.each([
    ['continuation lines', 'a [b] [c]\nd [e] f\n[g] [h]', 10],
    ['a bullet indented four columns past a paragraph continues it', '[a] [b]\n    - [c] [d]\n    - [e]', 10],
    ['a bullet indented four past its item content continues that item', '- [a] [b]\n      - [c] [d]\n      - [e]', 10],
    ['an empty bullet cannot interrupt a paragraph', '[a] [b] [c] [d]\n*\n[e]', 11],
    ['an ordered item not starting at 1 cannot interrupt a paragraph', '[a] [b] [c] [d]\n2. [e]', 10],
    ['block quote lines continue the quoted paragraph', '> [a] [b]\n> [c] [d]\n> [e]', 10],
  ] as const)('%s', (_, text, marks) => {
    expect(crowdedInline(text, marks)).toBeUndefined();
    expect(crowdedInline(text, marks - 1)).toEqual(expect.objectContaining({ blockLine: 1 }));
  });

  it('starts again after a blank line and at a bullet that starts an item', () => {
    expect(crowdedInline('[a] [b]\n\n[c] [d]', 4)).toBeUndefined();
    expect(crowdedInline('[a] [b]\n- [c] [d]\n  - [e] [f]\n- [g] [h]', 4)).toBeUndefined();
    expect(crowdedInline('[a] [b]\n- [c] [d] [e]', 4)).toEqual({ line: 2, column: 11, blockLine: 2 });
  });
});
