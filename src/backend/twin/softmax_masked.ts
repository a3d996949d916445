/**
 * Twin of assembly/softmax_masked.ts: per row (b, h, i), the allowed keys
 * from the masks, a max-subtracted softmax over them in float64 Math, 0 at
 * the others; an empty row is 0 or 1/Tk (emptyUniform).
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

/** Key j of row (b, i) may be attended to (masks at slot offsets, 0 = absent). */
function allowed(
  h: Float32Array,
  km: number,
  qm: number,
  am: number,
  causal: boolean,
  b: number,
  i: number,
  j: number,
  Tq: number,
  Tk: number,
): boolean {
  if (km && h[km + b * Tk + j] === 0) return false;
  if (qm && h[qm + b * Tq + i] === 0) return false;
  if (am && h[am + (b * Tq + i) * Tk + j] === 0) return false;
  return !causal || j <= i;
}

export function maskedSoftmax(m: HeapMemory, a: KernelArgs<'maskedSoftmax'>): void {
  const h = m.f32();
  const { B, H, Tq, Tk, causal, emptyUniform } = a;
  const { w, s, gain, kmask, qmask, amask } = offsets('maskedSoftmax', a);
  const k = gain ? a.scale * h[gain] : a.scale;
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      for (let i = 0; i < Tq; i++) {
        const o = ((b * H + hh) * Tq + i) * Tk;
        let mx = -Infinity;
        for (let j = 0; j < Tk; j++) if (allowed(h, kmask, qmask, amask, causal, b, i, j, Tq, Tk)) mx = Math.max(mx, k * h[s + o + j]);
        if (mx === -Infinity) {
          h.fill(emptyUniform ? 1 / Tk : 0, w + o, w + o + Tk);
          continue;
        }
        let sum = 0;
        for (let j = 0; j < Tk; j++) {
          const e = allowed(h, kmask, qmask, amask, causal, b, i, j, Tq, Tk) ? Math.exp(k * h[s + o + j] - mx) : 0;
          h[w + o + j] = e;
          sum += e;
        }
        for (let j = 0; j < Tk; j++) h[w + o + j] /= sum;
      }
    }
  }
}

export function maskedSoftmaxBackward(m: HeapMemory, a: KernelArgs<'maskedSoftmaxBackward'>): void {
  const h = m.f32();
  const { B, H, Tq, Tk, causal, accumulate, scale } = a;
  const { ds, dgain, w, dw, s, gain, kmask, qmask, amask } = offsets('maskedSoftmaxBackward', a);
  const k = scale * (gain ? h[gain] : 1);
  let dg = 0;
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      for (let i = 0; i < Tq; i++) {
        const o = ((b * H + hh) * Tq + i) * Tk;
        let open = false;
        for (let j = 0; j < Tk && !open; j++) open = allowed(h, kmask, qmask, amask, causal, b, i, j, Tq, Tk);
        if (!open) {
          // the forward is constant on a row with no allowed key
          if (!accumulate) h.fill(0, ds + o, ds + o + Tk);
          continue;
        }
        let dot = 0;
        for (let j = 0; j < Tk; j++) dot += h[w + o + j] * h[dw + o + j];
        for (let j = 0; j < Tk; j++) {
          const dz = h[w + o + j] * (h[dw + o + j] - dot);
          if (dgain) dg += dz * h[s + o + j];
          h[ds + o + j] = accumulate ? h[ds + o + j] + k * dz : k * dz;
        }
      }
    }
  }
  if (dgain) h[dgain] += dg * scale;
}
