/**
 * P6, incremental == clean: after a random sequence of edits to a small
 * corpus (provision text, a new 号, a deleted provision, a template or
 * partial, the commentary, the catalogue), each committed and built into the
 * same output folder, the output folder holds exactly the bytes a build from
 * scratch into an empty folder gives; and nothing of a publication that left
 * the catalogue is left behind.
 *
 * Builds run in-process (runCli) for speed. The incremental and clean builds
 * share the repository's cache (.git/regpress/cache), which is keyed by
 * content; one explicit case deletes it before each clean build.
 *
 * The seed is fixed; on failure fast-check prints it with the failing
 * sequence and the test says after which step which file differs first, at
 * which byte. REGPRESS_FC_SEED and REGPRESS_FC_RUNS explore other sequences;
 * REGPRESS_FC_SHRINK=1 shrinks a failure (slow: builds are seconds each).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, editArb, files, incrementalEqualsClean, initialState, type Edit } from '../support/incremental.js';

const stepsArb = fc.array(fc.record({ edit: editArb, sameDay: fc.boolean() }), { minLength: 1, maxLength: 4 });

describe('incremental builds equal clean builds', () => {
  it('every kind of edit changes the files it is about (the fixtures still hold what the edits look for)', () => {
    const before = files(initialState());
    const changed = (e: Edit) => Object.keys(before).filter((k) => files(apply(initialState(), e))[k] !== before[k]).sort();
    expect(changed({ kind: 'degrees', to: '一五〇' })).toEqual(['regulations/jp/403M50000400049.md']);
    expect(changed({ kind: 'append-words', to: 'order1', words: '（参考）' })).toEqual(['regulations/jp/324CO0000000378.md']);
    expect(changed({ kind: 'append-words', to: 'art6item2', words: '（参考）' })).toEqual(['regulations/jp/403M50000400049.md']);
    expect(changed({ kind: 'add-item', text: '記憶装置' })).toEqual(['regulations/jp/403M50000400049.md']);
    expect(changed({ kind: 'delete-provision', which: 'art6item2', how: 'deleted' })).toEqual(['regulations/jp/403M50000400049.md']);
    expect(changed({ kind: 'delete-provision', which: 'art6item2', how: 'removed' })).toEqual(['regulations/jp/403M50000400049.md']);
    expect(changed({ kind: 'edit-template', which: 'sheet', words: '（参考）' })).toEqual(['templates/parameter-sheet.hbs']);
    expect(changed({ kind: 'edit-template', which: 'front', words: '（参考）' })).toEqual(['templates/partials/front.hbs']);
    expect(changed({ kind: 'edit-commentary', words: '（参考）' })).toEqual(['regulations/guidance/electronics.md']);
    expect(changed({ kind: 'remove-publication', pick: 2 })).toEqual(['regulations/guidance/electronics.md', 'regulations/publications.yaml']);
    expect(changed({ kind: 'rename-publication', pick: 0, suffix: '（改訂）' })).toEqual(['regulations/publications.yaml']);
    expect(changed({ kind: 'add-row8-publication', pick: 1 })).toEqual(['regulations/publications.yaml']);
  });

  it('P6: after 1–4 random committed edits, each built into output/, output/ holds exactly what a build into an empty folder gives', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(stepsArb, async (steps) => {
        const problem = await incrementalEqualsClean(steps);
        expect(problem).toBeUndefined();
      }),
      { numRuns: Number(process.env.REGPRESS_FC_RUNS ?? 10), seed: Number(process.env.REGPRESS_FC_SEED ?? 20_240_110), endOnFailure: process.env.REGPRESS_FC_SHRINK === undefined },
    );
  });

  it('P6: the same with the cache deleted before each clean build: a template edit, an added 号, a removed publication and an amendment', { timeout: 120_000 }, async () => {
    const problem = await incrementalEqualsClean(
      [
        { edit: { kind: 'edit-template', which: 'front', words: '（参考）' }, sameDay: false },
        { edit: { kind: 'add-item', text: '電子計算機の附属装置であって、暗号機能を有するもの' }, sameDay: false },
        { edit: { kind: 'remove-publication', pick: 0 }, sameDay: true },
        { edit: { kind: 'degrees', to: '一五〇' }, sameDay: false },
      ],
      { dropCache: true },
    );
    expect(problem).toBeUndefined();
  });
});
