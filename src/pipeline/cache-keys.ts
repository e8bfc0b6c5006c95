/**
 * What the caches are keyed by besides content: a fingerprint of the code
 * that produced an entry. Any change to the loader or the model (or, for
 * diffs, to the diff stage) gives new keys, so a stale entry can never be
 * read back: no version number to forget to bump.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

function fingerprint(folders: readonly string[]): string {
  const h = createHash('sha1');
  for (const folder of folders) {
    const dir = new URL(`../${folder}/`, import.meta.url);
    for (const name of readdirSync(dir).sort()) {
      if (!/\.(js|ts)$/.test(name) || name.endsWith('.d.ts')) continue;
      h.update(name).update('\0').update(readFileSync(new URL(name, dir))).update('\0');
    }
  }
  return h.digest('hex').slice(0, 16);
}

let parser: string | undefined;
let differ: string | undefined;
let linker: string | undefined;

/** Fingerprint of load/ and model/ (and of the file parser that joins them). */
export function parserFingerprint(): string {
  parser ??= fingerprint(['load', 'model']) + createHash('sha1').update(readFileSync(new URL('./parse-file.' + (import.meta.url.endsWith('.ts') ? 'ts' : 'js'), import.meta.url))).digest('hex').slice(0, 8);
  return parser;
}

/** Fingerprint of diff/ on top of the parser's. */
export function differFingerprint(): string {
  differ ??= `${parserFingerprint()}-${fingerprint(['diff'])}`;
  return differ;
}

/** Fingerprint of link/ on top of the parser's. */
export function linkerFingerprint(): string {
  linker ??= `${parserFingerprint()}-${fingerprint(['link'])}`;
  return linker;
}

let renderer: string | undefined;
let presentation: string | undefined;

/**
 * Fingerprint of everything that shapes cached pages and feed entries: the
 * linker's and the differ's, and render/ and pipeline/ themselves.
 */
export function presentationFingerprint(): string {
  presentation ??= `${linkerFingerprint()}-${fingerprint(['diff', 'render', 'pipeline'])}`;
  return presentation;
}

/** The files that turn a publication's inputs into its PDF and HTML: a change to anything else (the site, digests) re-renders nothing. */
const PUBLICATION_RENDERER = ['document', 'fonts', 'html', 'linebreak', 'markup', 'pdf', 'publication-view', 'templates'];

/** Fingerprint of the publication renderer. */
export function rendererFingerprint(): string {
  if (renderer === undefined) {
    const h = createHash('sha1');
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    for (const name of PUBLICATION_RENDERER) h.update(name).update('\0').update(readFileSync(new URL(`../render/${name}.${ext}`, import.meta.url))).update('\0');
    renderer = h.digest('hex').slice(0, 16);
  }
  return renderer;
}
