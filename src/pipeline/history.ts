/**
 * The corpus through time: every revision that touched it with what it
 * changed (`log`), and every version of one provision (`history`).
 */
import { corpusPrefix, isInstrumentPath, type SourceFile } from '../load/corpus.js';
import type { FileChange } from '../load/git.js';
import type { ChangeKind, InstrumentDiff, ProvisionChange } from '../diff/types.js';
import { walkProvisions, provisionFullText } from '../model/text.js';
import type { Instrument, Provision } from '../model/types.js';
import { versionStatus, type VersionRecord, type VersionStatus } from '../model/versions.js';
import { loadVersion, type Session } from './corpus.js';
import { diffInstrument } from './diff.js';

export type ChangeCounts = Record<ChangeKind, number>;

export interface LogInstrument {
  id: string;
  file: string;
  title: string;
  /** When this version takes effect: front matter, else the commit date. */
  effective: string;
  status: VersionStatus;
  counts: ChangeCounts;
}

export interface LogEntry {
  commit: string;
  date: string;
  subject: string;
  message: string;
  instruments: LogInstrument[];
  counts: ChangeCounts;
}

function zeroCounts(): ChangeCounts {
  return { added: 0, removed: 0, modified: 0, renumbered: 0, moved: 0, 'became-削除': 0 };
}

function countChanges(changes: readonly ProvisionChange[]): ChangeCounts {
  const c = zeroCounts();
  for (const ch of changes) c[ch.kind]++;
  return c;
}

interface VersionStep {
  change: FileChange;
  before: SourceFile | undefined;
  after: SourceFile | undefined;
}

/** Every change to an instrument file in the history of `head`, with the version before it. */
async function versionSteps(session: Session, head: string): Promise<VersionStep[]> {
  const changes = (await session.repo.fileChanges(head, corpusPrefix(session.ctx.corpus) || '.')).filter((c) => isInstrumentPath(c.path));
  const current = new Map<string, SourceFile>();
  const steps: VersionStep[] = [];
  for (const c of changes) {
    const before = current.get(c.path);
    const after = c.blob ? { path: c.path, blob: c.blob, size: 0 } : undefined;
    if (after) current.set(c.path, after);
    else current.delete(c.path);
    steps.push({ change: c, before, after });
  }
  return steps;
}

async function instrumentOf(session: Session, f: SourceFile | undefined): Promise<Instrument | undefined> {
  return f ? (await loadVersion(session, f)).instrument : undefined;
}

/** The diff of one step; undefined for a file that is an instrument on neither side. */
async function stepDiff(session: Session, s: VersionStep): Promise<InstrumentDiff | undefined> {
  return diffInstrument(session, s.before, s.after, async () => [await instrumentOf(session, s.before), await instrumentOf(session, s.after)]);
}

/** Revisions that touched the corpus, newest first, with what each changed. */
export async function corpusLog(session: Session, head: string, asOf: string, only?: ReadonlySet<string>): Promise<LogEntry[]> {
  const commits = new Map((await session.repo.commitsTouching(head, corpusPrefix(session.ctx.corpus) || '.')).map((c) => [c.commit, c]));
  const steps = await versionSteps(session, head);
  const records: VersionRecord[] = [];
  const entries = new Map<string, LogEntry>();
  const order = new Map<string, number>();
  for (const s of steps) {
    if (!order.has(s.change.commit)) order.set(s.change.commit, order.size);
    const diff = await stepDiff(session, s);
    const commitDate = s.change.authorDate.slice(0, 10);
    const effective = (s.after && diff?.effective) || commitDate;
    records.push({ path: s.change.path, blob: s.change.blob, commit: s.change.commit, order: order.get(s.change.commit) ?? 0, commitDate, effective });
    if (!diff || (only && !only.has(diff.instrument))) continue;
    let e = entries.get(s.change.commit);
    if (!e) {
      const info = commits.get(s.change.commit);
      e = { commit: s.change.commit, date: s.change.authorDate, subject: info?.subject ?? '', message: info?.message ?? '', instruments: [], counts: zeroCounts() };
      entries.set(s.change.commit, e);
    }
    const counts = countChanges(diff.changes);
    for (const k of Object.keys(counts) as ChangeKind[]) e.counts[k] += counts[k];
    e.instruments.push({ id: diff.instrument, file: s.change.path, title: diff.title, effective, status: 'in-force', counts });
  }
  for (const e of entries.values()) {
    for (const i of e.instruments) {
      const rec = records.find((r) => r.commit === e.commit && r.path === i.file);
      if (rec) i.status = versionStatus(records, rec, asOf);
    }
  }
  return [...entries.values()].reverse();
}

export interface ProvisionVersion {
  commit: string;
  date: string;
  effective: string;
  id: string;
  /** The provision's full text in this version (label and descendants), empty when removed. */
  text: string;
  /** How it changed from the version before; absent for its first version. */
  change?: ProvisionChange;
}

function findById(ins: Instrument | undefined, id: string): Provision | undefined {
  if (!ins) return undefined;
  for (const p of walkProvisions(ins.provisions)) if (p.id === id) return p;
  return undefined;
}

/**
 * Every version of one provision, newest first, followed back through
 * renumbering and moves to where it was added (or to the start of history).
 */
export async function provisionHistory(session: Session, head: string, file: string, id: string): Promise<ProvisionVersion[]> {
  const steps = (await versionSteps(session, head)).filter((s) => s.change.path === file);
  const out: ProvisionVersion[] = [];
  let current = id;
  for (let k = steps.length - 1; k >= 0; k--) {
    const s = steps[k] as VersionStep;
    const diff = await stepDiff(session, s);
    if (!diff) continue;
    const before = await instrumentOf(session, s.before);
    const after = await instrumentOf(session, s.after);
    const commitDate = s.change.authorDate.slice(0, 10);
    const here = (c: ProvisionChange) => (c.newId ?? c.id) === current || (c.kind === 'removed' && c.id === current);
    const touching = diff.changes.filter(here);
    // a change to a descendant changes the provision's full text too
    const inside = diff.changes.some((c) => (c.newId ?? c.id).startsWith(`${current}/`));
    const now = findById(after, current);
    if (touching.length > 0 || inside || (k === 0 && now)) {
      const own = touching[0];
      out.push({
        commit: s.change.commit,
        date: s.change.authorDate,
        effective: diff.effective ?? commitDate,
        id: current,
        text: now ? provisionFullText(now) : '',
        ...(own ? { change: own } : {}),
      });
    }
    if (touching.some((c) => c.kind === 'added')) break;
    const previous = Object.entries(diff.renumbering).find(([, n]) => n === current)?.[0];
    if (previous) current = previous;
    else if (!findById(before, current)) break;
  }
  return out;
}
