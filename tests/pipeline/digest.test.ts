/**
 * Digests on a real amendment: 貨物等省令 of 2023-07-23 (semiconductor items
 * of 第六条第十七号). A subscriber to row 7 hears of it through the graph; a
 * subscriber to row 3 gets no mail. Messages are read back with mailparser.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'regpress-digest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SUBSCRIBERS = `subscribers:
  - name: 半導体　太郎
    email: row7@example.co.jp
    follows:
      rows: ["7"]
  - name: Chem Trader
    email: row3@example.com
    language: en
    follows:
      rows: ["3"]
  - name: Ordinance Watcher
    email: ordinance@example.com
    language: en
    editorial: true
    follows:
      instruments: [貨物等省令]
`;

const amendment = execFileSync('git', ['log', '--format=%H', '--since=2023-07-22', '--until=2023-07-24', '--', 'regulations/jp/403M50000400049.md'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n')[0] as string;

interface Report {
  digest: string;
  mails: { email: string; key: string; messageId: string; now: number; coming: number; editorial: number; queued: boolean }[];
}

async function digest(...args: string[]): Promise<Report> {
  const file = path.join(dir, 'subscribers.yaml');
  writeFileSync(file, SUBSCRIBERS);
  const r = await runCli(['digest', `${amendment}~1`, amendment, '--subscribers', file, '--dry-run', '--json', ...args], { cwd: REPO_ROOT });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe('regpress digest on the 2023-07-23 amendment of 貨物等省令', () => {
  it('tells the row 7 subscriber of the ordinance change through the graph, and writes no mail to the row 3 subscriber', { timeout: 300_000 }, async () => {
    const out = path.join(dir, 'eml');
    const report = await digest('--as-of', '2025-01-01', '--out', out);
    expect(report.mails.map((m) => m.email).sort()).toEqual(['ordinance@example.com', 'row7@example.co.jp']);
    const row7 = report.mails.find((m) => m.email === 'row7@example.co.jp');
    expect(row7?.now).toBeGreaterThan(0);
    expect(row7?.coming).toBe(0);

    const files = readdirSync(path.join(out, report.digest));
    expect(files).toHaveLength(2);
    const raw = readFileSync(path.join(out, report.digest, `${row7?.key.split('.')[1]}.eml`));
    const mail = await simpleParser(raw);
    expect(mail.messageId).toBe(row7?.messageId);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : '').toBe('row7@example.co.jp');
    expect(raw.toString('latin1')).toMatch(/^List-Unsubscribe: <https:\/\/regpress\.example\/unsubscribe\?s=[0-9a-f]{16}>\r$/m);
    expect(raw.toString('latin1')).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(mail.subject).toMatch(/改正のお知らせ/);
    const text = mail.text ?? '';
    expect(text).toContain('施行済みの改正');
    expect(text).toContain('貨物等省令第六条第一項第十七号ル');
    expect(text).toMatch(/経由: 輸出令別表第一の七の項（十六）/);
    expect(text).toMatch(/\{\+.+\+\}/); // the redline
    expect(text).toContain('パラメータシート　七の項');
    expect(mail.html || '').toContain('<ins');
  });

  it('puts the same change under "coming into force" on a day before it takes effect, and keeps bytes stable', { timeout: 120_000 }, async () => {
    const a = await digest('--as-of', '2023-07-01', '--out', path.join(dir, 'a'));
    const b = await digest('--as-of', '2023-07-01', '--out', path.join(dir, 'b'));
    const row7 = a.mails.find((m) => m.email === 'row7@example.co.jp');
    expect(row7?.now).toBe(0);
    expect(row7?.coming).toBeGreaterThan(0);
    const name = `${row7?.key.split('.')[1]}.eml`;
    const ta = readFileSync(path.join(dir, 'a', a.digest, name));
    expect(ta.equals(readFileSync(path.join(dir, 'b', b.digest, name)))).toBe(true);
    expect((await simpleParser(ta)).text).toContain('2023-07-23 施行予定');
  });

  it('refuses a subscribers file with errors, naming file, line and column, and queues nothing', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'subscribers:\n  - name: "x"\n    email: "a@b.example\\r\\nBcc: all@evil.example"\n    follows: { rows: ["99x"] }\n');
    const r = await runCli(['digest', 'HEAD~1', 'HEAD', '--subscribers', file], { cwd: REPO_ROOT });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:3:\d+ error .*line breaks.* subscribers-schema/);
    expect(r.stderr).toMatch(/bad\.yaml:4:\d+ error row "99x" .* subscribers-schema/);
  });
});

describe('regpress digest → outbox → send', () => {
  it('queues each digest once and delivers it once to a real SMTP server on 127.0.0.1', { timeout: 300_000 }, async () => {
    const received: { messageId: string; to: string; subject: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          void simpleParser(Buffer.concat(chunks)).then((m) => {
            received.push({ messageId: m.messageId ?? '', to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: m.subject ?? '' });
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as { port: number }).port;
    try {
      const file = path.join(dir, 'subscribers-send.yaml');
      writeFileSync(file, SUBSCRIBERS);
      const outbox = path.join(dir, 'outbox');
      const queue = async () => JSON.parse((await runCli(['digest', `${amendment}~1`, amendment, '--subscribers', file, '--outbox', outbox, '--as-of', '2025-01-01', '--json'], { cwd: REPO_ROOT })).stdout) as Report;
      const first = await queue();
      expect(first.mails.map((m) => m.queued)).toEqual([true, true]);
      const send = () => runCli(['send', '--outbox', outbox, '--smtp-host', '127.0.0.1', '--smtp-port', String(port), '--json'], { cwd: REPO_ROOT });
      const r = await send();
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { sent: string[] }).sent.sort()).toEqual(first.mails.map((m) => m.key).sort());
      expect(received.map((m) => m.messageId).sort()).toEqual(first.mails.map((m) => m.messageId).sort());
      expect(received.find((m) => m.to === 'row7@example.co.jp')?.subject).toMatch(/改正のお知らせ/);
      // again: nothing new is queued, nothing is sent twice
      const second = await queue();
      expect(second.mails.map((m) => m.queued)).toEqual([false, false]);
      expect((JSON.parse((await send()).stdout) as { sent: string[] }).sent).toEqual([]);
      expect(received).toHaveLength(2);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
