/**
 * A slice's dropout is the whole batch's dropout for its rows: SliceBackend
 * numbers elements from the batch's start, so a call over rows [r0, B)
 * alone equals rows [r0, B) of the kernel's call over the batch, bit for
 * bit, for every split, with lane tails (sizes of docs/testing.md).
 */
import { describe, expect, it } from 'vitest';
import type { WasmExports } from '../../src/backend/generated/exports.js';
import { embeddedModules } from '../../src/backend/load.js';
import { SliceBackend } from '../../src/backend/slice.js';
import { WasmKernels } from '../../src/backend/wasm.js';
import { Rng, SIZES, randomArray } from '../util.js';

describe('SliceBackend dropout', () => {
  it('rows of the batch, for every split, equal the kernel over the whole batch', async () => {
    const { simd } = await embeddedModules();
    const exports = new WebAssembly.Instance(new WebAssembly.Module(simd)).exports as unknown as WasmExports;
    // one backend: from row 0 the kernel runs, from any other row the offset hash
    const be = new SliceBackend(new WasmKernels(exports));
    for (const perRow of SIZES) {
      for (const B of [2, 3, 5, 9]) {
        const n = B * perRow;
        const x = be.alloc(n);
        be.write(x, randomArray(new Rng(perRow * 31 + B), n));
        const [y, m] = [be.alloc(n), be.alloc(n)];
        be.rowStart = 0;
        be.rows = B;
        be.dropoutForward(y, m, x, n, 0.37, 12345);
        const [wantY, wantM] = [be.read(y), be.read(m)];
        for (let r0 = 1; r0 < B; r0++) {
          const k = (B - r0) * perRow;
          const [ys, ms] = [be.alloc(k), be.alloc(k)];
          be.rowStart = r0;
          be.rows = B - r0;
          be.dropoutForward(ys, ms, be.view(x, r0 * perRow, k), k, 0.37, 12345);
          expect(Array.from(be.read(ys))).toEqual(Array.from(wantY.subarray(r0 * perRow)));
          expect(Array.from(be.read(ms))).toEqual(Array.from(wantM.subarray(r0 * perRow)));
          be.free(ys);
          be.free(ms);
        }
        for (const b of [x, y, m]) be.free(b);
      }
    }
  });
});
