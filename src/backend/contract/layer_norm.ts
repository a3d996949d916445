/** Layer normalisation over the last axis (assembly/layer_norm.ts has the equations). */
import { fail } from '../../errors.js';
import { acc, bool, dim, f32, inp, kernel, opt, out, outAcc } from './params.js';

export const LAYER_NORM_KERNELS = {
  /**
   * y (R,C) = gamma ⊙ (x − μ)·rstd + beta per row of x (R,C); mean, rstd (R) kept for the backward. gamma,
   * beta (C) optional. y may alias x.
   */
  layerNormForward: kernel({
    wasm: 'layer_norm_forward_f32',
    params: {
      y: out('R,C'),
      mean: out('R'),
      rstd: out('R'),
      x: inp('R,C'),
      gamma: opt(inp('C')),
      beta: opt(inp('C')),
      R: dim(),
      C: dim(1),
      eps: f32(),
    },
    check(op, a) {
      if (!(a.eps > 0) || !Number.isFinite(a.eps)) fail('E_ARG', `${op}: eps must be a positive number, got ${a.eps}`);
    },
  }),
  /**
   * dx (R,C) =|+= rstd·(g − mean(g) − x̂·mean(g⊙x̂)), g = dy⊙gamma; dgamma (C) += Σ dy⊙x̂; dbeta (C) += Σ dy.
   * dx may alias dy.
   */
  layerNormBackward: kernel({
    wasm: 'layer_norm_backward_f32',
    params: {
      dx: outAcc('R,C'),
      dgamma: opt(acc('C')),
      dbeta: opt(acc('C')),
      dy: inp('R,C'),
      x: inp('R,C'),
      gamma: opt(inp('C')),
      mean: inp('R'),
      rstd: inp('R'),
      R: dim(),
      C: dim(1),
      accumulate: bool(),
    },
  }),
};
