/** Bump when the model or the diagnostics of a file can change: it keys the parse cache. */
export const PARSER_VERSION = 2;
