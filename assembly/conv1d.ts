// Conv1D over a batch of sequences, channels last (Keras layout), as GEMMs
// that read the input rows in place.
//
// Dims: B batch, T input steps, C input channels, F filters, K taps,
// S stride, D dilation, P zero rows before step 0, To output steps,
// Tp = (To−1)·S + (K−1)·D + 1 rows of padded input the windows read.
//
//   xp[b,u,c] = x[b, u−P, c] where 0 <= u−P < T and the step is valid
//               (mask absent or mask[b, u−P] != 0), else 0
//   y[b,t,f]  = act(bias[f] + Σ_k Σ_c xp[b, t·S + k·D, c] · w[k,c,f])
//
// act is an elementwise activation (ACT_*, not softmax), applied to each
// batch row right after its GEMM, while the row is still in cache.
// w (K,C,F) is Keras's kernel; read as a (K·C, F) matrix its row k·C + c
// meets input channel c of tap k. A masked step reads as zeros, as padding
// does: it contributes nothing and receives no gradient.
//
// Why no unfolded (im2col) copy: with D = 1 the window of output t is the
// K·C consecutive floats of xp from row t·S, so the unfolded matrix
// (To, K·C) is xp itself read with a row stride of S·C (its rows overlap).
// Forward and dW are then plain GEMMs on xp with lda = S·C. With D > 1 the
// taps are C-wide strips D·C apart: one GEMM per tap (K = C deep).
// The GEMM only reads A, so overlapping rows are safe there; dx cannot be
// written that way (a tile's stores would overwrite each other's rows), so
// du = dz·wᵀ goes to an unfolded scratch, R rows at a time, and each row's K
// strips are added where they land (col2im).
//
// xp is an output of the forward (kept for the backward) when P > 0 or a mask
// is given; otherwise (xpad = 0) x is read directly, P = 0 and Tp <= T.

import { F32 } from './simd';
import { gemm } from './gemm';
import { column_sum_f32 } from './elementwise';
import { activate } from './activations';
import { ACT_LINEAR } from './abi';

/** dst[0:n] += src[0:n] */
// @ts-ignore: decorator
@inline function addInto(dst: usize, src: usize, n: i32): void {
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const o = <usize>c * F32;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; c < n; c++) {
    const o = <usize>c * F32;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** Step i of batch row b is read: inside the sequence and not masked. */
// @ts-ignore: decorator
@inline function stepValid(mask: usize, b: i32, T: i32, i: i32): bool {
  if (i < 0 || i >= T) return false;
  return mask == 0 || load<f32>(mask + (<usize>b * <usize>T + <usize>i) * F32) != 0;
}

/** xp (Tp,C) of batch row b: the rows of x it covers, zeros for padding and masked steps. */
function padRows(xp: usize, x: usize, mask: usize, b: i32, T: i32, C: i32, P: i32, Tp: i32): void {
  const rowBytes = <usize>C * F32;
  for (let u = 0; u < Tp; u++) {
    const i = u - P;
    const dst = xp + <usize>u * rowBytes;
    if (stepValid(mask, b, T, i)) memory.copy(dst, x + (<usize>b * <usize>T + <usize>i) * rowBytes, rowBytes);
    else memory.fill(dst, 0, rowBytes);
  }
}

/**
 * y (B,To,F) = act(conv(x (B,T,C), w (K,C,F)) + bias (F, or 0)); xpad (B,Tp,C)
 * = the padded, masked input (or 0: read x, which needs P = 0 and no mask).
 */
export function conv1d_forward_f32(y: usize, xpad: usize, x: usize, mask: usize, w: usize, bias: usize,
  B: i32, T: i32, C: i32, F: i32, K: i32, S: i32, D: i32, P: i32, To: i32, act: i32, work: usize): void {
  const Tp = (To - 1) * S + (K - 1) * D + 1;
  const rowIn = <usize>C * F32;
  const src = xpad != 0 ? xpad : x;
  const srcRows = xpad != 0 ? Tp : T;
  for (let b = 0; b < B; b++) {
    const xb = src + <usize>b * <usize>srcRows * rowIn;
    if (xpad != 0) padRows(xb, x, mask, b, T, C, P, Tp);
    const yb = y + <usize>b * <usize>To * <usize>F * F32;
    // the bias first, then the GEMM adds into it
    if (bias != 0) {
      for (let t = 0; t < To; t++) memory.copy(yb + <usize>t * <usize>F * F32, bias, <usize>F * F32);
    }
    if (D == 1) {
      // the unfolded rows (To, K·C) are xb read with row stride S·C
      gemm(yb, F, xb, S * C, false, w, F, false, To, F, K * C, bias != 0, work);
    } else {
      for (let k = 0; k < K; k++) {
        gemm(yb, F, xb + <usize>(k * D) * rowIn, S * C, false, w + <usize>k * <usize>C * <usize>F * F32, F, false,
          To, F, C, bias != 0 || k > 0, work);
      }
    }
    if (act != ACT_LINEAR) activate(yb, yb, To * F, act);
  }
}

/**
 * From dz (B,To,F), the gradient of y: dw (K,C,F) +=, dbias (F) +=,
 * dx (B,T,C) = (0 where masked or never read); each may be 0 (not wanted).
 * xpad and x as in the forward; du (R, K·C) is scratch for dx, R >= 1.
 */
export function conv1d_backward_f32(dx: usize, dw: usize, dbias: usize, du: usize, dz: usize, xpad: usize,
  x: usize, mask: usize, w: usize, B: i32, T: i32, C: i32, F: i32, K: i32, S: i32, D: i32, P: i32, To: i32,
  R: i32, work: usize): void {
  const Tp = (To - 1) * S + (K - 1) * D + 1;
  const rowIn = <usize>C * F32;
  const rowOut = <usize>F * F32;
  if (dbias != 0) column_sum_f32(dbias, dz, B * To, F, 1);
  if (dw != 0) {
    // dW (K·C, F) += unfold(xp_b)ᵀ · dz_b: the unfolded rows are read as in the forward
    const src = xpad != 0 ? xpad : x;
    const srcRows = xpad != 0 ? Tp : T;
    for (let b = 0; b < B; b++) {
      const xb = src + <usize>b * <usize>srcRows * rowIn;
      const dzb = dz + <usize>b * <usize>To * rowOut;
      if (D == 1) {
        gemm(dw, F, xb, S * C, true, dzb, F, false, K * C, F, To, true, work);
      } else {
        for (let k = 0; k < K; k++) {
          gemm(dw + <usize>k * <usize>C * rowOut, F, xb + <usize>(k * D) * rowIn, S * C, true, dzb, F, false,
            C, F, To, true, work);
        }
      }
    }
  }
  if (dx == 0) return;
  memory.fill(dx, 0, <usize>B * <usize>T * rowIn);
  const N = B * To;
  const KC = K * C;
  for (let r0 = 0; r0 < N; r0 += R) {
    const n = min(R, N - r0);
    // du (n, K·C) = dz rows · wᵀ, w read as (K·C, F)
    gemm(du, KC, dz + <usize>r0 * rowOut, F, false, w, F, true, n, KC, F, false, work);
    // col2im: tap k of output (b,t) came from input step t·S + k·D − P
    for (let j = 0; j < n; j++) {
      const r = r0 + j;
      const b = r / To;
      const t = r - b * To;
      const durow = du + <usize>j * <usize>KC * F32;
      for (let k = 0; k < K; k++) {
        const i = t * S + k * D - P;
        if (!stepValid(mask, b, T, i)) continue;
        addInto(dx + (<usize>b * <usize>T + <usize>i) * rowIn, durow + <usize>k * rowIn, C);
      }
    }
  }
}
