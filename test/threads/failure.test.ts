/**
 * A worker thread that stops or fails: the call that needed it fails with
 * E_BACKEND, the model's weights (and its optimizer) are as they were before
 * that step, and later calls run on the threads left. Also the pages' path:
 * a thread that may not block spins for synchronous calls, and one without
 * Atomics.waitAsync is woken by a message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { WasmRnnError } from '../../src/errors.js';
import { CMD_DROP, DONE, MID, NOTIFY } from '../../src/threads/control.js';
import type { ThreadPool } from '../../src/threads/pool.js';
import { CASES, threaded } from './helpers.js';

const open: Backend[] = [];
afterEach(() => {
  for (const be of open.splice(0)) be.pool?.close();
});

async function backend(n = 2): Promise<Backend> {
  const be = await threaded(n);
  open.push(be);
  expect(be.pool?.size).toBe(n);
  return be;
}

const tagger = CASES[0];

describe('a worker thread that stops', () => {
  it('mid-epoch: fit fails with E_BACKEND and the weights are those of the last finished step', async () => {
    const be = await backend();
    const m = tagger.make(be);
    let after: Float32Array | null = null;
    let batches = 0;
    const err = await m
      .fit(tagger.x, tagger.y, {
        epochs: 5,
        batchSize: 8,
        verbose: 0,
        callbacks: {
          onBatchEnd: (b) => {
            batches++;
            after = m.getWeightsFlat();
            if (b === 1) be.pool!.kill(0);
          },
        },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WasmRnnError);
    expect(err.code).toBe('E_BACKEND');
    expect(err.message).toMatch(/training step failed: worker thread 1 stopped \(.*\); the weights are as they were before this step/);
    expect(batches).toBe(2);
    expect(Array.from(m.getWeightsFlat())).toEqual(Array.from(after!));
    // the model goes on, on the one thread left
    await new Promise((r) => setTimeout(r, 50));
    expect(be.pool!.size).toBe(1);
    expect(be.pool!.notes.join('\n')).toMatch(/worker thread 1 stopped/);
    const h = await m.fit(tagger.x, tagger.y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
  });

  it('during a step it was given (fit awaits its exit), and in a blocking call (which gives up after stallMs)', async () => {
    for (const blocking of [false, true]) {
      const be = await backend();
      const pool = be.pool!;
      pool.stallMs = 3000;
      const m = tagger.make(be);
      await m.fit(tagger.x, tagger.y, { epochs: 1, batchSize: 8, verbose: 0 });
      const before = m.getWeightsFlat();
      const opt = m.optimizer!.getState(be).map((t) => Array.from(t));
      killOnNextStep(pool);
      const err = blocking
        ? (() => {
            try {
              m.trainOnBatch(tagger.x, tagger.y);
            } catch (e) {
              return e as WasmRnnError;
            }
          })()
        : await m.fit(tagger.x, tagger.y, { epochs: 1, batchSize: 8, verbose: 0 }).catch((e) => e);
      expect(err).toBeInstanceOf(WasmRnnError);
      expect(err!.code).toBe('E_BACKEND');
      expect(Array.from(m.getWeightsFlat())).toEqual(Array.from(before));
      expect(m.optimizer!.getState(be).map((t) => Array.from(t))).toEqual(opt);
    }
  });
});

describe("an answer that does not come (fit's non-blocking wait)", () => {
  it('gives up after stallMs, as a blocking wait does: the worker is out of the pool', async () => {
    const be = await backend();
    const pool = be.pool!;
    pool.stallMs = 300;
    const err = await pool.waitAsync(0, DONE, 1_000).catch((e) => e);
    expect(err).toBeInstanceOf(WasmRnnError);
    expect(err.message).toMatch(/worker thread 1 stopped \(no answer within 0.3 s\)/);
    expect(pool.size).toBe(1);
  });

  it('fails at once when the threads are closed while it waits (not at the stall timeout)', async () => {
    const be = await backend();
    const pool = be.pool!;
    pool.stallMs = 600_000;
    const t0 = performance.now();
    // at a midpoint: the worker's answer to EXIT (DONE) does not wake this wait
    const waiting = pool.waitAsync(0, MID, 1_000).catch((e) => e);
    pool.close();
    const err = await waiting;
    expect(err).toBeInstanceOf(WasmRnnError);
    expect(err.message).toMatch(/worker thread 1 stopped \(the threads were closed\)/);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('a worker thread whose job fails', () => {
  it('fails the call with its message; nothing is updated', async () => {
    const be = await backend();
    const m = tagger.make(be);
    m.trainOnBatch(tagger.x, tagger.y);
    const before = m.getWeightsFlat();
    // the worker forgets the model's replica behind the driver's back
    const pool = be.pool!;
    const id = (m as unknown as { engine(w: string): { parallel(B: number): { id: number } } }).engine('t').parallel(22).id;
    pool.waitSync(0, 1, pool.post(0, CMD_DROP, id));
    expect(() => m.trainOnBatch(tagger.x, tagger.y)).toThrow(
      /worker thread 1 failed: no replica \d+ in this thread; the weights are as they were before this step/,
    );
    expect(Array.from(m.getWeightsFlat())).toEqual(Array.from(before));
  });
});

describe("where this thread may not block (a page's main thread)", () => {
  it('synchronous calls spin, fit awaits; without Atomics.waitAsync a message wakes it: the same numbers', async () => {
    const ref = await backend();
    const be = await backend();
    const pool = be.pool! as { -readonly [K in keyof ThreadPool]: ThreadPool[K] };
    pool.blocking = false;
    pool.hasWaitAsync = false;
    for (const s of pool.slots) s.i32[NOTIFY] = 1;
    const runs = await Promise.all(
      [ref, be].map(async (b) => {
        const m = CASES[2].make(b);
        const h = await m.fit(CASES[2].x, CASES[2].y, { epochs: 2, batchSize: 8, verbose: 0 });
        const loss = m.trainOnBatch(CASES[2].x, CASES[2].y);
        return [...h.history.loss, loss, ...Array.from(m.getWeightsFlat())];
      }),
    );
    expect(runs[1]).toEqual(runs[0]);
  });
});

/** Kill worker 0 right after the next job is handed to it (before it can answer). */
function killOnNextStep(pool: ThreadPool): void {
  const post = pool.post.bind(pool);
  pool.post = (w, cmd, ...rest) => {
    const seq = post(w, cmd, ...rest);
    if (cmd === 3) {
      pool.kill(w);
      pool.post = post;
    }
    return seq;
  };
}
