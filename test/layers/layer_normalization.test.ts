/**
 * LayerNormalization: float64 finite-difference checks of gamma, beta and
 * the input on the twin (with and without center / scale, on vectors and
 * sequences); the forward on every backend against a direct float64
 * computation; the mask passing through; bad options. TF.js parity
 * (predictions and one SGD step) is in test/io/tfjs_attention.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, input, layers, model } from '../../src/index.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';

afterAll(() => setBackend(null as never));

const rand = (shape: number[], seed: number, lo = -2, hi = 2) =>
  new Tensor(
    randomArray(
      new Rng(seed),
      shape.reduce((a, b) => a * b, 1),
      lo,
      hi,
    ),
    shape,
  );

describe('LayerNormalization: gradients (float64 twin)', () => {
  for (const [center, scale] of [
    [true, true],
    [false, true],
    [true, false],
    [false, false],
  ]) {
    for (const shape of [[7], [4, 9]]) {
      it(`center ${center}, scale ${scale}, input (batch, ${shape.join(', ')})`, () => {
        useFloat64Twin();
        const x = input({ shape });
        const ln = layers.layerNormalization({ center, scale, epsilon: 1e-2 });
        // a Dense after it, so gamma and beta meet different gradients per feature
        const m = model({ inputs: x, outputs: layers.dense({ units: 3 }).apply(ln.apply(x)), seed: 2 });
        m.build();
        if (center || scale) ln.setWeights(ln.getWeights().map((w, i) => rand([...w.shape], 10 + i, 0.5, 1.5)));
        gradCheck(m, rand([3, ...shape], 1));
      });
    }
  }
});

describe('LayerNormalization: forward', () => {
  it('matches (x − μ)/√(σ² + ε)·γ + β in float64 on every backend, and passes the mask on', async () => {
    const C = 13;
    const x = rand([5, 3, C], 3, -4, 4);
    const gamma = rand([C], 4, 0.5, 1.5);
    const beta = rand([C], 5);
    const want = new Float64Array(x.size);
    for (let r = 0; r < 15; r++) {
      let mu = 0;
      for (let j = 0; j < C; j++) mu += x.data[r * C + j] / C;
      let v = 0;
      for (let j = 0; j < C; j++) v += (x.data[r * C + j] - mu) ** 2 / C;
      for (let j = 0; j < C; j++) want[r * C + j] = ((x.data[r * C + j] - mu) / Math.sqrt(v + 1e-3)) * gamma.data[j] + beta.data[j];
    }
    for (const backend of ['js', 'wasm-simd', 'wasm-relaxed-simd'] as const) {
      let be;
      try {
        be = await createBackend({ backend });
      } catch {
        continue;
      }
      setBackend(be);
      const i = input({ shape: [3, C] });
      const ln = layers.layerNormalization();
      const m = model({ inputs: i, outputs: ln.apply(i) });
      m.build();
      ln.setWeights([gamma, beta]);
      expectClose((m.predict(x) as Tensor).data, want, { atol: 2e-6, rtol: 1e-5, label: backend });
    }
    // the mask: a recurrent layer after it repeats its output at the masked step
    const ids = input({ shape: [3], dtype: 'int32' });
    const e = layers.embedding({ inputDim: 5, outputDim: 4, maskZero: true }).apply(ids);
    const r = layers.simpleRNN({ units: 2, returnSequences: true }).apply(layers.layerNormalization().apply(e));
    const out = model({ inputs: ids, outputs: r, seed: 1 }).predict(new Tensor(Int32Array.of(2, 0, 3), [1, 3])) as Tensor;
    expect(Array.from(out.data.subarray(2, 4))).toEqual(Array.from(out.data.subarray(0, 2)));
  });
});

describe('LayerNormalization: bad options', () => {
  it('names the option', () => {
    expect(() => layers.layerNormalization({ epsilon: 0 })).toThrow(/epsilon must be a positive number/);
    // float32 is what the kernels add: 1e-50 would be 0 there (NaN on a constant row), 1e300 Infinity
    expect(() => layers.layerNormalization({ epsilon: 1e-50 })).toThrow(/epsilon must be a positive number within float32's range/);
    expect(() => layers.layerNormalization({ epsilon: 1e300 })).toThrow(/epsilon must be a positive number within float32's range/);
    expect(layers.layerNormalization({ epsilon: 1e-30 }).epsilon).toBe(1e-30);
    expect(() => layers.layerNormalization({ axis: [1, 2] })).toThrow(/axis must be −1/);
    expect(() => layers.layerNormalization({ center: 'no' as never })).toThrow(/center must be true or false/);
    expect(() => layers.layerNormalization({ gammaInitializer: 'ones' } as never)).toThrow(/unknown option/);
    const ln = layers.layerNormalization({ axis: 1 });
    expect(() => ln.apply(input({ shape: [4, 5] }))).toThrow(/axis 1 is not the last axis of an input of rank 3/);
    expect(ln.isBuilt).toBe(false);
    expect(layers.layerNormalization({ axis: 2 }).apply(input({ shape: [4, 5] })).shape).toEqual([null, 4, 5]);
  });

  it('takes inputShape as the first layer of a Sequential', () => {
    const m = new Sequential({ layers: [layers.layerNormalization({ inputShape: [null, 3] }), layers.dense({ units: 2 })] });
    expect(m.summary()).toMatch(/LayerNormalization/);
    expect(() => layers.layerNormalization({ inputShape: [0] })).toThrow(/inputShape must be/);
  });
});
