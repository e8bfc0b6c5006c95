/**
 * The manifest of an output folder: for each publication, the edition, the
 * revision it was built from, the hashes of what went in, and the sha256 of
 * every file that came out. It is what an incremental build compares with,
 * and what an exporter checks a download against.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export const MANIFEST_FORMAT = 'regpress-manifest/1';
export const MANIFEST_FILE = 'manifest.json';

/** The parts a publication's input hash is made of; the reasons for a rebuild are named after them. */
export interface InputParts {
  /** The provisions the publication shows, its catalogue entry and its commentary. */
  content: string;
  /** The edition: number, start, date (drawn in headers). */
  edition: string;
  template: string;
  renderer: string;
  font: string;
}

export interface ManifestFile {
  /** Relative to the output folder, with `/`. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface ManifestEntry {
  id: string;
  kind: string;
  title: string;
  edition: number;
  draft: boolean;
  editionDate: string;
  /** The revision this edition's texts are from. */
  sourceCommit: string;
  inputHash: string;
  inputs: InputParts;
  pages: number;
  files: ManifestFile[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** The revision built: a commit id, or `<commit>+worktree` for uncommitted changes. */
  revision: string;
  publications: ManifestEntry[];
  /** The change feeds (Atom and JSON Feed), site-wide, per instrument and per row. */
  feeds: ManifestFile[];
}

export function inputHash(parts: InputParts): string {
  const h = createHash('sha256');
  for (const k of ['content', 'edition', 'template', 'renderer', 'font'] as const) h.update(`${k}\0${parts[k]}\0`);
  return h.digest('hex');
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isEntry(x: unknown): x is ManifestEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return typeof e.id === 'string' && typeof e.inputHash === 'string' && typeof e.edition === 'number' && Array.isArray(e.files) && typeof e.inputs === 'object' && e.inputs !== null;
}

/** The manifest of an output folder; undefined when there is none or it is not one of ours (then everything is rebuilt). */
export async function readManifest(file: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}`, { cause: e });
  }
  try {
    const m = JSON.parse(text) as Partial<Manifest>;
    if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.publications)) return undefined;
    const feeds = Array.isArray(m.feeds) ? m.feeds.filter((f): f is ManifestFile => typeof f?.path === 'string' && typeof f.sha256 === 'string') : [];
    return { format: MANIFEST_FORMAT, revision: String(m.revision ?? ''), publications: m.publications.filter(isEntry), feeds };
  } catch {
    return undefined;
  }
}

export function formatManifest(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
