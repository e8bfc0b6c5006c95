/**
 * Reading a built output folder as readers see it: what is reachable under
 * output/pdf, output/html, output/feeds, output/site and output/manifest.json,
 * following symbolic links, so the same code reads a plain folder and one
 * whose top-level entries point into a generation.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** The published entries of an output folder. */
export const PUBLISHED = ['pdf', 'html', 'feeds', 'site', 'manifest.json'] as const;

/** Files that are a build's working state, not its output: locks and half-written files. */
const transient = (name: string) => name.endsWith('.tmp') || name.endsWith('.lock');

/** Every published file (path relative to the output folder → bytes), in code-unit order of path. */
export function readOutput(outDir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    const abs = path.join(outDir, rel);
    const st = statSync(abs); // follows symbolic links
    if (st.isDirectory()) {
      for (const name of readdirSync(abs).sort()) if (!transient(name)) walk(path.posix.join(rel, name));
    } else if (st.isFile()) {
      out.set(rel, readFileSync(abs));
    }
  };
  for (const top of PUBLISHED) if (existsSync(path.join(outDir, top))) walk(top);
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Modification times of every published file (following links), to see that a run rewrote nothing. */
export function outputTimes(outDir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const rel of readOutput(outDir).keys()) out.set(rel, statSync(path.join(outDir, rel)).mtimeMs);
  return out;
}

const show = (b: Buffer, at: number) => JSON.stringify(b.subarray(Math.max(0, at - 24), at + 24).toString('latin1'));

/**
 * The first difference between two output trees, said so a person can find
 * it (missing files, or the first differing file and byte offset with the
 * bytes around it); undefined when they are the same bytes.
 */
export function firstDifference(a: Map<string, Buffer>, b: Map<string, Buffer>, names: [string, string] = ['a', 'b']): string | undefined {
  const onlyA = [...a.keys()].filter((k) => !b.has(k));
  const onlyB = [...b.keys()].filter((k) => !a.has(k));
  if (onlyA.length > 0 || onlyB.length > 0) return `files only in ${names[0]}: ${onlyA.join(', ') || '(none)'}; only in ${names[1]}: ${onlyB.join(', ') || '(none)'}`;
  for (const [rel, x] of a) {
    const y = b.get(rel) as Buffer;
    if (x.equals(y)) continue;
    let i = 0;
    while (i < x.length && i < y.length && x[i] === y[i]) i++;
    return `${rel} differs at byte ${i} (${x.length} vs ${y.length} bytes): ${names[0]} ${show(x, i)} / ${names[1]} ${show(y, i)}`;
  }
  return undefined;
}

/**
 * sha256 of every file under `root`, by path relative to it, as seen
 * through `root`: symlinks (to generation folders, to files) are followed,
 * each real folder walked once. The build lock and *.tmp files are skipped.
 */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  const seen = new Set<string>();
  const walk = (abs: string, rel: string) => {
    const real = realpathSync(abs);
    if (seen.has(real)) return;
    seen.add(real);
    for (const name of readdirSync(abs).sort()) {
      if (name === '.regpress-build.lock' || name.endsWith('.tmp')) continue;
      const a = path.join(abs, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      let st;
      try {
        st = statSync(a); // follows symlinks
      } catch {
        out.set(r, 'dangling-symlink');
        continue;
      }
      if (st.isDirectory()) walk(a, r);
      else if (st.isFile()) out.set(r, createHash('sha256').update(readFileSync(a)).digest('hex'));
    }
  };
  walk(root, '');
  return out;
}
