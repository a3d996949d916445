/** Twin of assembly/additive_score.ts: s = Σ_d v ⊙ tanh(α(q + k)) and its gradients, in float64 Math. */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

export function additiveScore(m: HeapMemory, a: KernelArgs<'additiveScore'>): void {
  const h = m.f32();
  const { B, Tq, Tk, D } = a;
  const { s, q, k, v, alpha } = offsets('additiveScore', a);
  const al = alpha ? h[alpha] : 1;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const qi = q + (b * Tq + i) * D;
      for (let j = 0; j < Tk; j++) {
        const kj = k + (b * Tk + j) * D;
        let sum = 0;
        for (let d = 0; d < D; d++) sum += (v ? h[v + d] : 1) * Math.tanh(al * (h[qi + d] + h[kj + d]));
        h[s + (b * Tq + i) * Tk + j] = sum;
      }
    }
  }
}

export function additiveScoreBackward(m: HeapMemory, a: KernelArgs<'additiveScoreBackward'>): void {
  const h = m.f32();
  const { B, Tq, Tk, D, accumulate } = a;
  const { dq, dk, dv, dalpha, ds, q, k, v, alpha } = offsets('additiveScoreBackward', a);
  const al = alpha ? h[alpha] : 1;
  if (!accumulate) {
    h.fill(0, dq, dq + B * Tq * D);
    h.fill(0, dk, dk + B * Tk * D);
  }
  let da = 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const qi = q + (b * Tq + i) * D;
      const dqi = dq + (b * Tq + i) * D;
      for (let j = 0; j < Tk; j++) {
        const kj = k + (b * Tk + j) * D;
        const dkj = dk + (b * Tk + j) * D;
        const gs = h[ds + (b * Tq + i) * Tk + j];
        for (let d = 0; d < D; d++) {
          const x = h[qi + d] + h[kj + d];
          const t = Math.tanh(al * x);
          if (dv) h[dv + d] += gs * t;
          // backprop through tanh and the weight v
          const g = gs * (1 - t * t) * (v ? h[v + d] : 1);
          da += g * x;
          h[dqi + d] += g * al;
          h[dkj + d] += g * al;
        }
      }
    }
  }
  if (dalpha) h[dalpha] += da;
}
