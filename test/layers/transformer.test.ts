/**
 * The attention layers in whole models: a Transformer encoder classifier in
 * a few lines learns a task that needs attention; a float64 gradient check
 * through a whole encoder block (residuals, LayerNorms, a causal
 * MultiHeadAttention); the artifact stores every new layer and call option
 * and loads back bit-exact, training on identically; memory stays flat over
 * 2,000 training steps of a small W7.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Tensor, input, layers, loadModelSync, model, optimizers } from '../../src/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, randomArray } from '../util.js';

let be: Backend;
beforeAll(async () => {
  be = await createBackend({ backend: 'wasm-simd' });
  setBackend(be);
});

/** W7's encoder block at any size: MHA + residual + LayerNorm, Dense(relu) -> Dense + residual + LayerNorm. */
function encoder(x: SymbolicTensor, D: number, H: number, F: number, opts: { causal?: boolean } = {}): SymbolicTensor {
  const a = layers.multiHeadAttention({ numHeads: H, keyDim: D / H }).apply([x, x], { useCausalMask: !!opts.causal });
  const h1 = layers.layerNormalization({ epsilon: 1e-6 }).apply(layers.add().apply([x, a]));
  const f = layers.dense({ units: D }).apply(layers.dense({ units: F, activation: 'relu' }).apply(h1));
  return layers.layerNormalization({ epsilon: 1e-6 }).apply(layers.add().apply([h1, f]));
}

describe('a Transformer encoder classifier', () => {
  it('learns whether token 1 comes before token 2 (order: needs the positions and attention)', async () => {
    setBackend(be);
    const T = 8;
    const V = 6;
    const rng = new Rng(9);
    const n = 256;
    const ids = new Int32Array(n * T);
    const y = new Float32Array(n);
    for (let s = 0; s < n; s++) {
      // filler tokens 3..5, then a 1 and a 2 at two distinct places
      for (let t = 0; t < T; t++) ids[s * T + t] = 3 + rng.int(3);
      const i = rng.int(T);
      let j = rng.int(T - 1);
      if (j >= i) j++;
      ids[s * T + i] = 1;
      ids[s * T + j] = 2;
      y[s] = i < j ? 1 : 0;
    }
    const x = input({ shape: [T], dtype: 'int32' });
    const e = layers.tokenAndPositionEmbedding({ vocabularySize: V, sequenceLength: T, embeddingDim: 16 }).apply(x);
    const h = encoder(e, 16, 2, 32);
    const out = layers.dense({ units: 1, activation: 'sigmoid' }).apply(layers.globalAveragePooling1d().apply(h));
    const m = model({ inputs: x, outputs: out, seed: 3 });
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const xs = new Tensor(ids, [n, T]);
    const ys = new Tensor(y, [n, 1]);
    const before = m.evaluate(xs, ys);
    await m.fit(xs, ys, { epochs: 30, batchSize: 32 });
    const after = m.evaluate(xs, ys);
    expect(after.loss).toBeLessThan(before.loss / 3);
    expect(after.accuracy).toBeGreaterThan(0.95);
  });

  it('gradients through a whole causal encoder block (float64 twin): every weight and the input', () => {
    useFloat64Twin();
    const x = input({ shape: [5, 4] });
    const m = model({ inputs: x, outputs: encoder(x, 4, 2, 6, { causal: true }), seed: 5 });
    gradCheck(m, new Tensor(randomArray(new Rng(4), 2 * 5 * 4, -1, 1), [2, 5, 4]), { maxPerWeight: 16 });
  });
});

describe('the artifact', () => {
  it('stores every attention-era layer and call option; loads bit-exact and trains on identically', async () => {
    setBackend(be);
    const T = 6;
    const ids = input({ shape: [T], dtype: 'int32', name: 'ids' });
    const am = input({ shape: [T, T], name: 'allowed' });
    const e = layers
      .tokenAndPositionEmbedding({ vocabularySize: 9, sequenceLength: T, embeddingDim: 8, maskZero: true, name: 'tpe' })
      .apply(ids);
    const a = layers
      .multiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2, outputShape: 8, dropout: 0.1, name: 'mha' })
      .apply([e, e], { attentionMask: am, useCausalMask: true });
    const n = layers.layerNormalization({ name: 'ln', center: false }).apply(layers.add().apply([e, a]));
    const [c, scores] = layers
      .attention({ scoreMode: 'concat', useScale: true, dropout: 0.2, name: 'luong' })
      .apply([n, e], { returnAttentionScores: true });
    const d = layers.additiveAttention({ name: 'bahdanau' }).apply([c, n, e]);
    const s = layers.dot({ axes: [2, 2], normalize: true, name: 'cos' }).apply([d, n]);
    const out = layers
      .dense({ units: 1, activation: 'sigmoid', name: 'head' })
      .apply(layers.flatten().apply(layers.concatenate().apply([s, scores])));
    const m = model({ inputs: [ids, am], outputs: out, seed: 12 });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const rng = new Rng(2);
    const N = 16;
    const xi = new Tensor(
      Int32Array.from({ length: N * T }, (_, i) => (i % T === T - 1 ? 0 : 1 + rng.int(8))),
      [N, T],
    );
    const xa = new Tensor(
      Float32Array.from({ length: N * T * T }, (_, i) => (i % T === 0 || rng.next() > 0.3 ? 1 : 0)),
      [N, T, T],
    );
    const y = new Tensor(
      Float32Array.from({ length: N }, () => rng.int(2)),
      [N, 1],
    );
    await m.fit([xi, xa], y, { epochs: 2, batchSize: 8 });
    const bytes = m.serialize({ includeOptimizer: true });
    const back = loadModelSync(bytes);
    expect(back.layers.map((l) => l.className)).toEqual(m.layers.map((l) => l.className));
    expect(back.layers.map((l) => l.getConfig())).toEqual(m.layers.map((l) => l.getConfig()));
    const nodes = (mm: Pick<typeof m, 'topology'>) => mm.topology('test').nodes.map((nd) => nd.call);
    expect(nodes(back)).toEqual(nodes(m));
    const bits = (t: Tensor) => Array.from(new Int32Array(t.data.buffer, t.data.byteOffset, t.data.length));
    expect(bits(back.predict([xi, xa]) as Tensor)).toEqual(bits(m.predict([xi, xa]) as Tensor));
    m.getWeights().forEach((w, i) => expect(bits(back.getWeights()[i])).toEqual(bits(w)));
    // the same steps from the same state: the optimizer and the dropout seeds travel too
    const l1 = [m.trainOnBatch([xi, xa], y), m.trainOnBatch([xi, xa], y)];
    const l2 = [back.trainOnBatch([xi, xa], y), back.trainOnBatch([xi, xa], y)];
    expect(l2).toEqual(l1);
  });
});

describe('memory', () => {
  it('2,000 training steps of a small W7 keep WASM memory and the JS heap flat', () => {
    setBackend(be);
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'vitest runs with --expose-gc').toBeTypeOf('function');
    const T = 12;
    const x = input({ shape: [T], dtype: 'int32' });
    const e = layers.tokenAndPositionEmbedding({ vocabularySize: 50, sequenceLength: T, embeddingDim: 8 }).apply(x);
    const out = layers.dense({ units: 1, activation: 'sigmoid' }).apply(layers.globalAveragePooling1d().apply(encoder(e, 8, 2, 16)));
    const m = model({ inputs: x, outputs: out, seed: 1 });
    m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'binaryCrossentropy' });
    const rng = new Rng(5);
    const xs = new Tensor(
      Int32Array.from({ length: 4 * T }, () => 1 + rng.int(49)),
      [4, T],
    );
    const ys = new Tensor(Float32Array.of(0, 1, 1, 0), [4, 1]);
    const heap = () => {
      gc!();
      gc!();
      return process.memoryUsage().heapUsed;
    };
    for (let i = 0; i < 50; i++) m.trainOnBatch(xs, ys);
    const wasm0 = be.arena.stats();
    const heap0 = heap();
    for (let i = 0; i < 2000; i++) m.trainOnBatch(xs, ys);
    const wasm1 = be.arena.stats();
    const heap1 = heap();
    expect(wasm1.heap).toBe(wasm0.heap);
    expect(wasm1.inUse).toBe(wasm0.inUse);
    expect(heap1 - heap0).toBeLessThan(2 * 1024 * 1024);
    m.dispose();
  });
});
