/**
 * The Maximum merge (Keras): values, the tie rule (the earliest input holds
 * a tied element and gets its whole gradient), float64 finite-difference
 * gradients through several inputs, and every backend.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
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

describe('maximum', () => {
  it('gradients of two dense branches and of three sequence inputs (float64 twin)', () => {
    useFloat64Twin();
    const a = input({ shape: [3] });
    const b = input({ shape: [3] });
    const y = layers.maximum().apply([layers.dense({ units: 4, activation: 'tanh' }).apply(a), layers.dense({ units: 4 }).apply(b)]);
    gradCheck(model({ inputs: [a, b], outputs: y, seed: 2 }), [rand([2, 3], 1), rand([2, 3], 2)]);
    const p = input({ shape: [2, 5] });
    const q = input({ shape: [2, 5] });
    const r = input({ shape: [2, 5] });
    const m = model({ inputs: [p, q, r], outputs: layers.dense({ units: 2 }).apply(layers.maximum().apply([p, q, r])), seed: 3 });
    gradCheck(m, [rand([3, 2, 5], 3), rand([3, 2, 5], 4), rand([3, 2, 5], 5)]);
  });

  it("values and ties on every backend: the earliest input gets a tied element's gradient", async () => {
    for (const backend of ['js', 'wasm-simd', 'wasm-relaxed-simd'] as const) {
      setBackend(await createBackend({ backend }));
      const a = input({ shape: [5] });
      const b = input({ shape: [5] });
      const c = input({ shape: [5] });
      const m = model({ inputs: [a, b, c], outputs: layers.maximum().apply([a, b, c]) });
      const xa = tensor([[1, 5, 2, 2, -1]]);
      const xb = tensor([[3, 5, 2, 0, -4]]);
      const xc = tensor([[3, 1, 7, 2, -2]]);
      expect(Array.from((m.predict([xa, xb, xc]) as Tensor).data), backend).toEqual([3, 5, 7, 2, -1]);
      const g = m.gradients([xa, xb, xc], tensor([[10, 20, 30, 40, 50]]));
      const [ga, gb, gc] = g.inputs!.map((t) => Array.from(t!.data));
      expect(ga, backend).toEqual([0, 20, 0, 40, 50]);
      expect(gb, backend).toEqual([10, 0, 0, 0, 0]);
      expect(gc, backend).toEqual([0, 0, 30, 0, 0]);
    }
  });

  it('the twin and the wasm builds agree on lane tails, with a mask flowing through', async () => {
    const out: Float32Array[] = [];
    for (const backend of ['js', 'wasm-simd', 'wasm-relaxed-simd'] as const) {
      setBackend(await createBackend({ backend }));
      const a = input({ shape: [null], dtype: 'int32' });
      const ea = layers.embedding({ inputDim: 9, outputDim: 7, maskZero: true }).apply(a);
      const eb = layers.embedding({ inputDim: 9, outputDim: 7 }).apply(a);
      const y = layers.globalAveragePooling1d().apply(layers.maximum().apply([ea, eb]));
      const m = model({ inputs: a, outputs: y, seed: 4 });
      out.push((m.predict(new Tensor(Int32Array.from([3, 0, 5, 8, 0, 2]), [2, 3])) as Tensor).data as Float32Array);
    }
    expectClose(out[1], out[0]);
    expectClose(out[2], out[0]);
  });

  it('bad input at build time', () => {
    expect(() => layers.maximum().apply([input({ shape: [3] }), input({ shape: [4] })])).toThrow(/Maximum needs inputs of one shape/);
    expect(() => layers.maximum().apply(input({ shape: [3] }))).toThrow(/Maximum takes 2 to 64 inputs, got 1/);
  });
});
