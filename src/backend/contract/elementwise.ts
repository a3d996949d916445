/** The elementwise and reduction kernels of assembly/elementwise.ts. */
import { fail } from '../../errors.js';
import type { Buf } from '../memory.js';
import { acc, bool, dim, f32, inp, kernel, out, outAcc } from './params.js';

/** Two ranges of `n` slots overlap. */
export function overlaps(p: Buf, q: Buf, n: number, m = n): boolean {
  return n > 0 && m > 0 && p.off < q.off + m && q.off < p.off + n;
}

export const ELEMENTWISE_KERNELS = {
  /** y (R,C) = x (R,C) + b (C) on every row. y may alias x. */
  biasAdd: kernel({
    wasm: 'bias_add_f32',
    params: { y: out('R,C'), x: inp('R,C'), b: inp('C'), R: dim(), C: dim() },
  }),
  /** db (C) =|+= Σ over rows of dy (R,C): a bias gradient. */
  columnSum: kernel({
    wasm: 'column_sum_f32',
    params: { db: outAcc('C'), dy: inp('R,C'), R: dim(), C: dim(), accumulate: bool() },
  }),
  /** y (n) += alpha · x (n). */
  axpy: kernel({
    wasm: 'axpy_f32',
    params: { y: acc('n'), x: inp('n'), alpha: f32(), n: dim() },
  }),
  /** y (n) = alpha · x (n). y may alias x. */
  scale: kernel({
    wasm: 'scale_f32',
    params: { y: out('n'), x: inp('n'), alpha: f32(), n: dim() },
  }),
  /** y (n) =|+= a (n) ⊙ b (n). */
  mul: kernel({
    wasm: 'mul_f32',
    params: { y: outAcc('n'), a: inp('n'), b: inp('n'), n: dim(), accumulate: bool() },
  }),
  /** y (n) = a (n) + b (n). */
  add: kernel({
    wasm: 'add_f32',
    params: { y: out('n'), a: inp('n'), b: inp('n'), n: dim() },
  }),
  /** y (n) = value. */
  fill: kernel({
    wasm: 'fill_f32',
    params: { y: out('n'), value: f32(), n: dim() },
  }),
  /** y (n) = x (n), bit for bit (float32 or int32); the ranges may overlap. */
  copy: kernel({
    wasm: 'copy_f32',
    params: { y: out('n', 'any'), x: inp('n', 'any'), n: dim() },
  }),
  /** Σ x (n)², accumulated in float64 (global-norm clipping must not overflow). */
  sumSquares: kernel({
    wasm: 'sum_squares_f32',
    params: { x: inp('n'), n: dim() },
    returns: 'f64',
  }),
  /** true if any of x (n) is NaN or ±Inf. */
  hasNonFinite: kernel({
    wasm: 'has_non_finite_f32',
    params: { x: inp('n'), n: dim() },
    returns: 'bool',
  }),
  /** dst (R,W) with row stride ds = src (R,W) with row stride ss; the rest of dst is left alone. */
  copyRows: kernel({
    wasm: 'copy_rows_f32',
    params: { dst: out('R,W:ds'), ds: dim(), src: inp('R,W:ss'), ss: dim(), R: dim(), W: dim() },
  }),
  /** y (B,T,F)[b,t] = x (B,T,F)[b,T−1−t]; y must not overlap x. */
  reverseTime: kernel({
    wasm: 'reverse_time_f32',
    params: { y: out('B,T,F'), x: inp('B,T,F'), B: dim(), T: dim(), F: dim() },
    check(op, a) {
      if (overlaps(a.y, a.x, a.B * a.T * a.F)) fail('E_ARG', `${op}: y must not overlap x`);
    },
  }),
};
