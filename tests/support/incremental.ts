/**
 * P6 support: a small corpus as a model (provision texts, a new 号, deleted
 * provisions, templates, commentary, catalogue), edits of it as fast-check
 * arbitraries, and a runner that commits the edits one by one, builds into
 * output/ after each and compares with a build from scratch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { runCli } from './cli.js';
import { firstDifference, readOutput } from './output-tree.js';
import { makeTempRepo, type TempRepo } from './repo.js';
import { COMMENTARY, ORDER, ordinance, templates } from './small-corpus.js';

// ---------------------------------------------------------------- the corpus as a small model

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八'];

interface PubEntry {
  id: string;
  kind: 'parameter-sheet' | 'commodity-guidance';
  title: string;
  sector: 'electronics' | 'computers';
  rows: string[];
}

interface State {
  /** 貨物等省令第六条第一号ロ's temperature. */
  degrees: string;
  /** Words appended to provisions, by which. */
  words: { order1: string; art6item2: string; art7item1: string };
  /** 貨物等省令第六条第二号: there, marked 削除, or taken out of the file. */
  art6item2: 'present' | 'deleted' | 'removed';
  /** The texts of 第七条's items after the first. */
  art7more: string[];
  commentary: string | null;
  publications: PubEntry[];
  /** Words appended to a text node of templates/parameter-sheet.hbs and of partials/front.hbs. */
  sheetWords: string;
  frontWords: string;
}

const INITIAL_PUBS: PubEntry[] = [
  { id: 'ps-row-7', kind: 'parameter-sheet', title: 'パラメータシート　七の項', sector: 'electronics', rows: ['7'] },
  { id: 'ps-row-8', kind: 'parameter-sheet', title: 'パラメータシート　八の項', sector: 'computers', rows: ['8'] },
  { id: 'cg-electronics', kind: 'commodity-guidance', title: '該非判定ガイダンス　エレクトロニクス', sector: 'electronics', rows: ['7'] },
];
/** Publications for row 8 an edit may add. */
const ROW8_PUBS: PubEntry[] = [INITIAL_PUBS[1] as PubEntry, { id: 'cg-computers', kind: 'commodity-guidance', title: '該非判定ガイダンス　電子計算機', sector: 'computers', rows: ['8'] }];

export const initialState = (): State => ({
  degrees: '一二五',
  words: { order1: '', art6item2: '', art7item1: '' },
  art6item2: 'present',
  art7more: [],
  commentary: '',
  publications: INITIAL_PUBS.map((p) => ({ ...p, rows: [...p.rows] })),
  sheetWords: '',
  frontWords: '',
});

/** `text` with `anchor` replaced, failing loudly when the anchor is not there (the fixtures changed). */
function edit(text: string, anchor: string, by: string): string {
  if (!text.includes(anchor)) throw new Error(`the fixture no longer contains ${JSON.stringify(anchor)}`);
  return text.replace(anchor, by);
}

export function files(s: State): Record<string, string | null> {
  const tpl = templates();
  let ord = ordinance(s.degrees);
  const item2 = '- 二　マイクロ波用機器であって、動作周波数が三・二ギガヘルツを超えるもの';
  ord = edit(ord, item2, s.art6item2 === 'present' ? `${item2}${s.words.art6item2}` : s.art6item2 === 'deleted' ? '- 二　削除' : '\u0000');
  ord = ord.replace('\u0000\n', '');
  const art7item1 = '- 一　電子計算機であって、八五度を超える温度で使用することができるように設計したもの';
  ord = edit(ord, art7item1, [`${art7item1}${s.words.art7item1}`, ...s.art7more.map((t, i) => `- ${NUMERALS[i + 1]}　${t}`)].join('\n'));
  const order = edit(ORDER, '輸出とする。', `輸出とする。${s.words.order1}`);
  const catalogue = `sectors:
  - { id: electronics, title: エレクトロニクス, title_en: Electronics }
  - { id: computers, title: 電子計算機, title_en: Computers }
publications:
${s.publications.map((p) => `  - { id: ${p.id}, kind: ${p.kind}, title: ${p.title}, sector: ${p.sector}, rows: [${p.rows.map((r) => `"${r}"`).join(', ')}] }`).join('\n')}
`;
  return {
    ...tpl,
    'templates/parameter-sheet.hbs': edit(tpl['templates/parameter-sheet.hbs'] ?? '', '法令の条文が優先する。</p>', `法令の条文が優先する。${s.sheetWords}</p>`),
    'templates/partials/front.hbs': edit(tpl['templates/partials/front.hbs'] ?? '', '{{doc.subtitle}}</p>', `{{doc.subtitle}}${s.frontWords}</p>`),
    'regulations/jp/324CO0000000378.md': order,
    'regulations/jp/403M50000400049.md': ord,
    'regulations/publications.yaml': catalogue,
    'regulations/guidance/electronics.md': s.commentary === null ? null : edit(COMMENTARY, '法令の条文が優先する。', `法令の条文が優先する。${s.commentary}`),
  };
}

// ---------------------------------------------------------------- edits

const WORDS = ['ただし、試作品を除く。', '（参考）', 'なお、部分品を含む。', '及び附属品'];

export type Edit =
  | { kind: 'degrees'; to: string }
  | { kind: 'append-words'; to: keyof State['words']; words: string }
  | { kind: 'add-item'; text: string }
  | { kind: 'delete-provision'; which: 'art6item2' | 'art7last'; how: 'deleted' | 'removed' }
  | { kind: 'edit-template'; which: 'sheet' | 'front'; words: string }
  | { kind: 'edit-commentary'; words: string }
  | { kind: 'remove-publication'; pick: number }
  | { kind: 'rename-publication'; pick: number; suffix: string }
  | { kind: 'add-row8-publication'; pick: number };

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('degrees' as const), to: fc.constantFrom('一〇〇', '一五〇', '一七五', '二〇〇') }),
  fc.record({ kind: fc.constant('append-words' as const), to: fc.constantFrom('order1' as const, 'art6item2' as const, 'art7item1' as const), words: fc.constantFrom(...WORDS) }),
  fc.record({ kind: fc.constant('add-item' as const), text: fc.constantFrom('電子計算機の附属装置であって、暗号機能を有するもの', '記憶装置であって、放射線に耐えるように設計したもの') }),
  fc.record({ kind: fc.constant('delete-provision' as const), which: fc.constantFrom('art6item2' as const, 'art7last' as const), how: fc.constantFrom('deleted' as const, 'removed' as const) }),
  fc.record({ kind: fc.constant('edit-template' as const), which: fc.constantFrom('sheet' as const, 'front' as const), words: fc.constantFrom(...WORDS) }),
  fc.record({ kind: fc.constant('edit-commentary' as const), words: fc.constantFrom(...WORDS) }),
  fc.record({ kind: fc.constant('remove-publication' as const), pick: fc.nat(9) }),
  fc.record({ kind: fc.constant('rename-publication' as const), pick: fc.nat(9), suffix: fc.constantFrom('（改訂）', '　第二部', ' 2025') }),
  fc.record({ kind: fc.constant('add-row8-publication' as const), pick: fc.nat(1) }),
);

/** The state after an edit; an edit that does not apply (nothing left to delete, …) changes nothing. */
export function apply(s0: State, e: Edit): State {
  const s: State = structuredClone(s0);
  switch (e.kind) {
    case 'degrees':
      s.degrees = e.to;
      break;
    case 'append-words':
      if (e.to === 'art6item2' && s.art6item2 !== 'present') break;
      s.words[e.to] += e.words;
      break;
    case 'add-item':
      if (s.art7more.length < NUMERALS.length - 1) s.art7more.push(e.text);
      break;
    case 'delete-provision':
      if (e.which === 'art6item2') {
        // a removed line cannot come back as 削除 (that would re-create it), nor go twice
        if (s.art6item2 === 'present' || (s.art6item2 === 'deleted' && e.how === 'removed')) s.art6item2 = e.how;
      } else s.art7more.pop();
      break;
    case 'edit-template':
      if (e.which === 'sheet') s.sheetWords += e.words;
      else s.frontWords += e.words;
      break;
    case 'edit-commentary':
      if (s.commentary !== null) s.commentary += e.words;
      break;
    case 'remove-publication': {
      if (s.publications.length < 2) break;
      const [gone] = s.publications.splice(e.pick % s.publications.length, 1);
      if (gone?.id === 'cg-electronics') s.commentary = null; // its commentary goes with it
      break;
    }
    case 'rename-publication': {
      const p = s.publications[e.pick % s.publications.length];
      if (p) p.title += e.suffix;
      break;
    }
    case 'add-row8-publication': {
      const p = ROW8_PUBS[e.pick] as PubEntry;
      if (!s.publications.some((q) => q.id === p.id)) s.publications.push({ ...p, rows: [...p.rows] });
      break;
    }
  }
  return s;
}

// ---------------------------------------------------------------- building

interface Built {
  ok: boolean;
  publications: { id: string; regenerated: boolean }[];
}

async function build(repo: TempRepo, ...args: string[]): Promise<Built> {
  const r = await runCli(['build', '--json', ...args], { cwd: repo.dir });
  if (r.code !== 0 || r.stderr !== '') throw new Error(`build ${args.join(' ')} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as Built;
}

const dayOf = (n: number) => new Date(Date.UTC(2024, 1, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** The incremental output folder against a build from scratch into an empty folder, at the same commit: what differs, or undefined. */
async function compareWithClean(repo: TempRepo, state: State, published: ReadonlySet<string>, dropCache: boolean): Promise<string | undefined> {
  const clean = mkdtempSync(path.join(tmpdir(), 'regpress-clean-'));
  try {
    if (dropCache) rmSync(path.join(repo.dir, '.git', 'regpress', 'cache'), { recursive: true, force: true });
    await build(repo, '--out', clean);
    const incremental = readOutput(path.join(repo.dir, 'output'));
    const diff = firstDifference(incremental, readOutput(clean), ['incremental', 'clean']);
    if (diff) return diff;
    // a publication that left the catalogue leaves nothing behind
    const ids = new Set(state.publications.map((p) => p.id));
    for (const id of published) {
      if (ids.has(id)) continue;
      for (const f of [`pdf/${id}.pdf`, `html/${id}.html`, `site/pdf/${id}.pdf`, `site/publications/${id}.html`]) if (incremental.has(f)) return `${f} is still there after ${id} left the catalogue`;
    }
    return undefined;
  } finally {
    rmSync(clean, { recursive: true, force: true });
  }
}

/**
 * Commits the edits one by one into a fresh repository made from the small
 * corpus, building into output/ after each and comparing it with a build
 * from scratch (a later build could otherwise mend what an earlier one left
 * wrong). `inspect` looks at output/ after the last step's build. Returns
 * what went wrong, or undefined.
 */
export async function incrementalEqualsClean(steps: readonly { edit: Edit; sameDay: boolean }[], opts: { dropCache?: boolean; inspect?: (outDir: string) => void } = {}): Promise<string | undefined> {
  const repo = makeTempRepo('regpress-incremental-');
  try {
    let state = initialState();
    let day = 0;
    let hour = 0;
    repo.commit(files(state), 'initial texts', `${dayOf(day)}T00:00:00+09:00`);
    await build(repo);
    const published = new Set(state.publications.map((p) => p.id));
    for (const [i, { edit, sameDay }] of steps.entries()) {
      state = apply(state, edit);
      for (const p of state.publications) published.add(p.id);
      if (sameDay) hour++;
      else [day, hour] = [day + 1, 0];
      repo.commit(files(state), `step ${i + 1}: ${edit.kind}`, `${dayOf(day)}T${String(hour).padStart(2, '0')}:00:00+09:00`);
      await build(repo);
      if (i === steps.length - 1) opts.inspect?.(path.join(repo.dir, 'output'));
      const problem = await compareWithClean(repo, state, published, opts.dropCache === true);
      if (problem) return `after step ${i + 1} (${JSON.stringify(edit)}): ${problem}`;
    }
    return undefined;
  } finally {
    rmSync(repo.dir, { recursive: true, force: true });
  }
}
