/**
 * Dependency hygiene, offline: the installed versions of our dependencies are
 * at or above the floors that fix their known advisories (docs/security.md),
 * the packages we avoid are not installed, the options that undo a library's
 * safety are not used, and the bundled fonts are the reviewed ones. CI's
 * `npm audit` step may not reach the registry; this test always runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFonts, checkFontPin, FONT_SHA256, FontPinError } from '../../src/render/fonts.js';
import { REPO_ROOT } from '../support/paths.js';

// ---------------------------------------------------------------- versions

type Version = { core: [number, number, number]; pre: string[] };

function parseVersion(v: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
  if (!m) throw new Error(`not a semver version: "${v}"`);
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

/** Semver precedence: negative if a < b, 0 if equal, positive if a > b (build metadata ignored). */
function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.core[i] ?? 0) - (y.core[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  // a pre-release sorts before its release
  if (x.pre.length === 0 || y.pre.length === 0) return Math.sign(y.pre.length - x.pre.length);
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && Number(p) !== Number(q)) return Math.sign(Number(p) - Number(q));
    if (pn !== qn) return pn ? -1 : 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

const atLeast = (version: string, floor: string): boolean => compareVersions(version, floor) >= 0;

/**
 * The lowest version of each runtime dependency that has every fix listed
 * for it in docs/security.md. pdfkit has no npm advisory; fontkit has open
 * crash reports and no fixed release, so the fonts are pinned instead (below).
 */
const FLOORS: Readonly<Record<string, string>> = {
  handlebars: '4.7.9',
  yaml: '2.8.3',
  'js-yaml': '4.1.1',
  'simple-git': '4.0.0',
  diff: '8.0.3',
  nodemailer: '10.4.1',
};

/** Node itself: CVE-2025-27210 (path.normalize on Windows device names) is fixed in 20.19.4. */
const NODE_FLOOR = '20.19.4';

/**
 * Copies of a floored package installed below its floor, each only for a
 * devDependency and each explained under "Exceptions" in docs/security.md.
 * A new one fails the test until it is looked at and listed there.
 */
const DEV_ONLY_EXCEPTIONS: ReadonlySet<string> = new Set([
  // mailparser (tests read sent mail with it) bundles its own nodemailer 7
  'node_modules/mailparser/node_modules/nodemailer',
]);

/** Packages we decided not to use at all (docs/security.md). */
const BANNED = ['gray-matter'];

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The version installed at node_modules/<name>, as its package.json says. */
function installedVersion(name: string): string {
  const pkg = readJson(path.join(REPO_ROOT, 'node_modules', name, 'package.json'));
  if (typeof pkg.version !== 'string') throw new Error(`node_modules/${name}/package.json has no version`);
  return pkg.version;
}

/** Every "name needs ≥ floor, has version" that fails. */
function belowFloors(installed: (name: string) => string, floors: Readonly<Record<string, string>>): string[] {
  return Object.entries(floors)
    .map(([name, floor]) => ({ name, floor, version: installed(name) }))
    .filter((p) => !atLeast(p.version, p.floor))
    .map((p) => `${p.name} ${p.version} is below the safe floor ${p.floor}`);
}

interface LockEntry {
  version?: string;
  dev?: boolean;
}

/** Lockfile entries below a floor: [where, why], for copies anywhere in the tree. */
function lockBelowFloors(lock: { packages?: Record<string, LockEntry> }, floors: Readonly<Record<string, string>>): { where: string; dev: boolean; why: string }[] {
  const out: { where: string; dev: boolean; why: string }[] = [];
  for (const [where, entry] of Object.entries(lock.packages ?? {})) {
    const name = where.replace(/^.*node_modules\//, '');
    const floor = floors[name];
    if (where === '' || floor === undefined || entry.version === undefined) continue;
    if (!atLeast(entry.version, floor)) out.push({ where, dev: entry.dev === true, why: `${where} ${entry.version} is below ${floor}` });
  }
  return out;
}

const lockText = readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8');
const lock = JSON.parse(lockText) as { packages?: Record<string, LockEntry> };
const manifest = readJson(path.join(REPO_ROOT, 'package.json')) as { dependencies?: Record<string, string>; engines?: { node?: string } };

describe('compareVersions', () => {
  it('compares numerically, part by part', () => {
    expect(atLeast('4.7.10', '4.7.9')).toBe(true); // not string order
    expect(atLeast('4.7.8', '4.7.9')).toBe(false);
    expect(atLeast('10.6.0', '10.4.1')).toBe(true);
    expect(atLeast('9.9.9', '10.0.0')).toBe(false);
    expect(compareVersions('2.8.3', '2.8.3')).toBe(0);
    expect(compareVersions('v20.19.4', '20.19.3')).toBe(1);
  });

  it('puts a pre-release before its release, and orders pre-releases by semver', () => {
    expect(atLeast('4.0.0-rc.1', '4.0.0')).toBe(false);
    expect(compareVersions('4.0.0-rc.2', '4.0.0-rc.10')).toBe(-1);
    expect(compareVersions('1.0.0-alpha', '1.0.0-alpha.1')).toBe(-1);
    expect(compareVersions('1.0.0-1', '1.0.0-alpha')).toBe(-1);
    expect(compareVersions('1.0.0+build.5', '1.0.0')).toBe(0);
  });

  it('refuses what is not a version rather than guessing', () => {
    expect(() => compareVersions('^4.7.9', '4.7.9')).toThrow(/not a semver/);
  });
});

describe('installed dependencies', () => {
  it('floors every runtime dependency that has advisories, and only real dependencies', () => {
    const deps = Object.keys(manifest.dependencies ?? {});
    for (const name of Object.keys(FLOORS)) expect(deps, `${name} has a floor but is not a dependency`).toContain(name);
  });

  it('are at or above the safe floors', () => {
    expect(belowFloors(installedVersion, FLOORS)).toEqual([]);
  });

  it('a floor above what is installed is reported (the check can fail)', () => {
    const v = installedVersion('handlebars');
    const [major] = parseVersion(v).core;
    expect(belowFloors(installedVersion, { handlebars: `${major + 1}.0.0` })).toEqual([`handlebars ${v} is below the safe floor ${major + 1}.0.0`]);
  });

  it('the lockfile holds no copy below a floor, except the dev-only ones documented as exceptions', () => {
    const low = lockBelowFloors(lock, FLOORS);
    expect(low.filter((l) => !l.dev).map((l) => l.why), 'runtime copies below a floor').toEqual([]);
    expect(low.filter((l) => !DEV_ONLY_EXCEPTIONS.has(l.where)).map((l) => l.why), 'dev copies below a floor not listed in docs/security.md').toEqual([]);
    // and the lockfile agrees with what is installed
    for (const name of Object.keys(FLOORS)) expect(lock.packages?.[`node_modules/${name}`]?.version).toBe(installedVersion(name));
  });

  it('lockBelowFloors finds nested and runtime copies (the check can fail)', () => {
    const fake = {
      packages: {
        '': { version: '0.1.0' },
        'node_modules/diff': { version: '8.0.2' },
        'node_modules/a/node_modules/yaml': { version: '2.2.1', dev: true },
        'node_modules/yaml': { version: '2.9.1' },
      },
    };
    expect(lockBelowFloors(fake, FLOORS)).toEqual([
      { where: 'node_modules/diff', dev: false, why: 'node_modules/diff 8.0.2 is below 8.0.3' },
      { where: 'node_modules/a/node_modules/yaml', dev: true, why: 'node_modules/a/node_modules/yaml 2.2.1 is below 2.8.3' },
    ]);
  });

  it('package.json requires a Node with the path fix, and this Node has it', () => {
    const range = manifest.engines?.node ?? '';
    const m = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range);
    expect(m, `engines.node "${range}" should be ">=X.Y.Z"`).not.toBeNull();
    expect(atLeast(m![1]!, NODE_FLOOR), `engines.node ${range} allows Node below ${NODE_FLOOR}`).toBe(true);
    expect(atLeast(process.version, NODE_FLOOR), `running on Node ${process.version}`).toBe(true);
  });

  it('installs none of the packages we avoid', () => {
    for (const name of BANNED) expect(lockText.includes(name), `${name} appears in package-lock.json`).toBe(false);
  });
});

// ---------------------------------------------------------------- usage

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

interface Hit {
  file: string;
  line: number;
  text: string;
}

function findAll(files: readonly string[], pattern: RegExp): Hit[] {
  const hits: Hit[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (pattern.test(text)) hits.push({ file: path.relative(REPO_ROOT, file), line: i + 1, text: text.trim() });
      });
  }
  return hits;
}

const show = (hits: Hit[]): string[] => hits.map((h) => `${h.file}:${h.line}: ${h.text}`);

/**
 * Handlebars options that turn escaping off or open the prototype;
 * `allowProto…ByDefault: false` is the default and allowed, and so is
 * `noEscape: plainText`, for the plain-text templates (digest.text), which
 * write no markup (see src/render/templates.ts and tests/render/templates.test.ts).
 */
const UNSAFE_HANDLEBARS_OPTION = /\bnoEscape\b(?!\s*:\s*plainText\b)|\ballowProto(?:Properties|Methods)ByDefault\b(?!\s*:\s*false\b)|\ballowedProto(?:Properties|Methods)\b/;
/** Unescaped output in a template: `{{{x}}}`, `{{~{x}~}}` or `{{& x}}`. */
const UNESCAPED_MUSTACHE = /\{\{~?\s*[{&]/;

describe('safe usage in src and templates', () => {
  const src = filesUnder(path.join(REPO_ROOT, 'src'), '.ts');
  const templates = filesUnder(path.join(REPO_ROOT, 'templates'), '.hbs');

  it('reads real files', () => {
    expect(src.length).toBeGreaterThan(10);
    expect(templates.map((t) => path.basename(t))).toContain('parameter-sheet.hbs');
  });

  it('never turns off Handlebars escaping or prototype protection', () => {
    expect(show(findAll(src, UNSAFE_HANDLEBARS_OPTION))).toEqual([]);
  });

  it('the option check catches what it is for', () => {
    for (const bad of ['hb.compile(t, { noEscape: true })', 'fn(d, { allowProtoPropertiesByDefault: true })', 'allowProtoMethodsByDefault: opts.x', 'allowedProtoProperties: { a: true }']) {
      expect(UNSAFE_HANDLEBARS_OPTION.test(bad), bad).toBe(true);
    }
    expect(UNSAFE_HANDLEBARS_OPTION.test('fn(d, { allowProtoPropertiesByDefault: false })')).toBe(false);
    expect(UNSAFE_HANDLEBARS_OPTION.test('hb.compile(t, { noEscape: plainText })')).toBe(false);
    expect(UNSAFE_HANDLEBARS_OPTION.test('hb.compile(t, { noEscape: plainTextOrNot })')).toBe(true);
  });

  it('templates never output unescaped values', () => {
    expect(show(findAll(templates, UNESCAPED_MUSTACHE))).toEqual([]);
  });

  it('the template check catches every unescaped form', () => {
    for (const bad of ['<p>{{{body}}}</p>', '{{~{body}~}}', '{{& body}}', '{{&body}}']) expect(UNESCAPED_MUSTACHE.test(bad), bad).toBe(true);
    for (const ok of ['{{body}}', '{{> partial}}', '{{#each x}}{{this}}{{/each}}', '{{!-- note --}}']) expect(UNESCAPED_MUSTACHE.test(ok), ok).toBe(false);
  });

  it('nodemailer messages are composed with file and URL access off', () => {
    const composers = src.filter((f) => /\bMailComposer\b/.test(readFileSync(f, 'utf8')));
    expect(composers.map((f) => path.relative(REPO_ROOT, f))).toContain(path.join('src', 'publish', 'mail.ts'));
    for (const f of composers) {
      const text = readFileSync(f, 'utf8');
      expect(text, `${f} must pass disableFileAccess: true`).toMatch(/\bdisableFileAccess:\s*true\b/);
      expect(text, `${f} must pass disableUrlAccess: true`).toMatch(/\bdisableUrlAccess:\s*true\b/);
    }
  });
});

// ---------------------------------------------------------------- fonts

describe('pinned fonts', () => {
  const fonts = bundledFonts();

  it('the bundled fonts match their pins', () => {
    expect(Object.keys(FONT_SHA256).sort()).toEqual([path.basename(fonts.bold), path.basename(fonts.regular)].sort());
    for (const f of [fonts.regular, fonts.bold]) expect(() => checkFontPin(path.basename(f), readFileSync(f))).not.toThrow();
  });

  it('refuses a font with one byte changed, saying which file and what to do', () => {
    const bytes = Buffer.from(readFileSync(fonts.regular));
    const at = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    expect(() => checkFontPin(path.basename(fonts.regular), bytes, fonts.regular)).toThrow(FontPinError);
    expect(() => checkFontPin(path.basename(fonts.regular), bytes, fonts.regular)).toThrow(/NotoSansJP-Regular\.otf has sha256 [0-9a-f]{64}, but [0-9a-f]{64} is pinned/);
  });

  it('refuses a font that is not pinned at all', () => {
    expect(() => checkFontPin('Evil.ttf', Buffer.from('OTTO'))).toThrow(/not one of the pinned fonts/);
  });

  it('refuses a pinned font swapped for the other one', () => {
    expect(() => checkFontPin(path.basename(fonts.regular), readFileSync(fonts.bold))).toThrow(FontPinError);
  });
});
