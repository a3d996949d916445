/** Elementwise kernels: wasm builds against the twin and against hand values. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { loadBackends, upload } from '../backends.js';
import { Rng, SIZES, expectClose, randomArray } from '../util.js';

let js: Backend;
let wasm: Backend[];
beforeAll(async () => {
  ({ js, wasm } = await loadBackends());
});

/** Run `op` on every backend with fresh copies of `inputs`; compare buffer `out`. */
function parity(label: string, inputs: Float32Array[], op: (be: Backend, bufs: ReturnType<Backend['alloc']>[]) => void, out = 0, atol = 1e-6) {
  const run = (be: Backend) => {
    const bufs = inputs.map((a) => upload(be, a));
    op(be, bufs);
    const r = be.read(bufs[out]);
    bufs.forEach((b) => be.free(b));
    return r;
  };
  const want = run(js);
  for (const be of wasm) expectClose(run(be), want, { atol, label: `${be.name} ${label}` });
  return want;
}

describe('elementwise kernels', () => {
  it('biasAdd broadcasts over rows, columnSum reduces them (= and +=)', () => {
    const rng = new Rng(20);
    for (const R of [1, 3, 7]) for (const C of SIZES) {
      const x = randomArray(rng, R * C);
      const b = randomArray(rng, C);
      const want = parity(`biasAdd ${R}x${C}`, [new Float32Array(R * C).fill(NaN), x, b], (be, [y, xb, bb]) => be.biasAdd(y, xb, bb, R, C));
      expect(want[(R - 1) * C + C - 1]).toBeCloseTo(x[(R - 1) * C + C - 1] + b[C - 1], 6);
      for (const accumulate of [false, true]) {
        const db0 = accumulate ? randomArray(rng, C) : new Float32Array(C).fill(NaN);
        const got = parity(`columnSum ${R}x${C}`, [db0, x], (be, [db, dy]) => be.columnSum(db, dy, R, C, accumulate));
        let s = accumulate ? db0[0] : 0;
        for (let r = 0; r < R; r++) s += x[r * C];
        expect(got[0]).toBeCloseTo(s, 5);
      }
    }
  });

  it('axpy, scale, mul, add, fill, copy', () => {
    const rng = new Rng(21);
    for (const n of SIZES) {
      const [a, b, c] = [randomArray(rng, n), randomArray(rng, n), randomArray(rng, n)];
      const axpy = parity(`axpy ${n}`, [a, b], (be, [y, x]) => be.axpy(y, x, 0.75, n));
      expect(axpy[n - 1]).toBeCloseTo(a[n - 1] + 0.75 * b[n - 1], 6);
      const sc = parity(`scale ${n}`, [new Float32Array(n).fill(NaN), a], (be, [y, x]) => be.scale(y, x, -2, n));
      expect(sc[0]).toBeCloseTo(-2 * a[0], 6);
      for (const accumulate of [false, true]) {
        const m = parity(`mul ${n}`, [accumulate ? c : new Float32Array(n).fill(NaN), a, b], (be, [y, p, q]) => be.mul(y, p, q, n, accumulate));
        expect(m[n - 1]).toBeCloseTo(a[n - 1] * b[n - 1] + (accumulate ? c[n - 1] : 0), 6);
      }
      const ad = parity(`add ${n}`, [new Float32Array(n).fill(NaN), a, b], (be, [y, p, q]) => be.add(y, p, q, n));
      expect(ad[0]).toBeCloseTo(a[0] + b[0], 6);
      const f = parity(`fill ${n}`, [a], (be, [y]) => be.fill(y, 3.5, n));
      expect(Array.from(f)).toEqual(new Array(n).fill(3.5));
      const cp = parity(`copy ${n}`, [new Float32Array(n).fill(NaN), b], (be, [y, x]) => be.copy(y, x, n));
      expect(Array.from(cp)).toEqual(Array.from(b));
    }
  });

  it('sumSquares in float64 and hasNonFinite find what they should', () => {
    const rng = new Rng(22);
    for (const be of [js, ...wasm]) {
      for (const n of SIZES) {
        const a = randomArray(rng, n);
        const A = upload(be, a);
        let s = 0;
        for (const v of a) s += v * v;
        expect(be.sumSquares(A, n)).toBeCloseTo(s, 8);
        expect(be.hasNonFinite(A, n)).toBe(false);
        for (const bad of [NaN, Infinity, -Infinity]) {
          const at = rng.int(n);
          be.write(A, [bad], at);
          expect(be.hasNonFinite(A, n), `${be.name} ${bad} at ${at} of ${n}`).toBe(true);
          be.write(A, [0], at);
        }
        be.free(A);
      }
      // large values do not overflow the float64 accumulator
      const big = upload(be, new Float32Array(8).fill(3e38));
      expect(be.sumSquares(big)).toBeCloseTo(8 * 9e76, -70);
    }
  });
});
