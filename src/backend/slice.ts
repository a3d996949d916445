/**
 * The backend a worker thread computes its slice of a batch on: its own
 * region of the shared memory (shared.ts), and dropout that numbers the
 * slice's elements from the start of the whole batch.
 *
 * Dropout's mask of element i is a hash of (seed, i) (assembly/dropout.ts).
 * A slice of rows [rowStart, rowStart + rows) is a contiguous run of a
 * batch-major buffer, so its element j is the batch's element
 * first + j, first = rowStart · (elements per row). Drawing that element's
 * mask makes every thread drop exactly what one thread drops over the whole
 * batch: the model trains to the same numbers on any thread count. The
 * kernel hashes from element 0, so a slice that does not start at row 0 runs
 * the same hash here, from `first` (the twin's arithmetic, bit for bit).
 */
import { Backend } from './backend.js';
import { checkArgs } from './checks.js';
import type { Buf } from './memory.js';
import { fmix32 } from './twin/dropout.js';

export class SliceBackend extends Backend {
  /** first row of the slice in its batch, and its rows (the forward's B) */
  rowStart = 0;
  rows = 1;

  override dropoutForward(y: Buf, mask: Buf, x: Buf, n: number, rate: number, seed: number): void {
    if (this.rowStart === 0) return super.dropoutForward(y, mask, x, n, rate, seed);
    checkArgs('dropoutForward', { y, mask, x, n, rate, seed: seed >>> 0 });
    dropoutFrom(this.kernels.memory.f32(), y.off, mask.off, x.off, n, rate, seed >>> 0, (this.rowStart * n) / this.rows);
  }
}

/** y = x ⊙ mask over n elements numbered from `first` (twin/dropout.ts's loop with an offset index). */
export function dropoutFrom(
  h: Float32Array,
  y: number,
  mask: number,
  x: number,
  n: number,
  rate: number,
  seed: number,
  first: number,
): void {
  const threshold = Math.min(4294967295, Math.floor(Math.fround(rate) * 4294967296));
  const scale = Math.fround(1 / Math.fround(1 - Math.fround(rate)));
  for (let i = 0; i < n; i++) {
    const hash = fmix32((seed ^ Math.imul(first + i, 0x9e3779b1)) >>> 0);
    const keep = hash >= threshold ? scale : 0;
    h[mask + i] = keep;
    h[y + i] = h[x + i] * keep;
  }
}
