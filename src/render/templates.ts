/**
 * Publication templates: Handlebars files in the repository's `templates/`
 * folder, compiled in an environment of their own (never the global one), in
 * strict mode (a missing field is an error, not an empty string) and with
 * escaping on. Helpers only format; what a document says is decided by the
 * view data, and how it looks by the renderers.
 */
import Handlebars from 'handlebars';

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
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}:${line}:${column} ${message} [template-error]`, options);
    this.name = 'TemplateError';
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

export function compileTemplates(files: readonly TemplateFile[]): Templates {
  const hb = Handlebars.create();
  hb.registerHelper('wareki', (date: unknown) => (typeof date === 'string' ? formatWareki(date) : ''));
  const compiled = new Map<string, { file: string; fn: HandlebarsTemplateDelegate }>();
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!f.name.endsWith('.hbs')) continue;
    const name = f.name.slice(0, -'.hbs'.length);
    try {
      // precompile now so that a syntax error names the file, not the first render
      hb.precompile(f.text, { strict: true });
    } catch (e) {
      const at = errorPosition(e);
      throw new TemplateError(f.name, at.line, at.column, (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'syntax error', { cause: e });
    }
    if (name.startsWith('partials/')) hb.registerPartial(name.slice('partials/'.length), f.text);
    else compiled.set(name, { file: f.name, fn: hb.compile(f.text, { strict: true, preventIndent: true }) });
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
