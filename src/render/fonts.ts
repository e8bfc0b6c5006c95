/**
 * The fonts the PDF renderer embeds: Noto Sans JP from @embedpdf/fonts-jp,
 * a dependency, so a PDF never depends on what the machine has installed.
 *
 * The package's `exports` map does not export `./package.json`, so where
 * resolving that fails the package folder is found from its main entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PACKAGE = '@embedpdf/fonts-jp';
const REGULAR = 'NotoSansJP-Regular.otf';
const BOLD = 'NotoSansJP-Bold.otf';

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

/** The regular and bold Noto Sans JP files; throws, saying what to install, if they are missing. */
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
  const { version } = readPackage(pkg);
  return { regular, bold, id: `${PACKAGE}@${typeof version === 'string' ? version : 'unknown'}/${REGULAR}+${BOLD}` };
}
