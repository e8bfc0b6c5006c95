/**
 * What the CLI passes down into library code: library code never reads
 * process.env, the clock or the terminal itself.
 */
import type { SourceLimits } from '../load/decode.js';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {} };

export interface Context {
  /** A path inside the repository to work on. */
  repo: string;
  /** The corpus folder, relative to the repository root. */
  corpus: string;
  /** Whether to cache parse results by content (default: true). */
  useCache?: boolean;
  /** Where; default: regpress/cache inside the git directory. */
  cacheDir?: string | undefined;
  limits?: SourceLimits;
  logger?: Logger;
}
