/**
 * The batched GEMM of assembly/batched_gemm.ts: one kernel, four exports
 * chosen by `form`. Operand X of entry (p, q) starts at p·sx1 + q·sx2 and
 * has row stride ldx; a buffer holds P blocks of sx1 elements, and the
 * check makes sure each (p, ·) block (its Q matrices) fits in sx1.
 */
import { fail } from '../../errors.js';
import { bool, dim, inp, kernel, outAcc, select, work } from './params.js';

export type BatchedForm = 'nn' | 'nt' | 'tn' | 'tt';

/** Elements one (p, ·) block of an operand spans: Q matrices of rows × cols. */
export function blockExtent(Q: number, s2: number, rows: number, cols: number, ld: number): number {
  return Q === 0 || rows === 0 || cols === 0 ? 0 : (Q - 1) * s2 + (rows - 1) * ld + cols;
}

function fits(
  op: string,
  what: string,
  Q: number,
  s2: number,
  rows: number,
  cols: number,
  ld: number,
  s1: number,
  s1Name: string,
  P: number,
): void {
  if (rows > 0 && ld < cols) fail('E_SHAPE', `${op}: ${what}'s row stride ${ld} is smaller than its row length ${cols}`);
  const ext = blockExtent(Q, s2, rows, cols, ld);
  if (P > 0 && ext > s1) {
    fail(
      'E_SHAPE',
      `${op}: ${what}'s ${Q} matrices (${rows},${cols}) with row stride ${ld} and matrix stride ${s2} span ${ext} elements, more than its batch stride ${s1Name} = ${s1}`,
    );
  }
}

export const BATCHED_GEMM_KERNELS = {
  /**
   * c[p,q] (M,N) =|+= op(a[p,q])·op(b[p,q]) for p < P, q < Q; x[p,q] at p·sx1 + q·sx2, row stride ldx. nn: a
   * (M,K), b (K,N); nt: b stored (N,K); tn: a stored (K,M); tt: both. work: GEMM_WORK slots.
   */
  batchedGemm: kernel({
    wasm: 'batched_gemm_{form}_f32',
    params: {
      form: select(['nn', 'nt', 'tn', 'tt']),
      c: outAcc('P,sc1'),
      ldc: dim(),
      sc1: dim(),
      sc2: dim(),
      a: inp('P,sa1'),
      lda: dim(),
      sa1: dim(),
      sa2: dim(),
      b: inp('P,sb1'),
      ldb: dim(),
      sb1: dim(),
      sb2: dim(),
      P: dim(),
      Q: dim(),
      M: dim(),
      N: dim(),
      K: dim(),
      accumulate: bool(),
      work: work(),
    },
    check(op, a) {
      const transA = a.form === 'tn' || a.form === 'tt';
      const transB = a.form === 'nt' || a.form === 'tt';
      fits(op, 'c', a.Q, a.sc2, a.M, a.N, a.ldc, a.sc1, 'sc1', a.P);
      if (a.K === 0) return;
      fits(op, 'a', a.Q, a.sa2, transA ? a.K : a.M, transA ? a.M : a.K, a.lda, a.sa1, 'sa1', a.P);
      fits(op, 'b', a.Q, a.sb2, transB ? a.N : a.K, transB ? a.K : a.N, a.ldb, a.sb1, 'sb1', a.P);
    },
  }),
};
