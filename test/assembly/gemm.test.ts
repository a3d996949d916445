/**
 * GEMM parity: every wasm build against the twin, all three forms, sizes with
 * lane tails in every dimension, padded leading dimensions, and the =/+=
 * contract (overwritten C pre-filled with NaN, accumulated C with random
 * values, the padding between rows never touched).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend, GemmForm } from '../../src/backend/backend.js';
import { loadBackends, upload } from '../backends.js';
import { Rng, SIZES, expectClose, randomArray } from '../util.js';

let js: Backend;
let wasm: Backend[];
beforeAll(async () => {
  ({ js, wasm } = await loadBackends());
});

const SENTINEL = 12345.5;

/** Run one GEMM on `be`; C rows have ldc = N + pad, the pad filled with SENTINEL. */
function runGemm(be: Backend, form: GemmForm, M: number, N: number, K: number, a: Float32Array,
  b: Float32Array, c0: Float32Array, accumulate: boolean, pad: number): Float32Array {
  const lda = (form === 'tn' ? M : K) + pad;
  const ldb = (form === 'nt' ? K : N) + pad;
  const ldc = N + pad;
  const A = upload(be, a);
  const B = upload(be, b);
  const C = upload(be, c0);
  be.gemm(form, C, A, B, M, N, K, { accumulate, lda, ldb, ldc });
  const out = be.read(C) as Float32Array;
  for (const x of [A, B, C]) be.free(x);
  return out;
}

function operands(rng: Rng, form: GemmForm, M: number, N: number, K: number, pad: number, accumulate: boolean) {
  const aRows = form === 'tn' ? K : M;
  const aCols = (form === 'tn' ? M : K) + pad;
  const bRows = form === 'nt' ? N : K;
  const bCols = (form === 'nt' ? K : N) + pad;
  const a = randomArray(rng, aRows * aCols);
  const b = randomArray(rng, bRows * bCols);
  const ldc = N + pad;
  const c0 = new Float32Array(M * ldc);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < ldc; j++) c0[i * ldc + j] = j >= N ? SENTINEL : accumulate ? rng.uniform(-1, 1) : NaN;
  }
  return { a, b, c0 };
}

function check(form: GemmForm, M: number, N: number, K: number, accumulate: boolean, pad: number, rng: Rng) {
  const { a, b, c0 } = operands(rng, form, M, N, K, pad, accumulate);
  const want = runGemm(js, form, M, N, K, a, b, c0, accumulate, pad);
  for (const be of wasm) {
    const got = runGemm(be, form, M, N, K, a, b, c0, accumulate, pad);
    expectClose(got, want, { atol: 2e-6 * Math.sqrt(K) + 1e-6, rtol: 1e-5, label: `${be.name} gemm_${form} M=${M} N=${N} K=${K} acc=${accumulate} pad=${pad}` });
  }
  // the twin itself must leave the row padding alone and overwrite every NaN
  const ldc = N + pad;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < ldc; j++) {
      const v = want[i * ldc + j];
      if (j >= N ? v !== SENTINEL : Number.isNaN(v)) {
        throw new Error(`twin gemm_${form} M=${M} N=${N} K=${K}: C[${i},${j}] = ${v}`);
      }
    }
  }
}

describe.each(['nn', 'nt', 'tn'] as GemmForm[])('gemm_%s', (form) => {
  it('matches the twin over every combination of awkward sizes (=)', () => {
    const rng = new Rng(1);
    for (const M of SIZES) for (const N of SIZES) for (const K of SIZES) check(form, M, N, K, false, 0, rng);
  });

  it('accumulates (+=) and respects padded leading dimensions', () => {
    const rng = new Rng(2);
    for (const M of [1, 4, 5, 17, 65]) for (const N of [1, 7, 8, 9, 33]) for (const K of [1, 3, 16, 65]) {
      check(form, M, N, K, true, 3, rng);
      check(form, M, N, K, false, 5, rng);
    }
  });

  it('crosses every blocking boundary (K > KC, M > MC, N > NC)', () => {
    const rng = new Rng(3);
    check(form, 131, 1031, 259, false, 0, rng);
    check(form, 67, 9, 513, true, 1, rng);
    check(form, 2, 1030, 300, false, 2, rng);
  });

  it('gives a row the same bits whatever the number of rows (M <= 4 packs nothing, larger M packs)', () => {
    // batch-1 prediction must equal the same sequence's row in a batch
    const rng = new Rng(5);
    for (const [N, K] of [[77, 300], [13, 41], [40, 9]]) for (const accumulate of [false, true]) {
      const M = 9;
      const { a, b, c0 } = operands(rng, form, M, N, K, 0, accumulate);
      for (const be of wasm) {
        const full = runGemm(be, form, M, N, K, a, b, c0, accumulate, 0);
        for (const m of [1, 2, 3, 4]) {
          // the first m rows of op(A) and of C
          const sub = form === 'tn'
            ? Float32Array.from({ length: K * m }, (_, i) => a[Math.floor(i / m) * M + (i % m)])
            : a.slice(0, m * K);
          const got = runGemm(be, form, m, N, K, sub, b, c0.slice(0, m * N), accumulate, 0);
          const label = `${be.name} gemm_${form} rows ${m} of ${M}, N=${N} K=${K} acc=${accumulate}`;
          expect(new Uint32Array(got.buffer, got.byteOffset, m * N), label)
            .toEqual(new Uint32Array(full.buffer, full.byteOffset, m * N));
        }
      }
    }
  });

  it('K = 0 clears C for = and keeps it for +=', () => {
    const rng = new Rng(4);
    for (const be of [js, ...wasm]) {
      const { a, b, c0 } = operands(rng, form, 3, 5, 1, 0, true);
      const keep = runGemm(be, form, 3, 5, 0, a, b, c0, true, 0);
      expectClose(keep, c0, { atol: 0, rtol: 0, label: `${be.name} K=0 +=` });
      const cleared = runGemm(be, form, 3, 5, 0, a, b, c0, false, 0);
      expect(Array.from(cleared)).toEqual(new Array(15).fill(0));
    }
  });
});

describe('gemm validation', () => {
  it('rejects buffers too small for the shape, naming the op and argument', () => {
    const A = js.alloc(6);
    const B = js.alloc(6);
    const C = js.alloc(3);
    expect(() => js.gemm('nn', C, A, B, 2, 3, 3)).toThrow(/gemm_nn: argument C needs \(2,3\).* = 6 elements, got a buffer of 3/);
    expect(() => js.gemm('nt', js.alloc(4), A, B, 2, 2, 4)).toThrow(/gemm_nt: argument A needs \(2,4\)/);
    expect(() => js.gemm('nn', C, A, B, 1.5, 3, 3)).toThrow(/dimension M must be an integer/);
    expect(() => js.gemm('nn', C, A, B, 1, 3, 3, { lda: 2 })).toThrow(/lda 2 is smaller than A's row length 3/);
    expect(() => js.gemm('xx' as GemmForm, C, A, B, 1, 1, 1)).toThrow(/form must be/);
    js.free(A);
    expect(() => js.gemm('nn', C, A, B, 1, 3, 2)).toThrow(/argument A was freed/);
  });
});
