/**
 * The editors' commentary for Commodity Guidance: Markdown files in the
 * corpus's `guidance/` folder, one per publication. Front matter names the
 * publication; a `## ` heading that is a single link to a row of 別表第一
 * opens that row's commentary; text before the first such heading is the
 * introduction. Links are kept as written and resolved against the corpus
 * by the pipeline, which reports the ones that point nowhere.
 */
import type { List, ListItem, PhrasingContent, Root, RootContent } from 'mdast';
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import type { Commentary, CommentaryBlock, CommentaryRun, CommentarySection } from '../model/publication.js';
import type { Diagnostic } from '../model/types.js';
import { parseMarkdownWhole } from './markdown.js';

/** The folder (inside the corpus folder) that holds commentary, never instruments. */
export const COMMENTARY_DIR = 'guidance';

const FRONT = /^---\n([\s\S]*?)\n---(?:\n|$)/;

function inlineRuns(nodes: readonly PhrasingContent[], style: { bold?: true; href?: string } = {}): CommentaryRun[] {
  const out: CommentaryRun[] = [];
  for (const n of nodes) {
    const at = { line: n.position?.start.line ?? 0, column: n.position?.start.column ?? 0 };
    switch (n.type) {
      case 'text':
      case 'inlineCode':
        out.push({ text: n.value.replace(/\n/g, ''), ...style, ...at });
        break;
      case 'break':
        out.push({ text: '\n', ...style, ...at });
        break;
      case 'strong':
      case 'emphasis':
        out.push(...inlineRuns(n.children, { ...style, bold: true }));
        break;
      case 'delete':
        out.push(...inlineRuns(n.children, style));
        break;
      case 'link':
        // a link's runs are placed where the link starts, so that a diagnostic points at its '['
        out.push(...inlineRuns(n.children, { ...style, href: n.url }).map((r) => ({ ...r, ...at })));
        break;
      default:
        // images, HTML and footnotes have no place in commentary: their text is kept, their markup is not
        if ('value' in n && typeof n.value === 'string') out.push({ text: n.value, ...style, ...at });
    }
  }
  return out;
}

function listBlocks(list: List, depth: number, out: CommentaryBlock[]): void {
  for (const item of list.children as ListItem[]) {
    for (const c of item.children) {
      if (c.type === 'paragraph') out.push({ kind: 'bullet', depth, runs: inlineRuns(c.children), line: c.position?.start.line ?? 0 });
      else if (c.type === 'list') listBlocks(c, depth + 1, out);
    }
  }
}

function blocksOf(node: RootContent, out: CommentaryBlock[], diagnostics: Diagnostic[], file: string): void {
  const line = node.position?.start.line ?? 0;
  switch (node.type) {
    case 'paragraph':
      out.push({ kind: 'para', depth: 0, runs: inlineRuns(node.children), line });
      return;
    case 'heading':
      out.push({ kind: 'heading', depth: node.depth, runs: inlineRuns(node.children), line });
      return;
    case 'list':
      listBlocks(node, 0, out);
      return;
    case 'blockquote':
      for (const c of node.children) blocksOf(c, out, diagnostics, file);
      return;
    default:
      diagnostics.push({ file, line, column: node.position?.start.column ?? 1, severity: 'warning', rule: 'commentary-unsupported-block', message: `a ${node.type} is not shown in guidance; write paragraphs, lists and headings` });
  }
}

export function readCommentary(file: string, text: string): { commentary: Commentary | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fm = FRONT.exec(text);
  if (!fm) {
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', rule: 'commentary-front-matter', message: 'commentary starts with front matter naming its publication (---\\npublication: cg-…\\n---)' });
    return { commentary: undefined, diagnostics };
  }
  const counter = new LineCounter();
  const doc = parseDocument(fm[1] ?? '', { lineCounter: counter, uniqueKeys: true });
  for (const e of doc.errors) {
    const at = counter.linePos(e.pos[0]);
    diagnostics.push({ file, line: at.line + 1, column: at.col, severity: 'error', rule: 'commentary-front-matter', message: e.message.split('\n')[0] ?? e.message });
  }
  const fields: Record<string, { value: string; line: number }> = {};
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const line = isScalar(pair.key) && pair.key.range ? counter.linePos(pair.key.range[0]).line + 1 : 2;
      if (key !== 'publication' && key !== 'title') {
        diagnostics.push({ file, line, column: 1, severity: 'warning', rule: 'commentary-unknown-key', message: `front matter key "${key}" is not used (publication, title)` });
        continue;
      }
      if (!isScalar(pair.value) || typeof pair.value.value !== 'string') {
        diagnostics.push({ file, line, column: 1, severity: 'error', rule: 'commentary-front-matter', message: `${key} must be a string` });
        continue;
      }
      fields[key] = { value: pair.value.value, line };
    }
  }
  const publication = fields.publication?.value;
  if (!publication) {
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', rule: 'commentary-front-matter', message: 'front matter needs publication: <id of a commodity-guidance publication>' });
    return { commentary: undefined, diagnostics };
  }
  const bodyLine = (fm[0].match(/\n/g)?.length ?? 0) + 1;
  // positions are made to refer to the file by padding the body with the front matter's lines
  const root: Root = parseMarkdownWhole('\n'.repeat(bodyLine - 1) + text.slice(fm[0].length));
  const intro: CommentaryBlock[] = [];
  const sections: CommentarySection[] = [];
  for (const node of root.children) {
    if (node.type === 'heading' && node.depth === 2) {
      const heading = inlineRuns(node.children);
      const links = node.children.filter((c) => c.type === 'link');
      const only = links.length === 1 && node.children.every((c) => c.type === 'link' || (c.type === 'text' && c.value.trim() === ''));
      const line = node.position?.start.line ?? 0;
      if (!only) {
        diagnostics.push({ file, line, column: 1, severity: 'error', rule: 'commentary-section-heading', message: 'a ## heading of commentary is one link to the row it explains: ## [七の項](324CO0000000378#appx1/row7)' });
        continue;
      }
      const link = links[0] as Extract<PhrasingContent, { type: 'link' }>;
      sections.push({ heading, href: link.url, line, column: link.position?.start.column ?? 1, blocks: [] });
      continue;
    }
    const target = sections.length > 0 ? (sections[sections.length - 1] as CommentarySection).blocks : intro;
    blocksOf(node, target, diagnostics, file);
  }
  return {
    commentary: { file, publication, ...(fields.title ? { title: fields.title.value } : {}), line: fields.publication?.line ?? 1, intro, sections },
    diagnostics,
  };
}
