/** The embedding kernels of assembly/embedding.ts. ids are int32 in [0, V) (the caller's data validation). */
import { acc, dim, hostDim, inp, kernel, out } from './params.js';

export const EMBEDDING_KERNELS = {
  embeddingForward: kernel({
    wasm: 'embedding_forward_f32',
    doc: 'y (N,D) = w (V,D)[ids (N)]: a gather of rows.',
    params: { y: out('N,D'), ids: inp('N', 'i32'), w: inp('V,D'), N: dim(), D: dim(), V: hostDim() },
  }),
  embeddingBackward: kernel({
    wasm: 'embedding_backward_f32',
    doc: 'dw (V,D) += dy (N,D) scattered to the rows ids (N): only the rows that occur are touched.',
    params: { dw: acc('V,D'), dy: inp('N,D'), ids: inp('N', 'i32'), N: dim(), D: dim(), V: hostDim() },
  }),
  maskFromIds: kernel({
    wasm: 'mask_from_ids_f32',
    doc: 'mask (N) = ids (N) != 0 as float32 1/0 (Keras mask_zero).',
    params: { mask: out('N'), ids: inp('N', 'i32'), N: dim() },
  }),
};
