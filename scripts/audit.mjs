#!/usr/bin/env node
// CI's online dependency check: `npm audit --omit=dev --audit-level=high`,
// read as JSON so that "the audit found something" and "the audit could not
// be asked" are told apart.
//
//   - a report (metadata.vulnerabilities): fail if it counts any high or
//     critical finding in the runtime dependencies; list lower ones and pass
//     (they are explained under "Exceptions" in docs/security.md);
//   - an `error` object, or output that is not JSON (the registry on some
//     machines answers the audit request with HTTP 405 and no report): warn
//     loudly and pass, because tests/security/dependencies.test.ts checks the
//     known version floors offline in `npm test`;
//   - anything else: fail, rather than pass on output we do not understand.
//
// Usage: node scripts/audit.mjs             runs npm audit
//        node scripts/audit.mjs --report F  judges a saved `npm audit --json` output (for trying it)
// No dependencies.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const ARGS = ['audit', '--omit=dev', '--audit-level=high', '--json'];
const BLOCKING = ['high', 'critical'];

/**
 * Judges the stdout of `npm audit --json`.
 * @param {string} stdout
 * @param {string} [stderr]
 * @returns {{ verdict: 'pass' | 'fail' | 'unreachable', lines: string[] }}
 */
export function judge(stdout, stderr = '') {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    const said = firstLines(stderr || stdout);
    return { verdict: 'unreachable', lines: [`npm audit printed no JSON report${said ? `: ${said}` : ''}`] };
  }
  const counts = report?.metadata?.vulnerabilities;
  if (counts && typeof counts === 'object') {
    const findings = Object.values(report.vulnerabilities ?? {}).map(
      (v) => `  ${v.severity.padEnd(8)} ${v.name}@${v.range}: ${[v.via].flat().map((x) => (typeof x === 'string' ? `via ${x}` : `${x.title ?? ''} ${x.url ?? ''}`.trim())).join('; ')}`,
    );
    const blocking = BLOCKING.reduce((n, s) => n + (Number(counts[s]) || 0), 0);
    const summary = ['critical', 'high', 'moderate', 'low', 'info'].map((s) => `${Number(counts[s]) || 0} ${s}`).join(', ');
    if (blocking > 0) {
      return { verdict: 'fail', lines: [`npm audit: ${blocking} high or critical finding(s) in runtime dependencies (${summary})`, ...findings] };
    }
    const lines = [`npm audit: no high or critical findings in runtime dependencies (${summary})`];
    if (findings.length > 0) lines.push('lower-severity findings (each should be explained under "Exceptions" in docs/security.md):', ...findings);
    return { verdict: 'pass', lines };
  }
  if (report && typeof report === 'object' && ('error' in report || 'statusCode' in report)) {
    const what = report.message || [report.statusCode, report.error?.code, report.error?.summary].filter(Boolean).join(' ');
    return { verdict: 'unreachable', lines: [`the audit endpoint did not give a report${what ? ` (${what})` : ''}`] };
  }
  return { verdict: 'fail', lines: [`npm audit printed JSON this script does not understand: ${firstLines(stdout)}`] };
}

function firstLines(s) {
  return s.trim().split('\n').slice(0, 3).join(' | ').slice(0, 300);
}

function main(argv) {
  let stdout;
  let stderr = '';
  const at = argv.indexOf('--report');
  if (at >= 0) {
    const file = argv[at + 1];
    if (!file) {
      console.error('audit: --report needs a file');
      return 2;
    }
    stdout = readFileSync(file, 'utf8');
  } else {
    const run = spawnSync('npm', ARGS, { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (run.error) {
      console.error(`audit: could not run npm: ${run.error.message}`);
      return 1;
    }
    stdout = run.stdout;
    stderr = run.stderr;
  }
  const { verdict, lines } = judge(stdout, stderr);
  if (verdict === 'unreachable') {
    console.error(`audit: WARNING: ${lines.join('\n')}`);
    console.error('audit: WARNING: the online advisory check was NOT done. Continuing: the known version floors are still');
    console.error('audit: WARNING: checked offline by tests/security/dependencies.test.ts in npm test; run `npm audit` where the registry answers.');
    return 0;
  }
  (verdict === 'fail' ? console.error : console.log)(lines.map((l) => `audit: ${l}`).join('\n'));
  return verdict === 'fail' ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
