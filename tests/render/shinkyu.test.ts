/**
 * The 新旧対照表 of real amendments from this repository's history, read
 * back as a reader would: the 改正後 column on the left, insertions
 * underlined there and deletions underlined on the 改正前 side, （新設）,
 * （削る） and （略） where METI writes them, renumbered labels double
 * underlined, and regulation text that can never become markup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeRedline } from '../../src/diff/text.js';
import type { CorpusDiff } from '../../src/diff/types.js';
import { buildIndex } from '../../src/model/locate.js';
import { provisionOwnText } from '../../src/model/text.js';
import type { Instrument } from '../../src/model/types.js';
import { loadCorpus, openSession, resolveRevision, type Session } from '../../src/pipeline/corpus.js';
import { diffCorpora } from '../../src/pipeline/diff.js';
import { parseSourceFile } from '../../src/pipeline/parse-file.js';
import { renderShinkyuHtml } from '../../src/render/shinkyu.js';
import { REPO_ROOT } from '../support/paths.js';

const GOODS_ORDINANCE = '403M50000400049';
const EXPORT_ORDER = '324CO0000000378';

interface Row {
  kind: string;
  after: string;
  before: string;
}

/** The body rows of the document's tables: 改正後 cell, then 改正前 cell. */
function rows(html: string): Row[] {
  return [...html.matchAll(/<tr class="([a-z]+)"><td class="new">(.*?)<\/td><td class="old">(.*?)<\/td><\/tr>/g)].map((m) => ({
    kind: m[1] ?? '',
    after: m[2] ?? '',
    before: m[3] ?? '',
  }));
}

function text(cell: string): string {
  return cell.replace(/<[^>]*>/g, '');
}

function rowWith(rs: readonly Row[], side: 'after' | 'before', words: string): Row {
  const r = rs.find((x) => text(x[side]).includes(words));
  if (!r) throw new Error(`no row whose ${side} side reads ${words}`);
  return r;
}

let session: Session;

async function shinkyu(from: string, to: string, instrument: string): Promise<string> {
  const before = await loadCorpus(session, await resolveRevision(session, from));
  const after = await loadCorpus(session, await resolveRevision(session, to));
  const diff = await diffCorpora(session, before, after, new Set([instrument]));
  return renderShinkyuHtml(diff, before.index, after.index);
}

beforeAll(async () => {
  session = await openSession({ repo: REPO_ROOT, corpus: 'regulations' });
});

afterAll(() => session?.close());

describe('新旧対照表 of the Goods Ordinance amendment in force 2023-07-23 (semiconductor equipment)', () => {
  let html = '';
  let rs: Row[] = [];
  beforeAll(async () => {
    html = await shinkyu('97b82a5', '9d28e09', GOODS_ORDINANCE);
    rs = rows(html);
  });

  it('is one self-contained Japanese document', () => {
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="ja">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).not.toMatch(/<script|<link|\ssrc=|@import/i);
    expect(html).toContain('thead { display: table-header-group; }');
    expect(html).toMatch(/@page \{[^}]*A4/);
  });

  it('has one table for the instrument, headed 改正後 then 改正前, with the 傍線 note', () => {
    expect(html.match(/<table class="shinkyu">/g)).toHaveLength(1);
    expect(html).toMatch(/<caption>[^]*貨物等省令[^]*（傍線部分は改正部分）[^]*<\/caption>/);
    const after = html.indexOf('<th scope="col">改正後</th>');
    const before = html.indexOf('<th scope="col">改正前</th>');
    expect(after).toBeGreaterThan(0);
    expect(before).toBeGreaterThan(after);
  });

  it('underlines the inserted words on the 改正後 side only', () => {
    const item17 = rowWith(rs, 'after', '十七　半導体素子');
    expect(item17.after).toContain('（ホ<ins>及びレ</ins>において「半導体製造装置」という。）');
    expect(item17.after).toContain('<ins>（次号に該当するものを除く。）</ins>');
    expect(text(item17.before)).toContain('十七　半導体素子、集積回路若しくは半導体物質の製造用の装置（ホにおいて「半導体製造装置」という。）');
    expect(item17.before).not.toMatch(/<ins>|<del>/);
    const art19 = rowWith(rs, 'after', '外為令別表の七の項（二）');
    expect(art19.after).toContain('ヌ<ins>からフまで</ins>のいずれか');
  });

  it('gives context above a sub-item: the article, and the items before it elided', () => {
    const i = rs.findIndex((r) => text(r.after).startsWith('十七　半導体素子'));
    expect(text(rs[i - 2]?.after ?? '')).toBe('第六条　（略）');
    expect(text(rs[i - 1]?.after ?? '')).toBe('一～十六の二　（略）');
    expect(text(rs[i - 1]?.before ?? '')).toBe('一～十六の二　（略）');
  });

  it('marks added sub-items （新設） on the 改正前 side', () => {
    const ru = rowWith(rs, 'after', 'ル　ペリクル');
    expect(ru.after).toMatch(/<ins>ル　ペリクル（極端紫外を用いて/);
    expect(text(ru.before)).toBe('（新設）');
    const item17bis = rowWith(rs, 'after', '十七の二　ペリクルであって');
    expect(text(item17bis.before)).toBe('（新設）');
  });

  it('double-underlines the label of the renumbered item on both sides', () => {
    const renumbered = rowWith(rs, 'after', 'マスクの製造に用いられる基材');
    expect(renumbered.after).toContain('<span class="renum">十七の三</span>');
    expect(renumbered.before).toContain('<span class="renum">十七の二</span>');
    expect(html).toMatch(/\.renum \{ text-decoration: underline double;/);
  });

  it('elides the unchanged stretches between changes as （略）', () => {
    const between = rowWith(rs, 'after', '第七条～第十八条');
    expect(between.kind).toBe('elided');
    expect(text(between.after)).toBe('第七条～第十八条　（略）');
    expect(text(between.before)).toBe('第七条～第十八条　（略）');
    expect(rs.some((r) => text(r.after) === 'ロ～ヌ　（略）' && text(r.before) === 'ロ～ヌ　（略）')).toBe(true);
  });

  it('keeps the amending ordinance’s own 附則 out of the table', () => {
    expect(rs.some((r) => text(r.after).includes('公布の日から起算して二月'))).toBe(false);
    expect(html).toMatch(/<section class="appended">[^]*この省令は、公布の日から起算して二月を経過した日から施行する。/);
  });
});

describe('新旧対照表 of the Export Trade Control Order amendment in force 2019-01-09 (appended table 1)', () => {
  let rs: Row[] = [];
  beforeAll(async () => {
    rs = rows(await shinkyu('925a92f', '3765f22', EXPORT_ORDER));
  });

  it('underlines the deleted words on the 改正前 side only', () => {
    const r = rowWith(rs, 'before', '芳香族ポリエーテルイミド');
    expect(r.before).toContain('<del>熱可塑性の共重合体、</del>');
    expect(text(r.after)).not.toContain('熱可塑性の共重合体');
    expect(r.after).not.toMatch(/<ins>|<del>/);
  });

  it('marks the removed sub-item （削る） on the 改正後 side, its old text underlined', () => {
    const removed = rowWith(rs, 'before', '実時間で三次元の画像処理');
    expect(text(removed.after)).toBe('（削る）');
    expect(removed.before).toContain('<del>１　実時間で三次元の画像処理又は画像解析をすることができるもの</del>');
  });

  it('shows the sub-items that moved up with both labels double-underlined', () => {
    const r = rowWith(rs, 'after', '防爆構造のもの');
    expect(r.after).toContain('<span class="renum">１</span>');
    expect(r.before).toContain('<span class="renum">２</span>');
  });

  it('marks the added row-items （新設）', () => {
    const added = rowWith(rs, 'after', '電気光学効果を利用する光変調器');
    expect(added.after).toContain('<ins>（八の四）　電気光学効果を利用する光変調器</ins>');
    expect(text(added.before)).toBe('（新設）');
  });
});

describe('escaping', () => {
  const source = (body: string) =>
    new TextEncoder().encode(
      ['---', 'title: "試験<script>令"', 'identifier: "900CO0000000099"', 'rank: "cabinet_order"', 'extra:', '  abbrev: "<b>試験令</b>"', '---', '', body, ''].join('\n'),
    );
  const parse = (body: string): Instrument => {
    const parsed = parseSourceFile('test/input.md', source(body));
    if (!parsed.instrument) throw new Error('the test instrument did not parse');
    return parsed.instrument;
  };

  it('escapes regulation text, captions and names, never letting them become markup', () => {
    const oldIns = parse('**第一条（定義）**　この政令において「A」とは、B & C をいう。');
    const newIns = parse('**第一条（<script>定義）**　この政令において「<script>alert(1)</script>」とは、B & C をいう。\n\n- 一　<img src=x onerror=alert(2)>');
    const before = buildIndex([oldIns]).index;
    const after = buildIndex([newIns]).index;
    const id = (s: string) => `900CO0000000099/${s}`;
    const own = (i: typeof before, s: string) => provisionOwnText(i.provisions.get(id(s)) ?? assertMissing(s));
    const diff: CorpusDiff = {
      from: 'a'.repeat(40),
      to: '<script>',
      instruments: [
        {
          instrument: '900CO0000000099',
          title: '試験<script>令',
          status: 'changed',
          metadata: [],
          renumbering: {},
          changes: [
            { instrument: '900CO0000000099', kind: 'modified', id: id('art1'), redline: computeRedline(own(before, 'art1'), own(after, 'art1')), editorial: false },
            { instrument: '900CO0000000099', kind: 'modified', id: id('art1/para1'), redline: computeRedline(own(before, 'art1/para1'), own(after, 'art1/para1')), editorial: false },
            { instrument: '900CO0000000099', kind: 'added', id: id('art1/para1/item1'), editorial: false },
          ],
        },
      ],
    };
    const html = renderShinkyuHtml(diff, before, after);
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('B &amp; C');
    expect(html).toContain('&lt;b&gt;試験令&lt;/b&gt;');
    const [row] = rows(html);
    expect(row?.after).toContain('（<ins>&lt;script&gt;</ins>定義）');
  });
});

function assertMissing(what: string): never {
  throw new Error(`no provision ${what}`);
}
