/**
 * The commands: each takes parsed options, calls the pipeline and prints.
 */
import { citeProvision, locate } from '../model/locate.js';
import { walkProvisions } from '../model/text.js';
import type { Diagnostic, Provision } from '../model/types.js';
import { loadCorpus, openSession, resolveRevision, type Corpus } from '../pipeline/corpus.js';
import { formatDiagnostic, formatProvisionText, formatProvisionTitle } from '../render/text.js';
import { EXIT_CONTENT, EXIT_OK, type CommandEnv } from './main.js';

async function withCorpus<T>(env: CommandEnv, at: string | undefined, f: (c: Corpus) => T | Promise<T>): Promise<T> {
  const session = await openSession(env.ctx);
  try {
    const revision = await resolveRevision(session, at);
    return await f(await loadCorpus(session, revision));
  } finally {
    session.close();
  }
}

function revisionLabel(c: Corpus): string {
  switch (c.revision.kind) {
    case 'commit':
      return c.revision.commit;
    case 'worktree':
      return 'worktree';
    case 'as-of':
      return `as-of ${c.revision.date}`;
  }
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

export async function checkCommand(env: CommandEnv, opts: { at?: string; json?: boolean; summary?: boolean; maxWarnings?: number }): Promise<number> {
  const { io, colors } = env;
  return withCorpus(env, opts.at, (corpus) => {
    const { errors, warnings } = counts(corpus.diagnostics);
    if (opts.json) {
      const out = {
        revision: revisionLabel(corpus),
        instruments: corpus.instruments.map((i) => ({ id: i.id, file: i.file, title: i.meta.title, layer: i.meta.layer, provisions: countProvisions(i.provisions) })),
        diagnostics: corpus.diagnostics.map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, rule: d.rule, message: d.message })),
      };
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      for (const d of corpus.diagnostics) io.stdout(`${formatDiagnostic(d, colors)}\n`);
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
