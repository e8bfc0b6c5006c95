/**
 * links and impact: the cross-layer graph at a provision, and what a change
 * between two revisions reaches through it.
 */
import { linksOf, type Edge } from '../link/graph.js';
import { impactOf } from '../link/impact.js';
import { citeById, locate, type CorpusIndex } from '../model/locate.js';
import { loadCorpus, resolveRevision } from '../pipeline/corpus.js';
import { diffCorpora } from '../pipeline/diff.js';
import { corpusGraph } from '../pipeline/links.js';
import { withSession } from './commands.js';
import { EXIT_OK, UsageError, type CommandEnv } from './main.js';

function label(index: CorpusIndex, id: string): string {
  return citeById(index, id) ?? id;
}

export async function linksCommand(env: CommandEnv, ref: string, opts: { at?: string; json?: boolean }): Promise<number> {
  const { io, colors } = env;
  return withSession(env, async (session) => {
    const corpus = await loadCorpus(session, await resolveRevision(session, opts.at));
    const { provision } = locate(corpus.index, ref);
    if (!provision) throw new UsageError(`links needs a provision, not a whole instrument: ${ref}`);
    const graph = await corpusGraph(session, corpus);
    const n = linksOf(graph, provision.id);
    const entry = (e: Edge, other: string) => ({ id: other, citation: label(corpus.index, other), ...(e.text ? { text: e.text } : {}), ...(e.basis ? { basis: e.basis } : {}), at: e.from });
    const out = {
      id: provision.id,
      citation: label(corpus.index, provision.id),
      cites: n.cites.map((e) => entry(e, e.to)),
      citedBy: n.citedBy.map((e) => entry(e, e.from)),
      specifies: n.specifies.map((e) => entry(e, e.to)),
      specifiedBy: n.specifiedBy.map((e) => entry(e, e.from)),
    };
    if (opts.json) {
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT_OK;
    }
    io.stdout(`${colors.bold(out.id)}  ${out.citation}\n`);
    for (const [title, list] of [['cites', out.cites], ['cited by', out.citedBy], ['specifies', out.specifies], ['specified by', out.specifiedBy]] as const) {
      io.stdout(`\n${colors.bold(title)} (${list.length})\n`);
      for (const x of list) {
        // edges of the provision's own parts (its row items) say which part they are at
        const part = title === 'cites' || title === 'specifies' ? (x.at !== out.id ? colors.dim(`  at ${x.at.slice(out.id.length + 1)}`) : '') : '';
        io.stdout(`  ${x.id}  ${x.citation}${x.text ? colors.dim(`  「${x.text}」`) : ''}${x.basis === 'wording' ? colors.dim(' (by wording)') : ''}${part}\n`);
      }
    }
    return EXIT_OK;
  });
}

export async function impactCommand(env: CommandEnv, from: string, to: string | undefined, opts: { json?: boolean; depth?: string }): Promise<number> {
  const { io, colors } = env;
  const depth = opts.depth === undefined ? 3 : Number(opts.depth);
  if (!Number.isInteger(depth) || depth < 1 || depth > 10) throw new UsageError(`--depth ${opts.depth}: give a whole number from 1 to 10`);
  return withSession(env, async (session) => {
    const before = await loadCorpus(session, await resolveRevision(session, from));
    const after = await loadCorpus(session, await resolveRevision(session, to));
    const diff = await diffCorpora(session, before, after);
    const changes = diff.instruments.flatMap((i) => i.changes);
    const graph = await corpusGraph(session, after);
    const changedIds = [...new Set(changes.map((c) => (c.kind === 'removed' ? (diff.instruments.find((i) => i.instrument === c.instrument)?.renumbering[c.id] ?? c.id) : c.id)))];
    const affected = impactOf(graph, changedIds, depth);
    const out = {
      from: diff.from,
      to: diff.to,
      changed: changes.map((c) => ({ id: c.id, kind: c.kind, citation: label(c.kind === 'removed' ? before.index : after.index, c.id) })),
      affected: affected.map((a) => ({ id: a.id, citation: label(after.index, a.id), via: a.via })),
      // the Parameter Sheets and Commodity Guidance that show a changed provision
      publications: await (await import('../pipeline/build.js')).affectedPublications(session, before, after),
    };
    if (opts.json) {
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT_OK;
    }
    io.stdout(`${colors.bold('changed')} (${out.changed.length})\n`);
    for (const c of out.changed) io.stdout(`  ${c.kind.padEnd(12)} ${c.id}  ${c.citation}\n`);
    io.stdout(`\n${colors.bold('affected')} (${out.affected.length})\n`);
    for (const a of out.affected) {
      io.stdout(`  ${a.id}  ${a.citation}\n`);
      io.stdout(colors.dim(`      because ${a.via.map((s) => `${label(after.index, s.to)} ${s.type === 'cites' ? 'cites' : s.type === 'specifies' ? 'is specified by' : 'specifies'} ${label(after.index, s.from)}`).join('; ')}\n`));
    }
    io.stdout(`\n${colors.bold('publications re-issued')} (${out.publications.length})\n`);
    for (const p of out.publications) io.stdout(`  ${p.id}  ${p.title}${colors.dim(`  (${p.because.length} changed provision${p.because.length === 1 ? '' : 's'})`)}\n`);
    return EXIT_OK;
  });
}
