/**
 * The SimpleRNN kernels of assembly/rnn.ts: h_t = act(x_t·wx + h_{t−1}·wh + bias).
 * Optional buffers given as null are absent (pointer 0).
 */
import { acc, bool, dim, i32, inp, kernel, opt, out, scratch, work } from './params.js';

export const RNN_KERNELS = {
  /** hseq (B,T,H) = SimpleRNN over x (B,T,I) from h0 (B,H). */
  simpleRnnForward: kernel({
    wasm: 'simple_rnn_forward_f32',
    params: {
      hseq: out('B,T,H'),
      x: inp('B,T,I'),
      wx: inp('I,H'),
      wh: inp('H,H'),
      bias: opt(inp('H')),
      h0: inp('B,H'),
      mask: opt(inp('B,T')),
      B: dim(1),
      T: dim(1),
      I: dim(1),
      H: dim(1),
      goBackwards: bool(),
      act: i32(),
      whPacked: scratch('packed(H,H)'),
      work: work(),
    },
  }),
  /**
   * Back through time from dhseq (B,T,H) and dhT (B,H): dx (B,T,I) =, dwx (I,H) +=, dwh (H,H) +=, dbias (H)
   * +=, dh0 (B,H) =.
   */
  simpleRnnBackward: kernel({
    wasm: 'simple_rnn_backward_f32',
    params: {
      dx: opt(out('B,T,I')),
      dwx: acc('I,H'),
      dwh: acc('H,H'),
      dbias: opt(acc('H')),
      dh0: opt(out('B,H')),
      dhseq: opt(inp('B,T,H')),
      dhT: opt(inp('B,H')),
      x: inp('B,T,I'),
      wx: inp('I,H'),
      wh: inp('H,H'),
      h0: inp('B,H'),
      mask: opt(inp('B,T')),
      hseq: inp('B,T,H'),
      B: dim(1),
      T: dim(1),
      I: dim(1),
      H: dim(1),
      goBackwards: bool(),
      act: i32(),
      whPacked: scratch('packed(H,H)'),
      dz: scratch('B,T,H'),
      hprev: scratch('B,T,H'),
      dhBuf: scratch('2,B,H'),
      work: work(),
    },
  }),
};
