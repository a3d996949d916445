/**
 * Conv1D: float64 finite-difference gradient checks on the twin (kernel,
 * bias and input for every padding with strides and dilation, T from 1 up,
 * with and without a mask), the forward against a direct float64 reference
 * written from the Keras definition, the mask rules, the same model on every
 * backend, save -> load bit-exact, and bad input at build time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, WasmRnnError, input, layers, loadModelSync, model } from '../../src/index.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';
import { parityAcrossBackends } from './recurrent_checks.js';

afterAll(() => setBackend(null as never));

type Padding = 'valid' | 'same' | 'causal';

const rand = (shape: number[], seed: number, lo = -1, hi = 1) =>
  new Tensor(
    randomArray(
      new Rng(seed),
      shape.reduce((a, b) => a * b, 1),
      lo,
      hi,
    ),
    shape,
  );

/** A (B,T) mask with the given steps masked (0). */
function maskOf(B: number, T: number, masked: (b: number, t: number) => boolean): Tensor {
  return new Tensor(
    Float32Array.from({ length: B * T }, (_, i) => (masked(Math.floor(i / T), i % T) ? 0 : 1)),
    [B, T],
  );
}

/**
 * Keras Conv1D in float64, written from its definition: left padding P and
 * output length from TF's rules, x[b, t·S + k·D − P] (zero outside, and at
 * steps `valid` rejects), kernel (K, C, F).
 */
function reference(
  x: Tensor,
  w: Float32Array,
  bias: Float32Array | null,
  K: number,
  F: number,
  S: number,
  D: number,
  padding: Padding,
  valid: (b: number, i: number) => boolean = () => true,
): { y: Float64Array; To: number } {
  const [B, T, C] = x.shape;
  const span = (K - 1) * D + 1;
  let To: number;
  let P: number;
  if (padding === 'valid') {
    To = Math.floor((T - span) / S) + 1;
    P = 0;
  } else if (padding === 'same') {
    To = Math.ceil(T / S);
    P = Math.floor(Math.max(0, (To - 1) * S + span - T) / 2);
  } else {
    To = Math.ceil(T / S);
    P = span - 1;
  }
  const y = new Float64Array(B * To * F);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      for (let f = 0; f < F; f++) {
        let s = bias ? bias[f] : 0;
        for (let k = 0; k < K; k++) {
          const i = t * S + k * D - P;
          if (i < 0 || i >= T || !valid(b, i)) continue;
          for (let c = 0; c < C; c++) s += x.data[(b * T + i) * C + c] * w[(k * C + c) * F + f];
        }
        y[(b * To + t) * F + f] = s;
      }
    }
  }
  return { y, To };
}

describe('Conv1D: gradients of every weight and the input (float64 twin)', () => {
  const geometries: Array<[Padding, number, number]> = [
    ['valid', 1, 1],
    ['valid', 2, 1],
    ['valid', 3, 1],
    ['valid', 1, 2],
    ['same', 1, 1],
    ['same', 2, 1],
    ['same', 3, 1],
    ['same', 1, 2],
    ['causal', 1, 1],
    ['causal', 1, 2],
  ];
  for (const [padding, S, D] of geometries) {
    for (const K of [1, 2, 3]) {
      const Ts = [1, 2, 5].filter((T) => padding !== 'valid' || T >= (K - 1) * D + 1);
      if (Ts.length === 0) continue;
      it(`padding ${padding}, kernelSize ${K}, strides ${S}, dilationRate ${D}, T in {${Ts}}`, () => {
        useFloat64Twin();
        for (const T of Ts) {
          const x = input({ shape: [T, 2] });
          const useBias = (K + S + D) % 2 === 0;
          const conv = layers.conv1d({
            filters: 3,
            kernelSize: K,
            strides: S,
            dilationRate: D,
            padding,
            activation: K === 2 ? 'tanh' : 'linear',
            useBias,
          });
          const m = model({ inputs: x, outputs: conv.apply(x), seed: T + K });
          const n = gradCheck(m, rand([2, T, 2], 10 * T + K));
          expect(n).toBe(K * 2 * 3 + (useBias ? 3 : 0) + 2 * T * 2);
        }
      });
    }
  }

  for (const padding of ['valid', 'same', 'causal'] as const) {
    it(`with a mask (padding ${padding}): masked steps get no gradient, the downsampled mask reaches a global average`, () => {
      useFloat64Twin();
      const T = 7;
      const x = input({ shape: [T, 2] });
      const mk = input({ shape: [T] });
      const y = layers
        .conv1d({ filters: 3, kernelSize: 3, strides: padding === 'causal' ? 1 : 2, padding, activation: 'tanh' })
        .apply(x, { mask: mk });
      const pooled = layers.globalAveragePooling1d().apply(y);
      const m = model({ inputs: [x, mk], outputs: pooled, seed: 5 });
      // row 0: steps 2-6 masked; row 1: step 0 and 3 masked
      const mask = maskOf(2, T, (b, t) => (b === 0 ? t >= 2 : t === 0 || t === 3));
      const xs = rand([2, T, 2], 11);
      gradCheck(m, [xs, mask]);
      // the input gradient is exactly zero at masked steps
      const g = m.gradients([xs, mask], rand([2, 3], 12));
      const dx = g.inputs![0]!.data;
      for (let b = 0; b < 2; b++) {
        for (let t = 0; t < T; t++) {
          if (mask.data[b * T + t] !== 0) continue;
          expect([dx[(b * T + t) * 2], dx[(b * T + t) * 2 + 1]]).toEqual([0, 0]);
        }
      }
    });
  }
});

describe('Conv1D: forward against the Keras definition', () => {
  it('every padding with strides and dilation, on the wasm build', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const cases: Array<[Padding, number, number, number, number]> = [
      ['valid', 5, 1, 1, 9],
      ['same', 5, 1, 1, 9],
      ['same', 4, 1, 1, 9],
      ['same', 3, 2, 1, 10],
      ['same', 2, 3, 1, 7],
      ['causal', 3, 1, 1, 6],
      ['causal', 3, 1, 3, 8],
      ['valid', 3, 2, 1, 8],
      ['valid', 2, 1, 4, 9],
      ['same', 3, 1, 2, 5],
      ['same', 7, 1, 1, 3],
    ];
    for (const [padding, K, S, D, T] of cases) {
      const C = 5;
      const F = 6;
      const x = input({ shape: [T, C] });
      const conv = layers.conv1d({ filters: F, kernelSize: K, strides: S, dilationRate: D, padding });
      const m = model({ inputs: x, outputs: conv.apply(x), seed: K * 7 + T });
      const xs = rand([3, T, C], T + K);
      m.build();
      const [w, b] = conv.getWeights();
      b.data.set(randomArray(new Rng(3), F));
      conv.setWeights([w, b]);
      const got = m.predict(xs) as Tensor;
      const want = reference(xs, w.data as Float32Array, b.data as Float32Array, K, F, S, D, padding);
      expect(got.shape, `${padding} K ${K} S ${S} D ${D} T ${T}`).toEqual([3, want.To, F]);
      expectClose(got.data, want.y, { atol: 2e-6, label: `${padding} K ${K} S ${S} D ${D} T ${T}` });
    }
  });

  it('output lengths and the kernel shape as Keras gives them', () => {
    const shapeOf = (o: object, T: number | null) => {
      const y = layers.conv1d({ filters: 4, ...o } as never).apply(input({ shape: [T, 3] }));
      return y.shape;
    };
    expect(shapeOf({ kernelSize: 3 }, 10)).toEqual([null, 8, 4]);
    expect(shapeOf({ kernelSize: 3, strides: 2 }, 10)).toEqual([null, 4, 4]);
    expect(shapeOf({ kernelSize: 3, strides: 3, padding: 'same' }, 10)).toEqual([null, 4, 4]);
    expect(shapeOf({ kernelSize: 3, dilationRate: 4, padding: 'causal' }, 10)).toEqual([null, 10, 4]);
    expect(shapeOf({ kernelSize: 3, dilationRate: 2 }, 10)).toEqual([null, 6, 4]);
    expect(shapeOf({ kernelSize: [3] }, null)).toEqual([null, null, 4]);
    const l = layers.conv1d({ filters: 4, kernelSize: 5 });
    l.apply(input({ shape: [null, 3] }));
    expect(l.weightSpecs().map((s) => [s.name, s.shape])).toEqual([
      ['kernel', [5, 3, 4]],
      ['bias', [4]],
    ]);
  });
});

describe('Conv1D: masks', () => {
  it('a masked step reads as zeros; output step t is valid iff its window holds a valid step', async () => {
    for (const backend of ['js', 'wasm-simd'] as const) {
      setBackend(await createBackend({ backend }));
      const T = 9;
      const C = 3;
      const F = 4;
      for (const [padding, K, S, D] of [
        ['same', 3, 2, 1],
        ['valid', 2, 3, 1],
        ['causal', 2, 1, 2],
      ] as const) {
        const x = input({ shape: [T, C] });
        const mk = input({ shape: [T] });
        const conv = layers.conv1d({ filters: F, kernelSize: K, strides: S, dilationRate: D, padding, useBias: false });
        const y = conv.apply(x, { mask: mk });
        const m = model({
          inputs: [x, mk],
          outputs: [y, layers.globalAveragePooling1d().apply(y), layers.globalMaxPooling1d().apply(y)],
          seed: 2,
        });
        const xs = rand([3, T, C], 4);
        // row 0 has data at steps 0-2 only, row 1 at steps 4 and 8, row 2 none
        const valid = (b: number, i: number) => (b === 0 ? i <= 2 : b === 1 ? i === 4 || i === 8 : false);
        const mask = maskOf(3, T, (b, t) => !valid(b, t));
        const [out, avg, max] = m.predict([xs, mask]) as Tensor[];
        const w = conv.getWeights()[0].data as Float32Array;
        const ref = reference(xs, w, null, K, F, S, D, padding, valid);
        const label = `${backend} ${padding} K ${K} S ${S} D ${D}`;
        expectClose(out.data, ref.y, { atol: 2e-6, label });
        // the downsampled mask, computed here from the rule
        const P =
          padding === 'causal' ? (K - 1) * D : padding === 'same' ? Math.floor(Math.max(0, (ref.To - 1) * S + (K - 1) * D + 1 - T) / 2) : 0;
        for (let b = 0; b < 3; b++) {
          const steps = [];
          for (let t = 0; t < ref.To; t++) {
            let any = false;
            for (let k = 0; k < K; k++) any ||= valid(b, t * S + k * D - P) && t * S + k * D - P < T && t * S + k * D - P >= 0;
            if (any) steps.push(t);
          }
          for (let f = 0; f < F; f++) {
            const vals = steps.map((t) => ref.y[(b * ref.To + t) * F + f]);
            const mean = vals.length ? vals.reduce((s, v) => s + v, 0) / vals.length : 0;
            const mx = vals.length ? Math.max(...vals) : 0;
            expect(Math.abs(avg.data[b * F + f] - mean), `${label} row ${b} mean`).toBeLessThan(2e-6);
            expect(Math.abs(max.data[b * F + f] - mx), `${label} row ${b} max`).toBeLessThan(2e-6);
          }
          if (b === 2) expect(steps).toEqual([]);
        }
      }
    }
  });

  it('an Embedding mask flows through (maskZero): padded ids are zeros to the convolution', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const mk = (maskZero: boolean) =>
      new Sequential({
        seed: 6,
        layers: [layers.embedding({ inputDim: 10, outputDim: 3, maskZero }), layers.conv1d({ filters: 2, kernelSize: 3, padding: 'same' })],
      });
    const ids = new Tensor(Int32Array.from([4, 0, 7, 2, 0, 0]), [1, 6]);
    const masked = (mk(true).predict(ids) as Tensor).data;
    const plain = mk(false);
    // the same weights, the padding row of the embedding set to zeros
    const [e, ...rest] = plain.getWeights();
    e.data.fill(0, 0, 3);
    plain.setWeights([e, ...rest]);
    expect(Array.from(masked)).toEqual(Array.from((plain.predict(ids) as Tensor).data));
  });
});

describe('Conv1D: every backend, save and load', () => {
  it('the twin and both wasm builds agree (outputs, every gradient), masked and strided', async () => {
    const rng = new Rng(5);
    const ids = new Tensor(
      Int32Array.from({ length: 3 * 13 }, (_, i) => (i % 13 > 9 ? 0 : 1 + rng.int(19))),
      [3, 13],
    );
    await parityAcrossBackends(
      'embedding(maskZero) -> conv same -> conv strided -> conv dilated causal -> global max',
      () =>
        new Sequential({
          seed: 3,
          layers: [
            layers.embedding({ inputDim: 20, outputDim: 9, maskZero: true }),
            layers.conv1d({ filters: 17, kernelSize: 5, padding: 'same', activation: 'relu' }),
            layers.conv1d({ filters: 6, kernelSize: 3, strides: 2, activation: 'tanh' }),
            layers.conv1d({ filters: 5, kernelSize: 2, dilationRate: 2, padding: 'causal', activation: 'sigmoid' }),
            layers.globalMaxPooling1d(),
          ],
        }),
      ids,
    );
    await parityAcrossBackends(
      'float input -> conv valid (input gradient)',
      () =>
        new Sequential({
          seed: 4,
          layers: [
            layers.conv1d({ filters: 33, kernelSize: 4, inputShape: [11, 7] }),
            layers.conv1d({ filters: 3, kernelSize: 2, padding: 'same', useBias: false }),
          ],
        }),
      rand([2, 11, 7], 6),
    );
  });

  it('save -> load is bit-exact and keeps every option', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const m = new Sequential({
      seed: 8,
      layers: [
        layers.conv1d({ filters: 5, kernelSize: [3], strides: 2, padding: 'same', activation: 'relu', inputShape: [null, 4], name: 'c1' }),
        layers.conv1d({ filters: 2, kernelSize: 2, dilationRate: 3, padding: 'causal', useBias: false }),
      ],
    });
    const x = rand([2, 12, 4], 9);
    const y = (m.predict(x) as Tensor).data;
    const back = loadModelSync(m.serialize());
    expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from(y));
    expect(back.layers.map((l) => l.getConfig())).toEqual(m.layers.map((l) => l.getConfig()));
    expect(back.layers[0].getConfig()).toMatchObject({
      filters: 5,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      dilationRate: 1,
      activation: 'relu',
      useBias: true,
    });
  });
});

describe('Conv1D: bad input is a clear error at build time, and the model is unchanged', () => {
  it('a kernel longer than the sequence', () => {
    const conv = layers.conv1d({ filters: 2, kernelSize: 5 });
    expect(() => conv.apply(input({ shape: [3, 4] }))).toThrow(
      /the kernel spans 5 steps \(kernelSize 5, dilationRate 1\) but the input has 3 with padding 'valid'/,
    );
    expect(conv.isBuilt).toBe(false);
    // the layer still builds on an input that fits
    expect(conv.apply(input({ shape: [5, 4] })).shape).toEqual([null, 1, 2]);
    expect(() => layers.conv1d({ filters: 2, kernelSize: 3, dilationRate: 3 }).apply(input({ shape: [6, 1] }))).toThrow(/spans 7 steps/);
  });

  it('a sequence too short for the kernel at predict time, then a long enough one', async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const m = new Sequential({ seed: 1, layers: [layers.conv1d({ filters: 2, kernelSize: 4, inputShape: [null, 3] })] });
    const before = m.getWeights().map((w) => Array.from(w.data));
    let err: unknown = null;
    try {
      m.predict(rand([1, 2, 3], 1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmRnnError);
    expect((err as Error).message).toMatch(/do not fit the model: .*the kernel spans 4 steps .* the input has 2/);
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
    expect((m.predict(rand([1, 6, 3], 2)) as Tensor).shape).toEqual([1, 3, 2]);
  });

  it('causal with strides, strides with dilation, bad options', () => {
    expect(() => layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', strides: 2 })).toThrow(
      /causal padding needs strides 1 \(got 2\)/,
    );
    expect(() => layers.conv1d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(
      /strides > 1 cannot be combined with dilationRate > 1/,
    );
    expect(() => layers.conv1d({ filters: 0, kernelSize: 3 })).toThrow(/filters must be a positive integer/);
    expect(() => layers.conv1d({ filters: 2, kernelSize: [3, 3] as never })).toThrow(
      /kernelSize must be a positive integer or \[integer\]/,
    );
    expect(() => layers.conv1d({ filters: 2, kernelSize: 3, padding: 'full' as never })).toThrow(
      /padding must be 'valid', 'same', 'causal'/,
    );
    expect(() => layers.conv1d({ filters: 2, kernelSize: 3, groups: 2 } as never)).toThrow(/unknown option 'groups'/);
  });

  it('predictStep refuses a window of several steps (it would see only the current one); kernelSize 1 steps fine', async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const step = new Tensor(Int32Array.from([3, 5]), [2, 1]);
    const mk = (conv: ReturnType<typeof layers.conv1d>) =>
      new Sequential({
        seed: 2,
        layers: [layers.embedding({ inputDim: 9, outputDim: 3 }), layers.lstm({ units: 4, returnSequences: true }), conv],
      });
    expect(() => mk(layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal' })).predictStep(step)).toThrow(
      /predictStep: conv1d_\d+ \(Conv1D\) reads a window of several steps/,
    );
    expect(() => mk(layers.conv1d({ filters: 2, kernelSize: 2, padding: 'same' })).predictStep(step)).toThrow(
      /reads a window of several steps/,
    );
    expect(mk(layers.conv1d({ filters: 2, kernelSize: 1 })).predictStep(step).shape).toEqual([2, 1, 2]);
  });

  it('a mask of the wrong shape, input of the wrong rank or type', () => {
    const conv = layers.conv1d({ filters: 2, kernelSize: 2 });
    const x = input({ shape: [5, 4] });
    expect(() => conv.apply(x, { mask: input({ shape: [6] }) })).toThrow(/mask must have shape \(batch, 5\)/);
    expect(() => conv.apply(x, { mask: input({ shape: [5, 1] }) })).toThrow(/mask must have shape \(batch, 5\)/);
    expect(() => conv.apply(input({ shape: [4] }))).toThrow(
      /Conv1D expects float input of shape \(batch, timesteps, channels\), got float32 \(batch, 4\)/,
    );
    expect(() => conv.apply(input({ shape: [5], dtype: 'int32' }))).toThrow(/Conv1D expects float input/);
    expect(conv.isBuilt).toBe(false);
    conv.apply(x);
    expect(() => conv.apply(input({ shape: [5, 3] }))).toThrow(/Conv1D was built for 4 channels/);
  });
});
