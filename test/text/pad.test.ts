/** Tests for src/text/pad.ts: Keras pad_sequences results (from its documentation) and checks. */
import { describe, expect, it } from 'vitest';
import { padSequences } from '../../src/text/index.js';
import { expectError } from './expect_error.js';

const seqs = [[1], [2, 3], [4, 5, 6]];

describe('padSequences', () => {
  it('defaults: pre-padding with 0 to the longest, int32', () => {
    const x = padSequences(seqs);
    expect(x.dtype).toBe('int32');
    expect(x.shape).toEqual([3, 3]);
    expect(x.toArray()).toEqual([
      [0, 0, 1],
      [0, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('value and post padding', () => {
    expect(padSequences(seqs, { value: -1 }).toArray()).toEqual([
      [-1, -1, 1],
      [-1, 2, 3],
      [4, 5, 6],
    ]);
    expect(padSequences(seqs, { padding: 'post' }).toArray()).toEqual([
      [1, 0, 0],
      [2, 3, 0],
      [4, 5, 6],
    ]);
  });

  it('maxLen truncates at the start by default, at the end with post', () => {
    expect(padSequences(seqs, { maxLen: 2 }).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [5, 6],
    ]);
    expect(padSequences(seqs, { maxLen: 2, truncating: 'post' }).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(padSequences(seqs, { maxLen: 0 }).shape).toEqual([3, 0]);
  });

  it('float32 when value is fractional or asked for', () => {
    const x = padSequences([[1, 2], [3]], { value: 0.5 });
    expect(x.dtype).toBe('float32');
    expect(x.toArray()).toEqual([
      [1, 2],
      [0.5, 3],
    ]);
    const f = padSequences([[0.25]], { dtype: 'float32', maxLen: 2 });
    expect(f.toArray()).toEqual([[0, 0.25]]);
  });

  it('takes typed arrays and empty input', () => {
    expect(padSequences([Int32Array.of(7, 8), []], { padding: 'post' }).toArray()).toEqual([
      [7, 8],
      [0, 0],
    ]);
    expect(padSequences([]).shape).toEqual([0, 0]);
  });

  it('rejects bad input, naming it', () => {
    expectError(() => padSequences(seqs, { maxlen: 2 } as never), 'E_ARG', /unknown option 'maxlen'/);
    expectError(() => padSequences(seqs, { maxLen: -1 }), 'E_ARG', /maxLen must be an integer >= 0/);
    expectError(() => padSequences(seqs, { padding: 'both' as never }), 'E_ARG', /padding must be one of 'pre', 'post'/);
    expectError(
      () => padSequences([[1, 2.5]]),
      'E_ARG',
      /sequences\[0\]\[1\] must be an integer in int32 range \(dtype 'int32'\), got 2\.5/,
    );
    expectError(() => padSequences([[1], [2 ** 31]]), 'E_ARG', /sequences\[1\]\[0\] must be an integer in int32 range/);
    expectError(() => padSequences([[1], 5] as never), 'E_ARG', /sequences\[1\] must be an array of numbers/);
    expectError(() => padSequences([[1]], { value: 0.5, dtype: 'int32' }), 'E_ARG', /value 0\.5 does not fit dtype 'int32'/);
    expectError(() => padSequences([[NaN]], { dtype: 'float32' }), 'E_ARG', /must be a finite number/);
    expectError(() => padSequences('abc' as never), 'E_ARG', /sequences must be an array/);
  });
});
