/**
 * A long run with threads: 2,000 training steps keep the shared memory and
 * the JS heap flat (nothing is allocated per step once the plans exist), and
 * two runs on the same thread count give the same numbers, bit for bit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { CASES, threaded } from './helpers.js';

const STEPS = 2000;
const open: Backend[] = [];
afterAll(() => {
  for (const be of open) be.pool?.close();
});

const gc = (globalThis as { gc?: () => void }).gc!;

describe('2,000 steps on 2 threads', () => {
  it('flat memory, and the same losses and weights run after run', async () => {
    expect(typeof gc).toBe('function'); // vitest runs Node with --expose-gc
    const be = await threaded(2);
    open.push(be);
    // the masked tagger on its 22 rows: slices of 11
    const c = CASES[0];
    const blocks0 = be.arena.stats().blocks;
    const x = c.x as import('../../src/index.js').Tensor;
    const y = c.y as import('../../src/index.js').Tensor;
    const runs: { losses: Float64Array; weights: Float32Array }[] = [];
    for (let run = 0; run < 2; run++) {
      const m = c.make(be);
      const losses = new Float64Array(STEPS);
      let heap0 = 0;
      let js0 = 0;
      for (let s = 0; s < STEPS; s++) {
        losses[s] = m.trainOnBatch(x, y);
        if (s === 100) {
          gc();
          heap0 = be.arena.stats().heap;
          js0 = process.memoryUsage().heapUsed;
        }
      }
      gc();
      const stats = be.arena.stats();
      expect(stats.heap).toBe(heap0);
      expect(process.memoryUsage().heapUsed - js0).toBeLessThan(4 * 2 ** 20);
      runs.push({ losses, weights: m.getWeightsFlat() });
      m.dispose();
    }
    expect(Array.from(runs[1].losses)).toEqual(Array.from(runs[0].losses));
    expect(new Uint32Array(runs[1].weights.buffer)).toEqual(new Uint32Array(runs[0].weights.buffer));
    // the model's memory, its replicas' regions included, went back to the arena
    expect(be.arena.stats().blocks).toBe(blocks0);
  });
});
