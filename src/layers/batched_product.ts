/**
 * The batched products of the attention layers, in the two layouts they
 * use, over the batched GEMM kernel (assembly/batched_gemm.ts):
 *
 *   dense  (P, Q, rows, cols)   one contiguous matrix per (p, q): scores,
 *                               weights, Luong attention's inputs (Q = 1)
 *   heads  (P, rows, Q, cols)   Keras's multi-head layout: the Q heads of one
 *                               position side by side in a row, so head q is
 *                               the (rows, cols) matrix at q·cols with row
 *                               stride Q·cols; no transposes needed
 *
 * An Operand is made once per call site (at plan time) and re-aimed each
 * call, since T changes from batch to batch; the kernel's argument object
 * is reused the same way, so a training step allocates nothing.
 */
import type { Backend, Buf, KernelArgs } from '../backend/backend.js';
import type { BatchedForm } from '../backend/contract/batched_gemm.js';

/** One operand of a batched product: its buffer, row stride and two batch strides. */
export interface Operand {
  buf: Buf;
  ld: number;
  s1: number;
  s2: number;
}

export function operand(buf: Buf): Operand {
  return { buf, ld: 1, s1: 1, s2: 0 };
}

/** (P, Q, rows, cols) contiguous. */
export function dense(o: Operand, buf: Buf, Q: number, rows: number, cols: number): Operand {
  o.buf = buf;
  o.ld = cols;
  o.s2 = rows * cols;
  o.s1 = Q * rows * cols;
  return o;
}

/** (P, rows, Q, cols): head q of entry p at p·rows·Q·cols + q·cols, row stride Q·cols. */
export function heads(o: Operand, buf: Buf, Q: number, rows: number, cols: number): Operand {
  o.buf = buf;
  o.ld = Q * cols;
  o.s2 = cols;
  o.s1 = rows * Q * cols;
  return o;
}

/** A reusable argument object for the batched GEMM. */
export function gemmArgs(buf: Buf): KernelArgs<'batchedGemm'> {
  return {
    form: 'nn',
    c: buf,
    ldc: 1,
    sc1: 1,
    sc2: 0,
    a: buf,
    lda: 1,
    sa1: 1,
    sa2: 0,
    b: buf,
    ldb: 1,
    sb1: 1,
    sb2: 0,
    P: 0,
    Q: 1,
    M: 1,
    N: 1,
    K: 1,
    accumulate: false,
  };
}

/** c[p,q] (M,N) =|+= op(a[p,q]) · op(b[p,q]) for p < P, q < Q (forms as in the kernel). */
export function product(
  be: Backend,
  g: KernelArgs<'batchedGemm'>,
  form: BatchedForm,
  P: number,
  Q: number,
  M: number,
  N: number,
  K: number,
  c: Operand,
  a: Operand,
  b: Operand,
  accumulate = false,
): void {
  g.form = form;
  g.c = c.buf;
  g.ldc = c.ld;
  g.sc1 = c.s1;
  g.sc2 = c.s2;
  g.a = a.buf;
  g.lda = a.ld;
  g.sa1 = a.s1;
  g.sa2 = a.s2;
  g.b = b.buf;
  g.ldb = b.ld;
  g.sb1 = b.s1;
  g.sb2 = b.s2;
  g.P = P;
  g.Q = Q;
  g.M = M;
  g.N = N;
  g.K = K;
  g.accumulate = accumulate;
  be.run('batchedGemm', g);
}
