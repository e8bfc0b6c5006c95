import { describe, expect, it } from 'vitest';
import { formatId, IdSyntaxError, parseId } from '../../src/model/ids.js';
import type { AddressStep } from '../../src/model/types.js';

// id → path, and back again (format(parse(id)) === id)
const table: [string, AddressStep[], number[]?][] = [
  ['324CO0000000378', []],
  ['324CO0000000378/art4', [{ kind: 'article', num: '4' }]],
  ['324CO0000000378/art4-2', [{ kind: 'article', num: '4-2' }]],
  ['324CO0000000378/art2to4', [{ kind: 'article', num: '2', to: '4' }]],
  ['324CO0000000378/art4/para1/item3', [{ kind: 'article', num: '4' }, { kind: 'paragraph', num: '1' }, { kind: 'item', num: '3' }]],
  ['324CO0000000378/art4/para2/item2/ro', [{ kind: 'article', num: '4' }, { kind: 'paragraph', num: '2' }, { kind: 'item', num: '2' }, { kind: 'subitem', num: '2' }], [3]],
  ['403M50000400049/art1/para1/item4/i/1/2', [
    { kind: 'article', num: '1' }, { kind: 'paragraph', num: '1' }, { kind: 'item', num: '4' },
    { kind: 'subitem', num: '1' }, { kind: 'subitem2', num: '1' }, { kind: 'subitem3', num: '2' },
  ], [3]],
  ['403M50000400049/art1/para1/item1-2/n', [{ kind: 'article', num: '1' }, { kind: 'paragraph', num: '1' }, { kind: 'item', num: '1-2' }, { kind: 'subitem', num: '48' }], [3]],
  ['403M50000400049/art1/para1/item1/iro', [{ kind: 'article', num: '1' }, { kind: 'paragraph', num: '1' }, { kind: 'item', num: '1' }, { kind: 'subitem', num: '50' }], [3]],
  ['324CO0000000378/appx1/row16', [{ kind: 'appendix-table', num: '1' }, { kind: 'row', num: '16' }]],
  ['324CO0000000378/appx1/row7/8-2', [{ kind: 'appendix-table', num: '1' }, { kind: 'row', num: '7' }, { kind: 'row-item', num: '8-2' }]],
  ['324CO0000000378/appx1/row6/2/1', [{ kind: 'appendix-table', num: '1' }, { kind: 'row', num: '6' }, { kind: 'row-item', num: '2' }, { kind: 'row-item2', num: '1' }]],
  ['324CO0000000378/appx2-2/row3-2', [{ kind: 'appendix-table', num: '2-2' }, { kind: 'row', num: '3-2' }]],
  ['355CO0000000260/appx/row1', [{ kind: 'appendix-table', num: '' }, { kind: 'row', num: '1' }]],
  ['324AC0000000228/ch6-2', [{ kind: 'chapter', num: '6-2' }]],
  ['324AC0000000228/ch6/sec1', [{ kind: 'chapter', num: '6' }, { kind: 'section', num: '1' }]],
  ['324AC0000000228/ch1/subsec2', [{ kind: 'chapter', num: '1' }, { kind: 'subsection', num: '2' }]],
  ['324AC0000000228/suppl1/para2', [{ kind: 'suppl-provision', num: '1' }, { kind: 'paragraph', num: '2' }]],
  ['324AC0000000228/suppl53/art1', [{ kind: 'suppl-provision', num: '53' }, { kind: 'article', num: '1' }]],
  ['etco/art14/text1', [{ kind: 'article', num: '14' }, { kind: 'text', num: '1' }]],
];

describe('provision id grammar', () => {
  it.each(table)('parses %s', (id, path) => {
    const parsed = parseId(id);
    expect(parsed.path).toEqual(path);
  });

  it.each(table)('formats %s back to itself', (id, path, iroha) => {
    const instrument = id.split('/')[0] as string;
    expect(formatId({ instrument, path }, { irohaSteps: new Set(iroha ?? []) })).toBe(id);
  });

  const bad: [string, RegExp][] = [
    ['', /missing instrument/],
    ['etco/', /"" is not a step/],
    ['etco/art', /"art" is not a step/],
    ['etco/para1x', /"para1x" is not a step/],
    ['etco/art4/ro', /"ro" is not a step/], // a bare step needs an item or row before it
    ['etco/art4/para1/item2/xyz', /"xyz" is not a step/],
    ['etco/row7/1to', /"1to" is not a step/],
  ];
  it.each(bad)('rejects %j', (id, message) => {
    expect(() => parseId(id)).toThrow(IdSyntaxError);
    expect(() => parseId(id)).toThrow(message);
  });
});
