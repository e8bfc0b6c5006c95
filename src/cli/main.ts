/**
 * regpress command line: argv → options → calls into the pipeline → printed
 * results and an exit code (0 ok, 1 content errors or a lock held, 2 usage, 4 output not
 * written: disk full). No domain logic lives here.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { createColors } from 'picocolors';
import { corpusPrefix, CorpusPathError } from '../load/corpus.js';
import { RevisionError, GitError } from '../load/git.js';
import { LocateError } from '../model/locate.js';
import { parseBounds } from '../pipeline/parse-bounds.js';
import { DateError } from '../pipeline/revision.js';
import type { Context, Logger } from '../pipeline/context.js';
import { impactCommand, linksCommand } from './link-commands.js';
import { checkCommand, citationsCommand, diffCommand, exportCommand, graphCommand, historyCommand, logCommand, showCommand } from './commands.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stdout is a terminal: colour only then. */
  isTTY: boolean;
  /** Whether stderr is a terminal: progress bars only then. */
  stderrIsTTY?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Overrides today's date (tests); default: the clock. */
  today?: string;
}

export const EXIT_OK = 0;
export const EXIT_CONTENT = 1;
export const EXIT_USAGE = 2;
/** The output could not be written (disk full, permissions); nothing was published. */
export const EXIT_IO = 4;

/** Thrown for a user mistake that is not a content problem: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export interface GlobalOptions {
  repo?: string;
  corpus: string;
  cache: boolean;
  cacheDir?: string;
  color: boolean;
}

export interface CommandEnv {
  io: Io;
  ctx: Context;
  /** Today's date (YYYY-MM-DD), read once here: library code never reads the clock. */
  today: string;
  colors: ReturnType<typeof createColors>;
}

function makeEnv(program: Command, io: Io): CommandEnv {
  const g = program.opts<GlobalOptions>();
  // a corpus folder outside the repository is refused before anything is read
  corpusPrefix(g.corpus);
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const colors = createColors(io.isTTY && !noColor && g.color);
  const logger: Logger = { info: (m) => io.stderr(`${m}\n`), warn: (m) => io.stderr(`${colors.yellow('warning')} ${m}\n`) };
  const ctx: Context = {
    repo: g.repo ?? io.cwd,
    corpus: g.corpus,
    useCache: g.cache,
    cacheDir: g.cacheDir,
    logger,
  };
  return { io, ctx, colors, today: io.today ?? new Date().toISOString().slice(0, 10) };
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  // the parse bounds are read from the environment where files are parsed; a bad value is a usage error here, before any work
  try {
    parseBounds(io.env);
  } catch (e) {
    io.stderr(`regpress: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_USAGE;
  }
  const program = new Command();
  let exit = EXIT_OK;
  program
    .name('regpress')
    .description('Regulatory change tracking and publishing for layered legislation kept as Markdown in git')
    .version(packageVersion(), '-V, --version')
    .option('--repo <path>', 'git repository to read (default: the one containing the current directory)')
    .option('--corpus <dir>', 'folder of the corpus inside the repository', 'regulations')
    .option('--cache-dir <dir>', 'where to cache parse results (default: inside the .git folder)')
    .option('--no-cache', 'parse everything again, without reading or writing the cache')
    .option('--no-color', 'never colour the output (colour is used only on a terminal, and never with NO_COLOR)')
    .showHelpAfterError('(run regpress --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  program
    .command('check')
    .description('validate the corpus at a revision (default: the work tree) and print diagnostics')
      .option('--at <rev|date>', 'a git revision (commit, branch, tag), or a date YYYY-MM-DD for the law in force that day (default: the work tree)')
    .option('--json', 'print {instruments, diagnostics} as JSON')
    .option('--summary', 'print a table of instruments and provision counts')
    .option('--verbose', 'also print information-level diagnostics (text output)')
    .addOption(new Option('--max-warnings <n>', 'exit 1 when there are more warnings than this').argParser((v) => Number.parseInt(v, 10)))
    .action(async (opts) => {
      exit = await checkCommand(makeEnv(program, io), opts);
    });

  program
    .command('show')
    .description('print a provision, named by id (etco/art4/para1) or citation (輸出令第四条第一項)')
    .argument('<ref>', 'provision id or Japanese citation')
    .option('--at <rev|date>', 'a git revision, or a date YYYY-MM-DD for the text in force that day')
    .option('--json', 'print the provision as JSON')
    .action(async (ref: string, opts) => {
      exit = await showCommand(makeEnv(program, io), ref, opts);
    });

  program
    .command('export')
    .description('write the whole model of the corpus as JSON')
    .option('--at <rev|date>', 'a git revision, or a date YYYY-MM-DD for the text in force that day')
    .option('--json', 'JSON output (the only format; accepted for symmetry)')
    .action(async (opts) => {
      exit = await exportCommand(makeEnv(program, io), opts);
    });

  program
    .command('citations')
    .description('citations in the provision texts and what each resolves to (or external, or unresolved)')
    .option('--instrument <ref>', 'only citations made in this instrument')
    .option('--at <rev|date>', 'a git revision or a date (default: the work tree)')
    .option('--status <status>', 'only resolved, external or unresolved citations')
    .option('--json', 'print the citations as JSON')
    .action(async (opts) => {
      exit = await citationsCommand(makeEnv(program, io), opts);
    });

  program
    .command('links')
    .description('what a provision cites, what cites it, what it specifies and what specifies it, across layers')
    .argument('<ref>', 'provision id or Japanese citation')
    .option('--at <rev|date>', 'a git revision or a date (default: the work tree)')
    .option('--json', 'print the links as JSON')
    .action(async (ref: string, opts) => {
      exit = await linksCommand(makeEnv(program, io), ref, opts);
    });

  program
    .command('impact')
    .description('the provisions a change between two revisions affects through citations and delegations')
    .argument('<from>', 'older revision: a git revision or a date')
    .argument('[to]', 'newer revision (default: the work tree)')
    .option('--depth <n>', 'how many edges to follow (default 3)')
    .option('--json', 'print {changed, affected, publications} as JSON')
    .action(async (from: string, to: string | undefined, opts) => {
      exit = await impactCommand(makeEnv(program, io), from, to, opts);
    });

  program
    .command('log')
    .description('revisions that changed the corpus, newest first, with what each changed')
    .option('--instrument <ref>', 'only revisions that changed this instrument')
    .option('--at <rev>', 'history of this revision (default: HEAD)')
    .option('--as-of <date>', 'the date statuses (in force, not yet in force, superseded) refer to (default: today)')
    .option('--json', 'print the revisions as JSON')
    .action(async (opts) => {
      exit = await logCommand(makeEnv(program, io), opts);
    });

  program
    .command('history')
    .description('every version of one provision, following it through renumbering')
    .argument('<ref>', 'provision id or Japanese citation (as it is named at --at)')
    .option('--at <rev>', 'the revision to start from (default: HEAD)')
    .option('--json', 'print the versions as JSON')
    .action(async (ref: string, opts) => {
      exit = await historyCommand(makeEnv(program, io), ref, opts);
    });

  program
    .command('diff')
    .description('what changed between two revisions, provision by provision')
    .argument('<from>', 'older revision: a git revision or a date YYYY-MM-DD')
    .argument('[to]', 'newer revision (default: the work tree)')
    .option('--instrument <ref>', 'only this instrument (e-Gov id or name, e.g. 輸出令)')
    .option('--format <format>', 'text, json, md, html or shinkyu (新旧対照表)', 'text')
    .option('--json', 'same as --format json')
    .action(async (from: string, to: string | undefined, opts) => {
      exit = await diffCommand(makeEnv(program, io), from, to, opts);
    });

  program
    .command('build')
    .description('regenerate the Parameter Sheets and Commodity Guidance (PDF and HTML) whose inputs changed, into output/ with a manifest')
    .option('--at <rev>', 'a git revision to build (default: the work tree; uncommitted changes make draft editions)')
    .option('--out <dir>', 'the output folder (default: output/ in the repository)')
    .option('--force', 'render every publication, whatever the manifest says')
    .option('--only <ids>', 'only these publications (comma-separated ids); the others and the feeds stay as they are')
    .option('--site-url <url>', 'the portal the feeds link to (https; default https://regpress.example/)')
    .option('--json', 'print {publications: [{id, edition, regenerated, reason, …}]} as JSON')
    .action(async (opts) => {
      const { buildCommand } = await import('./build-command.js');
      exit = await buildCommand(makeEnv(program, io), opts);
    });

  program
    .command('editions')
    .description('the editions of each publication, numbered from the history: a new one wherever what it shows changed')
    .option('--at <rev>', 'the history of this revision (default: HEAD)')
    .option('--publication <id>', 'only this publication')
    .option('--json', 'print {publications: [{id, editions: [{number, date, commit}]}]} as JSON')
    .action(async (opts) => {
      const { editionsCommand } = await import('./build-command.js');
      exit = await editionsCommand(makeEnv(program, io), opts);
    });

  program
    .command('digest')
    .description('change digests between two revisions for each subscriber: what reaches what they follow, in force now or coming into force')
    .argument('<from>', 'the older revision (or date)')
    .argument('[to]', 'the newer revision (default: the work tree)')
    .option('--subscribers <file>', 'the subscribers file (YAML; default config/subscribers.yaml)')
    .option('--as-of <date>', 'the day "in force now" is judged on (default: today)')
    .option('--out <dir>', 'write each digest as an RFC 5322 .eml file into DIR/<digest id>/ for review')
    .option('--outbox <dir>', 'queue the digests for `regpress send` in this outbox (default: .git/regpress/outbox)')
    .option('--dry-run', 'queue nothing: only report (and write --out)')
    .option('--site-url <url>', 'the portal the links point to (https)')
    .option('--sender <address>', 'From: "Name <address>"')
    .option('--json', 'print {digest, mails: [{email, key, messageId, now, coming, editorial}]} as JSON')
    .action(async (from: string, to: string | undefined, opts) => {
      const { digestCommand } = await import('./digest-command.js');
      exit = await digestCommand(makeEnv(program, io), from, to, opts);
    });

  program
    .command('send')
    .description('deliver the queued digests over SMTP, each (digest, subscriber) effectively once')
    .option('--outbox <dir>', 'the outbox (default: .git/regpress/outbox)')
    .option('--smtp-host <host>', 'SMTP server (or SMTP_HOST)')
    .option('--smtp-port <port>', 'SMTP port (or SMTP_PORT; default 587)')
    .option('--smtp-secure', 'implicit TLS (port 465; or SMTP_SECURE=1)')
    .option('--smtp-user <user>', 'SMTP user (or SMTP_USER; the password only from SMTP_PASS)')
    .option('--concurrency <n>', 'SMTP connections at once (default 4)')
    .option('--json', 'print {sent, retry, failed, unknown, skipped} as JSON')
    .action(async (opts) => {
      const { sendCommand } = await import('./digest-command.js');
      exit = await sendCommand(makeEnv(program, io), opts);
    });

  program
    .command('serve')
    .description('serve the portal (output/site) on a local port; --watch rebuilds and reloads on every change under regulations/ or templates/')
    .option('--port <n>', 'the port (default 8080; 0 for any free one)')
    .option('--host <host>', 'the address to listen on (default 127.0.0.1)')
    .option('--out <dir>', 'the output folder whose site/ to serve (default: output/)')
    .option('--watch', "editors' live preview")
    .action(async (opts) => {
      const { serveCommand } = await import('./serve-command.js');
      exit = await serveCommand(makeEnv(program, io), opts);
    });

  program
    .command('graph')
    .description('the instruments by layer and the links between them, or the provisions around one provision, as a picture')
    .option('--format <format>', 'svg, dot (Graphviz) or json', 'svg')
    .option('--around <ref>', 'the provisions linked to this one (id or citation) instead of the whole corpus')
    .option('--depth <n>', 'with --around: how many links away to go (default 1)')
    .option('--at <rev|date>', 'a git revision or a date YYYY-MM-DD (default: the work tree)')
    .action(async (opts) => {
      exit = await graphCommand(makeEnv(program, io), opts);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof UsageError || e instanceof RevisionError || e instanceof LocateError || e instanceof DateError || e instanceof CorpusPathError) {
      io.stderr(`regpress: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof GitError) {
      io.stderr(`regpress: ${e.message}\n`);
      return EXIT_USAGE;
    }
    const { OutputWriteError } = await import('../publish/output.js');
    if (e instanceof OutputWriteError) {
      // what was written before stays consistent: output generations are swapped whole, outbox entries are each atomic
      io.stderr(`regpress: ${e.message}; stopped, nothing half-written was kept\n`);
      return EXIT_IO;
    }
    throw e;
  }
}
