/**
 * Twin of assembly/loss.ts. Each returns Σ w·loss (float64) and writes the
 * gradient w.r.t. the logits / outputs times `scale`. w = 0: no weights.
 */

export function bceLogits(h: Float32Array, dz: number, z: number, y: number, w: number, N: number, C: number, scale: number): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const wn = w ? h[w + n] : 1;
    for (let c = 0; c < C; c++) {
      const o = n * C + c;
      const zv = h[z + o];
      const yv = h[y + o];
      const e = Math.exp(-Math.abs(zv));
      total += wn * (Math.max(zv, 0) - zv * yv + Math.log1p(e));
      const p = zv >= 0 ? 1 / (1 + e) : e / (1 + e);
      h[dz + o] = wn * (p - yv) * scale;
    }
  }
  return total;
}

export function softmaxCe(h: Float32Array, hi: Int32Array, dz: number, z: number, labels: number, w: number,
  N: number, C: number, sparse: boolean, scale: number): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const zr = z + n * C;
    const dr = dz + n * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, h[zr + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(h[zr + c] - m);
    const lse = m + Math.log(s);
    const wn = w ? h[w + n] : 1;
    if (sparse) {
      const label = hi[labels + n];
      total += wn * (lse - h[zr + label]);
      for (let c = 0; c < C; c++) h[dr + c] = wn * scale * (Math.exp(h[zr + c] - lse) - (c === label ? 1 : 0));
    } else {
      const yr = labels + n * C;
      let l = 0;
      for (let c = 0; c < C; c++) {
        l += h[yr + c] * (lse - h[zr + c]);
        h[dr + c] = wn * scale * (Math.exp(h[zr + c] - lse) - h[yr + c]);
      }
      total += wn * l;
    }
  }
  return total;
}

export function mse(h: Float32Array, dout: number, out: number, y: number, w: number, N: number, C: number, scale: number): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const wn = w ? h[w + n] : 1;
    for (let c = 0; c < C; c++) {
      const o = n * C + c;
      const d = h[out + o] - h[y + o];
      total += wn * d * d;
      h[dout + o] = 2 * wn * d * scale;
    }
  }
  return total;
}
