/**
 * `build`: the publications of the catalogue, from the corpus at a revision,
 * into the output folder. The stages in order:
 *
 * 1. load and validate the corpus, the catalogue, the commentary and the
 *    templates; any error stops the build before a byte is written;
 * 2. number the editions from history (a content hash per publication at
 *    every revision that touched the corpus, cached per commit);
 * 3. compare each publication's input hash with the manifest of the output
 *    folder and render only those that differ (or whose files are missing or
 *    altered), with change bars and a revision page against the previous
 *    edition;
 * 4. write the files, then the manifest.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ProvisionChange } from '../diff/types.js';
import { isCommentaryPath, openFolder, corpusPrefix, type Revision } from '../load/corpus.js';
import { decodeSource } from '../load/decode.js';
import type { Citation } from '../link/extract.js';
import { resolveHref } from '../link/explicit.js';
import { buildGraph, type Graph } from '../link/graph.js';
import { provisionDigest, publicationScope, type PublicationScope } from '../link/scope.js';
import type { CorpusIndex } from '../model/locate.js';
import type { Catalogue, Commentary, Publication } from '../model/publication.js';
import type { Diagnostic } from '../model/types.js';
import { editionsOf, type Edition, type HashPoint } from '../publish/editions.js';
import { inputHash, MANIFEST_FILE, MANIFEST_FORMAT, readManifest, sha256, formatManifest, type InputParts, type Manifest, type ManifestEntry, type ManifestFile } from '../publish/manifest.js';
import { discardGeneration, publishGeneration, stageGeneration } from '../publish/generations.js';
import { OutputWriteError, writeFileAtomic } from '../publish/output.js';
import { isAllowedHref } from '../render/markup.js';
import type { Templates } from '../render/templates.js';
import { commentaryViews, publicationView, viewAnchors, type CommentaryInput, type EditionChange, type EditionInfo } from '../render/publication-view.js';
import { linkerFingerprint, rendererFingerprint } from './cache-keys.js';
import { loadCatalogue, TABLE_ID } from './catalogue.js';
import { loadCorpus, sortDiagnostics, type Corpus, type Session } from './corpus.js';
import { diffCorpora } from './diff.js';
import { corpusCitations } from './links.js';
import { cachedVersions } from './versions-cache.js';

export interface BuildOptions {
  /** A git revision; undefined builds the work tree (uncommitted changes make draft editions). */
  at?: string | undefined;
  /** The output folder (absolute). */
  outDir: string;
  /** The templates folder, relative to the repository root. */
  templatesDir?: string;
  /** Dates written into the PDFs instead of each edition's commit date (SOURCE_DATE_EPOCH). */
  creationDate?: Date | undefined;
  /** Render every publication, whatever the manifest says. */
  force?: boolean;
  /** Only these publications (ids); the manifest keeps the others as they were, and the feeds are not rewritten. */
  only?: readonly string[] | undefined;
  /** The portal the feeds link to (https); default https://regpress.example/. */
  siteUrl?: string | undefined;
  onProgress?: ((done: number, total: number, label: string) => void) | undefined;
}

export interface BuiltPublication extends Pick<ManifestEntry, 'id' | 'kind' | 'title' | 'edition' | 'draft' | 'editionDate' | 'sourceCommit' | 'pages' | 'files'> {
  regenerated: boolean;
  /** Why it was rendered: the provisions that changed, or what else did (new, template, renderer, font, output-missing, …). */
  reason: string[];
}

export interface BuildResult {
  revision: string;
  outDir: string;
  diagnostics: Diagnostic[];
  /** False when errors stopped the build: nothing was written. */
  ok: boolean;
  publications: BuiltPublication[];
  /** The generation of the output folder now current (see publish/generations.ts). */
  generation?: string | undefined;
  /** False when the build produced exactly the output already current: nothing was published. */
  published?: boolean;
}

export class BuildInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildInputError';
  }
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

// ---------------------------------------------------------------- inputs

interface CommentarySet {
  byPublication: Map<string, Commentary>;
  /** Publication id → digest of its commentary file. */
  digests: Map<string, string>;
  diagnostics: Diagnostic[];
}

async function loadCommentaries(session: Session, revision: Revision, catalogue: Catalogue | undefined): Promise<CommentarySet> {
  const { readCommentary } = await import('../load/commentary.js');
  const reader = await openFolder(session.repo, session.ctx.corpus, revision, isCommentaryPath);
  const bytes = await reader.read(reader.files);
  const out: CommentarySet = { byPublication: new Map(), digests: new Map(), diagnostics: [...(reader.refused ?? [])] };
  const known = new Map((catalogue?.publications ?? []).map((p) => [p.id, p]));
  for (const f of reader.files) {
    const decoded = decodeSource(f.path, bytes.get(f.blob) ?? new Uint8Array());
    out.diagnostics.push(...decoded.diagnostics);
    if (decoded.text === undefined) continue;
    const { commentary, diagnostics } = readCommentary(f.path, decoded.text);
    out.diagnostics.push(...diagnostics);
    if (!commentary) continue;
    const pub = known.get(commentary.publication);
    if (catalogue && (!pub || pub.kind !== 'commodity-guidance')) {
      out.diagnostics.push({ file: f.path, line: commentary.line, column: 1, severity: 'error', rule: 'commentary-unknown-publication', message: `publication "${commentary.publication}" is not a commodity-guidance publication of the catalogue` });
      continue;
    }
    const other = out.byPublication.get(commentary.publication);
    if (other) {
      out.diagnostics.push({ file: f.path, line: commentary.line, column: 1, severity: 'error', rule: 'commentary-duplicate', message: `${other.file} is already the commentary of ${commentary.publication}` });
      continue;
    }
    out.byPublication.set(commentary.publication, commentary);
    out.digests.set(commentary.publication, f.blob);
  }
  return out;
}

/**
 * Commentary links that point nowhere, and row sections for rows the
 * publication does not cover. A link into an instrument file that failed to
 * load is not reported again: its own error is the one to fix.
 */
function commentaryDiagnostics(index: CorpusIndex, catalogue: Catalogue, set: CommentarySet, failed: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const intoFailed = (href: string) => failed.has(href.split('#')[0] ?? '');
  for (const c of set.byPublication.values()) {
    const pub = catalogue.publications.find((p) => p.id === c.publication);
    const rows = new Set((pub?.rows ?? []).map((r) => `${TABLE_ID}/row${r}`));
    const runs = [...c.intro, ...c.sections.flatMap((s) => s.blocks)].flatMap((b) => b.runs);
    for (const r of runs) {
      if (r.href === undefined) continue;
      if (/^[a-z][a-z0-9+.-]*:/i.test(r.href)) {
        if (!isAllowedHref(r.href)) out.push({ file: c.file, line: r.line, column: r.column, severity: 'error', rule: 'commentary-unsafe-link', message: `link ${r.href}: only https:, http: and mailto: links may leave the corpus` });
        continue;
      }
      const res = resolveHref(index, undefined, r.href);
      if (res.status !== 'resolved' && !intoFailed(r.href)) out.push({ file: c.file, line: r.line, column: r.column, severity: 'error', rule: 'commentary-unresolved-reference', message: `「${r.text}」 links to ${r.href}: ${res.reason ?? 'not found'}` });
    }
    for (const s of c.sections) {
      const res = resolveHref(index, undefined, s.href);
      const target = res.targets[0]?.id;
      if (res.status !== 'resolved' || !target) {
        if (!intoFailed(s.href)) out.push({ file: c.file, line: s.line, column: s.column, severity: 'error', rule: 'commentary-unresolved-reference', message: `section heading links to ${s.href}: ${res.reason ?? 'not found'}` });
      } else if (!rows.has(target)) out.push({ file: c.file, line: s.line, column: s.column, severity: 'error', rule: 'commentary-row-not-covered', message: `${s.href} is not a row ${c.publication} covers (${pub?.rows.join(', ') ?? 'none'})` });
    }
  }
  return out;
}

/** The templates, decoded strictly like every other source: invalid UTF-8, a NUL or a BOM-less UTF-16 file is an error at its line, never a U+FFFD. */
async function loadTemplateFiles(session: Session, revision: Revision, dir: string): Promise<{ files: { name: string; text: string }[]; digest: string; diagnostics: Diagnostic[] }> {
  const reader = await openFolder(session.repo, dir, revision, (p) => p.endsWith('.hbs'));
  const bytes = await reader.read(reader.files);
  const prefix = corpusPrefix(dir);
  const diagnostics: Diagnostic[] = [...(reader.refused ?? [])];
  const files = reader.files.map((f) => {
    const decoded = decodeSource(f.path, bytes.get(f.blob) ?? new Uint8Array());
    diagnostics.push(...decoded.diagnostics.filter((d) => d.severity === 'error'));
    return { name: prefix === '' ? f.path : f.path.slice(prefix.length + 1), text: decoded.text ?? '', blob: f.blob };
  });
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) h.update(`${f.name}\0${f.blob}\0`);
  return { files, digest: h.digest('hex'), diagnostics };
}

// ---------------------------------------------------------------- content hashes and editions

function scopeOf(index: CorpusIndex, graph: Graph, p: Publication): PublicationScope {
  return publicationScope(index, graph, TABLE_ID, p.rows, { citedBy: p.kind === 'commodity-guidance' });
}

function catalogueEntryDigest(cat: Catalogue, p: Publication): string {
  const sector = cat.sectors.find((s) => s.id === p.sector);
  return sha(JSON.stringify({ id: p.id, kind: p.kind, title: p.title, sector: p.sector, rows: p.rows, template: p.template, sectorTitle: sector?.title ?? '', sectorTitleEn: sector?.titleEn ?? '' }));
}

/** What a publication shows, as one hash: its catalogue entry, its commentary, and the digest of every provision it uses. */
function contentHash(cat: Catalogue, p: Publication, scope: PublicationScope, commentary: string | undefined): string | undefined {
  if (scope.rows.every((r) => r.row === undefined)) return undefined;
  const h = createHash('sha256').update(`${catalogueEntryDigest(cat, p)}\0${commentary ?? ''}\0`);
  for (const u of scope.used) h.update(provisionDigest(u)).update('\0');
  return h.digest('hex');
}

function contentHashes(cat: Catalogue, index: CorpusIndex, graph: Graph, commentary: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of cat.publications) {
    const h = contentHash(cat, p, scopeOf(index, graph, p), commentary.get(p.id));
    if (h !== undefined) out[p.id] = h;
  }
  return out;
}

interface History {
  points: HashPoint[];
  /** Commit → its committer date (ISO), for the dates written into PDFs. */
  commitDates: Map<string, string>;
}

/** Content hashes at every revision that touched the corpus up to `head`, each cached by commit. */
async function hashHistory(session: Session, cat: Catalogue, head: string, onStep?: (done: number, total: number) => void): Promise<History> {
  const { repo, ctx, cache } = session;
  const commits = await repo.commitsTouching(head, corpusPrefix(ctx.corpus) || '.');
  // each revision's effective date: the latest of the versions it made
  const effective = new Map<string, string>();
  for (const v of await cachedVersions(session, head)) if ((effective.get(v.commit) ?? '') < v.effective) effective.set(v.commit, v.effective);
  const catDigest = sha(JSON.stringify(cat.publications.map((p) => catalogueEntryDigest(cat, p))));
  const points: HashPoint[] = [];
  const commitDates = new Map<string, string>();
  let i = 0;
  for (const c of commits) {
    onStep?.(i++, commits.length);
    commitDates.set(c.commit, c.committerDate);
    const key = sha(`pubhash-${linkerFingerprint()}\0${c.commit}\0${catDigest}`).slice(0, 40);
    let hashes = await cache?.get<Record<string, string>>(key);
    if (!hashes) {
      const revision: Revision = { kind: 'commit', commit: c.commit };
      const corpus = await loadCorpus(session, revision);
      const graph = buildGraph(corpus.index, await corpusCitations(session, corpus));
      const commentary = await loadCommentaries(session, revision, cat);
      hashes = contentHashes(cat, corpus.index, graph, commentary.digests);
      await cache?.put(key, hashes);
    }
    points.push({ commit: c.commit, date: effective.get(c.commit) ?? c.authorDate.slice(0, 10), hashes });
  }
  return { points, commitDates };
}

// ---------------------------------------------------------------- changes between editions

function within(id: string, container: string): boolean {
  return id === container || id.startsWith(`${container}/`);
}

/** The changes between two corpora that touch what a publication shows. */
async function changesFor(session: Session, before: Corpus, after: Corpus, scope: PublicationScope): Promise<EditionChange[]> {
  const used = new Set(scope.used.map((u) => u.id));
  const tops = scope.rows.flatMap((r) => [r.id, ...r.specifying.map((s) => s.id)]);
  const instruments = new Set(tops.map((t) => t.split('/')[0] ?? ''));
  for (const u of used) instruments.add(u.split('/')[0] ?? '');
  const diff = await diffCorpora(session, before, after, instruments);
  const out: EditionChange[] = [];
  for (const d of diff.instruments) {
    for (const c of d.changes) {
      const relevant = c.kind === 'removed' ? tops.some((t) => within(c.id, t)) || used.has(c.id) : used.has(c.newId ?? c.id);
      if (relevant) out.push({ change: c, effective: d.effective ?? '' });
    }
  }
  return out;
}

function changedIds(changes: readonly EditionChange[]): string[] {
  return [...new Set(changes.map(({ change: c }: { change: ProvisionChange }) => (c.kind === 'removed' ? c.id : (c.newId ?? c.id))))];
}

// ---------------------------------------------------------------- the build

async function resolveBuildRevision(session: Session, at: string | undefined): Promise<{ revision: Revision; head: string | undefined }> {
  if (at === undefined) {
    let head: string | undefined;
    try {
      head = await session.repo.resolveRevision('HEAD');
    } catch {
      head = undefined; // a repository with no commit yet: every edition is a draft
    }
    return { revision: { kind: 'worktree' }, head };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) throw new BuildInputError(`build --at takes a revision, not a date (${at}): editions are numbered along the history of a commit`);
  const commit = await session.repo.resolveRevision(at);
  return { revision: { kind: 'commit', commit }, head: commit };
}

async function fileIntact(outDir: string, f: ManifestFile): Promise<boolean> {
  try {
    return sha256(await readFile(path.join(outDir, f.path))) === f.sha256;
  } catch {
    return false;
  }
}

export async function buildPublications(session: Session, opts: BuildOptions): Promise<BuildResult> {
  const { revision, head } = await resolveBuildRevision(session, opts.at);
  const corpus = await loadCorpus(session, revision);
  const { catalogue, diagnostics: catalogueDiagnostics } = await loadCatalogue(session, corpus);
  const commentary = await loadCommentaries(session, revision, catalogue);
  const diagnostics = [...corpus.diagnostics, ...catalogueDiagnostics, ...commentary.diagnostics];
  const failed = new Set(corpus.diagnostics.filter((d) => d.severity === 'error' && !corpus.instruments.some((i) => i.file === d.file)).map((d) => path.posix.basename(d.file, '.md')));
  if (catalogue) diagnostics.push(...commentaryDiagnostics(corpus.index, catalogue, commentary, failed));
  if (!catalogue) diagnostics.push({ file: path.posix.join(corpusPrefix(session.ctx.corpus), 'publications.yaml'), line: 1, column: 1, severity: 'error', rule: 'catalogue-missing', message: 'there is no publications catalogue to build' });
  const templateDir = opts.templatesDir ?? 'templates';
  const templateFiles = await loadTemplateFiles(session, revision, templateDir);
  const { compileTemplates, TemplateError } = await import('../render/templates.js');
  let templates: ReturnType<typeof compileTemplates> | undefined;
  diagnostics.push(...templateFiles.diagnostics);
  try {
    // a folder with unreadable files is not compiled: their errors are the ones to fix
    if (templateFiles.diagnostics.length === 0) templates = compileTemplates(templateFiles.files);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    diagnostics.push(e.diagnostic(corpusPrefix(templateDir)));
  }
  for (const p of catalogue?.publications ?? []) {
    if (templates && !templates.has(p.template)) diagnostics.push({ file: catalogue?.file ?? '', line: p.line, column: 1, severity: 'error', rule: 'catalogue-unknown-template', message: `${p.id} uses template ${p.template}, which is not in ${templateDir}/` });
  }
  const sorted = sortDiagnostics(diagnostics);
  const revLabel = revision.kind === 'commit' ? revision.commit : `${head ?? 'none'}+worktree`;
  if (!catalogue || !templates || sorted.some((d) => d.severity === 'error')) return { revision: revLabel, outDir: opts.outDir, diagnostics: sorted, ok: false, publications: [] };

  // one writer at a time: a second build fails at once, naming the first; a killed build's lock is taken over
  const { lockFolder } = await import('../publish/output.js');
  const unlock = await lockFolder(opts.outDir, BUILD_LOCK, 'being built');
  try {
    // the next generation is staged beside the current one and swapped in whole when complete
    const staged = await stageGeneration(opts.outDir);
    try {
      const result = await buildLocked(session, { ...opts, outDir: staged.dir }, { revision, head, corpus, catalogue, commentary, templates, templateFiles, templateDir, sorted, revLabel });
      const published = await publishGeneration(opts.outDir, staged);
      return { ...result, outDir: opts.outDir, generation: published.generation, published: published.changed };
    } catch (e) {
      await discardGeneration(staged);
      // a template that fails on the data of one publication: an error at its line, like any other, and nothing published
      if (e instanceof TemplateError) {
        return { revision: revLabel, outDir: opts.outDir, diagnostics: sortDiagnostics([...sorted, e.diagnostic(corpusPrefix(templateDir))]), ok: false, publications: [] };
      }
      // name the file as it would have been published, not by the staging folder it was in
      if (e instanceof OutputWriteError && e.file.startsWith(staged.dir + path.sep)) throw new OutputWriteError(path.relative(staged.dir, e.file).split(path.sep).join('/'), e.cause);
      throw e;
    }
  } finally {
    await unlock();
  }
}

/** The name of the lock file of an output folder. */
export const BUILD_LOCK = '.regpress-build.lock';

interface Validated {
  revision: Revision;
  head: string | undefined;
  corpus: Corpus;
  catalogue: Catalogue;
  commentary: CommentarySet;
  templates: Templates;
  templateFiles: { files: { name: string; text: string }[]; digest: string };
  templateDir: string;
  sorted: Diagnostic[];
  revLabel: string;
}

async function buildLocked(session: Session, opts: BuildOptions, v: Validated): Promise<BuildResult> {
  const { head, corpus, catalogue, commentary, templates, templateFiles, templateDir, sorted, revLabel } = v;
  // editions
  const citations = await corpusCitations(session, corpus);
  const graph = buildGraph(corpus.index, citations);
  const history: History = head ? await hashHistory(session, catalogue, head, (d, t) => opts.onProgress?.(d, t, 'editions')) : { points: [], commitDates: new Map() };
  const current = contentHashes(catalogue, corpus.index, graph, commentary.digests);
  const lastPoint = history.points[history.points.length - 1];

  const { bundledFonts } = await import('../render/fonts.js');
  const fonts = bundledFonts();
  const manifestPath = path.join(opts.outDir, MANIFEST_FILE);
  const previous = await readManifest(manifestPath);
  const citationsBySource = new Map<string, Citation[]>();
  for (const c of citations) citationsBySource.set(c.source, [...(citationsBySource.get(c.source) ?? []), c]);

  interface Plan {
    pub: Publication;
    scope: PublicationScope;
    edition: EditionInfo;
    parts: InputParts;
    hash: string;
    old: ManifestEntry | undefined;
    reason: string[];
    creationDate: Date;
    /** Where the previous edition began: the revision page and change bars are against it. */
    prevCommit: string | undefined;
  }
  const plans: Plan[] = [];
  const unknown = (opts.only ?? []).filter((id) => !catalogue.publications.some((p) => p.id === id));
  if (unknown.length > 0) throw new BuildInputError(`no publication ${unknown.join(', ')} in the catalogue`);
  for (const pub of catalogue.publications) {
    const hash = current[pub.id];
    if (hash === undefined || (opts.only && !opts.only.includes(pub.id))) continue;
    const eds = editionsOf(history.points, pub.id);
    let ed: Edition | undefined = eds[eds.length - 1];
    let prev: Edition | undefined = eds[eds.length - 2];
    let draft = false;
    if (!ed || ed.hash !== hash) {
      // the work tree differs from the last commit: a draft of the next edition
      prev = ed;
      ed = { number: (ed?.number ?? 0) + 1, commit: head ?? '', date: lastPoint?.date ?? '1970-01-01', hash };
      draft = true;
    }
    const edition: EditionInfo = {
      number: ed.number,
      date: ed.date,
      commit: draft ? `${(head ?? 'none').slice(0, 12)}+worktree` : ed.commit,
      draft,
      previous: prev ? { number: prev.number, date: prev.date } : null,
    };
    const commitDate = history.commitDates.get(draft ? (head ?? '') : ed.commit);
    const creationDate = opts.creationDate ?? new Date(commitDate ?? `${ed.date}T00:00:00Z`);
    const parts: InputParts = {
      content: hash,
      edition: sha(JSON.stringify({ edition, prev: prev?.commit ?? null, creationDate: creationDate.toISOString() })),
      template: templateFiles.digest,
      renderer: rendererFingerprint(),
      font: fonts.id,
    };
    const iHash = inputHash(parts);
    const old = previous?.publications.find((e) => e.id === pub.id);
    const reason: string[] = [];
    if (opts.force) reason.push('forced');
    if (!old) reason.push('new');
    else {
      // a new edition follows from new content: the edition is named as a reason only when it is the whole story
      if (old.inputHash !== iHash) for (const k of ['content', 'edition', 'template', 'renderer', 'font'] as const) if (old.inputs[k] !== parts[k] && !(k === 'edition' && reason.includes('content'))) reason.push(k);
      if (reason.length === 0) {
        for (const f of old.files) {
          if (!(await fileIntact(opts.outDir, f))) {
            reason.push('output-missing-or-altered');
            break;
          }
        }
      }
    }
    plans.push({ pub, scope: scopeOf(corpus.index, graph, pub), edition, parts, hash: iHash, old, reason, creationDate, prevCommit: prev?.commit });
  }

  // render what needs it
  const { parseMarkup } = await import('../render/markup.js');
  const { renderHtml } = await import('../render/html.js');
  const { renderPdf } = await import('../render/pdf.js');
  const todo = plans.filter((p) => p.reason.length > 0);
  const corpora = new Map<string, Corpus>();
  const corpusAt = async (commit: string) => {
    let c = corpora.get(commit);
    if (!c) {
      c = await loadCorpus(session, { kind: 'commit', commit });
      corpora.set(commit, c);
    }
    return c;
  };
  const written = new Map<string, { pages: number; files: ManifestFile[] }>();
  let done = 0;
  for (const plan of todo) {
    opts.onProgress?.(done++, todo.length, plan.pub.id);
    const before = plan.prevCommit ? await corpusAt(plan.prevCommit) : undefined;
    const changes = before ? await changesFor(session, before, corpus, plan.scope) : [];
    // the provisions behind a content change, from the edition this folder last had
    if (plan.reason.includes('content') && plan.old) {
      const oldCommit = plan.old.sourceCommit;
      let ids: string[] = [];
      if (/^[0-9a-f]{40}$/.test(oldCommit)) {
        try {
          ids = changedIds(await changesFor(session, await corpusAt(oldCommit), corpus, plan.scope));
        } catch {
          ids = []; // the old commit is not in this repository (another clone's output): the reason stays "content"
        }
      }
      plan.reason = [...ids, ...plan.reason.filter((r) => r !== 'content' || ids.length === 0)];
    }
    const anchors = viewAnchors(plan.scope, plan.pub.kind === 'commodity-guidance');
    const comm = commentary.byPublication.get(plan.pub.id);
    const view = publicationView(
      {
        publication: plan.pub,
        sector: catalogue.sectors.find((s) => s.id === plan.pub.sector),
        index: corpus.index,
        previousIndex: before?.index,
        scope: plan.scope,
        citations: citationsBySource,
        edition: plan.edition,
        changes,
        commentary: comm ? commentaryInput(corpus.index, anchors, comm) : undefined,
      },
      anchors,
    );
    const markup = templates.render(plan.pub.template, view);
    const doc = parseMarkup(markup, `${plan.pub.template}.hbs (output for ${plan.pub.id})`);
    const pdf = await renderPdf(doc, { fonts, creationDate: plan.creationDate });
    const html = renderHtml(doc);
    const files: ManifestFile[] = [];
    for (const [rel, data] of [[`pdf/${plan.pub.id}.pdf`, pdf.bytes], [`html/${plan.pub.id}.html`, html]] as const) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      await writeFileAtomic(path.join(opts.outDir, rel), bytes);
      files.push({ path: rel, sha256: sha256(bytes), bytes: bytes.length });
    }
    written.set(plan.pub.id, { pages: pdf.pages, files });
  }
  if (todo.length > 0) opts.onProgress?.(todo.length, todo.length, 'done');

  const planned: ManifestEntry[] = plans.map((p) => {
    const w = written.get(p.pub.id);
    return {
      id: p.pub.id,
      kind: p.pub.kind,
      title: p.pub.title,
      edition: p.edition.number,
      draft: p.edition.draft,
      editionDate: p.edition.date,
      sourceCommit: p.edition.commit,
      inputHash: p.hash,
      inputs: p.parts,
      pages: w?.pages ?? p.old?.pages ?? 0,
      files: w?.files ?? p.old?.files ?? [],
    };
  });
  // with --only, the other publications stay as the manifest had them, in catalogue order
  const entries = catalogue.publications.flatMap((pub) => {
    const e = planned.find((x) => x.id === pub.id) ?? (opts.only ? previous?.publications.find((x) => x.id === pub.id) : undefined);
    return e ? [e] : [];
  });
  // the change feeds, from the history of the revision built (work tree changes are not history yet)
  let feeds: ManifestFile[] = previous?.feeds ?? [];
  if (!opts.only && head) {
    const { buildFeeds } = await import('./feeds.js');
    const rows = [...new Set(catalogue.publications.flatMap((p) => p.rows))];
    const files = await buildFeeds(session, head, opts.siteUrl ?? 'https://regpress.example/', rows);
    feeds = [];
    for (const [rel, text] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const bytes = Buffer.from(text, 'utf8');
      const digest = sha256(bytes);
      const old = previous?.feeds?.find((f) => f.path === rel);
      if (!old || old.sha256 !== digest || !(await fileIntact(opts.outDir, old))) await writeFileAtomic(path.join(opts.outDir, rel), bytes);
      feeds.push({ path: rel, sha256: digest, bytes: bytes.length });
    }
  }
  const manifest: Manifest = { format: MANIFEST_FORMAT, revision: revLabel, publications: entries, feeds };
  // files of publications and feeds no longer built go before the portal is made from the folder
  // (the staged generation is published whole, so no reader sees the folder in between)
  const kept = new Set([...entries.flatMap((e) => e.files.map((f) => f.path)), ...feeds.map((f) => f.path)]);
  for (const f of [...(previous?.publications ?? []).flatMap((e) => e.files), ...(previous?.feeds ?? [])]) if (!kept.has(f.path)) await rm(path.join(opts.outDir, f.path), { force: true });
  // the portal, with the PDFs and feeds of this build
  if (!opts.only) {
    const { buildSite } = await import('./site.js');
    opts.onProgress?.(0, 1, 'site');
    await buildSite(session, corpus, { outDir: opts.outDir, head, publications: entries, asOf: opts.creationDate?.toISOString().slice(0, 10) ?? lastPoint?.date ?? '1970-01-01', templatesDir: templateDir });
  }
  const manifestText = formatManifest(manifest);
  const unchanged = previous && formatManifest(previous) === manifestText;
  if (!unchanged) await writeFileAtomic(manifestPath, manifestText);

  return {
    revision: revLabel,
    outDir: opts.outDir,
    diagnostics: sorted,
    ok: true,
    publications: planned.map((e) => {
      const plan = plans.find((p) => p.pub.id === e.id) as Plan;
      return { id: e.id, kind: e.kind, title: e.title, edition: e.edition, draft: e.draft, editionDate: e.editionDate, sourceCommit: e.sourceCommit, regenerated: written.has(e.id), reason: written.has(e.id) ? plan.reason : [], pages: e.pages, files: e.files };
    }),
  };
}

function commentaryInput(index: CorpusIndex, anchors: ReadonlySet<string>, c: Commentary): CommentaryInput {
  const link = (href: string): string | null => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return isAllowedHref(href) ? href : null;
    const target = resolveHref(index, undefined, href).targets[0]?.id;
    if (!target) return null;
    for (let q: string | undefined = target; q; q = index.parents.get(q)?.id) if (anchors.has(q)) return `#${q}`;
    return null;
  };
  const rows = new Map<string, ReturnType<typeof commentaryViews>>();
  for (const s of c.sections) {
    const target = resolveHref(index, undefined, s.href).targets[0]?.id;
    if (target) rows.set(target, [...(rows.get(target) ?? []), ...commentaryViews(s.blocks, link)]);
  }
  return { intro: commentaryViews(c.intro, link), rows };
}

/**
 * The publications a change between two corpora re-issues: those that show
 * a provision that changed, with the changed provisions as the reason.
 */
export async function affectedPublications(session: Session, before: Corpus, after: Corpus): Promise<{ id: string; kind: string; title: string; because: string[] }[]> {
  // history older than the catalogue is read with today's catalogue, as editions are
  const catalogue = (await loadCatalogue(session, after)).catalogue ?? (await loadCatalogue(session, { ...after, revision: { kind: 'worktree' } })).catalogue;
  if (!catalogue) return [];
  const graph = buildGraph(after.index, await corpusCitations(session, after));
  const out: { id: string; kind: string; title: string; because: string[] }[] = [];
  for (const pub of catalogue.publications) {
    const ids = changedIds(await changesFor(session, before, after, scopeOf(after.index, graph, pub)));
    if (ids.length > 0) out.push({ id: pub.id, kind: pub.kind, title: pub.title, because: ids });
  }
  return out;
}

/** Every edition of every publication along the history of a revision (default HEAD). */
export async function publicationEditions(session: Session, at: string | undefined): Promise<{ id: string; title: string; kind: string; editions: Edition[] }[]> {
  const head = await session.repo.resolveRevision(at ?? 'HEAD');
  const corpus = await loadCorpus(session, { kind: 'commit', commit: head });
  // history older than the catalogue is numbered with today's catalogue, as build does
  const catalogue = (await loadCatalogue(session, corpus)).catalogue ?? (await loadCatalogue(session, { ...corpus, revision: { kind: 'worktree' } })).catalogue;
  if (!catalogue) throw new BuildInputError(`there is no publications catalogue at ${at ?? 'HEAD'}`);
  const history = await hashHistory(session, catalogue, head);
  return catalogue.publications.map((p) => ({ id: p.id, title: p.title, kind: p.kind, editions: editionsOf(history.points, p.id) }));
}
