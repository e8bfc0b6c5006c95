/**
 * Running the real CLI (bin/regpress.js, which runs the compiled dist/) as a
 * child process, for what is process-wide and cannot vary in-process: TZ,
 * the locale, the umask.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export const BIN = path.join(REPO_ROOT, 'bin', 'regpress.js');

/** Whether some src/**.ts is newer than its compiled dist/**.js (or has none). */
function distIsStale(): boolean {
  const walk = (rel: string): boolean => {
    for (const e of readdirSync(path.join(REPO_ROOT, 'src', rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (walk(r)) return true;
      } else if (e.name.endsWith('.ts')) {
        const js = path.join(REPO_ROOT, 'dist', r.replace(/\.ts$/, '.js'));
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(path.join(REPO_ROOT, 'src', r)).mtimeMs) return true;
      }
    }
    return false;
  };
  return walk('.');
}

/** Compiles dist/ (`npm run build`) when the sources are newer, so the child runs the code under test. */
export function ensureDist(): void {
  if (!distIsStale()) return;
  try {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`npm run build (tsc -p tsconfig.build.json) failed, so dist/ would not be the code under test:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `regpress ARGS` in a child process under `sh` with this umask, in `cwd`,
 * with the test's environment minus every time, locale and build-date
 * variable, plus `env`.
 */
export function runCliChild(args: readonly string[], options: { cwd: string; env?: Record<string, string>; umask?: string }): Promise<ChildResult> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(TZ|LANG|LANGUAGE|LC_.*|SOURCE_DATE_EPOCH|NO_COLOR|FORCE_COLOR)$/.test(k)) base[k] = v;
  const env = { ...base, ...options.env };
  const umask = options.umask ?? '022';
  if (!/^[0-7]{3,4}$/.test(umask)) throw new Error(`umask ${umask}`);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
