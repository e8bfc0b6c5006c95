/**
 * A small valid corpus for end-to-end tests: 輸出令 with rows 7 and 8 of
 * 別表第一, the 貨物等省令 articles that specify them, a catalogue of three
 * publications, one commentary file and the repository's own templates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export const ORDER = `---
title: "輸出貿易管理令"
identifier: "324CO0000000378"
country: "jp"
rank: "cabinet_order"
extra:
  abbrev: "輸出令"
---

**第一条（輸出の許可）**　別表第一中欄に掲げる貨物の同表下欄に掲げる地域を仕向地とする輸出とする。

**別表第一**

|  | 貨物 | 地域 |
| --- | --- | --- |
| 七 | 次に掲げる貨物であつて、経済産業省令で定める仕様のもの（一）　集積回路（二）　マイクロ波用機器 | 全地域 |
| 八 | 次に掲げる貨物であつて、経済産業省令で定める仕様のもの（一）　電子計算機若しくはその附属装置 | 全地域 |
`;

export const ordinance = (degrees: string) => `---
title: "輸出貿易管理令別表第一及び外国為替令別表の規定に基づき貨物又は技術を定める省令"
identifier: "403M50000400049"
country: "jp"
rank: "ministerial_ordinance"
---

**第六条**　輸出令別表第一の七の項の経済産業省令で定める仕様のものは、次のいずれかに該当するものとする。

- 一　集積回路であって、次のいずれかに該当するもの
  - イ　全吸収線量がシリコン換算で五、〇〇〇グレイ以上の放射線照射に耐えられるように設計したもの
  - ロ　${degrees}度を超える温度で使用することができるように設計したもの
- 二　マイクロ波用機器であって、動作周波数が三・二ギガヘルツを超えるもの

**第七条**　輸出令別表第一の八の項の経済産業省令で定める仕様のものは、次のいずれかに該当するものとする。

- 一　電子計算機であって、八五度を超える温度で使用することができるように設計したもの
`;

export const CATALOGUE = `sectors:
  - { id: electronics, title: エレクトロニクス, title_en: Electronics }
  - { id: computers, title: 電子計算機, title_en: Computers }
publications:
  - { id: ps-row-7, kind: parameter-sheet, title: パラメータシート　七の項, sector: electronics, rows: ["7"] }
  - { id: ps-row-8, kind: parameter-sheet, title: パラメータシート　八の項, sector: computers, rows: ["8"] }
  - { id: cg-electronics, kind: commodity-guidance, title: 該非判定ガイダンス　エレクトロニクス, sector: electronics, rows: ["7"] }
`;

export const COMMENTARY = `---
publication: cg-electronics
---

集積回路とマイクロ波用機器の解説である。法令の条文が優先する。

## [七の項](324CO0000000378#appx1/row7)

耐熱性の基準は[第六条第一号ロ](403M50000400049#art6/para1/item1/ro)による。
`;

/** The files of a folder of this repository (path → text), every one or those `keep` accepts. */
export function repositoryFiles(dir: string, keep: (name: string) => boolean = () => true): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(REPO_ROOT, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (keep(e.name)) out[r] = readFileSync(path.join(REPO_ROOT, r), 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** The repository's own templates (the .hbs files). */
export function templates(): Record<string, string> {
  return repositoryFiles('templates', (name) => name.endsWith('.hbs'));
}

/** The whole corpus as repository files (path → content), with 第六条第一号ロ at `degrees`. */
export function smallCorpus(degrees = '一二五'): Record<string, string> {
  return {
    'regulations/jp/324CO0000000378.md': ORDER,
    'regulations/jp/403M50000400049.md': ordinance(degrees),
    'regulations/publications.yaml': CATALOGUE,
    'regulations/guidance/electronics.md': COMMENTARY,
    ...templates(),
  };
}
