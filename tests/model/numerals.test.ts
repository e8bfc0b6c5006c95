import { describe, expect, it } from 'vitest';
import { parseLabel } from '../../src/model/labels.js';
import {
  branchedToKanji,
  irohaKana,
  irohaOrdinal,
  isNextNumber,
  parseBranchedNumber,
  parseSimpleNumber,
  romajiOrdinal,
  toKanjiNumber,
} from '../../src/model/numerals.js';

describe('numerals', () => {
  it.each([
    ['一', 1], ['十', 10], ['十六', 16], ['四十八', 48], ['百二十', 120], ['二百二十八', 228], ['千', 1000],
    ['一六', 16], ['一〇', 10], ['一〇〇', 100], ['１６', 16], ['16', 16], ['〇', 0],
  ] as const)('reads %s as %d', (s, n) => {
    expect(parseSimpleNumber(s)).toBe(n);
  });

  it.each(['', 'あ', '十一二', 'x'])('refuses %j', (s) => {
    expect(parseSimpleNumber(s)).toBeUndefined();
  });

  it.each([
    ['十の二', '10-2'], ['四の二', '4-2'], ['一の二の三', '1-2-3'], ['三五の二', '35-2'], ['六十九の六', '69-6'],
  ])('reads branched %s as %s', (s, n) => {
    expect(parseBranchedNumber(s)).toBe(n);
    expect(parseBranchedNumber(branchedToKanji(n))).toBe(n);
  });

  it.each([[48, '四十八'], [16, '十六'], [228, '二百二十八'], [1000, '千'], [10, '十']] as const)('writes %d as %s', (n, s) => {
    expect(toKanjiNumber(n)).toBe(s);
  });

  it('counts イロハ through ン and then pairs イイ, イロ', () => {
    expect(irohaOrdinal('イ')).toBe(1);
    expect(irohaOrdinal('ス')).toBe(47);
    expect(irohaOrdinal('ン')).toBe(48);
    expect(irohaOrdinal('イイ')).toBe(49);
    expect(irohaOrdinal('イロ')).toBe(50);
    expect(irohaKana(50)).toBe('イロ');
    expect(romajiOrdinal('iro')).toBe(50);
    expect(romajiOrdinal('chi')).toBe(8);
  });

  it.each([
    ['4', '5', true], ['4', '4-2', true], ['4-2', '4-3', true], ['4-2', '5', true], ['4-2-1', '4-3', true],
    ['4', '6', false], ['4', '4-3', false], ['4-2', '4-2', false], ['5', '4', false],
  ] as const)('%s → %s is a gapless step: %s', (a, b, ok) => {
    expect(isNextNumber(a, b)).toBe(ok);
  });
});

describe('labels', () => {
  it.each([
    ['一', { family: 'kanji', num: '1' }],
    ['一の二', { family: 'kanji', num: '1-2' }],
    ['イ', { family: 'iroha', num: '1' }],
    ['イイ', { family: 'iroha', num: '49' }],
    ['（一）', { family: 'paren-kanji', num: '1' }],
    ['（十の二）', { family: 'paren-kanji', num: '10-2' }],
    ['（１）', { family: 'paren-digit', num: '1' }],
    ['１', { family: 'digit', num: '1' }],
    ['（ｉｖ）', { family: 'paren-roman', num: '4' }],
    ['（ｘｌｉｘ）', { family: 'paren-roman', num: '49' }],
    ['三から五まで', { family: 'kanji', num: '3', to: '5' }],
    ['三及び四', { family: 'kanji', num: '3', to: '4' }],
  ])('reads label %s', (label, expected) => {
    expect(parseLabel(label)).toEqual(expected);
  });

  it.each(['アルゼンチン、オーストラリア', '次に掲げる', '（注）'])('does not take %s for a label', (label) => {
    expect(parseLabel(label)).toBeUndefined();
  });
});
