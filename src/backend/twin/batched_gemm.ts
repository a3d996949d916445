/**
 * Twin of assembly/batched_gemm.ts: the (P, Q) grid of products, each one
 * the GEMM twin's loops (twin/gemm.ts) at its offsets; 'tt' (both operands
 * stored transposed) has its own loop here.
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';
import { matmul } from './gemm.js';

export function batchedGemm(m: HeapMemory, g: KernelArgs<'batchedGemm'>): void {
  const h = m.f32();
  const { form, ldc, sc1, sc2, lda, sa1, sa2, ldb, sb1, sb2, P, Q, M, N, K, accumulate } = g;
  const { c, a, b } = offsets('batchedGemm', g);
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) {
      const cp = c + p * sc1 + q * sc2;
      const ap = a + p * sa1 + q * sa2;
      const bp = b + p * sb1 + q * sb2;
      if (form === 'tt') matmulTT(h, cp, ldc, ap, lda, bp, ldb, M, N, K, accumulate);
      else matmul(h, form, cp, ldc, ap, lda, bp, ldb, M, N, K, accumulate);
    }
  }
}

/** C (M,N) =|+= Aᵀ·Bᵀ, A stored (K,M), B stored (N,K): C[i,j] = Σ_k A[k,i]·B[j,k]. */
function matmulTT(
  h: Float32Array,
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
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const bj = b + j * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += h[a + k * lda + i] * h[bj + k];
      const o = c + i * ldc + j;
      h[o] = accumulate ? h[o] + s : s;
    }
  }
}
