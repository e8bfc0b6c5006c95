/**
 * Real temporary git repositories for tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export interface TempRepo {
  dir: string;
  git(...args: string[]): string;
  /** Writes files (path → content; Uint8Array for raw bytes) and commits them. Returns the commit id. */
  commit(files: Record<string, string | Uint8Array | null>, message?: string, date?: string): string;
  write(files: Record<string, string | Uint8Array | null>): void;
}

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function makeTempRepo(prefix = 'regpress-test-'): TempRepo {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  const write = (files: Record<string, string | Uint8Array | null>) => {
    for (const [rel, content] of Object.entries(files)) {
      const abs = path.join(dir, rel);
      if (content === null) {
        rmSync(abs, { force: true });
        continue;
      }
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
  };
  return {
    dir,
    git,
    write,
    commit(files, message = 'change', date = '2025-01-01T00:00:00+09:00') {
      write(files);
      git('add', '-A');
      execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
        cwd: dir,
        env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      });
      return git('rev-parse', 'HEAD').trim();
    },
  };
}

/** Front matter for a small instrument in tests. */
export function frontMatter(identifier: string, title: string, rank = 'cabinet_order', extra = ''): string {
  return `---\ntitle: "${title}"\nidentifier: "${identifier}"\nrank: "${rank}"\n${extra}---\n\n`;
}
