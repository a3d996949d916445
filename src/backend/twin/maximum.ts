/** Twin of assembly/maximum.ts: one input of an elementwise maximum per call; ties stay with the earlier input. */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

// input `index`: 0 sets y = x, arg = 0; later inputs win where strictly greater
export function maximumForward(m: HeapMemory, a: KernelArgs<'maximumForward'>): void {
  const h = m.f32();
  const ints = m.i32();
  const { y, arg, x } = offsets('maximumForward', a);
  for (let i = 0; i < a.n; i++) {
    if (a.index === 0 || h[x + i] > h[y + i]) {
      h[y + i] = h[x + i];
      ints[arg + i] = a.index;
    }
  }
}

// dx = dy where arg == index, else 0
export function maximumBackward(m: HeapMemory, a: KernelArgs<'maximumBackward'>): void {
  const h = m.f32();
  const ints = m.i32();
  const { dx, dy, arg } = offsets('maximumBackward', a);
  for (let i = 0; i < a.n; i++) h[dx + i] = ints[arg + i] === a.index ? h[dy + i] : 0;
}
