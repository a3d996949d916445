/** Twin of assembly/embedding.ts: ids are read through the int32 view of the heap. */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

// y (N,D) = w[ids]
export function embeddingForward(m: HeapMemory, a: KernelArgs<'embeddingForward'>): void {
  const h = m.f32();
  const hi = m.i32();
  const { N, D } = a;
  const { y, ids, w } = offsets('embeddingForward', a);
  for (let n = 0; n < N; n++) {
    const src = w + hi[ids + n] * D;
    h.copyWithin(y + n * D, src, src + D);
  }
}

// dw (V,D) += scatter of dy (N,D) to rows ids
export function embeddingBackward(m: HeapMemory, a: KernelArgs<'embeddingBackward'>): void {
  const h = m.f32();
  const hi = m.i32();
  const { N, D } = a;
  const { dw, dy, ids } = offsets('embeddingBackward', a);
  for (let n = 0; n < N; n++) {
    const dst = dw + hi[ids + n] * D;
    const src = dy + n * D;
    for (let j = 0; j < D; j++) h[dst + j] += h[src + j];
  }
}

// mask (N) = ids != 0
export function maskFromIds(m: HeapMemory, a: KernelArgs<'maskFromIds'>): void {
  const h = m.f32();
  const hi = m.i32();
  const { mask, ids } = offsets('maskFromIds', a);
  for (let n = 0; n < a.N; n++) h[mask + n] = hi[ids + n] !== 0 ? 1 : 0;
}
