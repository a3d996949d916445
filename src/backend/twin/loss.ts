/**
 * Twin of assembly/loss.ts. Each returns Σ w·loss (float64) and writes the
 * gradient w.r.t. the logits / outputs times `scale`. w = 0: no weights.
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

export function bceLogits(m: HeapMemory, a: KernelArgs<'bceLogits'>): number {
  const h = m.f32();
  const { N, C, scale } = a;
  const { dz, z, y, w } = offsets('bceLogits', a);
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

export function softmaxCe(m: HeapMemory, a: KernelArgs<'softmaxCe'>): number {
  const h = m.f32();
  const hi = m.i32();
  const { N, C, sparse, scale } = a;
  const { dz, z, labels, w } = offsets('softmaxCe', a);
  let total = 0;
  for (let n = 0; n < N; n++) {
    const zr = z + n * C;
    const dr = dz + n * C;
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, h[zr + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(h[zr + c] - mx);
    const lse = mx + Math.log(s);
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

export function mse(m: HeapMemory, a: KernelArgs<'mse'>): number {
  const h = m.f32();
  const { N, C, scale } = a;
  const { dout, out, y, w } = offsets('mse', a);
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
