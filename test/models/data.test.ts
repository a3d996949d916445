/**
 * src/models/data.ts (toData): what fit / predict / evaluate accept as data.
 * TF.js tensors go in as they are and give the same results as our own
 * tensors; text (a string, arrays of strings, a TF.js string tensor) is
 * refused with the two calls that turn it into ids.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, layers, tensor } from '../../src/index.js';
import { expectError } from '../text/expect_error.js';

beforeAll(async () => setBackend(await createBackend({ backend: 'wasm-simd' })));

function classifier() {
  const m = new Sequential({
    seed: 3,
    layers: [
      layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true }),
      layers.lstm({ units: 4 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

const X = [
  [1, 2, 3],
  [4, 5, 0],
  [7, 8, 9],
  [2, 2, 0],
];
const Y = [[1], [0], [1], [0]];

describe('TF.js tensors in fit, predict and evaluate', () => {
  it('train and predict exactly as our tensors do', async () => {
    const ours = classifier();
    const theirs = classifier();
    const h1 = await ours.fit(tensor(X, undefined, 'int32'), tensor(Y), { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    const h2 = await theirs.fit(tf.tensor2d(X, undefined, 'int32'), tf.tensor2d(Y), {
      epochs: 2,
      batchSize: 2,
      shuffle: false,
      verbose: 0,
    });
    expect(h2.history.loss).toEqual(h1.history.loss);
    const p1 = ours.predict(tensor(X, undefined, 'int32')) as { data: Float32Array };
    const p2 = theirs.predict(tf.tensor2d(X)) as { data: Float32Array };
    expect(Array.from(p2.data)).toEqual(Array.from(p1.data));
    expect(theirs.evaluate(tf.tensor2d(X), tf.tensor2d(Y)).loss).toBe(ours.evaluate(tensor(X), tensor(Y)).loss);
    ours.dispose();
    theirs.dispose();
  });
});

describe('text where ids belong', () => {
  it('says to use classify() or vectorizer.transform()', async () => {
    const m = classifier();
    const advice = /x is not a tensor but text .*use model\.classify\(texts\), or turn texts into ids with vectorizer\.transform\(texts\)/;
    expectError(() => m.predict(['free money', 'hello'] as never), 'E_ARG', new RegExp(`^predict: ${advice.source}`));
    expectError(() => m.predict('free money' as never), 'E_ARG', advice);
    expectError(() => m.predict([['free', 'money']] as never), 'E_ARG', advice);
    expectError(() => m.evaluate(['a'] as never, tensor([[1]])), 'E_ARG', advice);
    expectError(() => m.predict(tf.tensor1d(['a'], 'string') as never), 'E_ARG', advice);
    await expect(m.fit(['a', 'b'] as never, tensor([[1], [0]]))).rejects.toThrow(advice);
    m.dispose();
  });
});
