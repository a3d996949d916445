/**
 * The GRU kernels of assembly/gru.ts (its header has both resetAfter forms,
 * the Keras gate order z, r, h and the goBackwards / mask rules). G = 3H.
 * Optional buffers given as null are absent (pointer 0).
 */
import { acc, bool, dim, i32, inout, inp, kernel, opt, out, scratch, work } from './params.js';

/** (3H), or (2,3H) = [input bias; recurrent bias] when resetAfter. */
const biasShape = (a: { resetAfter: boolean }) => (a.resetAfter ? '2,3H' : '3H');

export const GRU_KERNELS = {
  /** hseq (B,T,H), gates (B,T,3H) = z, r, candidate, aux (B,T,H) = GRU over x (B,T,I) from h0 (B,H). */
  gruForward: kernel({
    wasm: 'gru_forward_f32',
    params: {
      hseq: out('B,T,H'),
      gates: out('B,T,3H'),
      aux: out('B,T,H'),
      x: inp('B,T,I'),
      wx: inp('I,3H'),
      wh: inp('H,3H'),
      bias: opt(inp(biasShape)),
      h0: inp('B,H'),
      mask: opt(inp('B,T')),
      B: dim(1),
      T: dim(1),
      I: dim(1),
      H: dim(1),
      goBackwards: bool(),
      act: i32(),
      recAct: i32(),
      resetAfter: bool(),
      whPacked: scratch('gruPacked(H)'),
      work: work(),
    },
  }),
  /**
   * Back through time from dhseq (B,T,H) and dhT (B,H): dx (B,T,I) =, dwx (I,3H) +=, dwh (H,3H) +=, dbias (as
   * bias) +=, dh0 (B,H) =. gates and aux are overwritten.
   */
  gruBackward: kernel({
    wasm: 'gru_backward_f32',
    params: {
      dx: opt(out('B,T,I')),
      dwx: acc('I,3H'),
      dwh: acc('H,3H'),
      dbias: opt(acc(biasShape)),
      dh0: opt(out('B,H')),
      dhseq: opt(inp('B,T,H')),
      dhT: opt(inp('B,H')),
      x: inp('B,T,I'),
      wx: inp('I,3H'),
      wh: inp('H,3H'),
      h0: inp('B,H'),
      mask: opt(inp('B,T')),
      hseq: inp('B,T,H'),
      gates: inout('B,T,3H'),
      aux: inout('B,T,H'),
      B: dim(1),
      T: dim(1),
      I: dim(1),
      H: dim(1),
      goBackwards: bool(),
      act: i32(),
      recAct: i32(),
      resetAfter: bool(),
      whPacked: scratch('gruPacked(H)'),
      hprev: scratch('B,T,H'),
      dhBuf: scratch('3,B,H'),
      work: work(),
    },
  }),
};
