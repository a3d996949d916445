/**
 * Attention and AdditiveAttention: float64 finite-difference checks of every
 * weight and every input (query, value, key) on the twin, with and without
 * masks, the causal mask and the scores output; the forward on every
 * backend against an independent float64 transcription of Keras's
 * equations (attention_reference.ts) and against a composition of TF.js
 * ops; the mask rules, dropout, and bad calls at build time.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { setBackend } from '../../src/backend/load.js';
import { Tensor, WasmRnnError, input, layers, model } from '../../src/index.js';
import type { ScoreAttention } from '../../src/layers/attention.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { loadBackends } from '../backends.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';
import { attentionRef } from './attention_reference.js';

let backends: Backend[] = [];
beforeAll(async () => {
  await tf.setBackend('cpu');
  const { js, wasm } = await loadBackends();
  backends = [js, ...wasm];
});
afterAll(() => setBackend(null as never));

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number, lo = -1, hi = 1) => new Tensor(randomArray(new Rng(seed), size(shape), lo, hi), shape);
/** a 0/1 (B,T) mask keeping the first step of every row (no row without a key) */
function maskT(B: number, T: number, seed: number, pZero = 0.4): Tensor {
  const rng = new Rng(seed);
  return new Tensor(
    Float32Array.from({ length: B * T }, (_, i) => (i % T === 0 || rng.next() > pZero ? 1 : 0)),
    [B, T],
  );
}
/** scalar weights away from 1, so a missed factor shows */
function setScalars(layer: ScoreAttention): void {
  layer.setWeights(layer.getWeights().map((w, i) => (w.shape.length === 0 ? new Tensor(Float32Array.of(0.7 + 0.2 * i), []) : w)));
}

type Kind = { label: string; make: () => ScoreAttention };
const KINDS: Kind[] = [
  { label: 'dot', make: () => layers.attention() },
  { label: 'dot, useScale', make: () => layers.attention({ useScale: true }) },
  { label: 'concat', make: () => layers.attention({ scoreMode: 'concat' }) },
  { label: 'concat, useScale', make: () => layers.attention({ scoreMode: 'concat', useScale: true }) },
  { label: 'additive', make: () => layers.additiveAttention() },
  { label: 'additive, no scale', make: () => layers.additiveAttention({ useScale: false }) },
];

describe('attention layers: gradients (float64 twin)', () => {
  for (const kind of KINDS) {
    for (const withKey of [false, true]) {
      it(`${kind.label}, ${withKey ? '[q, v, k]' : '[q, v]'}: every weight and input`, () => {
        useFloat64Twin();
        const q = input({ shape: [3, 4] });
        const v = input({ shape: [5, 4] });
        const k = input({ shape: [5, 4] });
        const att = kind.make();
        const m = model({ inputs: withKey ? [q, v, k] : [q, v], outputs: att.apply(withKey ? [q, v, k] : [q, v]), seed: 3 });
        m.build();
        setScalars(att);
        const xs = [rand([2, 3, 4], 1), rand([2, 5, 4], 2)];
        if (withKey) xs.push(rand([2, 5, 4], 3));
        gradCheck(m, xs);
      });
    }
    it(`${kind.label}: query and value masks, causal, the scores output carrying a gradient too`, () => {
      useFloat64Twin();
      const q = input({ shape: [4, 3] });
      const v = input({ shape: [4, 2] });
      const k = input({ shape: [4, 3] });
      const qm = input({ shape: [4] });
      const vm = input({ shape: [4] });
      const att = kind.make();
      const outs = att.apply([q, v, k], { mask: [qm, vm, null], useCausalMask: true, returnAttentionScores: true });
      const m = model({ inputs: [q, v, k, qm, vm], outputs: outs, seed: 4 });
      m.build();
      setScalars(att);
      gradCheck(m, [rand([3, 4, 3], 5), rand([3, 4, 2], 6), rand([3, 4, 3], 7), maskT(3, 4, 8), maskT(3, 4, 9)], { stateDy: true });
    });
  }

  it('self-attention: one tensor as query, value and key sums the three gradients', () => {
    useFloat64Twin();
    const x = input({ shape: [5, 3] });
    const h = layers.dense({ units: 3, activation: 'tanh' }).apply(x);
    const y = layers.attention({ useScale: true }).apply([h, h, h]);
    const m = model({ inputs: x, outputs: y, seed: 5 });
    gradCheck(m, rand([2, 5, 3], 10));
  });
});

/** Runs `kind` on inputs and the mask flags on every backend; returns [out, weights] per backend. */
function runOn(
  be: Backend,
  make: () => ScoreAttention,
  xs: Tensor[],
  opts: { masks: boolean; causal: boolean; key: boolean },
  weights: Tensor[] | null,
) {
  setBackend(be);
  const [Tq, D] = xs[0].shape.slice(1);
  const [Tv, Dv] = xs[1].shape.slice(1);
  const q = input({ shape: [Tq, D] });
  const v = input({ shape: [Tv, Dv] });
  const k = input({ shape: [Tv, D] });
  const qm = input({ shape: [Tq] });
  const vm = input({ shape: [Tv] });
  const att = make();
  const data = opts.key ? [q, v, k] : [q, v];
  const outs = att.apply(data, {
    ...(opts.masks ? { mask: opts.key ? [qm, vm, null] : [qm, vm] } : {}),
    useCausalMask: opts.causal,
    returnAttentionScores: true,
  });
  const m = model({ inputs: [...data, ...(opts.masks ? [qm, vm] : [])], outputs: outs, seed: 11 });
  m.build();
  if (weights) att.setWeights(weights);
  const res = m.predict(xs) as Tensor[];
  return { res, weights: att.getWeights() };
}

describe("attention layers: the forward against Keras's equations in float64, on every backend", () => {
  for (const kind of KINDS) {
    for (const [masks, causal] of [
      [false, false],
      [true, false],
      [true, true],
    ]) {
      it(`${kind.label}${masks ? ', query and value masks' : ''}${causal ? ', causal' : ''}`, () => {
        const B = 3;
        const Tq = 5;
        const Tv = 7;
        const D = 6;
        const Dv = 9;
        const xs = [rand([B, Tq, D], 21), rand([B, Tv, Dv], 22), rand([B, Tv, D], 23)];
        const qmask = maskT(B, Tq, 24);
        const vmask = maskT(B, Tv, 25);
        if (masks) xs.push(qmask, vmask);
        // the seeded weights, scalars moved off 1
        const weights = runOn(backends[0], kind.make, xs, { masks, causal, key: true }, null).weights.map((w) =>
          w.shape.length === 0 ? new Tensor(Float32Array.of(0.8), []) : w,
        );
        const ws = weights.map((w) => w.data);
        const { mode, useScale } = kind.make();
        const ref = attentionRef({
          B,
          Tq,
          Tv,
          D,
          Dv,
          q: xs[0].data,
          v: xs[1].data,
          k: xs[2].data,
          mode,
          scale: mode !== 'additive' && useScale ? ws[0][0] : null,
          concatWeight: mode === 'concat' ? ws[useScale ? 1 : 0][0] : 1,
          scaleVector: mode === 'additive' && useScale ? ws[0] : null,
          qmask: masks ? qmask.data : null,
          vmask: masks ? vmask.data : null,
          causal,
        });
        for (const be of backends) {
          const { res } = runOn(be, kind.make, xs, { masks, causal, key: true }, weights);
          expectClose(res[0].data, ref.out, { atol: 2e-6, rtol: 1e-5, label: `${be.name} output` });
          expectClose(res[1].data, ref.w, { atol: 2e-6, rtol: 1e-5, label: `${be.name} weights` });
        }
      });
    }
  }
});

describe('attention layers: against a composition of TF.js ops (cpu backend)', () => {
  it('dot with a scale, masks and the causal mask: matMul, where(−1e9), softmax, matMul', () => {
    const B = 2;
    const Tq = 4;
    const Tv = 6;
    const D = 5;
    const xs = [rand([B, Tq, D], 31), rand([B, Tv, 3], 32), rand([B, Tv, D], 33), maskT(B, Tq, 34), maskT(B, Tv, 35)];
    const scale = 0.6;
    const r = runOn(backends[1], () => layers.attention({ useScale: true }), xs, { masks: true, causal: true, key: true }, [
      new Tensor(Float32Array.of(scale), []),
    ]);
    const theirs = tf.tidy(() => {
      const q = tf.tensor3d(Array.from(xs[0].data), [B, Tq, D]);
      const v = tf.tensor3d(Array.from(xs[1].data), [B, Tv, 3]);
      const k = tf.tensor3d(Array.from(xs[2].data), [B, Tv, D]);
      let s = tf.mul(tf.matMul(q, k, false, true), scale);
      const causal = tf.linalg.bandPart(tf.ones([Tq, Tv]), -1, 0).reshape([1, Tq, Tv]);
      const allowed = tf.mul(tf.tensor3d(Array.from(xs[4].data), [B, 1, Tv]), causal);
      s = tf.where(tf.cast(allowed, 'bool'), s, tf.sub(s, 1e9));
      const w = tf.softmax(s, -1);
      const out = tf.mul(tf.matMul(w, v), tf.tensor3d(Array.from(xs[3].data), [B, Tq, 1]));
      return [out.dataSync(), w.dataSync()];
    });
    expectClose(r.res[0].data, theirs[0], { atol: 1e-5, rtol: 1e-5, label: 'output' });
    expectClose(r.res[1].data, theirs[1], { atol: 1e-5, rtol: 1e-5, label: 'weights' });
  });

  it('additive: sum(scale · tanh(q + k)), softmax, matMul', () => {
    const B = 2;
    const Tq = 3;
    const Tv = 4;
    const D = 5;
    const xs = [rand([B, Tq, D], 41), rand([B, Tv, D], 42)];
    const sv = rand([D], 43);
    const r = runOn(backends[1], () => layers.additiveAttention(), xs, { masks: false, causal: false, key: false }, [sv]);
    const theirs = tf.tidy(() => {
      const q = tf.tensor3d(Array.from(xs[0].data), [B, Tq, D]).reshape([B, Tq, 1, D]);
      const v = tf.tensor3d(Array.from(xs[1].data), [B, Tv, D]);
      const s = tf.sum(tf.mul(tf.tensor1d(Array.from(sv.data)), tf.tanh(tf.add(q, v.reshape([B, 1, Tv, D])))), -1);
      return tf.matMul(tf.softmax(s, -1), v).dataSync();
    });
    expectClose(r.res[0].data, theirs, { atol: 1e-5, rtol: 1e-5 });
  });
});

describe('attention layers: masks, dropout', () => {
  it("a query step whose every key is masked gets uniform weights (Keras's float32 result), and no gradient", () => {
    const be = backends[1];
    const xs = [
      rand([2, 2, 3], 51),
      rand([2, 3, 3], 52),
      new Tensor(Float32Array.of(1, 1, 1, 1), [2, 2]),
      new Tensor(Float32Array.of(0, 0, 0, 1, 0, 1), [2, 3]),
    ];
    const r = runOn(be, () => layers.attention(), xs, { masks: true, causal: false, key: false }, null);
    expectClose(r.res[1].data.subarray(0, 6), [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3], { atol: 1e-7, rtol: 0 });
    // the second sample keeps keys 0 and 2 only
    expect(r.res[1].data[7]).toBe(0);
    useFloat64Twin();
    const q = input({ shape: [2, 3] });
    const v = input({ shape: [3, 3] });
    const qm = input({ shape: [2] });
    const vm = input({ shape: [3] });
    const m = model({ inputs: [q, v, qm, vm], outputs: layers.attention({ useScale: true }).apply([q, v], { mask: [qm, vm] }), seed: 2 });
    const g = m.gradients(xs, rand([2, 2, 3], 53));
    // sample 0 has no key: its query gets no gradient (the weights are constant there)
    expect(Array.from(g.inputs![0]!.data.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    gradCheck(m, xs);
  });

  it('the query mask zeroes the output there and flows on with it', () => {
    setBackend(backends[1]);
    const ids = input({ shape: [4], dtype: 'int32' });
    const e = layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true }).apply(ids);
    const a = layers.attention().apply([e, e]);
    // a recurrent layer after it repeats its output at masked steps
    const r = layers.simpleRNN({ units: 2, returnSequences: true }).apply(a);
    const m = model({ inputs: ids, outputs: [a, r], seed: 3 });
    const [out, rnn] = m.predict(new Tensor(Int32Array.of(1, 0, 2, 0), [1, 4])) as Tensor[];
    expect(Array.from(out.data.subarray(3, 6)).every((x) => x === 0)).toBe(true);
    expect(Array.from(out.data.subarray(0, 3)).some((x) => x !== 0)).toBe(true);
    expect(Array.from(rnn.data.subarray(2, 4))).toEqual(Array.from(rnn.data.subarray(0, 2)));
  });

  it('dropout drops attention weights in training only, scaling the kept ones by 1/(1 − rate)', () => {
    setBackend(backends[1]);
    const q = input({ shape: [4, 3] });
    const v = input({ shape: [6, 3] });
    const plain = layers.attention();
    const dropped = layers.attention({ dropout: 0.5 });
    const [, w0] = plain.apply([q, v], { returnAttentionScores: true });
    const [, w1] = dropped.apply([q, v], { returnAttentionScores: true, training: true });
    const [, w2] = layers.attention({ dropout: 0.5 }).apply([q, v], { returnAttentionScores: true });
    const m = model({ inputs: [q, v], outputs: [w0, w1, w2], seed: 4 });
    const [a, b, c] = m.predict([rand([2, 4, 3], 61), rand([2, 6, 3], 62)]) as Tensor[];
    let zeros = 0;
    a.data.forEach((x, i) => {
      if (b.data[i] === 0) zeros++;
      else expect(b.data[i]).toBeCloseTo(2 * x, 6);
    });
    expect(zeros).toBeGreaterThan(a.size / 4);
    expect(zeros).toBeLessThan((3 * a.size) / 4);
    expectClose(c.data, a.data, { atol: 0, rtol: 0, label: 'no dropout at inference' });
  });
});

describe('attention layers: bad calls fail at build time and change nothing', () => {
  it('names the layer, the inputs and the shapes', () => {
    const q = input({ shape: [3, 4] });
    const v = input({ shape: [5, 4] });
    const att = layers.attention();
    expect(() => att.apply(q)).toThrow(/Attention takes 2 to 3 inputs, got 1/);
    expect(() => att.apply([q, input({ shape: [5, 3] }), input({ shape: [5, 6] })])).toThrow(
      /query and key of one feature size; query has 4, key has 6/,
    );
    expect(() => att.apply([q, v, input({ shape: [4, 4] })])).toThrow(/key and value must have the same time steps; key has 4, value 5/);
    expect(() => att.apply([q, v], { mask: [input({ shape: [5] }), null] })).toThrow(/mask\[0\] must have shape \(batch, 3\)/);
    expect(() => att.apply([q, v], { useCausalMask: 'yes' as never })).toThrow(/useCausalMask must be true or false/);
    expect(() => att.apply([q, v], { attentionMask: q } as never)).toThrow(/unknown option 'attentionMask'/);
    expect(() => att.apply([q, input({ shape: [5], dtype: 'int32' })])).toThrow(WasmRnnError);
    expect(att.inboundNodes.length).toBe(0);
    expect(att.isBuilt).toBe(false);
    expect(() => layers.attention({ scoreMode: 'general' as never })).toThrow(/scoreMode must be 'dot' or 'concat'/);
    expect(() => layers.attention({ dropout: 1 })).toThrow(/dropout must be a number in \[0, 1\)/);
    expect(() => layers.additiveAttention({ useScale: 1 as never })).toThrow(/useScale must be true or false/);
    expect(() => layers.attention({ causal: true } as never)).toThrow(/unknown option/);
    // a good call still works after the bad ones
    expect((att.apply([q, v]) as SymbolicTensor).shape).toEqual([null, 3, 4]);
  });
});
