/**
 * The commands: each takes parsed options, calls the pipeline and prints.
 */
import { citeProvision, KNOWN_ALIASES, locate, shortName } from '../model/locate.js';
import type { CorpusDiff } from '../diff/types.js';
import { diffCorpora, revisionLabel as revisionName } from '../pipeline/diff.js';
import { checkCorpus, corpusCitations, corpusGraph } from '../pipeline/links.js';
import { corpusLog, provisionHistory, type ChangeCounts } from '../pipeline/history.js';
import { formatRedline } from '../diff/text.js';
import { isDate } from '../model/versions.js';
import { formatDiffHtml, formatDiffMarkdown, formatDiffText, type DiffPresentation } from '../render/diff-text.js';
import { walkProvisions } from '../model/text.js';
import type { Diagnostic, Provision } from '../model/types.js';
import { loadCorpus, openSession, resolveRevision, type Corpus, type Session } from '../pipeline/corpus.js';
import { formatDiagnostic, formatProvisionText, formatProvisionTitle } from '../render/text.js';
import { EXIT_CONTENT, EXIT_OK, UsageError, type CommandEnv } from './main.js';

/** A session for one command, always closed (its git process ends with it). */
export async function withSession<T>(env: CommandEnv, f: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(env.ctx);
  try {
    return await f(session);
  } finally {
    session.close();
  }
}

async function withCorpus<T>(env: CommandEnv, at: string | undefined, f: (c: Corpus) => T | Promise<T>): Promise<T> {
  return withSession(env, async (session) => f(await loadCorpus(session, await resolveRevision(session, at))));
}

function revisionLabel(c: Corpus): string {
  return revisionName(c.revision);
}

function countProvisions(list: readonly Provision[]): number {
  let n = 0;
  for (const _ of walkProvisions(list)) n++;
  return n;
}

function counts(ds: readonly Diagnostic[]) {
  return {
    errors: ds.filter((d) => d.severity === 'error').length,
    warnings: ds.filter((d) => d.severity === 'warning').length,
  };
}

export async function checkCommand(env: CommandEnv, opts: { at?: string; json?: boolean; summary?: boolean; maxWarnings?: number; verbose?: boolean }): Promise<number> {
  return withSession(env, async (session) => {
    const corpus = await loadCorpus(session, await resolveRevision(session, opts.at));
    corpus.diagnostics = await checkCorpus(session, corpus);
    return checkReport(env, corpus, opts);
  });
}

function checkReport(env: CommandEnv, corpus: Corpus, opts: { json?: boolean; summary?: boolean; maxWarnings?: number; verbose?: boolean }): number {
  const { io, colors } = env;
  {
    const { errors, warnings } = counts(corpus.diagnostics);
    if (opts.json) {
      const out = {
        revision: revisionLabel(corpus),
        instruments: corpus.instruments.map((i) => ({ id: i.id, file: i.file, title: i.meta.title, layer: i.meta.layer, provisions: countProvisions(i.provisions) })),
        diagnostics: corpus.diagnostics.map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, rule: d.rule, message: d.message })),
      };
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      for (const d of corpus.diagnostics) if (d.severity !== 'info' || opts.verbose) io.stdout(`${formatDiagnostic(d, colors)}\n`);
      if (opts.summary) {
        io.stdout(`\n${colors.bold('instrument')}\t${colors.bold('layer')}\t${colors.bold('provisions')}\t${colors.bold('title')}\n`);
        for (const i of corpus.instruments) io.stdout(`${i.id}\t${i.meta.layer}\t${countProvisions(i.provisions)}\t${i.meta.title}\n`);
      }
      const total = corpus.instruments.reduce((n, i) => n + countProvisions(i.provisions), 0);
      const summary = `${corpus.instruments.length} instruments, ${total} provisions at ${revisionLabel(corpus).replace(/^([0-9a-f]{12})[0-9a-f]{28}$/, '$1')}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
      io.stdout(`${errors > 0 ? colors.red(summary) : colors.green(summary)}\n`);
    }
    const tooManyWarnings = opts.maxWarnings !== undefined && warnings > opts.maxWarnings;
    return errors > 0 || tooManyWarnings ? EXIT_CONTENT : EXIT_OK;
  }
}

export async function citationsCommand(env: CommandEnv, opts: { instrument?: string; at?: string; json?: boolean; status?: string }): Promise<number> {
  const { io, colors } = env;
  return withSession(env, async (session) => {
    const corpus = await loadCorpus(session, await resolveRevision(session, opts.at));
    const only = instrumentFilter([corpus], opts.instrument);
    const all = (await corpusCitations(session, corpus)).filter((c) => (!only || only.has(c.source.split('/')[0] ?? '')) && (!opts.status || c.status === opts.status));
    const fileOf = new Map(corpus.instruments.map((i) => [i.id, i.file]));
    if (opts.json) {
      io.stdout(`${JSON.stringify({ revision: revisionLabel(corpus), citations: all.map((c) => ({ source: c.source, file: fileOf.get(c.source.split('/')[0] ?? ''), text: c.text, line: c.line, column: c.column, status: c.status, ...(c.external ? { external: c.external } : {}), targets: c.targets })) }, null, 2)}\n`);
      return EXIT_OK;
    }
    for (const c of all) {
      const where = `${fileOf.get(c.source.split('/')[0] ?? '')}:${c.line}:${c.column}`;
      const to = c.status === 'resolved' ? c.targets.map((t) => t.id).join(', ') : c.status === 'external' ? `external: ${c.external}` : colors.yellow(`unresolved: ${c.reason ?? ''}`);
      io.stdout(`${colors.bold(where)} 「${c.text}」 → ${to}\n`);
    }
    const n = (s: string) => all.filter((c) => c.status === s).length;
    io.stdout(`${all.length} citations: ${n('resolved')} resolved, ${n('external')} external, ${n('unresolved')} unresolved\n`);
    return EXIT_OK;
  });
}

export async function showCommand(env: CommandEnv, ref: string, opts: { at?: string; json?: boolean }): Promise<number> {
  const { io, colors } = env;
  return withCorpus(env, opts.at, (corpus) => {
    const { instrument, provision } = locate(corpus.index, ref);
    if (opts.json) {
      const out = {
        revision: revisionLabel(corpus),
        instrument: { id: instrument.id, title: instrument.meta.title, file: instrument.file, layer: instrument.meta.layer },
        citation: provision ? citeProvision(corpus.index, provision) : '',
        provision: provision ?? null,
        ...(provision ? {} : { provisions: instrument.provisions }),
      };
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT_OK;
    }
    io.stdout(`${formatProvisionTitle(corpus.index, instrument, provision, colors)}\n`);
    if (provision) io.stdout(`${formatProvisionText(provision, colors)}\n`);
    else for (const p of instrument.provisions) io.stdout(`${formatProvisionText(p, colors)}\n`);
    return EXIT_OK;
  });
}

export async function exportCommand(env: CommandEnv, opts: { at?: string }): Promise<number> {
  const { io } = env;
  return withCorpus(env, opts.at, (corpus) => {
    const out = {
      revision: revisionLabel(corpus),
      instruments: corpus.instruments,
      diagnostics: corpus.diagnostics,
    };
    io.stdout(`${JSON.stringify(out)}\n`);
    return counts(corpus.diagnostics).errors > 0 ? EXIT_CONTENT : EXIT_OK;
  });
}

function instrumentFilter(corpora: Corpus[], ref: string | undefined): Set<string> | undefined {
  if (ref === undefined) return undefined;
  for (const c of corpora) {
    const id = c.index.instruments.has(ref) ? ref : c.index.names.get(ref);
    if (id !== undefined) return new Set([id]);
  }
  const known = Object.entries(KNOWN_ALIASES).find(([id, names]) => id === ref || names.includes(ref));
  if (known) return new Set([known[0]]);
  throw new UsageError(`--instrument ${ref} names no instrument in either revision`);
}

function presentation(before: Corpus, after: Corpus): DiffPresentation {
  return {
    cite: (id, side) => {
      const c = side === 'old' ? before : after;
      const p = c.index.provisions.get(id);
      return p ? citeProvision(c.index, p) : '';
    },
    name: (id) => {
      const ins = after.index.instruments.get(id) ?? before.index.instruments.get(id);
      return ins ? shortName(ins) : id;
    },
  };
}

export async function diffCommand(env: CommandEnv, from: string, to: string | undefined, opts: { instrument?: string; format?: string; json?: boolean }): Promise<number> {
  const { io, colors } = env;
  const format = opts.json ? 'json' : (opts.format ?? 'text');
  if (!['text', 'json', 'md', 'html', 'shinkyu'].includes(format)) throw new UsageError(`--format ${format}: choose text, json, md, html or shinkyu`);
  return withSession(env, async (session) => {
    const a = await resolveRevision(session, from);
    const b = await resolveRevision(session, to);
    const before = await loadCorpus(session, a);
    const after = await loadCorpus(session, b);
    const only = instrumentFilter([after, before], opts.instrument);
    const diff = await diffCorpora(session, before, after, only);
    const p = presentation(before, after);
    switch (format) {
      case 'json':
        io.stdout(`${JSON.stringify(diffJson(diff), null, 2)}\n`);
        break;
      case 'md':
        io.stdout(formatDiffMarkdown(diff, p));
        break;
      case 'html':
        io.stdout(formatDiffHtml(diff, p));
        break;
      case 'shinkyu': {
        const { renderShinkyuHtml } = await import('../render/shinkyu.js');
        io.stdout(renderShinkyuHtml(diff, before.index, after.index));
        break;
      }
      default:
        io.stdout(formatDiffText(diff, p, colors));
    }
    return EXIT_OK;
  });
}

/** The JSON contract: {from, to, changes:[…]} with every instrument's changes in one list. */
export function diffJson(diff: CorpusDiff) {
  return {
    from: diff.from,
    to: diff.to,
    instruments: diff.instruments.filter((i) => i.status !== 'unchanged').map((i) => ({ instrument: i.instrument, title: i.title, status: i.status, metadata: i.metadata, renumbering: i.renumbering })),
    changes: diff.instruments.flatMap((i) => i.changes),
  };
}

function countsText(c: ChangeCounts): string {
  const parts: string[] = [];
  if (c.added) parts.push(`${c.added} added`);
  if (c.removed) parts.push(`${c.removed} removed`);
  if (c.modified) parts.push(`${c.modified} modified`);
  if (c.renumbered) parts.push(`${c.renumbered} renumbered`);
  if (c.moved) parts.push(`${c.moved} moved`);
  if (c['became-削除']) parts.push(`${c['became-削除']} became 削除`);
  return parts.length ? parts.join(', ') : 'no provision changed';
}

export async function logCommand(env: CommandEnv, opts: { instrument?: string; json?: boolean; asOf?: string; at?: string }): Promise<number> {
  const { io, colors } = env;
  const asOf = opts.asOf ?? env.today;
  if (!isDate(asOf)) throw new UsageError(`--as-of ${asOf} is not a date YYYY-MM-DD`);
  return withSession(env, async (session) => {
    const head = await session.repo.resolveRevision(opts.at ?? 'HEAD');
    let only: Set<string> | undefined;
    if (opts.instrument !== undefined) only = instrumentFilter([await loadCorpus(session, { kind: 'commit', commit: head })], opts.instrument);
    const entries = await corpusLog(session, head, asOf, only);
    if (opts.json) {
      io.stdout(`${JSON.stringify({ head, asOf, revisions: entries }, null, 2)}\n`);
      return EXIT_OK;
    }
    for (const e of entries) {
      io.stdout(`${colors.yellow(e.commit.slice(0, 12))} ${e.date.slice(0, 10)} ${e.subject}\n`);
      for (const i of e.instruments) {
        io.stdout(`    ${i.id}  effective ${i.effective}  ${i.status}  ${countsText(i.counts)}\n`);
      }
    }
    return EXIT_OK;
  });
}

export async function historyCommand(env: CommandEnv, ref: string, opts: { json?: boolean; at?: string }): Promise<number> {
  const { io, colors } = env;
  return withSession(env, async (session) => {
    const head = await session.repo.resolveRevision(opts.at ?? 'HEAD');
    const corpus = await loadCorpus(session, { kind: 'commit', commit: head });
    const { instrument, provision } = locate(corpus.index, ref);
    if (!provision) throw new UsageError(`history needs a provision, not a whole instrument: ${ref}`);
    const versions = await provisionHistory(session, head, instrument.file, provision.id);
    if (opts.json) {
      io.stdout(`${JSON.stringify({ id: provision.id, citation: citeProvision(corpus.index, provision), versions }, null, 2)}\n`);
      return EXIT_OK;
    }
    io.stdout(`${formatProvisionTitle(corpus.index, instrument, provision, colors)}: ${versions.length} version${versions.length === 1 ? '' : 's'}\n`);
    for (const v of versions) {
      const kind = v.change ? v.change.kind : versions[versions.length - 1] === v ? 'first seen' : 'changed below';
      const renamed = v.change?.oldId && v.change.oldId !== v.id ? ` (was ${v.change.oldId})` : '';
      io.stdout(`\n${colors.yellow(v.commit.slice(0, 12))} ${v.date.slice(0, 10)} effective ${v.effective}  ${kind}${renamed}\n`);
      if (v.change?.redline) io.stdout(`  ${formatRedline(v.change.redline).replace(/\n/g, '\n  ')}\n`);
      else io.stdout(`  ${v.text.replace(/\n/g, '\n  ')}\n`);
    }
    return EXIT_OK;
  });
}

/** `graph`: the layer graph of the corpus, or the neighbourhood of one provision, as SVG, DOT or JSON. */
export async function graphCommand(env: CommandEnv, opts: { format?: string; around?: string; depth?: string; at?: string }): Promise<number> {
  const { io } = env;
  const format = opts.format ?? 'svg';
  if (format !== 'svg' && format !== 'dot' && format !== 'json') throw new UsageError(`--format ${format}: choose svg, dot or json`);
  if (opts.depth !== undefined && opts.around === undefined) throw new UsageError('--depth goes with --around: the layer graph has no depth');
  if (opts.depth !== undefined && !/^\d{1,2}$/.test(opts.depth)) throw new UsageError(`--depth ${opts.depth} is not a number of links (0 to 99)`);
  const depth = opts.depth === undefined ? 1 : Number(opts.depth);
  const { layerGraphView, neighbourhoodView, toDot, toJson, toSvg } = await import('../render/graph.js');
  return withSession(env, async (session) => {
    const corpus = await loadCorpus(session, await resolveRevision(session, opts.at));
    const graph = await corpusGraph(session, corpus);
    let view;
    if (opts.around === undefined) {
      view = layerGraphView(corpus.index, graph);
    } else {
      const { provision } = locate(corpus.index, opts.around);
      if (!provision) throw new UsageError(`--around needs a provision, not a whole instrument: ${opts.around}`);
      view = neighbourhoodView(corpus.index, graph, provision.id, depth);
    }
    view.revision = revisionLabel(corpus);
    io.stdout(format === 'dot' ? toDot(view) : format === 'json' ? toJson(view) : toSvg(view));
    return EXIT_OK;
  });
}
