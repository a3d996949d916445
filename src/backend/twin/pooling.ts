/**
 * Twin of assembly/pooling.ts. Output step t reads input steps
 * i = t·S + k·D − P (k < K) that are in range and valid (mask absent or
 * != 0); max keeps the earliest step on ties; a window that reads nothing
 * gives 0 (and arg −1).
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

function reads(h: Float32Array, mask: number, b: number, T: number, i: number): boolean {
  return i >= 0 && i < T && (mask === 0 || h[mask + b * T + i] !== 0);
}

// y, arg (B,To,C) = max over each window of x (B,T,C) and the step it came from
export function maxPool1dForward(m: HeapMemory, a: KernelArgs<'maxPool1dForward'>): void {
  const h = m.f32();
  const ints = m.i32();
  const { B, T, C, To, K, S, P } = a;
  const { y, arg, x, mask } = offsets('maxPool1dForward', a);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const o = (b * To + t) * C;
      h.fill(-Infinity, y + o, y + o + C);
      ints.fill(-1, arg + o, arg + o + C);
      for (let k = 0; k < K; k++) {
        const i = t * S + k - P;
        if (!reads(h, mask, b, T, i)) continue;
        const xr = x + (b * T + i) * C;
        for (let c = 0; c < C; c++) {
          // strictly greater: the earliest step keeps a tie
          if (h[xr + c] > h[y + o + c]) {
            h[y + o + c] = h[xr + c];
            ints[arg + o + c] = i;
          }
        }
      }
      for (let c = 0; c < C; c++) if (ints[arg + o + c] < 0) h[y + o + c] = 0;
    }
  }
}

// dx (B,T,C) = dy routed to the step each max came from
export function maxPool1dBackward(m: HeapMemory, a: KernelArgs<'maxPool1dBackward'>): void {
  const h = m.f32();
  const ints = m.i32();
  const { B, T, C, To } = a;
  const { dx, dy, arg } = offsets('maxPool1dBackward', a);
  h.fill(0, dx, dx + B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const o = (b * To + t) * C;
      for (let c = 0; c < C; c++) {
        const i = ints[arg + o + c];
        if (i >= 0) h[dx + (b * T + i) * C + c] += h[dy + o + c];
      }
    }
  }
}

function countRead(h: Float32Array, mask: number, b: number, T: number, t: number, K: number, S: number, P: number): number {
  let n = 0;
  for (let k = 0; k < K; k++) if (reads(h, mask, b, T, t * S + k - P)) n++;
  return n;
}

// y (B,To,C) = mean over the steps each window reads
export function avgPool1dForward(m: HeapMemory, a: KernelArgs<'avgPool1dForward'>): void {
  const h = m.f32();
  const { B, T, C, To, K, S, P } = a;
  const { y, x, mask } = offsets('avgPool1dForward', a);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const yr = y + (b * To + t) * C;
      h.fill(0, yr, yr + C);
      const n = countRead(h, mask, b, T, t, K, S, P);
      if (n === 0) continue;
      for (let k = 0; k < K; k++) {
        const i = t * S + k - P;
        if (!reads(h, mask, b, T, i)) continue;
        const xr = x + (b * T + i) * C;
        for (let c = 0; c < C; c++) h[yr + c] += h[xr + c];
      }
      for (let c = 0; c < C; c++) h[yr + c] /= n;
    }
  }
}

// dx (B,T,C) = each dy row spread evenly over the steps its window read
export function avgPool1dBackward(m: HeapMemory, a: KernelArgs<'avgPool1dBackward'>): void {
  const h = m.f32();
  const { B, T, C, To, K, S, P } = a;
  const { dx, dy, mask } = offsets('avgPool1dBackward', a);
  h.fill(0, dx, dx + B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const n = countRead(h, mask, b, T, t, K, S, P);
      if (n === 0) continue;
      const dyr = dy + (b * To + t) * C;
      for (let k = 0; k < K; k++) {
        const i = t * S + k - P;
        if (!reads(h, mask, b, T, i)) continue;
        const dxr = dx + (b * T + i) * C;
        for (let c = 0; c < C; c++) h[dxr + c] += h[dyr + c] / n;
      }
    }
  }
}

// ymask (B,To) = 1 where the window of output t reads a valid step
export function windowMask(m: HeapMemory, a: KernelArgs<'windowMask'>): void {
  const h = m.f32();
  const { B, T, To, K, S, D, P } = a;
  const { ymask, mask } = offsets('windowMask', a);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      let any = false;
      for (let k = 0; k < K && !any; k++) any = reads(h, mask, b, T, t * S + k * D - P);
      h[ymask + b * To + t] = any ? 1 : 0;
    }
  }
}
