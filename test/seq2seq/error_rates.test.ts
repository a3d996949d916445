/** Edit distance and the token / sequence error rates (PER and WER in grapheme-to-phoneme). */
import { describe, expect, it } from 'vitest';
import { WasmRnnError, editDistance, errorRates } from '../../src/index.js';

describe('editDistance', () => {
  it("is Levenshtein's: known pairs, symmetric, zero only for equal sequences", () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('sitting', 'kitten')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance(['HH', 'AH', 'L', 'OW'], ['HH', 'EH', 'L', 'OW'])).toBe(1);
    expect(editDistance(['HH', 'AH', 'L', 'OW'], ['HH', 'AH', 'L', 'OW'])).toBe(0);
  });
});

describe('errorRates', () => {
  it('token errors over reference tokens, and the share of sequences with any error', () => {
    const r = errorRates([['K', 'AE', 'T'], ['D', 'AO', 'G'], ['AH']], [['K', 'AE', 'T'], ['D', 'AA', 'G', 'Z'], []]);
    expect(r.edits).toBe(3); // a substitution and an insertion, then a deletion
    expect(r.referenceTokens).toBe(7);
    expect(r.tokenErrorRate).toBeCloseTo(3 / 7, 12);
    expect(r.wrongSequences).toBe(2);
    expect(r.sequenceErrorRate).toBeCloseTo(2 / 3, 12);
  });

  it('refuses mismatched or empty inputs', () => {
    expect(() => errorRates([[1]], [])).toThrow(WasmRnnError);
    expect(() => errorRates([], [])).toThrow(/at least one/);
    expect(() => errorRates([[]], [[1]])).toThrow(/every reference is empty/);
  });
});
