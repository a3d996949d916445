/**
 * src/tensor.ts: tensor() takes TF.js tensors (and anything with shape and
 * dataSync()), copying their values; a Tensor answers TF.js's dataSync() and
 * arraySync(); strings and unsupported dtypes are refused with what to do.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Tensor, tensor } from '../src/tensor.js';
import { expectError } from './text/expect_error.js';

describe('tensor() from TF.js tensors', () => {
  it('copies shape, values and dtype (float32, int32, bool)', () => {
    const f = tf.tensor2d([
      [1.5, 2],
      [3, 4],
    ]);
    const t = tensor(f);
    expect(t).toBeInstanceOf(Tensor);
    expect(t.shape).toEqual([2, 2]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([1.5, 2, 3, 4]);
    const ids = tensor(
      tf.tensor2d(
        [
          [3, 1],
          [0, 2],
        ],
        [2, 2],
        'int32',
      ),
    );
    expect(ids.dtype).toBe('int32');
    expect(Array.from(ids.data)).toEqual([3, 1, 0, 2]);
    const b = tensor(tf.tensor1d([true, false, true], 'bool'));
    expect(b.dtype).toBe('float32');
    expect(Array.from(b.data)).toEqual([1, 0, 1]);
    // a copy: changing ours leaves TF.js's alone
    (t.data as Float32Array)[0] = 99;
    expect(f.dataSync()[0]).toBe(1.5);
    tf.dispose([f]);
  });

  it('takes a dtype and checks a given shape', () => {
    expect(tensor(tf.tensor1d([1, 2]), undefined, 'int32').dtype).toBe('int32');
    expectError(() => tensor(tf.tensor1d([1.5]), undefined, 'int32'), 'E_ARG', /value 1\.5 at index 0 is not an integer/);
    expectError(() => tensor(tf.tensor1d([1, 2]), [2, 1]), 'E_SHAPE', /shape \[2, 1\] does not match the TF\.js tensor's \[2\]/);
  });

  it('accepts any { shape, dataSync() } and a Tensor of another wasm-rnn copy', () => {
    const like = { shape: [1, 3], dataSync: () => new Float32Array([1, 2, 3]) };
    expect(tensor(like).toArray()).toEqual([[1, 2, 3]]);
    const other = {
      shape: [2],
      dtype: 'int32',
      data: new Int32Array([4, 5]),
      dataSync() {
        return this.data;
      },
    };
    expect(tensor(other).dtype).toBe('int32');
  });

  it('refuses text and complex numbers, saying what to do', () => {
    expectError(() => tensor(tf.tensor1d(['a', 'b'], 'string')), 'E_ARG', /string tensor holds text.*vectorizer\.transform\(texts\)/);
    expectError(() => tensor(tf.complex([1], [2])), 'E_ARG', /complex64 .*tf\.real\(t\) or t\.arraySync\(\)/);
    expectError(() => tensor({ shape: [1], dataSync: () => [{}] } as never), 'E_ARG', /not a number; call \.arraySync\(\)/);
    expectError(() => tensor({ shape: [1] } as never), 'E_ARG', /a Tensor or a TF\.js tensor \(shape and dataSync\(\)\)/);
  });
});

describe('TF.js names on Tensor', () => {
  it('dataSync() is the data, arraySync() the nested arrays', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(t.dataSync()).toBe(t.data);
    expect(t.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
