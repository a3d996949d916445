/**
 * Max/average pooling and their global forms: float64 finite-difference
 * gradient checks on the twin (the input, every padding and stride, with and
 * without a mask), the forward and the mask rules against an independent
 * reference written here, the same model on every backend, save -> load, and
 * bad input at build time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, input, layers, loadModelSync, model } from '../../src/index.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';
import { parityAcrossBackends } from './recurrent_checks.js';

afterAll(() => setBackend(null as never));

type Mode = 'max' | 'average';

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

function maskOf(B: number, T: number, valid: (b: number, t: number) => boolean): Tensor {
  return new Tensor(
    Float32Array.from({ length: B * T }, (_, i) => (valid(Math.floor(i / T), i % T) ? 1 : 0)),
    [B, T],
  );
}

/**
 * Pooling as TF defines it, in float64: 'same' pads ⌊total/2⌋ steps before;
 * padding and steps `valid` rejects are skipped (never a max, not counted in
 * a mean); a window with nothing left gives 0. Also returns which output
 * steps read anything (the downsampled mask).
 */
function reference(
  x: Tensor,
  mode: Mode,
  K: number,
  S: number,
  padding: 'valid' | 'same',
  valid: (b: number, i: number) => boolean = () => true,
) {
  const [B, T, C] = x.shape;
  const To = padding === 'valid' ? Math.floor((T - K) / S) + 1 : Math.ceil(T / S);
  const P = padding === 'valid' ? 0 : Math.floor(Math.max(0, (To - 1) * S + K - T) / 2);
  const y = new Float64Array(B * To * C);
  const outMask = new Float64Array(B * To);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const steps: number[] = [];
      for (let k = 0; k < K; k++) {
        const i = t * S + k - P;
        if (i >= 0 && i < T && valid(b, i)) steps.push(i);
      }
      outMask[b * To + t] = steps.length ? 1 : 0;
      for (let c = 0; c < C; c++) {
        const v = steps.map((i) => x.data[(b * T + i) * C + c]);
        y[(b * To + t) * C + c] = v.length === 0 ? 0 : mode === 'max' ? Math.max(...v) : v.reduce((s, q) => s + q, 0) / v.length;
      }
    }
  }
  return { y, To, outMask };
}

const pool = (mode: Mode, o: object = {}) => (mode === 'max' ? layers.maxPooling1d(o) : layers.averagePooling1d(o));
const globalPool = (mode: Mode) => (mode === 'max' ? layers.globalMaxPooling1d() : layers.globalAveragePooling1d());

describe('pooling: gradients of the input (float64 twin)', () => {
  for (const mode of ['max', 'average'] as const) {
    for (const padding of ['valid', 'same'] as const) {
      for (const [K, S] of [
        [1, 1],
        [2, 2],
        [3, 2],
        [2, 1],
        [3, 3],
      ]) {
        const Ts = [1, 2, 5, 7].filter((T) => padding === 'same' || T >= K);
        it(`${mode} pooling, poolSize ${K}, strides ${S}, padding ${padding}, T in {${Ts}}`, () => {
          useFloat64Twin();
          for (const T of Ts) {
            const x = input({ shape: [T, 3] });
            // a Dense before it, so a weight sees the pooled gradient too
            const h = layers.dense({ units: 3 }).apply(x);
            const m = model({ inputs: x, outputs: pool(mode, { poolSize: K, strides: S, padding }).apply(h), seed: T });
            expect(gradCheck(m, rand([2, T, 3], 20 * T + K))).toBe(12 + Math.min(30, 2 * T * 3));
          }
        });
      }
    }
    it(`global ${mode} pooling, T in {1, 2, 5}, with and without a mask`, () => {
      useFloat64Twin();
      for (const T of [1, 2, 5]) {
        const x = input({ shape: [T, 2] });
        const mk = input({ shape: [T] });
        const m1 = model({ inputs: x, outputs: globalPool(mode).apply(x) });
        gradCheck(m1, rand([3, T, 2], T));
        const m2 = model({
          inputs: [x, mk],
          outputs: globalPool(mode).apply(layers.dense({ units: 2 }).apply(x), { mask: mk }) as never,
          seed: 2,
        });
        // row 0 all valid, row 1 only the last step, row 2 fully masked
        gradCheck(m2, [rand([3, T, 2], T + 1), maskOf(3, T, (b, t) => b === 0 || (b === 1 && t === T - 1))]);
      }
    });
    it(`${mode} pooling with a mask, strided: the downsampled mask reaches a global average`, () => {
      useFloat64Twin();
      const T = 9;
      const x = input({ shape: [T, 2] });
      const mk = input({ shape: [T] });
      const y = pool(mode, { poolSize: 3, strides: 2, padding: 'same' }).apply(x, { mask: mk });
      const m = model({ inputs: [x, mk], outputs: layers.globalAveragePooling1d().apply(y), seed: 3 });
      gradCheck(m, [rand([2, T, 2], 4), maskOf(2, T, (b, t) => (b === 0 ? t < 4 : t % 3 !== 1))]);
    });
  }
});

describe('pooling: values and mask rules against the reference', () => {
  it('every mode, padding and stride, masked and not, on each backend', async () => {
    for (const backend of ['js', 'wasm-simd', 'wasm-relaxed-simd'] as const) {
      setBackend(await createBackend({ backend }));
      for (const mode of ['max', 'average'] as const) {
        for (const [K, S, padding, T] of [
          [2, 2, 'valid', 9],
          [3, 2, 'same', 9],
          [4, 3, 'same', 10],
          [3, 1, 'valid', 5],
          [5, 5, 'same', 3],
        ] as const) {
          const C = 5;
          const x = input({ shape: [T, C] });
          const mk = input({ shape: [T] });
          const y = pool(mode, { poolSize: K, strides: S, padding }).apply(x, { mask: mk });
          // what the output mask is: a global average over the pooled steps counts exactly the valid ones
          const m = model({ inputs: [x, mk], outputs: [y, layers.globalAveragePooling1d().apply(y)] });
          const xs = rand([3, T, C], T * K);
          const valid = (b: number, i: number) => (b === 0 ? true : b === 1 ? i % 4 === 3 : false);
          const [got, avg] = m.predict([xs, maskOf(3, T, valid)]) as Tensor[];
          const ref = reference(xs, mode, K, S, padding, valid);
          const label = `${backend} ${mode} K ${K} S ${S} ${padding} T ${T}`;
          expect(got.shape, label).toEqual([3, ref.To, C]);
          expectClose(got.data, ref.y, { atol: 1e-6, label });
          for (let b = 0; b < 3; b++) {
            const steps = Array.from({ length: ref.To }, (_, t) => t).filter((t) => ref.outMask[b * ref.To + t] === 1);
            for (let c = 0; c < C; c++) {
              const want = steps.length ? steps.reduce((s, t) => s + ref.y[(b * ref.To + t) * C + c], 0) / steps.length : 0;
              expect(Math.abs(avg.data[b * C + c] - want), `${label} row ${b} channel ${c}`).toBeLessThan(1e-6);
            }
          }
          // without a mask: padding is never a max and never counted
          const plain = model({ inputs: x, outputs: pool(mode, { poolSize: K, strides: S, padding }).apply(x) });
          expectClose((plain.predict(xs) as Tensor).data, reference(xs, mode, K, S, padding).y, { atol: 1e-6, label: `${label} unmasked` });
        }
      }
    }
  });

  it('global pooling: masked steps never win a max nor count in a mean; a fully masked row gives 0', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const x = input({ shape: [4, 2] });
    const mk = input({ shape: [4] });
    const m = model({
      inputs: [x, mk],
      outputs: [layers.globalMaxPooling1d().apply(x, { mask: mk }), layers.globalAveragePooling1d().apply(x, { mask: mk })],
    });
    const xs = new Tensor(
      Float32Array.from([
        1,
        -1,
        9,
        9,
        3,
        -3,
        0,
        0, // row 0: the 9s are masked
        -5,
        -6,
        -7,
        -8,
        2,
        2,
        2,
        2, // row 1: all masked
      ]),
      [2, 4, 2],
    );
    const mask = new Tensor(Float32Array.from([1, 0, 1, 1, 0, 0, 0, 0]), [2, 4]);
    const [mx, avg] = m.predict([xs, mask]) as Tensor[];
    expect(Array.from(mx.data)).toEqual([3, 0, 0, 0]);
    expectClose(avg.data, [4 / 3, -4 / 3, 0, 0]);
    // a max over all-negative valid steps is negative, not 0
    const [mx2] = m.predict([xs, new Tensor(Float32Array.from([1, 1, 1, 1, 1, 1, 0, 0]), [2, 4])]) as Tensor[];
    expect(Array.from(mx2.data)).toEqual([9, 9, -5, -6]);
  });

  it('ties: the earliest step wins the max and gets the whole gradient', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const x = input({ shape: [4, 1] });
    const m = model({ inputs: x, outputs: layers.globalMaxPooling1d().apply(x) });
    const g = m.gradients(new Tensor(Float32Array.from([1, 7, 3, 7]), [1, 4, 1]), new Tensor(Float32Array.from([2]), [1, 1]));
    expect(Array.from(g.input!.data)).toEqual([0, 2, 0, 0]);
  });
});

describe('pooling: every backend, save and load', () => {
  it('the twin and both wasm builds agree (outputs, every gradient)', async () => {
    const rng = new Rng(8);
    const ids = new Tensor(
      Int32Array.from({ length: 3 * 17 }, (_, i) => (i % 17 > 12 || (i % 17 === 5 && i > 17) ? 0 : 1 + rng.int(29))),
      [3, 17],
    );
    await parityAcrossBackends(
      'embedding(maskZero) -> maxPool same -> avgPool -> dense -> global avg + global max',
      () =>
        new Sequential({
          seed: 5,
          layers: [
            layers.embedding({ inputDim: 30, outputDim: 9, maskZero: true }),
            layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
            layers.averagePooling1d({ poolSize: 2, strides: 1 }),
            layers.dense({ units: 5, activation: 'tanh' }),
            layers.globalAveragePooling1d(),
          ],
        }),
      ids,
    );
    await parityAcrossBackends(
      'float -> avgPool -> maxPool -> globalMax (input gradient)',
      () =>
        new Sequential({
          seed: 6,
          layers: [
            layers.averagePooling1d({ poolSize: 3, padding: 'same', inputShape: [13, 33] }),
            layers.maxPooling1d({ poolSize: 2, strides: 1 }),
            layers.globalMaxPooling1d(),
          ],
        }),
      rand([2, 13, 33], 9),
    );
  });

  it('save -> load is bit-exact and keeps every option', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const m = new Sequential({
      seed: 8,
      layers: [
        layers.conv1d({ filters: 4, kernelSize: 2, inputShape: [null, 3] }),
        layers.maxPooling1d({ poolSize: [3], strides: 2, padding: 'same' }),
        layers.averagePooling1d({ name: 'avg' }),
        layers.globalMaxPooling1d(),
      ],
    });
    const x = rand([2, 14, 3], 9);
    const y = (m.predict(x) as Tensor).data;
    const back = loadModelSync(m.serialize());
    expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from(y));
    expect(back.layers.map((l) => [l.className, l.getConfig()])).toEqual(m.layers.map((l) => [l.className, l.getConfig()]));
    expect(back.layers[2].getConfig()).toEqual({ poolSize: 2, strides: 2, padding: 'valid', name: 'avg' });
  });
});

describe('pooling: predictStep', () => {
  it('global pooling and windows wider than a step need the whole sequence', async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const step = new Tensor(Int32Array.from([3, 5]), [2, 1]);
    const mk = (p: ReturnType<typeof layers.maxPooling1d> | ReturnType<typeof layers.globalMaxPooling1d>) =>
      new Sequential({
        seed: 2,
        layers: [layers.embedding({ inputDim: 9, outputDim: 3 }), layers.lstm({ units: 4, returnSequences: true }), p],
      });
    expect(() => mk(layers.globalAveragePooling1d()).predictStep(step)).toThrow(
      /\(GlobalAveragePooling1D\) reads a window of several steps/,
    );
    expect(() => mk(layers.maxPooling1d({ poolSize: 2, padding: 'same' })).predictStep(step)).toThrow(
      /\(MaxPooling1D\) reads a window of several steps/,
    );
    expect(mk(layers.averagePooling1d({ poolSize: 1 })).predictStep(step).shape).toEqual([2, 1, 4]);
  });
});

describe('pooling: bad input is a clear error at build time', () => {
  it('a pool longer than the sequence, wrong rank, wrong mask, bad options', () => {
    const p = layers.maxPooling1d({ poolSize: 4 });
    expect(() => p.apply(input({ shape: [3, 2] }))).toThrow(/poolSize 4 is longer than the input's 3 steps with padding 'valid'/);
    expect(p.isBuilt).toBe(false);
    expect(p.apply(input({ shape: [9, 2] })).shape).toEqual([null, 2, 2]);
    expect(layers.averagePooling1d({ poolSize: 4, padding: 'same' }).apply(input({ shape: [3, 2] })).shape).toEqual([null, 1, 2]);
    expect(() => layers.globalAveragePooling1d().apply(input({ shape: [4] }))).toThrow(
      /GlobalAveragePooling1D expects float input of shape \(batch, timesteps, channels\)/,
    );
    expect(() => layers.averagePooling1d().apply(input({ shape: [6, 2] }), { mask: input({ shape: [5] }) })).toThrow(
      /mask must have shape \(batch, 6\)/,
    );
    expect(() => layers.maxPooling1d({ padding: 'causal' as never })).toThrow(/padding must be 'valid', 'same'/);
    expect(() => layers.maxPooling1d({ poolSize: 0 })).toThrow(/poolSize must be a positive integer/);
    expect(() => layers.globalMaxPooling1d({ keepdims: true } as never)).toThrow(/unknown option 'keepdims'/);
    expect(layers.maxPooling1d({ poolSize: 3, strides: null }).strides).toBe(3);
  });
});
