/** The dropout kernel of assembly/dropout.ts. */
import { fail } from '../../errors.js';
import { dim, f32, inp, kernel, out, u32 } from './params.js';

export const DROPOUT_KERNELS = {
  /**
   * y (n) = x (n) ⊙ mask; mask (n) = keep ? 1/(1−rate) : 0 from a counter hash of (seed, i), kept for the
   * backward (dx = dy ⊙ mask).
   */
  dropoutForward: kernel({
    wasm: 'dropout_forward_f32',
    params: { y: out('n'), mask: out('n'), x: inp('n'), n: dim(), rate: f32(), seed: u32() },
    check(op, a) {
      if (!(a.rate >= 0 && a.rate < 1)) fail('E_ARG', `${op}: rate must be in [0, 1), got ${a.rate}`);
    },
  }),
};
