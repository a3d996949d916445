/** Twin of assembly/recurrent.ts: what the recurrent twins share. */

/** mask (B,T) given and mask[b,t] == 0. */
export function isMasked(h: Float32Array, mask: number, b: number, t: number, T: number): boolean {
  return mask !== 0 && h[mask + b * T + t] === 0;
}

/** A masked step copied its state: its row of dh_{t-1} (B,H) is dh_t unchanged. */
export function passMaskedRows(
  h: Float32Array,
  dhPrev: number,
  dh: number,
  mask: number,
  B: number,
  T: number,
  t: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    if (isMasked(h, mask, b, t, T)) h.copyWithin(dhPrev + b * H, dh + b * H, dh + b * H + H);
  }
}

/** hprev (B,T,H)[b,t] = the state before step t (h0 for the first processed step). */
export function previousStates(
  h: Float32Array,
  hprev: number,
  hseq: number,
  h0: number,
  B: number,
  T: number,
  H: number,
  goBackwards: boolean,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const tp = goBackwards ? t + 1 : t - 1;
      const src = tp < 0 || tp >= T ? h0 + b * H : hseq + (b * T + tp) * H;
      h.copyWithin(hprev + (b * T + t) * H, src, src + H);
    }
  }
}
