/**
 * Plain-text presentation of provisions and diagnostics for the terminal.
 */
import { citeProvision, shortName, type CorpusIndex } from '../model/locate.js';
import type { Diagnostic, Instrument, Provision } from '../model/types.js';

export interface Styles {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export const plainStyles: Styles = { bold: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, cyan: (s) => s };

/** `file:line:col severity message rule-id`, as compilers print them. */
export function formatDiagnostic(d: Diagnostic, st: Styles = plainStyles): string {
  const sev = d.severity === 'error' ? st.red(d.severity) : d.severity === 'warning' ? st.yellow(d.severity) : st.cyan(d.severity);
  return `${st.bold(`${d.file}:${d.line}:${d.column}`)} ${sev} ${d.message} ${st.dim(d.rule)}`;
}

function heading(p: Provision): string {
  switch (p.kind) {
    case 'article':
      return `${p.label}${p.caption !== undefined ? `（${p.caption}）` : ''}`;
    case 'appendix-table':
      return `${p.label}${p.caption !== undefined ? `（${p.caption}）` : ''}`;
    case 'suppl-provision':
      return `${p.label}${p.caption !== undefined ? `　${p.caption}` : ''}`;
    case 'chapter':
    case 'section':
    case 'subsection':
    case 'division':
      return `${p.label}　${p.title}`;
    default:
      return p.label;
  }
}

/** A provision and its descendants as indented text. */
export function formatProvisionText(p: Provision, st: Styles = plainStyles, indent = ''): string {
  const lines: string[] = [];
  const head = heading(p);
  const body = [p.text, ...p.extra.map((b) => b.text)].filter((t) => t !== '').join('\n' + indent + '  ');
  const first = [head && st.bold(head), body].filter((s) => s !== '').join('　');
  if (first !== '') lines.push(indent + first);
  if (p.kind === 'appendix-table' && p.header.some((h) => h.text !== '')) lines.push(`${indent}  ${st.dim(p.header.map((h) => h.text).join(' | '))}`);
  const childIndent = p.kind === 'paragraph' && p.implicit ? indent : `${indent}  `;
  for (const c of p.children) lines.push(formatProvisionText(c, st, p.kind === 'article' ? indent : childIndent));
  if (p.kind === 'row') {
    const cells = p.cells.map((c) => c.text).filter((t) => t !== '');
    if (cells.length > 0) lines.push(`${indent}  ${st.dim(cells.join(' | '))}`);
    for (const row of p.continuation) lines.push(`${indent}  ${st.dim(row.map((c) => c.text).join(' | '))}`);
  }
  return lines.join('\n');
}

/** The line that introduces a provision: its id and its citation. */
export function formatProvisionTitle(index: CorpusIndex, instrument: Instrument, p: Provision | undefined, st: Styles = plainStyles): string {
  if (!p) return `${st.bold(instrument.id)}  ${instrument.meta.title}`;
  return `${st.bold(p.id)}  ${shortName(instrument)}${citeProvision(index, p)}`;
}
