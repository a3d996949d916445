// SimpleRNN over a whole sequence: one call forward, one call backward (BPTT).
//
// Dims: B batch, T time, I input, H units. Keras layout:
//   wx (I,H) kernel, wh (H,H) recurrent kernel, bias (H).
// Activations are batch-major as in Keras: x (B,T,I), hseq (B,T,H). Step t
// of batch row b lives at row b*T + t, so one time step is B rows with a row
// stride of T*H: the GEMMs take it as a leading dimension.
//
//   h_t = act(x_t·wx + h_{t-1}·wh + bias)
//
// goBackwards processes t = T-1 .. 0; every output is stored at the index of
// the input step it came from, and "previous" means the previously processed
// step (t+1). Masked steps (mask[b,t] == 0) copy h through unchanged.
// A pointer of 0 means "absent" (no bias, no mask, no dx, ...).
//
// The input projection for all steps is one big GEMM written straight into
// hseq; only the recurrent GEMM (B,H)·(H,H) runs inside the time loop, on wh
// packed once per call. act' is taken from the output h (every activation
// here has a derivative expressible through its output), so nothing but hseq
// is kept for the backward pass.

import { F32 } from './simd';
import { activationBackward } from './activations';
import { gemm, gemmPackedB, packBFull } from './gemm';
import { bias_add_f32, column_sum_f32 } from './elementwise';
import { activateRow, isMasked, packRecurrent, passMaskedRows, previousStates, recurrentGemm, row, whInPlace } from './recurrent';


/**
 * hseq (B,T,H) = SimpleRNN over x (B,T,I). h0 (B,H) initial state.
 * mask (B,T) f32 or 0. bias may be 0. whPacked: H·roundUp(H, GEMM_NR) f32 scratch.
 * work: GEMM_WORK f32.
 */
export function simple_rnn_forward_f32(
  hseq: usize,
  x: usize, wx: usize, wh: usize, bias: usize, h0: usize, mask: usize,
  B: i32, T: i32, I: i32, H: i32, goBackwards: i32, act: i32,
  whPacked: usize, work: usize,
): void {
  // input projection for every step at once: (B*T, I)·(I, H)
  gemm(hseq, H, x, I, false, wx, H, false, B * T, H, I, false, work);
  if (bias != 0) bias_add_f32(hseq, hseq, bias, B * T, H);
  const inPlace = whInPlace(B, T);
  if (!inPlace) packRecurrent(whPacked, wh, H, H, H, B);
  for (let s = 0; s < T; s++) {
    const t = goBackwards != 0 ? T - 1 - s : s;
    const tp = goBackwards != 0 ? t + 1 : t - 1;
    const first = s == 0;
    // z_t += h_{t-1}·wh for all B rows
    const hprev0 = first ? h0 : row(hseq, 0, tp, T, H);
    recurrentGemm(row(hseq, 0, t, T, H), T * H, hprev0, first ? H : T * H, inPlace, wh, H, whPacked, B, H, H, true, work);
    for (let b = 0; b < B; b++) {
      const h = row(hseq, b, t, T, H);
      if (isMasked(mask, b, t, T)) {
        const hp = first ? h0 + <usize>b * <usize>H * F32 : row(hseq, b, tp, T, H);
        memory.copy(h, hp, <usize>H * F32);
      } else {
        activateRow(h, h, H, act);
      }
    }
  }
}

/**
 * Backward through time. Inputs: dhseq (B,T,H) = dL/d(output at each step)
 * or 0; dhT (B,H) = dL/d(final state) or 0; the forward's x, wx, wh, h0,
 * mask, hseq (left unchanged).
 * Outputs: dx (B,T,I) = (or 0), dwx (I,H) +=, dwh (H,H) +=, dbias (H) += (or
 * 0), dh0 (B,H) = (or 0).
 * Scratch: whPacked H·roundUp(H, GEMM_NR), dz (B,T,H), hprev (B,T,H), dh (2·B·H), work.
 */
export function simple_rnn_backward_f32(
  dx: usize, dwx: usize, dwh: usize, dbias: usize, dh0: usize,
  dhseq: usize, dhT: usize,
  x: usize, wx: usize, wh: usize, h0: usize, mask: usize, hseq: usize,
  B: i32, T: i32, I: i32, H: i32, goBackwards: i32, act: i32,
  whPacked: usize, dz: usize, hprev: usize, dhBuf: usize, work: usize,
): void {
  const BH = <usize>B * <usize>H * F32;
  const HB = <usize>H * F32;
  let dh = dhBuf;
  let dhNext = dhBuf + BH;
  if (dhT != 0) memory.copy(dh, dhT, BH); else memory.fill(dh, 0, BH);
  // whᵀ packed once: op(B) = whᵀ (H,H), wh stored (H,H)
  packBFull(whPacked, wh, H, true, H, H);
  for (let s = T - 1; s >= 0; s--) {
    const t = goBackwards != 0 ? T - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const dhb = dh + <usize>b * HB;
      if (dhseq != 0) {
        const src = row(dhseq, b, t, T, H);
        for (let j = 0; j < H; j++) {
          const o = <usize>j * F32;
          store<f32>(dhb + o, load<f32>(dhb + o) + load<f32>(src + o));
        }
      }
      const dzb = row(dz, b, t, T, H);
      // a masked step copied its state: no dz, dh passes through (below)
      if (isMasked(mask, b, t, T)) memory.fill(dzb, 0, HB);
      else activationBackward(dzb, row(hseq, b, t, T, H), dhb, H, act, false); // backprop through act
    }
    // dh_{t-1} = dz_t · whᵀ; masked rows keep their dh
    gemmPackedB(dhNext, H, row(dz, 0, t, T, H), T * H, false, whPacked, B, H, H, false, work);
    passMaskedRows(dhNext, dh, mask, B, T, t, H);
    const tmp = dh;
    dh = dhNext;
    dhNext = tmp;
  }
  if (dh0 != 0) memory.copy(dh0, dh, BH);
  // h_{t-1} for every step, then the weight gradients as single big GEMMs
  previousStates(hprev, hseq, h0, B, T, H, goBackwards);
  const N = B * T;
  gemm(dwh, H, hprev, H, true, dz, H, false, H, H, N, true, work);
  gemm(dwx, H, x, I, true, dz, H, false, I, H, N, true, work);
  if (dbias != 0) column_sum_f32(dbias, dz, N, H, 1);
  if (dx != 0) gemm(dx, I, dz, H, false, wx, H, true, N, I, H, false, work);
}
