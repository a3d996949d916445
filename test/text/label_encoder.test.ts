/** Tests for src/text/label_encoder.ts: sklearn's sorted classes, round trips and bad input. */
import { describe, expect, it } from 'vitest';
import { LabelEncoder } from '../../src/text/index.js';
import { compareCodePoints } from '../../src/text/label_encoder.js';
import { tensor } from '../../src/tensor.js';
import { expectError } from './expect_error.js';

describe('LabelEncoder', () => {
  it('sorts classes like sklearn, whatever the data order', () => {
    const enc = new LabelEncoder().fit(['spam', 'ham', 'spam', 'eggs']);
    expect(enc.classes).toEqual(['eggs', 'ham', 'spam']);
    expect(enc.numClasses).toBe(3);
    expect(Array.from(enc.transform(['spam', 'eggs', 'ham']))).toEqual([2, 0, 1]);
    expect(new LabelEncoder().fit(['ham', 'eggs', 'spam']).classes).toEqual(enc.classes);
  });

  it('sorts numbers numerically (not as strings)', () => {
    const enc = new LabelEncoder().fit([10, 2, 1, 2]);
    expect(enc.classes).toEqual([1, 2, 10]);
    expect(Array.from(enc.fitTransform([10, 1]))).toEqual([1, 0]);
  });

  it('sorts strings by code point, as Python (not UTF-16 units)', () => {
    // U+FF5E (fullwidth tilde) < U+1F600 (emoji) by code point; UTF-16 order says the opposite.
    const a = '\uff5e';
    const b = '😀';
    expect([b, a].sort()).toEqual([b, a]); // JS default: by UTF-16 units
    expect(new LabelEncoder().fit([b, a]).classes).toEqual([a, b]);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('a😀', 'a😀')).toBe(0);
  });

  it('inverseTransform takes arrays, typed arrays and tensor data', () => {
    const enc = new LabelEncoder().fit(['neg', 'pos']);
    const ids = enc.transform(['pos', 'neg', 'pos']);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(enc.inverseTransform(ids)).toEqual(['pos', 'neg', 'pos']);
    expect(enc.inverseTransform(tensor(ids).data)).toEqual(['pos', 'neg', 'pos']);
    expect(enc.inverseTransform([0])).toEqual(['neg']);
  });

  it('round-trips through JSON with the same ids', () => {
    const enc = new LabelEncoder().fit(['b', 'a', 'c']);
    const back = LabelEncoder.fromJSON(JSON.stringify(enc));
    expect(back.classes).toEqual(enc.classes);
    expect(Array.from(back.transform(['c', 'a']))).toEqual([2, 0]);
  });

  it('rejects bad input, naming it', () => {
    const enc = new LabelEncoder().fit(['a', 'b']);
    expectError(() => new LabelEncoder().transform(['a']), 'E_STATE', /call fit\(labels\) first/);
    expectError(() => new LabelEncoder().fit([]), 'E_ARG', /labels is empty/);
    expectError(() => new LabelEncoder().fit(['a', 1]), 'E_ARG', /labels\[1\] must be a string, as labels\[0\], got 1/);
    expectError(() => new LabelEncoder().fit([1, NaN]), 'E_ARG', /labels\[1\] must be a finite number/);
    expectError(() => new LabelEncoder().fit([null] as never), 'E_ARG', /labels\[0\] must be a string or a finite number/);
    expectError(() => enc.transform(['a', 'z']), 'E_ARG', /labels\[1\] = "z" was not seen by fit \(classes: "a", "b"\)/);
    expectError(() => enc.inverseTransform([0, 2]), 'E_ARG', /ids\[1\] must be an integer in \[0, 1\], got 2/);
    expectError(() => enc.inverseTransform([0.5]), 'E_ARG', /ids\[0\] must be an integer/);
    expectError(
      () => LabelEncoder.fromJSON({ format: 'wasm-rnn.LabelEncoder', version: 1, classes: ['a', 'a'] }),
      'E_FORMAT',
      /classes repeats a label/,
    );
    expectError(
      () => LabelEncoder.fromJSON({ format: 'wasm-rnn.LabelEncoder', version: 1, classes: ['a', 2] }),
      'E_FORMAT',
      /classes is invalid: .*labels\[1\]/,
    );
    expectError(() => LabelEncoder.fromJSON({ format: 'wasm-rnn.LabelEncoder', version: 1 }), 'E_FORMAT', /missing the field 'classes'/);
  });

  it('a failed fit keeps the previous classes', () => {
    const enc = new LabelEncoder().fit(['x']);
    expectError(() => enc.fit(['y', 2] as never), 'E_ARG', /labels\[1\]/);
    expect(enc.classes).toEqual(['x']);
  });
});
