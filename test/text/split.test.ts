/**
 * Tests for src/text/split.ts: whitespace and character splits as Keras, and
 * word segmentation of scripts written without spaces. The 'word' split skips
 * ICU for simple chunks and windows long ones; both shortcuts are checked
 * against one plain Intl.Segmenter call.
 */
import { describe, expect, it } from 'vitest';
import { resolveSplit, splitCharacters, splitNone, splitWhitespace, splitWords } from '../../src/text/split.js';
import { expectError } from './expect_error.js';

const segmenter = new Intl.Segmenter('en', { granularity: 'word' });
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
/** The reference: one segment() call over the whole string. */
function reference(text: string): string[] {
  return [...segmenter.segment(text)].filter((s) => s.isWordLike || EMOJI.test(s.segment)).map((s) => s.segment);
}

describe('whitespace', () => {
  it('splits on any Unicode whitespace and drops empties', () => {
    expect(splitWhitespace('  a\tb\nc\u3000d\u00a0e  ')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(splitWhitespace('')).toEqual([]);
    expect(splitWhitespace(' \n ')).toEqual([]);
  });

  it('keeps an emoji glued to a word, as Keras', () => {
    expect(splitWhitespace('great😀 👍🏽')).toEqual(['great😀', '👍🏽']);
  });
});

describe('character', () => {
  it('gives code points, spaces included (Keras unicode_split)', () => {
    expect(splitCharacters('a b')).toEqual(['a', ' ', 'b']);
    // An astral character is one token, not two UTF-16 halves.
    expect(splitCharacters('x😀')).toEqual(['x', '😀']);
  });
});

describe('word', () => {
  it('segments Chinese into several words', () => {
    const t = splitWords('我们今天去北京大学学习');
    expect(t.length).toBeGreaterThanOrEqual(4);
    expect(t.join('')).toBe('我们今天去北京大学学习');
    expect(t).toContain('我们');
  });

  it('segments Japanese into several words', () => {
    const t = splitWords('私は東京に住んでいます');
    expect(t.length).toBeGreaterThanOrEqual(4);
    expect(t).toContain('東京');
  });

  it('segments Thai into several words', () => {
    const t = splitWords('ภาษาไทยง่ายนิดเดียว');
    expect(t.length).toBeGreaterThanOrEqual(3);
    expect(t).toContain('ไทย');
  });

  it('drops spaces and punctuation, keeps emoji as whole graphemes', () => {
    expect(splitWords('Hello, world! 😀😀 👍🏽 👨‍👩‍👧 great😀')).toEqual(['Hello', 'world', '😀', '😀', '👍🏽', '👨‍👩‍👧', 'great', '😀']);
  });

  it('matches one Intl.Segmenter call on punctuated ASCII (the shortcut)', () => {
    const text = "(ok?) Hello, it's 3.14 o'clock; e-mail me@example.com _under_score #tag 1,000.5 a:b 'quoted'";
    expect(splitWords(text)).toEqual(reference(text));
  });

  it('matches one Intl.Segmenter call on long text without spaces (the window)', () => {
    const zh =
      '自然语言处理是计算机科学领域与人工智能领域中的一个重要方向。它研究能实现人与计算机之间用自然语言进行有效通信的各种理论和方法。'.repeat(
        12,
      );
    const th = 'ภาษาไทยเป็นภาษาที่มีระดับเสียงของคำแน่นอนหรือวรรณยุกต์เช่นเดียวกับภาษาจีน'.repeat(12);
    const glued = "don't-stop_believin'3.14#hash".repeat(40);
    for (const text of [zh, th, glued]) {
      expect(text.length).toBeGreaterThan(512); // several windows
      expect(splitWords(text)).toEqual(reference(text));
    }
  });

  it('keeps a single word longer than the window whole', () => {
    const long = 'x'.repeat(300) + 'é' + 'y'.repeat(300); // not the ASCII shortcut
    expect(splitWords(long)).toEqual([long]);
  });
});

describe('resolveSplit', () => {
  it('maps names, null and functions', () => {
    expect(resolveSplit('t', 'whitespace')).toBe(splitWhitespace);
    expect(resolveSplit('t', null)).toBe(splitNone);
    expect(splitNone('a b')).toEqual(['a b']);
    expect(splitNone('')).toEqual([]);
    expectError(() => resolveSplit('t', 'words'), 'E_ARG', /split must be one of 'whitespace', 'character', 'word'/);
  });
});
