/** The embedding kernels of assembly/embedding.ts. ids are int32 in [0, V) (the caller's data validation). */
import { acc, dim, hostDim, inp, kernel, out } from './params.js';

export const EMBEDDING_KERNELS = {
  /** y (N,D) = w (V,D)[ids (N)]: a gather of rows. */
  embeddingForward: kernel({
    wasm: 'embedding_forward_f32',
    params: { y: out('N,D'), ids: inp('N', 'i32'), w: inp('V,D'), N: dim(), D: dim(), V: hostDim() },
  }),
  /** dw (V,D) += dy (N,D) scattered to the rows ids (N): only the rows that occur are touched. */
  embeddingBackward: kernel({
    wasm: 'embedding_backward_f32',
    params: { dw: acc('V,D'), dy: inp('N,D'), ids: inp('N', 'i32'), N: dim(), D: dim(), V: hostDim() },
  }),
  /** mask (N) = ids (N) != 0 as float32 1/0 (Keras mask_zero). */
  maskFromIds: kernel({
    wasm: 'mask_from_ids_f32',
    params: { mask: out('N'), ids: inp('N', 'i32'), N: dim() },
  }),
};
