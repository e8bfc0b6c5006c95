#!/usr/bin/env node
/**
 * regpress benchmark, measured in one run on this repository (`npm run bench`,
 * which builds dist/ first; or `node scripts/bench.mjs` on an existing build).
 *
 *   1. Parse throughput over the whole history of `regulations/`:
 *        (a) floor: the same blobs read by one `git cat-file --batch` process
 *        (b) parseSourceFile on every distinct blob, Markdown chunk cache cleared
 *        (c) the same again with the chunk cache warm
 *        (d) loadCorpus at every commit, with a fresh disk cache (cold), then
 *            again reading from that disk cache (warm)
 *   2. `regpress check` wall time on the corpus, as a child process, cold and
 *      warm, next to the floor (git cat-file of the corpus blobs + node startup).
 *   3. Diffs of the whole history; 4. citations, graph and impact.
 *   5. `regpress build` in a clone: full (cold, warm), nothing changed, and
 *      incremental after a one-provision amendment; staging and publishing a
 *      generation next to `cp -al`; renderPdf's pages/s next to raw pdfkit
 *      laying out the same text with the same font.
 *   6. Digests for 100,000 synthetic subscribers over a real amendment, and
 *      send throughput through the outbox to a local smtp-server.
 *
 * Temporary cache folders are made under os.tmpdir() and removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { GitRepo } from '../dist/load/git.js';
import { isInstrumentPath } from '../dist/load/corpus.js';
import { clearMarkdownCache } from '../dist/load/markdown.js';
import { loadCorpus, openSession } from '../dist/pipeline/corpus.js';
import { parseSourceFile } from '../dist/pipeline/parse-file.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = 'regulations';
const CHECK_WARM_RUNS = 5; // warm check runs (2nd, 3rd, …) whose median is reported
const CHECK_COLD_RUNS = 2; // cold check runs, each with its own fresh cache dir
const FLOOR_RUNS = 5; // repetitions of the cheap floor measurements (median)
const TARGET_WARM_CHECK_MS = 1000;

const tmpDirs = [];
// removed on exit, also when a step throws
process.on('exit', () => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(tag) {
  const d = mkdtempSync(path.join(os.tmpdir(), `regpress-bench-${tag}-`));
  tmpDirs.push(d);
  return d;
}

// ---------------------------------------------------------------- helpers

const MB = 1e6;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const fmtMB = (bytes) => `${(bytes / MB).toFixed(bytes < 10 * MB ? 2 : 1)} MB`;
const fmtRate = (bytes, ms) => {
  const r = bytes / MB / (ms / 1000);
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)} MB/s`;
};
const fmtX = (x) => `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;

function table(headers, rows, align) {
  const w = headers.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...String(r[i])].length)));
  const cell = (s, i) => {
    const pad = ' '.repeat(w[i] - [...String(s)].length);
    return align?.[i] === 'r' ? pad + s : s + pad;
  };
  const line = (r) => `  ${r.map(cell).join('  ')}`.trimEnd();
  return [line(headers), `  ${w.map((n) => '─'.repeat(n)).join('  ')}`, ...rows.map(line)].join('\n');
}

function run(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, maxBuffer: 1 << 30, ...opts });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  return { ms, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(args) {
  const r = run('git', args);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

/** One `git cat-file --batch` process reading `ids`; returns the contents and the wall time (spawn to exit). */
function catFileBatch(ids) {
  const r = run('git', ['cat-file', '--batch'], { input: ids.map((id) => `${id}\n`).join('') });
  if (r.status !== 0) throw new Error(`git cat-file --batch failed: ${r.stderr}`);
  const out = r.stdout;
  const blobs = [];
  let pos = 0;
  for (const id of ids) {
    const nl = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, nl).toString('latin1');
    const [got, type, size] = header.split(' ');
    if (got !== id || type !== 'blob') throw new Error(`unexpected cat-file header "${header}" for ${id}`);
    blobs.push(out.subarray(nl + 1, nl + 1 + Number(size)));
    pos = nl + 1 + Number(size) + 1;
  }
  return { ms: r.ms, blobs, bytes: blobs.reduce((n, b) => n + b.length, 0) };
}

/** CPU time (user + system) of this process since `from`, in ms. */
const cpuSince = (from) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

const section = (title) => console.log(`\n${title}\n${'═'.repeat([...title].length)}`);

// ---------------------------------------------------------------- machine

const tStart = performance.now();
const cpus = os.cpus();
console.log('regpress benchmark');
console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`);
console.log(`node ${process.version}, git ${git(['--version']).trim().replace(/^git version /, '')}`);
console.log(`repository: ${ROOT} at ${git(['rev-parse', '--short=12', 'HEAD']).trim()}`);
console.log('reproduce: npm run bench   (builds dist/, then runs node scripts/bench.mjs)');
const loadAvg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`load average at start: ${loadAvg()} (1/5/15 min)${os.loadavg()[0] > cpus.length / 2 ? '  — the machine is busy: wall times are inflated; compare the cpu column' : ''}`);

// ---------------------------------------------------------------- history

const commits = git(['rev-list', '--reverse', 'HEAD', '--', CORPUS]).split('\n').filter(Boolean); // oldest first
const repo = await GitRepo.open(ROOT);
const distinct = new Map(); // blob id → { path, size }, in order of first appearance
const revisions = []; // per commit: its instrument files
for (const c of commits) {
  const files = (await repo.listTree(c, CORPUS)).filter((e) => isInstrumentPath(e.path));
  revisions.push({ commit: c, files });
  for (const f of files) if (!distinct.has(f.blob)) distinct.set(f.blob, { path: f.path, size: f.size });
}
repo.close();
const distinctIds = [...distinct.keys()];
const distinctBytes = [...distinct.values()].reduce((n, f) => n + f.size, 0);
const perRevisionIds = revisions.flatMap((r) => r.files.map((f) => f.blob));
const perRevisionBytes = revisions.reduce((n, r) => n + r.files.reduce((m, f) => m + f.size, 0), 0);
const headFiles = revisions.at(-1)?.files ?? [];
const headBytes = headFiles.reduce((n, f) => n + f.size, 0);

section(`1. Parse throughput over the history of ${CORPUS}/`);
console.log(
  `${commits.length} commits touch ${CORPUS}/; ${distinctIds.length} distinct blobs, ${fmtMB(distinctBytes)} distinct; ` +
    `${perRevisionIds.length} file-revisions, ${fmtMB(perRevisionBytes)} summed over revisions; HEAD: ${headFiles.length} files, ${fmtMB(headBytes)}`,
);

// (a) floor: one git cat-file --batch over the distinct blobs (and, for (d), over every revision's blobs)
const floorRuns = [];
let blobs;
for (let i = 0; i < 3; i++) {
  const r = catFileBatch(distinctIds);
  floorRuns.push(r.ms);
  blobs = r.blobs;
}
const floorMs = median(floorRuns);
const floorRevMs = median([0, 1, 2].map(() => catFileBatch(perRevisionIds).ms));
const gitRate = distinctBytes / floorMs;
const gitRevRate = perRevisionBytes / floorRevMs;

// (b) cold parse: chunk cache cleared, every distinct blob once, in history order
const paths = distinctIds.map((id) => distinct.get(id).path);
let diagCount = 0;
clearMarkdownCache();
let c0 = process.cpuUsage();
let t0 = performance.now();
for (let i = 0; i < blobs.length; i++) diagCount += parseSourceFile(paths[i], blobs[i]).diagnostics.length;
const coldParseMs = performance.now() - t0;
const coldParseCpu = cpuSince(c0);

// (c) warm parse: the same set again, chunk cache holding every chunk
const warmParseRuns = [];
const warmParseCpus = [];
for (let k = 0; k < 2; k++) {
  c0 = process.cpuUsage();
  t0 = performance.now();
  for (let i = 0; i < blobs.length; i++) parseSourceFile(paths[i], blobs[i]);
  warmParseRuns.push(performance.now() - t0);
  warmParseCpus.push(cpuSince(c0));
}
const warmParseMs = median(warmParseRuns);
const warmParseCpu = median(warmParseCpus);

// (d) loadCorpus at every commit with a fresh disk cache: cold, then warm from that cache
async function loadAll(cacheDir) {
  const session = await openSession({ repo: ROOT, corpus: CORPUS, cacheDir });
  const stats = { files: 0, bytes: 0, cached: 0, diagnostics: 0 };
  const c = process.cpuUsage();
  const t = performance.now();
  try {
    for (const c of commits) {
      const corpus = await loadCorpus(session, { kind: 'commit', commit: c });
      stats.files += corpus.stats.files;
      stats.bytes += corpus.stats.bytes;
      stats.cached += corpus.stats.cached;
      stats.diagnostics += corpus.diagnostics.length;
    }
  } finally {
    session.close();
  }
  return { ms: performance.now() - t, cpu: cpuSince(c), ...stats };
}
const loadDir = tempDir('load');
clearMarkdownCache();
const loadCold = await loadAll(loadDir);
clearMarkdownCache(); // warm means "from the disk cache", not from the in-memory chunk cache
const loadWarm = await loadAll(loadDir);
if (loadWarm.cached !== loadWarm.files) console.log(`  note: warm pass missed the disk cache for ${loadWarm.files - loadWarm.cached} files`);

const r1 = (label, what, files, bytes, ms, floorRate, cpu) => [
  label, what, String(files), fmtMB(bytes), fmtMs(ms), cpu === undefined ? '—' : fmtMs(cpu), fmtRate(bytes, ms), floorRate === undefined ? '—' : fmtX(floorRate / (bytes / ms)),
];
console.log();
console.log(
  table(
    ['', 'step', 'files', 'source¹', 'wall', 'cpu³', 'throughput', 'slower than git²'],
    [
      r1('(a)', 'git cat-file --batch, distinct blobs (floor)', distinctIds.length, distinctBytes, floorMs),
      r1("(a')", 'git cat-file --batch, every revision’s blobs', perRevisionIds.length, perRevisionBytes, floorRevMs),
      r1('(b)', 'parseSourceFile, chunk cache cleared (cold)', distinctIds.length, distinctBytes, coldParseMs, gitRate, coldParseCpu),
      r1('(c)', 'parseSourceFile, chunk cache warm', distinctIds.length, distinctBytes, warmParseMs, gitRate, warmParseCpu),
      r1('(d)', `loadCorpus × ${commits.length} commits, fresh disk cache (cold)`, loadCold.files, loadCold.bytes, loadCold.ms, gitRevRate, loadCold.cpu),
      r1("(d')", `loadCorpus × ${commits.length} commits, from disk cache (warm)`, loadWarm.files, loadWarm.bytes, loadWarm.ms, gitRevRate, loadWarm.cpu),
    ],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
  ),
);
console.log(`  ¹ bytes of source each step actually processed (MB = 10⁶ bytes): the distinct blobs for (a)–(c) (${fmtMB(distinctBytes)} distinct in total);`);
console.log(`    for (a') and (d) the whole corpus at each of the ${commits.length} revisions, summed (${fmtMB(perRevisionBytes)}), though (d) parses only blobs not yet in the cache.`);
console.log(`  ² throughput of the git floor ÷ throughput of the step; (b)–(c) against (a), (d) against (a'). Floors: median of 3 runs; (c): median of 2 passes.`);
console.log(`  ³ user + system CPU time of this process (the git floors run in a child: not counted); throughput is on wall time.`);
console.log(`  (d) cold: ${loadCold.files - loadCold.cached} files parsed, ${loadCold.cached} from the cache written earlier in the same pass; (d') warm: ${loadWarm.cached}/${loadWarm.files} from the cache.`);
console.log(`  (d) per revision: cold ${fmtMs(loadCold.ms / commits.length)}, warm ${fmtMs(loadWarm.ms / commits.length)}. Diagnostics seen: ${diagCount} over (b), ${loadWarm.diagnostics} over (d').`);
console.log(`  floor command: for c in $(git rev-list HEAD -- ${CORPUS}); do git ls-tree -r $c -- ${CORPUS}; done | awk '{print $3}' | sort -u | git cat-file --batch >/dev/null`);

// ---------------------------------------------------------------- check

section('2. `regpress check` wall time on the corpus (work tree)');
const dirty = git(['status', '--porcelain', '--', CORPUS]).trim();
console.log(
  dirty === ''
    ? `${CORPUS}/ in the work tree is identical to HEAD (${headFiles.length} files, ${fmtMB(headBytes)}); check reads the work tree.`
    : `warning: ${CORPUS}/ has uncommitted changes; check reads the work tree, the git floor reads HEAD's blobs.`,
);
const bin = path.join('bin', 'regpress.js');
function check(cacheDir) {
  const r = run(process.execPath, [bin, 'check', '--no-color', '--cache-dir', cacheDir]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`regpress check exited with ${r.status}: ${r.stderr}`);
  return r;
}
const coldRuns = [];
let warmDir;
let lastOut = '';
for (let i = 0; i < CHECK_COLD_RUNS; i++) {
  warmDir = tempDir('check');
  coldRuns.push(check(warmDir).ms);
}
const warmRuns = [];
for (let i = 0; i < CHECK_WARM_RUNS; i++) {
  const r = check(warmDir);
  warmRuns.push(r.ms);
  lastOut = r.stdout.toString('utf8').trim().split('\n').at(-1) ?? '';
}
const catRuns = [];
const nodeRuns = [];
const importRuns = [];
const IMPORT_CODE = "await import('./dist/cli/main.js')";
for (let i = 0; i < FLOOR_RUNS; i++) {
  catRuns.push(catFileBatch(headFiles.map((f) => f.blob)).ms);
  nodeRuns.push(run(process.execPath, ['-e', '']).ms);
  importRuns.push(run(process.execPath, ['--input-type=module', '-e', IMPORT_CODE]).ms);
}
const importMs = median(importRuns);
const coldMs = median(coldRuns);
const warmMs = median(warmRuns);
const catMs = median(catRuns);
const nodeMs = median(nodeRuns);
const floorCheckMs = catMs + nodeMs;
const range = (xs) => `${fmtMs(Math.min(...xs))} … ${fmtMs(Math.max(...xs))}`;
console.log();
console.log(
  table(
    ['', 'runs', 'median', 'range', '÷ floor', 'command'],
    [
      ['floor: git cat-file --batch, HEAD blobs', FLOOR_RUNS, fmtMs(catMs), range(catRuns), '—', `git cat-file --batch  (${headFiles.length} blob ids on stdin)`],
      ['floor: node startup', FLOOR_RUNS, fmtMs(nodeMs), range(nodeRuns), '—', "node -e ''"],
      ['floor: sum', '', fmtMs(floorCheckMs), '', '1×', ''],
      ['reference: node + importing the CLI, no work', FLOOR_RUNS, fmtMs(importMs), range(importRuns), fmtX(importMs / floorCheckMs), `node --input-type=module -e "${IMPORT_CODE}"`],
      ['check, cold (fresh cache dir)', CHECK_COLD_RUNS, fmtMs(coldMs), range(coldRuns), fmtX(coldMs / floorCheckMs), 'node bin/regpress.js check --no-color --cache-dir $(mktemp -d)'],
      ['check, warm (2nd run on)', CHECK_WARM_RUNS, fmtMs(warmMs), range(warmRuns), fmtX(warmMs / floorCheckMs), 'node bin/regpress.js check --no-color --cache-dir DIR  (same DIR again)'],
    ],
    ['l', 'r', 'r', 'r', 'r', 'l'],
  ),
);
console.log(`  check prints: ${lastOut}`);
console.log(`  of the warm median: ${fmtMs(nodeMs)} node startup, ~${fmtMs(Math.max(0, importMs - nodeMs))} loading modules, ~${fmtMs(Math.max(0, warmMs - importMs))} the check itself (cache reads, index, output).`);
const met = warmMs <= TARGET_WARM_CHECK_MS;
console.log(`target: warm check ≤ ${fmtMs(TARGET_WARM_CHECK_MS)}: ${met ? 'MET' : 'NOT MET'} (median ${fmtMs(warmMs)}, ${fmtMs(Math.abs(TARGET_WARM_CHECK_MS - warmMs))} ${met ? 'to spare' : 'over'})`);

// ---------------------------------------------------------------- diff
section('3. Provision-level diff of the whole history');
{
  const logArgs = ['log', '--first-parent', '-p', '--word-diff=porcelain', 'HEAD', '--', CORPUS];
  const gitRuns = [0, 1, 2].map(() => {
    const t = performance.now();
    run('git', logArgs);
    return performance.now() - t;
  });
  const gitMs = median(gitRuns);
  // in one process: every version pair aligned, models already in memory (the diff alone)
  const { alignInstruments } = await import('../dist/diff/align.js');
  const { compareQuantities } = await import('../dist/diff/numbers.js');
  const { parseSourceFile } = await import('../dist/pipeline/parse-file.js');
  const changes = (await repo.fileChanges(commits.at(-1), CORPUS)).filter((c) => c.path.endsWith('.md'));
  const blobs = await repo.readBlobs([...new Set(changes.flatMap((c) => (c.blob ? [c.blob] : [])))]);
  const models = new Map([...blobs].map(([id, bytes]) => [id, parseSourceFile('x.md', bytes).instrument]));
  const last = new Map();
  let pairsN = 0;
  let changeCount = 0;
  const t0 = performance.now();
  for (const c of changes) {
    const prev = last.get(c.path);
    if (c.blob) last.set(c.path, c.blob);
    if (!prev || !c.blob) continue;
    pairsN++;
    changeCount += alignInstruments(models.get(prev), models.get(c.blob), { compareNumbers: compareQuantities }).changes.length;
  }
  const alignMs = performance.now() - t0;
  repo.close();
  // the CLI: `regpress log` diffs every revision against its parent
  const logDir = tempDir('log');
  const cliLog = () => {
    const t = performance.now();
    run('node', ['bin/regpress.js', '--cache-dir', logDir, 'log', '--json']);
    return performance.now() - t;
  };
  const coldLog = cliLog();
  const warmLogRuns = [cliLog(), cliLog(), cliLog()];
  const warmLog = median(warmLogRuns);
  console.log(
    table(
      ['', 'pairs', 'wall', '÷ git'],
      [
        ['floor: git log -p --word-diff=porcelain (all corpus commits)', commits.length, fmtMs(gitMs), '1×'],
        ['align + redline + thresholds, models in memory', pairsN, fmtMs(alignMs), fmtX(alignMs / gitMs)],
        ['regpress log, cold (fresh caches: parse + diff)', pairsN, fmtMs(coldLog), fmtX(coldLog / gitMs)],
        ['regpress log, warm (diff cache)', pairsN, fmtMs(warmLog), fmtX(warmLog / gitMs)],
      ],
      ['l', 'r', 'r', 'r'],
    ),
  );
  console.log(`  ${changeCount} provision changes over ${pairsN} version pairs; commands: git ${logArgs.join(' ')}; node bin/regpress.js --cache-dir DIR log --json`);
  console.log(`  goals: warm ≤ 3× git: ${warmLog <= 3 * gitMs ? 'MET' : 'NOT MET'}; cold ≤ 30× git: ${coldLog <= 30 * gitMs ? 'MET' : 'NOT MET'} (cold is dominated by parsing, see section 1)`);
}

// ---------------------------------------------------------------- links
section('4. Citations, the cross-layer graph and impact');
{
  const { extractCitations } = await import('../dist/link/extract.js');
  const { mergeExplicit } = await import('../dist/link/explicit.js');
  const { buildGraph } = await import('../dist/link/graph.js');
  const session = await openSession({ repo: ROOT, corpus: CORPUS, cacheDir: tempDir('links') });
  let n = 0;
  let unresolved = 0;
  const runs = [];
  let graphMs = 0;
  let edges = 0;
  try {
    const corpus = await loadCorpus(session, { kind: 'commit', commit: commits.at(-1) });
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      const all = corpus.instruments.flatMap((i) => mergeExplicit(corpus.index, i, extractCitations(corpus.index, i)));
      runs.push(performance.now() - t);
      n = all.length;
      unresolved = all.filter((c) => c.status === 'unresolved').length;
      const g0 = performance.now();
      edges = buildGraph(corpus.index, all).edges.length;
      graphMs = performance.now() - g0;
    }
  } finally {
    session.close();
  }
  const first = commits[0];
  const impactDir = tempDir('impact');
  const impactRun = () => {
    const t = performance.now();
    run('node', ['bin/regpress.js', '--cache-dir', impactDir, 'impact', first, commits.at(-1), '--json']);
    return performance.now() - t;
  };
  const impactCold = impactRun();
  const impactWarm = median([impactRun(), impactRun()]);
  const checkRuns = [0, 1, 2].map(() => run('node', ['bin/regpress.js', 'check', '--no-color']).ms);
  console.log(
    table(
      ['', 'wall'],
      [
        [`extract + resolve ${n} citations at HEAD (median of 3)`, fmtMs(median(runs))],
        [`build the graph (${edges} edges)`, fmtMs(graphMs)],
        ['impact of the whole history (first commit → HEAD), cold', fmtMs(impactCold)],
        ['impact of the whole history, warm (parse, diff and citation caches)', fmtMs(impactWarm)],
        ['check with citations and delegations, warm (median of 3)', fmtMs(median(checkRuns))],
      ],
      ['l', 'r'],
    ),
  );
  console.log(`  unresolved: ${unresolved} of ${n} citations (${((unresolved / n) * 100).toFixed(1)}%); commands: node bin/regpress.js citations; node bin/regpress.js impact ${first.slice(0, 12)} HEAD`);
}

// ---------------------------------------------------------------- publications
section('5. Publications: full and incremental build, PDF pages/s');
{
  // a clone of this repository, so that the amendment below touches nothing of ours
  const cloneDir = tempDir('clone');
  run('git', ['clone', '-q', '--no-hardlinks', ROOT, cloneDir]);
  const cacheDir = tempDir('build-cache');
  const build = (...args) => {
    const r = run('node', [path.join(ROOT, 'bin/regpress.js'), '--cache-dir', cacheDir, 'build', '--json', ...args], { cwd: cloneDir });
    if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
    return { ms: r.ms, out: JSON.parse(r.stdout.toString('utf8')) };
  };
  const cold = build();
  const pages = cold.out.publications.reduce((n, p) => n + p.pages, 0);
  const warmFull = build('--force');
  const noop = build();
  // one provision amended, committed: 貨物等省令第六条第一号ロ's temperature bound
  const file = path.join(cloneDir, 'regulations/jp/403M50000400049.md');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const src = readFileSync(file, 'utf8');
  const from = '一二五度を超える温度で使用することができるように設計したもの';
  if (!src.includes(from)) throw new Error('bench: the provision to amend is not in the corpus');
  writeFileSync(file, src.replace(from, '一五〇度を超える温度で使用することができるように設計したもの'));
  run('git', ['-C', cloneDir, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-qam', 'amend one provision']);
  const inc = build();
  const regenerated = inc.out.publications.filter((p) => p.regenerated);
  console.log(
    table(
      ['', 'publications', 'pages', 'wall', '÷ full'],
      [
        ['full build, cold (fresh caches: history walked, every PDF and HTML rendered)', cold.out.publications.length, pages, fmtMs(cold.ms), fmtX(cold.ms / warmFull.ms)],
        ['full build, warm caches (--force: every publication rendered)', warmFull.out.publications.length, pages, fmtMs(warmFull.ms), '1×'],
        ['build with nothing changed', noop.out.publications.filter((p) => p.regenerated).length, 0, fmtMs(noop.ms), fmtX(noop.ms / warmFull.ms)],
        [`incremental build after a one-provision amendment`, regenerated.length, regenerated.reduce((n, p) => n + p.pages, 0), fmtMs(inc.ms), fmtX(inc.ms / warmFull.ms)],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
  );
  console.log(`  regenerated: ${regenerated.map((p) => `${p.id} (第${p.edition}版; ${p.reason.join(', ')})`).join('; ')}`);
  console.log(`  goal: incremental ≤ 10% of full: against the cold full build (a fresh checkout) ${inc.ms <= 0.1 * cold.ms ? 'MET' : 'NOT MET'} (${((100 * inc.ms) / cold.ms).toFixed(1)}%); against the warm --force build ${inc.ms <= 0.1 * warmFull.ms ? 'MET' : 'NOT MET'} (${((100 * inc.ms) / warmFull.ms).toFixed(1)}%, the no-op floor alone is ${((100 * noop.ms) / warmFull.ms).toFixed(0)}%)`);
  console.log(`  the whole build renders ${(pages / (warmFull.ms / 1000)).toFixed(1)} pages/s end to end`);

  // what publishing whole generations costs: staging (hard links) and the compare-and-swap, next to cp -al
  {
    const { stageGeneration, publishGeneration } = await import('../dist/publish/generations.js');
    const outDir = path.join(cloneDir, 'output');
    const current = path.join(outDir, 'current');
    const files = Number(run('sh', ['-c', `find -L '${current}/' -type f | wc -l`]).stdout.toString().trim());
    const floorDir = tempDir('cp-al');
    const floor = run('cp', ['-al', `${current}/.`, path.join(floorDir, 'copy')]);
    const t0 = performance.now();
    const staged = await stageGeneration(outDir);
    const stageMs = performance.now() - t0;
    const t1 = performance.now();
    const published = await publishGeneration(outDir, staged);
    const compareMs = performance.now() - t1;
    if (published.changed) throw new Error('bench: an unchanged staging folder was published');
    console.log(
      table(
        ['publishing a generation', 'files', 'wall', '÷ floor'],
        [
          ['floor: cp -al of the current generation (hard links, one process)', files, fmtMs(floor.ms), '1×'],
          ['stage the next generation (the current one hard-linked in)', files, fmtMs(stageMs), fmtX(stageMs / floor.ms)],
          ['compare it with the current one by inode, and discard it (nothing changed)', files, fmtMs(compareMs), fmtX(compareMs / floor.ms)],
        ],
        ['l', 'r', 'r', 'r'],
      ),
    );
  }

  // the renderer next to raw pdfkit: the same text, font, size and page
  const PDFDocument = (await import('pdfkit')).default;
  const { renderPdf } = await import('../dist/render/pdf.js');
  const { bundledFonts } = await import('../dist/render/fonts.js');
  const fonts = bundledFonts();
  const text = src.split('\n').filter((l) => /^\s*(- |\*\*第)/.test(l)).map((l) => l.replace(/^\s*- /, '').replace(/\*\*/g, '')).join('\n').slice(0, 300_000);
  const doc = { meta: { id: 'bench', title: 'bench', lang: 'ja', edition: '第1版', asOf: '2025-01-01', commit: 'bench' }, blocks: text.split('\n').map((t) => ({ type: 'para', changed: false, indent: 0, role: 'body', runs: [{ text: t }] })) };
  const raw = () =>
    new Promise((resolve) => {
      const t = performance.now();
      const d = new PDFDocument({ size: 'A4', margins: { top: 56, bottom: 56, left: 64, right: 50 }, info: { CreationDate: new Date(0) } });
      d.registerFont('jp', fonts.regular);
      d.font('jp').fontSize(9.5);
      let n = 1;
      d.on('pageAdded', () => n++);
      d.on('data', () => {});
      d.on('end', () => resolve({ ms: performance.now() - t, pages: n }));
      d.text(text, { lineGap: 5.7 });
      d.end();
    });
  const ours = async () => {
    const t = performance.now();
    const r = await renderPdf(doc, { fonts, creationDate: new Date(0) });
    return { ms: performance.now() - t, pages: r.pages };
  };
  const rawRuns = [await raw(), await raw(), await raw()];
  const ourRuns = [await ours(), await ours(), await ours()];
  const rawPps = median(rawRuns.map((r) => r.pages / (r.ms / 1000)));
  const ourPps = median(ourRuns.map((r) => r.pages / (r.ms / 1000)));
  console.log(
    table(
      ['', 'chars', 'pages', 'pages/s (median of 3)', '÷ raw'],
      [
        ['floor: raw pdfkit doc.text, Noto Sans JP 9.5 pt, A4', text.length, rawRuns[0].pages, ourPps > 0 ? rawPps.toFixed(1) : '-', '1×'],
        ['renderPdf: own Japanese line breaking, header/footer, outline, destinations', text.length, ourRuns[0].pages, ourPps.toFixed(1), fmtX(ourPps / rawPps)],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
  );
  console.log(`  goal: renderPdf ≥ 70% of raw pdfkit pages/s: ${ourPps >= 0.7 * rawPps ? 'MET' : 'NOT MET'} (${((100 * ourPps) / rawPps).toFixed(0)}%); text: the items of 貨物等省令 at HEAD`);
}

// ---------------------------------------------------------------- digests and delivery
section('6. Digests for 100,000 subscribers, and delivery to a local SMTP server');
{
  const { readFileSync: rf, writeFileSync: wf } = await import('node:fs');
  const { readSubscribers } = await import('../dist/load/subscriptions.js');
  const { computeDigest, composeDigests } = await import('../dist/pipeline/digest.js');
  // 100,000 synthetic subscribers, each following a few rows, sectors, instruments or provisions (fixed seed)
  let seed = 42;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const rows = ['2', '3', '3の2', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16(1)', '7(16)'];
  const instruments = ['外為法', '輸出令', '外為令', '貨物等省令'];
  const provisions = ['403M50000400049/art6', '403M50000400049/art6/para1/item17', '輸出令第四条', '403M50000400049/art7', '324CO0000000378/appx1'];
  const lines = ['subscribers:'];
  const N = 100_000;
  for (let i = 0; i < N; i++) {
    lines.push(`  - name: 購読者${i}`, `    email: s${i}@example.com`, `    language: ${rnd(3) === 0 ? 'en' : 'ja'}`, `    editorial: ${rnd(4) === 0}`, '    follows:');
    const k = rnd(4);
    if (k === 0) lines.push(`      rows: ["${rows[rnd(rows.length)]}", "${rows[rnd(rows.length)]}"]`);
    else if (k === 1) lines.push(`      instruments: [${instruments[rnd(instruments.length)]}]`);
    else if (k === 2) lines.push(`      provisions: ["${provisions[rnd(provisions.length)]}"]`);
    else lines.push(`      rows: ["${rows[rnd(rows.length)]}"]`, `      layers: [law]`);
  }
  const subsFile = path.join(tempDir('subscribers'), 'subscribers.yaml');
  wf(subsFile, `${lines.join('\n')}\n`);
  const amendment = git(['log', '--format=%H', '--since=2023-07-22', '--until=2023-07-24', '--', 'regulations/jp/403M50000400049.md']).trim().split('\n')[0];
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 50);
  const t0 = performance.now();
  const read = readSubscribers('subscribers.yaml', rf(subsFile, 'utf8'));
  const tRead = performance.now() - t0;
  const session = await openSession({ repo: ROOT, corpus: CORPUS, cacheDir: tempDir('digest-cache') });
  let mails = 0;
  let bytes = 0;
  let tDigest = 0;
  let tCompose = 0;
  try {
    const t1 = performance.now();
    const digest = await computeDigest(session, { from: `${amendment}~1`, to: amendment, asOf: '2025-01-01', subscribers: read.subscribers, siteUrl: 'https://regpress.example/' });
    tDigest = performance.now() - t1;
    const t2 = performance.now();
    for await (const m of composeDigests(session, digest, read.subscribers, { sender: { name: 'regpress', address: 'digest@regpress.example' }, siteUrl: 'https://regpress.example/', date: new Date('2023-07-23T00:00:00+09:00') })) {
      mails++;
      bytes += m.raw.length;
      if (mails % 1000 === 0) sample();
    }
    tCompose = performance.now() - t2;
  } finally {
    session.close();
    clearInterval(timer);
  }
  const total = tRead + tDigest + tCompose;
  console.log(
    table(
      ['', 'wall'],
      [
        [`read and validate ${read.subscribers.length} subscribers (${fmtMB(rf(subsFile).length)} of YAML)`, fmtMs(tRead)],
        ['diff, graph and index of what each change reaches (2023-07-23 amendment of 貨物等省令)', fmtMs(tDigest)],
        [`match, render (Handlebars text + HTML) and compose ${mails} messages (${fmtMB(bytes)})`, fmtMs(tCompose)],
        ['total', fmtMs(total)],
      ],
      ['l', 'r'],
    ),
  );
  console.log(`  ${(mails / (tCompose / 1000)).toFixed(0)} messages/s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (start ${(rss0 / 2 ** 20).toFixed(0)} MiB); messages are composed one at a time, never held together`);
  console.log(`  goal: ≤ 60 s for 100,000 subscribers: ${total <= 60_000 ? 'MET' : 'NOT MET'}`);

  // delivery: 2,000 queued messages to an SMTP server on 127.0.0.1, through the outbox ledger
  const { SMTPServer } = await import('smtp-server');
  const { enqueue } = await import('../dist/publish/outbox.js');
  const { sendPending } = await import('../dist/publish/send.js');
  let received = 0;
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onData(stream, _s, cb) { stream.on('data', () => {}); stream.on('end', () => { received++; cb(); }); } });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.server.address().port;
  const outbox = tempDir('outbox');
  const M = 2000;
  const raw = (i) => Buffer.from(`From: digest@regpress.example\r\nTo: s${i}@example.com\r\nSubject: bench\r\nMessage-ID: <bench.${i}@regpress.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${'あ'.repeat(1500)}\r\n`);
  await enqueue(outbox, Array.from({ length: M }, (_, i) => ({ key: `bench.${i}`, messageId: `<bench.${i}@regpress.example>`, from: 'digest@regpress.example', to: `s${i}@example.com`, raw: raw(i) })), new Date(0));
  const rows6 = [];
  for (const concurrency of [1, 4]) {
    const box = concurrency === 1 ? outbox : tempDir('outbox4');
    if (concurrency !== 1) await enqueue(box, Array.from({ length: M }, (_, i) => ({ key: `bench.${i}`, messageId: `<bench.${i}@regpress.example>`, from: 'digest@regpress.example', to: `s${i}@example.com`, raw: raw(i) })), new Date(0));
    const t3 = performance.now();
    const rep = await sendPending(box, { host: '127.0.0.1', port, secure: false }, { now: () => new Date(0), concurrency });
    const tSend = performance.now() - t3;
    rows6.push([`sendPending, ${concurrency} connection${concurrency === 1 ? '' : 's'} (ledger fsynced before and after each message)`, rep.sent.length, fmtMs(tSend), (rep.sent.length / (tSend / 1000)).toFixed(0)]);
  }
  await new Promise((r) => server.close(r));
  console.log(table(['', 'messages', 'wall', 'messages/s'], rows6, ['l', 'r', 'r', 'r']));
  console.log(`  the server received ${received} of ${2 * M}; the floor is the two durable ledger writes per message`);
}

// ---------------------------------------------------------------- the portal
section('7. The portal: site build and the --watch refresh after a one-provision edit');
{
  const { readFileSync: rf, writeFileSync: wf, readdirSync: rd, statSync } = await import('node:fs');
  const http = await import('node:http');
  const cloneDir = tempDir('portal-clone');
  run('git', ['clone', '-q', '--no-hardlinks', ROOT, cloneDir]);
  const cacheDir = tempDir('portal-cache');
  const full = run('node', [path.join(ROOT, 'bin/regpress.js'), '--cache-dir', cacheDir, 'build'], { cwd: cloneDir });
  if (full.status !== 0) throw new Error(`build failed: ${full.stderr}`);
  const siteDir = path.join(cloneDir, 'output/site');
  let siteFiles = 0;
  let siteBytes = 0;
  const walk = (d) => {
    for (const e of rd(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else {
        siteFiles++;
        siteBytes += statSync(path.join(d, e.name)).size;
      }
    }
  };
  walk(siteDir);
  // serve --watch in a child, wait for it, then edit one provision and time until the page is told to reload
  const { spawn } = await import('node:child_process');
  const child = spawn('node', [path.join(ROOT, 'bin/regpress.js'), '--cache-dir', cacheDir, 'serve', '--watch', '--port', '0'], { cwd: cloneDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`serve exited: ${out}`)));
  });
  const reloads = [];
  const events = await new Promise((resolve) => {
    const req = http.get(`${url}/__regpress/events`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (chunk.includes('event: reload')) reloads.push(performance.now());
      });
      resolve(req);
    });
  });
  // the preview warms its parse worker with the work tree at start (about 1.5 s); an editor's first save comes later than that
  await new Promise((r) => setTimeout(r, 3000));
  const file = path.join(cloneDir, 'regulations/jp/403M50000400049.md');
  const src = rf(file, 'utf8');
  const refresh = [];
  for (const [from, to] of [['一二五度を超える温度で使用することができるように設計したもの', '一五〇度を超える温度で使用することができるように設計したもの'], ['一五〇度を超える温度で使用することができるように設計したもの', '一七五度を超える温度で使用することができるように設計したもの']]) {
    const before = reloads.length;
    const text = rf(file, 'utf8');
    const t = performance.now();
    wf(file, text.replace(from, to));
    while (reloads.length === before && performance.now() - t < 60_000) await new Promise((r) => setTimeout(r, 5));
    refresh.push((reloads[before] ?? Number.NaN) - t);
    await new Promise((r) => setTimeout(r, 20_000)); // let the publications catch up before the next edit
  }
  events.destroy();
  child.kill('SIGINT');
  wf(file, src);
  console.log(
    table(
      ['', 'wall'],
      [
        [`full build with the site, warm parse cache (${siteFiles} files, ${fmtMB(siteBytes)} in output/site)`, fmtMs(full.ms)],
        ['serve --watch: edit of one provision → pages rebuilt → reload sent (1st edit)', fmtMs(refresh[0])],
        ['the same, 2nd edit (caches of the running server warm)', fmtMs(refresh[1])],
      ],
      ['l', 'r'],
    ),
  );
  console.log(`  goal: a one-file edit shows in well under a second: ${refresh[1] < 1000 ? 'MET' : 'NOT MET'}; command: regpress serve --watch (the reload is the Server-Sent Event the page listens to)`);
}

console.log(`\nload average at end: ${loadAvg()}; benchmark took ${fmtMs(performance.now() - tStart)}; temporary cache dirs removed.`);
