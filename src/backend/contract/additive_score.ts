/** The additive attention scores of assembly/additive_score.ts (its header has the equations). */
import { acc, bool, dim, inp, kernel, opt, out, outAcc } from './params.js';

export const ADDITIVE_SCORE_KERNELS = {
  /** s (B,Tq,Tk) = Σ_d v (D) ⊙ tanh(alpha · (q (B,Tq,D) + k (B,Tk,D))); v and alpha (1) absent: 1. */
  additiveScore: kernel({
    wasm: 'additive_score_f32',
    params: {
      s: out('B,Tq,Tk'),
      q: inp('B,Tq,D'),
      k: inp('B,Tk,D'),
      v: opt(inp('D')),
      alpha: opt(inp('1')),
      B: dim(),
      Tq: dim(),
      Tk: dim(),
      D: dim(),
    },
  }),
  /**
   * dq (B,Tq,D) =|+=, dk (B,Tk,D) =|+=, dv (D) +=, dalpha (1) += from ds (B,Tq,Tk) and the forward's q, k, v,
   * alpha.
   */
  additiveScoreBackward: kernel({
    wasm: 'additive_score_backward_f32',
    params: {
      dq: outAcc('B,Tq,D'),
      dk: outAcc('B,Tk,D'),
      dv: opt(acc('D')),
      dalpha: opt(acc('1')),
      ds: inp('B,Tq,Tk'),
      q: inp('B,Tq,D'),
      k: inp('B,Tk,D'),
      v: opt(inp('D')),
      alpha: opt(inp('1')),
      B: dim(),
      Tq: dim(),
      Tk: dim(),
      D: dim(),
      accumulate: bool(),
    },
  }),
};
