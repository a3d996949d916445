/** Twin of assembly/masking.ts. */

// mask (N) = any(x[n,:] != value); y (N,F) = x ⊙ mask
export function maskingForward(h: Float32Array, y: number, mask: number, x: number, N: number, F: number, value: number): void {
  const v = Math.fround(value);
  for (let n = 0; n < N; n++) {
    let keep = false;
    for (let j = 0; j < F && !keep; j++) keep = h[x + n * F + j] !== v;
    h[mask + n] = keep ? 1 : 0;
    for (let j = 0; j < F; j++) h[y + n * F + j] = keep ? h[x + n * F + j] : 0;
  }
}

// y (R,C) = x ⊙ s (R) along rows
export function rowScale(h: Float32Array, y: number, x: number, s: number, R: number, C: number): void {
  for (let r = 0; r < R; r++) {
    const sv = h[s + r];
    for (let j = 0; j < C; j++) h[y + r * C + j] = h[x + r * C + j] * sv;
  }
}
