// Batched GEMM over a (P, Q) grid of matrices, f32, row-major: the products
// of attention (batch rows × heads) and of Keras's Dot layer.
//
//   C[p,q] (M,N)  =|+=  op(A[p,q]) (M,K) · op(B[p,q]) (K,N)     p < P, q < Q
//   X[p,q] starts at element  p·sx1 + q·sx2  of x; its rows are ldx apart.
//   op(A) = A (M,K) or Aᵀ with A stored (K,M); op(B) = B (K,N) or Bᵀ, B stored (N,K).
//
// Two strides per operand let Keras's MultiHeadAttention layout go without a
// transpose: the projected query Q (B,T,H,Kd) of batch row b and head h is
// the (T, Kd) matrix at b·T·H·Kd + h·Kd with row stride H·Kd, and the scores
// S (B,H,Tq,Tk) of (b, h) the dense (Tq, Tk) matrix at (b·H + h)·Tq·Tk.
// The host checks that every operand's (p, ·) block fits in sx1 elements.
//
// Each entry runs the blocked GEMM of gemm.ts (pack A and B, 4x8 SIMD
// micro-kernel): packing costs O(MK + KN) against the product's O(MNK), and
// attention's matrices (T = 200, Kd = 16) are large enough for that to be
// small. `work`: GEMM_WORK f32 of scratch.

import { gemm } from './gemm';
import { F32 } from './simd';

function batched(
  c: usize, ldc: i32, sc1: i32, sc2: i32,
  a: usize, lda: i32, sa1: i32, sa2: i32, transA: bool,
  b: usize, ldb: i32, sb1: i32, sb2: i32, transB: bool,
  P: i32, Q: i32, M: i32, N: i32, K: i32, accumulate: bool, work: usize,
): void {
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) {
      const cp = c + (<usize>p * <usize>sc1 + <usize>q * <usize>sc2) * F32;
      const ap = a + (<usize>p * <usize>sa1 + <usize>q * <usize>sa2) * F32;
      const bp = b + (<usize>p * <usize>sb1 + <usize>q * <usize>sb2) * F32;
      gemm(cp, ldc, ap, lda, transA, bp, ldb, transB, M, N, K, accumulate, work);
    }
  }
}

// C[p,q] (M,N) =|+= A[p,q] (M,K) · B[p,q] (K,N)
export function batched_gemm_nn_f32(c: usize, ldc: i32, sc1: i32, sc2: i32, a: usize, lda: i32, sa1: i32, sa2: i32,
  b: usize, ldb: i32, sb1: i32, sb2: i32, P: i32, Q: i32, M: i32, N: i32, K: i32, accumulate: i32, work: usize): void {
  batched(c, ldc, sc1, sc2, a, lda, sa1, sa2, false, b, ldb, sb1, sb2, false, P, Q, M, N, K, accumulate != 0, work);
}

// C[p,q] (M,N) =|+= A[p,q] (M,K) · B[p,q]ᵀ, B stored (N,K): scores Q·Kᵀ
export function batched_gemm_nt_f32(c: usize, ldc: i32, sc1: i32, sc2: i32, a: usize, lda: i32, sa1: i32, sa2: i32,
  b: usize, ldb: i32, sb1: i32, sb2: i32, P: i32, Q: i32, M: i32, N: i32, K: i32, accumulate: i32, work: usize): void {
  batched(c, ldc, sc1, sc2, a, lda, sa1, sa2, false, b, ldb, sb1, sb2, true, P, Q, M, N, K, accumulate != 0, work);
}

// C[p,q] (M,N) =|+= A[p,q]ᵀ · B[p,q] (K,N), A stored (K,M): dV = Wᵀ·dO, dK = dSᵀ·Q
export function batched_gemm_tn_f32(c: usize, ldc: i32, sc1: i32, sc2: i32, a: usize, lda: i32, sa1: i32, sa2: i32,
  b: usize, ldb: i32, sb1: i32, sb2: i32, P: i32, Q: i32, M: i32, N: i32, K: i32, accumulate: i32, work: usize): void {
  batched(c, ldc, sc1, sc2, a, lda, sa1, sa2, true, b, ldb, sb1, sb2, false, P, Q, M, N, K, accumulate != 0, work);
}

// C[p,q] (M,N) =|+= A[p,q]ᵀ · B[p,q]ᵀ, A stored (K,M), B stored (N,K): Dot on axes (1, 2)
export function batched_gemm_tt_f32(c: usize, ldc: i32, sc1: i32, sc2: i32, a: usize, lda: i32, sa1: i32, sa2: i32,
  b: usize, ldb: i32, sb1: i32, sb2: i32, P: i32, Q: i32, M: i32, N: i32, K: i32, accumulate: i32, work: usize): void {
  batched(c, ldc, sc1, sc2, a, lda, sa1, sa2, true, b, ldb, sb1, sb2, true, P, Q, M, N, K, accumulate != 0, work);
}
