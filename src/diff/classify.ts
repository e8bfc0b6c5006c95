/**
 * Editorial or substantive: a change is editorial when the texts are the
 * same once punctuation, whitespace, full/half-width forms and kana
 * orthography (つ/っ, 附/付 …) are set aside.
 */

const SMALL_KANA: Record<string, string> = {
  ぁ: 'あ', ぃ: 'い', ぅ: 'う', ぇ: 'え', ぉ: 'お', っ: 'つ', ゃ: 'や', ゅ: 'ゆ', ょ: 'よ', ゎ: 'わ',
  ァ: 'ア', ィ: 'イ', ゥ: 'ウ', ェ: 'エ', ォ: 'オ', ッ: 'ツ', ャ: 'ヤ', ュ: 'ユ', ョ: 'ヨ', ヮ: 'ワ',
};

/** Spelling variants that official texts changed without changing meaning. */
const VARIANTS: [RegExp, string][] = [
  [/附/g, '付'],
  [/弗/g, 'ふつ'],
  [/燐/g, 'りん'],
  [/沃/g, 'よう'],
  [/砒/g, 'ひ'],
  [/硼/g, 'ほう'],
];

const PUNCTUATION = /[\s\u3000、。，．,.・：:；;「」『』（）()［］[\]｛｝{}〔〕【】―‐－\-~〜～!！?？]/g;

export function normaliseForComparison(text: string): string {
  let s = text.normalize('NFKC');
  s = s.replace(PUNCTUATION, '');
  s = s.replace(/[ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ]/g, (c) => SMALL_KANA[c] ?? c);
  for (const [re, to] of VARIANTS) s = s.replace(re, to);
  return s;
}

export function isEditorialChange(before: string, after: string): boolean {
  return normaliseForComparison(before) === normaliseForComparison(after);
}
