/**
 * `serve`: the portal from output/site on a local port; with --watch, the
 * editors' live preview: a change under regulations/ or templates/ rebuilds
 * the pages that show the texts (the publications follow), and every open
 * page reloads.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { BUILD_LOCK, buildPublications } from '../pipeline/build.js';
import { loadCorpus } from '../pipeline/corpus.js';
import { buildSite, compareAny } from '../pipeline/site.js';
import { readManifest } from '../publish/manifest.js';
import { LockedError, lockFolder } from '../publish/output.js';
import { serveSite } from '../publish/server.js';
import { withSession } from './commands.js';
import { EXIT_CONTENT, EXIT_OK, UsageError, type CommandEnv } from './main.js';
import { formatDiagnostic } from '../render/text.js';

export async function serveCommand(env: CommandEnv, opts: { port?: string; out?: string; watch?: boolean; host?: string }): Promise<number> {
  const { io } = env;
  const port = Number(opts.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${opts.port}: a number from 0 to 65535`);
  return withSession(env, async (session) => {
    const outDir = opts.out !== undefined ? path.resolve(io.cwd, opts.out) : path.join(session.repo.root, 'output');
    const root = path.join(outDir, 'site');
    if (!existsSync(path.join(root, 'index.html'))) {
      io.stderr('regpress serve: no site yet; building it first\n');
      const built = await buildPublications(session, { outDir });
      if (!built.ok) {
        for (const d of built.diagnostics) if (d.severity === 'error') io.stdout(`${formatDiagnostic(d, env.colors)}\n`);
        io.stderr('regpress serve: the site cannot be built until these are fixed\n');
        return EXIT_CONTENT;
      }
    }
    const server = await serveSite({
      root,
      port,
      host: opts.host ?? '127.0.0.1',
      liveReload: opts.watch === true,
      dynamicPrefixes: ['/compare'],
      dynamic: async (url) => {
        if (url.pathname !== '/compare') return undefined;
        const from = url.searchParams.get('from');
        const to = url.searchParams.get('to');
        if (!from || !to) return { status: 400, type: 'text/plain; charset=utf-8', body: 'compare needs ?from=REV&to=REV (revisions or dates YYYY-MM-DD)' };
        try {
          return { status: 200, type: 'text/html; charset=utf-8', body: await compareAny(session, from, to) };
        } catch (e) {
          return { status: 404, type: 'text/plain; charset=utf-8', body: `cannot compare: ${e instanceof Error ? e.message : String(e)}` };
        }
      },
      log: (line) => io.stderr(`${line}\n`),
    });
    io.stdout(`regpress: serving ${path.relative(io.cwd, root) || '.'} at ${server.url}${opts.watch ? ' (watching regulations/ and templates/)' : ''}\n`);
    const watchers: FSWatcher[] = [];
    if (opts.watch) {
      {
        const { openCorpus } = await import('../load/corpus.js');
        const reader = await openCorpus(session.repo, session.ctx.corpus, { kind: 'worktree' });
        const bytes = await reader.read(reader.files);
        (await import('../pipeline/parse-pool.js')).warmParsePool(
          reader.files.map((f) => ({ file: f.path, bytes: bytes.get(f.blob) ?? new Uint8Array() })),
          session.ctx.limits,
        );
      }
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> = Promise.resolve();
      const rebuild = () => {
        running = running.then(async () => {
          const t0 = performance.now();
          // the quick pages go into the current generation, under the build lock: a build running
          // elsewhere is never written under, and when one is running this preview waits for the full build below
          const unlock = await lockFolder(outDir, BUILD_LOCK, 'being built').catch((e: unknown) => {
            if (e instanceof LockedError) return undefined;
            throw e;
          });
          if (unlock) {
            try {
              const corpus = await loadCorpus(session, { kind: 'worktree' });
              const manifest = await readManifest(path.join(outDir, 'manifest.json'));
              const r = await buildSite(session, corpus, { outDir, head: undefined, publications: manifest?.publications ?? [], asOf: new Date().toISOString().slice(0, 10), quick: true });
              server.reload();
              io.stderr(`regpress: ${r.written} page${r.written === 1 ? '' : 's'} rebuilt in ${Math.round(performance.now() - t0)} ms; reloading\n`);
            } finally {
              await unlock();
            }
          }
          // then the publications and the rest of the site, incrementally
          const b = await buildPublications(session, { outDir });
          if (b.publications.some((p) => p.regenerated)) server.reload();
        }).catch((e: unknown) => io.stderr(`regpress: rebuild failed: ${e instanceof Error ? e.message : String(e)}\n`));
      };
      for (const dir of [session.ctx.corpus, 'templates']) {
        const abs = path.join(session.repo.root, dir);
        if (!existsSync(abs)) continue;
        watchers.push(
          watch(abs, { recursive: true }, () => {
            if (timer) clearTimeout(timer);
            timer = setTimeout(rebuild, 80);
          }),
        );
      }
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    for (const w of watchers) w.close();
    await server.close();
    return EXIT_OK;
  });
}
