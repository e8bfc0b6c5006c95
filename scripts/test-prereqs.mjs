#!/usr/bin/env node
// The pre-step of `npm test`: makes sure the system tools the tests use are
// installed (Debian packages), installing the missing ones with apt-get when
// we may, and saying so. Nothing is downloaded from anywhere else.
import { execFileSync, spawnSync } from 'node:child_process';

/** command the tests run → Debian package that provides it */
const REQUIRED = [
  ['git', 'git'],
  // the PDF tests read what they built back with poppler: text, pages, fonts, destinations, pixels
  ['pdftotext', 'poppler-utils'],
  ['pdfinfo', 'poppler-utils'],
  ['pdffonts', 'poppler-utils'],
  ['pdftoppm', 'poppler-utils'],
  // the portal's tests drive Debian's Chromium with playwright-core (never a downloaded browser)
  ['chromium', 'chromium'],
];

const missing = REQUIRED.filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0);
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.map(([, pkg]) => pkg))];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
if (!isRoot || !hasApt) {
  console.error(`test-prereqs: missing ${missing.map(([c]) => c).join(', ')}; install the Debian packages ${packages.join(' ')} (apt-get install ${packages.join(' ')})`);
  process.exit(1);
}
console.error(`test-prereqs: installing Debian packages ${packages.join(' ')} for the tests (apt-get)`);
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
