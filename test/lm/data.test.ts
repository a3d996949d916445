/** Next-token pairs: windows, and stateful batches whose rows continue across batches. */
import { describe, expect, it } from 'vitest';
import { lmWindows, statefulBatches, lmVocabulary, encodeText, decodeIds, wordsAndPunctuation } from '../../src/index.js';

const ids = Int32Array.from({ length: 23 }, (_, i) => i + 2);

describe('lmWindows', () => {
  it('x = ids[s..s+T), y = the same shifted by one', () => {
    const { x, y } = lmWindows(ids, { length: 5 });
    expect(x.shape).toEqual([4, 5]);
    expect(Array.from(x.data.subarray(5, 10))).toEqual([7, 8, 9, 10, 11]);
    expect(Array.from(y.data.subarray(5, 10))).toEqual([8, 9, 10, 11, 12]);
    expect(lmWindows(ids, { length: 5, stride: 1 }).x.shape).toEqual([18, 5]);
    expect(() => lmWindows(ids.subarray(0, 5), { length: 5 })).toThrow(/at least 6/);
  });
});

describe('statefulBatches', () => {
  it('row b of batch k+1 continues row b of batch k; targets are the next tokens', () => {
    const B = 2;
    const T = 4;
    const s = statefulBatches(ids, { batchSize: B, length: T });
    // L = floor(22 / 2) = 11 tokens per stream, K = floor(11 / 4) = 2 batches
    expect(s.batches).toBe(2);
    expect(s.x.shape).toEqual([4, 4]);
    const row = (k: number, b: number, t = s.x) => Array.from(t.data.subarray((k * B + b) * T, (k * B + b + 1) * T));
    expect(row(0, 0)).toEqual([2, 3, 4, 5]);
    expect(row(1, 0)).toEqual([6, 7, 8, 9]); // continues stream 0
    expect(row(0, 1)).toEqual([13, 14, 15, 16]); // stream 1 starts at 11
    expect(row(1, 1)).toEqual([17, 18, 19, 20]);
    expect(row(1, 1, s.y)).toEqual([18, 19, 20, 21]);
    expect(() => statefulBatches(ids, { batchSize: 8, length: 4 })).toThrow(/at least 33/);
  });
});

describe('tokens', () => {
  it('characters: every code point, case and spacing kept, round trip', () => {
    const text = 'The jury said, "No!"\nCafé 😀';
    const vec = lmVocabulary(text);
    const enc = encodeText(vec, text);
    expect(enc.length).toBe(Array.from(text).length);
    expect(decodeIds(vec, enc)).toBe(text);
    expect(decodeIds(vec, encodeText(vec, 'Tqx'))).toBe('T[UNK][UNK]'); // unseen characters are OOV
  });

  it('words: lower-cased words and punctuation marks, spacing restored', () => {
    expect(wordsAndPunctuation("Atlanta's jury (said): don't go.")).toEqual([
      "Atlanta's",
      'jury',
      '(',
      'said',
      ')',
      ':',
      "don't",
      'go',
      '.',
    ]);
    const vec = lmVocabulary('The jury said, no. The jury went (home).', { level: 'word' });
    const enc = encodeText(vec, 'the jury went, home.');
    expect(enc.length).toBe(6);
    expect(decodeIds(vec, enc)).toBe('the jury went, home.');
    expect(decodeIds(vec, encodeText(vec, 'The (jury) said'))).toBe('the (jury) said');
  });
});
