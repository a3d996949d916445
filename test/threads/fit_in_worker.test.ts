/**
 * fitInWorker with threads: the worker's init({ threads }) starts its own
 * thread workers (nested workers, dist/threads/thread.js beside dist/threads/pool.js) and
 * trains to the same bits as fit() on the same thread count in this thread.
 * Runs the built bundle (the global setup's temporary dist).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, inject } from 'vitest';
import { threadUrl } from './helpers.js';

describe('fitInWorker', () => {
  it('trains with threads inside its worker, to the bits of fit() on as many threads here', async () => {
    threadUrl(); // marks the temporary dist folder as ES modules
    const dist = inject('distDir');
    const lib = (await import(pathToFileURL(join(dist, 'index.js')).href)) as typeof import('../../src/index.js');
    const be = await lib.createBackend({ backend: 'wasm-simd', threads: 2 });
    expect(be.pool?.size).toBe(2);
    const make = (backend?: typeof be) => {
      const m = new lib.Sequential({
        seed: 5,
        backend,
        layers: [
          lib.layers.embedding({ inputDim: 20, outputDim: 6, maskZero: true }),
          lib.layers.lstm({ units: 8 }),
          lib.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
      m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      return m;
    };
    const x = lib.tensor(
      Int32Array.from({ length: 40 * 6 }, (_, i) => (i % 11 === 0 ? 0 : 1 + (i % 19))),
      [40, 6],
      'int32',
    );
    const y = lib.tensor(
      Float32Array.from({ length: 40 }, (_, i) => i % 2),
      [40, 1],
    );
    const here = make(be);
    const h = await here.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    await lib.init({ backend: 'wasm-simd' });
    const res = await lib.fitInWorker(make(), x, y, {
      epochs: 2,
      batchSize: 16,
      init: { backend: 'wasm-simd', threads: 2 },
      workerUrl: pathToFileURL(join(dist, 'worker/worker.js')),
    });
    expect(res.history.loss).toEqual(h.history.loss);
    expect(Array.from(res.model.getWeightsFlat())).toEqual(Array.from(here.getWeightsFlat()));
    // and it did run on two threads: one thread rounds this model's sums differently
    const one = await make().fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(one.history.loss).not.toEqual(h.history.loss);
    expect(one.history.loss[1]).toBeCloseTo(h.history.loss[1], 5);
    be.pool!.close();
  });
});
