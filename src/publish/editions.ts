/**
 * Editions from history: a publication's content hash at each revision that
 * touched the corpus, oldest first; a new edition begins wherever the hash
 * differs from the one before. Only the repository's history goes in, so a
 * fresh clone numbers the editions exactly as we do.
 */

export interface HashPoint {
  commit: string;
  /** The date the revision's texts take effect (or its commit date). */
  date: string;
  /** Publication id → content hash; a publication with nothing to show is absent. */
  hashes: Readonly<Record<string, string>>;
}

export interface Edition {
  number: number;
  /** The revision the edition began at. */
  commit: string;
  date: string;
  hash: string;
}

/**
 * Every edition of one publication along `points` (oldest first).
 * Consecutive revisions with the same date are one amendment landed in
 * several commits (輸出令 and 貨物等省令 amended together, say): only the
 * last of them can begin an edition, so no two editions share a date.
 */
export function editionsOf(points: readonly HashPoint[], publication: string): Edition[] {
  const out: Edition[] = [];
  for (const [i, p] of points.entries()) {
    if (points[i + 1]?.date === p.date) continue;
    const hash = p.hashes[publication];
    if (hash === undefined) continue;
    const last = out[out.length - 1];
    if (last && last.hash === hash) continue;
    out.push({ number: out.length + 1, commit: p.commit, date: p.date, hash });
  }
  return out;
}
