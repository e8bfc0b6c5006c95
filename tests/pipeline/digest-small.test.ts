/**
 * A digest of an amendment that moves a threshold (第六条第一号ロ: 一二五度 →
 * 一五〇度), on the small corpus: the thresholds line is in both parts of
 * the mail, and the plain-text part is text, not HTML-escaped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';
import { smallCorpus } from '../support/small-corpus.js';

describe('digest of a threshold move', () => {
  it('names the moved number in the text and HTML parts, and the text part carries no HTML entities', { timeout: 60_000 }, async () => {
    const repo = makeTempRepo();
    repo.commit(smallCorpus('一二五'), 'initial texts', '2024-01-10T00:00:00+09:00');
    repo.commit(smallCorpus('一五〇'), 'amend 第六条第一号ロ', '2024-06-01T00:00:00+09:00');
    repo.write({ 'subscribers.yaml': "subscribers:\n  - name: \"O'Neil & Co.\"\n    email: oneil@example.com\n    follows:\n      rows: [\"7\"]\n" });
    const r = await runCli(['digest', 'HEAD~1', 'HEAD', '--subscribers', 'subscribers.yaml', '--as-of', '2024-07-01', '--out', 'mails', '--dry-run', '--site-url', 'https://regpress.example'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(0);
    const dir = path.join(repo.dir, 'mails', readdirSync(path.join(repo.dir, 'mails'))[0] as string);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(path.join(dir, files[0] as string)));
    const text = mail.text ?? '';
    expect(text).toMatch(/数値: .*一二五.*一五〇|数値: .*125.*150/);
    expect(text).toContain("O'Neil & Co. 様");
    expect(text).toMatch(/unsubscribe\?s=[0-9a-f]+/);
    expect(text).not.toMatch(/&(amp|lt|gt|quot|#x?[0-9a-f]+);/i);
    expect(String(mail.html)).toMatch(/数値: /);
  });
});
