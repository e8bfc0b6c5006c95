/**
 * An SMTP server in a process of its own, for tests that kill the server.
 *
 *   node smtp-child.mjs <recordFile> [dieOn]
 *
 * Prints "listening <port>" once it listens on 127.0.0.1 (ephemeral port).
 * For every message it would accept, appends its Message-ID to recordFile
 * and fsyncs before answering 250, so the file lists what the server took
 * even if it dies right after. On the dieOn-th message it records it and
 * then SIGKILLs itself instead of answering: the client has sent the whole
 * message and never learns whether it was taken.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const [recordFile, dieOnArg] = process.argv.slice(2);
if (!recordFile) throw new Error('usage: smtp-child.mjs <recordFile> [dieOn]');
const dieOn = dieOnArg ? Number(dieOnArg) : 0;
let accepted = 0;

function record(messageId) {
  const fd = openSync(recordFile, 'a');
  writeSync(fd, `${messageId}\n`);
  fsyncSync(fd);
  closeSync(fd);
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      simpleParser(Buffer.concat(chunks)).then((mail) => {
        record(mail.messageId ?? '(none)');
        accepted++;
        if (accepted === dieOn) process.kill(process.pid, 'SIGKILL');
        else callback(null, `queued as ${accepted}`);
      }, callback);
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.server.address().port}\n`);
});
