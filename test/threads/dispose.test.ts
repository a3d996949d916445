/**
 * dispose() while fit awaits: over threads the step waits for its workers
 * without blocking, so the model can be disposed mid-step. fit then fails
 * with E_STATE (not a TypeError from the freed plan, nor an E_BACKEND from a
 * worker whose replica was dropped mid-step), on one thread as on several,
 * and the threads serve the next model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { createBackend } from '../../src/backend/load.js';
import { WasmRnnError } from '../../src/errors.js';
import { CASES, threaded } from './helpers.js';

const open: Backend[] = [];
afterEach(() => {
  for (const be of open.splice(0)) be.pool?.close();
});

const tagger = CASES[0];

function expectDisposed(err: unknown): void {
  expect(err).toBeInstanceOf(WasmRnnError);
  expect((err as WasmRnnError).code).toBe('E_STATE');
  expect((err as Error).message).toMatch(/was disposed during fit/);
}

describe('dispose() during fit', () => {
  it('over threads, while a step awaits its workers: E_STATE, and the threads go on', async () => {
    const be = await threaded(2);
    open.push(be);
    const m = tagger.make(be);
    await m.fit(tagger.x, tagger.y, { epochs: 1, batchSize: 8, verbose: 0 });
    // dispose just after a step starts waiting for its workers. (A timer was
    // not enough: a fit shorter than its 16 ms yield interval, whose workers
    // always answer before it waits, can finish before any timer fires.)
    const pool = be.pool!;
    const wait = pool.waitAsync;
    let disposing = false;
    pool.waitAsync = function (...a: Parameters<typeof wait>) {
      const waiting = wait.apply(pool, a);
      if (!disposing) {
        disposing = true;
        queueMicrotask(() => m.dispose());
      }
      return waiting;
    };
    const f = m.fit(tagger.x, tagger.y, { epochs: 2, batchSize: 8, verbose: 0 });
    expectDisposed(await f.catch((e) => e));
    expect(disposing).toBe(true);
    pool.waitAsync = wait;
    const next = tagger.make(be);
    const h = await next.fit(tagger.x, tagger.y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
    expect(be.pool!.size).toBe(2);
    next.dispose();
  });

  for (const threads of [1, 2]) {
    it(`from a callback, ${threads === 1 ? 'on one thread' : 'over threads'}: the next batch fails with E_STATE`, async () => {
      const be = threads === 1 ? await createBackend({ backend: 'wasm-simd' }) : await threaded(threads);
      open.push(be);
      const m = tagger.make(be);
      let batches = 0;
      const err = await m
        .fit(tagger.x, tagger.y, {
          epochs: 2,
          batchSize: 8,
          verbose: 0,
          callbacks: {
            onBatchEnd: (b) => {
              batches++;
              if (b === 1) m.dispose();
            },
          },
        })
        .catch((e) => e);
      expectDisposed(err);
      expect(batches).toBe(2);
    });
  }
});
