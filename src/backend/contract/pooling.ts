/**
 * The pooling kernels of assembly/pooling.ts (its header has the window
 * rule, the tie rule and what a window that reads nothing gives), and the
 * mask of any windowed layer. Dims: B batch, T input steps, C channels,
 * To output steps, K window, S stride, D dilation, P padding steps before.
 */
import { dim, inp, kernel, opt, out } from './params.js';

const WINDOW = { To: dim(1), K: dim(1), S: dim(1), P: dim(0) } as const;

export const POOLING_KERNELS = {
  /**
   * y (B,To,C) = max of x (B,T,C) over each window of valid steps; arg (B,To,C) = the step (earliest on ties;
   * −1 and y = 0: none).
   */
  maxPool1dForward: kernel({
    wasm: 'max_pool1d_forward_f32',
    params: {
      y: out('B,To,C'),
      arg: out('B,To,C', 'i32'),
      x: inp('B,T,C'),
      mask: opt(inp('B,T')),
      B: dim(1),
      T: dim(1),
      C: dim(1),
      ...WINDOW,
    },
  }),
  /** dx (B,T,C) = dy (B,To,C) added at the step arg (B,To,C) names (none where arg = −1). */
  maxPool1dBackward: kernel({
    wasm: 'max_pool1d_backward_f32',
    params: {
      dx: out('B,T,C'),
      dy: inp('B,To,C'),
      arg: inp('B,To,C', 'i32'),
      B: dim(1),
      T: dim(1),
      C: dim(1),
      To: dim(1),
    },
  }),
  /**
   * y (B,To,C) = mean of x (B,T,C) over the valid steps of each window (padding and masked steps not counted;
   * none: 0).
   */
  avgPool1dForward: kernel({
    wasm: 'avg_pool1d_forward_f32',
    params: {
      y: out('B,To,C'),
      x: inp('B,T,C'),
      mask: opt(inp('B,T')),
      B: dim(1),
      T: dim(1),
      C: dim(1),
      ...WINDOW,
    },
  }),
  /** dx (B,T,C) = dy (B,To,C) spread evenly over the valid steps of each window. */
  avgPool1dBackward: kernel({
    wasm: 'avg_pool1d_backward_f32',
    params: {
      dx: out('B,T,C'),
      dy: inp('B,To,C'),
      mask: opt(inp('B,T')),
      B: dim(1),
      T: dim(1),
      C: dim(1),
      ...WINDOW,
    },
  }),
  /** ymask (B,To) = 1 where the window of output t (taps D apart) holds a valid step of mask (B,T), else 0. */
  windowMask: kernel({
    wasm: 'window_mask_f32',
    params: {
      ymask: out('B,To'),
      mask: inp('B,T'),
      B: dim(1),
      T: dim(1),
      To: dim(1),
      K: dim(1),
      S: dim(1),
      D: dim(1),
      P: dim(0),
    },
  }),
};
