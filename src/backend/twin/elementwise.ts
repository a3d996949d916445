/** Twin of assembly/elementwise.ts. */

// y (R,C) = x (R,C) + b (C)
export function biasAdd(h: Float32Array, y: number, x: number, b: number, R: number, C: number): void {
  for (let r = 0; r < R; r++) for (let j = 0; j < C; j++) h[y + r * C + j] = h[x + r * C + j] + h[b + j];
}

// db (C) =|+= Σ_r dy (R,C)
export function columnSum(h: Float32Array, db: number, dy: number, R: number, C: number, accumulate: boolean): void {
  if (!accumulate) h.fill(0, db, db + C);
  for (let r = 0; r < R; r++) for (let j = 0; j < C; j++) h[db + j] += h[dy + r * C + j];
}

// dst rows (R,W), stride ds = src rows, stride ss
export function copyRows(h: Float32Array, dst: number, ds: number, src: number, ss: number, R: number, W: number): void {
  for (let r = 0; r < R; r++) h.copyWithin(dst + r * ds, src + r * ss, src + r * ss + W);
}

// y (B,T,F)[b,t] = x[b,T-1-t]
export function reverseTime(h: Float32Array, y: number, x: number, B: number, T: number, F: number): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = x + (b * T + T - 1 - t) * F;
      h.copyWithin(y + (b * T + t) * F, src, src + F);
    }
  }
}
