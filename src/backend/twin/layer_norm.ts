/** Twin of assembly/layer_norm.ts: two-pass mean and biased variance per row, in float64 Math. */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

export function layerNormForward(m: HeapMemory, a: KernelArgs<'layerNormForward'>): void {
  const h = m.f32();
  const { R, C, eps } = a;
  const { y, mean, rstd, x, gamma, beta } = offsets('layerNormForward', a);
  for (let r = 0; r < R; r++) {
    const o = r * C;
    let s = 0;
    for (let j = 0; j < C; j++) s += h[x + o + j];
    const mu = s / C;
    let q = 0;
    for (let j = 0; j < C; j++) q += (h[x + o + j] - mu) ** 2;
    const rs = 1 / Math.sqrt(q / C + eps);
    h[mean + r] = mu;
    h[rstd + r] = rs;
    for (let j = 0; j < C; j++) {
      let v = (h[x + o + j] - mu) * rs;
      if (gamma) v *= h[gamma + j];
      if (beta) v += h[beta + j];
      h[y + o + j] = v;
    }
  }
}

export function layerNormBackward(m: HeapMemory, a: KernelArgs<'layerNormBackward'>): void {
  const h = m.f32();
  const { R, C, accumulate } = a;
  const { dx, dgamma, dbeta, dy, x, gamma, mean, rstd } = offsets('layerNormBackward', a);
  for (let r = 0; r < R; r++) {
    const o = r * C;
    const mu = h[mean + r];
    const rs = h[rstd + r];
    let gs = 0;
    let gx = 0;
    for (let j = 0; j < C; j++) {
      const d = h[dy + o + j];
      const xh = (h[x + o + j] - mu) * rs;
      if (dgamma) h[dgamma + j] += d * xh;
      if (dbeta) h[dbeta + j] += d;
      const g = gamma ? d * h[gamma + j] : d;
      gs += g;
      gx += g * xh;
    }
    const mg = gs / C;
    const mgx = gx / C;
    for (let j = 0; j < C; j++) {
      const d = h[dy + o + j];
      const xh = (h[x + o + j] - mu) * rs;
      const g = gamma ? d * h[gamma + j] : d;
      const v = rs * (g - mg - xh * mgx);
      h[dx + o + j] = accumulate ? h[dx + o + j] + v : v;
    }
  }
}
