/** Twin of assembly/bidirectional.ts: merge the two directions and split the gradient. */
import { MERGE_AVE, MERGE_CONCAT, MERGE_MUL, MERGE_SUM } from '../abi.js';
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

// y (R,W) = merge(f (R,H), b (R,H)); rows with mask == 0 give 0
export function bidirectionalMerge(m: HeapMemory, a: KernelArgs<'bidirectionalMerge'>): void {
  const h = m.f32();
  const { R, H, mode } = a;
  const { y, f, b, mask } = offsets('bidirectionalMerge', a);
  const W = mode === MERGE_CONCAT ? 2 * H : H;
  for (let r = 0; r < R; r++) {
    const yr = y + r * W;
    if (mask && h[mask + r] === 0) {
      h.fill(0, yr, yr + W);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const fv = h[f + r * H + j];
      const bv = h[b + r * H + j];
      if (mode === MERGE_CONCAT) {
        h[yr + j] = fv;
        h[yr + H + j] = bv;
      } else if (mode === MERGE_SUM) h[yr + j] = fv + bv;
      else if (mode === MERGE_MUL) h[yr + j] = fv * bv;
      else if (mode === MERGE_AVE) h[yr + j] = (fv + bv) * 0.5;
    }
  }
}

// df, db (R,H) = d merge / d f, d b applied to dy (R,W)
export function bidirectionalMergeBackward(m: HeapMemory, a: KernelArgs<'bidirectionalMergeBackward'>): void {
  const h = m.f32();
  const { R, H, mode } = a;
  const { df, db, dy, f, b, mask } = offsets('bidirectionalMergeBackward', a);
  const W = mode === MERGE_CONCAT ? 2 * H : H;
  for (let r = 0; r < R; r++) {
    const dyr = dy + r * W;
    const zero = mask !== 0 && h[mask + r] === 0;
    for (let j = 0; j < H; j++) {
      const i = r * H + j;
      let gf: number;
      let gb: number;
      if (zero) gf = gb = 0;
      else if (mode === MERGE_CONCAT) {
        gf = h[dyr + j];
        gb = h[dyr + H + j];
      } else if (mode === MERGE_SUM) gf = gb = h[dyr + j];
      else if (mode === MERGE_MUL) {
        gf = h[dyr + j] * h[b + i];
        gb = h[dyr + j] * h[f + i];
      } else gf = gb = h[dyr + j] * 0.5;
      h[df + i] = gf;
      h[db + i] = gb;
    }
  }
}
