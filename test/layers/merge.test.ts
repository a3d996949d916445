/**
 * Merge, reshape and wrapper layers: float64 finite-difference gradient
 * checks on the twin (every weight and every float input, through graphs
 * with several inputs), the forward math against a direct computation, and
 * the mask rules.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backend/load.js';
import { Tensor, input, layers, model, tensor } from '../../src/index.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';

afterAll(() => setBackend(null as never));

const rand = (shape: number[], seed: number) =>
  new Tensor(
    randomArray(
      new Rng(seed),
      shape.reduce((a, b) => a * b, 1),
      -1,
      1,
    ),
    shape,
  );

describe('merge layers: gradients (float64 twin)', () => {
  for (const op of ['add', 'subtract', 'multiply', 'average'] as const) {
    it(`${op} of two dense branches and the raw inputs`, () => {
      useFloat64Twin();
      const a = input({ shape: [3] });
      const b = input({ shape: [3] });
      const da = layers.dense({ units: 4, activation: 'tanh' }).apply(a) as never;
      const db = layers.dense({ units: 4 }).apply(b) as never;
      const y = layers[op]().apply([da, db]);
      const m = model({ inputs: [a, b], outputs: y as never, seed: 2 });
      gradCheck(m, [rand([2, 3], 1), rand([2, 3], 2)]);
    });
  }

  it('add and multiply of three inputs (one used twice)', () => {
    useFloat64Twin();
    const a = input({ shape: [2, 3] });
    const b = input({ shape: [2, 3] });
    const s = layers.add().apply([a, b, a]);
    const p = layers.multiply().apply([a, b, s as never]);
    const m = model({ inputs: [a, b], outputs: layers.dense({ units: 2 }).apply(p), seed: 3 });
    gradCheck(m, [rand([2, 2, 3], 4), rand([2, 2, 3], 5)]);
  });

  for (const axis of [-1, 1, 2]) {
    it(`concatenate on axis ${axis} (sequences of (T, F))`, () => {
      useFloat64Twin();
      const a = input({ shape: [3, 2] });
      const b = input({ shape: [3, 2] });
      const ra = layers.simpleRNN({ units: 2, returnSequences: true }).apply(a);
      const y = layers.concatenate({ axis }).apply([ra as never, b]);
      const m = model({ inputs: [a, b], outputs: layers.dense({ units: 3 }).apply(y), seed: 4 });
      gradCheck(m, [rand([2, 3, 2], 6), rand([2, 3, 2], 7)]);
    });
  }

  it('repeatVector, timeDistributed(dense), flatten, reshape, activation', () => {
    useFloat64Twin();
    const x = input({ shape: [4] });
    const r = layers.repeatVector({ n: 3 }).apply(x);
    const t = layers.timeDistributed({ layer: layers.dense({ units: 2, activation: 'sigmoid' }) }).apply(r);
    const f = layers.flatten().apply(t);
    const rs = layers.reshape({ targetShape: [2, -1] }).apply(f);
    const act = layers.activation({ activation: 'softmax' }).apply(rs);
    const m = model({ inputs: x, outputs: act as never, seed: 5 });
    expect((m.outputs[0] as { shape: unknown }).shape).toEqual([null, 2, 3]);
    gradCheck(m, rand([3, 4], 8));
  });
});

describe('merge layers: values', () => {
  it('compute what they say, on the wasm build', async () => {
    const { createBackend } = await import('../../src/backend/load.js');
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const a = input({ shape: [2] });
    const b = input({ shape: [2] });
    const outs = [layers.add(), layers.subtract(), layers.multiply(), layers.average()].map((l) => l.apply([a, b]));
    const c = layers.concatenate().apply([a, b]);
    const m = model({ inputs: [a, b], outputs: [...outs, c] });
    const xa = tensor([
      [1, 2],
      [3, -4],
    ]);
    const xb = tensor([
      [10, 20],
      [0.5, 2],
    ]);
    const [add, sub, mul, ave, cat] = m.predict([xa, xb]) as Tensor[];
    expect(Array.from(add.data)).toEqual([11, 22, 3.5, -2]);
    expect(Array.from(sub.data)).toEqual([-9, -18, 2.5, -6]);
    expect(Array.from(mul.data)).toEqual([10, 40, 1.5, -8]);
    expectClose(ave.data, [5.5, 11, 1.75, -1]);
    expect(Array.from(cat.data)).toEqual([1, 2, 10, 20, 3, -4, 0.5, 2]);
    expect(cat.shape).toEqual([2, 4]);
  });

  it('masks: a feature-axis merge keeps the product of the masks; a time-axis concatenate joins them', async () => {
    const { createBackend } = await import('../../src/backend/load.js');
    setBackend(await createBackend({ backend: 'js' }));
    const a = input({ shape: [null], dtype: 'int32' });
    const b = input({ shape: [null], dtype: 'int32' });
    const ea = layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(a);
    const eb = layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(b);
    // a recurrent layer after the merge skips masked steps: with returnSequences the output repeats there
    const rsum = layers.simpleRNN({ units: 1, returnSequences: true }).apply(layers.add().apply([ea as never, eb as never]));
    const rcat = layers
      .simpleRNN({ units: 1, returnSequences: true })
      .apply(layers.concatenate({ axis: 1 }).apply([ea as never, eb as never]));
    const m = model({ inputs: [a, b], outputs: [rsum, rcat], seed: 1 });
    const ids = (rows: number[][]) => new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);
    const [s, c] = m.predict([ids([[1, 2, 3]]), ids([[4, 0, 1]])]) as Tensor[];
    // step 1 of the sum is masked (b's id 0): the output repeats step 0's
    expect(s.data[1]).toBe(s.data[0]);
    expect(s.data[2]).not.toBe(s.data[1]);
    // the joined sequence is 6 steps; step 4 (b's id 0) is masked
    expect(c.shape).toEqual([1, 6, 1]);
    expect(c.data[4]).toBe(c.data[3]);
    expect(c.data[5]).not.toBe(c.data[4]);
  });
});

describe('merge layers: bad input at build time', () => {
  it('names the layer and the shapes', () => {
    const a = input({ shape: [3] });
    const b = input({ shape: [4] });
    expect(() => layers.add().apply([a, b])).toThrow(
      /add_\d+: Add needs inputs of one shape; input 0 is \(batch, 3\), input 1 is \(batch, 4\)/,
    );
    expect(() => layers.subtract().apply([a, a, a])).toThrow(/Subtract takes 2 inputs, got 3/);
    expect(() => layers.concatenate().apply(a)).toThrow(/Concatenate takes 2 to 64 inputs, got 1/);
    expect(() => layers.concatenate({ axis: 0 })).toThrow(/axis must be a non-zero integer/);
    expect(() => layers.concatenate({ axis: 3 }).apply([a, b])).toThrow(/axis 3 is out of range/);
    expect(() => layers.flatten().apply(input({ shape: [null, 4] }))).toThrow(/Flatten needs every dimension known/);
    expect(() => layers.reshape({ targetShape: [5] }).apply(a)).toThrow(/cannot reshape \(batch, 3\)/);
    expect(() => layers.reshape({ targetShape: [-1, -1] })).toThrow(/at most one -1/);
    expect(() => layers.repeatVector({ n: 2 }).apply(input({ shape: [2, 3] }))).toThrow(
      /RepeatVector expects float input of shape \(batch, features\)/,
    );
    expect(() => layers.activation({} as never)).toThrow(/activation is required/);
    expect(() => layers.timeDistributed({ layer: layers.dense({ units: 2 }) }).apply(a)).toThrow(
      /TimeDistributed expects input of shape \(batch, timesteps, \.\.\.\)/,
    );
    // a layer of several inputs cannot be fed one step at a time
    for (const [layer, cls] of [
      [layers.multiHeadAttention({ numHeads: 2 }), 'MultiHeadAttention'],
      [layers.dot({ axes: 1 }), 'Dot'],
      [layers.add(), 'Add'],
      [layers.attention(), 'Attention'],
    ] as const) {
      expect(() => layers.timeDistributed({ layer })).toThrow(
        new RegExp(`layers.timeDistributed: layer '\\w+' \\(${cls}\\) takes several inputs`),
      );
    }
  });
});
