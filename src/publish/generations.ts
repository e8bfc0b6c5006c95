/**
 * Generations of the output folder: what exporters download is switched
 * from one complete generation to the next in one atomic step, so a reader
 * (the portal, rsync, a browser) sees the old output or the new one, never a
 * mix, and a build killed at any point leaves the old one intact.
 *
 *   output/
 *     generations/000041/   a complete output: pdf/ html/ feeds/ site/ manifest.json
 *     generations/000042/
 *     current -> generations/000042      swapped by rename(2) of a new symlink
 *     pdf -> current/pdf                 fixed links, so output/pdf/… always
 *     html, feeds, site, manifest.json      reads the current generation
 *
 * A build stages the next generation in `generations/.staging-<pid>`: the
 * files of the current one are hard-linked in (no copy; the writers replace
 * files by rename, never in place, so a link shared with an older generation
 * is never changed), the build writes what changed and removes what went,
 * and only then is the staging folder named and `current` swapped. A build
 * that changed nothing discards its staging folder: nothing is published.
 * Leftovers of a killed build are removed by the next one, which holds the
 * output folder's lock.
 */
import { link, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { checkpoint } from './faults.js';
import { OutputWriteError, syncDir } from './output.js';

export const GENERATIONS = 'generations';
export const CURRENT = 'current';
/** What a generation holds, and what the output folder links to in the current one. */
export const PUBLISHED = ['pdf', 'html', 'feeds', 'site', 'manifest.json'] as const;
/** Generations kept besides the current one, for rollback and for readers still on them. */
export const KEEP_PREVIOUS = 2;

const STAGING_PREFIX = '.staging-';

/** The folder given for the output holds files of the names regpress writes that are not regpress's. */
export class NotAnOutputFolderError extends Error {
  constructor(
    readonly dir: string,
    readonly names: string[],
  ) {
    super(`${dir} is not a regpress output folder: it has ${names.join(', ')} but no regpress manifest; regpress will not move them (give an empty folder, or one regpress built)`);
    this.name = 'NotAnOutputFolderError';
  }
}

export interface Staged {
  /** Where this build writes: a complete copy of the previous output to begin with. */
  dir: string;
  /** The folder the previous output was read from (a generation, the legacy flat layout, or none). */
  previous: string | undefined;
}

/** The folder of the current generation, or undefined when there is none yet. */
export async function currentGeneration(outDir: string): Promise<string | undefined> {
  try {
    const target = await readlink(path.join(outDir, CURRENT));
    return path.resolve(outDir, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Hard-links a tree (files and folders; a file that cannot be linked is copied). */
async function linkTree(from: string, to: string): Promise<void> {
  const st = await lstat(from);
  if (st.isDirectory()) {
    await mkdir(to, { recursive: true });
    // the entries of a folder at once: the links are independent, and the thread pool runs several
    await Promise.all(
      (await readdir(from))
        .filter((name) => !name.endsWith('.tmp'))
        .map((name) => linkTree(path.join(from, name), path.join(to, name))),
    );
  } else if (st.isFile()) {
    await link(from, to).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EXDEV' && e.code !== 'EPERM' && e.code !== 'EMLINK') throw e;
      const { copyFile } = await import('node:fs/promises');
      await copyFile(from, to);
    });
  }
}

/**
 * Starts the next generation: removes what a killed build left, and links
 * the current output into a fresh staging folder. The caller holds the lock.
 */
export async function stageGeneration(outDir: string): Promise<Staged> {
  let previous = await currentGeneration(outDir);
  if (!previous) {
    // an output folder from before generations: its flat files are the previous output, and are
    // moved aside once published; anything else of those names is not ours to move, and stops the build
    const flat = [];
    for (const name of PUBLISHED) if ((await lstat(path.join(outDir, name)).catch(() => undefined)) !== undefined) flat.push(name);
    if (flat.length > 0) {
      const manifest = await readFile(path.join(outDir, 'manifest.json'), 'utf8').catch(() => '');
      if (!manifest.includes('"format": "regpress-manifest/1"')) throw new NotAnOutputFolderError(outDir, flat);
      previous = outDir;
    }
  }
  const gens = path.join(outDir, GENERATIONS);
  await mkdir(gens, { recursive: true });
  for (const name of await readdir(gens)) if (name.startsWith('.')) await rm(path.join(gens, name), { recursive: true, force: true });
  for (const name of await readdir(outDir)) if (name.startsWith(`.${CURRENT}.`)) await rm(path.join(outDir, name), { force: true });
  const dir = path.join(gens, `${STAGING_PREFIX}${process.pid}`);
  try {
    await mkdir(dir);
    if (previous) for (const name of PUBLISHED) if (await exists(path.join(previous, name))) await linkTree(path.join(previous, name), path.join(dir, name));
  } catch (e) {
    // a full disk or a quota can stop even links and folders: the staging folder goes, the current output stays
    await rm(dir, { recursive: true, force: true });
    throw new OutputWriteError(path.relative(outDir, dir) || dir, e);
  }
  return { dir, previous };
}

/** Discards a staging folder (a failed build, or one that changed nothing). */
export async function discardGeneration(staged: Staged): Promise<void> {
  await rm(staged.dir, { recursive: true, force: true });
}

/** Every file of a tree by relative path, with its inode: a file replaced by a build has a new one. */
async function inodes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string) => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    await Promise.all(
      names.map(async (name) => {
        const p = path.join(dir, name);
        const st = await lstat(p);
        if (st.isDirectory()) await walk(p, `${rel}${name}/`);
        else out.set(`${rel}${name}`, `${st.dev}:${st.ino}`);
      }),
    );
  };
  for (const name of PUBLISHED) {
    const p = path.join(root, name);
    const st = await lstat(p).catch(() => undefined);
    if (st?.isDirectory()) await walk(p, `${name}/`);
    else if (st) out.set(name, `${st.dev}:${st.ino}`);
  }
  return out;
}

async function sameTree(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([inodes(a), inodes(b)]);
  if (x.size !== y.size) return false;
  for (const [k, v] of x) if (y.get(k) !== v) return false;
  return true;
}


/** Replaces `name` in `dir` by a symlink to `target`, atomically (a new link renamed over the old one). */
async function swapLink(dir: string, name: string, target: string): Promise<void> {
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
  await rm(tmp, { force: true });
  await symlink(target, tmp);
  await rename(tmp, path.join(dir, name));
}

function generationNumber(name: string): number {
  return /^\d{6,}$/.test(name) ? Number(name) : 0;
}

export interface Published {
  /** The generation now current (its folder name), or undefined when the build changed nothing and there was none. */
  generation: string | undefined;
  /** False when the staged output was the same as the current one and was discarded. */
  changed: boolean;
}

/**
 * Publishes a staged generation: names it, swaps `current` to it in one
 * rename, makes sure the fixed links exist, and prunes old generations.
 * A staged output that is the same as the current one is discarded.
 */
export async function publishGeneration(outDir: string, staged: Staged): Promise<Published> {
  const gens = path.join(outDir, GENERATIONS);
  const current = await currentGeneration(outDir);
  if (current && (await sameTree(staged.dir, current))) {
    await discardGeneration(staged);
    await ensureLinks(outDir);
    return { generation: path.basename(current), changed: false };
  }
  checkpoint('generation:complete');
  const next = Math.max(0, ...(await readdir(gens)).map(generationNumber)) + 1;
  const name = String(next).padStart(6, '0');
  const step = async (what: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      throw new OutputWriteError(what, e);
    }
  };
  await step(`${GENERATIONS}/${name}`, async () => {
    await syncDir(staged.dir);
    await rename(staged.dir, path.join(gens, name));
    await syncDir(gens);
  });
  checkpoint('swap:before');
  await step(CURRENT, async () => {
    await swapLink(outDir, CURRENT, path.posix.join(GENERATIONS, name));
    await syncDir(outDir);
  });
  checkpoint('swap:after');
  await step('the links into current', () => ensureLinks(outDir));
  await prune(outDir, name);
  return { generation: name, changed: true };
}

/**
 * `output/pdf` and the others, as links into `current`. An output folder of
 * the flat layout (before generations) has real folders there: they are
 * moved aside and removed once the links are in place.
 */
async function ensureLinks(outDir: string): Promise<void> {
  const aside: string[] = [];
  for (const name of PUBLISHED) {
    const p = path.join(outDir, name);
    const target = path.posix.join(CURRENT, name);
    const st = await lstat(p).catch(() => undefined);
    if (st?.isSymbolicLink() && (await readlink(p)) === target) continue;
    if (st && !st.isSymbolicLink()) {
      const moved = path.join(outDir, GENERATIONS, `.legacy-${process.pid}-${name}`);
      await rename(p, moved);
      aside.push(moved);
    }
    await swapLink(outDir, name, target);
  }
  for (const p of aside) await rm(p, { recursive: true, force: true });
}

/** Removes generations older than the current one and the KEEP_PREVIOUS before it. */
async function prune(outDir: string, currentName: string): Promise<void> {
  const gens = path.join(outDir, GENERATIONS);
  const numbered = (await readdir(gens)).filter((n) => generationNumber(n) > 0).sort((a, b) => generationNumber(a) - generationNumber(b));
  const keep = new Set([currentName, ...numbered.filter((n) => n !== currentName).slice(-KEEP_PREVIOUS)]);
  for (const n of numbered) if (!keep.has(n)) await rm(path.join(gens, n), { recursive: true, force: true });
}

/** The generations of an output folder, oldest first, and which is current. */
export async function listGenerations(outDir: string): Promise<{ generations: string[]; current: string | undefined }> {
  const names = await readdir(path.join(outDir, GENERATIONS)).catch(() => [] as string[]);
  const current = await currentGeneration(outDir);
  return { generations: names.filter((n) => generationNumber(n) > 0).sort((a, b) => generationNumber(a) - generationNumber(b)), current: current && (await stat(current).catch(() => undefined)) ? path.basename(current) : undefined };
}
