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

/** Fingerprint of what turns a publication's inputs into bytes: render/ and publish/. */
export function rendererFingerprint(): string {
  renderer ??= fingerprint(['render', 'publish']);
  return renderer;
}
