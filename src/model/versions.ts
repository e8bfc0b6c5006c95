/**
 * Point in time: which version of each instrument is in force on a date.
 * A version's effective date is its front matter (our `effective:`, else
 * e-Gov's `extra.enforced_at`), else the date of its commit.
 */

export interface VersionRecord {
  path: string;
  /** null: the commit removed the file (repeal). */
  blob: string | null;
  commit: string;
  /** Position in first-parent history, oldest first: breaks ties between equal dates. */
  order: number;
  commitDate: string;
  effective: string;
}

export type VersionStatus = 'in-force' | 'not-yet-in-force' | 'superseded' | 'repealed';

export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a string is a calendar date YYYY-MM-DD that exists. */
export function isDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function byEffective(a: VersionRecord, b: VersionRecord): number {
  return a.effective < b.effective ? -1 : a.effective > b.effective ? 1 : a.order - b.order;
}

/** For each file, the version in force on `asOf`; files repealed by then or not yet in force are absent. */
export function versionsInForce(records: readonly VersionRecord[], asOf: string): Map<string, VersionRecord> {
  const out = new Map<string, VersionRecord>();
  const byPath = new Map<string, VersionRecord[]>();
  for (const r of records) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  for (const [path, rs] of byPath) {
    const current = rs.filter((r) => r.effective <= asOf).sort(byEffective).pop();
    if (current && current.blob !== null) out.set(path, current);
  }
  return out;
}

/** The status of one version of a file on `asOf`, among all versions of that file. */
export function versionStatus(all: readonly VersionRecord[], version: VersionRecord, asOf: string): VersionStatus {
  if (version.effective > asOf) return 'not-yet-in-force';
  const inForce = versionsInForce(all.filter((r) => r.path === version.path), asOf).get(version.path);
  if (inForce === undefined) return 'repealed';
  return inForce.commit === version.commit ? 'in-force' : 'superseded';
}
