/** Tests for src/text/ngrams.ts: Keras's order (all 1-grams, then 2-grams ...) and option checks. */
import { describe, expect, it } from 'vitest';
import { ngrams, resolveNgrams } from '../../src/text/ngrams.js';
import { expectError } from './expect_error.js';

describe('ngrams', () => {
  it('lists every width in turn, joined by a space', () => {
    expect(ngrams(['a', 'b', 'c'], [1, 2])).toEqual(['a', 'b', 'c', 'a b', 'b c']);
    expect(ngrams(['a', 'b', 'c'], [1, 2, 3])).toEqual(['a', 'b', 'c', 'a b', 'b c', 'a b c']);
    expect(ngrams(['a', 'b', 'c'], [2])).toEqual(['a b', 'b c']);
  });

  it('gives nothing for a width longer than the text', () => {
    expect(ngrams(['a'], [1, 2, 3])).toEqual(['a']);
    expect(ngrams([], [1, 2])).toEqual([]);
  });

  it('resolves n to 1..n, an array as given, 1 and null to no-op', () => {
    expect(resolveNgrams('t', 3)).toEqual([1, 2, 3]);
    expect(resolveNgrams('t', [2, 3])).toEqual([2, 3]);
    expect(resolveNgrams('t', 1)).toBeNull();
    expect(resolveNgrams('t', null)).toBeNull();
    expectError(() => resolveNgrams('t', 0), 'E_ARG', /ngrams must be/);
    expectError(() => resolveNgrams('t', 2.5), 'E_ARG', /ngrams must be/);
    expectError(() => resolveNgrams('t', []), 'E_ARG', /ngrams must be/);
    expectError(() => resolveNgrams('t', [2, 2]), 'E_ARG', /repeats a width/);
  });
});
