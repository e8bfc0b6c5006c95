/**
 * Every version of every instrument in the history of a head, with its
 * effective date, cached by the head commit: reading the front matter of
 * every version in history costs half a second, and every build needs it.
 */
import { createHash } from 'node:crypto';
import type { VersionRecord } from '../model/versions.js';
import { parserFingerprint } from './cache-keys.js';
import type { Session } from './corpus.js';
import { instrumentVersions } from './revision.js';

export async function cachedVersions(session: Session, head: string): Promise<VersionRecord[]> {
  const key = createHash('sha1').update(`versions-${parserFingerprint()}\0${head}\0${session.ctx.corpus}`).digest('hex');
  const memo = session.derived.get(key) as VersionRecord[] | undefined;
  if (memo) return memo;
  let versions = await session.cache?.get<VersionRecord[]>(key);
  if (!versions) {
    versions = await instrumentVersions(session.repo, head, session.ctx.corpus);
    await session.cache?.put(key, versions);
  }
  session.derived.set(key, versions);
  return versions;
}
