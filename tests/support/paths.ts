import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This repository's root: its history holds the real corpus under regulations/jp. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
