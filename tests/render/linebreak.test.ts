/**
 * Line breaking with a fixed-width measurer (Japanese and full-width
 * characters 1, Latin 0.5), so every expected line can be worked out by
 * hand: 禁則 at both ends of a line, Latin words kept whole, words wider
 * than the line broken, no line ever wider than the width.
 */
import { describe, expect, it } from 'vitest';
import { breakLines, canBreakBetween, type LineBox } from '../../src/render/linebreak.js';

const measure = (ch: string): number => ((ch.codePointAt(0) ?? 0) >= 0x2000 ? 1 : 0.5);

function texts(lines: LineBox[]): string[] {
  return lines.map((l) => l.slices.map((s) => s.text).join(''));
}

function lay(text: string, width: number): string[] {
  return texts(breakLines(text, measure, width));
}

const CLOSING = [...'、。，．・：；？！）］｝」』】〕〉》〙〗ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞ'];
const OPENING = [...'（［｛「『【〔〈《〘〖'];

describe('breakLines', () => {
  it.each([
    // [text, width, lines]
    ['あいうえおかきくけこ', 4, ['あいうえ', 'おかきく', 'けこ']],
    // 追い出し: the character before a closing mark goes to the next line with it
    ['あいう。えお', 3, ['あい', 'う。え', 'お']],
    ['あいう」えお', 3, ['あい', 'う」え', 'お']],
    ['あいう、」えお', 4, ['あい', 'う、」え', 'お']],
    ['あいうっかー', 3, ['あい', 'うっ', 'かー']],
    ['あいうーかき', 3, ['あい', 'うーか', 'き']],
    // an opening bracket goes to the next line with what it opens
    ['あい「うえ」', 3, ['あい', '「う', 'え」']],
    ['あい（注）お', 3, ['あい', '（注）', 'お']],
    // Latin words, numbers and units stay whole
    ['これはGHzの例', 4, ['これは', 'GHzの例']],
    ['値は1.5と10%とx-ray', 4, ['値は1.5', 'と10%と', 'x-ray']],
    ['hello world foo', 5.5, ['hello world', 'foo']],
    ['a  b', 0.5, ['a', 'b']],
    // full-width digits are one number
    ['第１２３条', 3, ['第', '１２３', '条']],
    // a word wider than the line is broken between its characters
    ['abcdefghij', 2, ['abcd', 'efgh', 'ij']],
    ['あsupercalifragilistic', 4, ['あ', 'supercal', 'ifragili', 'stic']],
    // explicit line breaks
    ['あ\nい', 10, ['あ', 'い']],
    ['あ\n\nい\n', 10, ['あ', '', 'い', '']],
    ['', 10, []],
  ] satisfies [string, number, string[]][])('%j in %d', (text, width, expected) => {
    expect(lay(text, width)).toEqual(expected);
  });

  it('never starts a line with a closing mark', () => {
    for (const c of CLOSING) {
      const lines = lay(`あいう${c}えおか`, 3);
      expect(lines.slice(1).map((l) => l[0]), c).not.toContain(c);
      expect(lines.join('')).toBe(`あいう${c}えおか`);
    }
  });

  it('never ends a line with an opening bracket', () => {
    for (const c of OPENING) {
      const lines = lay(`あい${c}うえお`, 3);
      for (const l of lines) expect(l.endsWith(c), `${c}: ${JSON.stringify(lines)}`).toBe(false);
    }
  });

  it('ASCII closing punctuation and % stay with what they follow, ( [ { with what follows', () => {
    for (const c of ')]},.:;!?%') expect(canBreakBetween('あ', c), c).toBe(false);
    for (const c of '([{') expect(canBreakBetween(c, 'あ'), c).toBe(false);
    expect(canBreakBetween('あ', 'い')).toBe(true);
    expect(canBreakBetween('a', 'b')).toBe(false);
    expect(canBreakBetween('a', 'あ')).toBe(true);
    expect(canBreakBetween(' ', 'a')).toBe(true);
  });

  it('marks line ends made by \\n as hard', () => {
    expect(breakLines('あい\nうえおか', measure, 3).map((l) => l.hard)).toEqual([true, false, false]);
  });

  it('slices runs with their offsets, positions and widths', () => {
    const lines = breakLines([{ text: 'あいう' }, { text: 'GHz' }, { text: 'えお' }], measure, 5);
    expect(lines.map((l) => l.slices)).toEqual([
      [
        { run: 0, text: 'あいう', start: 0, end: 3, x: 0, width: 3, chars: 3 },
        { run: 1, text: 'GHz', start: 0, end: 3, x: 3, width: 1.5, chars: 3 },
      ],
      [{ run: 2, text: 'えお', start: 0, end: 2, x: 0, width: 2, chars: 2 }],
    ]);
    expect(lines.map((l) => l.width)).toEqual([4.5, 2]);
  });

  it('keeps a character and its variation selector or sound mark together', () => {
    const lines = lay('葛\u{E0100}葛\u{E0100}か\u3099', 1);
    expect(lines).toEqual(['葛\u{E0100}', '葛\u{E0100}', 'か\u3099']);
  });

  it('drops the spaces a line breaks at, not those inside it', () => {
    const lines = breakLines('ab cd ef', measure, 2.5);
    expect(texts(lines)).toEqual(['ab cd', 'ef']);
    expect(lines[0]?.width).toBe(2.5);
  });

  it('on mixed text never exceeds the width, breaks no word and keeps every character', () => {
    // Latin always followed by Japanese, so that no run of Latin text is wider than a line
    const pieces = ['経済産業大臣は、', '（以下「特定貨物」という。）', '1.5GHzの', 'x-ray装置', '10%を', 'ロボット', 'っ', 'ー', '『該非判定書』', 'and so on、', '第１２条'];
    let seed = 1;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 300; round++) {
      let text = '';
      while (text.length < 120) text += pieces[Math.floor(random() * pieces.length)];
      const width = 8 + Math.floor(random() * 20);
      const lines = breakLines(text, measure, width);
      const strings = texts(lines);
      for (const [i, l] of lines.entries()) {
        const s = strings[i] ?? '';
        expect(l.width, s).toBeLessThanOrEqual(width);
        expect(l.width).toBe([...s].reduce((w, ch) => w + measure(ch), 0));
        if (i > 0) expect(CLOSING.includes(s[0] ?? ''), `${JSON.stringify(strings)} line ${i}`).toBe(false);
        expect(OPENING.includes(s.at(-1) ?? ''), `${JSON.stringify(strings)} line ${i}`).toBe(false);
      }
      for (const word of ['1.5GHz', 'x-ray', '10%', '１２']) {
        const whole = text.split(word).length;
        expect(strings.join('\n').split(word).length, `${word} split in ${JSON.stringify(strings)}`).toBe(whole);
      }
      expect(strings.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
    }
  });
});
