import { describe, expect, it } from 'vitest';
import { isDate, versionsInForce, versionStatus, type VersionRecord } from '../../src/model/versions.js';

const rec = (commit: string, order: number, effective: string, blob: string | null = `b${commit}`): VersionRecord => ({
  path: 'a.md', blob, commit, order, commitDate: effective, effective,
});

describe('point in time', () => {
  const history = [rec('1', 0, '2020-01-01'), rec('2', 1, '2021-04-01'), rec('3', 2, '2021-01-15')];

  it('takes the latest version in force on the date, by effective date, not commit order', () => {
    expect(versionsInForce(history, '2019-12-31').get('a.md')).toBeUndefined();
    expect(versionsInForce(history, '2020-06-01').get('a.md')?.commit).toBe('1');
    expect(versionsInForce(history, '2021-02-01').get('a.md')?.commit).toBe('3');
    expect(versionsInForce(history, '2021-04-01').get('a.md')?.commit).toBe('2');
  });

  it('gives each version a status', () => {
    const at = '2021-02-01';
    expect(history.map((v) => versionStatus(history, v, at))).toEqual(['superseded', 'not-yet-in-force', 'in-force']);
    const repealed = [...history, rec('4', 3, '2021-01-20', null)];
    expect(versionStatus(repealed, history[2] as VersionRecord, at)).toBe('repealed');
  });

  it('knows a calendar date', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2023-02-29')).toBe(false);
    expect(isDate('2023-2-1')).toBe(false);
  });
});
