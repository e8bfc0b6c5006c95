/**
 * Presenting a structural diff as terminal text, Markdown or simple HTML.
 * (The 新旧対照表 has its own renderer.)
 */
import type { ChangeKind, CorpusDiff, ProvisionChange, Redline } from '../diff/types.js';
import { plainStyles, type Styles } from './text.js';

export interface DiffPresentation {
  /** The citation of a provision id on either side, for readers: 第四条第一項. */
  cite(id: string, side: 'old' | 'new'): string;
  /** The short name of an instrument: 輸出令. */
  name(instrument: string): string;
}

function redlineText(r: Redline, st: Styles & { green(s: string): string }): string {
  return r.segments.map((s) => (s.op === 'equal' ? s.text : s.op === 'delete' ? st.red(`[-${s.text}-]`) : st.green(`{+${s.text}+}`))).join('');
}

function changeTarget(c: ProvisionChange, p: DiffPresentation): string {
  if (c.oldId && c.newId && c.oldId !== c.newId) return `${c.oldId} → ${c.newId}  ${p.cite(c.oldId, 'old')} → ${p.cite(c.newId, 'new')}`;
  return `${c.id}  ${p.cite(c.id, c.kind === 'removed' ? 'old' : 'new')}`;
}

function flags(c: ProvisionChange): string {
  const f: string[] = [];
  if (c.editorial) f.push('editorial');
  if (c.redline?.gaveUp) f.push('whole text replaced: too many differences for a redline');
  for (const n of c.numbers ?? []) {
    f.push(`${n.before.text}${n.before.unit} → ${n.after.text}${n.after.unit}${n.control ? ` (control ${n.control})` : ''}`);
  }
  return f.length ? ` [${f.join('; ')}]` : '';
}

export function formatDiffText(d: CorpusDiff, p: DiffPresentation, st: Styles & { green(s: string): string } = { ...plainStyles, green: (s) => s }): string {
  const out: string[] = [`${st.bold('diff')} ${d.from} → ${d.to}`];
  const changed = d.instruments.filter((i) => i.status !== 'unchanged');
  if (changed.length === 0) out.push('no changes');
  for (const ins of changed) {
    const meta = ins.metadata.map((m) => `${m.key} ${m.before ?? '—'} → ${m.after ?? '—'}`).join(', ');
    out.push('', `${st.bold(p.name(ins.instrument))} ${ins.instrument} (${ins.status}, ${ins.changes.length} change${ins.changes.length === 1 ? '' : 's'})${meta ? `  ${st.dim(meta)}` : ''}`);
    for (const c of ins.changes) {
      out.push(`  ${c.kind.padEnd(12)} ${changeTarget(c, p)}${st.dim(flags(c))}`);
      const body = c.redline ? redlineText(c.redline, st) : c.kind === 'removed' ? st.red(`[-${c.before ?? ''}-]`) : c.kind === 'added' ? st.green(`{+${c.after ?? ''}+}`) : c.kind === 'became-削除' ? `${st.red(`[-${c.before ?? ''}-]`)}${st.green(`{+${c.after ?? ''}+}`)}` : '';
      if (body) out.push(...body.split('\n').map((l) => `               ${l}`));
    }
  }
  return `${out.join('\n')}\n`;
}

function mdEscape(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

export function formatDiffMarkdown(d: CorpusDiff, p: DiffPresentation): string {
  const out: string[] = [`# Changes ${d.from} → ${d.to}`];
  for (const ins of d.instruments.filter((i) => i.status !== 'unchanged')) {
    out.push('', `## ${mdEscape(p.name(ins.instrument))} (${ins.instrument})`, '');
    for (const c of ins.changes) {
      const red = c.redline
        ? c.redline.segments.map((s) => (s.op === 'equal' ? mdEscape(s.text) : s.op === 'delete' ? `~~${mdEscape(s.text)}~~` : `**${mdEscape(s.text)}**`)).join('')
        : mdEscape(c.after ?? c.before ?? '');
      out.push(`- **${c.kind}** \`${changeTarget(c, p)}\`${mdEscape(flags(c))}: ${red.replace(/\n/g, ' ')}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The Japanese name of each kind of change, as publications, digests, feeds and the portal show it. */
export const CHANGE_KIND_JA: Record<ChangeKind, string> = { added: '新設', removed: '削除', modified: '改正', renumbered: '番号の変更', moved: '移動', 'became-削除': '削除（番号存置）' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function redlineHtml(r: Redline): string {
  return r.segments.map((s) => (s.op === 'equal' ? escapeHtml(s.text) : s.op === 'delete' ? `<del>${escapeHtml(s.text)}</del>` : `<ins>${escapeHtml(s.text)}</ins>`)).join('');
}

export function formatDiffHtml(d: CorpusDiff, p: DiffPresentation): string {
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="ja"><head><meta charset="utf-8"><title>' + escapeHtml(`regpress diff ${d.from} → ${d.to}`) + '</title>',
    '<style>body{font-family:"Noto Sans CJK JP","Noto Sans JP",sans-serif;line-height:1.7;max-width:60em;margin:2em auto;padding:0 1em}del{color:#b00;background:#fee}ins{color:#060;background:#efe;text-decoration:underline}.kind{font-weight:bold}.id{font-family:monospace;color:#555}</style>',
    '</head><body><main>',
    `<h1>${escapeHtml(`${d.from} → ${d.to}`)}</h1>`,
  ];
  for (const ins of d.instruments.filter((i) => i.status !== 'unchanged')) {
    out.push(`<section><h2>${escapeHtml(p.name(ins.instrument))} <span class="id">${escapeHtml(ins.instrument)}</span></h2><ul>`);
    for (const c of ins.changes) {
      const body = c.redline ? redlineHtml(c.redline) : c.kind === 'removed' ? `<del>${escapeHtml(c.before ?? '')}</del>` : `<ins>${escapeHtml(c.after ?? '')}</ins>`;
      out.push(`<li><span class="kind">${escapeHtml(c.kind)}</span> <span class="id">${escapeHtml(changeTarget(c, p))}</span>${escapeHtml(flags(c))}<div>${body.replace(/\n/g, '<br>')}</div></li>`);
    }
    out.push('</ul></section>');
  }
  out.push('</main></body></html>');
  return `${out.join('\n')}\n`;
}
