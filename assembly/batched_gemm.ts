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
// micro-kernel): packing costs O(MK + KN) against the product's O(MNK).
// That fails for a narrow C: attention's W·V and dS·K are (T,T)·(T,16),
// and the blocked GEMM would pack (splat four times over) the whole (T,T)
// A for only 16 columns of work. Entries with N <= NARROW_N run their own
// kernels instead: B (K,N) packed once per entry into 8-column panels (it
// is small), A read in place through load32_splat. Full 16-column blocks
// take 2x16 tiles (one splat feeds four B vectors: 8 accumulators, the
// most V8 keeps in registers), the rest 4x8 tiles. Measured in one process
// against the blocked GEMM on W7's shapes: W·V +45%, Wᵀ·dO +5%; splatting
// the lanes of one vector load (tn) or transposing A first measured no better.
// `work`: GEMM_WORK f32 of scratch.

import { gemm } from './gemm';
import { madd, F32 } from './simd';
import { GEMM_NR, GEMM_KC, GEMM_NC } from './abi';

const NR: i32 = GEMM_NR;
/** widest C the narrow path takes */
const NARROW_N: i32 = 32;

/** B (K,N), or Bᵀ stored (N,K), into NR-column panels, zero past N: dst[(panel·K + p)·NR + c]. */
function packPanels(dst: usize, b: usize, ldb: i32, transB: bool, K: i32, N: i32): void {
  for (let j = 0; j < N; j += NR) {
    const nr = min(NR, N - j);
    for (let p = 0; p < K; p++) {
      for (let c = 0; c < NR; c++) {
        let v: f32 = 0;
        if (c < nr) v = transB ? load<f32>(b + (<usize>(j + c) * <usize>ldb + <usize>p) * F32) : load<f32>(b + (<usize>p * <usize>ldb + <usize>(j + c)) * F32);
        store<f32>(dst + <usize>c * F32, v);
      }
      dst += <usize>NR * F32;
    }
  }
}

/** C[0:rows, 0:nr] (=|+=) the first rows and nr columns of the 4x8 result held in c0..c7 (two vectors a row). */
// @ts-ignore: decorator
@inline function storeRows(c: usize, ldc: i32, rows: i32, nr: i32, accumulate: bool,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128, tile: usize): void {
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  for (let r = 0; r < rows; r++) {
    const crow = c + <usize>r * <usize>ldc * F32;
    const trow = tile + <usize>r * <usize>NR * F32;
    for (let j = 0; j < nr; j++) {
      const v = load<f32>(trow + <usize>j * F32);
      const dst = crow + <usize>j * F32;
      store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
    }
  }
}

/**
 * One entry of a narrow product: C (M,N) (=|+=) op(A) (M,K) · Bp, Bp the
 * packed panels of B; A read where it is (lda), four rows at a time (a
 * last partial block reads only its rows).
 */
function narrowEntry(c: usize, ldc: i32, a: usize, lda: i32, transA: bool, bp: usize, M: i32, N: i32, K: i32,
  accumulate: bool, tile: usize): void {
  const aStep = transA ? <usize>lda * F32 : F32;
  const rs0: usize = transA ? F32 : <usize>lda * F32;
  // 2 rows x 16 columns: one splat feeds four vectors of B (two panels)
  const M2 = M & ~1;
  const N16 = N & ~15;
  if (N16 > 0) {
    for (let i = 0; i < M2; i += 2) {
      const a0 = transA ? a + <usize>i * F32 : a + <usize>i * <usize>lda * F32;
      for (let j = 0; j < N16; j += 16) {
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        let b = bp + <usize>j * <usize>K * F32;
        const pb = <usize>K * <usize>NR * F32;
        let ap = a0;
        for (let p = 0; p < K; p++) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          const b2 = v128.load(b + pb);
          const b3 = v128.load(b + pb, 16);
          let av = v128.load32_splat(ap);
          c00 = madd(av, b0, c00);
          c01 = madd(av, b1, c01);
          c02 = madd(av, b2, c02);
          c03 = madd(av, b3, c03);
          av = v128.load32_splat(ap + rs0);
          c10 = madd(av, b0, c10);
          c11 = madd(av, b1, c11);
          c12 = madd(av, b2, c12);
          c13 = madd(av, b3, c13);
          ap += aStep;
          b += <usize>NR * F32;
        }
        const c0 = c + (<usize>i * <usize>ldc + <usize>j) * F32;
        const c1 = c0 + <usize>ldc * F32;
        if (accumulate) {
          c00 = f32x4.add(c00, v128.load(c0)); c01 = f32x4.add(c01, v128.load(c0, 16));
          c02 = f32x4.add(c02, v128.load(c0, 32)); c03 = f32x4.add(c03, v128.load(c0, 48));
          c10 = f32x4.add(c10, v128.load(c1)); c11 = f32x4.add(c11, v128.load(c1, 16));
          c12 = f32x4.add(c12, v128.load(c1, 32)); c13 = f32x4.add(c13, v128.load(c1, 48));
        }
        v128.store(c0, c00); v128.store(c0, c01, 16); v128.store(c0, c02, 32); v128.store(c0, c03, 48);
        v128.store(c1, c10); v128.store(c1, c11, 16); v128.store(c1, c12, 32); v128.store(c1, c13, 48);
      }
    }
  }
  // the rest in 4x8 tiles: every row of the columns past N16, the odd last row of the others
  for (let i0 = 0; i0 < M; i0 += 4) {
    for (let j = 0; j < N; j += NR) {
      const i = j < N16 ? max(i0, M2) : i0;
      const rows = min(min(4, M - i), i0 + 4 - i);
      if (rows <= 0) continue;
      // row r of op(A) at a0 + r·rs, element p at + p·aStep
      const rs = rs0;
      const a0 = transA ? a + <usize>i * F32 : a + <usize>i * <usize>lda * F32;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let b = bp + <usize>j * <usize>K * F32;
      let ap = a0;
      if (rows == 4) {
        const r1: usize = rs;
        const r2: usize = 2 * rs;
        const r3: usize = 3 * rs;
        for (let p = 0; p < K; p++) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          let av = v128.load32_splat(ap);
          c00 = madd(av, b0, c00);
          c01 = madd(av, b1, c01);
          av = v128.load32_splat(ap + r1);
          c10 = madd(av, b0, c10);
          c11 = madd(av, b1, c11);
          av = v128.load32_splat(ap + r2);
          c20 = madd(av, b0, c20);
          c21 = madd(av, b1, c21);
          av = v128.load32_splat(ap + r3);
          c30 = madd(av, b0, c30);
          c31 = madd(av, b1, c31);
          ap += aStep;
          b += <usize>NR * F32;
        }
      } else {
        // the last rows (M % 4): one row at a time into c00, c01
        for (let r = 0; r < rows; r++) {
          let x0 = f32x4.splat(0), x1 = f32x4.splat(0);
          let br = bp + <usize>j * <usize>K * F32;
          let ar = a0 + <usize>r * rs;
          for (let p = 0; p < K; p++) {
            const av = v128.load32_splat(ar);
            x0 = madd(av, v128.load(br), x0);
            x1 = madd(av, v128.load(br, 16), x1);
            ar += aStep;
            br += <usize>NR * F32;
          }
          if (r == 0) { c00 = x0; c01 = x1; }
          else if (r == 1) { c10 = x0; c11 = x1; }
          else { c20 = x0; c21 = x1; }
        }
      }
      storeRows(c + (<usize>i * <usize>ldc + <usize>j) * F32, ldc, rows, min(NR, N - j), accumulate,
        c00, c01, c10, c11, c20, c21, c30, c31, tile);
    }
  }
}

function batched(
  c: usize, ldc: i32, sc1: i32, sc2: i32,
  a: usize, lda: i32, sa1: i32, sa2: i32, transA: bool,
  b: usize, ldb: i32, sb1: i32, sb2: i32, transB: bool,
  P: i32, Q: i32, M: i32, N: i32, K: i32, accumulate: bool, work: usize,
): void {
  const npad = (N + NR - 1) / NR * NR;
  const narrow = N <= NARROW_N && K > 0 && <i64>K * <i64>npad <= <i64>GEMM_KC * <i64>GEMM_NC;
  // the narrow path: packed B in the workspace's B-panel area, its 4x8 scratch tile after it
  const tile = work + <usize>K * <usize>npad * F32;
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) {
      const cp = c + (<usize>p * <usize>sc1 + <usize>q * <usize>sc2) * F32;
      const ap = a + (<usize>p * <usize>sa1 + <usize>q * <usize>sa2) * F32;
      const bp = b + (<usize>p * <usize>sb1 + <usize>q * <usize>sb2) * F32;
      if (narrow) {
        packPanels(work, bp, ldb, transB, K, N);
        narrowEntry(cp, ldc, ap, lda, transA, work, M, N, K, accumulate, tile);
      } else {
        gemm(cp, ldc, ap, lda, transA, bp, ldb, transB, M, N, K, accumulate, work);
      }
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
