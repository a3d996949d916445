/**
 * MultiHeadAttention: float64 finite-difference checks of every weight and
 * every input (query, value, key) on the twin — self- and cross-attention,
 * every mask (query, value, key, attentionMask, causal), the scores output,
 * no biases, an output projection of its own size; the forward on every
 * backend against an independent float64 transcription of Keras's
 * equations (attention_reference.ts) and a composition of TF.js ops; the
 * empty-row rule, dropout; bad calls at build time.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { setBackend } from '../../src/backend/load.js';
import { Tensor, input, layers, model } from '../../src/index.js';
import type { MultiHeadAttention, MultiHeadAttentionOptions } from '../../src/layers/multi_head_attention.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { loadBackends } from '../backends.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';
import { mhaRef } from './attention_reference.js';

let backends: Backend[] = [];
beforeAll(async () => {
  await tf.setBackend('cpu');
  const { js, wasm } = await loadBackends();
  backends = [js, ...wasm];
});
afterAll(() => setBackend(null as never));

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number, lo = -1, hi = 1) => new Tensor(randomArray(new Rng(seed), size(shape), lo, hi), shape);
/** 0/1 with the first entry of every row kept */
function mask01(shape: number[], seed: number, pZero = 0.4): Tensor {
  const rng = new Rng(seed);
  const row = shape[shape.length - 1];
  return new Tensor(
    Float32Array.from({ length: size(shape) }, (_, i) => (i % row === 0 || rng.next() > pZero ? 1 : 0)),
    shape,
  );
}

interface Setup {
  label: string;
  opts: MultiHeadAttentionOptions;
  /** per-sample (T, F) of query, value and key (key: null = absent) */
  q: [number, number];
  v: [number, number];
  k: [number, number] | null;
  self?: boolean;
  masks?: boolean;
  amask?: boolean;
  causal?: boolean;
  scores?: boolean;
}

const SETUPS: Setup[] = [
  { label: 'self-attention [x, x]', opts: { numHeads: 2, keyDim: 3 }, q: [4, 5], v: [4, 5], k: null, self: true },
  { label: 'cross-attention [q, v]', opts: { numHeads: 2, keyDim: 3 }, q: [3, 5], v: [4, 4], k: null },
  {
    label: '[q, v, k], valueDim 2, outputShape 3',
    opts: { numHeads: 3, keyDim: 2, valueDim: 2, outputShape: 3 },
    q: [3, 4],
    v: [5, 3],
    k: [5, 2],
  },
  { label: 'no biases, keyDim from the query (6 / 3)', opts: { numHeads: 3, useBias: false }, q: [3, 6], v: [4, 2], k: null },
  {
    label: 'query, value and key masks, attentionMask, causal, scores output',
    opts: { numHeads: 2, keyDim: 2 },
    q: [4, 3],
    v: [4, 3],
    k: [4, 2],
    masks: true,
    amask: true,
    causal: true,
    scores: true,
  },
  {
    label: 'self-attention, causal, masks, scores output',
    opts: { numHeads: 2, keyDim: 2 },
    q: [5, 4],
    v: [5, 4],
    k: null,
    self: true,
    masks: true,
    causal: true,
    scores: true,
  },
];

/** The model of one setup: its inputs in order (data, masks, attentionMask) and the layer. */
function build(s: Setup): { m: ReturnType<typeof model>; mha: MultiHeadAttention; inputs: SymbolicTensor[] } {
  const q = input({ shape: s.q });
  const v = s.self ? q : input({ shape: s.v });
  const k = s.k ? input({ shape: s.k }) : null;
  const data = [q, v, ...(k ? [k] : [])];
  const own = s.masks ? data.map((t) => input({ shape: [t.shape[1] as number] })) : [];
  // self-attention: one mask for the one tensor
  const masks = s.self ? own.map(() => own[0]) : own;
  const am = s.amask ? input({ shape: [s.q[0], s.v[0]] }) : null;
  const mha = layers.multiHeadAttention(s.opts);
  const outs = mha.apply(data, {
    ...(s.masks ? { mask: masks } : {}),
    ...(am ? { attentionMask: am } : {}),
    useCausalMask: !!s.causal,
    returnAttentionScores: !!s.scores,
  } as never) as SymbolicTensor | SymbolicTensor[];
  const inputs = [...new Set([...data, ...masks, ...(am ? [am] : [])])];
  return { m: model({ inputs, outputs: outs, seed: 7 }), mha, inputs };
}

function dataFor(s: Setup, B: number, seed: number): Tensor[] {
  const xs = [rand([B, ...s.q], seed)];
  if (!s.self) xs.push(rand([B, ...s.v], seed + 1));
  if (s.k) xs.push(rand([B, ...s.k], seed + 2));
  if (s.masks) {
    xs.push(mask01([B, s.q[0]], seed + 3));
    if (!s.self) xs.push(mask01([B, s.v[0]], seed + 4));
    if (s.k) xs.push(mask01([B, s.k[0]], seed + 5));
  }
  if (s.amask) xs.push(mask01([B, s.q[0], s.v[0]], seed + 6));
  return xs;
}

describe('MultiHeadAttention: gradients (float64 twin)', () => {
  for (const s of SETUPS) {
    it(`${s.label}: every weight and input`, () => {
      useFloat64Twin();
      const { m } = build(s);
      gradCheck(m, dataFor(s, 2, 10), { stateDy: true, maxPerWeight: 24 });
    });
  }
});

describe("MultiHeadAttention: the forward against Keras's equations in float64, on every backend", () => {
  for (const s of SETUPS) {
    it(s.label, () => {
      const B = 3;
      const xs = dataFor(s, B, 20);
      let weights: Tensor[] | null = null;
      for (const be of backends) {
        setBackend(be);
        const { m, mha } = build({ ...s, scores: true });
        if (!weights) weights = m.getWeights().map((w, i) => (i % 2 === 1 && mha.useBias ? rand([...w.shape], 30 + i, -0.3, 0.3) : w));
        m.setWeights(weights);
        const [out, w] = m.predict(xs) as Tensor[];
        const nData = 1 + (s.self ? 0 : 1) + (s.k ? 1 : 0);
        const at = (i: number) => xs[i].data;
        const maskAt = (i: number) => (s.masks ? at(nData + i) : null);
        const ref = mhaRef({
          B,
          Tq: s.q[0],
          Tv: s.v[0],
          H: mha.numHeads,
          Kd: mha.keyDim,
          Vd: mha.valueDim,
          E: mha.outDim,
          xq: at(0),
          xv: s.self ? at(0) : at(1),
          xk: s.k ? at(2) : undefined,
          Dq: s.q[1],
          Dv: s.v[1],
          Dk: s.k?.[1],
          weights: weights.map((t) => t.data),
          useBias: mha.useBias,
          qmask: maskAt(0),
          vmask: s.self ? maskAt(0) : maskAt(1),
          kmask: s.k ? maskAt(2) : null,
          amask: s.amask ? at(xs.length - 1) : null,
          causal: s.causal,
        });
        expectClose(out.data, ref.out, { atol: 3e-6, rtol: 1e-5, label: `${be.name} output` });
        expectClose(w.data, ref.w, { atol: 2e-6, rtol: 1e-5, label: `${be.name} weights` });
      }
    });
  }
});

describe('MultiHeadAttention: against a composition of TF.js ops (cpu backend)', () => {
  it('projections, per-head matMul(Q, K, transposeB), softmax with −1e9 at masked keys, matMul, output projection', () => {
    const s: Setup = { label: '', opts: { numHeads: 2, keyDim: 3, valueDim: 4 }, q: [5, 6], v: [7, 6], k: null, masks: true };
    const B = 2;
    const xs = dataFor(s, B, 40);
    setBackend(backends[1]);
    const { m } = build(s);
    const ws = m.getWeights().map((w, i) => (i % 2 === 1 ? rand([...w.shape], 50 + i, -0.3, 0.3) : w));
    m.setWeights(ws);
    const ours = m.predict(xs) as Tensor;
    const H = 2;
    const theirs = tf.tidy(() => {
      const t = (x: Tensor) => tf.tensor(Array.from(x.data), [...x.shape]);
      const proj = (x: tf.Tensor, k: number, T: number, d: number) =>
        tf
          .add(tf.matMul(x.reshape([B * T, -1]), t(ws[k]).reshape([-1, H * d])), t(ws[k + 1]).reshape([H * d]))
          .reshape([B, T, H, d])
          .transpose([0, 2, 1, 3]);
      const xq = t(xs[0]);
      const xv = t(xs[1]);
      const Q = proj(xq, 0, 5, 3);
      const K = proj(xv, 2, 7, 3);
      const V = proj(xv, 4, 7, 4);
      let S = tf.mul(tf.matMul(Q, K, false, true), 1 / Math.sqrt(3));
      const allowed = tf.mul(t(xs[2]).reshape([B, 1, 5, 1]), t(xs[3]).reshape([B, 1, 1, 7]));
      S = tf.add(S, tf.mul(tf.sub(1, allowed), -1e9));
      const W = tf.mul(tf.softmax(S, -1), allowed);
      const O = tf
        .matMul(W, V)
        .transpose([0, 2, 1, 3])
        .reshape([B * 5, H * 4]);
      return tf.add(tf.matMul(O, t(ws[6]).reshape([H * 4, 6])), t(ws[7])).dataSync();
    });
    expectClose(ours.data, theirs, { atol: 1e-5, rtol: 1e-5 });
  });
});

describe('MultiHeadAttention: masks, dropout', () => {
  it('a query step with no allowed key gets zero weights (Keras 3), so its output is the output bias', () => {
    setBackend(backends[1]);
    const s: Setup = { label: '', opts: { numHeads: 2, keyDim: 2 }, q: [2, 3], v: [3, 3], k: null, masks: true, scores: true };
    const { m } = build(s);
    const bias = Float32Array.of(0.5, -0.25, 2);
    m.setWeights(m.getWeights().map((w, i, all) => (i === all.length - 1 ? new Tensor(bias, [3]) : w)));
    const xs = [
      rand([1, 2, 3], 61),
      rand([1, 3, 3], 62),
      new Tensor(Float32Array.of(0, 1), [1, 2]),
      new Tensor(Float32Array.of(1, 0, 1), [1, 3]),
    ];
    const [out, w] = m.predict(xs) as Tensor[];
    expect(Array.from(out.data.subarray(0, 3))).toEqual(Array.from(bias));
    // (h, i, j): query 0 is masked in both heads; query 1 skips key 1
    expect(Array.from(w.data.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(w.data[4]).toBe(0);
    expect(w.data[3] + w.data[5]).toBeCloseTo(1, 6);
  });

  it('dropout drops weights in training only; the scores output is taken before dropout, as in Keras', () => {
    setBackend(backends[1]);
    const x = input({ shape: [6, 4] });
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, dropout: 0.5 });
    const [yTrain, sTrain] = mha.apply([x, x], { training: true, returnAttentionScores: true });
    const [yInfer, sInfer] = mha.apply([x, x], { returnAttentionScores: true });
    const m = model({ inputs: x, outputs: [yTrain, sTrain, yInfer, sInfer], seed: 8 });
    const [a, sa, b, sb] = m.predict(rand([2, 6, 4], 70)) as Tensor[];
    expectClose(sa.data, sb.data, { atol: 0, rtol: 0, label: 'scores before dropout' });
    expect(Array.from(a.data).some((v, i) => Math.abs(v - b.data[i]) > 1e-3)).toBe(true);
  });
});

describe('MultiHeadAttention: bad options and calls fail at build time and change nothing', () => {
  it('names the layer, the option and the shapes', () => {
    expect(() => layers.multiHeadAttention({ numHeads: 2, keyDim: 0 })).toThrow(
      /keyDim must be a positive integer of at most 16777216, got 0/,
    );
    expect(() => layers.multiHeadAttention({ numHeads: 0, keyDim: 4 })).toThrow(/numHeads must be a positive integer/);
    expect(() => layers.multiHeadAttention({ numHeads: 2, keyDim: 4, attentionAxes: [1] } as never)).toThrow(
      /unknown option 'attentionAxes'/,
    );
    expect(() => layers.multiHeadAttention({ numHeads: 2, keyDim: 4, outputShape: [2, 3] as never })).toThrow(
      /outputShape must be one positive integer/,
    );
    const x = input({ shape: [5, 6] });
    const odd = layers.multiHeadAttention({ numHeads: 4 });
    expect(() => odd.apply([x, x])).toThrow(/numHeads 4 does not divide the query's 6 features; give keyDim/);
    expect(odd.isBuilt).toBe(false);
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 3 });
    expect(() => mha.apply(x)).toThrow(/MultiHeadAttention takes 2 to 3 inputs, got 1/);
    expect(() => mha.apply([x, x], { attentionMask: input({ shape: [5, 4] }) })).toThrow(
      /attentionMask must be a float32 0\/1 tensor of shape \(batch, Tq, Tv\) = \(batch, 5, 5\), got float32 \(batch, 5, 4\)/,
    );
    expect(() => mha.apply([x, x], { attentionMask: input({ shape: [5] }) })).toThrow(/attentionMask must be/);
    expect(() => mha.apply([x, x], { mask: [input({ shape: [4] }), null] })).toThrow(/mask\[0\] must have shape \(batch, 5\)/);
    expect(() => mha.apply([x, input({ shape: [5, 6] }), input({ shape: [4, 6] })])).toThrow(/key and value must have the same time steps/);
    expect(() => mha.apply([x, x], { returnAttentionScores: 1 } as never)).toThrow(/returnAttentionScores must be true or false/);
    expect(mha.inboundNodes.length).toBe(0);
    expect(mha.isBuilt).toBe(false);
    const y = mha.apply([x, x]);
    expect(y.shape).toEqual([null, 5, 6]);
    expect(() => mha.apply([input({ shape: [5, 7] }), x])).toThrow(/was built for query, value, key features \(6, 6, 6\), got \(7, 6, 6\)/);
    expect(mha.inboundNodes.length).toBe(1);
  });
});
