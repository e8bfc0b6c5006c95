/**
 * Sending the outbox over SMTP, effectively once.
 *
 * A mail is marked `sending` durably before its SMTP transaction starts and
 * `sent` after the server's 250 to the message. Between the two, the only
 * outcome that cannot be decided is a connection that broke after the end of
 * the message had been handed to the socket: the server may have taken it.
 * Such a mail is `unknown` and, by default, sent again with the same
 * Message-ID, by which receiving systems drop the duplicate. Every other
 * failure is decided from what the server said, or from how far the message
 * got: a server cannot accept a message whose terminating dot it never got.
 *
 * nodemailer reports every socket-level failure (reset, close, timeout) with
 * `command: 'CONN'`, whichever step was in flight, so the error alone cannot
 * tell "before DATA" from "after the dot". The sender therefore drives
 * nodemailer's SMTPConnection itself and hands it the message as a stream
 * it watches: SMTPConnection reads the stream only after the server's 354,
 * and writes the dot only after the stream ended.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { advance, lockOutbox, readLedger, readMessage, writeEntry, type LedgerEntry, type MailState, type Transition } from './outbox.js';
import { checkpoint } from './faults.js';

export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  /** Refuse to send unless STARTTLS succeeded. */
  requireTLS?: boolean;
  auth?: { user: string; pass: string };
  tls?: { rejectUnauthorized?: boolean };
  /** For connecting and for the server's greeting; nodemailer's defaults otherwise. */
  connectionTimeoutMs?: number;
}

export interface SendOptions {
  now: () => Date;
  /** First retry delay; doubled for each further attempt. Default 60 s. */
  backoffBaseMs?: number;
  /** Largest retry delay before jitter. Default 1 h. */
  backoffCapMs?: number;
  /** Attempts after which a mail that still failed is given up. Default 8. */
  maxAttempts?: number;
  /** Send `unknown` mails again (same Message-ID). Default true. */
  retryUnknown?: boolean;
  onEvent?: (e: { key: string; state: MailState; detail?: string }) => void;
  /** At most this many mails are attempted in the run. */
  limit?: number;
  /** SMTP connections used at once, each sending one mail at a time. Default 1. */
  concurrency?: number;
}

/** The keys this run looked at, by the state it left them in. */
export interface SendReport {
  sent: string[];
  retry: string[];
  failed: string[];
  /** Left `unknown`: the connection broke after the message, or `retryUnknown` is off. */
  unknown: string[];
  /** Not attempted: `retry` not due yet, or beyond `limit`. */
  skipped: string[];
}

const DEFAULT_BACKOFF_BASE_MS = 60_000;
const DEFAULT_BACKOFF_CAP_MS = 3_600_000;
const DEFAULT_MAX_ATTEMPTS = 8;
/** A retry waits up to this fraction longer than its backoff, so a batch that failed together does not come back together. */
const JITTER = 0.25;
/** Transactions on one connection before it is closed and a new one opened; nodemailer's pool uses the same number. */
const MESSAGES_PER_CONNECTION = 100;

interface Policy {
  now: () => Date;
  backoffBaseMs: number;
  backoffCapMs: number;
  maxAttempts: number;
  retryUnknown: boolean;
  limit: number;
  concurrency: number;
  onEvent: SendOptions['onEvent'];
}

function policyOf(opts: SendOptions): Policy {
  return {
    now: opts.now,
    backoffBaseMs: opts.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
    backoffCapMs: opts.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS,
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryUnknown: opts.retryUnknown ?? true,
    limit: opts.limit ?? Number.POSITIVE_INFINITY,
    concurrency: Math.max(1, Math.floor(opts.concurrency ?? 1)),
    onEvent: opts.onEvent,
  };
}

/**
 * The delay before the next attempt after `attempts` failed ones:
 * base × 2^(attempts-1), capped, then lengthened by up to 25% by a jitter
 * taken from the key, so that the same mail always gets the same delay.
 */
export function retryDelayMs(key: string, attempts: number, baseMs: number, capMs: number): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  const jitter = createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
  return Math.round(exponential * (1 + JITTER * jitter));
}

/** One send run: what it writes goes to the ledger, what it decided goes to the report. */
interface Run {
  dir: string;
  policy: Policy;
  /** The state each key looked at was left in. */
  outcome: Map<string, MailState>;
}

/**
 * Sends the mails that are due: `pending`, `retry` whose time has come, and
 * `unknown` (unless `retryUnknown` is off), one transaction each, in key
 * order, over `concurrency` connections (one by default). Entries a killed
 * run left in `sending` become `unknown` first. Throws only when the ledger
 * cannot be read or written (or another run holds it); a mail whose state
 * could not be written after its transaction stays `sending`, and the next
 * run takes it for `unknown`.
 */
export async function sendPending(dir: string, smtp: SmtpConfig, opts: SendOptions): Promise<SendReport> {
  const run: Run = { dir, policy: policyOf(opts), outcome: new Map() };
  const unlock = await lockOutbox(dir);
  try {
    const ledger = await recoverInterrupted(run, await readLedger(dir));
    const { due, skipped } = dueMails(run, ledger);
    const queue = [...due];
    const refusal = await drain(run, smtp, queue);
    // every connection was refused: what none of them took fails the same way
    for (const entry of queue) await notAttempted(run, entry, refusal);
    return reportOf(run, skipped);
  } finally {
    await unlock();
  }
}

/**
 * Sends the queued mails over `concurrency` connections, each taking the
 * next mail when done with one. A connection the server refuses stops
 * taking mails (a server may limit connections per client) and the others
 * go on; when all are refused, the mails still queued stay in `queue` and
 * the last refusal is returned. A ledger error stops every connection and
 * is thrown once all have stopped, so none outlives the run's lock.
 */
async function drain(run: Run, smtp: SmtpConfig, queue: LedgerEntry[]): Promise<SmtpFailure | undefined> {
  let refusal: SmtpFailure | undefined;
  let stopped = false;
  const connection = async () => {
    const session = new SmtpSession(smtp);
    try {
      while (!stopped) {
        const entry = queue.shift();
        if (entry === undefined) return;
        const down = await session.ready();
        if (down !== undefined) queue.unshift(entry); // refused before this mail's transaction began
        const refused = down ?? (await deliver(run, session, entry));
        if (refused !== undefined) {
          refusal = refused;
          return;
        }
      }
    } catch (e) {
      stopped = true;
      throw e;
    } finally {
      session.close();
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(run.policy.concurrency, queue.length) }, connection));
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return refusal;
}

/** A `sending` entry at the start of a run was in flight when its process died: the server may have taken it. */
async function recoverInterrupted(run: Run, ledger: LedgerEntry[]): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for (const entry of ledger) {
    if (entry.state !== 'sending') out.push(entry);
    else out.push(await settle(run, entry, 'unknown', { detail: 'interrupted: the run sending it stopped before it got an answer' }));
  }
  return out;
}

function dueMails(run: Run, ledger: readonly LedgerEntry[]): { due: LedgerEntry[]; skipped: string[] } {
  const now = run.policy.now().getTime();
  const due: LedgerEntry[] = [];
  const skipped: string[] = [];
  for (const e of ledger) {
    if (e.state === 'unknown' && !run.policy.retryUnknown) run.outcome.set(e.key, 'unknown');
    const isDue = e.state === 'pending' || (e.state === 'retry' && Date.parse(e.retryAt ?? '') <= now) || (e.state === 'unknown' && run.policy.retryUnknown);
    if (isDue && due.length < run.policy.limit) due.push(e);
    else if (isDue || e.state === 'retry') skipped.push(e.key);
  }
  return { due, skipped };
}

function reportOf(run: Run, skipped: string[]): SendReport {
  const report: SendReport = { sent: [], retry: [], failed: [], unknown: [], skipped };
  const list: Partial<Record<MailState, string[]>> = { sent: report.sent, retry: report.retry, 'failed-permanent': report.failed, unknown: report.unknown };
  for (const [key, state] of run.outcome) list[state]?.push(key);
  for (const keys of Object.values(report)) keys.sort();
  return report;
}

/** What a failed transaction means for its mail; `refused`: the server refused the session, not this mail. */
type Verdict = 'retry' | 'unknown' | 'failed-permanent' | 'refused';

/** Sends one mail and records the outcome; returns the failure when the server refused the session rather than this mail. */
async function deliver(run: Run, session: SmtpSession, entry: LedgerEntry): Promise<SmtpFailure | undefined> {
  const raw = await readMessage(run.dir, entry.key);
  const attempts = entry.attempts + 1;
  const sending = await move(run, entry, { state: 'sending', attempts, detail: `attempt ${attempts}` });
  const result = await session.send({ from: entry.from, to: entry.to }, raw);
  if (result.ok) {
    checkpoint('send:accepted');
    await move(run, sending, { state: 'sent', lastResponse: result.response, detail: result.response });
    return undefined;
  }
  const verdict = verdictOf(result.failure, result.phase);
  await settle(run, sending, verdict === 'refused' ? 'retry' : verdict, failureFields(result.failure, phaseNote(result.phase)));
  return verdict === 'refused' ? result.failure : undefined;
}

/** A due mail the run did not try because the server had refused every session: it fails with the same error, as an attempt. */
async function notAttempted(run: Run, entry: LedgerEntry, failure: SmtpFailure | undefined): Promise<void> {
  const fields = failure === undefined ? { detail: 'not attempted' } : failureFields(failure, 'not attempted, the server refused the session');
  await settle(run, entry, 'retry', { ...fields, attempts: entry.attempts + 1 });
}

type Failed = Pick<Transition, 'detail' | 'lastError' | 'lastResponse' | 'attempts'>;

/**
 * Records a failed attempt. `retry` and `unknown` with the attempts used up
 * end in `failed-permanent`; an unknown one still passes through `unknown`,
 * so its history says it may have arrived.
 */
async function settle(run: Run, entry: LedgerEntry, state: 'retry' | 'unknown' | 'failed-permanent', fields: Failed): Promise<LedgerEntry> {
  const attempts = fields.attempts ?? entry.attempts;
  const exhausted = attempts >= run.policy.maxAttempts;
  if (state === 'failed-permanent' || (state === 'retry' && exhausted)) {
    const detail = state === 'retry' ? `gave up after ${attempts} attempts: ${fields.detail ?? ''}` : fields.detail;
    return move(run, entry, { ...fields, state: 'failed-permanent', ...(detail === undefined ? {} : { detail }) });
  }
  if (state === 'unknown') {
    const unknown = await move(run, entry, { ...fields, state: 'unknown' });
    if (!exhausted) return unknown;
    return move(run, unknown, { state: 'failed-permanent', detail: `gave up after ${attempts} attempts; whether the last one arrived is unknown` });
  }
  const retryAt = new Date(run.policy.now().getTime() + retryDelayMs(entry.key, attempts, run.policy.backoffBaseMs, run.policy.backoffCapMs));
  return move(run, entry, { ...fields, state: 'retry', retryAt });
}

async function move(run: Run, entry: LedgerEntry, t: Omit<Transition, 'at'>): Promise<LedgerEntry> {
  const next = advance(entry, { ...t, at: run.policy.now() });
  await writeEntry(run.dir, next);
  run.outcome.set(next.key, next.state);
  run.policy.onEvent?.(t.detail === undefined ? { key: next.key, state: next.state } : { key: next.key, state: next.state, detail: t.detail });
  return next;
}

/**
 * How far a failed transaction got. `setup`: connecting, STARTTLS, EHLO or
 * AUTH, no mail involved. `envelope`: MAIL FROM / RCPT TO / DATA, not a byte
 * of the message sent. `message`: part of the message sent, not its end, so
 * the server cannot have accepted it. `after-message`: the whole message was
 * handed over, the dot may have reached the server.
 */
type Phase = 'setup' | 'envelope' | 'message' | 'after-message';

function phaseNote(phase: Phase): string {
  return { setup: 'before the transaction', envelope: 'before the message data', message: 'before the end of the message data', 'after-message': 'after the message data, before the reply' }[phase];
}

/** The fields of a nodemailer error this module reads; nodemailer errors are `unknown` here until narrowed. */
interface SmtpFailure {
  message: string;
  code: string | undefined;
  /** The system error under nodemailer's code, e.g. ECONNREFUSED under ESOCKET. */
  originalCode: string | undefined;
  /** The step nodemailer was in: 'CONN' for any socket failure, else the SMTP command answered. */
  command: string | undefined;
  responseCode: number | undefined;
  response: string | undefined;
}

function smtpFailure(e: unknown): SmtpFailure {
  const o: Record<string, unknown> = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
  const text = (k: string) => (typeof o[k] === 'string' ? o[k] : undefined);
  return {
    message: e instanceof Error ? e.message : String(e),
    code: text('code'),
    originalCode: text('originalCode'),
    command: text('command'),
    responseCode: typeof o.responseCode === 'number' ? o.responseCode : undefined,
    response: text('response'),
  };
}

function failureFields(f: SmtpFailure, note: string): Failed {
  const code = f.code === undefined ? '' : f.originalCode === undefined ? `${f.code} ` : `${f.code}/${f.originalCode} `;
  const lastError = `${code}${f.command === undefined ? '' : `at ${f.command} `}${note}: ${f.message}`;
  return f.response === undefined ? { lastError, detail: lastError } : { lastError, detail: lastError, lastResponse: f.response };
}

/** 5xx is final, except 503 (bad sequence of commands), which says more about the session than about the mail; nodemailer draws the same line. */
function isPermanentReply(code: number): boolean {
  return code >= 500 && code < 600 && code !== 503;
}

/**
 * The state machine's edge for a failed transaction:
 * - setup failed (refused, timed out, 421 greeting, TLS, AUTH) → `refused`:
 *   the session, not the mail: this mail → retry, its connection stops, and
 *   once every connection has stopped so, the mails left → retry;
 * - a 5xx to MAIL FROM (but 552, too big) → `refused`: the server will not
 *   take mail from this sender (or without AUTH: 530); every mail would get it;
 * - a reply ≥ 400 to RCPT TO or DATA or the message → 5xx failed-permanent,
 *   4xx (and 503) retry: the server has spoken, whatever the phase;
 * - no reply, the end of the message handed over → unknown;
 * - no reply, nodemailer refused the envelope or message itself (EENVELOPE,
 *   EMESSAGE: bad address, empty, over the server's SIZE) → failed-permanent;
 * - no reply otherwise (reset, closed, timed out before the end of the
 *   message) → retry: the server cannot have accepted it.
 */
function verdictOf(f: SmtpFailure, phase: Phase): Verdict {
  if (phase === 'setup') return 'refused';
  if (f.responseCode !== undefined && f.responseCode >= 400) {
    if (f.command === 'MAIL FROM' && isPermanentReply(f.responseCode) && f.responseCode !== 552) return 'refused';
    return isPermanentReply(f.responseCode) ? 'failed-permanent' : 'retry';
  }
  if (phase === 'after-message') return 'unknown';
  if (f.code === 'EENVELOPE' || f.code === 'EMESSAGE') return 'failed-permanent';
  return 'retry';
}

type Attempt = { ok: true; response: string } | { ok: false; failure: SmtpFailure; phase: Phase; reused: boolean };

/**
 * The connection a run sends over: opened on first use, reused for up to
 * MESSAGES_PER_CONNECTION transactions (RSET after a refused one), dropped
 * after any failure of the connection itself. Once opening it failed, it
 * stays refused for the rest of the run, so a server that is down costs
 * one connection timeout per run, not one per mail.
 */
class SmtpSession {
  private conn: SMTPConnection | undefined;
  private used = 0;
  private refused: SmtpFailure | undefined;

  constructor(private readonly config: SmtpConfig) {}

  /** Opens the connection if needed; the failure when the server cannot be used in this run. */
  async ready(): Promise<SmtpFailure | undefined> {
    if (this.refused !== undefined) return this.refused;
    if (this.conn !== undefined && this.used >= MESSAGES_PER_CONNECTION) this.drop(true);
    if (this.conn !== undefined) return undefined;
    try {
      this.conn = await openConnection(this.config, (conn) => this.forget(conn));
      this.used = 0;
      return undefined;
    } catch (e) {
      this.refused = smtpFailure(e);
      return this.refused;
    }
  }

  /**
   * One transaction. When a reused connection fails before a byte of the
   * message went out, without a reply that is about the mail (the server
   * closed it, or said 421), the mail goes again once over a new connection:
   * nothing of it reached the server.
   */
  async send(envelope: { from: string; to: string }, raw: Buffer): Promise<Attempt> {
    const first = await this.transaction(envelope, raw);
    if (first.ok || !first.reused || first.phase !== 'envelope' || (first.failure.responseCode !== undefined && first.failure.responseCode !== 421)) return first;
    return this.transaction(envelope, raw);
  }

  close(): void {
    this.drop(true);
  }

  private async transaction(envelope: { from: string; to: string }, raw: Buffer): Promise<Attempt> {
    const refused = await this.ready();
    const conn = this.conn;
    if (refused !== undefined || conn === undefined) return { ok: false, failure: refused ?? smtpFailure(new Error('no connection')), phase: 'setup', reused: false };
    const reused = this.used > 0;
    this.used++;
    // SMTPConnection pipes this only after the 354 to DATA, and writes the dot after its end
    const message = Readable.from([raw], { objectMode: false });
    try {
      const info = await call<{ response?: string }>(conn, (done) => conn.send({ ...envelope, size: raw.length }, message, done));
      return { ok: true, response: info?.response ?? '' };
    } catch (e) {
      const failure = smtpFailure(e);
      const phase: Phase = !message.readableDidRead ? 'envelope' : message.readableEnded ? 'after-message' : 'message';
      await this.recover(conn, failure);
      return { ok: false, failure, phase, reused };
    }
  }

  /** After a refusal the session goes on (RSET); after anything else the connection is not trusted again. */
  private async recover(conn: SMTPConnection, failure: SmtpFailure): Promise<void> {
    const answered = failure.responseCode !== undefined && failure.responseCode !== 421;
    if (answered && this.conn === conn && !conn.destroyed) {
      try {
        await call(conn, (done) => conn.reset(done));
        return;
      } catch {
        // a session that cannot be reset is dropped like a broken one
      }
    }
    if (this.conn === conn) this.drop(false);
  }

  private forget(conn: SMTPConnection): void {
    if (this.conn === conn) this.conn = undefined;
  }

  private drop(politely: boolean): void {
    const conn = this.conn;
    this.conn = undefined;
    if (conn === undefined) return;
    if (politely && !conn.destroyed) conn.quit();
    else conn.close();
  }
}

async function openConnection(config: SmtpConfig, onEnd: (conn: SMTPConnection) => void): Promise<SMTPConnection> {
  const conn = new SMTPConnection({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTLS,
    tls: config.tls,
    connectionTimeout: config.connectionTimeoutMs,
    greetingTimeout: config.connectionTimeoutMs,
    logger: false,
  });
  // an error while no operation waits (an idle connection dropped) only ends the connection; 'end' tells the session
  conn.on('error', () => undefined);
  conn.once('end', () => onEnd(conn));
  try {
    await call(conn, (done) => conn.connect(done));
    const auth = config.auth;
    if (auth !== undefined) await call(conn, (done) => conn.login({ user: auth.user, pass: auth.pass, credentials: { user: auth.user, pass: auth.pass } }, done));
    return conn;
  } catch (e) {
    conn.close();
    throw e;
  }
}

/**
 * Runs one SMTPConnection operation as a promise. Failures arrive either
 * through the operation's callback or, for socket failures outside a send,
 * only as an 'error' event; a connection that just ends is a failure too,
 * but is reported a turn later, because nodemailer closes a connection
 * before it hands the operation its (more telling) 421 error.
 */
function call<T>(conn: SMTPConnection, op: (done: (err: unknown, result?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: unknown, result?: T) => {
      if (settled) return;
      settled = true;
      conn.off('error', onError);
      conn.off('end', onEnd);
      if (err) reject(err);
      else resolve(result);
    };
    const onError = (err: unknown) => finish(err);
    const onEnd = () => setImmediate(() => finish(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION', command: 'CONN' })));
    conn.on('error', onError);
    conn.on('end', onEnd);
    op(finish);
  });
}
