/**
 * The masked softmax of attention scores (assembly/softmax_masked.ts has
 * the equations and the empty-row rule). Rows are (b, h, i); masks are f32
 * 0 / 1 (any non-zero allows).
 */
import { fail } from '../../errors.js';
import { acc, bool, dim, f32, inp, kernel, opt, out, outAcc } from './params.js';

export const SOFTMAX_MASKED_KERNELS = {
  /**
   * w (B,H,Tq,Tk) = softmax over the allowed keys of scale·gain·s (B,H,Tq,Tk); allowed: kmask (B,Tk), qmask
   * (B,Tq), amask (B,Tq,Tk) non-zero and j <= i if causal. Empty rows: 0, or 1/Tk with emptyUniform. w may
   * alias s.
   */
  maskedSoftmax: kernel({
    wasm: 'masked_softmax_f32',
    params: {
      w: out('B,H,Tq,Tk'),
      s: inp('B,H,Tq,Tk'),
      gain: opt(inp('1')),
      kmask: opt(inp('B,Tk')),
      qmask: opt(inp('B,Tq')),
      amask: opt(inp('B,Tq,Tk')),
      B: dim(),
      H: dim(),
      Tq: dim(),
      Tk: dim(1),
      scale: f32(),
      causal: bool(),
      emptyUniform: bool(),
    },
    check(op, a) {
      if (!Number.isFinite(a.scale)) fail('E_ARG', `${op}: scale must be finite, got ${a.scale}`);
    },
  }),
  /**
   * ds (B,H,Tq,Tk) =|+= scale·gain · w ⊙ (dw − Σ_j w·dw), 0 on empty rows; dgain (1) += scale · Σ w ⊙ (dw − Σ
   * w·dw) ⊙ s. The masks as in the forward. ds may alias dw.
   */
  maskedSoftmaxBackward: kernel({
    wasm: 'masked_softmax_backward_f32',
    params: {
      ds: outAcc('B,H,Tq,Tk'),
      dgain: opt(acc('1')),
      w: inp('B,H,Tq,Tk'),
      dw: inp('B,H,Tq,Tk'),
      s: opt(inp('B,H,Tq,Tk')),
      gain: opt(inp('1')),
      kmask: opt(inp('B,Tk')),
      qmask: opt(inp('B,Tq')),
      amask: opt(inp('B,Tq,Tk')),
      B: dim(),
      H: dim(),
      Tq: dim(),
      Tk: dim(1),
      scale: f32(),
      causal: bool(),
      accumulate: bool(),
    },
    check(op, a) {
      if (!Number.isFinite(a.scale)) fail('E_ARG', `${op}: scale must be finite, got ${a.scale}`);
      if (a.dgain && !(a.s && a.gain)) fail('E_ARG', `${op}: dgain needs the forward's s and gain`);
    },
  }),
};
