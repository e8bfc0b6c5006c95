/**
 * Publication templates: Handlebars files in the repository's `templates/`
 * folder, compiled in an environment of their own (never the global one), in
 * strict mode (a missing field is an error, not an empty string) and with
 * escaping on. Helpers only format; what a document says is decided by the
 * view data, and how it looks by the renderers.
 */
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Diagnostic } from '../model/types.js';

export interface TemplateFile {
  /** Path inside the templates folder: `parameter-sheet.hbs`, `partials/runs.hbs`. */
  name: string;
  text: string;
}

export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** What is wrong, without the place. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}:${line}:${column} ${detail} [template-error]`, options);
    this.name = 'TemplateError';
  }

  /** The error as a diagnostic of the repository file, the templates folder being `dir` (relative to the repository root). */
  diagnostic(dir: string): Diagnostic {
    return { file: path.posix.join(dir, this.file), line: this.line, column: this.column, severity: 'error', rule: 'template-error', message: this.detail };
  }
}

export interface Templates {
  /** Renders the template `name` (without .hbs) with `data`; throws TemplateError. */
  render(name: string, data: object): string;
  has(name: string): boolean;
}

const WAREKI: readonly [string, string][] = [
  ['2019-05-01', '令和'],
  ['1989-01-08', '平成'],
  ['1926-12-25', '昭和'],
];

/** 2025-01-23 → 令和7年1月23日: the way dates are written in Japanese legal publishing. */
export function formatWareki(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const era = WAREKI.find(([start]) => date >= start);
  if (!era) return `${y}年${mo}月${d}日`;
  const n = y - Number(era[0].slice(0, 4)) + 1;
  return `${era[1]}${n === 1 ? '元' : n}年${mo}月${d}日`;
}

/** Where Handlebars says an error is: "… - 12:3" or "Parse error on line 12". */
function errorPosition(e: unknown): { line: number; column: number } {
  const msg = e instanceof Error ? e.message : String(e);
  const lc = / - (\d+):(\d+)$/.exec(msg.split('\n')[0] ?? '');
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) + 1 };
  const line = /on line (\d+)/.exec(msg);
  const hb = e as { lineNumber?: number; column?: number };
  return { line: line ? Number(line[1]) : (hb.lineNumber ?? 1), column: (hb.column ?? 0) + 1 };
}

/** Handlebars' own helpers; with ours (`wareki`), the only names a template may call. */
const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log'];

/** The elements of document markup (src/render/markup.ts): what a publication template may write. */
const MARKUP_ELEMENTS = new Set(['document', 'toc', 'pagebreak', 'h', 'p', 'table', 'thead', 'tr', 'td', 'b', 'ins', 'del', 'a', 'br', 'checkbox', 'textfield']);

/** A link target written literally in a template that no page or mail may carry. */
const UNSAFE_LITERAL_HREF = /\b(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(?:javascript|vbscript|data|file)\s*:/i;

interface HbNode {
  type: string;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

/**
 * What a template says that would only fail (or, worse, pass) when it is
 * rendered, found when it is compiled, before anything is written: a call of
 * a helper that does not exist, a partial that does not exist, and in a
 * template that writes document markup (every template whose name has no
 * second extension, unlike `digest.html` and `digest.text`) an element
 * outside the vocabulary (`<script>`, `<img>`) or a literal `javascript:`
 * link. Returns the first problem.
 */
function staticProblem(name: string, ast: HbNode, helpers: ReadonlySet<string>, partials: ReadonlySet<string>): { line: number; column: number; message: string } | undefined {
  const documentMarkup = !/\.[a-z]+$/.test(name.split('/').pop() ?? name);
  const where = (n: HbNode) => ({ line: n.loc?.start.line ?? 1, column: (n.loc?.start.column ?? 0) + 1 });
  const simpleName = (p: unknown): string | undefined => {
    const path = p as { type?: string; original?: string; parts?: string[]; data?: boolean; depth?: number };
    return path?.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts?.length === 1 ? path.original : undefined;
  };
  let found: { line: number; column: number; message: string } | undefined;
  const visit = (n: unknown): void => {
    if (found || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const c of n) visit(c);
      return;
    }
    const node = n as HbNode;
    switch (node.type) {
      case 'BlockStatement':
      case 'MustacheStatement':
      case 'SubExpression': {
        const params = (node.params as unknown[] | undefined) ?? [];
        const isCall = node.type !== 'MustacheStatement' || params.length > 0 || node.hash !== undefined;
        if (isCall) {
          const helper = simpleName(node.path);
          if (helper === undefined || !helpers.has(helper)) {
            const called = (node.path as { original?: string } | undefined)?.original ?? '?';
            found = { ...where(node), message: `"${called}" is not a helper (helpers: ${[...helpers].sort().join(', ')})` };
            return;
          }
        }
        break;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const partial = simpleName(node.name) ?? (node.name as { original?: unknown } | undefined)?.original;
        if (typeof partial !== 'string' || !partials.has(partial)) {
          found = { ...where(node), message: `partial "${String(partial ?? '(dynamic)')}" is not in partials/ (partials: ${[...partials].sort().join(', ') || 'none'})` };
          return;
        }
        break;
      }
      case 'ContentStatement': {
        const text = typeof node.original === 'string' ? node.original : String(node.value ?? '');
        const start = where(node);
        const at = (offset: number) => {
          const before = text.slice(0, offset);
          const nl = before.lastIndexOf('\n');
          return nl < 0 ? { line: start.line, column: start.column + offset } : { line: start.line + (before.match(/\n/g)?.length ?? 0), column: offset - nl };
        };
        const href = UNSAFE_LITERAL_HREF.exec(text);
        if (href) {
          found = { ...at(href.index), message: `a literal link "${href[0]}" is not allowed: links go to #anchors, https:, http: or mailto:` };
          return;
        }
        if (documentMarkup) {
          for (const m of text.matchAll(/<\/?([A-Za-z][A-Za-z0-9._:-]*)/g)) {
            if (!MARKUP_ELEMENTS.has(m[1] as string)) {
              found = { ...at(m.index ?? 0), message: `<${m[1]}> is not an element of document markup (${[...MARKUP_ELEMENTS].join(', ')})` };
              return;
            }
          }
        }
        return;
      }
      default:
        break;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'loc' && k !== 'strip' && k !== 'openStrip' && k !== 'closeStrip' && k !== 'inverseStrip') visit(v);
  };
  visit(ast);
  return found;
}

export function compileTemplates(files: readonly TemplateFile[]): Templates {
  const hb = Handlebars.create();
  hb.registerHelper('wareki', (date: unknown) => (typeof date === 'string' ? formatWareki(date) : ''));
  const helpers = new Set([...BUILTIN_HELPERS, 'wareki']);
  const sources = [...files].filter((f) => f.name.endsWith('.hbs')).sort((a, b) => (a.name < b.name ? -1 : 1));
  const partials = new Set(sources.filter((f) => f.name.startsWith('partials/')).map((f) => f.name.slice('partials/'.length, -'.hbs'.length)));
  const compiled = new Map<string, { file: string; fn: HandlebarsTemplateDelegate }>();
  for (const f of sources) {
    const name = f.name.slice(0, -'.hbs'.length);
    try {
      // precompile now so that a syntax error names the file, not the first render
      hb.precompile(f.text, { strict: true });
    } catch (e) {
      const at = errorPosition(e);
      throw new TemplateError(f.name, at.line, at.column, (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'syntax error', { cause: e });
    }
    const problem = staticProblem(name, hb.parse(f.text) as unknown as HbNode, helpers, partials);
    if (problem) throw new TemplateError(f.name, problem.line, problem.column, problem.message);
    if (name.startsWith('partials/')) hb.registerPartial(name.slice('partials/'.length), f.text);
    else {
      // a plain-text template (digest.text) writes no markup: HTML escaping would put &amp; and &#x3D; into the mail
      const plainText = name.endsWith('.text');
      compiled.set(name, { file: f.name, fn: hb.compile(f.text, { strict: true, preventIndent: true, noEscape: plainText }) });
    }
  }
  return {
    has: (name) => compiled.has(name),
    render(name, data) {
      const t = compiled.get(name);
      if (!t) throw new TemplateError(`${name}.hbs`, 1, 1, `no template ${name}.hbs in the templates folder`);
      try {
        return t.fn(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
      } catch (e) {
        const at = errorPosition(e);
        throw new TemplateError(t.file, at.line, at.column, (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'render failed', { cause: e });
      }
    },
  };
}
