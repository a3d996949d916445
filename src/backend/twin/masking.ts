/** Twin of assembly/masking.ts. */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

// mask (N) = any(x[n,:] != value); y (N,F) = x ⊙ mask
export function maskingForward(m: HeapMemory, a: KernelArgs<'maskingForward'>): void {
  const h = m.f32();
  const { N, F } = a;
  const { y, mask, x } = offsets('maskingForward', a);
  const v = Math.fround(a.value);
  for (let n = 0; n < N; n++) {
    let keep = false;
    for (let j = 0; j < F && !keep; j++) keep = h[x + n * F + j] !== v;
    h[mask + n] = keep ? 1 : 0;
    for (let j = 0; j < F; j++) h[y + n * F + j] = keep ? h[x + n * F + j] : 0;
  }
}

// y (R,C) = x ⊙ s (R) along rows
export function rowScale(m: HeapMemory, a: KernelArgs<'rowScale'>): void {
  const h = m.f32();
  const { R, C } = a;
  const { y, x, s } = offsets('rowScale', a);
  for (let r = 0; r < R; r++) {
    const sv = h[s + r];
    for (let j = 0; j < C; j++) h[y + r * C + j] = h[x + r * C + j] * sv;
  }
}
