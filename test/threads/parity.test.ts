/**
 * Data-parallel training computes what one thread computes: on 2 and 3
 * threads the losses, metrics, predictions and weights of fit (shuffled
 * batches, validation, sample weights), evaluate and predict equal one
 * thread's within float rounding, on a masked per-step tagger, a two-input
 * two-output functional model and a dropout stack; and a given thread count
 * gives the same bits run after run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { setCoresForTesting } from '../../src/threads/options.js';
import type { Tensor } from '../../src/index.js';
import { expectClose } from '../util.js';
import { CASES, threaded, type Case } from './helpers.js';

const backends = new Map<number, Backend>();

beforeAll(async () => {
  // this machine may have 2 cores; 3 threads must still run for the test
  setCoresForTesting(4);
  for (const n of [1, 2, 3]) backends.set(n, await threaded(n));
  setCoresForTesting(null);
});

afterAll(() => {
  for (const be of backends.values()) be.pool?.close();
});

interface Run {
  batchLoss: number[];
  logs: number[];
  pred: number[];
  evalLogs: number[];
  weights: Float32Array;
}

async function train(c: Case, be: Backend): Promise<Run> {
  const m = c.make(be);
  const batchLoss: number[] = [];
  const h = await m.fit(c.x, c.y, {
    epochs: 3,
    batchSize: 8,
    sampleWeight: c.sw,
    validationData: [c.x, c.y],
    verbose: 0,
    callbacks: { onBatchEnd: (_b, logs) => void batchLoss.push(logs.loss) },
  });
  const logs = Object.keys(h.history)
    .sort()
    .flatMap((k) => h.history[k]);
  const out = m.predict(c.x, { batchSize: 22 });
  const pred = (Array.isArray(out) ? out : [out]).flatMap((t: Tensor) => Array.from(t.data));
  const ev = m.evaluate(c.x, c.y, { batchSize: 11 });
  const evalLogs = Object.keys(ev)
    .sort()
    .map((k) => ev[k]);
  const weights = m.getWeightsFlat();
  m.dispose();
  return { batchLoss, logs, pred, evalLogs, weights };
}

describe("threads give one thread's numbers", () => {
  it('the backends run the threads they were given', () => {
    expect([1, 2, 3].map((n) => backends.get(n)!.pool?.size ?? 1)).toEqual([1, 2, 3]);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const one = await train(c, backends.get(1)!);
      expect(one.batchLoss).toHaveLength(9);
      for (const n of [2, 3]) {
        const r = await train(c, backends.get(n)!);
        const label = `${n} threads`;
        expectClose(r.batchLoss, one.batchLoss, { atol: 2e-6, rtol: 2e-5, label: `${label}: batch losses` });
        expectClose(r.logs, one.logs, { atol: 2e-6, rtol: 2e-5, label: `${label}: epoch logs (loss, metrics, val_*)` });
        expectClose(r.pred, one.pred, { atol: 2e-6, rtol: 2e-5, label: `${label}: predictions` });
        expectClose(r.evalLogs, one.evalLogs, { atol: 2e-6, rtol: 2e-5, label: `${label}: evaluate` });
        expectClose(r.weights, one.weights, { atol: 2e-6, rtol: 2e-5, label: `${label}: weights` });
      }
    });
  }

  it('a thread count gives the same bits run after run (and differs from one thread only in the last bits)', async () => {
    for (const c of CASES) {
      const a = await train(c, backends.get(3)!);
      const b = await train(c, backends.get(3)!);
      expect(b.batchLoss).toEqual(a.batchLoss);
      expect(b.logs).toEqual(a.logs);
      expect(b.pred).toEqual(a.pred);
      expect(new Uint32Array(b.weights.buffer)).toEqual(new Uint32Array(a.weights.buffer));
    }
  });
});
