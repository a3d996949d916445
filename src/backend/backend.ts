/**
 * The kernel contract, and the one place that checks it.
 *
 * Two layers:
 *  - `Kernels` is the raw ABI, one method per kernel, implemented twice: the
 *    pure-TypeScript twin (js.ts) and the WebAssembly exports (wasm.ts). Its
 *    arguments are element offsets into one linear heap of 4-byte slots (the
 *    wasm memory, or an ArrayBuffer for the twin), in the kernel order:
 *    outputs, inputs, dims. Kernels never allocate and never validate.
 *  - `Backend` owns an arena on that heap and hands out `Buf` handles. Every
 *    op takes Bufs, checks dims and buffer sizes with a message that names the
 *    op, the argument and the expected shape, then calls the kernel. Layers
 *    see Backend and Buf only, never a pointer or a view of memory.
 *
 * `=` / `+=`: an op with an `accumulate` flag adds into its output when the
 * flag is set and overwrites it otherwise; every other op overwrites.
 */
import { fail } from '../errors.js';
import { GEMM_WORK, MERGE_AVE, MERGE_CONCAT, MERGE_MUL, MERGE_SUM } from './abi.js';
import { Arena } from './arena.js';

export type BackendName = 'js' | 'wasm-simd' | 'wasm-relaxed-simd';
export type GemmForm = 'nn' | 'nt' | 'tn';
export type BufType = 'float32' | 'int32';

/** The heap the kernels address: 4-byte slots, views re-derived after growth. */
export interface HeapMemory {
  /** First slot the arena may use (the wasm module's static data lies below). */
  readonly base: number;
  /** Current size in slots. */
  size(): number;
  /** Grow to at least `minSlots`; throws WasmRnnError('E_MEMORY') when it cannot. */
  grow(minSlots: number): void;
  /** Current views: valid until the next grow(). */
  f32(): Float32Array;
  i32(): Int32Array;
}

/** Raw kernels over element offsets. Shapes are documented once, here. */
export interface Kernels {
  readonly name: BackendName;
  readonly memory: HeapMemory;
  /**
   * C (M,N) =|+= op(A)·op(B). nn: A (M,K) lda, B (K,N) ldb. nt: B stored (N,K).
   * tn: A stored (K,M). ldc >= N. work: GEMM_WORK slots of scratch.
   */
  gemm(form: GemmForm, c: number, ldc: number, a: number, lda: number, b: number, ldb: number,
    M: number, N: number, K: number, accumulate: boolean, work: number): void;
  /** y (n) = act(x (n)); act is an ACT_* id other than softmax. y may alias x. */
  activation(y: number, x: number, n: number, act: number): void;
  /** dx (n) =|+= dy (n) · act'(x), from y = act(x) (n). */
  activationBackward(dx: number, y: number, dy: number, n: number, act: number, accumulate: boolean): void;
  /** y (R,C) = softmax of each row of x (R,C). y may alias x. */
  softmaxRows(y: number, x: number, R: number, C: number): void;
  /** dx (R,C) =|+= y ⊙ (dy − Σ_row y·dy), from y = softmax(x). */
  softmaxRowsBackward(dx: number, y: number, dy: number, R: number, C: number, accumulate: boolean): void;
  /** y (R,C) = x (R,C) + b (C) on every row. y may alias x. */
  biasAdd(y: number, x: number, b: number, R: number, C: number): void;
  /** db (C) =|+= Σ over rows of dy (R,C). */
  columnSum(db: number, dy: number, R: number, C: number, accumulate: boolean): void;
  /** y (n) += alpha · x (n). */
  axpy(y: number, x: number, alpha: number, n: number): void;
  /** y (n) = alpha · x (n). */
  scale(y: number, x: number, alpha: number, n: number): void;
  /** y (n) =|+= a (n) ⊙ b (n). */
  mul(y: number, a: number, b: number, n: number, accumulate: boolean): void;
  /** y (n) = a (n) + b (n). */
  add(y: number, a: number, b: number, n: number): void;
  /** y (n) = value. */
  fill(y: number, value: number, n: number): void;
  /** y (n) = x (n); the ranges may overlap. */
  copy(y: number, x: number, n: number): void;
  /** Σ x², accumulated in float64. */
  sumSquares(x: number, n: number): number;
  /** true if any of x (n) is NaN or ±Inf. */
  hasNonFinite(x: number, n: number): boolean;
  /** dst rows (R,W) with row stride ds = src rows with row stride ss. */
  copyRows(dst: number, ds: number, src: number, ss: number, R: number, W: number): void;
  /** y (B,T,F)[b,t] = x[b,T-1-t]; y must not alias x. */
  reverseTime(y: number, x: number, B: number, T: number, F: number): void;

  /** y (N,D) = w (V,D)[ids (N) i32]. */
  embeddingForward(y: number, ids: number, w: number, N: number, D: number): void;
  /** dw (V,D) += dy (N,D) scattered to rows ids (N). */
  embeddingBackward(dw: number, dy: number, ids: number, N: number, D: number): void;
  /** mask (N) f32 = ids (N) != 0. */
  maskFromIds(mask: number, ids: number, N: number): void;
  /** y (n) = x ⊙ mask; mask (n) = keep ? 1/(1−rate) : 0 from hash(seed, i). */
  dropoutForward(y: number, mask: number, x: number, n: number, rate: number, seed: number): void;
  /** mask (N) = any(x[n,:] != value); y (N,F) = x ⊙ mask (Keras Masking). */
  maskingForward(y: number, mask: number, x: number, N: number, F: number, value: number): void;
  /** y (R,C) = x (R,C) ⊙ s (R) along rows. y may alias x. */
  rowScale(y: number, x: number, s: number, R: number, C: number): void;

  /** LSTM over x (B,T,I): see assembly/lstm.ts. 0 = absent for bias, peep, mask. */
  lstmForward(hseq: number, cseq: number, gates: number, x: number, wx: number, wh: number, bias: number, peep: number,
    h0: number, c0: number, mask: number, B: number, T: number, I: number, H: number, goBackwards: boolean,
    act: number, recAct: number, whPacked: number, work: number): void;
  /** BPTT for lstmForward: see assembly/lstm.ts. */
  lstmBackward(dx: number, dwx: number, dwh: number, dbias: number, dpeep: number, dh0: number, dc0: number,
    dhseq: number, dhT: number, dcT: number, x: number, wx: number, wh: number, peep: number, h0: number, c0: number,
    mask: number, hseq: number, cseq: number, gates: number, B: number, T: number, I: number, H: number,
    goBackwards: boolean, act: number, recAct: number, whPacked: number, hprev: number, dhBuf: number, dcBuf: number,
    work: number): void;

  /** SimpleRNN over x (B,T,I): see assembly/rnn.ts. 0 = absent for bias, mask. */
  simpleRnnForward(hseq: number, x: number, wx: number, wh: number, bias: number, h0: number, mask: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number, whPacked: number, work: number): void;
  /** BPTT for simpleRnnForward: see assembly/rnn.ts. */
  simpleRnnBackward(dx: number, dwx: number, dwh: number, dbias: number, dh0: number, dhseq: number, dhT: number,
    x: number, wx: number, wh: number, h0: number, mask: number, hseq: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number,
    whPacked: number, dz: number, hprev: number, dhBuf: number, work: number): void;
  /** GRU over x (B,T,I): see assembly/gru.ts. 0 = absent for bias, mask. */
  gruForward(hseq: number, gates: number, aux: number, x: number, wx: number, wh: number, bias: number, h0: number,
    mask: number, B: number, T: number, I: number, H: number, goBackwards: boolean, act: number, recAct: number,
    resetAfter: boolean, whPacked: number, work: number): void;
  /** BPTT for gruForward: see assembly/gru.ts. Overwrites gates and aux. */
  gruBackward(dx: number, dwx: number, dwh: number, dbias: number, dh0: number, dhseq: number, dhT: number,
    x: number, wx: number, wh: number, h0: number, mask: number, hseq: number, gates: number, aux: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number, recAct: number, resetAfter: boolean,
    whPacked: number, hprev: number, dhBuf: number, work: number): void;
  /** y (R,W) = merge(f (R,H), b (R,H)) by mode (MERGE_*); rows with mask (R) == 0 give 0. See assembly/bidirectional.ts. */
  bidirectionalMerge(y: number, f: number, b: number, mask: number, R: number, H: number, mode: number): void;
  /** df, db (R,H) = the merge's gradient from dy (R,W). */
  bidirectionalMergeBackward(df: number, db: number, dy: number, f: number, b: number, mask: number,
    R: number, H: number, mode: number): void;

  /** Σ w·BCE(σ(z), y) over z, y (N,C), w (N) or 0; dz = w·(σ(z) − y)·scale. */
  bceLogits(dz: number, z: number, y: number, w: number, N: number, C: number, scale: number): number;
  /** Σ w·CE(softmax(z), y); labels (N) i32 when sparse else (N,C) f32; dz = w·(p − y)·scale. */
  softmaxCe(dz: number, z: number, labels: number, w: number, N: number, C: number, sparse: boolean, scale: number): number;
  /** Σ w·|out − y|² over (N,C); dout = 2·w·(out − y)·scale. */
  mse(dout: number, out: number, y: number, w: number, N: number, C: number, scale: number): number;

  sgdUpdate(w: number, g: number, vel: number, n: number, lr: number, momentum: number, nesterov: boolean): void;
  adamUpdate(w: number, g: number, m: number, v: number, n: number, lrT: number, beta1: number, beta2: number, eps: number): void;
  rmspropUpdate(w: number, g: number, acc: number, mom: number, n: number, lr: number, rho: number, eps: number, momentum: number): void;
  adagradUpdate(w: number, g: number, acc: number, n: number, lr: number, eps: number): void;
  /** g (n) = clip(g, −c, c). */
  clipValue(g: number, n: number, c: number): void;
}

/**
 * A handle to a range of the arena: `off` and `length` count 4-byte slots.
 * Views made by Backend.view share their root's lifetime.
 */
export class Buf {
  /** @internal */ alive = true;
  constructor(
    readonly off: number,
    readonly length: number,
    readonly dtype: BufType,
    /** @internal */ readonly root: Buf | null = null,
  ) {}

  get live(): boolean {
    return this.root ? this.root.alive : this.alive;
  }
}

export interface GemmOptions {
  accumulate?: boolean;
  lda?: number;
  ldb?: number;
  ldc?: number;
}

/** Buffers and dims of one LSTM layer's forward pass (see Kernels.lstmForward). */
export interface LstmForwardArgs {
  hseq: Buf; cseq: Buf; gates: Buf;
  x: Buf; wx: Buf; wh: Buf; bias: Buf | null; peep: Buf | null;
  h0: Buf; c0: Buf; mask: Buf | null;
  B: number; T: number; I: number; H: number;
  goBackwards: boolean; act: number; recAct: number;
  /** scratch: packed recurrent weights, lstmPackedSize(H) slots */
  whPacked: Buf;
}

/** The backward pass: the forward's buffers plus gradients and scratch. */
export interface LstmBackwardArgs extends LstmForwardArgs {
  dx: Buf | null; dwx: Buf; dwh: Buf; dbias: Buf | null; dpeep: Buf | null;
  dh0: Buf | null; dc0: Buf | null;
  dhseq: Buf | null; dhT: Buf | null; dcT: Buf | null;
  /** scratch: (B,T,H), (2,B,H), (B,H) */
  hprev: Buf; dhBuf: Buf; dcBuf: Buf;
}

/** Buffers and dims of one SimpleRNN layer's forward pass (see Kernels.simpleRnnForward). */
export interface SimpleRnnForwardArgs {
  hseq: Buf;
  x: Buf; wx: Buf; wh: Buf; bias: Buf | null;
  h0: Buf; mask: Buf | null;
  B: number; T: number; I: number; H: number;
  goBackwards: boolean; act: number;
  /** scratch: packed recurrent weights, packedSize(H, H) slots */
  whPacked: Buf;
}

/** The backward pass: the forward's buffers plus gradients and scratch. */
export interface SimpleRnnBackwardArgs extends SimpleRnnForwardArgs {
  dx: Buf | null; dwx: Buf; dwh: Buf; dbias: Buf | null; dh0: Buf | null;
  dhseq: Buf | null; dhT: Buf | null;
  /** scratch: (B,T,H), (B,T,H), (2,B,H) */
  dz: Buf; hprev: Buf; dhBuf: Buf;
}

/** Buffers and dims of one GRU layer's forward pass (see Kernels.gruForward). */
export interface GruForwardArgs {
  hseq: Buf; gates: Buf; aux: Buf;
  x: Buf; wx: Buf; wh: Buf;
  /** (3H), or (2,3H) = [input bias; recurrent bias] when resetAfter */
  bias: Buf | null;
  h0: Buf; mask: Buf | null;
  B: number; T: number; I: number; H: number;
  goBackwards: boolean; act: number; recAct: number; resetAfter: boolean;
  /** scratch: packed recurrent weights, gruPackedSize(H) slots */
  whPacked: Buf;
}

/** The backward pass: the forward's buffers plus gradients and scratch. */
export interface GruBackwardArgs extends GruForwardArgs {
  dx: Buf | null; dwx: Buf; dwh: Buf; dbias: Buf | null; dh0: Buf | null;
  dhseq: Buf | null; dhT: Buf | null;
  /** scratch: (B,T,H), (3,B,H) */
  hprev: Buf; dhBuf: Buf;
}

/** Merge modes of a Bidirectional layer, as the merge kernels number them. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
export const MERGE_MODES: Readonly<Record<MergeMode, number>> = {
  concat: MERGE_CONCAT, sum: MERGE_SUM, mul: MERGE_MUL, ave: MERGE_AVE,
};

/**
 * Slots of the GRU's packed recurrent weights: U_zr (H,2H) and U_h (H,H)
 * forward, their transposes (3H,H) backward.
 */
export function gruPackedSize(H: number): number {
  const up = (n: number) => Math.ceil(n / 8) * 8;
  return Math.max(H * (up(2 * H) + up(H)), 3 * H * up(H));
}

/** Slots of packed recurrent weights for H units and G = gates·H columns (both orientations fit). */
export function packedSize(H: number, G: number): number {
  const up = (n: number) => Math.ceil(n / 8) * 8;
  return Math.max(H * up(G), G * up(H));
}

export class Backend {
  readonly kernels: Kernels;
  readonly arena: Arena;
  private readonly work: Buf;

  constructor(kernels: Kernels) {
    this.kernels = kernels;
    this.arena = new Arena(kernels.memory);
    this.work = this.alloc(GEMM_WORK);
  }

  get name(): BackendName {
    return this.kernels.name;
  }

  // ------------------------------------------------------------ memory

  /** A new buffer of `length` slots (contents unspecified). */
  alloc(length: number, dtype: BufType = 'float32'): Buf {
    if (!Number.isInteger(length) || length < 0) {
      fail('E_ARG', `Backend.alloc: length must be a non-negative integer, got ${length}`);
    }
    return new Buf(this.arena.alloc(length), length, dtype);
  }

  /** A zero-filled buffer. */
  zeros(length: number, dtype: BufType = 'float32'): Buf {
    const b = this.alloc(length, dtype);
    this.kernels.fill(b.off, 0, length);
    return b;
  }

  free(buf: Buf): void {
    if (buf.root) fail('E_ARG', 'Backend.free: cannot free a view; free the buffer it was made from');
    if (!buf.alive) return;
    buf.alive = false;
    this.arena.free(buf.off);
  }

  /** A sub-range [start, start+length) of `buf`, reinterpreted as `dtype`. */
  view(buf: Buf, start: number, length: number, dtype: BufType = buf.dtype): Buf {
    this.live('view', 'buf', buf);
    if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > buf.length) {
      fail('E_SHAPE', `Backend.view: range [${start}, ${start + length}) is outside the buffer of ${buf.length}`);
    }
    return new Buf(buf.off + start, length, dtype, buf.root ?? buf);
  }

  /** Copy `src` into buf[start...]. Values are converted to the buffer's type. */
  write(buf: Buf, src: ArrayLike<number>, start = 0): void {
    this.live('write', 'buf', buf);
    if (start < 0 || start + src.length > buf.length) {
      fail('E_SHAPE', `Backend.write: ${src.length} values at ${start} do not fit a buffer of ${buf.length}`);
    }
    const view = buf.dtype === 'int32' ? this.kernels.memory.i32() : this.kernels.memory.f32();
    view.set(src, buf.off + start);
  }

  /** A copy of buf[start, start+length) as a typed array the caller owns. */
  read(buf: Buf, start = 0, length = buf.length - start): Float32Array | Int32Array {
    this.live('read', 'buf', buf);
    if (start < 0 || length < 0 || start + length > buf.length) {
      fail('E_SHAPE', `Backend.read: range [${start}, ${start + length}) is outside the buffer of ${buf.length}`);
    }
    const o = buf.off + start;
    return buf.dtype === 'int32'
      ? this.kernels.memory.i32().slice(o, o + length)
      : this.kernels.memory.f32().slice(o, o + length);
  }

  /** Read into a caller's array (no allocation). */
  readInto(buf: Buf, out: Float32Array | Int32Array, start = 0): void {
    this.live('readInto', 'buf', buf);
    if (start < 0 || start + out.length > buf.length) {
      fail('E_SHAPE', `Backend.readInto: ${out.length} values at ${start} exceed the buffer of ${buf.length}`);
    }
    const view = out instanceof Int32Array ? this.kernels.memory.i32() : this.kernels.memory.f32();
    out.set(view.subarray(buf.off + start, buf.off + start + out.length));
  }

  /** Scalar read, for tests and small bookkeeping. */
  get(buf: Buf, i: number): number {
    this.live('get', 'buf', buf);
    if (!(i >= 0 && i < buf.length)) fail('E_SHAPE', `Backend.get: index ${i} is outside the buffer of ${buf.length}`);
    return (buf.dtype === 'int32' ? this.kernels.memory.i32() : this.kernels.memory.f32())[buf.off + i];
  }

  // ----------------------------------------------------------- checking

  /** @internal Throws unless `buf` is a live float32 buffer holding >= `count` slots. */
  need(op: string, arg: string, buf: Buf, count: number, shape: string, dtype: BufType = 'float32'): void {
    if (!(buf instanceof Buf)) fail('E_ARG', `${op}: argument ${arg} must be a Buf, got ${typeof buf}`);
    this.live(op, arg, buf);
    if (buf.dtype !== dtype) fail('E_ARG', `${op}: argument ${arg} must be a ${dtype} buffer, got ${buf.dtype}`);
    if (buf.length < count) {
      fail('E_SHAPE', `${op}: argument ${arg} needs ${shape} = ${count} elements, got a buffer of ${buf.length}`);
    }
  }

  /** @internal Throws unless every dim is an integer >= min. */
  dims(op: string, dims: Record<string, number>, min = 0): void {
    for (const [k, v] of Object.entries(dims)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 0x7fffffff) {
        fail('E_SHAPE', `${op}: dimension ${k} must be an integer >= ${min}, got ${v}`);
      }
    }
  }

  private live(op: string, arg: string, buf: Buf): void {
    if (!buf.live) fail('E_STATE', `${op}: argument ${arg} was freed (model disposed?)`);
  }

  // ---------------------------------------------------------------- ops

  /** C (M,N) =|+= op(A)·op(B); leading dimensions default to dense rows. */
  gemm(form: GemmForm, C: Buf, A: Buf, B: Buf, M: number, N: number, K: number, opts: GemmOptions = {}): void {
    const op = `gemm_${form}`;
    if (form !== 'nn' && form !== 'nt' && form !== 'tn') fail('E_ARG', `gemm: form must be 'nn', 'nt' or 'tn', got ${form}`);
    this.dims(op, { M, N, K });
    const transA = form === 'tn';
    const transB = form === 'nt';
    const lda = opts.lda ?? (transA ? M : K);
    const ldb = opts.ldb ?? (transB ? K : N);
    const ldc = opts.ldc ?? N;
    const [aRows, aCols] = transA ? [K, M] : [M, K];
    const [bRows, bCols] = transB ? [N, K] : [K, N];
    this.dims(op, { lda, ldb, ldc });
    if (lda < aCols) fail('E_SHAPE', `${op}: lda ${lda} is smaller than A's row length ${aCols}`);
    if (ldb < bCols) fail('E_SHAPE', `${op}: ldb ${ldb} is smaller than B's row length ${bCols}`);
    if (ldc < N) fail('E_SHAPE', `${op}: ldc ${ldc} is smaller than C's row length ${N}`);
    if (M === 0 || N === 0) return;
    this.need(op, 'C', C, (M - 1) * ldc + N, `(${M},${N}) with ldc ${ldc}`);
    if (K > 0) {
      this.need(op, 'A', A, (aRows - 1) * lda + aCols, `(${aRows},${aCols}) with lda ${lda}`);
      this.need(op, 'B', B, (bRows - 1) * ldb + bCols, `(${bRows},${bCols}) with ldb ${ldb}`);
    }
    this.kernels.gemm(form, C.off, ldc, A.off, lda, B.off, ldb, M, N, K, !!opts.accumulate, this.work.off);
  }

  /** y (n) = act(x (n)) for act an ACT_* id (not softmax). */
  activation(y: Buf, x: Buf, n: number, act: number): void {
    this.dims('activation', { n });
    this.need('activation', 'y', y, n, `(${n})`);
    this.need('activation', 'x', x, n, `(${n})`);
    this.kernels.activation(y.off, x.off, n, act);
  }

  /** dx (n) =|+= dy · act'(x) from y = act(x). */
  activationBackward(dx: Buf, y: Buf, dy: Buf, n: number, act: number, accumulate = false): void {
    const op = 'activationBackward';
    this.dims(op, { n });
    this.need(op, 'dx', dx, n, `(${n})`);
    this.need(op, 'y', y, n, `(${n})`);
    this.need(op, 'dy', dy, n, `(${n})`);
    this.kernels.activationBackward(dx.off, y.off, dy.off, n, act, accumulate);
  }

  softmaxRows(y: Buf, x: Buf, R: number, C: number): void {
    this.dims('softmaxRows', { R, C });
    this.need('softmaxRows', 'y', y, R * C, `(${R},${C})`);
    this.need('softmaxRows', 'x', x, R * C, `(${R},${C})`);
    this.kernels.softmaxRows(y.off, x.off, R, C);
  }

  softmaxRowsBackward(dx: Buf, y: Buf, dy: Buf, R: number, C: number, accumulate = false): void {
    const op = 'softmaxRowsBackward';
    this.dims(op, { R, C });
    this.need(op, 'dx', dx, R * C, `(${R},${C})`);
    this.need(op, 'y', y, R * C, `(${R},${C})`);
    this.need(op, 'dy', dy, R * C, `(${R},${C})`);
    this.kernels.softmaxRowsBackward(dx.off, y.off, dy.off, R, C, accumulate);
  }

  biasAdd(y: Buf, x: Buf, b: Buf, R: number, C: number): void {
    this.dims('biasAdd', { R, C });
    this.need('biasAdd', 'y', y, R * C, `(${R},${C})`);
    this.need('biasAdd', 'x', x, R * C, `(${R},${C})`);
    this.need('biasAdd', 'b', b, C, `(${C})`);
    this.kernels.biasAdd(y.off, x.off, b.off, R, C);
  }

  columnSum(db: Buf, dy: Buf, R: number, C: number, accumulate = false): void {
    this.dims('columnSum', { R, C });
    this.need('columnSum', 'db', db, C, `(${C})`);
    this.need('columnSum', 'dy', dy, R * C, `(${R},${C})`);
    this.kernels.columnSum(db.off, dy.off, R, C, accumulate);
  }

  axpy(y: Buf, x: Buf, alpha: number, n: number): void {
    this.dims('axpy', { n });
    this.need('axpy', 'y', y, n, `(${n})`);
    this.need('axpy', 'x', x, n, `(${n})`);
    this.kernels.axpy(y.off, x.off, alpha, n);
  }

  scale(y: Buf, x: Buf, alpha: number, n: number): void {
    this.dims('scale', { n });
    this.need('scale', 'y', y, n, `(${n})`);
    this.need('scale', 'x', x, n, `(${n})`);
    this.kernels.scale(y.off, x.off, alpha, n);
  }

  mul(y: Buf, a: Buf, b: Buf, n: number, accumulate = false): void {
    this.dims('mul', { n });
    this.need('mul', 'y', y, n, `(${n})`);
    this.need('mul', 'a', a, n, `(${n})`);
    this.need('mul', 'b', b, n, `(${n})`);
    this.kernels.mul(y.off, a.off, b.off, n, accumulate);
  }

  add(y: Buf, a: Buf, b: Buf, n: number): void {
    this.dims('add', { n });
    this.need('add', 'y', y, n, `(${n})`);
    this.need('add', 'a', a, n, `(${n})`);
    this.need('add', 'b', b, n, `(${n})`);
    this.kernels.add(y.off, a.off, b.off, n);
  }

  fill(y: Buf, value: number, n = y.length): void {
    this.dims('fill', { n });
    this.need('fill', 'y', y, n, `(${n})`);
    this.kernels.fill(y.off, value, n);
  }

  copy(y: Buf, x: Buf, n = x.length): void {
    this.dims('copy', { n });
    if (!(y instanceof Buf) || !(x instanceof Buf)) fail('E_ARG', 'copy: y and x must be Bufs');
    this.live('copy', 'y', y);
    this.live('copy', 'x', x);
    if (y.length < n || x.length < n) fail('E_SHAPE', `copy: ${n} elements do not fit (y ${y.length}, x ${x.length})`);
    this.kernels.copy(y.off, x.off, n);
  }

  sumSquares(x: Buf, n = x.length): number {
    this.dims('sumSquares', { n });
    this.need('sumSquares', 'x', x, n, `(${n})`);
    return this.kernels.sumSquares(x.off, n);
  }

  hasNonFinite(x: Buf, n = x.length): boolean {
    this.dims('hasNonFinite', { n });
    this.need('hasNonFinite', 'x', x, n, `(${n})`);
    return this.kernels.hasNonFinite(x.off, n);
  }
  /** dst[dStart + r·ds, +W) = src[sStart + r·ss, +W) for r < R. */
  copyRows(dst: Buf, ds: number, src: Buf, ss: number, R: number, W: number, dStart = 0, sStart = 0): void {
    const op = 'copyRows';
    this.dims(op, { ds, ss, R, W, dStart, sStart });
    if (R === 0 || W === 0) return;
    this.need(op, 'dst', dst, dStart + (R - 1) * ds + W, `(${R},${W}) with stride ${ds} from ${dStart}`);
    this.need(op, 'src', src, sStart + (R - 1) * ss + W, `(${R},${W}) with stride ${ss} from ${sStart}`);
    this.kernels.copyRows(dst.off + dStart, ds, src.off + sStart, ss, R, W);
  }

  reverseTime(y: Buf, x: Buf, B: number, T: number, F: number): void {
    this.dims('reverseTime', { B, T, F });
    this.need('reverseTime', 'y', y, B * T * F, `(${B},${T},${F})`);
    this.need('reverseTime', 'x', x, B * T * F, `(${B},${T},${F})`);
    if (y.off < x.off + B * T * F && x.off < y.off + B * T * F && B * T * F > 0) fail('E_ARG', 'reverseTime: y must not overlap x');
    this.kernels.reverseTime(y.off, x.off, B, T, F);
  }

  /** y (N,D) = w (V,D)[ids]; every id must be in [0, V) (checked by the caller's data validation). */
  embeddingForward(y: Buf, ids: Buf, w: Buf, N: number, D: number, V: number): void {
    const op = 'embeddingForward';
    this.dims(op, { N, D, V });
    this.need(op, 'y', y, N * D, `(${N},${D})`);
    this.need(op, 'ids', ids, N, `(${N})`, 'int32');
    this.need(op, 'w', w, V * D, `(${V},${D})`);
    this.kernels.embeddingForward(y.off, ids.off, w.off, N, D);
  }

  embeddingBackward(dw: Buf, dy: Buf, ids: Buf, N: number, D: number, V: number): void {
    const op = 'embeddingBackward';
    this.dims(op, { N, D, V });
    this.need(op, 'dw', dw, V * D, `(${V},${D})`);
    this.need(op, 'dy', dy, N * D, `(${N},${D})`);
    this.need(op, 'ids', ids, N, `(${N})`, 'int32');
    this.kernels.embeddingBackward(dw.off, dy.off, ids.off, N, D);
  }

  maskFromIds(mask: Buf, ids: Buf, N: number): void {
    this.dims('maskFromIds', { N });
    this.need('maskFromIds', 'mask', mask, N, `(${N})`);
    this.need('maskFromIds', 'ids', ids, N, `(${N})`, 'int32');
    this.kernels.maskFromIds(mask.off, ids.off, N);
  }

  maskingForward(y: Buf, mask: Buf, x: Buf, N: number, F: number, value: number): void {
    const op = 'maskingForward';
    this.dims(op, { N, F });
    if (!Number.isFinite(value)) fail('E_ARG', `${op}: value must be finite, got ${value}`);
    this.need(op, 'y', y, N * F, `(${N},${F})`);
    this.need(op, 'mask', mask, N, `(${N})`);
    this.need(op, 'x', x, N * F, `(${N},${F})`);
    this.kernels.maskingForward(y.off, mask.off, x.off, N, F, value);
  }

  rowScale(y: Buf, x: Buf, s: Buf, R: number, C: number): void {
    const op = 'rowScale';
    this.dims(op, { R, C });
    this.need(op, 'y', y, R * C, `(${R},${C})`);
    this.need(op, 'x', x, R * C, `(${R},${C})`);
    this.need(op, 's', s, R, `(${R})`);
    this.kernels.rowScale(y.off, x.off, s.off, R, C);
  }

  dropoutForward(y: Buf, mask: Buf, x: Buf, n: number, rate: number, seed: number): void {
    const op = 'dropoutForward';
    this.dims(op, { n });
    if (!(rate >= 0 && rate < 1)) fail('E_ARG', `${op}: rate must be in [0, 1), got ${rate}`);
    this.need(op, 'y', y, n, `(${n})`);
    this.need(op, 'mask', mask, n, `(${n})`);
    this.need(op, 'x', x, n, `(${n})`);
    this.kernels.dropoutForward(y.off, mask.off, x.off, n, rate, seed >>> 0);
  }

  private lstmCheck(op: string, a: LstmForwardArgs): void {
    const { B, T, I, H } = a;
    this.dims(op, { B, T, I, H }, 1);
    const G = 4 * H;
    this.need(op, 'hseq', a.hseq, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'cseq', a.cseq, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'gates', a.gates, B * T * G, `(B,T,4H) = (${B},${T},${G})`);
    this.need(op, 'x', a.x, B * T * I, `(B,T,I) = (${B},${T},${I})`);
    this.need(op, 'wx', a.wx, I * G, `(I,4H) = (${I},${G})`);
    this.need(op, 'wh', a.wh, H * G, `(H,4H) = (${H},${G})`);
    if (a.bias) this.need(op, 'bias', a.bias, G, `(4H) = (${G})`);
    if (a.peep) this.need(op, 'peep', a.peep, 3 * H, `(3H) = (${3 * H})`);
    this.need(op, 'h0', a.h0, B * H, `(B,H) = (${B},${H})`);
    this.need(op, 'c0', a.c0, B * H, `(B,H) = (${B},${H})`);
    if (a.mask) this.need(op, 'mask', a.mask, B * T, `(B,T) = (${B},${T})`);
    this.need(op, 'whPacked', a.whPacked, packedSize(H, G), `packed (${H},${G})`);
  }

  lstmForward(a: LstmForwardArgs): void {
    this.lstmCheck('lstmForward', a);
    this.kernels.lstmForward(a.hseq.off, a.cseq.off, a.gates.off, a.x.off, a.wx.off, a.wh.off, off(a.bias), off(a.peep),
      a.h0.off, a.c0.off, off(a.mask), a.B, a.T, a.I, a.H, a.goBackwards, a.act, a.recAct, a.whPacked.off, this.work.off);
  }

  lstmBackward(a: LstmBackwardArgs): void {
    const op = 'lstmBackward';
    this.lstmCheck(op, a);
    const { B, T, I, H } = a;
    const G = 4 * H;
    if (a.dx) this.need(op, 'dx', a.dx, B * T * I, `(B,T,I) = (${B},${T},${I})`);
    this.need(op, 'dwx', a.dwx, I * G, `(I,4H) = (${I},${G})`);
    this.need(op, 'dwh', a.dwh, H * G, `(H,4H) = (${H},${G})`);
    if (a.dbias) this.need(op, 'dbias', a.dbias, G, `(4H) = (${G})`);
    if (a.dpeep) this.need(op, 'dpeep', a.dpeep, 3 * H, `(3H) = (${3 * H})`);
    if (!a.peep !== !a.dpeep) fail('E_ARG', `${op}: peep and dpeep must be given together`);
    for (const k of ['dh0', 'dc0', 'dhT', 'dcT'] as const) {
      const b = a[k];
      if (b) this.need(op, k, b, B * H, `(B,H) = (${B},${H})`);
    }
    if (a.dhseq) this.need(op, 'dhseq', a.dhseq, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'hprev', a.hprev, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'dhBuf', a.dhBuf, 2 * B * H, `(2,B,H) = (2,${B},${H})`);
    this.need(op, 'dcBuf', a.dcBuf, B * H, `(B,H) = (${B},${H})`);
    this.kernels.lstmBackward(off(a.dx), a.dwx.off, a.dwh.off, off(a.dbias), off(a.dpeep), off(a.dh0), off(a.dc0),
      off(a.dhseq), off(a.dhT), off(a.dcT), a.x.off, a.wx.off, a.wh.off, off(a.peep), a.h0.off, a.c0.off, off(a.mask),
      a.hseq.off, a.cseq.off, a.gates.off, B, T, I, H, a.goBackwards, a.act, a.recAct,
      a.whPacked.off, a.hprev.off, a.dhBuf.off, a.dcBuf.off, this.work.off);
  }

  private simpleRnnCheck(op: string, a: SimpleRnnForwardArgs): void {
    const { B, T, I, H } = a;
    this.dims(op, { B, T, I, H }, 1);
    this.need(op, 'hseq', a.hseq, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'x', a.x, B * T * I, `(B,T,I) = (${B},${T},${I})`);
    this.need(op, 'wx', a.wx, I * H, `(I,H) = (${I},${H})`);
    this.need(op, 'wh', a.wh, H * H, `(H,H) = (${H},${H})`);
    if (a.bias) this.need(op, 'bias', a.bias, H, `(H) = (${H})`);
    this.need(op, 'h0', a.h0, B * H, `(B,H) = (${B},${H})`);
    if (a.mask) this.need(op, 'mask', a.mask, B * T, `(B,T) = (${B},${T})`);
    this.need(op, 'whPacked', a.whPacked, packedSize(H, H), `packed (${H},${H})`);
  }

  simpleRnnForward(a: SimpleRnnForwardArgs): void {
    this.simpleRnnCheck('simpleRnnForward', a);
    this.kernels.simpleRnnForward(a.hseq.off, a.x.off, a.wx.off, a.wh.off, off(a.bias), a.h0.off, off(a.mask),
      a.B, a.T, a.I, a.H, a.goBackwards, a.act, a.whPacked.off, this.work.off);
  }

  simpleRnnBackward(a: SimpleRnnBackwardArgs): void {
    const op = 'simpleRnnBackward';
    this.simpleRnnCheck(op, a);
    const { B, T, I, H } = a;
    if (a.dx) this.need(op, 'dx', a.dx, B * T * I, `(B,T,I) = (${B},${T},${I})`);
    this.need(op, 'dwx', a.dwx, I * H, `(I,H) = (${I},${H})`);
    this.need(op, 'dwh', a.dwh, H * H, `(H,H) = (${H},${H})`);
    if (a.dbias) this.need(op, 'dbias', a.dbias, H, `(H) = (${H})`);
    if (a.dh0) this.need(op, 'dh0', a.dh0, B * H, `(B,H) = (${B},${H})`);
    if (a.dhT) this.need(op, 'dhT', a.dhT, B * H, `(B,H) = (${B},${H})`);
    if (a.dhseq) this.need(op, 'dhseq', a.dhseq, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'dz', a.dz, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'hprev', a.hprev, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'dhBuf', a.dhBuf, 2 * B * H, `(2,B,H) = (2,${B},${H})`);
    this.kernels.simpleRnnBackward(off(a.dx), a.dwx.off, a.dwh.off, off(a.dbias), off(a.dh0), off(a.dhseq), off(a.dhT),
      a.x.off, a.wx.off, a.wh.off, a.h0.off, off(a.mask), a.hseq.off, B, T, I, H, a.goBackwards, a.act,
      a.whPacked.off, a.dz.off, a.hprev.off, a.dhBuf.off, this.work.off);
  }

  private gruCheck(op: string, a: GruForwardArgs): void {
    const { B, T, I, H } = a;
    this.dims(op, { B, T, I, H }, 1);
    const G = 3 * H;
    this.need(op, 'hseq', a.hseq, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'gates', a.gates, B * T * G, `(B,T,3H) = (${B},${T},${G})`);
    this.need(op, 'aux', a.aux, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'x', a.x, B * T * I, `(B,T,I) = (${B},${T},${I})`);
    this.need(op, 'wx', a.wx, I * G, `(I,3H) = (${I},${G})`);
    this.need(op, 'wh', a.wh, H * G, `(H,3H) = (${H},${G})`);
    if (a.bias) {
      if (a.resetAfter) this.need(op, 'bias', a.bias, 2 * G, `(2,3H) = (2,${G}) (resetAfter)`);
      else this.need(op, 'bias', a.bias, G, `(3H) = (${G})`);
    }
    this.need(op, 'h0', a.h0, B * H, `(B,H) = (${B},${H})`);
    if (a.mask) this.need(op, 'mask', a.mask, B * T, `(B,T) = (${B},${T})`);
    this.need(op, 'whPacked', a.whPacked, gruPackedSize(H), `GRU packed (${H},${G})`);
  }

  gruForward(a: GruForwardArgs): void {
    this.gruCheck('gruForward', a);
    this.kernels.gruForward(a.hseq.off, a.gates.off, a.aux.off, a.x.off, a.wx.off, a.wh.off, off(a.bias), a.h0.off,
      off(a.mask), a.B, a.T, a.I, a.H, a.goBackwards, a.act, a.recAct, a.resetAfter, a.whPacked.off, this.work.off);
  }

  gruBackward(a: GruBackwardArgs): void {
    const op = 'gruBackward';
    this.gruCheck(op, a);
    const { B, T, I, H } = a;
    const G = 3 * H;
    if (a.dx) this.need(op, 'dx', a.dx, B * T * I, `(B,T,I) = (${B},${T},${I})`);
    this.need(op, 'dwx', a.dwx, I * G, `(I,3H) = (${I},${G})`);
    this.need(op, 'dwh', a.dwh, H * G, `(H,3H) = (${H},${G})`);
    if (a.dbias) {
      if (a.resetAfter) this.need(op, 'dbias', a.dbias, 2 * G, `(2,3H) = (2,${G}) (resetAfter)`);
      else this.need(op, 'dbias', a.dbias, G, `(3H) = (${G})`);
    }
    if (a.dh0) this.need(op, 'dh0', a.dh0, B * H, `(B,H) = (${B},${H})`);
    if (a.dhT) this.need(op, 'dhT', a.dhT, B * H, `(B,H) = (${B},${H})`);
    if (a.dhseq) this.need(op, 'dhseq', a.dhseq, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'hprev', a.hprev, B * T * H, `(B,T,H) = (${B},${T},${H})`);
    this.need(op, 'dhBuf', a.dhBuf, 3 * B * H, `(3,B,H) = (3,${B},${H})`);
    this.kernels.gruBackward(off(a.dx), a.dwx.off, a.dwh.off, off(a.dbias), off(a.dh0), off(a.dhseq), off(a.dhT),
      a.x.off, a.wx.off, a.wh.off, a.h0.off, off(a.mask), a.hseq.off, a.gates.off, a.aux.off,
      B, T, I, H, a.goBackwards, a.act, a.recAct, a.resetAfter, a.whPacked.off, a.hprev.off, a.dhBuf.off, this.work.off);
  }

  private mergeMode(op: string, mode: MergeMode): number {
    if (typeof mode !== 'string' || !Object.prototype.hasOwnProperty.call(MERGE_MODES, mode)) {
      fail('E_ARG', `${op}: mode must be one of ${Object.keys(MERGE_MODES).map((m) => `'${m}'`).join(', ')}, got ${String(mode)}`);
    }
    return MERGE_MODES[mode];
  }

  /**
   * y (R,W) = merge of the two directions f, b (R,H) (W = 2H for concat, else
   * H); rows whose mask (R) is 0 become 0.
   */
  bidirectionalMerge(y: Buf, f: Buf, b: Buf, mask: Buf | null, R: number, H: number, mode: MergeMode): void {
    const op = 'bidirectionalMerge';
    const id = this.mergeMode(op, mode);
    this.dims(op, { R, H });
    const W = mode === 'concat' ? 2 * H : H;
    this.need(op, 'y', y, R * W, `(R,${mode === 'concat' ? '2H' : 'H'}) = (${R},${W})`);
    this.need(op, 'f', f, R * H, `(R,H) = (${R},${H})`);
    this.need(op, 'b', b, R * H, `(R,H) = (${R},${H})`);
    if (mask) this.need(op, 'mask', mask, R, `(R) = (${R})`);
    for (const [k, v] of [['f', f], ['b', b]] as const) {
      if (R * H > 0 && y.off < v.off + R * H && v.off < y.off + R * W) fail('E_ARG', `${op}: y must not overlap ${k}`);
    }
    this.kernels.bidirectionalMerge(y.off, f.off, b.off, off(mask), R, H, id);
  }

  /** df, db (R,H) = the gradient of bidirectionalMerge from dy (R,W); f, b as in the forward (mul reads them). */
  bidirectionalMergeBackward(df: Buf, db: Buf, dy: Buf, f: Buf, b: Buf, mask: Buf | null, R: number, H: number, mode: MergeMode): void {
    const op = 'bidirectionalMergeBackward';
    const id = this.mergeMode(op, mode);
    this.dims(op, { R, H });
    const W = mode === 'concat' ? 2 * H : H;
    this.need(op, 'df', df, R * H, `(R,H) = (${R},${H})`);
    this.need(op, 'db', db, R * H, `(R,H) = (${R},${H})`);
    this.need(op, 'dy', dy, R * W, `(R,${mode === 'concat' ? '2H' : 'H'}) = (${R},${W})`);
    this.need(op, 'f', f, R * H, `(R,H) = (${R},${H})`);
    this.need(op, 'b', b, R * H, `(R,H) = (${R},${H})`);
    if (mask) this.need(op, 'mask', mask, R, `(R) = (${R})`);
    for (const [k, v] of [['df', df], ['db', db]] as const) {
      if (R * H > 0 && dy.off < v.off + R * H && v.off < dy.off + R * W) fail('E_ARG', `${op}: ${k} must not overlap dy`);
    }
    if (R * H > 0 && df.off < db.off + R * H && db.off < df.off + R * H) fail('E_ARG', `${op}: df must not overlap db`);
    this.kernels.bidirectionalMergeBackward(df.off, db.off, dy.off, f.off, b.off, off(mask), R, H, id);
  }

  /** Returns Σ w·loss; see Kernels.bceLogits. */
  bceLogits(dz: Buf, z: Buf, y: Buf, w: Buf | null, N: number, C: number, scale: number): number {
    const op = 'bceLogits';
    this.dims(op, { N, C });
    this.need(op, 'dz', dz, N * C, `(${N},${C})`);
    this.need(op, 'z', z, N * C, `(${N},${C})`);
    this.need(op, 'y', y, N * C, `(${N},${C})`);
    if (w) this.need(op, 'w', w, N, `(${N})`);
    return this.kernels.bceLogits(dz.off, z.off, y.off, off(w), N, C, scale);
  }

  softmaxCe(dz: Buf, z: Buf, labels: Buf, w: Buf | null, N: number, C: number, sparse: boolean, scale: number): number {
    const op = 'softmaxCe';
    this.dims(op, { N, C });
    this.need(op, 'dz', dz, N * C, `(${N},${C})`);
    this.need(op, 'z', z, N * C, `(${N},${C})`);
    if (sparse) this.need(op, 'labels', labels, N, `(${N})`, 'int32');
    else this.need(op, 'labels', labels, N * C, `(${N},${C})`);
    if (w) this.need(op, 'w', w, N, `(${N})`);
    return this.kernels.softmaxCe(dz.off, z.off, labels.off, off(w), N, C, sparse, scale);
  }

  mse(dout: Buf, out: Buf, y: Buf, w: Buf | null, N: number, C: number, scale: number): number {
    const op = 'mse';
    this.dims(op, { N, C });
    this.need(op, 'dout', dout, N * C, `(${N},${C})`);
    this.need(op, 'out', out, N * C, `(${N},${C})`);
    this.need(op, 'y', y, N * C, `(${N},${C})`);
    if (w) this.need(op, 'w', w, N, `(${N})`);
    return this.kernels.mse(dout.off, out.off, y.off, off(w), N, C, scale);
  }

  sgdUpdate(w: Buf, g: Buf, vel: Buf | null, n: number, lr: number, momentum: number, nesterov: boolean): void {
    this.optimCheck('sgdUpdate', n, { w, g, ...(momentum !== 0 ? { vel } : {}) });
    this.kernels.sgdUpdate(w.off, g.off, off(vel), n, lr, momentum, nesterov);
  }

  adamUpdate(w: Buf, g: Buf, m: Buf, v: Buf, n: number, lrT: number, beta1: number, beta2: number, eps: number): void {
    this.optimCheck('adamUpdate', n, { w, g, m, v });
    this.kernels.adamUpdate(w.off, g.off, m.off, v.off, n, lrT, beta1, beta2, eps);
  }

  rmspropUpdate(w: Buf, g: Buf, acc: Buf, mom: Buf | null, n: number, lr: number, rho: number, eps: number, momentum: number): void {
    this.optimCheck('rmspropUpdate', n, { w, g, acc, ...(momentum !== 0 ? { mom } : {}) });
    this.kernels.rmspropUpdate(w.off, g.off, acc.off, off(mom), n, lr, rho, eps, momentum);
  }

  adagradUpdate(w: Buf, g: Buf, acc: Buf, n: number, lr: number, eps: number): void {
    this.optimCheck('adagradUpdate', n, { w, g, acc });
    this.kernels.adagradUpdate(w.off, g.off, acc.off, n, lr, eps);
  }

  clipValue(g: Buf, n: number, c: number): void {
    this.optimCheck('clipValue', n, { g });
    this.kernels.clipValue(g.off, n, c);
  }

  private optimCheck(op: string, n: number, bufs: Record<string, Buf | null | undefined>): void {
    this.dims(op, { n });
    for (const [k, b] of Object.entries(bufs)) {
      if (!b) fail('E_ARG', `${op}: argument ${k} is required`);
      this.need(op, k, b, n, `(${n})`);
    }
  }
}

/** Slot offset of an optional buffer: 0 means absent to every kernel. */
function off(b: Buf | null | undefined): number {
  return b ? b.off : 0;
}
