/**
 * The PDF renderer on a document with everything a publication has —
 * a table of contents, chapters and articles, a paragraph running over
 * pages, redlines, links, a table of 300 rows with form fields — checked
 * with poppler, as a reader's viewer would see it: the text, the pages,
 * fonts, destinations, the outline, the TOC's page numbers, the margins,
 * change bars, and the same bytes every time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block, Document, TableRow } from '../../src/render/document.js';
import { bundledFonts } from '../../src/render/fonts.js';
import { renderPdf, type RenderedPdf } from '../../src/render/pdf.js';

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const LEFT_MARGIN = 64;
const RIGHT_MARGIN = 50;
const BOTTOM_MARGIN = 56;
const CREATED = new Date('2025-04-01T00:00:00Z');

const PHRASES = [
  '経済産業大臣は、',
  '輸出の許可を受けなければならない。',
  '別表第一の二の項（１）に掲げる貨物',
  '（以下「特定貨物」という。）',
  '周波数が1.5GHzを超えるもの',
  '10%以上',
  'ただし、次に掲げる場合は、この限りでない。',
  '外国為替及び外国貿易法第四十八条第一項の規定により、',
  '「x-ray」装置',
  'ロボット又はその部分品',
  '核燃料物質又は核原料物質を含むもの',
  'エンドユーザー（最終需要者）が',
  '『該非判定書』を添付すること。',
];

function prose(seed: number, chars: number): string {
  let s = seed;
  let out = '';
  while (out.length < chars) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out += PHRASES[s % PHRASES.length];
  }
  return out;
}

const LONG_START = '【長い段落の始め】';
const LONG_END = '【長い段落の終わり】';
const LONG_TITLE = '非常に長い見出しの例：'.repeat(12);

function cell(text: string, extra: Partial<TableRow['cells'][number]> = {}): TableRow['cells'][number] {
  return { runs: text ? [{ text }] : [], indent: 0, align: 'left', ...extra };
}

function sampleDocument(): Document {
  const blocks: Block[] = [{ type: 'toc', title: '目次', depth: 2 }, { type: 'pagebreak' }];
  for (let c = 1; c <= 3; c++) {
    blocks.push({ type: 'heading', level: 1, id: `ch${c}`, bookmark: { title: `第${c}章　総則`, level: 1 }, changed: false, runs: [{ text: `第${c}章　総則` }] });
    for (let a = 1; a <= 5; a++) {
      const title = `第${c}-${a}条（定義）`;
      blocks.push({ type: 'heading', level: 2, id: `ch${c}-a${a}`, bookmark: { title, level: 2 }, changed: c === 1 && a === 2, runs: [{ text: title }] });
      blocks.push({
        type: 'para',
        changed: a === 3,
        indent: 0,
        role: 'body',
        runs: [
          { text: prose(c * 10 + a, 240) },
          { text: '追加された文言', ins: true },
          { text: '削られた文言', del: true },
          { text: '第二章を見よ。', href: '#ch2' },
          { text: 'リンク先のない参照', href: '#nowhere' },
          { text: prose(a, 160) },
        ],
      });
      blocks.push({ type: 'para', changed: false, indent: 1, role: 'note', runs: [{ text: `備考　${prose(a + 7, 60)}` }] });
      blocks.push({ type: 'para', changed: false, indent: 1, role: 'quote', runs: [{ text: prose(a + 3, 80) }, { text: '経済産業省', href: 'https://www.meti.go.jp/' }] });
    }
  }
  blocks.push({ type: 'heading', level: 2, id: 'long', bookmark: { title: LONG_TITLE, level: 2 }, changed: false, runs: [{ text: '長い段落' }] });
  blocks.push({ type: 'para', changed: false, indent: 0, role: 'body', runs: [{ text: LONG_START + prose(99, 4000) + LONG_END }] });
  blocks.push({ type: 'heading', level: 1, id: 'appendix', bookmark: { title: '別表　該非判定表', level: 1 }, changed: false, runs: [{ text: '別表　該非判定表' }] });
  const rows: TableRow[] = [];
  for (let i = 1; i <= 300; i++) {
    rows.push({
      id: `row-${i}`,
      // row 250 is longer than a page: split, with a change bar on each page
      changed: i % 37 === 0 || i === 250,
      ...(i % 100 === 0 ? { bookmark: { title: `別表の${i}の項`, level: 2 } } : {}),
      cells: [
        cell(String(i), { align: 'center' }),
        cell(prose(i, i === 250 ? 3000 : i % 60 === 0 ? 700 : 20 + (i % 7) * 15), { indent: i % 3 }),
        cell('', { field: { type: 'checkbox', name: `hit-${i}`, label: '該当' } }),
        cell('', { field: { type: 'text', name: `note-${i}` } }),
      ],
    });
  }
  blocks.push({
    type: 'table',
    id: 'table',
    widths: [1, 6, 1.6, 2.4],
    header: [{ changed: false, cells: [cell('項番', { align: 'center' }), cell('貨物・技術の内容', { align: 'center' }), cell('該非', { align: 'center' }), cell('備考', { align: 'center' })] }],
    rows,
  });
  return {
    meta: { id: 'ps-row-7', title: '輸出貿易管理令別表第一 該非判定表', lang: 'ja', edition: '第3版', asOf: '2025-04-01', commit: 'abc1234', subject: 'テスト用の文書' },
    blocks,
  };
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

const squash = (s: string): string => s.replace(/\s+/g, '');

let dir: string;
let file: string;
let doc: Document;
let rendered: RenderedPdf;
/** The text of each page, as pdftotext -layout sets it. */
let pages: string[];
/** Named destination → 1-based page. */
let dests: Map<string, number>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'regpress-pdf-'));
  file = join(dir, 'out.pdf');
  doc = sampleDocument();
  rendered = await renderPdf(doc, { fonts: bundledFonts(), creationDate: CREATED });
  writeFileSync(file, rendered.bytes);
  pages = run('pdftotext', ['-layout', file, '-']).split('\f').slice(0, -1);
  dests = new Map();
  for (const line of run('pdfinfo', ['-dests', file]).split('\n')) {
    const m = /^\s*(\d+)\s+\[.*\]\s+"(.*)"$/.exec(line);
    if (m) dests.set(m[2] ?? '', Number(m[1]));
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The 1-based number of the first page after the TOC whose text has `text`. */
function pageOf(text: string): number {
  const i = pages.findIndex((p, n) => n > 0 && squash(p).includes(squash(text)));
  return i + 1;
}

describe('renderPdf', () => {
  it('returns the page count poppler finds, with the document properties', () => {
    const info = run('pdfinfo', [file]);
    expect(rendered.pages).toBeGreaterThan(10);
    expect(info).toMatch(new RegExp(`^Pages:\\s+${rendered.pages}$`, 'm'));
    expect(pages).toHaveLength(rendered.pages);
    expect(info).toMatch(/^Title:\s+輸出貿易管理令別表第一 該非判定表$/m);
    expect(info).toMatch(/^Subject:\s+テスト用の文書$/m);
    expect(info).toMatch(/^Producer:\s+regpress$/m);
    expect(info).toMatch(/^Creator:\s+regpress$/m);
    expect(info).toMatch(/^CreationDate:\s+Tue Apr\s+1 00:00:00 2025 UTC$/m);
    expect(info).toMatch(/^Page size:\s+595.28 x 841.89 pts \(A4\)$/m);
    expect(info).toMatch(/^Form:\s+AcroForm$/m);
  });

  it('gives the same bytes for the same document', async () => {
    const again = await renderPdf(sampleDocument(), { fonts: bundledFonts(), creationDate: CREATED });
    expect(Buffer.compare(Buffer.from(again.bytes), Buffer.from(rendered.bytes))).toBe(0);
  });

  it('sets the Japanese text, a long paragraph running on over pages', () => {
    const all = squash(pages.join(''));
    expect(all).toContain(squash('第2章　総則'));
    expect(all).toContain(squash('（以下「特定貨物」という。）'));
    expect(all).toContain('周波数が1.5GHzを超えるもの');
    expect(pageOf(LONG_END)).toBeGreaterThan(pageOf(LONG_START));
  });

  it('puts the running header and `page n / N` footer on every page', () => {
    pages.forEach((p, i) => {
      const lines = p.split('\n').filter((l) => l.trim() !== '');
      expect(lines[0], `page ${i + 1}`).toMatch(/^輸出貿易管理令別表第一 該非判定表\s+第3版 ・ 2025-04-01$/);
      expect(lines.at(-1), `page ${i + 1}`).toMatch(new RegExp(`^source commit abc1234\\s+page ${i + 1} / ${pages.length}$`));
    });
  });

  it('repeats the table header on every page the table runs onto', () => {
    const first = pageOf('別表　該非判定表');
    const last = pageOf('300');
    expect(last - first).toBeGreaterThanOrEqual(2);
    for (let n = first; n <= last; n++) {
      // one page at a time, as a reader would extract it
      const text = run('pdftotext', ['-layout', '-f', String(n), '-l', String(n), file, '-']);
      expect(text, `page ${n}`).toMatch(/項番\s+貨物・技術の内容\s+該非\s+備考/);
    }
  });

  it('embeds the fonts as subsets', () => {
    expect(bundledFonts().id).toMatch(/^@embedpdf\/fonts-jp@\d+\.\d+\.\d+\/NotoSansJP-Regular\.otf\+NotoSansJP-Bold\.otf$/);
    const fonts = run('pdffonts', [file]);
    expect(fonts).toMatch(/^[A-Z]{6}\+NotoSansJP-Regular\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/m);
    expect(fonts).toMatch(/^[A-Z]{6}\+NotoSansJP-Bold\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/m);
    for (const line of fonts.split('\n').slice(2).filter((l) => l.trim())) expect(line).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+0$/);
  });

  it('has a named destination for every id, on the page of its element', () => {
    const ids = doc.blocks.flatMap((b) => (b.type === 'table' ? [b.id, ...b.rows.map((r) => r.id)] : b.type === 'heading' ? [b.id] : []));
    for (const id of ids) expect(dests.has(id ?? ''), id).toBe(true);
    expect(dests.get('ch2')).toBe(pageOf('第2章　総則'));
    expect(dests.get('ch3-a4')).toBe(pageOf('第3-4条（定義）'));
    const row150 = pages.findIndex((p) => /^\s+150\s/m.test(p)) + 1;
    expect(dests.get('row-150')).toBe(row150);
  });

  it('writes the outline, nested by bookmark level', () => {
    const pdf = Buffer.from(rendered.bytes).toString('latin1');
    const items = outlineItems(pdf);
    const bookmarks = doc.blocks.flatMap((b) => (b.type === 'table' ? b.rows.flatMap((r) => (r.bookmark ? [r.bookmark] : [])) : b.type !== 'toc' && b.type !== 'pagebreak' && b.bookmark ? [b.bookmark] : []));
    expect(items.map((i) => i.title)).toEqual(bookmarks.map((b) => b.title));
    const byObject = new Map(items.map((i) => [i.object, i]));
    const parentTitle = (title: string): string | undefined => byObject.get(items.find((i) => i.title === title)?.parent ?? -1)?.title;
    expect(parentTitle('第1-1条（定義）')).toBe('第1章　総則');
    expect(parentTitle('第3-5条（定義）')).toBe('第3章　総則');
    expect(parentTitle('別表の200の項')).toBe('別表　該非判定表');
    const top = items.filter((i) => !byObject.has(i.parent));
    expect(top.map((i) => i.title)).toEqual(['第1章　総則', '第2章　総則', '第3章　総則', '別表　該非判定表']);
    const root = new RegExp(`\\n${top[0]?.parent} 0 obj\\s*<<([^>]*)>>`).exec(pdf)?.[1] ?? '';
    expect(root).toMatch(new RegExp(`/Count ${top.length}\\b`));
    expect(pdf).toMatch(new RegExp(`/Outlines ${top[0]?.parent} 0 R`));
    for (const i of items) expect(i.dest).toMatch(/^\d+ 0 R \/XYZ null [\d.]+ null$/);
  });

  it('prints the TOC with the page numbers the entries are found on', () => {
    const toc = pages[0] ?? '';
    const entries = toc
      .split('\n')
      .map((l) => /^\s*(\S.*?)\s{2,}(\d+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ title: m[1] ?? '', page: Number(m[2]) }));
    // 3 chapters × (1 + 5 articles) + the long heading + the appendix + rows 100, 200, 300
    expect(entries).toHaveLength(3 * 6 + 2 + 3);
    for (const e of entries.filter((e) => /^第\d/.test(e.title))) expect(pageOf(e.title), e.title).toBe(e.page);
    expect(entries.find((e) => e.title.startsWith('別表の200'))?.page).toBe(dests.get('row-200'));
    expect(entries.find((e) => e.title.startsWith('非常に長い'))?.title).toMatch(/…$/);
    expect(entries.find((e) => e.title.startsWith('非常に長い'))?.page).toBe(dests.get('long'));
    // the page break after the TOC
    expect(pages[1]?.split('\n').filter((l) => l.trim())[1]).toMatch(/^第1章\s+総則$/);
  });

  it('keeps every word inside the margins', () => {
    const words = [...run('pdftotext', ['-bbox-layout', file, '-']).matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</g)].map((m) => ({
      xMin: Number(m[1]),
      yMin: Number(m[2]),
      xMax: Number(m[3]),
      yMax: Number(m[4]),
      text: m[5],
    }));
    expect(words.length).toBeGreaterThan(1000);
    for (const w of words) {
      expect(w.xMax, w.text).toBeLessThanOrEqual(PAGE_WIDTH - RIGHT_MARGIN + 0.5);
      expect(w.xMin, w.text).toBeGreaterThanOrEqual(LEFT_MARGIN - 0.5);
      // the footer is the only thing below the bottom margin
      if (w.yMin < PAGE_HEIGHT - BOTTOM_MARGIN) expect(w.yMax, w.text).toBeLessThanOrEqual(PAGE_HEIGHT - BOTTOM_MARGIN + 0.5);
    }
  });

  it('never leaves a heading last on a page', () => {
    const headings = new Set(doc.blocks.flatMap((b) => (b.type === 'heading' ? [squash(b.runs.map((r) => r.text).join(''))] : [])));
    pages.forEach((p, i) => {
      const lines = p.split('\n').filter((l) => l.trim() !== '');
      expect(headings.has(squash(lines.at(-2) ?? '')), `page ${i + 1}: ${lines.at(-2)}`).toBe(false);
    });
  });

  it('draws change bars in the left margin beside changed text only', () => {
    // the changed heading (one line of 13 pt type, 18.85 pt high) and the changed paragraph of article 1-3 after it
    const bars = segments(darkRows(pageOf('第1-2条（定義）')));
    expect(bars).toHaveLength(2);
    expect((bars[0]?.[1] ?? 0) - (bars[0]?.[0] ?? 0)).toBeGreaterThanOrEqual(17);
    expect((bars[0]?.[1] ?? 0) - (bars[0]?.[0] ?? 0)).toBeLessThanOrEqual(20);
    expect((bars[1]?.[1] ?? 0) - (bars[1]?.[0] ?? 0)).toBeGreaterThan(5 * 15);
    expect(darkRows(1)).toEqual([]);
    // a changed table row split over pages has a bar on both, down to the bottom of the first
    const split = dests.get('row-250') ?? 0;
    expect(darkRows(split).at(-1)).toBeGreaterThan(PAGE_HEIGHT - BOTTOM_MARGIN - 20);
    expect(darkRows(split + 1).length).toBeGreaterThan(100);
  });

  it('links internal references, URLs and form fields', () => {
    const pdf = Buffer.from(rendered.bytes).toString('latin1');
    expect(pdf.match(/\/S \/GoTo\s+\/D \(ch2\)/g)?.length).toBeGreaterThanOrEqual(15);
    expect(pdf).not.toContain('(nowhere)');
    expect(pdf).toMatch(/\/S \/URI\s+\/URI \(https:\/\/www\.meti\.go\.jp\/\)/);
    expect(pdf.match(/\/FT \/Btn/g)).toHaveLength(300);
    expect(pdf.match(/\/FT \/Tx/g)).toHaveLength(300);
    expect(pdf).toContain('/T (hit-300)');
  });

  it('refuses links it cannot make safe and field names used twice', async () => {
    const fonts = bundledFonts();
    const withLink = (href: string): Document => ({ ...doc, blocks: [{ type: 'para', changed: false, indent: 0, role: 'body', runs: [{ text: 'x', href }] }] });
    await expect(renderPdf(withLink('javascript:alert(1)'), { fonts, creationDate: CREATED })).rejects.toThrow(/link target/);
    await expect(renderPdf(withLink('file:///etc/passwd'), { fonts, creationDate: CREATED })).rejects.toThrow(/link target/);
    const table = doc.blocks.find((b) => b.type === 'table');
    if (table?.type !== 'table') throw new Error('no table');
    const twice: Document = { ...doc, blocks: [{ ...table, rows: [...table.rows.slice(0, 2), ...table.rows.slice(0, 1)] }] };
    await expect(renderPdf(twice, { fonts, creationDate: CREATED })).rejects.toThrow(/hit-1.*twice/);
  });

  it('embeds only the pinned fonts: one changed byte, or a font file of another name, is refused before fontkit reads it', async () => {
    const fonts = bundledFonts();
    const dir = mkdtempSync(join(tmpdir(), 'regpress-font-'));
    try {
      const bytes = readFileSync(fonts.regular);
      const mid = bytes.length >> 1;
      bytes.writeUInt8(bytes.readUInt8(mid) ^ 1, mid);
      const altered = join(dir, 'NotoSansJP-Regular.otf');
      writeFileSync(altered, bytes);
      await expect(renderPdf(doc, { fonts: { ...fonts, regular: altered }, creationDate: CREATED })).rejects.toThrow(/NotoSansJP-Regular\.otf has sha256 .* pinned/);
      const other = join(dir, 'Other.otf');
      writeFileSync(other, readFileSync(fonts.bold));
      await expect(renderPdf(doc, { fonts: { ...fonts, bold: other }, creationDate: CREATED })).rejects.toThrow(/not one of the pinned fonts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface OutlineEntry {
  object: number;
  parent: number;
  title: string;
  dest: string;
}

/** Outline items, read from the PDF's uncompressed objects (pdfkit writes them as plain dictionaries). */
function outlineItems(pdf: string): OutlineEntry[] {
  const out: OutlineEntry[] = [];
  for (const m of pdf.matchAll(/(\d+) 0 obj\s*<<((?:[^>]|>(?!>))*)>>\s*endobj/g)) {
    const body = m[2] ?? '';
    const title = /\/Title \(((?:\\.|[^\\)])*)\)/s.exec(body);
    const parent = /\/Parent (\d+) 0 R/.exec(body);
    const dest = /\/Dest \[([^\]]*)\]/.exec(body);
    if (!title || !parent || !dest) continue;
    out.push({ object: Number(m[1]), parent: Number(parent[1]), title: pdfString(title[1] ?? ''), dest: dest[1] ?? '' });
  }
  return out.sort((a, b) => a.object - b.object);
}

/** A PDF literal string's text: escapes undone, UTF-16BE with its BOM decoded. */
function pdfString(literal: string): string {
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
  const raw = literal.replace(/\\([0-7]{1,3}|.)/gs, (_, e: string) => (/^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : (escapes[e] ?? e)));
  const bytes = Buffer.from(raw, 'latin1');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return bytes.subarray(2).swap16().toString('utf16le');
  return raw;
}

/** Runs of consecutive rows, as [first, last + 1]. */
function segments(rows: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const y of rows) {
    const last = out.at(-1);
    if (last && last[1] === y) last[1] = y + 1;
    else out.push([y, y + 1]);
  }
  return out;
}

/** The rows (in points from the top) where the change-bar column of page `n` is dark. */
function darkRows(n: number): number[] {
  const base = join(dir, `bar-${n}`);
  // 72 dpi: one pixel per point; the column from x = 48 to 56 holds the bars
  run('pdftoppm', ['-gray', '-r', '72', '-f', String(n), '-l', String(n), '-x', '48', '-y', '0', '-W', '8', '-H', '842', '-singlefile', file, base]);
  const pgm = readFileSync(`${base}.pgm`);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'));
  if (!header) throw new Error('not a PGM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const pixels = pgm.subarray(header[0].length);
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    let dark = 0;
    for (let x = 0; x < width; x++) if ((pixels[y * width + x] ?? 255) < 100) dark++;
    if (dark >= 1) rows.push(y);
  }
  return rows;
}
