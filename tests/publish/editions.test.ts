import { describe, expect, it } from 'vitest';
import { editionsOf, type HashPoint } from '../../src/publish/editions.js';

const at = (commit: string, date: string, hashes: Record<string, string>): HashPoint => ({ commit, date, hashes });

describe('editionsOf', () => {
  it('starts an edition wherever the hash changes, and only there', () => {
    const points = [at('c1', '2020-01-01', { a: 'x' }), at('c2', '2020-02-01', { a: 'x', b: 'y' }), at('c3', '2020-03-01', { a: 'z', b: 'y' }), at('c4', '2020-04-01', { a: 'x', b: 'y' })];
    expect(editionsOf(points, 'a').map((e) => `${e.number}@${e.commit}`)).toEqual(['1@c1', '2@c3', '3@c4']);
    expect(editionsOf(points, 'b').map((e) => `${e.number}@${e.commit}`)).toEqual(['1@c2']);
    expect(editionsOf(points, 'nobody')).toEqual([]);
  });

  it('takes commits of one date as one amendment: the last of them begins the edition', () => {
    const points = [at('c1', '2020-01-01', { a: 'x' }), at('c2', '2021-05-01', { a: 'y' }), at('c3', '2021-05-01', { a: 'z' }), at('c4', '2021-06-01', { a: 'z' })];
    expect(editionsOf(points, 'a').map((e) => `${e.number}@${e.commit}:${e.date}`)).toEqual(['1@c1:2020-01-01', '2@c3:2021-05-01']);
  });
});
