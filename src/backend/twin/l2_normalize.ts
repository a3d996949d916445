/** Twin of assembly/l2_normalize.ts: x (O,N,I) normalised along N, in float64 Math. */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

const EPS2 = 1e-14;

function sumSquares(h: Float32Array, x: number, N: number, I: number): number {
  let s = 0;
  for (let n = 0; n < N; n++) s += h[x + n * I] ** 2;
  return s;
}

export function l2Normalize(m: HeapMemory, a: KernelArgs<'l2Normalize'>): void {
  const h = m.f32();
  const { O, N, I } = a;
  const { y, inv, x } = offsets('l2Normalize', a);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      const p = o * N * I + i;
      const r = 1 / Math.sqrt(Math.max(sumSquares(h, x + p, N, I), EPS2));
      h[inv + o * I + i] = r;
      for (let n = 0; n < N; n++) h[y + p + n * I] = h[x + p + n * I] * r;
    }
  }
}

export function l2NormalizeBackward(m: HeapMemory, a: KernelArgs<'l2NormalizeBackward'>): void {
  const h = m.f32();
  const { O, N, I, accumulate } = a;
  const { dx, dy, x, inv } = offsets('l2NormalizeBackward', a);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      const p = o * N * I + i;
      const r = h[inv + o * I + i];
      // past the clamp inv is a constant: dx = inv·dy
      let dot = 0;
      if (sumSquares(h, x + p, N, I) >= EPS2) for (let n = 0; n < N; n++) dot += h[x + p + n * I] * r * h[dy + p + n * I];
      for (let n = 0; n < N; n++) {
        const q = p + n * I;
        const v = r * (h[dy + q] - h[x + q] * r * dot);
        h[dx + q] = accumulate ? h[dx + q] + v : v;
      }
    }
  }
}
