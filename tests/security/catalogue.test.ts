/**
 * The bad-input catalogue (RELIABILITY.md §4), walked through the real CLI.
 *
 * One temporary repository holds the small valid corpus in two commits; it
 * is built once (output/) and a digest is queued once (the outbox). Each
 * case then breaks one input — instrument Markdown, the publications
 * catalogue, a commentary file, a template, a subscribers file, a git ref
 * or a path given on the command line — runs the command that reads it, and
 * asserts that the command refuses it: exit 1 (content) or 2 (usage), a
 * diagnostic naming file, line and rule (or, for a ref, the ref), the
 * published output and the outbox byte for byte as they were, no .eml file
 * and no stray file. The work tree is restored after every case.
 *
 * `build` reads the work tree (instruments, catalogue, commentary,
 * templates), `build --at` a commit, `digest` the subscribers file it is
 * given. Warning-level items are run as `check --max-warnings 0`, the
 * strict form of check.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { snapshotTree as snapshot } from '../support/output-tree.js';
import { makeTempRepo } from '../support/repo.js';
import { COMMENTARY, CATALOGUE, ORDER, ordinance, smallCorpus } from '../support/small-corpus.js';
import { bytesOf as bytes } from '../support/bytes.js';

// ── the base repository ─────────────────────────────────────────────────

const repo = makeTempRepo('regpress-catalogue-');
const ORDER_FILE = 'regulations/jp/324CO0000000378.md';
const ORDINANCE_FILE = 'regulations/jp/403M50000400049.md';
const CATALOGUE_FILE = 'regulations/publications.yaml';
const COMMENTARY_FILE = 'regulations/guidance/electronics.md';
const SUBSCRIBERS_FILE = 'config/subscribers.yaml';
// the amendment the base digest reports: wording only
const ORDINANCE = ordinance('一二五').replace('マイクロ波用機器であって', 'マイクロ波用の機器であって');

const SUBSCRIBERS = `subscribers:
  - name: 半導体　太郎
    email: row7@example.co.jp
    follows:
      rows: ["7"]
  - name: Ordinance Watcher
    email: ordinance@example.com
    language: en
    follows:
      instruments: [貨物等省令]
`;

/** Where .eml files would go if a digest case got past validation; and scratch space outside the repository. */
const scratch = mkdtempSync(path.join(tmpdir(), 'regpress-catalogue-scratch-'));
const emlDir = path.join(scratch, 'eml');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const outputDir = path.join(repo.dir, 'output');
const outboxDir = () => path.join(repo.dir, '.git', 'regpress', 'outbox');

// ── snapshots ───────────────────────────────────────────────────────────

/** Every file name under a folder (not following symlinks), for "no stray file". */
function listing(root: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (skip(r)) continue;
      if (e.isDirectory()) walk(path.join(abs, e.name), r);
      else out.push(r);
    }
  };
  walk(root, '');
  return out.sort();
}

const worktreeListing = () => listing(repo.dir, (r) => r === '.git' || r === 'output');
const emlFiles = (): string[] => (existsSync(emlDir) ? listing(emlDir, () => false).filter((f) => f.endsWith('.eml')) : []);

// ── building blocks for cases ───────────────────────────────────────────

type Kind = 'instrument' | 'catalogue' | 'commentary' | 'template' | 'subscribers' | 'git-ref' | 'path';

interface Where {
  file: string;
  line: number;
  column?: number;
  rule: string;
}

interface Case {
  kind: Kind;
  /** Catalogue code: FM03, MAIL07, GIT01, … */
  code: string;
  name: string;
  /** The bad change: written into the work tree (null deletes a file). */
  files?: () => Record<string, string | Uint8Array | null>;
  /** Other preparation (a throwaway branch, a symlink); returns extra args if any. */
  prepare?: () => void;
  args: () => string[];
  exit?: 1 | 2;
  /** Where the diagnostics are printed: stdout (build, check) or stderr (digest, usage errors). */
  stream?: 'stdout' | 'stderr';
  /** The diagnostic expected: file:line[:column] … rule. */
  at?: Where;
  /** For refs and usage errors: what the message must say. */
  says?: RegExp;
  /** Paths (absolute) that must not exist afterwards. */
  strays?: () => string[];
  /** Further checks after the run. */
  then?: (r: CliResult) => void;
}


const BUILD = () => ['build'];
const STRICT_CHECK = () => ['check', '--max-warnings', '0'];
const digestWith = (file: string, ...extra: string[]) => () => ['digest', 'HEAD~1', 'HEAD', '--subscribers', file, '--as-of', '2025-01-01', '--out', emlDir, ...extra];

/** The order's front matter with one line replaced (lines are 1-based in the file). */
function orderLine(line: number, replacement: string | string[]): string {
  const lines = ORDER.split('\n');
  lines.splice(line - 1, 1, ...(Array.isArray(replacement) ? replacement : [replacement]));
  return lines.join('\n');
}
/** ORDER with lines inserted before `line`. */
function orderInsert(line: number, ...inserted: string[]): string {
  const lines = ORDER.split('\n');
  lines.splice(line - 1, 0, ...inserted);
  return lines.join('\n');
}
const ORDER_BODY = ORDER.slice(ORDER.indexOf('\n---\n') + 5);
const order = (f: string) => () => ({ [ORDER_FILE]: f });
const catalogue = (text: string) => () => ({ [CATALOGUE_FILE]: text });
const commentary = (text: string, file = COMMENTARY_FILE) => () => ({ [file]: text });
const subscribers = (text: string | Uint8Array) => () => ({ 'config/bad.yaml': text });
const BAD_SUBS = digestWith('config/bad.yaml');
const subEntry = (email: string, name = 'x', follows = 'rows: ["7"]') => `subscribers:\n  - name: ${name}\n    email: ${email}\n    follows: { ${follows} }\n`;

/** A template of the repository with a change; `templates/<name>`. */
const TEMPLATES = Object.fromEntries(Object.entries(smallCorpus()).filter(([k]) => k.startsWith('templates/')));
const template = (name: string, edit: (t: string) => string) => () => {
  const file = `templates/${name}`;
  const before = TEMPLATES[file];
  if (before === undefined) throw new Error(`no ${file}`);
  const after = edit(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  return { [file]: after };
};

/** Line (1-based) of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string): number => {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not found`);
  return text.slice(0, i).split('\n').length;
};

const pwned = (name: string) => path.join(repo.dir, '..', `${name}-${path.basename(repo.dir)}`);

// ── the cases ───────────────────────────────────────────────────────────

const instrumentCases: Case[] = [
  { kind: 'instrument', code: 'FM01', name: 'front matter never closed', files: order(ORDER.replace('\n---\n\n**第一条', '\n\n**第一条')), args: BUILD, at: { file: ORDER_FILE, line: 1, column: 1, rule: 'unterminated-front-matter' } },
  { kind: 'instrument', code: 'FM01', name: 'no front matter at all', files: order(ORDER_BODY), args: BUILD, at: { file: ORDER_FILE, line: 1, column: 1, rule: 'missing-front-matter' } },
  { kind: 'instrument', code: 'FM02', name: 'tab indentation in front matter', files: order(orderLine(7, '\tabbrev: "輸出令"')), args: BUILD, at: { file: ORDER_FILE, line: 7, rule: 'front-matter-yaml' } },
  { kind: 'instrument', code: 'FM02', name: 'unclosed quote in title', files: order(orderLine(2, 'title: "輸出貿易管理令')), args: BUILD, at: { file: ORDER_FILE, line: 2, rule: 'front-matter-yaml' } },
  { kind: 'instrument', code: 'FM03', name: 'identifier given twice', files: order(orderInsert(4, 'identifier: "999CO0000000001"')), args: BUILD, at: { file: ORDER_FILE, line: 4, rule: 'front-matter-yaml' } },
  { kind: 'instrument', code: 'FM04', name: 'front matter that is a list', files: order(`---\n- title\n- identifier\n---\n\n${ORDER_BODY}`), args: BUILD, at: { file: ORDER_FILE, line: 2, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'FM04', name: 'front matter that is a scalar', files: order(`---\n輸出貿易管理令\n---\n\n${ORDER_BODY}`), args: BUILD, at: { file: ORDER_FILE, line: 2, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'FM05', name: '---js front matter is not YAML', files: order(ORDER.replace(/^---\n/, '---js\n')), args: BUILD, at: { file: ORDER_FILE, line: 1, column: 1, rule: 'missing-front-matter' } },
  {
    kind: 'instrument',
    code: 'FM05',
    name: '!!js/function tag: refused, and its code never runs',
    files: order(orderLine(4, 'country: !!js/function "function () { globalThis.__regpressPwned = 1 }"')),
    args: BUILD,
    at: { file: ORDER_FILE, line: 4, rule: 'front-matter-yaml' },
    then: () => expect((globalThis as { __regpressPwned?: number }).__regpressPwned).toBeUndefined(),
  },
  { kind: 'instrument', code: 'FM05', name: 'custom !include tag', files: order(orderLine(4, 'country: !include /etc/passwd')), args: BUILD, at: { file: ORDER_FILE, line: 4, rule: 'front-matter-yaml' } },
  { kind: 'instrument', code: 'FM06', name: 'an alias of the title', files: order(orderLine(2, ['title: &t "輸出貿易管理令"', 'status: *t'])), args: BUILD, at: { file: ORDER_FILE, line: 3, rule: 'front-matter-yaml' } },
  { kind: 'instrument', code: 'FM06', name: 'a merge key', files: order(orderInsert(6, '<<: {status: in_force}')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 6, rule: 'front-matter-unknown-key' } },
  {
    kind: 'instrument',
    code: 'FM06',
    name: 'a __proto__ key pollutes nothing',
    files: order(orderInsert(6, '__proto__: {polluted: yes}')),
    args: STRICT_CHECK,
    at: { file: ORDER_FILE, line: 6, rule: 'front-matter-unknown-key' },
    then: () => expect(({} as { polluted?: unknown }).polluted).toBeUndefined(),
  },
  { kind: 'instrument', code: 'FM07', name: 'effective date written as a number', files: order(orderInsert(6, 'effective: 20240401')), args: BUILD, at: { file: ORDER_FILE, line: 6, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'FM07', name: 'effective on 31 April', files: order(orderInsert(6, 'effective: 2024-04-31')), args: BUILD, at: { file: ORDER_FILE, line: 6, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'FM07', name: 'rank that YAML reads as a number', files: order(orderLine(5, 'rank: 12.10')), args: BUILD, at: { file: ORDER_FILE, line: 5, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'FM08', name: 'misspelt key (efective)', files: order(orderInsert(6, 'efective: "2024-04-01"')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 6, rule: 'front-matter-unknown-key' } },
  { kind: 'instrument', code: 'FM09', name: 'title missing', files: order(orderLine(2, [])), args: BUILD, at: { file: ORDER_FILE, line: 2, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'FM09', name: 'rank missing', files: order(orderLine(5, [])), args: BUILD, at: { file: ORDER_FILE, line: 2, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'ENC01', name: 'invalid UTF-8 in a provision', files: () => ({ [ORDER_FILE]: bytes(ORDER.slice(0, ORDER.indexOf('別表第一中欄')), [0xff], ORDER.slice(ORDER.indexOf('別表第一中欄'))) }), args: BUILD, at: { file: ORDER_FILE, line: 10, column: 16, rule: 'invalid-utf8' } },
  { kind: 'instrument', code: 'ENC02', name: 'byte-order mark (warned; strict refuses)', files: () => ({ [ORDER_FILE]: bytes([0xef, 0xbb, 0xbf], ORDER) }), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 1, column: 1, rule: 'byte-order-mark' } },
  { kind: 'instrument', code: 'ENC03', name: 'UTF-16LE file', files: () => ({ [ORDER_FILE]: bytes([0xff, 0xfe], [...Buffer.from(ORDER, 'utf16le')]) }), args: BUILD, at: { file: ORDER_FILE, line: 1, column: 1, rule: 'invalid-utf8' } },
  { kind: 'instrument', code: 'ENC03', name: 'Shift_JIS title', files: () => ({ [ORDER_FILE]: bytes('---\ntitle: "', [0x83, 0x65, 0x83, 0x58, 0x83, 0x67], ORDER.slice(ORDER.indexOf('"\nidentifier'))) }), args: BUILD, at: { file: ORDER_FILE, line: 2, column: 9, rule: 'invalid-utf8' } },
  { kind: 'instrument', code: 'ENC04', name: 'CRLF line endings (warned; strict refuses)', files: order(ORDER.replace(/\n/g, '\r\n')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 1, column: 4, rule: 'crlf-line-endings' } },
  { kind: 'instrument', code: 'ENC04', name: 'one CRLF line in an LF file', files: order(orderLine(10, `${ORDER.split('\n')[9]}\r`)), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 10, rule: 'crlf-line-endings' } },
  { kind: 'instrument', code: 'ENC07', name: 'zero-width space in the identifier', files: order(orderLine(3, 'identifier: "324CO\u200b0000000378"')), args: BUILD, at: { file: ORDER_FILE, line: 3, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'ENC07', name: 'a bidi override (U+202E) in the title', files: order(orderLine(2, 'title: "輸出貿易\u202e令理管"')), args: BUILD, at: { file: ORDER_FILE, line: 2, rule: 'front-matter-schema' }, says: /U\+202E/ },
  { kind: 'instrument', code: 'ENC07', name: 'a line break (U+2028) in an alias', files: order(orderInsert(6, 'aliases: ["etco\u2028Bcc: x@evil.example"]')), args: BUILD, at: { file: ORDER_FILE, line: 6, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'ENC07', name: 'a bidi isolate (U+2067) in provision text', files: order(ORDER.replace('輸出とする。', '輸出と\u2067しない\u2069する。')), args: BUILD, at: { file: ORDER_FILE, line: 10, rule: 'bidi-control' } },
  { kind: 'instrument', code: 'ENC07', name: 'a zero-width space in provision text (warned; strict refuses)', files: order(ORDER.replace('輸出とする。', '輸出と\u200bする。')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 10, rule: 'invisible-character' } },
  { kind: 'instrument', code: 'MD02', name: 'a javascript: link in provision text (warned: it is kept as text; strict refuses)', files: order(ORDER.replace('輸出とする。', '輸出とする。[詳細](javascript:alert(1))')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 10, rule: 'unsafe-link' } },
  { kind: 'instrument', code: 'MD02', name: 'a data:text/html link in an item (warned; strict refuses)', files: () => ({ [ORDINANCE_FILE]: ORDINANCE.replace('設計したもの\n  - ロ', '[設計](data:text/html,<script>alert(1)</script>)したもの\n  - ロ') }), args: STRICT_CHECK, at: { file: ORDINANCE_FILE, line: 11, rule: 'unsafe-link' } },
  { kind: 'instrument', code: 'ENC08', name: 'NUL byte: binary, not Markdown', files: order(ORDER.replace('輸出の許可', '輸出の\0許可')), args: BUILD, at: { file: ORDER_FILE, line: 10, rule: 'nul-byte' } },
  { kind: 'instrument', code: 'ID01', name: 'the same article twice', files: order(ORDER.replace('**別表第一**', '**第一条**　再び定める。\n\n**別表第一**')), args: BUILD, at: { file: ORDER_FILE, line: 12, rule: 'duplicate-provision-id' } },
  { kind: 'instrument', code: 'ID01', name: 'two files with the same identifier', files: () => ({ 'regulations/jp/zz-copy.md': ORDER }), args: BUILD, at: { file: 'regulations/jp/zz-copy.md', line: 1, column: 1, rule: 'duplicate-instrument-id' }, says: /also used by regulations\/jp\/324CO0000000378\.md/ },
  { kind: 'instrument', code: 'ID04', name: 'identifiers that differ only in case', files: () => ({ 'regulations/jp/zz-lower.md': orderLine(3, 'identifier: "324co0000000378"').replace('輸出貿易管理令"', '輸出貿易管理令（小文字）"').replace('abbrev: "輸出令"', 'abbrev: "輸出令小"') }), args: BUILD, at: { file: 'regulations/jp/zz-lower.md', line: 1, column: 1, rule: 'duplicate-instrument-id' }, says: /differs only in case/ },
  { kind: 'instrument', code: 'ID03', name: 'identifier of 65 characters', files: order(orderLine(3, `identifier: "${'a'.repeat(65)}"`)), args: BUILD, at: { file: ORDER_FILE, line: 3, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'ID03', name: 'identifier starting with "-"', files: order(orderLine(3, 'identifier: "-rf"')), args: BUILD, at: { file: ORDER_FILE, line: 3, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'ID03', name: 'identifier with a space', files: order(orderLine(3, 'identifier: "324CO 378"')), args: BUILD, at: { file: ORDER_FILE, line: 3, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'ID05', name: '第五条 after 第七条', files: () => ({ [ORDINANCE_FILE]: ORDINANCE.replace('**第七条**', '**第五条**') }), args: BUILD, at: { file: ORDINANCE_FILE, line: 15, rule: 'numbering-order' } },
  { kind: 'instrument', code: 'XR01', name: "an editor's link to an article that does not exist (strict)", files: order(ORDER.replace('輸出とする。', '輸出とする。[第九十九条](#art99)を準用する。')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 10, rule: 'unresolved-reference' } },
  { kind: 'instrument', code: 'XR01', name: 'an explicit id that is no id step', files: order(ORDER.replace('**第一条（輸出の許可）**', '**第一条（輸出の許可）**{#../../x}')), args: BUILD, at: { file: ORDER_FILE, line: 10, rule: 'invalid-explicit-id' } },
  { kind: 'instrument', code: 'MD05', name: 'an image pointing out of the repository (never read; warned; strict refuses)', files: order(ORDER.replace('**別表第一**', '![輸出の図](../../../etc/secret.png)\n\n**別表第一**')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 12, column: 1, rule: 'image-not-published' } },
  { kind: 'instrument', code: 'MD05', name: 'an inline image by URL in a provision (never fetched; warned; strict refuses)', files: order(ORDER.replace('同表下欄に掲げる地域', '同表下欄![地図](https://evil.example/x.png)に掲げる地域')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 10, rule: 'image-not-published' } },
  { kind: 'instrument', code: 'MD01', name: '<script> block in a provision (warned; strict refuses)', files: order(ORDER.replace('**別表第一**', '<script>alert(1)</script>\n\n**別表第一**')), args: STRICT_CHECK, at: { file: ORDER_FILE, line: 12, rule: 'unrecognised-construct' } },
  { kind: 'instrument', code: 'PATH01', name: 'identifier ../../etc/passwd', files: order(orderLine(3, 'identifier: "../../etc/passwd"')), args: BUILD, at: { file: ORDER_FILE, line: 3, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'PATH02', name: 'identifier with backslashes', files: order(orderLine(3, 'identifier: "..\\\\..\\\\x"')), args: BUILD, at: { file: ORDER_FILE, line: 3, rule: 'front-matter-schema' } },
  { kind: 'instrument', code: 'PATH02', name: 'identifier %2e%2e%2f', files: order(orderLine(3, 'identifier: "%2e%2e%2fx"')), args: BUILD, at: { file: ORDER_FILE, line: 3, rule: 'front-matter-schema' } },
  {
    kind: 'instrument',
    code: 'PATH04',
    name: 'a file name with spaces, quotes and Japanese is named exactly',
    files: () => ({ 'regulations/jp/改正 "案" it\'s.md': orderLine(2, []) }),
    args: BUILD,
    at: { file: 'regulations/jp/改正 "案" it\'s.md', line: 2, rule: 'front-matter-schema' },
  },
  {
    kind: 'instrument',
    code: 'FM02',
    name: 'build --at a commit whose front matter is broken (work tree clean)',
    prepare: () => {
      repo.git('checkout', '-q', '-b', 'broken');
      writeFileSync(path.join(repo.dir, ORDER_FILE), orderLine(2, 'title: "輸出貿易管理令'));
      repo.git('commit', '-q', '-m', 'broken title', '--', ORDER_FILE);
      repo.git('checkout', '-q', 'main');
    },
    args: () => ['build', '--at', 'broken'],
    at: { file: ORDER_FILE, line: 2, rule: 'front-matter-yaml' },
  },
];

// SZ: generated large inputs, timed
const SZ_TIMES: Record<string, number> = {};
const FM_ORDER = ORDER.slice(0, ORDER.indexOf('\n---\n') + 5);
const LINE_AFTER_ARTICLE = lineOf(ORDER, '**別表第一**');
const sizeCases: Case[] = [
  {
    kind: 'instrument',
    code: 'SZ01',
    name: '10 MB instrument file',
    files: () => ({ [ORDER_FILE]: `${ORDER}\n${'この政令は、試験のために定める。\n\n'.repeat(Math.ceil((10 * 1024 * 1024) / 51))}` }),
    args: BUILD,
    at: { file: ORDER_FILE, line: 1, column: 1, rule: 'file-too-large' },
  },
  { kind: 'instrument', code: 'SZ02', name: 'block quote nested 5,000 deep', files: order(ORDER.replace('**別表第一**', `${'>'.repeat(5000)} 深い\n\n**別表第一**`)), args: BUILD, at: { file: ORDER_FILE, line: LINE_AFTER_ARTICLE, column: 1, rule: 'nesting-too-deep' } },
  { kind: 'instrument', code: 'SZ02', name: 'list nested 3,000 deep', files: order(ORDER.replace('**別表第一**', `${'- '.repeat(3000)}一　深い\n\n**別表第一**`)), args: BUILD, at: { file: ORDER_FILE, line: LINE_AFTER_ARTICLE, column: 1, rule: 'nesting-too-deep' } },
  { kind: 'instrument', code: 'SZ03', name: '100 KB of "[" in one provision', files: order(ORDER.replace('輸出とする。', `輸出とする。${'['.repeat(100 * 1024)}`)), args: BUILD, at: { file: ORDER_FILE, line: 10, rule: 'inline-too-complex' } },
];
void FM_ORDER;

const catalogueCases: Case[] = [
  { kind: 'catalogue', code: 'FM02', name: 'invalid YAML (unclosed flow mapping)', files: catalogue(CATALOGUE.replace('rows: ["8"] }', 'rows: ["8"]')), args: BUILD, at: { file: CATALOGUE_FILE, line: 7, rule: 'catalogue-yaml' } },
  { kind: 'catalogue', code: 'FM03', name: 'duplicate key in a publication', files: catalogue(CATALOGUE.replace('id: ps-row-8,', 'id: ps-row-8, id: ps-row-9,')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-yaml' } },
  { kind: 'catalogue', code: 'FM04', name: 'a list, not a mapping', files: catalogue('- ps-row-7\n- ps-row-8\n'), args: BUILD, at: { file: CATALOGUE_FILE, line: 1, rule: 'catalogue-schema' } },
  { kind: 'catalogue', code: 'FM05', name: 'a !!js/function tag', files: catalogue(CATALOGUE.replace('title: パラメータシート　七の項', 'title: !!js/function "function () {}"')), args: BUILD, at: { file: CATALOGUE_FILE, line: 5, rule: 'catalogue-yaml' } },
  { kind: 'catalogue', code: 'FM06', name: 'rows given by an alias', files: catalogue(CATALOGUE.replace('rows: ["7"] }\n  - { id: ps-row-8', 'rows: &r ["7"] }\n  - { id: ps-row-8').replace('rows: ["8"]', 'rows: *r')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, column: 90, rule: 'catalogue-yaml' }, says: /aliases/ },
  { kind: 'catalogue', code: 'FM09', name: 'publication without a title', files: catalogue(CATALOGUE.replace('title: パラメータシート　八の項, ', '')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-schema' } },
  { kind: 'catalogue', code: 'FM07', name: 'kind that is not a publication kind', files: catalogue(CATALOGUE.replace('kind: parameter-sheet, title: パラメータシート　八の項', 'kind: leaflet, title: パラメータシート　八の項')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-schema' } },
  { kind: 'catalogue', code: 'XR01', name: 'a row 別表第一 does not have', files: catalogue(CATALOGUE.replace('rows: ["8"]', 'rows: ["99"]')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-unknown-row' } },
  { kind: 'catalogue', code: 'XR01', name: 'a sector that is not listed', files: catalogue(CATALOGUE.replace('sector: computers', 'sector: aerospace')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-schema' } },
  { kind: 'catalogue', code: 'XR01', name: 'a template that does not exist', files: catalogue(CATALOGUE.replace('sector: computers,', 'sector: computers, template: no-such-template,')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-unknown-template' } },
  { kind: 'catalogue', code: 'ID01', name: 'the same publication id twice', files: catalogue(CATALOGUE.replace('id: ps-row-8', 'id: ps-row-7')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-schema' } },
  { kind: 'catalogue', code: 'PATH01', name: 'publication id ../../pwned', files: catalogue(CATALOGUE.replace('id: ps-row-8', 'id: "../../pwned"')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-schema' } },
  { kind: 'catalogue', code: 'PATH01', name: 'template ../../etc/passwd', files: catalogue(CATALOGUE.replace('sector: computers,', 'sector: computers, template: ../../etc/passwd,')), args: BUILD, at: { file: CATALOGUE_FILE, line: 6, rule: 'catalogue-unknown-template' } },
  { kind: 'catalogue', code: 'ENC01', name: 'invalid UTF-8', files: () => ({ [CATALOGUE_FILE]: bytes(CATALOGUE.slice(0, CATALOGUE.indexOf('エレクトロニクス')), [0xc0, 0xaf], CATALOGUE.slice(CATALOGUE.indexOf('エレクトロニクス'))) }), args: BUILD, at: { file: CATALOGUE_FILE, line: 2, rule: 'invalid-utf8' } },
  { kind: 'catalogue', code: 'ENC08', name: 'NUL byte', files: catalogue(CATALOGUE.replace('パラメータシート　七の項', 'パラメータ\0シート')), args: BUILD, at: { file: CATALOGUE_FILE, line: 5, rule: 'nul-byte' } },
  { kind: 'catalogue', code: 'FM01', name: 'catalogue missing', files: () => ({ [CATALOGUE_FILE]: null }), args: BUILD, at: { file: CATALOGUE_FILE, line: 1, column: 1, rule: 'catalogue-missing' } },
];

const commentaryCases: Case[] = [
  { kind: 'commentary', code: 'FM01', name: 'no front matter', files: commentary(COMMENTARY.slice(COMMENTARY.indexOf('\n---\n') + 5)), args: BUILD, at: { file: COMMENTARY_FILE, line: 1, column: 1, rule: 'commentary-front-matter' } },
  { kind: 'commentary', code: 'FM02', name: 'invalid YAML in front matter', files: commentary(COMMENTARY.replace('publication: cg-electronics', 'publication: "cg-electronics')), args: BUILD, at: { file: COMMENTARY_FILE, line: 2, rule: 'commentary-front-matter' } },
  { kind: 'commentary', code: 'FM03', name: 'publication key twice', files: commentary(COMMENTARY.replace('publication: cg-electronics', 'publication: cg-electronics\npublication: cg-other')), args: BUILD, at: { file: COMMENTARY_FILE, line: 3, rule: 'commentary-front-matter' } },
  { kind: 'commentary', code: 'FM07', name: 'publication that is a number', files: commentary(COMMENTARY.replace('publication: cg-electronics', 'publication: 7')), args: BUILD, at: { file: COMMENTARY_FILE, line: 2, rule: 'commentary-front-matter' } },
  { kind: 'commentary', code: 'XR01', name: 'publication not in the catalogue', files: commentary(COMMENTARY.replace('publication: cg-electronics', 'publication: cg-nothing')), args: BUILD, at: { file: COMMENTARY_FILE, line: 2, rule: 'commentary-unknown-publication' } },
  { kind: 'commentary', code: 'ID01', name: 'a second commentary for the same publication', files: commentary(COMMENTARY, 'regulations/guidance/zz-electronics-2.md'), args: BUILD, at: { file: 'regulations/guidance/zz-electronics-2.md', line: 2, rule: 'commentary-duplicate' } },
  { kind: 'commentary', code: 'XR01', name: 'a link to a provision that does not exist', files: commentary(COMMENTARY.replace('art6/para1/item1/ro', 'art6/para1/item1/ha')), args: BUILD, at: { file: COMMENTARY_FILE, line: 9, column: 8, rule: 'commentary-unresolved-reference' } },
  { kind: 'commentary', code: 'XR05', name: 'a section heading that is not one link to a row', files: commentary(COMMENTARY.replace('## [七の項](324CO0000000378#appx1/row7)', '## 七の項について')), args: BUILD, at: { file: COMMENTARY_FILE, line: 7, rule: 'commentary-section-heading' } },
  { kind: 'commentary', code: 'XR01', name: 'a section for a row the publication does not cover', files: commentary(`${COMMENTARY}\n## [八の項](324CO0000000378#appx1/row8)\n\n電子計算機。\n`), args: BUILD, at: { file: COMMENTARY_FILE, line: 11, rule: 'commentary-row-not-covered' } },
  { kind: 'commentary', code: 'MD02', name: 'a javascript: link', files: commentary(COMMENTARY.replace('(403M50000400049#art6/para1/item1/ro)', '(javascript:alert(document.cookie))')), args: BUILD, at: { file: COMMENTARY_FILE, line: 9, column: 8, rule: 'commentary-unsafe-link' } },
  { kind: 'commentary', code: 'MD02', name: 'a data:text/html link', files: commentary(COMMENTARY.replace('(403M50000400049#art6/para1/item1/ro)', '(data:text/html,<script>alert(1)</script>)')), args: BUILD, at: { file: COMMENTARY_FILE, line: 9, column: 8, rule: 'commentary-unsafe-link' } },
  { kind: 'commentary', code: 'MD04', name: 'a file: link', files: commentary(COMMENTARY.replace('(403M50000400049#art6/para1/item1/ro)', '(file:///etc/passwd)')), args: BUILD, at: { file: COMMENTARY_FILE, line: 9, column: 8, rule: 'commentary-unsafe-link' } },
  { kind: 'commentary', code: 'ENC01', name: 'invalid UTF-8', files: () => ({ [COMMENTARY_FILE]: bytes(COMMENTARY.slice(0, COMMENTARY.indexOf('解説')), [0xed, 0xa0, 0x80], COMMENTARY.slice(COMMENTARY.indexOf('解説'))) }), args: BUILD, at: { file: COMMENTARY_FILE, line: 5, rule: 'invalid-utf8' } },
];

const templateCases: Case[] = [
  { kind: 'template', code: 'TPL01', name: 'an unclosed {{#if}}', files: template('parameter-sheet.hbs', (t) => t.replace(/\{\{\/if\}\}/, '')), args: BUILD, at: { file: 'templates/parameter-sheet.hbs', line: 0, rule: 'template-error' } },
  // the line of each edit, in the file as edited
  { kind: 'template', code: 'MD01', name: 'a <script> element written by a template', files: template('parameter-sheet.hbs', (t) => t.replace('<h level="1"', '<script>alert(1)</script><h level="1"')), args: BUILD, at: { file: 'templates/parameter-sheet.hbs', line: 9, column: 1, rule: 'template-error' }, says: /<script> is not an element of document markup/ },
  { kind: 'template', code: 'MD01', name: 'an <img onerror> in a partial', files: template('partials/front.hbs', (t) => `<img src=x onerror="alert(1)"/>${t}`), args: BUILD, at: { file: 'templates/partials/front.hbs', line: 1, column: 1, rule: 'template-error' } },
  { kind: 'template', code: 'MD02', name: 'a literal javascript: link', files: template('parameter-sheet.hbs', (t) => t.replace('{{cite}}</h>', '<a href="javascript:alert(1)">{{cite}}</a></h>')), args: BUILD, at: { file: 'templates/parameter-sheet.hbs', line: 9, rule: 'template-error' }, says: /javascript:/ },
  { kind: 'template', code: 'MD02', name: 'a javascript: link in the digest e-mail template', files: template('digest.html.hbs', (t) => t.replace('<a href="{{unsubscribeUrl}}">', '<a href="javascript:void(0)">')), args: BUILD, at: { file: 'templates/digest.html.hbs', line: 23, rule: 'template-error' } },
  { kind: 'template', code: 'TPL02', name: 'a helper that does not exist', files: template('parameter-sheet.hbs', (t) => t.replace('{{cite}}</h>', '{{shout cite}}</h>')), args: BUILD, at: { file: 'templates/parameter-sheet.hbs', line: 9, rule: 'template-error' }, says: /"shout" is not a helper/ },
  { kind: 'template', code: 'TPL02', name: 'a block helper that does not exist', files: template('partials/runs.hbs', (t) => { const i = t.lastIndexOf('{{/each}}'); return `${t.slice(0, i)}{{/repeat}}${t.slice(i + 9)}`.replace('{{#each this}}', '{{#repeat this}}'); }), args: BUILD, at: { file: 'templates/partials/runs.hbs', line: 1, column: 1, rule: 'template-error' } },
  { kind: 'template', code: 'TPL03', name: 'a partial that does not exist', files: template('commodity-guidance.hbs', (t) => t.replace('{{> commentary}}', '{{> ../../../etc/passwd}}')), args: BUILD, at: { file: 'templates/commodity-guidance.hbs', line: 4, column: 1, rule: 'template-error' } },
  { kind: 'template', code: 'TPL01', name: 'digest: an unclosed {{#each}} in the e-mail template', files: template('digest.text.hbs', (t) => t.replace('{{/each}}', '')), args: digestWith(SUBSCRIBERS_FILE), stream: 'stderr', at: { file: 'templates/digest.text.hbs', line: 0, rule: 'template-error' } },
  { kind: 'template', code: 'TPL02', name: 'digest: a helper that does not exist in the HTML e-mail', files: template('digest.html.hbs', (t) => t.replace('{{cite}}', '{{upper cite}}')), args: digestWith(SUBSCRIBERS_FILE), stream: 'stderr', at: { file: 'templates/digest.html.hbs', line: 11, rule: 'template-error' } },
  { kind: 'template', code: 'TPL01', name: 'a mustache never closed', files: template('partials/runs.hbs', (t) => `${t}{{text`), args: BUILD, at: { file: 'templates/partials/runs.hbs', line: 0, rule: 'template-error' } },
];

const subscriberCases: Case[] = [
  { kind: 'subscribers', code: 'MAIL07', name: 'address without @', files: subscribers(subEntry('row7.example.com')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL07', name: 'address with a space', files: subscribers(subEntry('"row 7@example.com"')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL07', name: 'quoted local part holding an @', files: subscribers(subEntry(`'"evil@attacker.example"@example.com'`)), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL07', name: 'a comment in the address', files: subscribers(subEntry('"victim(comment)@example.com"')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL07', name: 'a group address', files: subscribers(subEntry('"undisclosed: a@example.com, b@evil.example;"')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL07', name: 'a name and angle brackets', files: subscribers(subEntry('"Boss <boss@evil.example>"')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL07', name: 'a Unicode domain', files: subscribers(subEntry('user@例え.jp')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL07', name: 'an address over 254 characters', files: subscribers(subEntry(`a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.example`)), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  {
    kind: 'subscribers',
    code: 'MAIL07',
    name: 'the same address twice, differing by case',
    files: subscribers('subscribers:\n  - { name: a, email: row7@example.com, follows: { rows: ["7"] } }\n  - { name: b, email: ROW7@Example.COM, follows: { rows: ["8"] } }\n'),
    args: BAD_SUBS,
    at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-duplicate' },
  },
  {
    kind: 'subscribers',
    code: 'MAIL07',
    name: 'the same id for two subscribers',
    files: subscribers('subscribers:\n  - { id: team, name: a, email: a@example.com, follows: { rows: ["7"] } }\n  - { id: team, name: b, email: b@example.com, follows: { rows: ["8"] } }\n'),
    args: BAD_SUBS,
    at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-duplicate' },
  },
  { kind: 'subscribers', code: 'MAIL07', name: 'one bad address among good ones stops the run (nothing queued)', files: subscribers(`${SUBSCRIBERS}  - name: bad\n    email: "bad@@example.com"\n    follows: { rows: ["7"] }\n`), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 12, column: 12, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL08', name: 'CR/LF and Bcc: in the address', files: subscribers(subEntry('"row7@example.com\\r\\nBcc: all@evil.example"')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 3, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL08', name: 'CR/LF and Bcc: in the name', files: subscribers(subEntry('row7@example.com', '"Taro\\r\\nBcc: all@evil.example"')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 2, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL08', name: 'a bare LF in the name (block scalar)', files: subscribers('subscribers:\n  - name: |\n      Taro\n      Bcc: all@evil.example\n    email: row7@example.com\n    follows: { rows: ["7"] }\n'), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 2, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'MAIL08', name: 'U+2028 in the name', files: subscribers(subEntry('row7@example.com', '"Taro\\u2028Bcc: all@evil.example"')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 2, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'FM02', name: 'invalid YAML', files: subscribers('subscribers:\n  - name: [unclosed\n    email: a@example.com\n'), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 0, rule: 'subscribers-yaml' } },
  { kind: 'subscribers', code: 'FM06', name: 'an anchor and an alias', files: subscribers('x: &rows ["7"]\nsubscribers:\n  - name: a\n    email: a@example.com\n    follows: { rows: *rows }\n'), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 0, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'FM04', name: 'a list at the root', files: subscribers('- name: a\n  email: a@example.com\n'), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 1, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'FM09', name: 'no email', files: subscribers('subscribers:\n  - name: a\n    follows: { rows: ["7"] }\n'), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 2, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'FM07', name: 'a row that is no 項番', files: subscribers(subEntry('a@example.com', 'x', 'rows: ["7.10"]')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 4, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'FM08', name: 'an unknown follows key', files: subscribers(subEntry('a@example.com', 'x', 'chapters: ["1"]')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 4, rule: 'subscribers-schema' } },
  { kind: 'subscribers', code: 'ENC01', name: 'invalid UTF-8', files: subscribers(bytes('subscribers:\n  - name: ', [0x82, 0xa0], '\n    email: a@example.com\n    follows: { rows: ["7"] }\n')), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 2, column: 11, rule: 'invalid-utf8' } },
  { kind: 'subscribers', code: 'ENC08', name: 'a NUL byte', files: subscribers('subscribers:\n  - name: a\0b\n    email: a@example.com\n    follows: { rows: ["7"] }\n'), args: BAD_SUBS, at: { file: 'config/bad.yaml', line: 2, rule: 'nul-byte' } },
];

const gitCases: Case[] = [
  { kind: 'git-ref', code: 'GIT01', name: 'diff --output=../pwned as an option', args: () => ['diff', `--output=${pwned('pwned-a')}`, 'HEAD'], exit: 2, stream: 'stderr', says: /unknown option/, strays: () => [pwned('pwned-a')] },
  { kind: 'git-ref', code: 'GIT01', name: 'diff -- --output=../pwned as a revision', args: () => ['diff', '--', `--output=../pwned-b-${path.basename(repo.dir)}`, 'HEAD'], exit: 2, stream: 'stderr', says: /starts with "-"/, strays: () => [pwned('pwned-b')] },
  { kind: 'git-ref', code: 'GIT01', name: 'build --at=--output=../pwned', args: () => ['build', `--at=--output=../pwned-c-${path.basename(repo.dir)}`], exit: 2, stream: 'stderr', says: /starts with "-"/, strays: () => [pwned('pwned-c')] },
  { kind: 'git-ref', code: 'GIT01', name: 'check --at=-x', args: () => ['check', '--at=-x'], exit: 2, stream: 'stderr', says: /"-x" starts with "-"/ },
  { kind: 'git-ref', code: 'GIT01', name: 'show --at "HEAD;id"', args: () => ['show', '輸出令第一条', '--at', 'HEAD;id'], exit: 2, stream: 'stderr', says: /"HEAD;id" contains characters that are not allowed/ },
  { kind: 'git-ref', code: 'GIT01', name: 'check --at "$(touch pwned)"', args: () => ['check', '--at', `$(touch ${pwned('pwned-d')})`], exit: 2, stream: 'stderr', says: /not allowed/, strays: () => [pwned('pwned-d')] },
  { kind: 'git-ref', code: 'GIT01', name: 'digest -- --upload-pack=… as the older revision', args: () => ['digest', '--subscribers', SUBSCRIBERS_FILE, '--out', emlDir, '--', `--upload-pack=touch ${pwned('pwned-e')}`, 'HEAD'], exit: 2, stream: 'stderr', says: /starts with "-"/, strays: () => [pwned('pwned-e')] },
  { kind: 'git-ref', code: 'GIT01', name: 'diff -- -p HEAD', args: () => ['diff', '--', '-p', 'HEAD'], exit: 2, stream: 'stderr', says: /"-p" starts with "-"/ },
  { kind: 'git-ref', code: 'GIT02', name: 'a branch that does not exist', args: () => ['diff', 'no-such-branch', 'HEAD'], exit: 2, stream: 'stderr', says: /unknown revision "no-such-branch"/ },
  { kind: 'git-ref', code: 'GIT02', name: 'build --at a revision that does not exist', args: () => ['build', '--at', 'HEAD~99'], exit: 2, stream: 'stderr', says: /HEAD~99/ },
  { kind: 'git-ref', code: 'GIT02', name: 'digest to a revision that does not exist', args: () => ['digest', 'HEAD~1', 'v9.9', '--subscribers', SUBSCRIBERS_FILE, '--out', emlDir], exit: 2, stream: 'stderr', says: /v9\.9/ },
  { kind: 'git-ref', code: 'GIT02', name: 'a tree id, not a commit', args: () => ['diff', repo.git('rev-parse', 'HEAD^{tree}').trim(), 'HEAD'], exit: 2, stream: 'stderr', says: /[0-9a-f]{40}/ },
  { kind: 'git-ref', code: 'GIT02', name: 'a blob id, not a commit', args: () => ['check', '--at', repo.git('rev-parse', `HEAD:${CATALOGUE_FILE}`).trim()], exit: 2, stream: 'stderr', says: /[0-9a-f]{40}/ },
  { kind: 'git-ref', code: 'GIT02', name: 'a tag and a branch of the same name on different commits', args: () => ['build', '--at', 'twin'], exit: 2, stream: 'stderr', says: /"twin" is ambiguous/ },
];

const pathCases: Case[] = [
  { kind: 'path', code: 'PATH01', name: '--corpus outside the repository', args: () => ['--corpus', '../../etc', 'build'], exit: 2, stream: 'stderr', says: /must be inside the repository/ },
  { kind: 'path', code: 'PATH01', name: '--corpus ./../x (one level up once slipped through)', args: () => ['--corpus', './../x', 'check'], exit: 2, stream: 'stderr', says: /must be inside the repository/ },
  { kind: 'path', code: 'PATH01', name: '--corpus a/../../b', args: () => ['--corpus', 'regulations/../../b', 'digest', 'HEAD~1', 'HEAD', '--subscribers', SUBSCRIBERS_FILE, '--out', emlDir], exit: 2, stream: 'stderr', says: /must be inside the repository/ },
  { kind: 'path', code: 'PATH01', name: '--corpus as an absolute path', args: () => ['--corpus', '/etc', 'check'], exit: 2, stream: 'stderr', says: /must be inside the repository/ },
  // PATH03: a symbolic link is never followed (it could lead out of the repository), in the work tree or committed
  ...(
    [
      ['an instrument in the work tree that is a symbolic link out of the repository', 'regulations/jp/999.md', '/etc/hostname'],
      ['a commentary file that is a symbolic link to an instrument', 'regulations/guidance/evil.md', '../jp/324CO0000000378.md'],
      ['a template partial that is a symbolic link to /etc/passwd', 'templates/partials/evil.hbs', '/etc/passwd'],
    ] as const
  ).map(
    ([name, file, target]): Case => ({
      kind: 'path',
      code: 'PATH03',
      name,
      prepare: () => {
        repo.git('branch', 'broken');
        symlinkSync(target, path.join(repo.dir, file));
      },
      args: BUILD,
      at: { file, line: 1, column: 1, rule: 'symbolic-link' },
    }),
  ),
  {
    kind: 'path',
    code: 'PATH03',
    name: 'build --at a commit with an instrument committed as a symbolic link',
    prepare: () => {
      repo.git('checkout', '-q', '-b', 'broken');
      symlinkSync('/etc/hostname', path.join(repo.dir, 'regulations/jp/999.md'));
      repo.git('add', 'regulations/jp/999.md');
      repo.git('commit', '-q', '-m', 'a link');
      repo.git('checkout', '-q', 'main');
    },
    args: () => ['build', '--at', 'broken'],
    at: { file: 'regulations/jp/999.md', line: 1, column: 1, rule: 'symbolic-link' },
  },
];

const ALL: Case[] = [...instrumentCases, ...sizeCases, ...catalogueCases, ...commentaryCases, ...templateCases, ...subscriberCases, ...gitCases, ...pathCases];

// ── running them ────────────────────────────────────────────────────────

const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;

function restore(): void {
  repo.git('checkout', '-q', '--', '.');
  repo.git('clean', '-fdq', '-e', 'output');
}

function expectDiagnostic(text: string, w: Where): void {
  const lines = text.split('\n').map((l) => l.trimEnd());
  const prefix = `${w.file}:${w.line === 0 ? '' : `${w.line}:`}${w.column !== undefined ? `${w.column} ` : ''}`;
  const hit = lines.find((l) => l.startsWith(prefix) && / error | warning /.test(l) && l.endsWith(` ${w.rule}`) && /^[^:]+(:[^:]+)*?:\d+:\d+ /.test(l));
  expect(hit, `a line "${prefix}… ${w.rule}" in:\n${text}`).toBeDefined();
}

describe('the bad-input catalogue through the CLI', () => {
  let worktree0: string[];

  beforeAll(async () => {
    repo.commit({ ...smallCorpus('一二五'), [SUBSCRIBERS_FILE]: SUBSCRIBERS }, 'the small corpus', '2024-01-10T00:00:00+09:00');
    repo.commit({ [ORDINANCE_FILE]: ORDINANCE }, 'amend 第六条第一号ロ', '2024-06-01T00:00:00+09:00');
    repo.git('tag', 'twin', 'HEAD~1');
    repo.git('branch', 'twin', 'HEAD');
    const built = await runCli(['build'], { cwd: repo.dir });
    expect(built.code, built.stdout + built.stderr).toBe(0);
    const queued = await runCli(['digest', 'HEAD~1', 'HEAD', '--subscribers', SUBSCRIBERS_FILE, '--as-of', '2025-01-01', '--json'], { cwd: repo.dir });
    expect(queued.code, queued.stderr).toBe(0);
    expect((JSON.parse(queued.stdout) as { mails: { queued: boolean }[] }).mails.some((m) => m.queued)).toBe(true);
    worktree0 = worktreeListing();
    expect(snapshot(outputDir).has('manifest.json')).toBe(true);
    expect(snapshot(outboxDir()).size).toBeGreaterThan(0);
    expect(repo.git('status', '--porcelain', '--untracked-files=all').trim()).toMatch(/^(\?\? output\/.*\n?)*$/);
  }, 180_000);

  it.each(ALL.map((c) => [`${c.code} ${c.kind}: ${c.name}`, c] as const))('%s', async (_, c) => {
    const output0 = snapshot(outputDir);
    const outbox0 = snapshot(outboxDir());
    try {
      c.prepare?.();
      if (c.files) repo.write(c.files());
      const started = performance.now();
      const r = await runCli(c.args(), { cwd: repo.dir });
      const ms = performance.now() - started;
      if (c.code.startsWith('SZ')) SZ_TIMES[c.name] = ms;
      const exit = c.exit ?? 1;
      const stream = c.stream ?? (c.kind === 'subscribers' ? 'stderr' : 'stdout');
      const text = stream === 'stdout' ? r.stdout : r.stderr;
      expect(r.code, `exit code; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(exit);
      if (c.at) expectDiagnostic(text, c.at);
      if (c.says) expect(text).toMatch(c.says);
      expect(r.stdout + r.stderr).not.toMatch(NO_STACK);
      // nothing published, queued or mailed; no stray file
      expect(snapshot(outputDir)).toEqual(output0);
      expect(snapshot(outboxDir())).toEqual(outbox0);
      expect(emlFiles()).toEqual([]);
      for (const s of c.strays?.() ?? []) expect(existsSync(s), s).toBe(false);
      c.then?.(r);
    } finally {
      restore();
      if (c.prepare) repo.git('branch', '-D', '-q', 'broken');
    }
    expect(worktreeListing()).toEqual(worktree0);
  });

  it('SZ06: a 10,000-character unbreakable word in a provision builds, in bounded time, into another folder', async () => {
    const out = path.join(scratch, 'sz06');
    const output0 = snapshot(outputDir);
    repo.write({ [ORDINANCE_FILE]: ORDINANCE.replace('マイクロ波用の機器であって', `マイクロ波用の機器であって${'W'.repeat(10_000)}`) });
    try {
      const started = performance.now();
      const r = await runCli(['build', '--out', out, '--json'], { cwd: repo.dir });
      SZ_TIMES['10,000-character word (full build of 3 publications)'] = performance.now() - started;
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(path.join(out, 'pdf', 'ps-row-7.pdf'))).toBe(true);
      const text = execFileSync('pdftotext', [path.join(out, 'pdf', 'ps-row-7.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
      expect(text).toContain('W'.repeat(1000));
      expect(snapshot(outputDir)).toEqual(output0);
    } finally {
      restore();
    }
  }, 120_000);

  afterAll(() => {
    // the figures for the report
    console.log(`SZ timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(SZ_TIMES).map(([k, v]) => [k, Math.round(v)])))}`);
  });

  it('has at least 60 cases, each with a code and over every kind of input', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(60);
    const kinds = new Set(ALL.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['catalogue', 'commentary', 'git-ref', 'instrument', 'path', 'subscribers', 'template']);
    for (const c of ALL) expect(c.code).toMatch(/^[A-Z]+\d*$/);
  });
});

