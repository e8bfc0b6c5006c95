/**
 * The outbox: a ledger of the mails to deliver, one file per mail, so that a
 * send run can be killed at any instant and the next run still knows, for
 * every mail, whether it went out, must go out, or may have gone out.
 *
 * Layout of an outbox folder:
 *   messages/<key>.eml  the raw message, written once by enqueue and never changed
 *   entries/<key>.json  the mail's state, rewritten on every transition
 *   send.lock           held by a running send, so two runs never share the ledger
 *
 * Every write goes to a temporary file beside the target, is fsynced, renamed
 * into place, and the folder is fsynced: after a crash each file holds either
 * its old or its new content, and a rename that was reported done stays done.
 * A mail's entry is written after its message, so an entry never names a
 * message that is not there.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { lockFolder, syncDir, writeFileDurably } from './output.js';

export interface OutgoingMail {
  /** Stable name of the mail, `[A-Za-z0-9._-]{1,200}`: "<digestId>.<subscriberId>". */
  key: string;
  /** `<…@…>`, the one in the raw message's header; receivers drop duplicates by it. */
  messageId: string;
  /** Envelope sender. */
  from: string;
  /** Envelope recipient. */
  to: string;
  /** The complete RFC 5322 message. */
  raw: Uint8Array;
}

export type MailState = 'pending' | 'sending' | 'sent' | 'retry' | 'failed-permanent' | 'unknown';

export interface LedgerEntry {
  key: string;
  messageId: string;
  from: string;
  to: string;
  state: MailState;
  /** SMTP attempts made so far, counted when one starts. */
  attempts: number;
  /** ISO time; only in state `retry`: not sent again before it. */
  retryAt?: string;
  lastError?: string;
  /** The server's last reply about this mail: its 250, or the reply that refused it. */
  lastResponse?: string;
  history: { at: string; state: MailState; detail?: string }[];
}

const KEY = /^[A-Za-z0-9._-]{1,200}$/;
const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;
const LOCK_FILE = 'send.lock';

const entriesDir = (dir: string) => path.join(dir, 'entries');
const messagesDir = (dir: string) => path.join(dir, 'messages');
const entryFile = (dir: string, key: string) => path.join(entriesDir(dir), `${key}.json`);
const messageFile = (dir: string, key: string) => path.join(messagesDir(dir), `${key}.eml`);

/**
 * The states a mail may move to from each state. `sent` and
 * `failed-permanent` are final: nothing may move a mail out of them, which
 * is what makes "never sent again once sent" hold whatever the caller does.
 */
const NEXT: Readonly<Record<MailState, readonly MailState[]>> = {
  pending: ['sending', 'retry', 'failed-permanent'],
  retry: ['sending', 'retry', 'failed-permanent'],
  unknown: ['sending', 'retry', 'failed-permanent'],
  sending: ['sent', 'retry', 'failed-permanent', 'unknown'],
  sent: [],
  'failed-permanent': [],
};

export interface Transition {
  state: MailState;
  at: Date;
  detail?: string;
  attempts?: number;
  /** Required for `retry`, ignored otherwise. */
  retryAt?: Date;
  lastError?: string;
  lastResponse?: string;
}

/** The entry after a transition; throws on a move the state machine does not have. */
export function advance(entry: LedgerEntry, t: Transition): LedgerEntry {
  if (!NEXT[entry.state].includes(t.state)) throw new Error(`outbox: ${entry.key} cannot go from ${entry.state} to ${t.state}`);
  const { retryAt: _previous, ...rest } = entry;
  const next: LedgerEntry = { ...rest, state: t.state, history: [...entry.history, step(t)] };
  if (t.attempts !== undefined) next.attempts = t.attempts;
  if (t.lastError !== undefined) next.lastError = t.lastError;
  if (t.lastResponse !== undefined) next.lastResponse = t.lastResponse;
  if (t.state === 'retry') {
    if (t.retryAt === undefined) throw new Error(`outbox: ${entry.key} goes to retry without a retry time`);
    next.retryAt = t.retryAt.toISOString();
  }
  return next;
}

function step(t: Transition): LedgerEntry['history'][number] {
  return t.detail === undefined ? { at: t.at.toISOString(), state: t.state } : { at: t.at.toISOString(), state: t.state, detail: t.detail };
}

/**
 * Adds mails to the outbox. A key already there, in any state, is left as it
 * is: a digest run that is repeated (after a crash, or by mistake) enqueues
 * the same keys again and must not send or reset anything twice. The same
 * key with another Message-ID is an error rather than "existing": it means
 * the producer's keys are not stable, and dropping the mail silently would
 * hide that.
 */
export async function enqueue(dir: string, mails: readonly OutgoingMail[], now: Date): Promise<{ added: string[]; existing: string[] }> {
  for (const m of mails) checkMail(m);
  const known = new Map<string, string>();
  const fresh: OutgoingMail[] = [];
  const existing: string[] = [];
  for (const m of mails) {
    const messageId = known.get(m.key) ?? (await readEntry(dir, m.key))?.messageId;
    if (messageId !== undefined && messageId !== m.messageId) throw new Error(`outbox: ${m.key} is already queued with Message-ID ${messageId}, not ${m.messageId}`);
    if (messageId === undefined) fresh.push(m);
    else existing.push(m.key);
    known.set(m.key, m.messageId);
  }
  // all messages first and their folder synced once, then the entries that name them
  await mkdir(messagesDir(dir), { recursive: true });
  await mkdir(entriesDir(dir), { recursive: true });
  for (const m of fresh) await writeFileDurably(messageFile(dir, m.key), m.raw);
  await syncDir(messagesDir(dir));
  for (const m of fresh) await writeFileDurably(entryFile(dir, m.key), formatEntry(newEntry(m, now)));
  await syncDir(entriesDir(dir));
  return { added: fresh.map((m) => m.key), existing };
}

function newEntry(m: OutgoingMail, now: Date): LedgerEntry {
  return { key: m.key, messageId: m.messageId, from: m.from, to: m.to, state: 'pending', attempts: 0, history: [{ at: now.toISOString(), state: 'pending' }] };
}

/**
 * Refuses a mail the sender could not deliver as promised: a key that is not
 * a safe file name, an address that would break the SMTP command line, or a
 * raw message whose Message-ID is not the one in the ledger (resending after
 * an unknown outcome is only harmless because receivers see the same one).
 */
function checkMail(m: OutgoingMail): void {
  if (!KEY.test(m.key)) throw new Error(`outbox: bad key ${JSON.stringify(m.key)}`);
  if (!MESSAGE_ID.test(m.messageId)) throw new Error(`outbox: ${m.key}: bad Message-ID ${JSON.stringify(m.messageId)}`);
  for (const address of [m.from, m.to]) {
    if (!/^[^\s<>@]+@[^\s<>@]+$/.test(address)) throw new Error(`outbox: ${m.key}: bad address ${JSON.stringify(address)}`);
  }
  const inRaw = headerMessageId(m.raw);
  if (inRaw !== m.messageId) throw new Error(`outbox: ${m.key}: the message's Message-ID is ${inRaw ?? 'missing'}, not ${m.messageId}`);
}

/** The Message-ID header of a raw message (folded lines unfolded); undefined when it has none. */
export function headerMessageId(raw: Uint8Array): string | undefined {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const header = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  return /^Message-ID:[ \t]*(<[^>\r\n]*>)/im.exec(header)?.[1];
}

/** Every entry of the outbox, sorted by key. A malformed entry is an error: guessing its state could send a mail twice. */
export async function readLedger(dir: string): Promise<LedgerEntry[]> {
  let names: string[];
  try {
    names = await readdir(entriesDir(dir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`outbox: cannot read ${entriesDir(dir)}`, { cause: e });
  }
  const keys = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
  const entries: LedgerEntry[] = [];
  for (const key of keys.sort()) {
    const entry = await readEntry(dir, key);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

async function readEntry(dir: string, key: string): Promise<LedgerEntry | undefined> {
  const file = entryFile(dir, key);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`outbox: cannot read ${file}`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`outbox: ${file} is not JSON`, { cause: e });
  }
  if (!isEntry(parsed) || parsed.key !== key) throw new Error(`outbox: ${file} is not a ledger entry for ${key}`);
  return parsed;
}

const STATES: readonly string[] = Object.keys(NEXT);

function isEntry(x: unknown): x is LedgerEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    typeof e.key === 'string' &&
    typeof e.messageId === 'string' &&
    typeof e.from === 'string' &&
    typeof e.to === 'string' &&
    typeof e.state === 'string' &&
    STATES.includes(e.state) &&
    typeof e.attempts === 'number' &&
    (e.state !== 'retry' || typeof e.retryAt === 'string') &&
    Array.isArray(e.history)
  );
}

/** The raw message of a queued mail. */
export async function readMessage(dir: string, key: string): Promise<Buffer> {
  return readFile(messageFile(dir, key));
}

/** Replaces a mail's entry durably: when this returns, the new state survives a crash. */
export async function writeEntry(dir: string, entry: LedgerEntry): Promise<void> {
  await writeFileDurably(entryFile(dir, entry.key), formatEntry(entry));
  await syncDir(entriesDir(dir));
}

function formatEntry(entry: LedgerEntry): string {
  return `${JSON.stringify(entry, null, 2)}\n`;
}

/**
 * Takes the outbox's send lock, returning its release. The lock is what
 * lets a starting run treat every `sending` entry as left by a dead process:
 * without it, a second run would take a live run's mail in flight for an
 * interrupted one and send it again. A lock whose process is gone is taken
 * over; the lock is created by linking a finished file, so it never exists
 * without the holder's pid in it.
 */
export async function lockOutbox(dir: string): Promise<() => Promise<void>> {
  return lockFolder(dir, LOCK_FILE, 'being sent');
}

