/**
 * P6, explicit: when the only publication of a row of 別表第一 leaves the
 * catalogue, the row's feeds go from output/feeds/ and from the portal
 * (site/feeds/, feeds.html) in the same build, as a build from scratch has
 * them. (Found by the property in incremental.property.test.ts with
 * REGPRESS_FC_SEED=99.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { incrementalEqualsClean } from '../support/incremental.js';

describe('a row that no publication covers any more', () => {
  it('P6: removing the only publication of row 8 removes row 8’s feeds from the portal at once, as a clean build has it', { timeout: 120_000 }, async () => {
    const problem = await incrementalEqualsClean([{ edit: { kind: 'remove-publication', pick: 1 }, sameDay: false }], {
      inspect: (out) => {
        expect(existsSync(path.join(out, 'feeds', 'row-8.atom'))).toBe(false);
        expect(existsSync(path.join(out, 'site', 'feeds', 'row-8.atom')), 'site/feeds/row-8.atom').toBe(false);
        expect(readFileSync(path.join(out, 'site', 'feeds.html'), 'utf8')).not.toContain('row-8');
      },
    });
    expect(problem).toBeUndefined();
  });
});
