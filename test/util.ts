/** Test helpers: tolerant comparison with a useful failure message, seeded data. */
import { Rng } from '../src/rng.js';

/** Sizes that cover lane tails and several vector iterations (docs/testing.md). */
export const SIZES = [1, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64, 65];

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  label?: string;
}

/** |got - want| <= atol + rtol·|want| everywhere; NaN only where want is NaN. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, opts: CloseOptions = {}): void {
  const { atol = 1e-6, rtol = 1e-5, label = '' } = opts;
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length} != ${want.length}`);
  let worst = -1;
  let worstDiff = 0;
  let bad = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const w = want[i];
    const d = Math.abs(g - w);
    const ok = Number.isNaN(w) ? Number.isNaN(g) : d <= atol + rtol * Math.abs(w);
    if (!ok) {
      bad++;
      if (worst < 0 || !(d <= worstDiff)) {
        worst = i;
        worstDiff = d;
      }
    }
  }
  if (bad > 0) {
    throw new Error(
      `${label}: ${bad} of ${got.length} values differ; worst at index ${worst}: got ${got[worst]}, want ${want[worst]}, ` +
        `|diff| ${worstDiff} > ${atol} + ${rtol}·|want|`,
    );
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function randomArray(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

export { Rng };
