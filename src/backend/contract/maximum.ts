/** The elementwise maximum of assembly/maximum.ts (Keras Maximum): one input per call, ties to the earlier input. */
import { dim, inout, inp, kernel, out } from './params.js';

export const MAXIMUM_KERNELS = {
  /**
   * Input `index` of a maximum: index 0 sets y (n) = x (n), arg (n) = 0; later inputs take y and arg where x
   * > y (strictly).
   */
  maximumForward: kernel({
    wasm: 'maximum_forward_f32',
    params: {
      y: inout('n'),
      arg: { ...inout('n'), dtype: 'i32' },
      x: inp('n'),
      n: dim(),
      index: dim(),
    },
  }),
  /** dx (n) = dy (n) where arg (n) == index, else 0: the gradient of input `index`. */
  maximumBackward: kernel({
    wasm: 'maximum_backward_f32',
    params: {
      dx: out('n'),
      dy: inp('n'),
      arg: inp('n', 'i32'),
      n: dim(),
      index: dim(),
    },
  }),
};
