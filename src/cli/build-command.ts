/**
 * `build`: the publications into the output folder, with a progress bar on
 * a terminal and a report of what was regenerated and why.
 */
import path from 'node:path';
import { BuildInputError, buildPublications, publicationEditions } from '../pipeline/build.js';
import { NotAnOutputFolderError } from '../publish/generations.js';
import { LockedError, OutputWriteError } from '../publish/output.js';
import { formatDiagnostic } from '../render/text.js';
import { withSession } from './commands.js';
import { sourceDateEpoch } from './source-date.js';
import { EXIT_CONTENT, EXIT_IO, EXIT_OK, UsageError, type CommandEnv } from './main.js';

function progressBar(env: CommandEnv): ((done: number, total: number, label: string) => void) | undefined {
  const { io } = env;
  if (!io.stderrIsTTY) return undefined;
  let lastPhase = '';
  return (done, total, label) => {
    const phase = label === 'editions' ? 'editions' : 'render';
    if (phase !== lastPhase && lastPhase !== '') io.stderr('\n');
    lastPhase = phase;
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const what = phase === 'editions' ? 'numbering editions' : label === 'done' ? 'rendered' : `rendering ${label}`;
    io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${what}\x1b[K`);
    if (label === 'done') io.stderr('\n');
  };
}

export async function buildCommand(env: CommandEnv, opts: { at?: string; out?: string; json?: boolean; force?: boolean; only?: string; siteUrl?: string }): Promise<number> {
  if (opts.siteUrl !== undefined && !/^https:\/\/[^\s<>"]+$/.test(opts.siteUrl)) throw new UsageError(`--site-url ${opts.siteUrl}: give an https URL`);
  const { io, colors } = env;
  const creationDate = sourceDateEpoch(io.env);
  return withSession(env, async (session) => {
    const outDir = opts.out !== undefined ? path.resolve(io.cwd, opts.out) : path.join(session.repo.root, 'output');
    let result;
    try {
      const only = opts.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
      result = await buildPublications(session, { at: opts.at, outDir, creationDate, force: opts.force === true, only, siteUrl: opts.siteUrl, onProgress: progressBar(env) });
    } catch (e) {
      if (e instanceof BuildInputError || e instanceof NotAnOutputFolderError) throw new UsageError(e.message);
      if (e instanceof LockedError) {
        io.stderr(`regpress: ${e.message}\n`);
        return EXIT_CONTENT;
      }
      if (e instanceof OutputWriteError) {
        // the staged generation is gone; what was published before is still what is served
        const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
        io.stderr(`regpress: ${e.message}${e.code === 'ENOSPC' || e.code === 'EDQUOT' ? '' : cause}; nothing was published, the previous output is unchanged\n`);
        return EXIT_IO;
      }
      throw e;
    }
    if (opts.json) {
      io.stdout(`${JSON.stringify({ revision: result.revision, outDir: result.outDir, ok: result.ok, generation: result.generation ?? null, published: result.published ?? false, diagnostics: result.diagnostics.filter((d) => d.severity !== 'info'), publications: result.publications }, null, 2)}\n`);
    } else {
      for (const d of result.diagnostics) if (d.severity === 'error') io.stdout(`${formatDiagnostic(d, colors)}\n`);
      if (!result.ok) {
        io.stdout(`${colors.red('build stopped: nothing was written')}\n`);
      } else {
        const regenerated = result.publications.filter((p) => p.regenerated);
        for (const p of result.publications) {
          const mark = p.regenerated ? colors.green('built') : colors.dim('same ');
          const why = p.regenerated ? colors.dim(`  ${p.reason.slice(0, 6).join(', ')}${p.reason.length > 6 ? ` (+${p.reason.length - 6})` : ''}`) : '';
          io.stdout(`${mark} ${p.id.padEnd(16)} 第${p.edition}版${p.draft ? '（草稿）' : ''} ${p.editionDate} ${String(p.pages).padStart(4)} pages${why}\n`);
        }
        const rel = path.relative(io.cwd, result.outDir) || '.';
        io.stdout(result.published ? `generation ${result.generation ?? '?'} published\n` : `nothing changed: generation ${result.generation ?? '(none)'} stays current\n`);
        io.stdout(`${regenerated.length} of ${result.publications.length} publications regenerated; PDFs in ${path.join(rel, 'pdf')}, HTML in ${path.join(rel, 'html')}, feeds in ${path.join(rel, 'feeds')}, manifest ${path.join(rel, 'manifest.json')}\n`);
      }
    }
    return result.ok ? EXIT_OK : EXIT_CONTENT;
  });
}

export async function editionsCommand(env: CommandEnv, opts: { at?: string; json?: boolean; publication?: string }): Promise<number> {
  const { io, colors } = env;
  return withSession(env, async (session) => {
    let pubs;
    try {
      pubs = await publicationEditions(session, opts.at);
    } catch (e) {
      if (e instanceof BuildInputError) throw new UsageError(e.message);
      throw e;
    }
    if (opts.publication !== undefined) {
      pubs = pubs.filter((p) => p.id === opts.publication);
      if (pubs.length === 0) throw new UsageError(`no publication ${opts.publication} in the catalogue`);
    }
    if (opts.json) {
      io.stdout(`${JSON.stringify({ publications: pubs.map((p) => ({ id: p.id, title: p.title, kind: p.kind, editions: p.editions.map((e) => ({ number: e.number, date: e.date, commit: e.commit, contentHash: e.hash })) })) }, null, 2)}\n`);
      return EXIT_OK;
    }
    for (const p of pubs) {
      io.stdout(`${colors.bold(p.id)}  ${p.title}\n`);
      for (const e of [...p.editions].reverse()) io.stdout(`  第${e.number}版  ${e.date}  ${e.commit.slice(0, 12)}\n`);
    }
    return EXIT_OK;
  });
}
