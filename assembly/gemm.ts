// GEMM, f32, row-major, BLIS-style: pack A into MR-row panels and B into
// NR-column panels, then one 4x8 micro-kernel (8 f32x4 accumulators) runs
// every tile. The same micro-kernel serves NN, NT and TN: transposition only
// changes how the packers read their operand.
//
//   C (M,N)  =  op(A) (M,K) · op(B) (K,N)      accumulate = 0
//   C (M,N) +=  op(A) (M,K) · op(B) (K,N)      accumulate = 1
//   op(A) = A (M,K), lda >= K   or  Aᵀ with A stored (K,M), lda >= M
//   op(B) = B (K,N), ldb >= N   or  Bᵀ with B stored (N,K), ldb >= K
//   ldc >= N.  work: GEMM_WORK f32 of scratch owned by the caller.
//
// Loop nest (BLIS): jc over NC columns -> pc over KC depth (pack B block) ->
// ic over MC rows (pack A block) -> jr over NR panels -> ir over MR panels.
// A B micro-panel (KC x NR = 8 KB) stays in L1 while the splatted A block
// (MC x KC x 4 = 256 KB) streams from L2.
//
// Why not more: docs/kernel-notes.md measured that a hand-unrolled k loop or
// more than 8 v128 accumulators make V8 spill (xmm0-15 only) and run slower.
//
// A is packed pre-splatted: each element stored 4 times (one v128), so the
// micro-kernel reads it with plain v128.load at an immediate offset. V8 emits
// an extra lea for every offset load32_splat; with 30 instructions in the
// inner loop that alone cost ~15% (46-47 vs 40 GFLOP/s measured here).
//
// Edge tiles (mr < MR or nr < NR) are computed into a scratch tile and the
// valid part is added/copied, so the micro-kernel never branches on edges.
// Rows left over when M % 4 != 0 run a one-row kernel (1x28: seven B vectors)
// instead of wasting 3/4 of a 4x8 tile.
//
// At most SMALL_M rows (batch-1 and small-batch inference, a recurrent step
// at a small batch) nothing is packed: row kernels read A in place through
// load32_splat and B in place (gemm) or from packBFull panels (gemmPackedB).
// A GEMV reads every B element once, so packing it would double the traffic.

import { madd, F32 } from './simd';
import { GEMM_MR, GEMM_NR, GEMM_KC, GEMM_MC, GEMM_NC } from './abi';

const MR: i32 = GEMM_MR;
const NR: i32 = GEMM_NR;
const KC: i32 = GEMM_KC;
const MC: i32 = GEMM_MC;
const NC: i32 = GEMM_NC;

/**
 * GEMMs with at most this many rows pack nothing: each B element is used by
 * so few rows that copying it costs more than it saves (row kernels below).
 */
export const SMALL_M: i32 = 4;

// ---------------------------------------------------------------- packing

/**
 * Pack op(A)[0:mc, 0:kc] (a points at its first element) into MR-row panels,
 * each element splatted over a v128:
 * dst[((panel*kc + p)*MR + r)*4 + lane] = op(A)[panel*MR + r, p], zero past mc.
 */
function packA(dst: usize, a: usize, lda: i32, transA: bool, mc: i32, kc: i32): void {
  const ldaBytes = <usize>lda * F32;
  for (let i = 0; i < mc; i += MR) {
    const mr = min(MR, mc - i);
    if (mr == MR && transA) {
      // A stored (K,M): the 4 values of one p are contiguous; splat each lane
      let src = a + <usize>i * F32;
      for (let p = 0; p < kc; p++) {
        const v = v128.load(src);
        v128.store(dst, i32x4.shuffle(v, v, 0, 0, 0, 0));
        v128.store(dst, i32x4.shuffle(v, v, 1, 1, 1, 1), 16);
        v128.store(dst, i32x4.shuffle(v, v, 2, 2, 2, 2), 32);
        v128.store(dst, i32x4.shuffle(v, v, 3, 3, 3, 3), 48);
        src += ldaBytes;
        dst += <usize>MR * 4 * F32;
      }
    } else if (mr == MR) {
      // A stored (M,K): walk the 4 rows side by side
      const r0 = a + <usize>i * ldaBytes;
      const r1 = r0 + ldaBytes;
      const r2 = r1 + ldaBytes;
      const r3 = r2 + ldaBytes;
      for (let p = 0; p < kc; p++) {
        const o = <usize>p * F32;
        v128.store(dst, v128.load32_splat(r0 + o));
        v128.store(dst, v128.load32_splat(r1 + o), 16);
        v128.store(dst, v128.load32_splat(r2 + o), 32);
        v128.store(dst, v128.load32_splat(r3 + o), 48);
        dst += <usize>MR * 4 * F32;
      }
    } else {
      // the last, partial panel: zeros past mc
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: f32 = 0;
          if (r < mr) {
            v = transA
              ? load<f32>(a + <usize>p * ldaBytes + <usize>(i + r) * F32)
              : load<f32>(a + <usize>(i + r) * ldaBytes + <usize>p * F32);
          }
          v128.store(dst, f32x4.splat(v));
          dst += 4 * F32;
        }
      }
    }
  }
}

/**
 * Pack op(B)[0:kc, 0:nc] (b points at its first element) into NR-column panels:
 * dst[(panel*kc + p)*NR + c] = op(B)[p, panel*NR + c], zero past nc.
 */
function packB(dst: usize, b: usize, ldb: i32, transB: bool, kc: i32, nc: i32): void {
  const panelBytes = <usize>kc * <usize>NR * F32;
  const ldbBytes = <usize>ldb * F32;
  let j = 0;
  if (!transB) {
    // B stored (K,N): a panel row is NR contiguous values. Two panels at a
    // time, so each 64-byte line of a B row is read once: one panel at a time
    // read half a line, and with a power-of-two ldb the other half had left
    // L1 (set conflicts) before the next panel came for it.
    for (; j + 2 * NR <= nc; j += 2 * NR) {
      let src = b + <usize>j * F32;
      let out = dst;
      for (let p = 0; p < kc; p++) {
        const v0 = v128.load(src);
        const v1 = v128.load(src, 16);
        const v2 = v128.load(src, 32);
        const v3 = v128.load(src, 48);
        v128.store(out, v0);
        v128.store(out, v1, 16);
        v128.store(out + panelBytes, v2);
        v128.store(out + panelBytes, v3, 16);
        src += ldbBytes;
        out += <usize>NR * F32;
      }
      dst += 2 * panelBytes;
    }
  } else {
    // B stored (N,K): 4 k-values of each of the panel's 8 columns are
    // contiguous; two 4x4 transposes (shuffles) turn them into 4 panel rows,
    // instead of one scalar load and store per element.
    for (; j + NR <= nc; j += NR) {
      let src = b + <usize>j * ldbBytes;
      let out = dst;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const r0 = v128.load(src);
        const r1 = v128.load(src + ldbBytes);
        const r2 = v128.load(src + 2 * ldbBytes);
        const r3 = v128.load(src + 3 * ldbBytes);
        let s0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
        let s1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        let s2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        let s3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(out, i32x4.shuffle(s0, s1, 0, 1, 4, 5));
        v128.store(out, i32x4.shuffle(s0, s1, 2, 3, 6, 7), 32);
        v128.store(out, i32x4.shuffle(s2, s3, 0, 1, 4, 5), 64);
        v128.store(out, i32x4.shuffle(s2, s3, 2, 3, 6, 7), 96);
        const r4 = v128.load(src + 4 * ldbBytes);
        const r5 = v128.load(src + 5 * ldbBytes);
        const r6 = v128.load(src + 6 * ldbBytes);
        const r7 = v128.load(src + 7 * ldbBytes);
        s0 = i32x4.shuffle(r4, r5, 0, 4, 1, 5);
        s1 = i32x4.shuffle(r6, r7, 0, 4, 1, 5);
        s2 = i32x4.shuffle(r4, r5, 2, 6, 3, 7);
        s3 = i32x4.shuffle(r6, r7, 2, 6, 3, 7);
        v128.store(out, i32x4.shuffle(s0, s1, 0, 1, 4, 5), 16);
        v128.store(out, i32x4.shuffle(s0, s1, 2, 3, 6, 7), 48);
        v128.store(out, i32x4.shuffle(s2, s3, 0, 1, 4, 5), 80);
        v128.store(out, i32x4.shuffle(s2, s3, 2, 3, 6, 7), 112);
        src += 4 * F32;
        out += 4 * <usize>NR * F32;
      }
      for (; p < kc; p++) {
        for (let c = 0; c < NR; c++) store<f32>(out + <usize>c * F32, load<f32>(src + <usize>c * ldbBytes));
        src += F32;
        out += <usize>NR * F32;
      }
      dst += panelBytes;
    }
  }
  // the panels left: at most one full panel (NN) and the last, zero-padded one
  for (; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    if (!transB) {
      let src = b + <usize>j * F32;
      if (nr == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += ldbBytes;
          dst += <usize>NR * F32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++) {
            store<f32>(dst + <usize>c * F32, c < nr ? load<f32>(src + <usize>c * F32) : 0);
          }
          src += ldbBytes;
          dst += <usize>NR * F32;
        }
      }
    } else {
      for (let c = 0; c < NR; c++) {
        let out = dst + <usize>c * F32;
        if (c < nr) {
          let src = b + <usize>(j + c) * ldbBytes;
          for (let p = 0; p < kc; p++) {
            store<f32>(out, load<f32>(src));
            src += F32;
            out += <usize>NR * F32;
          }
        } else {
          for (let p = 0; p < kc; p++) {
            store<f32>(out, 0);
            out += <usize>NR * F32;
          }
        }
      }
      dst += panelBytes;
    }
  }
}

// ---------------------------------------------------------- micro-kernels

/** C[0:4, 0:8] (=|+=) Ap (kc x 4 splatted) · Bp (kc x 8 packed). ldc in elements. */
function kernel4x8(kc: i32, a: usize, b: usize, c: usize, ldc: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const bEnd = b + <usize>kc * <usize>NR * F32;
  while (b < bEnd) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let av = v128.load(a);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load(a, 16);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load(a, 32);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load(a, 48);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    a += <usize>MR * 4 * F32;
    b += <usize>NR * F32;
  }
  const rs = <usize>ldc * F32;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + rs));
    c11 = f32x4.add(c11, v128.load(c + rs, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * rs));
    c21 = f32x4.add(c21, v128.load(c + 2 * rs, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * rs));
    c31 = f32x4.add(c31, v128.load(c + 3 * rs, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + rs, c10);
  v128.store(c + rs, c11, 16);
  v128.store(c + 2 * rs, c20);
  v128.store(c + 2 * rs, c21, 16);
  v128.store(c + 3 * rs, c30);
  v128.store(c + 3 * rs, c31, 16);
}

// ------------------------------------------------ row kernels (small M)
//
// A few rows against many columns: the leftover rows of a packed GEMM, and
// every GEMM with M <= SMALL_M (batch-1 and small-batch inference, a
// recurrent step at a small batch), which packs nothing at all. A is read
// through load32_splat at `ak` bytes per k (in place: 4 or lda·4; from a
// splatted packed panel: MR·16). B's 8-column groups start `gs` bytes apart
// and its k rows `bs` bytes apart: B in place has gs = 32, bs = ldb·4;
// packBFull panels have gs = kc·NR·4, bs = NR·4.
//
// Why 1x28 (seven 4-column vectors) and not 1x32: V8 hoists all the B loads
// of the body ahead of its multiply-adds, so a 1x32 needs 8 accumulators +
// 8 loads + A = 17 xmm registers and one accumulator went to the stack every
// iteration (disassembly): its chain then ran through a store and a reload.
// 7 + 7 + 1 = 15 fit V8's xmm0-14. One row is a GEMV: each column's sum is a
// chain of dependent multiply-adds (4 cycles each when fused), so the kernel
// runs as fast as it has independent chains: 7 against 1x24's 6.

/** C (=|+=) the seven accumulators of a 1×28 row: one place for the epilogue the row kernels share. */
@inline export function storeRow28(c: usize, c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128, c6: v128, accumulate: bool): void {
  if (accumulate) {
    c0 = f32x4.add(c0, v128.load(c));
    c1 = f32x4.add(c1, v128.load(c, 16));
    c2 = f32x4.add(c2, v128.load(c, 32));
    c3 = f32x4.add(c3, v128.load(c, 48));
    c4 = f32x4.add(c4, v128.load(c, 64));
    c5 = f32x4.add(c5, v128.load(c, 80));
    c6 = f32x4.add(c6, v128.load(c, 96));
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
  v128.store(c, c2, 32);
  v128.store(c, c3, 48);
  v128.store(c, c4, 64);
  v128.store(c, c5, 80);
  v128.store(c, c6, 96);
}

/**
 * c[0:28] (=|+=) Σ_k a[k]·B[k, j:j+28]: one row, seven 4-column vectors,
 * seven accumulator chains. b points at the 8-column group holding column j;
 * `half`: j sits at lane 4 of that group (j % 8 == 4), else at lane 0. The
 * seven vectors span four groups (p0..p3), at byte offsets 0 / 16 inside them.
 */
// @ts-ignore: decorator
@inline function row1x28(kc: i32, a: usize, ak: usize, b: usize, bs: usize, gs: usize, c: usize, accumulate: bool, half: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0);
  let p0 = b;
  let p1 = b + gs;
  let p2 = b + 2 * gs;
  let p3 = b + 3 * gs;
  for (let p = 0; p < kc; p++) {
    const av = v128.load32_splat(a);
    if (half) {
      c0 = madd(av, v128.load(p0, 16), c0);
      c1 = madd(av, v128.load(p1), c1);
      c2 = madd(av, v128.load(p1, 16), c2);
      c3 = madd(av, v128.load(p2), c3);
      c4 = madd(av, v128.load(p2, 16), c4);
      c5 = madd(av, v128.load(p3), c5);
      c6 = madd(av, v128.load(p3, 16), c6);
    } else {
      c0 = madd(av, v128.load(p0), c0);
      c1 = madd(av, v128.load(p0, 16), c1);
      c2 = madd(av, v128.load(p1), c2);
      c3 = madd(av, v128.load(p1, 16), c3);
      c4 = madd(av, v128.load(p2), c4);
      c5 = madd(av, v128.load(p2, 16), c5);
      c6 = madd(av, v128.load(p3), c6);
    }
    a += ak;
    p0 += bs;
    p1 += bs;
    p2 += bs;
    p3 += bs;
  }
  storeRow28(c, c0, c1, c2, c3, c4, c5, c6, accumulate);
}

/** row1x28 from lane 0 of a group. */
function row1x28a(kc: i32, a: usize, ak: usize, b: usize, bs: usize, gs: usize, c: usize, accumulate: bool): void {
  row1x28(kc, a, ak, b, bs, gs, c, accumulate, false);
}

/** row1x28 from lane 4 of a group. */
function row1x28h(kc: i32, a: usize, ak: usize, b: usize, bs: usize, gs: usize, c: usize, accumulate: bool): void {
  row1x28(kc, a, ak, b, bs, gs, c, accumulate, true);
}

/** c[0:4] (=|+=) Σ_k a[k]·B[k, 4:8] of one 8-column group: the half group a 1x28 run can leave. */
function row1x4h(kc: i32, a: usize, ak: usize, b: usize, bs: usize, c: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    c0 = madd(v128.load32_splat(a), v128.load(b, 16), c0);
    a += ak;
    b += bs;
  }
  if (accumulate) c0 = f32x4.add(c0, v128.load(c));
  v128.store(c, c0);
}

/** c[0:8] (=|+=) Σ_k a[k]·B[k, 0:8]: one row, one group (the columns 1x28 leaves). */
function row1x8(kc: i32, a: usize, ak: usize, b: usize, bs: usize, c: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const av = v128.load32_splat(a);
    c0 = madd(av, v128.load(b), c0);
    c1 = madd(av, v128.load(b, 16), c1);
    a += ak;
    b += bs;
  }
  if (accumulate) {
    c0 = f32x4.add(c0, v128.load(c));
    c1 = f32x4.add(c1, v128.load(c, 16));
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

/** C[0:2, 0:16] (=|+=) two rows (ar bytes apart) against two 8-column groups; cr: bytes between C rows. */
function rows2x16(kc: i32, a: usize, ar: usize, ak: usize, b: usize, bs: usize, gs: usize, c: usize, cr: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  let b0 = b;
  let b1 = b + gs;
  for (let p = 0; p < kc; p++) {
    const a0 = v128.load32_splat(a);
    const a1 = v128.load32_splat(a + ar);
    const v0 = v128.load(b0);
    const v1 = v128.load(b0, 16);
    const v2 = v128.load(b1);
    const v3 = v128.load(b1, 16);
    c00 = madd(a0, v0, c00);
    c01 = madd(a0, v1, c01);
    c02 = madd(a0, v2, c02);
    c03 = madd(a0, v3, c03);
    c10 = madd(a1, v0, c10);
    c11 = madd(a1, v1, c11);
    c12 = madd(a1, v2, c12);
    c13 = madd(a1, v3, c13);
    a += ak;
    b0 += bs;
    b1 += bs;
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c02 = f32x4.add(c02, v128.load(c, 32));
    c03 = f32x4.add(c03, v128.load(c, 48));
    c10 = f32x4.add(c10, v128.load(c + cr));
    c11 = f32x4.add(c11, v128.load(c + cr, 16));
    c12 = f32x4.add(c12, v128.load(c + cr, 32));
    c13 = f32x4.add(c13, v128.load(c + cr, 48));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c, c02, 32);
  v128.store(c, c03, 48);
  v128.store(c + cr, c10);
  v128.store(c + cr, c11, 16);
  v128.store(c + cr, c12, 32);
  v128.store(c + cr, c13, 48);
}

/** C[0:4, 0:8] (=|+=) four rows read in place (ar bytes apart) against one 8-column group. */
function rows4x8(kc: i32, a: usize, ar: usize, ak: usize, b: usize, bs: usize, c: usize, cr: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const v0 = v128.load(b);
    const v1 = v128.load(b, 16);
    let av = v128.load32_splat(a);
    c00 = madd(av, v0, c00);
    c01 = madd(av, v1, c01);
    av = v128.load32_splat(a + ar);
    c10 = madd(av, v0, c10);
    c11 = madd(av, v1, c11);
    av = v128.load32_splat(a + 2 * ar);
    c20 = madd(av, v0, c20);
    c21 = madd(av, v1, c21);
    av = v128.load32_splat(a + 3 * ar);
    c30 = madd(av, v0, c30);
    c31 = madd(av, v1, c31);
    a += ak;
    b += bs;
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + cr));
    c11 = f32x4.add(c11, v128.load(c + cr, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * cr));
    c21 = f32x4.add(c21, v128.load(c + 2 * cr, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * cr));
    c31 = f32x4.add(c31, v128.load(c + 3 * cr, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + cr, c10);
  v128.store(c + cr, c11, 16);
  v128.store(c + 2 * cr, c20);
  v128.store(c + 2 * cr, c21, 16);
  v128.store(c + 3 * cr, c30);
  v128.store(c + 3 * cr, c31, 16);
}

/**
 * One row of C, columns [j, N) one at a time (b at B's column j, c at C's):
 * lane 0 of the vector madd, so a tail column rounds exactly like the vector
 * columns (fused in the relaxed build) and like a packed GEMM.
 */
function rowColumns(kc: i32, a: usize, ak: usize, b: usize, bs: usize, j: i32, N: i32, c: usize, accumulate: bool): void {
  for (; j < N; j++) {
    let s = f32x4.splat(0);
    let ap = a;
    let bp = b;
    for (let p = 0; p < kc; p++) {
      s = madd(v128.load32_splat(ap), v128.load32_splat(bp), s);
      ap += ak;
      bp += bs;
    }
    if (accumulate) s = f32x4.add(s, v128.load32_splat(c));
    store<f32>(c, f32x4.extract_lane(s, 0));
    b += F32;
    c += F32;
  }
}

/**
 * One row of C, columns [j, N), j % 8 == 0: 28 at a time (the groups
 * alternate between starting at lane 0 and lane 4 of an 8-column group),
 * then the 4 a lane-4 start leaves, then 8 at a time; the last < 8 through
 * the scratch tile when B is packed (its last panel is zero-padded to NR) or
 * one by one when B is read in place (8 would run past the row). b points at
 * B's 8-column group holding column j, c at C's column j.
 */
function rowPanels(kc: i32, a: usize, ak: usize, b: usize, bs: usize, gs: usize, packed: bool,
  j: i32, N: i32, c: usize, accumulate: bool, tile: usize): void {
  let half = false; // j % 8 == 4
  for (; j + 28 <= N; j += 28) {
    if (half) {
      row1x28h(kc, a, ak, b, bs, gs, c, accumulate);
      b += 4 * gs;
    } else {
      row1x28a(kc, a, ak, b, bs, gs, c, accumulate);
      b += 3 * gs;
    }
    half = !half;
    c += 28 * F32;
  }
  if (half) {
    if (j + 4 > N) {
      // fewer than 4 columns left, from lane 4 of a group
      rowColumns(kc, a, ak, b + 4 * F32, bs, j, N, c, accumulate);
      return;
    }
    row1x4h(kc, a, ak, b, bs, c, accumulate);
    b += gs;
    c += 4 * F32;
    j += 4;
  }
  for (; j + NR <= N; j += NR) {
    row1x8(kc, a, ak, b, bs, c, accumulate);
    b += gs;
    c += <usize>NR * F32;
  }
  if (j == N) return;
  if (packed) {
    row1x8(kc, a, ak, b, bs, tile, false);
    storeTile(c, 0, tile, 1, N - j, accumulate);
    return;
  }
  rowColumns(kc, a, ak, b, bs, j, N, c, accumulate);
}

/**
 * C[0:mr, 0:N] (=|+=) mr <= SMALL_M rows of A (ar bytes apart, ak bytes per
 * k) · kc rows of B: four rows 8 columns at a time, two rows 16 at a time,
 * a last row by rowPanels; the columns a group leaves, row by row.
 */
function smallRows(kc: i32, mr: i32, a: usize, ar: usize, ak: usize, b: usize, bs: usize, gs: usize, packed: bool,
  N: i32, c: usize, ldc: i32, accumulate: bool, tile: usize): void {
  const cr = <usize>ldc * F32;
  let r = 0;
  if (mr >= 4) {
    let j = 0;
    let bj = b;
    for (; j + NR <= N; j += NR) {
      rows4x8(kc, a, ar, ak, bj, bs, c + <usize>j * F32, cr, accumulate);
      bj += gs;
    }
    if (j < N) {
      for (let q = 0; q < 4; q++) rowPanels(kc, a + <usize>q * ar, ak, bj, bs, gs, packed, j, N, c + <usize>q * cr + <usize>j * F32, accumulate, tile);
    }
    r = 4;
  }
  if (mr - r >= 2) {
    const a2 = a + <usize>r * ar;
    const c2 = c + <usize>r * cr;
    let j = 0;
    let bj = b;
    for (; j + 2 * NR <= N; j += 2 * NR) {
      rows2x16(kc, a2, ar, ak, bj, bs, gs, c2 + <usize>j * F32, cr, accumulate);
      bj += 2 * gs;
    }
    if (j < N) {
      for (let q = 0; q < 2; q++) rowPanels(kc, a2 + <usize>q * ar, ak, bj, bs, gs, packed, j, N, c2 + <usize>q * cr + <usize>j * F32, accumulate, tile);
    }
    r += 2;
  }
  if (mr > r) rowPanels(kc, a + <usize>r * ar, ak, b, bs, gs, packed, 0, N, c + <usize>r * cr, accumulate, tile);
}

/** C[0:mr, 0:nr] (=|+=) tile[0:mr, 0:nr] (tile row stride NR). */
function storeTile(c: usize, ldc: i32, tile: usize, mr: i32, nr: i32, accumulate: bool): void {
  for (let r = 0; r < mr; r++) {
    const crow = c + <usize>r * <usize>ldc * F32;
    const trow = tile + <usize>r * <usize>NR * F32;
    for (let j = 0; j < nr; j++) {
      const v = load<f32>(trow + <usize>j * F32);
      const dst = crow + <usize>j * F32;
      store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
    }
  }
}

/** All tiles of C[0:mc, 0:nc] from packed blocks Ap (mc x kc) and Bp (kc x nc). */
function macroKernel(mc: i32, nc: i32, kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, accumulate: bool, tile: usize): void {
  const full = mc & ~(MR - 1); // rows in whole MR panels
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    const bpanel = bp + <usize>j * <usize>kc * F32;
    for (let i = 0; i < full; i += MR) {
      const apanel = ap + <usize>i * <usize>kc * 4 * F32;
      const cij = c + (<usize>i * <usize>ldc + <usize>j) * F32;
      if (nr == NR) {
        kernel4x8(kc, apanel, bpanel, cij, ldc, accumulate);
      } else {
        kernel4x8(kc, apanel, bpanel, tile, NR, false);
        storeTile(cij, ldc, tile, MR, nr, accumulate);
      }
    }
  }
  // the rows left over (mc % MR), one at a time from their splatted panel
  const apanel = ap + <usize>full * <usize>kc * 4 * F32;
  const gs = <usize>kc * <usize>NR * F32;
  for (let r = 0; r < mc - full; r++) {
    rowPanels(kc, apanel + <usize>r * 4 * F32, <usize>MR * 4 * F32, bp, <usize>NR * F32, gs, true,
      0, nc, c + <usize>(full + r) * <usize>ldc * F32, accumulate, tile);
  }
}

// ------------------------------------------------------------------ driver

// @ts-ignore: decorator
@inline function addrA(a: usize, lda: i32, transA: bool, i: i32, p: i32): usize {
  return transA ? a + (<usize>p * <usize>lda + <usize>i) * F32 : a + (<usize>i * <usize>lda + <usize>p) * F32;
}

// @ts-ignore: decorator
@inline function addrB(b: usize, ldb: i32, transB: bool, p: i32, j: i32): usize {
  return transB ? b + (<usize>j * <usize>ldb + <usize>p) * F32 : b + (<usize>p * <usize>ldb + <usize>j) * F32;
}

/** C (=|+=) op(A)·op(B) for M, N >= 1; K == 0 clears (or keeps) C. */
export function gemm(
  c: usize, ldc: i32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  M: i32, N: i32, K: i32, accumulate: bool, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) {
      for (let i = 0; i < M; i++) memory.fill(c + <usize>i * <usize>ldc * F32, 0, <usize>N * F32);
    }
    return;
  }
  const bp = work;
  const ap = work + <usize>KC * <usize>NC * F32;
  const tile = ap + <usize>MC * <usize>KC * 4 * F32;
  if (M <= SMALL_M && !transB) {
    // a few rows: packing would cost more than it saves, B is read once.
    // Still KC-deep blocks summed into C one after the other, the packed
    // path's order: a row's result does not depend on how many rows came
    // with it (batch 1 predicts what batch 32 does, bit for bit).
    const ar = transA ? F32 : <usize>lda * F32;
    const ak = transA ? <usize>lda * F32 : F32;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      smallRows(kc, M, addrA(a, lda, transA, 0, pc), ar, ak, addrB(b, ldb, false, pc, 0), <usize>ldb * F32, <usize>NR * F32,
        false, N, c, ldc, accumulate || pc > 0, tile);
    }
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const acc = accumulate || pc > 0;
      packB(bp, addrB(b, ldb, transB, pc, jc), ldb, transB, kc, nc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(ap, addrA(a, lda, transA, ic, pc), lda, transA, mc, kc);
        macroKernel(mc, nc, kc, ap, bp, c + (<usize>ic * <usize>ldc + <usize>jc) * F32, ldc, acc, tile);
      }
    }
  }
}

/**
 * Pack all of op(B) (K,N) once, for a GEMM that reuses it many times (the
 * recurrent weights inside a time loop). Layout: KC-deep blocks one after the
 * other; block pc starts at element pc * roundUp(N, NR).
 * dst: K * roundUp(N, NR) elements.
 */
export function packBFull(dst: usize, b: usize, ldb: i32, transB: bool, K: i32, N: i32): void {
  const npad = (N + NR - 1) / NR * NR;
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    packB(dst + <usize>pc * <usize>npad * F32, addrB(b, ldb, transB, pc, 0), ldb, transB, kc, N);
  }
}

/** C (=|+=) op(A) · B where B was packed by packBFull(K, N). work: GEMM_WORK. */
export function gemmPackedB(
  c: usize, ldc: i32,
  a: usize, lda: i32, transA: bool,
  bpacked: usize,
  M: i32, N: i32, K: i32, accumulate: bool, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) {
      for (let i = 0; i < M; i++) memory.fill(c + <usize>i * <usize>ldc * F32, 0, <usize>N * F32);
    }
    return;
  }
  const npad = (N + NR - 1) / NR * NR;
  const ap = work + <usize>KC * <usize>NC * F32;
  const tile = ap + <usize>MC * <usize>KC * 4 * F32;
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    const acc = accumulate || pc > 0;
    const bp = bpacked + <usize>pc * <usize>npad * F32;
    if (M <= SMALL_M) {
      // a few rows: A read in place, no packing
      const ar = transA ? F32 : <usize>lda * F32;
      const ak = transA ? <usize>lda * F32 : F32;
      smallRows(kc, M, addrA(a, lda, transA, 0, pc), ar, ak, bp, <usize>NR * F32, <usize>kc * <usize>NR * F32, true, N, c, ldc, acc, tile);
      continue;
    }
    for (let ic = 0; ic < M; ic += MC) {
      const mc = min(MC, M - ic);
      packA(ap, addrA(a, lda, transA, ic, pc), lda, transA, mc, kc);
      macroKernel(mc, N, kc, ap, bp, c + <usize>ic * <usize>ldc * F32, ldc, acc, tile);
    }
  }
}

// ----------------------------------------------------------------- exports

// C (M,N) =|+= A (M,K) · B (K,N)
export function gemm_nn_f32(c: usize, ldc: i32, a: usize, lda: i32, b: usize, ldb: i32,
  M: i32, N: i32, K: i32, accumulate: i32, work: usize): void {
  gemm(c, ldc, a, lda, false, b, ldb, false, M, N, K, accumulate != 0, work);
}

// C (M,N) =|+= A (M,K) · Bᵀ, B stored (N,K)
export function gemm_nt_f32(c: usize, ldc: i32, a: usize, lda: i32, b: usize, ldb: i32,
  M: i32, N: i32, K: i32, accumulate: i32, work: usize): void {
  gemm(c, ldc, a, lda, false, b, ldb, true, M, N, K, accumulate != 0, work);
}

// C (M,N) =|+= Aᵀ · B (K,N), A stored (K,M)
export function gemm_tn_f32(c: usize, ldc: i32, a: usize, lda: i32, b: usize, ldb: i32,
  M: i32, N: i32, K: i32, accumulate: i32, work: usize): void {
  gemm(c, ldc, a, lda, true, b, ldb, false, M, N, K, accumulate != 0, work);
}
