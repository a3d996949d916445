/** The GEMM of assembly/gemm.ts: one kernel, three exports chosen by `form`. */
import { bool, dim, inp, kernel, outAcc, select, work } from './params.js';

export const GEMM_KERNELS = {
  /**
   * c (M,N) =|+= op(a)·op(b). nn: a (M,K), b (K,N); nt: b stored (N,K); tn: a stored (K,M). Row strides lda,
   * ldb, ldc (>= the row length); work: GEMM_WORK slots.
   */
  gemm: kernel({
    wasm: 'gemm_{form}_f32',
    params: {
      form: select(['nn', 'nt', 'tn']),
      c: outAcc('M,N:ldc'),
      ldc: dim(),
      a: inp((a) => (a.form === 'tn' ? 'K,M:lda' : 'M,K:lda')),
      lda: dim(),
      b: inp((a) => (a.form === 'nt' ? 'N,K:ldb' : 'K,N:ldb')),
      ldb: dim(),
      M: dim(),
      N: dim(),
      K: dim(),
      accumulate: bool(),
      work: work(),
    },
  }),
};
