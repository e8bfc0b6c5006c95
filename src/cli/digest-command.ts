/**
 * `digest` and `send`: change digests for subscribers, written as .eml files
 * for review and/or put in the outbox; and the outbox delivered over SMTP.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeSource } from '../load/decode.js';
import { readSubscribers } from '../load/subscriptions.js';
import { isDate } from '../model/versions.js';
import { computeDigest, composeDigests } from '../pipeline/digest.js';
import { publicationEditions } from '../pipeline/build.js';
import { writeFileAtomic } from '../publish/output.js';
import { TemplateError } from '../render/templates.js';
import { formatDiagnostic } from '../render/text.js';
import { withSession } from './commands.js';
import { sourceDateEpoch } from './source-date.js';
import { EXIT_CONTENT, EXIT_OK, UsageError, type CommandEnv } from './main.js';

export interface DigestOptions {
  subscribers?: string;
  asOf?: string;
  out?: string;
  outbox?: string;
  /** Write nothing to the outbox: only --out (review) and the report. */
  dryRun?: boolean;
  siteUrl?: string;
  sender?: string;
  json?: boolean;
}

const DEFAULT_SITE = 'https://regpress.example/';

function sender(spec: string | undefined): { name: string; address: string } {
  const s = spec ?? 'regpress <digest@regpress.example>';
  const m = /^\s*(.*?)\s*<([^<>\s@]+@[^<>\s@]+)>\s*$/.exec(s) ?? /^()([^<>\s@]+@[^<>\s@]+)$/.exec(s.trim());
  if (!m || /[\r\n]/.test(s)) throw new UsageError(`--sender "${s}": give "Name <address@domain>" or an address`);
  return { name: m[1] || 'regpress', address: m[2] as string };
}

export function defaultOutbox(gitDir: string): string {
  return path.join(gitDir, 'regpress', 'outbox');
}

export async function digestCommand(env: CommandEnv, from: string, to: string | undefined, opts: DigestOptions): Promise<number> {
  const { io, colors } = env;
  // one time source: SOURCE_DATE_EPOCH, when set, is the day judged on and the mails' Date (a malformed one stops here)
  const epoch = sourceDateEpoch(io.env);
  const asOf = opts.asOf ?? (epoch ? epoch.toISOString().slice(0, 10) : env.today);
  if (!isDate(asOf)) throw new UsageError(`--as-of ${asOf}: give a date YYYY-MM-DD`);
  const siteUrl = opts.siteUrl ?? DEFAULT_SITE;
  if (!/^https:\/\/[^\s<>"]+$/.test(siteUrl)) throw new UsageError(`--site-url ${siteUrl}: give an https URL`);
  const from_ = sender(opts.sender);
  const file = path.resolve(io.cwd, opts.subscribers ?? 'config/subscribers.yaml');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read the subscribers file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const rel = path.relative(io.cwd, file) || file;
  const decoded = decodeSource(rel, bytes);
  const read = decoded.text !== undefined ? readSubscribers(rel, decoded.text) : { subscribers: [], diagnostics: [] };
  const diagnostics = [...decoded.diagnostics, ...read.diagnostics];
  for (const d of diagnostics) if (d.severity !== 'info') io.stderr(`${formatDiagnostic(d, colors)}\n`);
  if (decoded.text === undefined || diagnostics.some((d) => d.severity === 'error')) {
    io.stderr(`${colors.red('digest stopped: the subscribers file has errors; nothing was written or queued')}\n`);
    return EXIT_CONTENT;
  }
  return withSession(env, async (session) => {
    const toCommit = to === undefined ? undefined : await session.repo.resolveRevision(to);
    // the edition each publication reaches with this change, from the history of the newer revision
    const editions = new Map<string, number>();
    if (toCommit) {
      try {
        for (const p of await publicationEditions(session, toCommit)) {
          const last = p.editions[p.editions.length - 1];
          if (last) editions.set(p.id, last.number);
        }
      } catch {
        // no catalogue at that revision: digests name publications without editions
      }
    }
    const digest = await computeDigest(session, { from, to, asOf, subscribers: read.subscribers, siteUrl, editions });
    for (const u of digest.unresolved) io.stderr(`${colors.yellow('warning')} ${rel}:${u.subscriber.line}: ${u.subscriber.email} follows ${u.follow}: ${u.reason}\n`);
    const date = epoch ?? (toCommit ? new Date((await session.repo.commitsTouching(toCommit, '.')).at(-1)?.committerDate ?? `${asOf}T00:00:00Z`) : new Date(`${asOf}T00:00:00Z`));
    const outDir = opts.out !== undefined ? path.resolve(io.cwd, opts.out, digest.id) : undefined;
    if (outDir) await mkdir(outDir, { recursive: true });
    const outbox = opts.dryRun ? undefined : opts.outbox !== undefined ? path.resolve(io.cwd, opts.outbox) : defaultOutbox(session.repo.gitDir);
    const { enqueue } = outbox ? await import('../publish/outbox.js') : { enqueue: undefined };
    const report: { subscriber: string; email: string; key: string; messageId: string; subject: string; now: number; coming: number; editorial: number; queued: boolean }[] = [];
    try {
      for await (const m of composeDigests(session, digest, read.subscribers, { sender: from_, siteUrl, date })) {
        if (outDir) await writeFileAtomic(path.join(outDir, `${m.subscriber.id}.eml`), m.raw);
        let queued = false;
        if (outbox && enqueue) queued = (await enqueue(outbox, [{ key: m.key, messageId: m.messageId, from: from_.address, to: m.subscriber.email, raw: m.raw }], date)).added.length > 0;
        report.push({ subscriber: m.subscriber.id, email: m.subscriber.email, key: m.key, messageId: m.messageId, subject: m.subject, ...m.counts, queued });
      }
    } catch (e) {
      // the digest templates are compiled before the first message: a broken one stops the run with nothing queued
      if (!(e instanceof TemplateError) || report.length > 0) throw e;
      io.stderr(`${formatDiagnostic(e.diagnostic('templates'), colors)}\n`);
      io.stderr(`${colors.red('digest stopped: a digest template has errors; nothing was written or queued')}\n`);
      return EXIT_CONTENT;
    }
    if (opts.json) {
      io.stdout(`${JSON.stringify({ digest: digest.id, from: digest.from, to: digest.to, asOf, changes: digest.changes.length, ...(outDir ? { out: outDir } : {}), ...(outbox ? { outbox } : {}), mails: report }, null, 2)}\n`);
    } else {
      for (const r of report) io.stdout(`${r.email.padEnd(32)} ${r.now} in force, ${r.coming} coming, ${r.editorial} editorial${r.queued ? colors.dim('  queued') : ''}\n`);
      io.stdout(`digest ${digest.id}: ${digest.changes.length} changes, ${report.length} of ${read.subscribers.length} subscribers have something to hear${outDir ? `; .eml files in ${path.relative(io.cwd, outDir) || '.'}` : ''}${outbox ? `; queued in ${path.relative(io.cwd, outbox) || '.'}` : ''}\n`);
    }
    return EXIT_OK;
  });
}

export interface SendCliOptions {
  outbox?: string;
  smtpHost?: string;
  smtpPort?: string;
  smtpSecure?: boolean;
  smtpUser?: string;
  concurrency?: string;
  json?: boolean;
}

/** SMTP settings: options first, then the environment (SMTP_HOST, SMTP_PORT, SMTP_SECURE, SMTP_USER, SMTP_PASS). */
function smtpConfig(env: CommandEnv, opts: SendCliOptions) {
  const e = env.io.env;
  const host = opts.smtpHost ?? e.SMTP_HOST;
  if (!host) throw new UsageError('send needs an SMTP server: --smtp-host or SMTP_HOST');
  const portText = opts.smtpPort ?? e.SMTP_PORT ?? '587';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`SMTP port ${portText}: a number from 1 to 65535`);
  const secure = opts.smtpSecure === true || e.SMTP_SECURE === '1' || e.SMTP_SECURE === 'true';
  const user = opts.smtpUser ?? e.SMTP_USER;
  const pass = e.SMTP_PASS;
  if (user !== undefined && pass === undefined) throw new UsageError('SMTP_USER is set but SMTP_PASS is not (the password is read from the environment only)');
  return { host, port, secure, ...(user !== undefined && pass !== undefined ? { auth: { user, pass } } : {}) };
}

export async function sendCommand(env: CommandEnv, opts: SendCliOptions): Promise<number> {
  const { io, colors } = env;
  const smtp = smtpConfig(env, opts);
  const concurrency = Number(opts.concurrency ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new UsageError(`--concurrency ${opts.concurrency}: a whole number from 1 to 32`);
  const { sendPending } = await import('../publish/send.js');
  return withSession(env, async (session) => {
    const outbox = opts.outbox !== undefined ? path.resolve(io.cwd, opts.outbox) : defaultOutbox(session.repo.gitDir);
    const report = await sendPending(outbox, smtp, {
      now: () => new Date(),
      concurrency,
      onEvent: (e) => {
        if (!opts.json) io.stderr(`${e.state.padEnd(16)} ${e.key}${e.detail ? colors.dim(`  ${e.detail}`) : ''}\n`);
      },
    });
    if (opts.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout(`${report.sent.length} sent, ${report.retry.length} to retry, ${report.failed.length} failed, ${report.unknown.length} unknown, ${report.skipped.length} not due yet\n`);
    return report.failed.length > 0 ? EXIT_CONTENT : EXIT_OK;
  });
}
