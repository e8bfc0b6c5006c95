/**
 * One digest as one RFC 5322 message: multipart/alternative, text and HTML,
 * composed by nodemailer's MailComposer (MIME encoding, line folding and
 * header encoding are not ours to get wrong). Deterministic: the date, the
 * Message-ID and the MIME boundary come from the digest, so the same digest
 * for the same subscriber is the same bytes — the .eml written for review is
 * the message sent.
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface MailInput {
  from: { name: string; address: string };
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** `<…@…>`: fixed per (digest, subscriber), so a resend is recognisable as the same message. */
  messageId: string;
  date: Date;
  /** The unsubscribe URL (https) for List-Unsubscribe and one-click unsubscribe (RFC 8058). */
  unsubscribe: string;
}

/** Refuses what could split a header: a subject or name with a line break. */
function oneLine(s: string, what: string): string {
  if (/[\r\n\u0000]/.test(s)) throw new Error(`${what} may not contain line breaks`);
  return s;
}

export async function composeMail(m: MailInput): Promise<Buffer> {
  if (!/^https:\/\/[^\s<>"]+$/.test(m.unsubscribe)) throw new Error(`unsubscribe link ${m.unsubscribe} must be an https URL`);
  if (!/^<[^<>\s@]+@[^<>\s@]+>$/.test(m.messageId)) throw new Error(`Message-ID ${m.messageId} is not <id@domain>`);
  const composer = new MailComposer({
    from: { name: oneLine(m.from.name, 'sender name'), address: m.from.address },
    to: { name: oneLine(m.to.name, 'recipient name'), address: m.to.address },
    subject: oneLine(m.subject, 'subject'),
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    date: m.date,
    baseBoundary: createHash('sha256').update(m.messageId).digest('hex').slice(0, 16),
    // Japanese text: base64 is a third of quoted-printable's size, and Node encodes it natively
    textEncoding: 'base64',
    // nothing in a digest is a file or a URL to fetch: if an attachment or
    // body ever carried a `path` or `href`, nodemailer must refuse it rather
    // than read a local file or the network into the message
    disableFileAccess: true,
    disableUrlAccess: true,
    headers: {
      'List-Unsubscribe': `<${m.unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    },
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message)));
  });
}
