/** The Keras Masking kernels of assembly/masking.ts. */
import { fail } from '../../errors.js';
import { dim, f32, inp, kernel, out } from './params.js';

export const MASKING_KERNELS = {
  /** mask (N) = any(x[n,:] != value); y (N,F) = x (N,F) ⊙ mask, row by row. */
  maskingForward: kernel({
    wasm: 'masking_forward_f32',
    params: { y: out('N,F'), mask: out('N'), x: inp('N,F'), N: dim(), F: dim(), value: f32() },
    check(op, a) {
      if (!Number.isFinite(a.value)) fail('E_ARG', `${op}: value must be finite, got ${a.value}`);
    },
  }),
  /** y (R,C) = x (R,C) ⊙ s (R) along rows (the Masking backward). y may alias x. */
  rowScale: kernel({
    wasm: 'row_scale_f32',
    params: { y: out('R,C'), x: inp('R,C'), s: inp('R'), R: dim(), C: dim() },
  }),
};
