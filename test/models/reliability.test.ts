/**
 * Reliability: flat memory over thousands of calls, dispose() gives memory
 * back, too-large models fail before training, interleaved fits do not
 * disturb each other, the same seed gives bit-identical results, and numeric
 * blow-ups stop before they corrupt the weights.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import type { Backend } from '../../src/backend/backend.js';
import { Sequential, Tensor, WasmRnnError, callbacks, layers, optimizers, tensor } from '../../src/index.js';
import { Rng } from '../util.js';

let be: Backend;
beforeAll(async () => {
  be = await createBackend({ backend: 'wasm-simd' });
  setBackend(be);
});

function tiny(seed = 1, backend?: Backend) {
  const m = new Sequential({
    seed,
    backend,
    layers: [
      layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true }),
      layers.lstm({ units: 5 }),
      layers.dropout({ rate: 0.2 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

function data(n: number, T = 6, seed = 3) {
  const rng = new Rng(seed);
  const x = new Tensor(
    Int32Array.from({ length: n * T }, () => rng.int(20)),
    [n, T],
  );
  const y = new Tensor(
    Float32Array.from({ length: n }, () => rng.int(2)),
    [n, 1],
  );
  return { x, y };
}

const gc = (globalThis as { gc?: () => void }).gc;
function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

describe('memory', () => {
  it('2,000 train steps and 10,000 predictions keep WASM memory and the JS heap flat', () => {
    expect(gc, 'vitest runs with --expose-gc').toBeTypeOf('function');
    const m = tiny();
    const { x, y } = data(8);
    const one = new Tensor(x.data.subarray(0, 6) as Int32Array, [1, 6]);
    for (let i = 0; i < 50; i++) {
      m.trainOnBatch(x, y);
      m.predict(one);
    }
    const wasm0 = be.arena.stats();
    const heap0 = heapUsed();
    for (let i = 0; i < 2000; i++) m.trainOnBatch(x, y);
    for (let i = 0; i < 10000; i++) m.predict(one);
    const wasm1 = be.arena.stats();
    const heap1 = heapUsed();
    expect(wasm1.heap).toBe(wasm0.heap);
    expect(wasm1.inUse).toBe(wasm0.inUse);
    expect(heap1 - heap0).toBeLessThan(2 * 1024 * 1024);
  });

  it('dispose() returns every buffer: 200 models built, trained and disposed leave the arena as it was', () => {
    const { x, y } = data(4);
    const before = be.arena.stats();
    for (let i = 0; i < 200; i++) {
      const m = tiny(i);
      m.trainOnBatch(x, y);
      m.predict(x);
      m.dispose();
    }
    const after = be.arena.stats();
    expect(after.inUse).toBe(before.inUse);
    expect(after.blocks).toBe(before.blocks);
    expect(after.heap).toBeLessThanOrEqual(Math.max(before.heap, 4 * 1024 * 1024));
  });

  it('a disposed model says so', () => {
    const m = tiny();
    m.dispose();
    expect(() => m.predict(data(1).x)).toThrow(/was disposed/);
  });

  it('a model too large for memory is E_MEMORY at build, before any training', () => {
    const m = new Sequential({ layers: [layers.embedding({ inputDim: 16_000_000, outputDim: 64 }), layers.lstm({ units: 4 })] });
    const err = (() => {
      try {
        m.build();
      } catch (e) {
        return e as WasmRnnError;
      }
    })();
    expect(err?.code).toBe('E_MEMORY');
    expect(err?.message).toMatch(/parameters need .* GiB/);
    // other models still work
    const ok = tiny();
    expect(ok.predict(data(2).x)).toBeInstanceOf(Tensor);
  });
});

describe('concurrency and determinism', () => {
  it('two models training interleaved (concurrent async fits) equal the same fits run one after the other', async () => {
    const a = data(40, 6, 5);
    const b = data(40, 6, 6);
    const [m1, m2] = [tiny(11), tiny(12)];
    const [h1, h2] = await Promise.all([
      m1.fit(a.x, a.y, { epochs: 3, batchSize: 4, callbacks: [{ onBatchEnd: () => new Promise((r) => setTimeout(r, 0)) }] }),
      m2.fit(b.x, b.y, { epochs: 3, batchSize: 4, callbacks: [{ onBatchEnd: () => new Promise((r) => setTimeout(r, 0)) }] }),
    ]);
    const s1 = await tiny(11).fit(a.x, a.y, { epochs: 3, batchSize: 4 });
    const s2 = await tiny(12).fit(b.x, b.y, { epochs: 3, batchSize: 4 });
    expect(h1.history.loss).toEqual(s1.history.loss);
    expect(h2.history.loss).toEqual(s2.history.loss);
  });

  it('the same seed gives bit-identical weights, losses and predictions; another seed does not', async () => {
    const { x, y } = data(32);
    const run = async (seed: number) => {
      const m = tiny(seed);
      const h = await m.fit(x, y, { epochs: 3, batchSize: 8 });
      return { loss: h.history.loss, w: m.getWeights().map((t) => Array.from(t.data)), p: Array.from((m.predict(x) as Tensor).data) };
    };
    const [r1, r2, r3] = [await run(7), await run(7), await run(8)];
    expect(r2).toEqual(r1);
    expect(r3.loss).not.toEqual(r1.loss);
  });
});

describe('numeric guardrails', () => {
  function regression(lr: number) {
    const m = new Sequential({ seed: 1, layers: [layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: 'meanSquaredError' });
    return m;
  }
  // float32 overflows in the forward pass: the outputs, and so the loss, are infinite
  const x = tensor([
    [3e38, 3e38],
    [2e38, -1e38],
  ]);
  const y = tensor([[1], [0]]);

  it('a non-finite loss stops before the update, names the problem, and keeps the weights', async () => {
    const m = regression(0.01);
    m.setWeights([tensor([[2], [2]]), tensor([0.5])]);
    const before = m.getWeights().map((t) => Array.from(t.data));
    const err = await m.fit(x, y, { epochs: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(WasmRnnError);
    expect(err.code).toBe('E_NUMERIC');
    expect(err.message).toMatch(/loss is (Infinity|NaN).*weights were not updated/);
    expect(m.getWeights().map((t) => Array.from(t.data))).toEqual(before);
  });

  it('a non-finite gradient names the layer and weight', () => {
    const m = regression(0.01);
    // finite loss, overflowing gradient: 2·(out − y)·x/N exceeds float32
    const err = (() => {
      try {
        m.trainOnBatch(tensor([[3e30, 0]]), tensor([[0]]));
      } catch (e) {
        return e as WasmRnnError;
      }
    })();
    expect(err?.code).toBe('E_NUMERIC');
  });

  it('an update that overflows is undone: the weights from before the step are restored', () => {
    const m = regression(1e38);
    const before = m.getWeights().map((t) => Array.from(t.data));
    const err = (() => {
      try {
        m.trainOnBatch(tensor([[1e3, -1e3]]), tensor([[1e6]]));
      } catch (e) {
        return e as WasmRnnError;
      }
    })();
    expect(err?.code).toBe('E_NUMERIC');
    expect(err?.message).toMatch(/non-finite; the weights from before the step were restored/);
    expect(m.getWeights().map((t) => Array.from(t.data))).toEqual(before);
  });

  it('terminateOnNaN stops training quietly and keeps the last good weights', async () => {
    const m = regression(0.01);
    m.setWeights([tensor([[2], [2]]), tensor([0.5])]);
    const before = m.getWeights().map((t) => Array.from(t.data));
    const h = await m.fit(x, y, { epochs: 3, callbacks: [callbacks.terminateOnNaN()] });
    expect(h.epoch.length).toBe(0);
    expect(m.getWeights().map((t) => Array.from(t.data))).toEqual(before);
  });

  it('clipnorm / clipvalue / globalClipnorm keep a huge gradient step bounded', () => {
    // kernel (2) + bias (1) = 3 parameters, learning rate 1
    const bounds: Array<[Record<string, number>, number]> = [
      [{ clipvalue: 0.5 }, 0.5 * Math.sqrt(3)], // every element within ±0.5
      [{ clipnorm: 1 }, Math.SQRT2], // each weight tensor's norm within 1 (Keras: per variable)
      [{ globalClipnorm: 1 }, 1], // all gradients together within 1
    ];
    for (const [opt, bound] of bounds) {
      const m = new Sequential({ seed: 1, layers: [layers.dense({ units: 1, inputShape: [2] })] });
      m.compile({ optimizer: optimizers.sgd({ learningRate: 1, ...opt }), loss: 'meanSquaredError' });
      const w0 = m.getWeights().map((t) => Array.from(t.data));
      m.trainOnBatch(tensor([[1000, -1000]]), tensor([[1e4]]));
      const w1 = m.getWeights().map((t) => Array.from(t.data));
      const step = Math.sqrt(w1.flat().reduce((s, v, i) => s + (v - w0.flat()[i]) ** 2, 0));
      expect(step, JSON.stringify(opt)).toBeLessThanOrEqual(bound + 1e-6);
      expect(step, JSON.stringify(opt)).toBeGreaterThan(bound * 0.5);
    }
  });
});
