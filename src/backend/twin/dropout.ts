/**
 * Twin of assembly/dropout.ts: the same counter-based hash in 32-bit integer
 * math (Math.imul, >>>), so both backends drop exactly the same elements.
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

/** MurmurHash3's 32-bit finaliser. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// y (n) = x ⊙ mask, mask_i = keep_i ? 1/(1−rate) : 0
export function dropoutForward(m: HeapMemory, a: KernelArgs<'dropoutForward'>): void {
  const h = m.f32();
  const { n, rate } = a;
  const seed = a.seed >>> 0; // the export reads it as u32
  const { y, mask, x } = offsets('dropoutForward', a);
  const threshold = Math.min(4294967295, Math.floor(Math.fround(rate) * 4294967296));
  const scale = Math.fround(1 / Math.fround(1 - Math.fround(rate)));
  for (let i = 0; i < n; i++) {
    const hash = fmix32((seed ^ Math.imul(i, 0x9e3779b1)) >>> 0);
    const keep = hash >= threshold ? scale : 0;
    h[mask + i] = keep;
    h[y + i] = h[x + i] * keep;
  }
}
