/**
 * The bounds of parsing one file (see parse-pool.ts), read from the
 * environment. A module of its own, with no imports: the CLI checks the
 * variables at start-up without loading the parser or worker threads.
 */

/** How long one file may take to parse, and how much memory a parsing worker may use. */
export interface ParseBounds {
  timeMs: number;
  memoryMb: number;
}

/** Some hundred times what the largest file of the real corpus takes. */
export const DEFAULT_PARSE_BOUNDS: ParseBounds = { timeMs: 30_000, memoryMb: 1024 };

/** The bounds, with REGPRESS_PARSE_TIME_LIMIT_MS and REGPRESS_PARSE_MEMORY_MB read once (for operators and tests). */
export function parseBounds(env: Readonly<Record<string, string | undefined>> = process.env): ParseBounds {
  const num = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    if (!/^\d{1,9}$/.test(v) || Number(v) === 0) throw new Error(`${name}="${v}" is not a positive whole number`);
    return Number(v);
  };
  return { timeMs: num('REGPRESS_PARSE_TIME_LIMIT_MS', DEFAULT_PARSE_BOUNDS.timeMs), memoryMb: num('REGPRESS_PARSE_MEMORY_MB', DEFAULT_PARSE_BOUNDS.memoryMb) };
}
