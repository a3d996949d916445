/**
 * The checked backend: what layers, losses and optimizers call.
 *
 * Every op checks its arguments against the kernel table (checks.ts: dims,
 * buffer sizes from the shape strings, the entry's own preconditions) with
 * a message that names the op, the argument and the expected shape, then
 * calls the kernel with the same argument object. Layers see Backend and
 * Buf only, never a pointer or a view of memory.
 *
 * `run(kernel, args)` reaches any kernel of the table; the named methods
 * below are the layers' vocabulary over it (positional where a call has a
 * few arguments, the argument object itself for the recurrent cells).
 *
 * `=` / `+=`: an op with an `accumulate` flag adds into its output when the
 * flag is set and overwrites it otherwise; every other op's contract is in
 * its table entry (contract/, roles in contract/params.ts).
 */
import { fail } from '../errors.js';
import { GEMM_WORK, MERGE_AVE, MERGE_CONCAT, MERGE_MUL, MERGE_SUM } from './abi.js';
import { Buffers } from './buffers.js';
import { checkArgs, checkDim, needCount } from './checks.js';
import type { KernelArgs, KernelName, KernelResult } from './contract/index.js';
import type { BackendName, GemmForm, KernelFn, Kernels } from './kernels.js';
import { Buf } from './memory.js';
import type { ThreadPool } from '../threads/pool.js';

export type { BackendName, GemmForm, Kernels } from './kernels.js';
export type { KernelArgs, KernelName } from './contract/index.js';
export { Buf, type BufType, type HeapMemory } from './memory.js';
export { gruPackedSize, packedSize } from './packing.js';

export interface GemmOptions {
  accumulate?: boolean;
  lda?: number;
  ldb?: number;
  ldc?: number;
}

/** Buffers and dims of one LSTM layer's forward pass (see contract/lstm.ts). */
export type LstmForwardArgs = KernelArgs<'lstmForward'>;
/** One object serves both passes: the forward's buffers plus gradients and scratch. */
export type LstmBackwardArgs = LstmForwardArgs & KernelArgs<'lstmBackward'>;
export type SimpleRnnForwardArgs = KernelArgs<'simpleRnnForward'>;
export type SimpleRnnBackwardArgs = SimpleRnnForwardArgs & KernelArgs<'simpleRnnBackward'>;
export type GruForwardArgs = KernelArgs<'gruForward'>;
export type GruBackwardArgs = GruForwardArgs & KernelArgs<'gruBackward'>;

/** Merge modes of a Bidirectional layer, as the merge kernels number them. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
export const MERGE_MODES: Readonly<Record<MergeMode, number>> = {
  concat: MERGE_CONCAT,
  sum: MERGE_SUM,
  mul: MERGE_MUL,
  ave: MERGE_AVE,
};

export class Backend extends Buffers {
  private readonly work: Buf;
  /** the worker threads sharing this backend's memory (init({ threads })), or null: one thread */
  pool: ThreadPool | null = null;

  constructor(kernels: Kernels) {
    super(kernels);
    this.work = this.alloc(GEMM_WORK);
  }

  get name(): BackendName {
    return this.kernels.name;
  }

  /** Check `a` against kernel `k`'s table entry, then run it. */
  run<K extends KernelName>(k: K, a: KernelArgs<K>): KernelResult<K> {
    checkArgs(k, a);
    return (this.kernels[k] as KernelFn<K>)(a, this.work);
  }

  // ------------------------------------------------------------- linear algebra

  /** C (M,N) =|+= op(A)·op(B); leading dimensions default to dense rows. */
  gemm(form: GemmForm, C: Buf, A: Buf, B: Buf, M: number, N: number, K: number, opts: GemmOptions = {}): void {
    const op = `gemm_${form}`;
    if (form !== 'nn' && form !== 'nt' && form !== 'tn') fail('E_ARG', `gemm: form must be 'nn', 'nt' or 'tn', got ${form}`);
    checkDim(op, 'M', M);
    checkDim(op, 'N', N);
    checkDim(op, 'K', K);
    const transA = form === 'tn';
    const transB = form === 'nt';
    const lda = opts.lda ?? (transA ? M : K);
    const ldb = opts.ldb ?? (transB ? K : N);
    const ldc = opts.ldc ?? N;
    const [aRows, aCols] = transA ? [K, M] : [M, K];
    const [bRows, bCols] = transB ? [N, K] : [K, N];
    checkDim(op, 'lda', lda);
    checkDim(op, 'ldb', ldb);
    checkDim(op, 'ldc', ldc);
    if (lda < aCols) fail('E_SHAPE', `${op}: lda ${lda} is smaller than A's row length ${aCols}`);
    if (ldb < bCols) fail('E_SHAPE', `${op}: ldb ${ldb} is smaller than B's row length ${bCols}`);
    if (ldc < N) fail('E_SHAPE', `${op}: ldc ${ldc} is smaller than C's row length ${N}`);
    if (M === 0 || N === 0) return;
    // the shapes of contract/gemm.ts, in the words callers know (C, A, B as passed)
    needCount(op, 'C', C, (M - 1) * ldc + N, `(${M},${N}) with ldc ${ldc}`);
    if (K > 0) {
      needCount(op, 'A', A, (aRows - 1) * lda + aCols, `(${aRows},${aCols}) with lda ${lda}`);
      needCount(op, 'B', B, (bRows - 1) * ldb + bCols, `(${bRows},${bCols}) with ldb ${ldb}`);
    }
    this.kernels.gemm({ form, c: C, ldc, a: A, lda, b: B, ldb, M, N, K, accumulate: !!opts.accumulate }, this.work);
  }

  // ----------------------------------------------------------------- activations

  /** y (n) = act(x (n)) for act an ACT_* id (not softmax). */
  activation(y: Buf, x: Buf, n: number, act: number): void {
    this.run('activation', { y, x, n, act });
  }

  /** dx (n) =|+= dy · act'(x) from y = act(x). */
  activationBackward(dx: Buf, y: Buf, dy: Buf, n: number, act: number, accumulate = false): void {
    this.run('activationBackward', { dx, y, dy, n, act, accumulate });
  }

  softmaxRows(y: Buf, x: Buf, R: number, C: number): void {
    this.run('softmaxRows', { y, x, R, C });
  }

  softmaxRowsBackward(dx: Buf, y: Buf, dy: Buf, R: number, C: number, accumulate = false): void {
    this.run('softmaxRowsBackward', { dx, y, dy, R, C, accumulate });
  }

  // ----------------------------------------------------------------- elementwise

  biasAdd(y: Buf, x: Buf, b: Buf, R: number, C: number): void {
    this.run('biasAdd', { y, x, b, R, C });
  }

  columnSum(db: Buf, dy: Buf, R: number, C: number, accumulate = false): void {
    this.run('columnSum', { db, dy, R, C, accumulate });
  }

  axpy(y: Buf, x: Buf, alpha: number, n: number): void {
    this.run('axpy', { y, x, alpha, n });
  }

  scale(y: Buf, x: Buf, alpha: number, n: number): void {
    this.run('scale', { y, x, alpha, n });
  }

  mul(y: Buf, a: Buf, b: Buf, n: number, accumulate = false): void {
    this.run('mul', { y, a, b, n, accumulate });
  }

  add(y: Buf, a: Buf, b: Buf, n: number): void {
    this.run('add', { y, a, b, n });
  }

  fill(y: Buf, value: number, n = y.length): void {
    this.run('fill', { y, value, n });
  }

  /** y (n) = x (n), float32 or int32; the ranges may overlap. */
  copy(y: Buf, x: Buf, n = x.length): void {
    this.run('copy', { y, x, n });
  }

  sumSquares(x: Buf, n = x.length): number {
    return this.run('sumSquares', { x, n });
  }

  hasNonFinite(x: Buf, n = x.length): boolean {
    return this.run('hasNonFinite', { x, n });
  }

  /** dst[dStart + r·ds, +W) = src[sStart + r·ss, +W) for r < R. */
  copyRows(dst: Buf, ds: number, src: Buf, ss: number, R: number, W: number, dStart = 0, sStart = 0): void {
    const op = 'copyRows';
    // one call per dimension: an object of them (and its entries) would be allocated on every call
    checkDim(op, 'ds', ds);
    checkDim(op, 'ss', ss);
    checkDim(op, 'R', R);
    checkDim(op, 'W', W);
    checkDim(op, 'dStart', dStart);
    checkDim(op, 'sStart', sStart);
    if (R === 0 || W === 0) return;
    needCount(op, 'dst', dst, dStart + (R - 1) * ds + W, `(${R},${W}) with stride ${ds} from ${dStart}`);
    needCount(op, 'src', src, sStart + (R - 1) * ss + W, `(${R},${W}) with stride ${ss} from ${sStart}`);
    this.kernels.copyRows({ dst: from(dst, dStart), ds, src: from(src, sStart), ss, R, W }, this.work);
  }

  reverseTime(y: Buf, x: Buf, B: number, T: number, F: number): void {
    this.run('reverseTime', { y, x, B, T, F });
  }

  // ------------------------------------------------------------ embedding, masks

  /** y (N,D) = w (V,D)[ids]; every id must be in [0, V) (checked by the caller's data validation). */
  embeddingForward(y: Buf, ids: Buf, w: Buf, N: number, D: number, V: number): void {
    this.run('embeddingForward', { y, ids, w, N, D, V });
  }

  embeddingBackward(dw: Buf, dy: Buf, ids: Buf, N: number, D: number, V: number): void {
    this.run('embeddingBackward', { dw, dy, ids, N, D, V });
  }

  maskFromIds(mask: Buf, ids: Buf, N: number): void {
    this.run('maskFromIds', { mask, ids, N });
  }

  maskingForward(y: Buf, mask: Buf, x: Buf, N: number, F: number, value: number): void {
    this.run('maskingForward', { y, mask, x, N, F, value });
  }

  rowScale(y: Buf, x: Buf, s: Buf, R: number, C: number): void {
    this.run('rowScale', { y, x, s, R, C });
  }

  dropoutForward(y: Buf, mask: Buf, x: Buf, n: number, rate: number, seed: number): void {
    this.run('dropoutForward', { y, mask, x, n, rate, seed: seed >>> 0 });
  }

  // ------------------------------------------------------------- recurrent cells

  lstmForward(a: KernelArgs<'lstmForward'>): void {
    this.run('lstmForward', a);
  }

  lstmBackward(a: KernelArgs<'lstmBackward'>): void {
    this.run('lstmBackward', a);
  }

  simpleRnnForward(a: KernelArgs<'simpleRnnForward'>): void {
    this.run('simpleRnnForward', a);
  }

  simpleRnnBackward(a: KernelArgs<'simpleRnnBackward'>): void {
    this.run('simpleRnnBackward', a);
  }

  gruForward(a: KernelArgs<'gruForward'>): void {
    this.run('gruForward', a);
  }

  gruBackward(a: KernelArgs<'gruBackward'>): void {
    this.run('gruBackward', a);
  }

  /**
   * y (R,W) = merge of the two directions f, b (R,H) (W = 2H for concat, else
   * H); rows whose mask (R) is 0 become 0.
   */
  bidirectionalMerge(y: Buf, f: Buf, b: Buf, mask: Buf | null, R: number, H: number, mode: MergeMode): void {
    this.run('bidirectionalMerge', { y, f, b, mask, R, H, mode: mergeMode('bidirectionalMerge', mode) });
  }

  /** df, db (R,H) = the gradient of bidirectionalMerge from dy (R,W); f, b as in the forward (mul reads them). */
  bidirectionalMergeBackward(df: Buf, db: Buf, dy: Buf, f: Buf, b: Buf, mask: Buf | null, R: number, H: number, mode: MergeMode): void {
    const id = mergeMode('bidirectionalMergeBackward', mode);
    this.run('bidirectionalMergeBackward', { df, db, dy, f, b, mask, R, H, mode: id });
  }

  // -------------------------------------------------------------------- losses

  /** Returns Σ w·loss; see contract/loss.ts. */
  bceLogits(dz: Buf, z: Buf, y: Buf, w: Buf | null, N: number, C: number, scale: number): number {
    return this.run('bceLogits', { dz, z, y, w, N, C, scale });
  }

  softmaxCe(dz: Buf, z: Buf, labels: Buf, w: Buf | null, N: number, C: number, sparse: boolean, scale: number): number {
    return this.run('softmaxCe', { dz, z, labels, w, N, C, sparse, scale });
  }

  mse(dout: Buf, out: Buf, y: Buf, w: Buf | null, N: number, C: number, scale: number): number {
    return this.run('mse', { dout, out, y, w, N, C, scale });
  }

  // ---------------------------------------------------------------- optimizers

  sgdUpdate(w: Buf, g: Buf, vel: Buf | null, n: number, lr: number, momentum: number, nesterov: boolean): void {
    this.run('sgdUpdate', { w, g, vel, n, lr, momentum, nesterov });
  }

  adamUpdate(w: Buf, g: Buf, m: Buf, v: Buf, n: number, lrT: number, beta1: number, beta2: number, eps: number): void {
    this.run('adamUpdate', { w, g, m, v, n, lrT, beta1, beta2, eps });
  }

  rmspropUpdate(w: Buf, g: Buf, acc: Buf, mom: Buf | null, n: number, lr: number, rho: number, eps: number, momentum: number): void {
    this.run('rmspropUpdate', { w, g, acc, mom, n, lr, rho, eps, momentum });
  }

  adagradUpdate(w: Buf, g: Buf, acc: Buf, n: number, lr: number, eps: number): void {
    this.run('adagradUpdate', { w, g, acc, n, lr, eps });
  }

  clipValue(g: Buf, n: number, c: number): void {
    this.run('clipValue', { g, n, c });
  }
}

/** buf from slot `start` on (the kernels take no start offset): an unchecked view. */
function from(buf: Buf, start: number): Buf {
  return start === 0 ? buf : new Buf(buf.off + start, buf.length - start, buf.dtype, buf.root ?? buf);
}

function mergeMode(op: string, mode: MergeMode): number {
  if (typeof mode !== 'string' || !Object.prototype.hasOwnProperty.call(MERGE_MODES, mode)) {
    fail(
      'E_ARG',
      `${op}: mode must be one of ${Object.keys(MERGE_MODES)
        .map((m) => `'${m}'`)
        .join(', ')}, got ${String(mode)}`,
    );
  }
  return MERGE_MODES[mode];
}
