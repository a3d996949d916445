/**
 * The LSTM kernels of assembly/lstm.ts (its header has the equations, the
 * Keras gate order i, f, c, o and the goBackwards / mask rules).
 * G = 4H. Optional buffers given as null are absent (pointer 0).
 */
import { fail } from '../../errors.js';
import { acc, bool, dim, i32, inout, inp, kernel, opt, out, scratch, work } from './params.js';

export const LSTM_KERNELS = {
  /**
   * hseq, cseq (B,T,H), gates (B,T,4H) = LSTM over x (B,T,I) from h0, c0 (B,H); gates keeps the activated i,
   * f, g, o for the backward pass.
   */
  lstmForward: kernel({
    wasm: 'lstm_forward_f32',
    params: {
      hseq: out('B,T,H'),
      cseq: out('B,T,H'),
      gates: out('B,T,4H'),
      x: inp('B,T,I'),
      wx: inp('I,4H'),
      wh: inp('H,4H'),
      bias: opt(inp('4H')),
      /** the diagonal peepholes p_i, p_f, p_o */
      peep: opt(inp('3H')),
      h0: inp('B,H'),
      c0: inp('B,H'),
      mask: opt(inp('B,T')),
      B: dim(1),
      T: dim(1),
      I: dim(1),
      H: dim(1),
      goBackwards: bool(),
      act: i32(),
      recAct: i32(),
      whPacked: scratch('packed(H,4H)'),
      work: work(),
    },
  }),
  /**
   * Back through time from dhseq (B,T,H) and dhT, dcT (B,H): dx (B,T,I) =, dwx (I,4H) +=, dwh (H,4H) +=,
   * dbias (4H) +=, dpeep (3H) +=, dh0, dc0 (B,H) =. gates is overwritten with dL/dz.
   */
  lstmBackward: kernel({
    wasm: 'lstm_backward_f32',
    params: {
      dx: opt(out('B,T,I')),
      dwx: acc('I,4H'),
      dwh: acc('H,4H'),
      dbias: opt(acc('4H')),
      dpeep: opt(acc('3H')),
      dh0: opt(out('B,H')),
      dc0: opt(out('B,H')),
      dhseq: opt(inp('B,T,H')),
      dhT: opt(inp('B,H')),
      dcT: opt(inp('B,H')),
      x: inp('B,T,I'),
      wx: inp('I,4H'),
      wh: inp('H,4H'),
      peep: opt(inp('3H')),
      h0: inp('B,H'),
      c0: inp('B,H'),
      mask: opt(inp('B,T')),
      hseq: inp('B,T,H'),
      cseq: inp('B,T,H'),
      gates: inout('B,T,4H'),
      B: dim(1),
      T: dim(1),
      I: dim(1),
      H: dim(1),
      goBackwards: bool(),
      act: i32(),
      recAct: i32(),
      whPacked: scratch('packed(H,4H)'),
      hprev: scratch('B,T,H'),
      dhBuf: scratch('2,B,H'),
      dcBuf: scratch('B,H'),
      work: work(),
    },
    check(op, a) {
      if (!a.peep !== !a.dpeep) fail('E_ARG', `${op}: peep and dpeep must be given together`);
    },
  }),
};
