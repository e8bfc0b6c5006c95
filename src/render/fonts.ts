/**
 * The fonts the PDF renderer embeds: Noto Sans JP from @embedpdf/fonts-jp,
 * a dependency, so a PDF never depends on what the machine has installed.
 *
 * The package's `exports` map does not export `./package.json`, so where
 * resolving that fails the package folder is found from its main entry.
 *
 * Fonts are code-like input: pdfkit's font engine (fontkit) assumes they are
 * trusted, and crafted fonts have made it loop or crash. So each font file is
 * pinned by sha256 below and refused if its bytes differ (a tampered
 * node_modules, or a new release of the package nobody has reviewed). The
 * check runs once per file per process, the first time the fonts are asked for.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PACKAGE = '@embedpdf/fonts-jp';
const REGULAR = 'NotoSansJP-Regular.otf';
const BOLD = 'NotoSansJP-Bold.otf';

/**
 * sha256 of the reviewed font files (@embedpdf/fonts-jp 1.0.0). To take a new
 * release of the package: look at what changed, then put its hashes here
 * (`sha256sum node_modules/@embedpdf/fonts-jp/fonts/*.otf`).
 */
export const FONT_SHA256: Readonly<Record<string, string>> = {
  [REGULAR]: 'dcc75e20d91d09c793fa5a97c9c7678e8b580d0fc255314cbc45c08b075f46f1',
  [BOLD]: 'f9dccc1ed9cf1c6c431cf7b29d884ae745f1db6477bf00503a3714f627599f40',
};

/** A font file whose bytes are not the ones pinned in FONT_SHA256. */
export class FontPinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FontPinError';
  }
}

/**
 * Refuses font bytes whose sha256 is not the pinned one for `name` (a file
 * name such as `NotoSansJP-Regular.otf`); `where` names the file in the error.
 */
export function checkFontPin(name: string, bytes: Uint8Array, where: string = name): void {
  const pinned = FONT_SHA256[name];
  if (pinned === undefined) throw new FontPinError(`font ${where} is not one of the pinned fonts (${Object.keys(FONT_SHA256).join(', ')}); refusing to load it`);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== pinned) {
    throw new FontPinError(
      `font ${where} has sha256 ${actual}, but ${pinned} is pinned in src/render/fonts.ts; ` +
        `refusing to embed a font nobody has reviewed (reinstall ${PACKAGE} with npm ci, or review the new font and update the pin)`,
    );
  }
}

/** Font paths whose bytes were checked against the pin in this process. */
const verified = new Set<string>();

function verifyOnce(path: string, name: string): void {
  if (verified.has(path)) return;
  checkFontPin(name, readFileSync(path), path);
  verified.add(path);
}

export interface BundledFonts {
  regular: string;
  bold: string;
  /** `@embedpdf/fonts-jp@1.0.0/NotoSansJP-Regular.otf+NotoSansJP-Bold.otf`: what a content hash of a PDF must include. */
  id: string;
}

function packageJsonPath(): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve(`${PACKAGE}/package.json`);
  } catch (e) {
    if (!(e instanceof Error && 'code' in e && e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED')) throw e;
  }
  // walk up from the main entry to the package's own package.json
  let dir = dirname(require.resolve(PACKAGE));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && readPackage(candidate).name === PACKAGE) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json of ${PACKAGE} above ${require.resolve(PACKAGE)}`);
    dir = up;
  }
}

function readPackage(path: string): { name?: unknown; version?: unknown } {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return typeof parsed === 'object' && parsed !== null ? parsed : {};
}

/**
 * The regular and bold Noto Sans JP files; throws, saying what to install, if
 * they are missing, and FontPinError if their bytes are not the pinned ones.
 */
export function bundledFonts(): BundledFonts {
  let pkg: string;
  try {
    pkg = packageJsonPath();
  } catch (e) {
    throw new Error(`the Japanese fonts for PDF output are missing: cannot find ${PACKAGE} (run npm install): ${e instanceof Error ? e.message : String(e)}`);
  }
  const dir = join(dirname(pkg), 'fonts');
  const regular = join(dir, REGULAR);
  const bold = join(dir, BOLD);
  for (const f of [regular, bold]) {
    if (!existsSync(f)) throw new Error(`the Japanese fonts for PDF output are missing: ${f} does not exist (reinstall ${PACKAGE})`);
  }
  verifyOnce(regular, REGULAR);
  verifyOnce(bold, BOLD);
  const { version } = readPackage(pkg);
  return { regular, bold, id: `${PACKAGE}@${typeof version === 'string' ? version : 'unknown'}/${REGULAR}+${BOLD}` };
}
