/**
 * Delivering the outbox to a real SMTP server on 127.0.0.1, with faults:
 * refused connections, 421 and 451 replies, a rejected recipient, a server
 * killed between the end of a message and its 250, and a sender killed in
 * the same place. What every test checks in the end is the promise: each
 * mail reaches the server once, or more than once only with the same
 * Message-ID after its ledger said `unknown`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { advance, enqueue, readLedger, writeEntry, type LedgerEntry, type MailState, type OutgoingMail } from '../../src/publish/outbox.js';
import { retryDelayMs, sendPending, type SendOptions, type SendReport, type SmtpConfig } from '../../src/publish/send.js';
import { REPO_ROOT } from '../support/paths.js';

const BASE = 1_000;
const CAP = 60_000;
const FROM = 'digest@regpress.example';

// ---------------------------------------------------------------- fixtures

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix = 'regpress-outbox-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fake clock the test moves; the library only ever sees `now()`. */
function clock(start = '2030-01-02T03:04:05.000Z') {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms), get ms() { return t; } };
}

const subscriber = (i: number) => `sub${i}@example.org`;
const keyOf = (i: number) => `d1.s${i}`;

/** A digest mail as the producer makes it: multipart text + HTML, fixed Message-ID, List-Unsubscribe. */
async function digestMail(i: number): Promise<OutgoingMail> {
  const messageId = `<d1.s${i}@regpress.example>`;
  const raw = await new MailComposer({
    from: `Regpress <${FROM}>`,
    to: subscriber(i),
    subject: `Digest 1 for subscriber ${i}`,
    messageId,
    date: new Date('2030-01-01T00:00:00Z'),
    text: `Changes this week, subscriber ${i}.`,
    html: `<p>Changes this week, subscriber ${i}.</p>`,
    headers: { 'List-Unsubscribe': `<https://regpress.example/unsubscribe/s${i}>` },
  })
    .compile()
    .build();
  return { key: keyOf(i), messageId, from: FROM, to: subscriber(i), raw };
}

async function digestMails(n: number): Promise<OutgoingMail[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => digestMail(i + 1)));
}

interface Received {
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

async function parse(raw: Buffer): Promise<Received> {
  const m = await simpleParser(raw);
  const to = ([] as AddressObject[]).concat(m.to ?? []).flatMap((a) => a.value.map((v) => v.address ?? ''));
  return { messageId: m.messageId ?? '', to: to.join(','), subject: m.subject ?? '', text: (m.text ?? '').trim() };
}

/** A reply code to refuse with, or undefined to go on. */
type Fault<A extends unknown[]> = (...args: A) => number | undefined;

interface ServerScript {
  /** n counts connections from 1. */
  refuseConnection?: Fault<[n: number]>;
  refuseSender?: Fault<[address: string]>;
  refuseRecipient?: Fault<[address: string]>;
  /** n counts messages received (accepted or not) from 1. */
  refuseMessage?: Fault<[m: Received, n: number]>;
  /** Runs after a message is accepted, before its 250 is sent. */
  beforeReply?: (m: Received) => Promise<void>;
  /** Runs after the 250; `hangUp` closes the connection once the 250 is out. */
  afterReply?: (m: Received, hangUp: () => void) => void;
  /** Cut the connection instead of answering RCPT TO. */
  dropAtRecipient?: (address: string) => boolean;
  atRecipient?: (address: string) => void;
  options?: Partial<SMTPServerOptions>;
}

interface TestServer {
  port: number;
  /** Accepted messages, in order. */
  received: Received[];
  connections: number;
  close(): Promise<void>;
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

/** An in-process smtp-server on 127.0.0.1 that records what it accepts and fails where the script says. */
async function startServer(script: ServerScript = {}, port = 0): Promise<TestServer> {
  const state: TestServer = { port: 0, received: [], connections: 0, close: async () => undefined };
  let messages = 0;
  let socket: Socket | undefined;
  const drop = () => socket?.destroy();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    ...script.options,
    onConnect(_session, cb) {
      state.connections++;
      const code = script.refuseConnection?.(state.connections);
      cb(code === undefined ? null : smtpError(code, 'Try again later'));
    },
    onMailFrom(address, _session, cb) {
      const code = script.refuseSender?.(address.address);
      cb(code === undefined ? null : smtpError(code, 'Sender refused'));
    },
    onRcptTo(address, _session, cb) {
      script.atRecipient?.(address.address);
      if (script.dropAtRecipient?.(address.address)) return drop();
      const code = script.refuseRecipient?.(address.address);
      cb(code === undefined ? null : smtpError(code, 'No such user'));
    },
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void (async () => {
          const m = await parse(Buffer.concat(chunks));
          const code = script.refuseMessage?.(m, ++messages);
          if (code !== undefined) return cb(smtpError(code, 'Message deferred'));
          state.received.push(m);
          await script.beforeReply?.(m);
          cb(null, 'queued');
          script.afterReply?.(m, () => socket?.end());
        })().catch((e: unknown) => cb(e instanceof Error ? e : new Error(String(e))));
      });
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (s: Socket) => void (socket = s));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  cleanups.push(() => state.close());
  return state;
}

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const local = (port: number): SmtpConfig => ({ host: '127.0.0.1', port, secure: false, connectionTimeoutMs: 5_000 });

function options(c: ReturnType<typeof clock>, more: Partial<SendOptions> = {}): SendOptions {
  return { now: c.now, backoffBaseMs: BASE, backoffCapMs: CAP, ...more };
}

const statesOf = (ledger: readonly LedgerEntry[]) => Object.fromEntries(ledger.map((e) => [e.key, e.state]));
const countBy = (ids: readonly string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());
const keys = (n: number, from = 1) => Array.from({ length: n }, (_, i) => keyOf(from + i));
const nothing: SendReport = { sent: [], retry: [], failed: [], unknown: [], skipped: [] };
const wasUnknown = (e: LedgerEntry | undefined) => e?.history.some((h) => h.state === 'unknown') ?? false;

async function latestRetryAt(dir: string): Promise<number> {
  return Math.max(...(await readLedger(dir)).map((e) => Date.parse(e.retryAt ?? '')).filter(Number.isFinite));
}

// ---------------------------------------------------------------- tests

describe('sendPending', () => {
  it('delivers every mail once, marks each sending before its transaction, and sends nothing on a re-run', async () => {
    const dir = tempDir();
    const c = clock();
    const mails = await digestMails(5);
    await enqueue(dir, mails, c.now());
    const stateAtRcpt = new Map<string, MailState>();
    const server = await startServer({
      atRecipient: (address) => {
        const key = keyOf(Number(address.slice('sub'.length, address.indexOf('@'))));
        const entry = JSON.parse(readFileSync(path.join(dir, 'entries', `${key}.json`), 'utf8')) as LedgerEntry;
        stateAtRcpt.set(key, entry.state);
      },
    });
    const events: string[] = [];
    const report = await sendPending(dir, local(server.port), options(c, { onEvent: (e) => events.push(`${e.key}:${e.state}`) }));

    expect(report).toEqual({ ...nothing, sent: keys(5) });
    expect(server.received.map((m) => m.messageId).sort()).toEqual(mails.map((m) => m.messageId).sort());
    const s3 = server.received.find((m) => m.messageId === '<d1.s3@regpress.example>');
    expect(s3).toEqual({ messageId: '<d1.s3@regpress.example>', to: subscriber(3), subject: 'Digest 1 for subscriber 3', text: 'Changes this week, subscriber 3.' });
    expect(Object.fromEntries(stateAtRcpt)).toEqual(Object.fromEntries(keys(5).map((k) => [k, 'sending'])));
    expect(events.slice(0, 2)).toEqual(['d1.s1:sending', 'd1.s1:sent']);
    expect(server.connections).toBe(1);
    const ledger = await readLedger(dir);
    expect(ledger.map((e) => [e.key, e.state, e.attempts])).toEqual(keys(5).map((k) => [k, 'sent', 1]));
    expect(ledger[0]?.lastResponse).toMatch(/^250 /);

    const again = await sendPending(dir, local(server.port), options(c));
    expect(again).toEqual(nothing);
    expect(server.received).toHaveLength(5);
  });

  it('refused connections: all retry with backoff, delivered once when the server is up and the time has come', async () => {
    const dir = tempDir();
    const c = clock();
    const mails = await digestMails(4);
    await enqueue(dir, mails, c.now());
    const port = await freePort();

    const first = await sendPending(dir, local(port), options(c));
    expect(first).toEqual({ ...nothing, retry: keys(4) });
    for (const e of await readLedger(dir)) {
      expect(e.state).toBe('retry');
      expect(e.attempts).toBe(1);
      expect(Date.parse(e.retryAt ?? '')).toBe(c.ms + retryDelayMs(e.key, 1, BASE, CAP));
      expect(Date.parse(e.retryAt ?? '')).toBeGreaterThan(c.ms);
      expect(e.lastError).toMatch(/ECONNREFUSED/);
    }
    expect(retryDelayMs('d1.s1', 1, BASE, CAP)).toBeGreaterThanOrEqual(BASE);
    expect(retryDelayMs('d1.s1', 1, BASE, CAP)).toBeLessThanOrEqual(BASE * 1.25);

    const server = await startServer({}, port);
    c.advance(BASE / 2);
    expect(await sendPending(dir, local(port), options(c))).toEqual({ ...nothing, skipped: keys(4) });
    expect(server.received).toHaveLength(0);

    c.advance(BASE);
    expect(await sendPending(dir, local(port), options(c))).toEqual({ ...nothing, sent: keys(4) });
    expect([...countBy(server.received.map((m) => m.messageId)).values()]).toEqual([1, 1, 1, 1]);
    expect(Object.values(statesOf(await readLedger(dir)))).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('421 on connect: the session is refused, no mail is blamed; the next run delivers once', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(3), c.now());
    const server = await startServer({ refuseConnection: (n) => (n === 1 ? 421 : undefined) });

    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, retry: keys(3) });
    const ledger = await readLedger(dir);
    expect(ledger.every((e) => e.attempts === 1 && /421/.test(e.lastError ?? ''))).toBe(true);
    expect(server.connections).toBe(1);

    c.advance(CAP);
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: keys(3) });
    expect(server.received.map((m) => m.messageId).sort()).toEqual(['<d1.s1@regpress.example>', '<d1.s2@regpress.example>', '<d1.s3@regpress.example>']);
  });

  it('451 to the message: that mail retries with doubling backoff, the others go on; each delivered once', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(4), c.now());
    let deferrals = 0;
    const server = await startServer({ refuseMessage: (m) => (m.to === subscriber(2) && deferrals++ < 2 ? 451 : undefined) });

    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s1', 'd1.s3', 'd1.s4'], retry: ['d1.s2'] });
    let s2 = (await readLedger(dir)).find((e) => e.key === 'd1.s2');
    expect(s2?.lastResponse).toMatch(/^451 /);
    expect(Date.parse(s2?.retryAt ?? '')).toBe(c.ms + retryDelayMs('d1.s2', 1, BASE, CAP));
    expect(server.connections).toBe(1); // RSET after the 451, same connection

    c.advance(retryDelayMs('d1.s2', 1, BASE, CAP));
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, retry: ['d1.s2'] });
    s2 = (await readLedger(dir)).find((e) => e.key === 'd1.s2');
    expect(s2?.attempts).toBe(2);
    expect(Date.parse(s2?.retryAt ?? '')).toBe(c.ms + retryDelayMs('d1.s2', 2, BASE, CAP));
    expect(Math.abs(retryDelayMs('d1.s2', 2, BASE, CAP) - 2 * retryDelayMs('d1.s2', 1, BASE, CAP))).toBeLessThanOrEqual(1);

    c.advance(retryDelayMs('d1.s2', 2, BASE, CAP));
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s2'] });
    expect([...countBy(server.received.map((m) => m.messageId)).values()]).toEqual([1, 1, 1, 1]);
  });

  it('a connection cut before the message was sent: retry, never unknown; on a reused connection, once more over a new one', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(3), c.now());
    const cut = new Set<string>();
    const once = (a: string) => !cut.has(a) && cut.add(a) !== undefined;
    const server = await startServer({ dropAtRecipient: (a) => (a === subscriber(1) || a === subscriber(3)) && once(a) });

    // s1 on a fresh connection: retry; s3 on a reused one: nothing of it went out, so it goes again at once
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s2', 'd1.s3'], retry: ['d1.s1'] });
    expect(server.connections).toBe(3);
    expect((await readLedger(dir)).find((e) => e.key === 'd1.s1')?.lastError).toMatch(/before the message data/);
    c.advance(CAP * 2);
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s1'] });
    expect(server.received.map((m) => m.to).sort()).toEqual([subscriber(1), subscriber(2), subscriber(3)]);
  });

  it('a server that closes the connection after a message: the next mail goes over a new one, no retry', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(4), c.now());
    const server = await startServer({ afterReply: (m, hangUp) => void (m.to === subscriber(2) && hangUp()) });
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: keys(4) });
    expect(server.connections).toBe(2);
    expect(server.received).toHaveLength(4);
  });

  it('gives up after maxAttempts: a mail that keeps getting 451 ends failed-permanent', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(2), c.now());
    const server = await startServer({ refuseMessage: (m) => (m.to === subscriber(1) ? 451 : undefined) });

    expect(await sendPending(dir, local(server.port), options(c, { maxAttempts: 2 }))).toEqual({ ...nothing, sent: ['d1.s2'], retry: ['d1.s1'] });
    c.advance(CAP * 2);
    expect(await sendPending(dir, local(server.port), options(c, { maxAttempts: 2 }))).toEqual({ ...nothing, failed: ['d1.s1'] });
    const s1 = (await readLedger(dir)).find((e) => e.key === 'd1.s1');
    expect(s1?.state).toBe('failed-permanent');
    expect(s1?.history.at(-1)?.detail).toMatch(/^gave up after 2 attempts/);
    c.advance(CAP * 2);
    expect(await sendPending(dir, local(server.port), options(c, { maxAttempts: 2 }))).toEqual(nothing);
  });

  it('550 for one recipient: that mail failed-permanent, the others sent; a re-run does not try it again', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(4), c.now());
    const tried = new Map<string, number>();
    const server = await startServer({
      atRecipient: (a) => void tried.set(a, (tried.get(a) ?? 0) + 1),
      refuseRecipient: (a) => (a === subscriber(3) ? 550 : undefined),
    });

    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s1', 'd1.s2', 'd1.s4'], failed: ['d1.s3'] });
    const s3 = (await readLedger(dir)).find((e) => e.key === 'd1.s3');
    expect(s3?.state).toBe('failed-permanent');
    expect(s3?.lastResponse).toMatch(/^550 /);
    expect(s3?.lastError).toMatch(/EENVELOPE at RCPT TO/);
    expect(server.connections).toBe(1);

    c.advance(CAP * 10);
    expect(await sendPending(dir, local(server.port), options(c))).toEqual(nothing);
    expect(tried.get(subscriber(3))).toBe(1);
    expect(server.received.map((m) => m.to)).toEqual([subscriber(1), subscriber(2), subscriber(4)]);
  });

  it('a 5xx to MAIL FROM refuses the sender, not the mails: all retry, none failed', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(3), c.now());
    const server = await startServer({ refuseSender: () => 550 });
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, retry: keys(3) });
    expect((await readLedger(dir)).map((e) => e.attempts)).toEqual([1, 1, 1]);
  });

  it('STARTTLS and AUTH: delivers with the right password; a wrong one blames no mail', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(2), c.now());
    const server = await startServer({
      options: {
        disabledCommands: [],
        authOptional: false,
        onAuth: (auth, _session, cb) => (auth.username === 'press' && auth.password === 'secret' ? cb(null, { user: 'press' }) : cb(smtpError(535, 'Bad credentials'))),
      },
    });
    const tls = { ...local(server.port), requireTLS: true, tls: { rejectUnauthorized: false } };

    expect(await sendPending(dir, { ...tls, auth: { user: 'press', pass: 'wrong' } }, options(c))).toEqual({ ...nothing, retry: keys(2) });
    expect((await readLedger(dir))[0]?.lastError).toMatch(/EAUTH.*535/);
    // the server's certificate is self-signed: verifying it refuses the session as well
    c.advance(CAP * 2);
    expect(await sendPending(dir, { ...local(server.port), requireTLS: true, auth: { user: 'press', pass: 'secret' } }, options(c))).toEqual({ ...nothing, retry: keys(2) });

    c.advance(CAP * 2);
    expect(await sendPending(dir, { ...tls, auth: { user: 'press', pass: 'secret' } }, options(c))).toEqual({ ...nothing, sent: keys(2) });
    expect(server.received).toHaveLength(2);
  });

  it('the server killed after taking a message, before its 250: that mail is unknown, sent again with the same Message-ID, and only it arrives twice', async () => {
    const dir = tempDir();
    const record = path.join(tempDir(), 'received.txt');
    const c = clock();
    const mails = await digestMails(6);
    await enqueue(dir, mails, c.now());

    const doomed = await spawnSmtpChild(record, 3);
    const first = await sendPending(dir, local(doomed.port), options(c));
    const [, signal] = (await doomed.exited) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');
    expect(first).toEqual({ ...nothing, sent: ['d1.s1', 'd1.s2'], unknown: ['d1.s3'], retry: ['d1.s4', 'd1.s5', 'd1.s6'] });
    expect((await readLedger(dir)).find((e) => e.key === 'd1.s3')?.lastError).toMatch(/after the message data, before the reply/);

    const revived = await spawnSmtpChild(record);
    c.advance(Math.max(0, (await latestRetryAt(dir)) - c.ms));
    const second = await sendPending(dir, local(revived.port), options(c));
    expect(second).toEqual({ ...nothing, sent: ['d1.s3', 'd1.s4', 'd1.s5', 'd1.s6'] });

    const got = countBy((await readFile(record, 'utf8')).split('\n').filter(Boolean));
    const ledger = await readLedger(dir);
    expect([...got.keys()].sort()).toEqual(mails.map((m) => m.messageId).sort()); // (a)
    for (const [id, n] of got) if (n > 1) expect(wasUnknown(ledger.find((e) => e.messageId === id))).toBe(true); // (b)
    expect(ledger.every((e) => e.state === 'sent')).toBe(true); // (c)
    expect([...got].filter(([, n]) => n > 1)).toEqual([['<d1.s3@regpress.example>', 2]]);
  });

  it('a sender that died mid-transaction (simulated): its sending entry becomes unknown and goes again with the same Message-ID', async () => {
    const dir = tempDir();
    const c = clock();
    const mails = await digestMails(3);
    await enqueue(dir, mails, c.now());
    const server = await startServer();
    // the dead run had sent s2 and the server had taken it; the run died before writing `sent`
    await deliverDirectly(server.port, mails[1]!);
    const s2 = (await readLedger(dir)).find((e) => e.key === 'd1.s2')!;
    await writeEntry(dir, advance(s2, { state: 'sending', attempts: 1, at: c.now(), detail: 'attempt 1' }));

    const events: string[] = [];
    const report = await sendPending(dir, local(server.port), options(c, { onEvent: (e) => events.push(`${e.key}:${e.state}`) }));
    expect(report).toEqual({ ...nothing, sent: keys(3) });
    expect(events.filter((e) => e.startsWith('d1.s2'))).toEqual(['d1.s2:unknown', 'd1.s2:sending', 'd1.s2:sent']);
    expect(server.received.map((m) => m.messageId).filter((id) => id === mails[1]!.messageId)).toHaveLength(2);
    const after = (await readLedger(dir)).find((e) => e.key === 'd1.s2');
    expect(after?.attempts).toBe(2);
    expect(wasUnknown(after)).toBe(true);
  });

  it('retryUnknown off: an interrupted mail stays unknown and is not sent', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(2), c.now());
    const s1 = (await readLedger(dir))[0]!;
    await writeEntry(dir, advance(s1, { state: 'sending', attempts: 1, at: c.now() }));
    const server = await startServer();

    expect(await sendPending(dir, local(server.port), options(c, { retryUnknown: false }))).toEqual({ ...nothing, sent: ['d1.s2'], unknown: ['d1.s1'] });
    expect(await sendPending(dir, local(server.port), options(c, { retryUnknown: false }))).toEqual({ ...nothing, unknown: ['d1.s1'] });
    expect(server.received.map((m) => m.to)).toEqual([subscriber(2)]);
  });

  it('a sender process SIGKILLed while waiting for the 250: the next run finds the mail sending, takes it for unknown, resends it', async () => {
    const dir = tempDir();
    const c = clock();
    const mails = await digestMails(4);
    await enqueue(dir, mails, c.now());
    const sender = compiledSender();
    let child: ChildProcess | undefined;
    const server = await startServer({
      beforeReply: async (m) => {
        if (m.to !== subscriber(2) || child === undefined) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      },
    });
    child = spawn(process.execPath, [sender, dir, String(server.port), c.now().toISOString()], { stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.push(() => void child?.kill('SIGKILL'));
    const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');
    expect(statesOf(await readLedger(dir))).toEqual({ 'd1.s1': 'sent', 'd1.s2': 'sending', 'd1.s3': 'pending', 'd1.s4': 'pending' });

    child = undefined;
    c.advance(1_000);
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s2', 'd1.s3', 'd1.s4'] });
    const got = countBy(server.received.map((m) => m.messageId));
    expect([...got.keys()].sort()).toEqual(mails.map((m) => m.messageId).sort());
    expect([...got].filter(([, n]) => n > 1)).toEqual([['<d1.s2@regpress.example>', 2]]);
    expect(wasUnknown((await readLedger(dir)).find((e) => e.key === 'd1.s2'))).toBe(true);
  });

  it('a sender killed at the injected point send:accepted (the server has the mail, the ledger not yet): resent once, as unknown', async () => {
    const dir = tempDir();
    const c = clock();
    const mails = await digestMails(3);
    await enqueue(dir, mails, c.now());
    const server = await startServer();
    const child = spawn(process.execPath, [compiledSender(), dir, String(server.port), c.now().toISOString()], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, REGPRESS_CRASH_AT: 'send:accepted:2' } });
    cleanups.push(() => void child.kill('SIGKILL'));
    const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');
    expect(server.received.map((m) => m.to)).toEqual([subscriber(1), subscriber(2)]);
    expect(statesOf(await readLedger(dir))).toEqual({ 'd1.s1': 'sent', 'd1.s2': 'sending', 'd1.s3': 'pending' });

    c.advance(1_000);
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s2', 'd1.s3'] });
    expect([...countBy(server.received.map((m) => m.messageId))].filter(([, n]) => n > 1)).toEqual([['<d1.s2@regpress.example>', 2]]);
    expect(wasUnknown((await readLedger(dir)).find((e) => e.key === 'd1.s2'))).toBe(true);
  });

  it('concurrency: several connections deliver each mail once; one refused connection does not stop the others', async () => {
    const dir = tempDir();
    const c = clock();
    const mails = await digestMails(12);
    await enqueue(dir, mails, c.now());
    const server = await startServer({ refuseConnection: (n) => (n === 2 ? 421 : undefined) });
    expect(await sendPending(dir, local(server.port), options(c, { concurrency: 3 }))).toEqual({ ...nothing, sent: mails.map((m) => m.key).sort() });
    expect(server.connections).toBe(3);
    expect([...countBy(server.received.map((m) => m.messageId)).values()]).toEqual(Array(12).fill(1));
    expect((await readLedger(dir)).every((e) => e.attempts === 1)).toBe(true);

    // all refused: every mail retries, with one attempt counted
    const down = tempDir();
    await enqueue(down, mails, c.now());
    expect(await sendPending(down, local(await freePort()), options(c, { concurrency: 3 }))).toEqual({ ...nothing, retry: mails.map((m) => m.key).sort() });
    expect((await readLedger(down)).map((e) => e.attempts)).toEqual(Array(12).fill(1));
  });

  it('limit: attempts at most that many, the rest are skipped', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(3), c.now());
    const server = await startServer();
    expect(await sendPending(dir, local(server.port), options(c, { limit: 2 }))).toEqual({ ...nothing, sent: ['d1.s1', 'd1.s2'], skipped: ['d1.s3'] });
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s3'] });
  });

  it('refuses to run while another live process holds the outbox; takes over the lock of a dead one', async () => {
    const dir = tempDir();
    const c = clock();
    await enqueue(dir, await digestMails(1), c.now());
    const server = await startServer();
    await writeFile(path.join(dir, 'send.lock'), `${process.pid}\n`);
    await expect(sendPending(dir, local(server.port), options(c))).rejects.toThrow(/being sent by process/);
    expect(server.received).toHaveLength(0);

    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(path.join(dir, 'send.lock'), `${dead}\n`);
    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s1'] });
  });
});

describe('the ledger', () => {
  it('has no way out of sent or failed-permanent', async () => {
    const c = clock();
    const entry = (state: MailState): LedgerEntry => ({ key: 'k', messageId: '<k@x>', from: FROM, to: FROM, state, attempts: 1, history: [] });
    for (const state of ['sending', 'retry', 'pending', 'unknown'] as const) {
      expect(() => advance(entry('sent'), { state, at: c.now(), retryAt: c.now() })).toThrow(/cannot go from sent/);
      expect(() => advance(entry('failed-permanent'), { state, at: c.now(), retryAt: c.now() })).toThrow(/cannot go from failed-permanent/);
    }
    expect(() => advance(entry('pending'), { state: 'sent', at: c.now() })).toThrow(/cannot go from pending to sent/);
    expect(advance(entry('sending'), { state: 'sent', at: c.now() }).state).toBe('sent');
  });
});

describe('enqueue', () => {
  it('is idempotent: keys already there, in any state, are neither re-added nor reset', async () => {
    const dir = tempDir();
    const c = clock();
    const mails = await digestMails(3);
    expect(await enqueue(dir, mails, c.now())).toEqual({ added: keys(3), existing: [] });
    expect(await enqueue(dir, mails, c.now())).toEqual({ added: [], existing: keys(3) });
    const server = await startServer();
    await sendPending(dir, local(server.port), options(c));
    const before = await readLedger(dir);

    c.advance(10_000);
    const changed = { ...mails[0]!, raw: Buffer.from(Buffer.from(mails[0]!.raw).toString('latin1').replace('Changes', 'Other'), 'latin1') };
    const fourth = await digestMail(4);
    expect(await enqueue(dir, [changed, mails[1]!, mails[2]!, fourth, fourth], c.now())).toEqual({ added: ['d1.s4'], existing: ['d1.s1', 'd1.s2', 'd1.s3', 'd1.s4'] });
    const after = await readLedger(dir);
    expect(after.slice(0, 3)).toEqual(before);
    expect(after[3]?.state).toBe('pending');
    expect(Buffer.compare(readFileSync(path.join(dir, 'messages', 'd1.s1.eml')), mails[0]!.raw)).toBe(0);

    expect(await sendPending(dir, local(server.port), options(c))).toEqual({ ...nothing, sent: ['d1.s4'] });
    expect(server.received).toHaveLength(4);
  });

  it('refuses a key queued with another Message-ID, and a raw message whose Message-ID is not the one given', async () => {
    const dir = tempDir();
    const c = clock();
    const [m1, m2] = await digestMails(2);
    await enqueue(dir, [m1!], c.now());
    await expect(enqueue(dir, [{ ...m2!, key: m1!.key }], c.now())).rejects.toThrow(/already queued with Message-ID/);
    await expect(enqueue(dir, [{ ...m2!, messageId: '<other@regpress.example>' }], c.now())).rejects.toThrow(/Message-ID is <d1.s2@regpress.example>/);
    await expect(enqueue(dir, [{ ...m2!, key: '../escape' }], c.now())).rejects.toThrow(/bad key/);
    expect((await readLedger(dir)).map((e) => e.key)).toEqual(['d1.s1']);
  });
});

// ---------------------------------------------------------------- processes

/** Starts tests/support/smtp-child.mjs; resolves once it listens. */
async function spawnSmtpChild(record: string, dieOn?: number): Promise<{ port: number; exited: Promise<unknown[]> }> {
  const script = path.join(REPO_ROOT, 'tests', 'support', 'smtp-child.mjs');
  const child = spawn(process.execPath, [script, record, ...(dieOn === undefined ? [] : [String(dieOn)])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    const m = /listening (\d+)/.exec(out);
    if (m) return { port: Number(m[1]), exited };
  }
  throw new Error(`smtp child did not start: ${out}`);
}

/**
 * The sender as plain JavaScript a child process can run: Node 20 cannot
 * import .ts, so outbox.ts, send.ts and output.ts are transpiled into a temporary
 * folder (node_modules linked in) with a runner that calls sendPending.
 */
function compiledSender(): string {
  const dir = tempDir('regpress-sender-');
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const name of ['outbox', 'send', 'output', 'faults']) {
    const source = readFileSync(path.join(REPO_ROOT, 'src', 'publish', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(path.join(dir, `${name}.js`), js);
  }
  const runner = path.join(dir, 'run.mjs');
  writeFileSync(
    runner,
    `import { sendPending } from './send.js';
const [dir, port, now] = process.argv.slice(2);
await sendPending(dir, { host: '127.0.0.1', port: Number(port), secure: false }, { now: () => new Date(now) });
`,
  );
  return runner;
}

/** Hands a mail to the server outside the outbox, as a run that died after the server's 250 would have. */
async function deliverDirectly(port: number, mail: OutgoingMail): Promise<void> {
  const conn = new SMTPConnection({ host: '127.0.0.1', port, secure: false, logger: false });
  await new Promise<void>((resolve, reject) => {
    conn.once('error', reject);
    conn.connect(() => conn.send({ from: mail.from, to: mail.to }, Buffer.from(mail.raw), (err) => (err ? reject(err) : resolve())));
  });
  conn.quit();
}
