/** L2 normalisation along one axis (assembly/l2_normalize.ts): x viewed as (O,N,I), the axis N with stride I. */
import { bool, dim, inp, kernel, out, outAcc } from './params.js';

export const L2_NORMALIZE_KERNELS = {
  /** y (O,N,I) = x · inv, inv (O,I) = 1/√max(Σ_n x², 1e-14). y may alias x. */
  l2Normalize: kernel({
    wasm: 'l2_normalize_f32',
    params: { y: out('O,N,I'), inv: out('O,I'), x: inp('O,N,I'), O: dim(), N: dim(), I: dim() },
  }),
  /** dx (O,N,I) =|+= inv·(dy − y·Σ_n y⊙dy), y = x·inv (inv·dy where the norm was clamped). dx may alias dy. */
  l2NormalizeBackward: kernel({
    wasm: 'l2_normalize_backward_f32',
    params: { dx: outAcc('O,N,I'), dy: inp('O,N,I'), x: inp('O,N,I'), inv: inp('O,I'), O: dim(), N: dim(), I: dim(), accumulate: bool() },
  }),
};
