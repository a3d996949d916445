/**
 * Activations: the vectorised approximations against float64 Math over
 * [-20, 20] (and far outside, for saturation), derivative-from-output parity,
 * softmax forward/backward, and the =/+= contract.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACT_HARD_SIGMOID, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH,
} from '../../src/backend/abi.js';
import type { Backend } from '../../src/backend/backend.js';
import { loadBackends, upload } from '../backends.js';
import { Rng, SIZES, expectClose, randomArray } from '../util.js';

let js: Backend;
let wasm: Backend[];
beforeAll(async () => {
  ({ js, wasm } = await loadBackends());
});

/** Documented bound (assembly/activations.ts header): max abs error vs float64. */
const MAX_ABS_ERROR = 2e-7;

function grid(lo: number, hi: number, n: number): Float32Array {
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = lo + ((hi - lo) * i) / (n - 1);
  return g;
}

function apply(be: Backend, x: Float32Array, act: number): Float32Array {
  const X = upload(be, x);
  const Y = be.alloc(x.length);
  be.activation(Y, X, x.length, act);
  const y = be.read(Y) as Float32Array;
  be.free(X);
  be.free(Y);
  return y;
}

describe('sigmoid and tanh approximations', () => {
  const x = grid(-20, 20, 400_001);
  const exact: Record<number, (v: number) => number> = {
    [ACT_SIGMOID]: (v) => 1 / (1 + Math.exp(-v)),
    [ACT_TANH]: Math.tanh,
  };
  for (const [name, act] of [['sigmoid', ACT_SIGMOID], ['tanh', ACT_TANH]] as const) {
    it(`${name}: max abs error <= ${MAX_ABS_ERROR} over [-20, 20] on every wasm build`, () => {
      for (const be of wasm) {
        const y = apply(be, x, act);
        let worst = 0;
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(y[i] - exact[act](x[i])));
        expect(worst, `${be.name} ${name}`).toBeLessThanOrEqual(MAX_ABS_ERROR);
      }
    });
  }

  it('saturates cleanly far outside the grid, and keeps the sign of tanh', () => {
    const far = Float32Array.from([-1e30, -1000, -90, -88, 88, 90, 1000, 1e30, -0, 0, 1e-30, -1e-30]);
    for (const be of wasm) {
      const s = apply(be, far, ACT_SIGMOID);
      const t = apply(be, far, ACT_TANH);
      expectClose(s, Array.from(far, (v) => 1 / (1 + Math.exp(-v))), { atol: 1e-7, label: `${be.name} sigmoid` });
      expectClose(t, Array.from(far, Math.tanh), { atol: 1e-7, label: `${be.name} tanh` });
      for (const v of [...s, ...t]) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('propagates NaN', () => {
    for (const be of wasm) {
      expect(Number.isNaN(apply(be, Float32Array.of(NaN), ACT_SIGMOID)[0])).toBe(true);
      expect(Number.isNaN(apply(be, Float32Array.of(NaN), ACT_TANH)[0])).toBe(true);
    }
  });
});

describe('activation forward and backward parity', () => {
  const acts = [ACT_LINEAR, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_HARD_SIGMOID];
  it('forward, in place and not, every size', () => {
    const rng = new Rng(10);
    for (const act of acts) for (const n of SIZES) {
      const x = randomArray(rng, n, -6, 6);
      const want = apply(js, x, act);
      for (const be of wasm) {
        expectClose(apply(be, x, act), want, { atol: 3e-7, rtol: 0, label: `${be.name} act ${act} n=${n}` });
        const X = upload(be, x);
        be.activation(X, X, n, act);
        expectClose(be.read(X), want, { atol: 3e-7, rtol: 0, label: `${be.name} in place act ${act}` });
        be.free(X);
      }
    }
  });

  it('backward from the output, = and +=', () => {
    const rng = new Rng(11);
    for (const act of acts) for (const n of SIZES) for (const accumulate of [false, true]) {
      const y = apply(js, randomArray(rng, n, -4, 4), act);
      const dy = randomArray(rng, n);
      const dx0 = accumulate ? randomArray(rng, n) : new Float32Array(n).fill(NaN);
      const run = (be: Backend) => {
        const [Y, DY, DX] = [upload(be, y), upload(be, dy), upload(be, dx0)];
        be.activationBackward(DX, Y, DY, n, act, accumulate);
        const out = be.read(DX);
        for (const b of [Y, DY, DX]) be.free(b);
        return out;
      };
      const want = run(js);
      // hand check of one element for the twin itself
      const g = act === ACT_SIGMOID ? dy[0] * y[0] * (1 - y[0]) : act === ACT_TANH ? dy[0] * (1 - y[0] * y[0])
        : act === ACT_RELU ? (y[0] > 0 ? dy[0] : 0) : act === ACT_HARD_SIGMOID ? (y[0] > 0 && y[0] < 1 ? 0.2 * dy[0] : 0) : dy[0];
      expect(want[0]).toBeCloseTo(g + (accumulate ? dx0[0] : 0), 6);
      for (const be of wasm) expectClose(run(be), want, { atol: 1e-6, label: `${be.name} backward act ${act} n=${n}` });
    }
  });
});

describe('softmax over rows', () => {
  it('forward sums to one, is shift invariant and matches the twin', () => {
    const rng = new Rng(12);
    for (const R of [1, 3, 5]) for (const C of SIZES) {
      const x = randomArray(rng, R * C, -30, 30);
      const run = (be: Backend, input: Float32Array) => {
        const X = upload(be, input);
        be.softmaxRows(X, X, R, C);
        const out = be.read(X);
        be.free(X);
        return out;
      };
      const want = run(js, x);
      for (let r = 0; r < R; r++) {
        let s = 0;
        for (let j = 0; j < C; j++) s += want[r * C + j];
        expect(s).toBeCloseTo(1, 5);
      }
      for (const be of wasm) {
        expectClose(run(be, x), want, { atol: 1e-6, label: `${be.name} softmax ${R}x${C}` });
        // a huge common shift changes nothing (max subtraction)
        expectClose(run(be, x.map((v) => v + 1000)), want, { atol: 1e-4, label: `${be.name} shifted softmax` });
      }
    }
  });

  it('backward is the Jacobian-vector product, = and +=', () => {
    const rng = new Rng(13);
    for (const C of [1, 5, 8, 17]) for (const accumulate of [false, true]) {
      const R = 3;
      const y = new Float32Array(R * C);
      {
        const X = upload(js, randomArray(rng, R * C, -3, 3));
        js.softmaxRows(X, X, R, C);
        y.set(js.read(X));
      }
      const dy = randomArray(rng, R * C);
      const dx0 = accumulate ? randomArray(rng, R * C) : new Float32Array(R * C).fill(NaN);
      const run = (be: Backend) => {
        const [Y, DY, DX] = [upload(be, y), upload(be, dy), upload(be, dx0)];
        be.softmaxRowsBackward(DX, Y, DY, R, C, accumulate);
        return be.read(DX);
      };
      const want = run(js);
      // explicit Jacobian for row 0: J[j][k] = y_j (δjk − y_k)
      for (let j = 0; j < C; j++) {
        let g = 0;
        for (let k = 0; k < C; k++) g += y[j] * ((j === k ? 1 : 0) - y[k]) * dy[k];
        expect(want[j]).toBeCloseTo(g + (accumulate ? dx0[j] : 0), 5);
      }
      for (const be of wasm) expectClose(run(be), want, { atol: 1e-6, label: `${be.name} softmax backward` });
    }
  });
});
