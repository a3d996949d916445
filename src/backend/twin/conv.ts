/**
 * Twin of assembly/conv1d.ts: the same convolution as direct loops, in the
 * order a careful JS programmer would pick (each input value is read once
 * per tap and multiplied into a row of the kernel, i-k-j style).
 *
 *   xp[b,u,c] = x[b, u−P, c] for valid steps, else 0
 *   y[b,t,f]  = act(bias[f] + Σ_k Σ_c xp[b, t·S + k·D, c] · w[k,c,f])
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { ACT_LINEAR } from '../abi.js';
import { act1 } from './activations.js';
import { offsets } from './args.js';

/** Whether input step i of batch row b is read: in range and not masked. */
function valid(h: Float32Array, mask: number, b: number, T: number, i: number): boolean {
  return i >= 0 && i < T && (mask === 0 || h[mask + b * T + i] !== 0);
}

// y (B,To,F) = act(conv(x (B,T,C), w (K,C,F)) + bias); xpad (B,Tp,C) = padded, masked x
export function conv1dForward(m: HeapMemory, a: KernelArgs<'conv1dForward'>): void {
  const h = m.f32();
  const { B, T, C, F, K, S, D, P, To, Tp, act } = a;
  const { y, xpad, x, mask, w, bias } = offsets('conv1dForward', a);
  for (let b = 0; b < B; b++) {
    if (xpad) {
      for (let u = 0; u < Tp; u++) {
        const i = u - P;
        const dst = xpad + (b * Tp + u) * C;
        if (valid(h, mask, b, T, i)) h.copyWithin(dst, x + (b * T + i) * C, x + (b * T + i + 1) * C);
        else h.fill(0, dst, dst + C);
      }
    }
    for (let t = 0; t < To; t++) {
      const yr = y + (b * To + t) * F;
      for (let f = 0; f < F; f++) h[yr + f] = bias ? h[bias + f] : 0;
      for (let k = 0; k < K; k++) {
        const i = t * S + k * D - P;
        if (!valid(h, mask, b, T, i)) continue;
        const xr = x + (b * T + i) * C;
        for (let c = 0; c < C; c++) {
          const xv = h[xr + c];
          const wr = w + (k * C + c) * F;
          for (let f = 0; f < F; f++) h[yr + f] += xv * h[wr + f];
        }
      }
      if (act !== ACT_LINEAR) for (let f = 0; f < F; f++) h[yr + f] = act1(act, h[yr + f]);
    }
  }
}

// dw (K,C,F) +=, dbias (F) +=, dx (B,T,C) = from dz (B,To,F)
export function conv1dBackward(m: HeapMemory, a: KernelArgs<'conv1dBackward'>): void {
  const h = m.f32();
  const { B, T, C, F, K, S, D, P, To } = a;
  const { dx, dw, dbias, dz, x, mask, w } = offsets('conv1dBackward', a);
  if (dx) h.fill(0, dx, dx + B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const dzr = dz + (b * To + t) * F;
      if (dbias) for (let f = 0; f < F; f++) h[dbias + f] += h[dzr + f];
      for (let k = 0; k < K; k++) {
        const i = t * S + k * D - P;
        if (!valid(h, mask, b, T, i)) continue;
        const xr = x + (b * T + i) * C;
        const dxr = dx + (b * T + i) * C;
        for (let c = 0; c < C; c++) {
          const wr = w + (k * C + c) * F;
          const dwr = dw + (k * C + c) * F;
          // dW[k,c,:] += x[i,c]·dz[t,:];  dx[i,c] += dz[t,:]·W[k,c,:]
          const xv = h[xr + c];
          let s = 0;
          if (dw) {
            for (let f = 0; f < F; f++) {
              const g = h[dzr + f];
              h[dwr + f] += xv * g;
              s += g * h[wr + f];
            }
          } else {
            for (let f = 0; f < F; f++) s += h[dzr + f] * h[wr + f];
          }
          if (dx) h[dxr + c] += s;
        }
      }
    }
  }
}
