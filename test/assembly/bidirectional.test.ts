/**
 * The Bidirectional merge kernels (assembly/bidirectional.ts): hand values
 * for every mode, masked rows, and the wasm builds against the twin over
 * awkward widths with every output pre-filled with NaN.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend, MergeMode } from '../../src/backend/backend.js';
import { loadBackends, upload } from '../backends.js';
import { Rng, SIZES, expectClose, randomArray } from '../util.js';

let js: Backend;
let wasm: Backend[];
beforeAll(async () => {
  ({ js, wasm } = await loadBackends());
});

const MODES: MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

/** Forward and backward on `be`; every output starts as NaN. */
function run(be: Backend, mode: MergeMode, R: number, H: number, f: Float32Array, b: Float32Array, dy: Float32Array, mask: Float32Array | null) {
  const W = mode === 'concat' ? 2 * H : H;
  const [F, Bb, DY] = [upload(be, f), upload(be, b), upload(be, dy)];
  const M = mask ? upload(be, mask) : null;
  const [Y, DF, DB] = [R * W, R * H, R * H].map((n) => upload(be, new Float32Array(n).fill(NaN)));
  be.bidirectionalMerge(Y, F, Bb, M, R, H, mode);
  be.bidirectionalMergeBackward(DF, DB, DY, F, Bb, M, R, H, mode);
  const out = { y: be.read(Y), df: be.read(DF), db: be.read(DB) };
  for (const x of [F, Bb, DY, Y, DF, DB, ...(M ? [M] : [])]) be.free(x);
  return out;
}

describe('bidirectional merge kernels', () => {
  it('hand values for every mode, and masked rows give zero output and zero gradient', () => {
    // R = 2 rows of H = 2; row 1 masked in the second pass
    const f = Float32Array.from([1, 2, 3, 4]);
    const b = Float32Array.from([10, 20, 30, 40]);
    const want = {
      concat: { y: [1, 2, 10, 20, 3, 4, 30, 40], df: [0.1, 0.2, 0.5, 0.6], db: [0.3, 0.4, 0.7, 0.8] },
      sum: { y: [11, 22, 33, 44], df: [0.1, 0.2, 0.3, 0.4], db: [0.1, 0.2, 0.3, 0.4] },
      mul: { y: [10, 40, 90, 160], df: [1, 4, 9, 16], db: [0.1, 0.4, 0.9, 1.6] },
      ave: { y: [5.5, 11, 16.5, 22], df: [0.05, 0.1, 0.15, 0.2], db: [0.05, 0.1, 0.15, 0.2] },
    };
    for (const be of [js, ...wasm]) {
      for (const mode of MODES) {
        const dy = mode === 'concat' ? Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) : Float32Array.from([0.1, 0.2, 0.3, 0.4]);
        const r = run(be, mode, 2, 2, f, b, dy, null);
        const label = `${be.name} ${mode}`;
        expectClose(r.y, want[mode].y, { label: `${label} y` });
        expectClose(r.df, want[mode].df, { label: `${label} df` });
        expectClose(r.db, want[mode].db, { label: `${label} db` });
        const m = run(be, mode, 2, 2, f, b, dy, Float32Array.from([1, 0]));
        const W = mode === 'concat' ? 4 : 2;
        expectClose(m.y, [...want[mode].y.slice(0, W), ...new Array(W).fill(0)], { label: `${label} masked y` });
        expectClose(m.df, [...want[mode].df.slice(0, 2), 0, 0], { label: `${label} masked df` });
        expectClose(m.db, [...want[mode].db.slice(0, 2), 0, 0], { label: `${label} masked db` });
      }
    }
  });

  it('every wasm build equals the twin over awkward widths', () => {
    const rng = new Rng(30);
    for (const H of SIZES) {
      for (const R of [1, 3, 6]) {
        for (const mode of MODES) {
          const W = mode === 'concat' ? 2 * H : H;
          const f = randomArray(rng, R * H);
          const b = randomArray(rng, R * H);
          const dy = randomArray(rng, R * W);
          const mask = rng.next() < 0.5 ? Float32Array.from({ length: R }, () => (rng.next() < 0.4 ? 0 : 1)) : null;
          const want = run(js, mode, R, H, f, b, dy, mask);
          for (const be of wasm) {
            const got = run(be, mode, R, H, f, b, dy, mask);
            const label = `${be.name} ${mode} R=${R} H=${H}`;
            for (const k of ['y', 'df', 'db'] as const) expectClose(got[k], want[k], { atol: 1e-6, label: `${label} ${k}` });
          }
        }
      }
    }
  });

  it('the host checks shapes, modes and aliasing', () => {
    const a = js.alloc(8);
    const y = js.alloc(8);
    expect(() => js.bidirectionalMerge(y, a, a, null, 2, 4, 'max' as never)).toThrow(/bidirectionalMerge: mode must be one of/);
    expect(() => js.bidirectionalMerge(y, a, a, null, 2, 4, 'concat')).toThrow(/bidirectionalMerge: argument y needs \(R,2H\) = \(2,8\)/);
    expect(() => js.bidirectionalMerge(a, a, y, null, 2, 4, 'sum')).toThrow(/y must not overlap f/);
    expect(() => js.bidirectionalMergeBackward(a, a, y, y, y, null, 2, 4, 'sum')).toThrow(/df must not overlap db/);
    js.free(a);
    js.free(y);
  });
});
