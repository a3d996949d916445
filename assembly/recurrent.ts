// What the recurrent kernels (lstm.ts, gru.ts, rnn.ts) share: batch-major
// row addressing, the mask test, the masked-row pass-through of dh in the
// reverse loop, and gathering h_{t-1} for every step before the big weight
// GEMMs. Layout: (B,T,width) with step t of batch row b at row b*T + t.

import { F32 } from './simd';

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
