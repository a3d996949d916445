/**
 * Twin of assembly/gemm.ts: C (M,N) =|+= op(A)·op(B) with leading dimensions,
 * in the loop order a careful JS programmer would pick for each form.
 */
import type { KernelArgs } from '../contract/index.js';
import type { GemmForm } from '../kernels.js';
import type { HeapMemory } from '../memory.js';

/** The kernel: c (M,N) =|+= op(a)·op(b) over Bufs. */
export function gemm(m: HeapMemory, g: KernelArgs<'gemm'>): void {
  matmul(m.f32(), g.form, g.c.off, g.ldc, g.a.off, g.lda, g.b.off, g.ldb, g.M, g.N, g.K, g.accumulate);
}

/** The same over slot offsets: the recurrent twins call it once per step. */
export function matmul(
  h: Float32Array,
  form: GemmForm,
  c: number,
  ldc: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  M: number,
  N: number,
  K: number,
  accumulate: boolean,
): void {
  if (!accumulate) {
    for (let i = 0; i < M; i++) h.fill(0, c + i * ldc, c + i * ldc + N);
  }
  if (form === 'nn') {
    // i-k-j: the inner loop walks a row of B and a row of C
    for (let i = 0; i < M; i++) {
      const ci = c + i * ldc;
      for (let k = 0; k < K; k++) {
        const aik = h[a + i * lda + k];
        const bk = b + k * ldb;
        for (let j = 0; j < N; j++) h[ci + j] += aik * h[bk + j];
      }
    }
  } else if (form === 'nt') {
    // B stored (N,K): C[i,j] is a dot product of two contiguous rows
    for (let i = 0; i < M; i++) {
      const ai = a + i * lda;
      for (let j = 0; j < N; j++) {
        const bj = b + j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += h[ai + k] * h[bj + k];
        h[c + i * ldc + j] += s;
      }
    }
  } else {
    // A stored (K,M): k-i-j, rank-1 updates streaming rows of B and C
    for (let k = 0; k < K; k++) {
      const ak = a + k * lda;
      const bk = b + k * ldb;
      for (let i = 0; i < M; i++) {
        const aki = h[ak + i];
        const ci = c + i * ldc;
        for (let j = 0; j < N; j++) h[ci + j] += aki * h[bk + j];
      }
    }
  }
}
