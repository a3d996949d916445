/**
 * The Conv1D kernels of assembly/conv1d.ts (its header has the equations,
 * the weight layout and why dx goes through an unfolded scratch).
 * Dims: B batch, T input steps, C channels, F filters, K taps, S stride,
 * D dilation, P zero steps before step 0, To output steps, Tp padded rows.
 */
import { fail } from '../../errors.js';
import { ACT_SOFTMAX } from '../abi.js';
import { acc, dim, hostDim, i32, inp, kernel, opt, out, scratch, work } from './params.js';

/** Rows of padded input the windows of To outputs read: (To−1)·S + (K−1)·D + 1. */
export function paddedRows(To: number, K: number, S: number, D: number): number {
  return (To - 1) * S + (K - 1) * D + 1;
}

interface Geometry {
  T: number;
  K: number;
  S: number;
  D: number;
  P: number;
  To: number;
  Tp: number;
  xpad: unknown;
  mask: unknown;
}

function checkGeometry(op: string, a: Geometry): void {
  const want = paddedRows(a.To, a.K, a.S, a.D);
  if (a.Tp !== want) fail('E_ARG', `${op}: Tp must be (To−1)·S + (K−1)·D + 1 = ${want}, got ${a.Tp}`);
  if (!a.xpad) {
    if (a.P !== 0) fail('E_ARG', `${op}: padding (P = ${a.P}) needs the xpad buffer`);
    if (a.mask) fail('E_ARG', `${op}: a mask needs the xpad buffer`);
    if (a.Tp > a.T) fail('E_SHAPE', `${op}: the windows read ${a.Tp} steps of an input of ${a.T} without padding`);
  }
}

export const CONV_KERNELS = {
  /**
   * y (B,To,F) = act(conv of x (B,T,C) with w (K,C,F), stride S, dilation D, P zero steps before, + bias
   * (F)), act an ACT_* id (not softmax); xpad (B,Tp,C) = the padded input with masked steps zeroed, kept for
   * the backward (null: read x; needs P = 0, no mask).
   */
  conv1dForward: kernel({
    wasm: 'conv1d_forward_f32',
    params: {
      y: out('B,To,F'),
      xpad: opt(out('B,Tp,C')),
      x: inp('B,T,C'),
      mask: opt(inp('B,T')),
      w: inp('K,C,F'),
      bias: opt(inp('F')),
      B: dim(1),
      T: dim(1),
      C: dim(1),
      F: dim(1),
      K: dim(1),
      S: dim(1),
      D: dim(1),
      P: dim(0),
      To: dim(1),
      act: i32(),
      Tp: hostDim(1),
      work: work(),
    },
    check(op, a) {
      checkGeometry(op, a);
      if (!Number.isInteger(a.act) || a.act < 0 || a.act >= ACT_SOFTMAX)
        fail('E_ARG', `${op}: act must be an elementwise activation id (ACT_LINEAR .. ACT_HARD_SIGMOID), got ${a.act}`);
    },
  }),
  /**
   * From dz (B,To,F): dw (K,C,F) +=, dbias (F) +=, dx (B,T,C) = (0 at masked steps); xpad, x, mask as in the
   * forward; du (R,K,C) scratch for dx, R rows of the unfolded gradient at a time.
   */
  conv1dBackward: kernel({
    wasm: 'conv1d_backward_f32',
    params: {
      dx: opt(out('B,T,C')),
      dw: opt(acc('K,C,F')),
      dbias: opt(acc('F')),
      du: opt(scratch('R,K,C')),
      dz: inp('B,To,F'),
      xpad: opt(inp('B,Tp,C')),
      x: inp('B,T,C'),
      mask: opt(inp('B,T')),
      w: inp('K,C,F'),
      B: dim(1),
      T: dim(1),
      C: dim(1),
      F: dim(1),
      K: dim(1),
      S: dim(1),
      D: dim(1),
      P: dim(0),
      To: dim(1),
      R: dim(1),
      Tp: hostDim(1),
      work: work(),
    },
    check(op, a) {
      checkGeometry(op, a);
      if (a.dx && !a.du) fail('E_ARG', `${op}: dx needs the du scratch`);
    },
  }),
};
