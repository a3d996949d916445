// What the recurrent kernels (lstm.ts, gru.ts, rnn.ts) share: batch-major
// row addressing, the mask test, the masked-row pass-through of dh in the
// reverse loop, and gathering h_{t-1} for every step before the big weight
// GEMMs. Layout: (B,T,width) with step t of batch row b at row b*T + t.

import { madd, F32 } from './simd';
import { ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_HARD_SIGMOID, GEMM_KC } from './abi';
import { gemm, gemmPackedB, packBFull, SMALL_M, storeRow28 } from './gemm';

// ------------------------------------------- the recurrent weights' GEMM
//
// At a few rows (batch-1 / small-batch inference) the step's h·wh is a GEMV
// that reads each weight once, so packing wh only adds a copy of it per
// call: for a short sequence (predictStep runs T = 1) that copy costs as
// much as the steps. Reading wh in place costs ~10-30% per step against the
// packed panels (its row stride is often a power of two), so from T = 4 on
// packing wins: measured alternating in one process, B = 1, H 128 and 256.
// Every path sums in the same order (assembly/gemm.ts SMALL_M): same bits.
//
// At B = 1 the packed copy is laid out for the one-row kernel (packRecurrent):
// 28-column strips, kc rows of 28 contiguous floats, so the kernel reads B
// through one pointer (1x28 on packBFull's 8-column panels walks four). Its
// loop is then ~20 instructions instead of ~27: with seven chains of 4-cycle
// fused multiply-adds it was issue-bound, not bound by wh streaming from L2
// (the same loop with every B load hitting L1 ran only ~2% faster).

/** Whether a forward over B rows and T steps reads wh in place instead of packing it. */
// @ts-ignore: decorator
@inline export function whInPlace(B: i32, T: i32): bool {
  return B <= SMALL_M && T <= 3;
}

/** Columns of an N-column W held in 28-wide strips at B = 1: pairs of strips, so the rest starts on an NR boundary. */
// @ts-ignore: decorator
@inline function stripColumns(N: i32): i32 {
  return N / 56 * 56;
}

/**
 * Pack W (K, N) (row stride ldw) for the time loop of a B-row forward into
 * wp: K · roundUp(N, GEMM_NR) floats. B > 1: packBFull's panels. B = 1: the
 * first S = stripColumns(N) columns as 28-wide strips, per KC block (block pc
 * at element pc·S, strip j/28 of it at + j·kc), then the other N - S columns
 * as packBFull panels at element S·K.
 */
export function packRecurrent(wp: usize, w: usize, ldw: i32, K: i32, N: i32, B: i32): void {
  if (B != 1) {
    packBFull(wp, w, ldw, false, K, N);
    return;
  }
  const S = stripColumns(N);
  const rowBytes = <usize>ldw * F32;
  let d = wp;
  for (let pc = 0; pc < K; pc += GEMM_KC) {
    const kc = min(GEMM_KC, K - pc);
    for (let j = 0; j < S; j += 28) {
      let src = w + (<usize>pc * <usize>ldw + <usize>j) * F32;
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        v128.store(d, v128.load(src, 32), 32);
        v128.store(d, v128.load(src, 48), 48);
        v128.store(d, v128.load(src, 64), 64);
        v128.store(d, v128.load(src, 80), 80);
        v128.store(d, v128.load(src, 96), 96);
        src += rowBytes;
        d += 28 * F32;
      }
    }
  }
  if (S < N) packBFull(wp + <usize>S * <usize>K * F32, w + <usize>S * F32, ldw, false, K, N - S);
}

/**
 * c[0:28] (=|+=) Σ_k a[k]·S[k, 0:28] for one 28-wide strip S (kc rows of 28
 * contiguous floats): seven accumulator chains, one B pointer, the loop ended
 * by A's pointer. The same multiply-adds in the same order as gemm.ts row1x28.
 */
export function row1x28s(kc: i32, a: usize, b: usize, c: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0);
  const end = a + <usize>kc * F32;
  do {
    const av = v128.load32_splat(a);
    c0 = madd(av, v128.load(b), c0);
    c1 = madd(av, v128.load(b, 16), c1);
    c2 = madd(av, v128.load(b, 32), c2);
    c3 = madd(av, v128.load(b, 48), c3);
    c4 = madd(av, v128.load(b, 64), c4);
    c5 = madd(av, v128.load(b, 80), c5);
    c6 = madd(av, v128.load(b, 96), c6);
    a += F32;
    b += 28 * F32;
  } while (a < end);
  storeRow28(c, c0, c1, c2, c3, c4, c5, c6, accumulate);
}

/**
 * C (=|+=) A·W[:, 0:N] for M rows: W (K, ·) read in place with row stride
 * ldw, or its packRecurrent(M) copy wp.
 */
export function recurrentGemm(c: usize, ldc: i32, a: usize, lda: i32, inPlace: bool, w: usize, ldw: i32, wp: usize,
  M: i32, N: i32, K: i32, accumulate: bool, work: usize): void {
  if (inPlace) {
    gemm(c, ldc, a, lda, false, w, ldw, false, M, N, K, accumulate, work);
    return;
  }
  if (M != 1) {
    gemmPackedB(c, ldc, a, lda, false, wp, M, N, K, accumulate, work);
    return;
  }
  // one row: the strips, KC-deep blocks summed in order (as every GEMM path does), then the panels
  const S = stripColumns(N);
  if (S > 0) {
    let b = wp;
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = min(GEMM_KC, K - pc);
      const ak = a + <usize>pc * F32;
      for (let j = 0; j < S; j += 28) {
        row1x28s(kc, ak, b, c + <usize>j * F32, accumulate || pc > 0);
        b += <usize>kc * 28 * F32;
      }
    }
  }
  if (S < N) gemmPackedB(c + <usize>S * F32, ldc, a, lda, false, wp + <usize>S * <usize>K * F32, 1, N - S, K, accumulate, work);
}

// ------------------------------------------------------ gate activations
//
// The cells' sigmoid and tanh: the operations of activations.ts (expv,
// sigmoidv, tanhv, in the same order, so bit-identical results and the same
// measured error), with every constant read from the table below instead of
// written as a v128.const. V8 builds a v128 constant with three instructions
// (movq imm64, vmovq, vpunpcklqdq) and cannot keep the 17 of an exp in
// xmm0-15, so it rebuilt all of them at every use: ~51 instructions of
// constants around ~25 of math per exp (disassembly of the LSTM cell). A
// load from a fixed address is one instruction.

/** Every constant four times (one v128 each); indices are the K_* below. */
const GATE_K: usize = memory.data<f32>([
  -87.3, -87.3, -87.3, -87.3, // K_LO: clamp, keeps 2^n normal
  88.3, 88.3, 88.3, 88.3, // K_HI: clamp, keeps 2^n finite
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, // K_LOG2E
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // K_MAGIC: 1.5·2^23, adding it rounds to an integer
  -0.693359375, -0.693359375, -0.693359375, -0.693359375, // K_NLN2_HI
  2.12194440e-4, 2.12194440e-4, 2.12194440e-4, 2.12194440e-4, // K_NLN2_LO
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, // K_P0 .. K_P5: Cephes expf
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1.0, 1.0, 1.0, 1.0, // K_ONE
  // K_BIAS: as i32 0x4B3FFF81 = 0x4b400000 - 127 (exactly 12582785 as f32): bits(t) - it = n + 127
  12582785.0, 12582785.0, 12582785.0, 12582785.0,
  -0.0, -0.0, -0.0, -0.0, // K_SIGN: the sign bit
  -2.0, -2.0, -2.0, -2.0, // K_M2
  0.0, 0.0, 0.0, 0.0, // K_ZERO
  0.2, 0.2, 0.2, 0.2, // K_HS_A, K_HS_B: hard sigmoid 0.2·x + 0.5
  0.5, 0.5, 0.5, 0.5,
], 16);

const K_LO = 0;
const K_HI = 1;
const K_LOG2E = 2;
const K_MAGIC = 3;
const K_NLN2_HI = 4;
const K_NLN2_LO = 5;
const K_P0 = 6;
const K_ONE = 12;
const K_BIAS = 13;
const K_SIGN = 14;
const K_M2 = 15;
const K_ZERO = 16;
const K_HS_A = 17;
const K_HS_B = 18;

// @ts-ignore: decorator
@inline function kv(i: i32): v128 {
  return v128.load(GATE_K + <usize>(i << 4));
}

/** e^x: activations.ts expv, constants from the table. */
// @ts-ignore: decorator
@inline function expk(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, kv(K_LO)), kv(K_HI));
  const t = madd(x, kv(K_LOG2E), kv(K_MAGIC));
  const n = f32x4.sub(t, kv(K_MAGIC));
  let r = madd(n, kv(K_NLN2_HI), x);
  r = madd(n, kv(K_NLN2_LO), r);
  let p = kv(K_P0);
  p = madd(p, r, kv(K_P0 + 1));
  p = madd(p, r, kv(K_P0 + 2));
  p = madd(p, r, kv(K_P0 + 3));
  p = madd(p, r, kv(K_P0 + 4));
  p = madd(p, r, kv(K_P0 + 5));
  const er = f32x4.add(madd(p, f32x4.mul(r, r), r), kv(K_ONE));
  // 2^n: (bits(t) - 0x4b400000) + 127 = n + 127, shifted into the exponent
  const pow2n = i32x4.shl(i32x4.sub(t, kv(K_BIAS)), 23);
  return f32x4.mul(er, pow2n);
}

// @ts-ignore: decorator
@inline export function sigmoidk(x: v128): v128 {
  return sigmoidFromExp(expk(f32x4.neg(x)));
}

// @ts-ignore: decorator
@inline export function tanhk(x: v128): v128 {
  return tanhFromExp(x, expk(f32x4.mul(f32x4.abs(x), kv(K_M2))));
}

/** sigmoidk's last step: 1 / (1 + e) from e = e^-x. */
// @ts-ignore: decorator
@inline function sigmoidFromExp(e: v128): v128 {
  return f32x4.div(kv(K_ONE), f32x4.add(kv(K_ONE), e));
}

/** tanhk's last step: sign(x)·(1 - e)/(1 + e) from e = e^(-2|x|). */
// @ts-ignore: decorator
@inline function tanhFromExp(x: v128, e: v128): v128 {
  const t = f32x4.div(f32x4.sub(kv(K_ONE), e), f32x4.add(kv(K_ONE), e));
  return v128.or(t, v128.and(x, kv(K_SIGN)));
}

// ------------------------------------- four independent gates at once
//
// The LSTM cell's sigmoid(i), sigmoid(f), tanh(g), sigmoid(o) do not depend on
// each other (without peepholes), but one exp is a chain of ~15 dependent
// operations and V8 emits wasm in program order: one gate after the other
// leaves the out-of-order window with a single chain at a time. Below, the four
// exps advance step by step side by side: the same operations on each lane in
// the same order as expk / sigmoidk / tanhk, so the same bits.

/**
 * d0..d3 = e^x0..e^x3 (expk's operations), the four chains side by side;
 * each constant is loaded once for the four.
 */
// @ts-ignore: decorator
@inline function exp4(x0: v128, x1: v128, x2: v128, x3: v128, d0: usize, d1: usize, d2: usize, d3: usize): void {
  let k = kv(K_LO);
  x0 = f32x4.pmax(x0, k);
  x1 = f32x4.pmax(x1, k);
  x2 = f32x4.pmax(x2, k);
  x3 = f32x4.pmax(x3, k);
  k = kv(K_HI);
  x0 = f32x4.pmin(x0, k);
  x1 = f32x4.pmin(x1, k);
  x2 = f32x4.pmin(x2, k);
  x3 = f32x4.pmin(x3, k);
  k = kv(K_LOG2E);
  const m = kv(K_MAGIC);
  const t0 = madd(x0, k, m);
  const t1 = madd(x1, k, m);
  const t2 = madd(x2, k, m);
  const t3 = madd(x3, k, m);
  const n0 = f32x4.sub(t0, m);
  const n1 = f32x4.sub(t1, m);
  const n2 = f32x4.sub(t2, m);
  const n3 = f32x4.sub(t3, m);
  k = kv(K_NLN2_HI);
  let r0 = madd(n0, k, x0);
  let r1 = madd(n1, k, x1);
  let r2 = madd(n2, k, x2);
  let r3 = madd(n3, k, x3);
  k = kv(K_NLN2_LO);
  r0 = madd(n0, k, r0);
  r1 = madd(n1, k, r1);
  r2 = madd(n2, k, r2);
  r3 = madd(n3, k, r3);
  k = kv(K_P0);
  const k1 = kv(K_P0 + 1);
  let p0 = madd(k, r0, k1);
  let p1 = madd(k, r1, k1);
  let p2 = madd(k, r2, k1);
  let p3 = madd(k, r3, k1);
  k = kv(K_P0 + 2);
  p0 = madd(p0, r0, k);
  p1 = madd(p1, r1, k);
  p2 = madd(p2, r2, k);
  p3 = madd(p3, r3, k);
  k = kv(K_P0 + 3);
  p0 = madd(p0, r0, k);
  p1 = madd(p1, r1, k);
  p2 = madd(p2, r2, k);
  p3 = madd(p3, r3, k);
  k = kv(K_P0 + 4);
  p0 = madd(p0, r0, k);
  p1 = madd(p1, r1, k);
  p2 = madd(p2, r2, k);
  p3 = madd(p3, r3, k);
  k = kv(K_P0 + 5);
  p0 = madd(p0, r0, k);
  p1 = madd(p1, r1, k);
  p2 = madd(p2, r2, k);
  p3 = madd(p3, r3, k);
  k = kv(K_ONE);
  p0 = f32x4.add(madd(p0, f32x4.mul(r0, r0), r0), k);
  p1 = f32x4.add(madd(p1, f32x4.mul(r1, r1), r1), k);
  p2 = f32x4.add(madd(p2, f32x4.mul(r2, r2), r2), k);
  p3 = f32x4.add(madd(p3, f32x4.mul(r3, r3), r3), k);
  k = kv(K_BIAS);
  v128.store(d0, f32x4.mul(p0, i32x4.shl(i32x4.sub(t0, k), 23)));
  v128.store(d1, f32x4.mul(p1, i32x4.shl(i32x4.sub(t1, k), 23)));
  v128.store(d2, f32x4.mul(p2, i32x4.shl(i32x4.sub(t2, k), 23)));
  v128.store(d3, f32x4.mul(p3, i32x4.shl(i32x4.sub(t3, k), 23)));
}

/**
 * Four gates of the LSTM with the default activations, in place: z + o4
 * holds z_i, z + hb + o4 z_f, z + 2hb + o4 z_g, z + 3hb + o4 z_o on entry and
 * sigmoid(z_i), sigmoid(z_f), tanh(z_g), sigmoid(z_o) on exit.
 */
// @ts-ignore: decorator
@inline export function lstmGates4(z: usize, hb: usize, o4: usize): void {
  const pi = z + o4;
  const pf = z + hb + o4;
  const pg = z + 2 * hb + o4;
  const po = z + 3 * hb + o4;
  const zg = v128.load(pg);
  // sigmoid(x) = 1 / (1 + e^-x); tanh(x) = sign(x)·(1 - e)/(1 + e), e = e^(-2|x|)
  exp4(f32x4.neg(v128.load(pi)), f32x4.neg(v128.load(pf)), f32x4.mul(f32x4.abs(zg), kv(K_M2)), f32x4.neg(v128.load(po)), pi, pf, pg, po);
  v128.store(pi, sigmoidFromExp(v128.load(pi)));
  v128.store(pf, sigmoidFromExp(v128.load(pf)));
  v128.store(pg, tanhFromExp(zg, v128.load(pg)));
  v128.store(po, sigmoidFromExp(v128.load(po)));
}

/**
 * h[0:16] = o[0:16] ⊙ tanh(c[0:16]): four vectors, their exps side by side
 * (tanhk's operations). h holds the exps in between.
 */
// @ts-ignore: decorator
@inline export function outTanh16(h: usize, o: usize, c: usize): void {
  const c0 = v128.load(c);
  const c1 = v128.load(c, 16);
  const c2 = v128.load(c, 32);
  const c3 = v128.load(c, 48);
  const m2 = kv(K_M2);
  exp4(f32x4.mul(f32x4.abs(c0), m2), f32x4.mul(f32x4.abs(c1), m2), f32x4.mul(f32x4.abs(c2), m2), f32x4.mul(f32x4.abs(c3), m2),
    h, h + 16, h + 32, h + 48);
  v128.store(h, f32x4.mul(v128.load(o), tanhFromExp(c0, v128.load(h))));
  v128.store(h, f32x4.mul(v128.load(o, 16), tanhFromExp(c1, v128.load(h, 16))), 16);
  v128.store(h, f32x4.mul(v128.load(o, 32), tanhFromExp(c2, v128.load(h, 32))), 32);
  v128.store(h, f32x4.mul(v128.load(o, 48), tanhFromExp(c3, v128.load(h, 48))), 48);
}

/** activatev with the table: sigmoid and tanh inlined, the rest out of line. */
// @ts-ignore: decorator
@inline export function activatek(act: i32, x: v128): v128 {
  if (act == ACT_SIGMOID) return sigmoidk(x);
  if (act == ACT_TANH) return tanhk(x);
  return activateRareK(act, x);
}

function activateRareK(act: i32, x: v128): v128 {
  if (act == ACT_RELU) return f32x4.pmax(x, kv(K_ZERO));
  if (act == ACT_HARD_SIGMOID) return f32x4.pmin(f32x4.pmax(madd(x, kv(K_HS_A), kv(K_HS_B)), kv(K_ZERO)), kv(K_ONE));
  return x;
}

/** y (n) = act(x (n)) through activatek; tails one lane through the same math. In place is fine. */
export function activateRow(y: usize, x: usize, n: i32, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(y + o, activatek(act, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(y + o, f32x4.extract_lane(activatek(act, f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** Address of row (b, t) of a (B,T,width) buffer. */
// @ts-ignore: decorator
@inline export function row(base: usize, b: i32, t: i32, T: i32, width: i32): usize {
  return base + (<usize>b * <usize>T + <usize>t) * <usize>width * F32;
}

/** mask (B,T) given and mask[b,t] == 0. */
// @ts-ignore: decorator
@inline export function isMasked(mask: usize, b: i32, t: i32, T: i32): bool {
  return mask != 0 && load<f32>(mask + (<usize>b * <usize>T + <usize>t) * F32) == 0;
}

/** A masked step copied its state: its row of dh_{t-1} (B,H) is dh_t unchanged. */
export function passMaskedRows(dhPrev: usize, dh: usize, mask: usize, B: i32, T: i32, t: i32, H: i32): void {
  if (mask == 0) return;
  const hb = <usize>H * F32;
  for (let b = 0; b < B; b++) {
    if (isMasked(mask, b, t, T)) memory.copy(dhPrev + <usize>b * hb, dh + <usize>b * hb, hb);
  }
}

/**
 * hprev (B,T,H)[b,t] = the state before step t: hseq at the previously
 * processed step (t-1, or t+1 with goBackwards), h0 (B,H) for the first.
 */
export function previousStates(hprev: usize, hseq: usize, h0: usize, B: i32, T: i32, H: i32, goBackwards: i32): void {
  const hb = <usize>H * F32;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const tp = goBackwards != 0 ? t + 1 : t - 1;
      const src = tp < 0 || tp >= T ? h0 + <usize>b * hb : row(hseq, b, tp, T, H);
      memory.copy(row(hprev, b, t, T, H), src, hb);
    }
  }
}
