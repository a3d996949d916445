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
import { GEMM_WORK } from './abi.js';
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
}
