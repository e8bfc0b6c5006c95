/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org, spec 1.1): "an ASCII
 * representation of an integer with no fractional component, identical to
 * the output format of `date +%s`"; a malformed value is an error, never
 * ignored. Set, it is the date a build writes instead of each edition's
 * commit date.
 */
import { UsageError } from './main.js';

/** The last second with a four-digit year (9999-12-31T23:59:59Z): PDF and ISO 8601 dates have no room for more. */
const LAST = 253_402_300_799;

/** The date SOURCE_DATE_EPOCH names, undefined when it is not set; a UsageError (exit 2) naming it and its value when it is malformed. */
export function sourceDateEpoch(env: Readonly<Record<string, string | undefined>>): Date | undefined {
  const v = env.SOURCE_DATE_EPOCH;
  if (v === undefined) return undefined;
  const shown = `SOURCE_DATE_EPOCH=${JSON.stringify(v)}`;
  if (!/^[0-9]+$/.test(v)) throw new UsageError(`${shown} is not a whole number of seconds since 1970-01-01T00:00:00Z (the output of date +%s)`);
  const seconds = Number(v);
  if (seconds > LAST) throw new UsageError(`${shown} is out of range: give at most ${LAST} (9999-12-31T23:59:59Z)`);
  return new Date(seconds * 1000);
}
