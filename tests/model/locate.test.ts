import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildIndex, citeProvision, locate, LocateError, shortName } from '../../src/model/locate.js';
import type { Instrument } from '../../src/model/types.js';
import { parseSourceFile } from '../../src/pipeline/parse-file.js';
import { REPO_ROOT } from '../support/paths.js';

const fixture = (name: string) => {
  const file = path.join(REPO_ROOT, 'tests', 'fixtures', 'model', name, 'input.md');
  const parsed = parseSourceFile(`${name}/input.md`, readFileSync(file));
  if (!parsed.instrument) throw new Error(`fixture ${name} did not parse`);
  return parsed.instrument;
};

describe('locate', () => {
  const { index } = buildIndex([fixture('articles'), fixture('editors-extras'), fixture('appended-table')]);

  it.each([
    ['900CO0000000010/art1/para2/item1/ro/1', '900CO0000000010/art1/para2/item1/ro/1'],
    ['試験令第一条第二項第一号ロ（１）', '900CO0000000010/art1/para2/item1/ro/1'],
    ['試験令第二条から第四条まで', '900CO0000000010/art2to4'],
    ['meti-notice-1/art9', 'meti-notice-1/art9'],
    ['試験告示第二条', 'meti-notice-1/art9'],
    ['900CO0000000012/appx1/row3-2/1/2', '900CO0000000012/appx1/row3-2/1/2'],
  ])('finds %s', (ref, id) => {
    expect(locate(index, ref).provision?.id).toBe(id);
  });

  it('names an instrument on its own', () => {
    const r = locate(index, 'meti-notice-1');
    expect(r.instrument.id).toBe('meti-notice-1');
    expect(r.provision).toBeUndefined();
  });

  it.each([
    ['900CO0000000010/art7', /no provision 900CO0000000010\/art7/],
    ['900CO0000000010/bogus1', /is not a step/],
    ['第一条', /does not name an instrument/],
  ])('explains why %s is not found', (ref, message) => {
    expect(() => locate(index, ref)).toThrow(LocateError);
    expect(() => locate(index, ref)).toThrow(message);
  });
});

describe('locate inside a range of deleted articles', () => {
  const { index } = buildIndex([fixture('articles')]);
  it.each(['試験令第三条', '900CO0000000010/art3'])('finds %s in 第二条から第四条まで', (ref) => {
    expect(locate(index, ref).provision?.id).toBe('900CO0000000010/art2to4');
  });
});

describe('names, chapters, list-form tables and citations by label', () => {
  const src = `---
title: "試験法"
identifier: "900AC0000000020"
rank: "act"
extra:
  abbrev: "試験法,試験の法"
---

### 第一章の二　総則

**第一条**　次に掲げるもの

- 一　ある物
  - イ　次のもの
    - （一）　細目
      - １　さらに細目

**別表第二の二**

- 一　牛の肉
- 二　魚のフィレ
`;
  const parsed = parseSourceFile('t.md', Buffer.from(src));
  const { index } = buildIndex(parsed.instrument ? [parsed.instrument] : []);

  it.each([
    ['試験の法第一条', '900AC0000000020/art1'],
    ['試験法第一章の二', '900AC0000000020/ch1-2'],
    ['試験法別表第二の二の二の項', '900AC0000000020/appx2-2/item2'],
    ['試験法第一条第一号イ（一）１', '900AC0000000020/art1/para1/item1/i/1/1'],
  ])('finds %s', (ref, id) => {
    expect(locate(index, ref).provision?.id).toBe(id);
  });

  it('cites a provision with the labels of its line (イ（一）１, not イ（１）（１）)', () => {
    const p = locate(index, '900AC0000000020/art1/para1/item1/i/1/1').provision;
    expect(p && citeProvision(index, p)).toBe('第一条第一項第一号イ（一）１');
    expect(shortName(parsed.instrument as Instrument)).toBe('試験法');
  });
});
