/**
 * Dot (Keras): batched dot products of two tensors along one axis each.
 *
 *   x (B, ..., K, ...) · y (B, ..., K, ...)  ->  x's other axis, then y's
 *   (B,T1,D)·(B,T2,D), axes [2,2]  ->  (B,T1,T2)       (attention scores)
 *   (B,D)·(B,D), axes 1            ->  (B,1)           (a similarity)
 *   (B,T,D)·(B,D), axes [2,1]      ->  (B,T)
 *
 * Inputs of rank 2 or 3 (batch included). Per sample it is one product
 * op(X) (M,K) · op(Y) (K,N) with op a transpose when the contracted axis is
 * not where a row-major product wants it, so the whole batch is one call of
 * the batched GEMM (forms nn, nt, tn, tt), forward and backward.
 *
 * normalize: each input is first L2-normalised along its contracted axis
 * (Keras: x · rsqrt(max(Σx², 1e-14))), making the result a cosine
 * similarity. No mask flows out (Keras's compute_mask returns None).
 */
import type { Buf, KernelArgs } from '../backend/backend.js';
import type { BatchedForm } from '../backend/contract/batched_gemm.js';
import { describe, fail } from '../errors.js';
import {
  Layer,
  LayerRun,
  sizeOf,
  type CallArgs,
  type PlanAlloc,
  type RunContext,
  type Shape,
  type TensorSpec,
  type Value,
  type WeightSpec,
} from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { steppingError } from './conv1d.js';
import { bool, options } from './options.js';

export interface DotOptions {
  /** the contracted axis of each input (counting the batch axis as 0), or one for both; negative counts from the end */
  axes: number | [number, number];
  /** L2-normalise along the axes first (cosine similarity) */
  normalize?: boolean;
  name?: string;
}

/** One input's part in the product: which per-sample axis is contracted and how it lays out as a matrix. */
interface Operand {
  /** contracted axis in the per-sample shape */
  ax: number;
  /** its free size (1 for a vector) */
  free: number;
  /** the contracted size */
  K: number;
  /** stored transposed relative to the product's row-major need */
  trans: boolean;
  /** row stride of the stored matrix */
  ld: number;
  /** the L2 normalisation view (O, N, I) along the axis */
  O: number;
  N: number;
  I: number;
}

export class Dot extends Layer<SymbolicTensor> {
  readonly className = 'Dot';
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(opts: DotOptions) {
    const where = 'layers.dot';
    const o = options(where, opts, ['axes', 'normalize', 'name']);
    super(o.name as string | undefined, 'dot');
    const a = o.axes;
    const ok = (v: unknown) => Number.isInteger(v) && v !== 0;
    if (!(ok(a) || (Array.isArray(a) && a.length === 2 && a.every(ok)))) {
      fail(
        'E_ARG',
        `${where}: axes must be a non-zero integer or two of them ([x's axis, y's axis]; the batch axis 0 cannot be contracted), got ${describe(a)}`,
      );
    }
    this.axes = Array.isArray(a) ? [a[0], a[1]] : (a as number);
    this.normalize = bool(where, 'normalize', o.normalize, false);
  }

  protected override inputArity(): readonly [number, number] {
    return [2, 2];
  }

  protected build(): void {}

  /** The per-sample contracted axis of input i (rank counts the batch axis). */
  private axisOf(i: number, spec: TensorSpec): number {
    const rank = spec.shape.length + 1;
    const a = Array.isArray(this.axes) ? this.axes[i] : this.axes;
    const r = a < 0 ? a + rank : a;
    if (r < 1 || r >= rank)
      fail('E_ARG', `${this.name}: axis ${a} is out of range for input ${i} of rank ${rank} (the batch axis 0 cannot be contracted)`);
    return r - 1;
  }

  /** How input i (x: 0, y: 1) enters the per-sample product. */
  operand(i: number, spec: TensorSpec): Operand {
    const s = spec.shape;
    const ax = this.axisOf(i, spec);
    if (s.length === 1) return { ax, free: 1, K: s[0], trans: false, ld: i === 0 ? s[0] : 1, O: 1, N: s[0], I: 1 };
    const [R, C] = s;
    // x wants (M,K) rows: contracting its last axis is plain, its first a transpose;
    // y wants (K,N): contracting its first axis is plain, its last a transpose
    const free = ax === 0 ? C : R;
    const K = ax === 0 ? R : C;
    const trans = i === 0 ? ax === 0 : ax === 1;
    return { ax, free, K, trans, ld: C, O: ax === 0 ? 1 : R, N: ax === 0 ? R : C, I: ax === 0 ? C : 1 };
  }

  computeOutputs(inputs: readonly TensorSpec[]): TensorSpec[] {
    const [x, y] = inputs;
    for (const [i, t] of [x, y].entries()) {
      if (t.dtype !== 'float32') fail('E_SHAPE', `${this.name}: Dot takes float32 inputs, input ${i} is ${t.dtype}`);
      if (t.shape.length < 1 || t.shape.length > 2)
        fail('E_SHAPE', `${this.name}: Dot supports inputs of rank 2 or 3 (batch included), input ${i} is (batch, ${t.shape.join(', ')})`);
    }
    const ax = this.axisOf(0, x);
    const ay = this.axisOf(1, y);
    const kx = x.shape[ax];
    const ky = y.shape[ay];
    if (kx >= 0 && ky >= 0 && kx !== ky) {
      fail(
        'E_SHAPE',
        `${this.name}: Dot contracts axis ${ax + 1} of (batch, ${x.shape.join(', ')}) (size ${kx}) with axis ${ay + 1} of (batch, ${y.shape.join(', ')}) (size ${ky}); they must be equal`,
      );
    }
    const shape = [...x.shape.filter((_, j) => j !== ax), ...y.shape.filter((_, j) => j !== ay)];
    return [{ shape: shape.length ? shape : [1], dtype: 'float32', masked: false }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(_call: CallArgs, inputs: readonly TensorSpec[]): LayerRun {
    return new DotRun(this, inputs);
  }

  getConfig(): Record<string, unknown> {
    return { axes: this.axes, normalize: this.normalize, name: this.name };
  }
}

const FORMS: Record<string, BatchedForm> = { ff: 'nn', ft: 'nt', tf: 'tn', tt: 'tt' };
const form = (ta: boolean, tb: boolean): BatchedForm => FORMS[`${ta ? 't' : 'f'}${tb ? 't' : 'f'}`];

class DotRun extends LayerRun {
  private x!: Operand;
  private y!: Operand;
  private out!: Buf;
  private gemm!: KernelArgs<'batchedGemm'>;
  /** normalised inputs and their inverse norms (normalize only) */
  private xn: Buf | null = null;
  private yn: Buf | null = null;
  private invX: Buf | null = null;
  private invY: Buf | null = null;
  private dxn!: Buf;
  private dyn!: Buf;
  private dx!: Buf;
  private dy!: Buf;
  private ins: readonly Value[] = [];
  private B = 0;

  constructor(
    private readonly layer: Dot,
    private readonly specs: readonly TensorSpec[],
  ) {
    super();
  }

  plan(alloc: PlanAlloc, B: number, [xs, ys]: readonly Shape[]): void {
    const nx = B * sizeOf(xs);
    const ny = B * sizeOf(ys);
    this.x = this.layer.operand(0, { ...this.specs[0], shape: xs });
    this.y = this.layer.operand(1, { ...this.specs[1], shape: ys });
    this.out = alloc(B * this.x.free * this.y.free);
    this.dx = alloc(nx);
    this.dy = alloc(ny);
    this.dxn = alloc(nx);
    this.dyn = alloc(ny);
    if (this.layer.normalize) {
      this.xn = alloc(nx);
      this.yn = alloc(ny);
      this.invX = alloc(B * this.x.O * this.x.I);
      this.invY = alloc(B * this.y.O * this.y.I);
    }
    this.gemm = {
      form: 'nn',
      c: this.out,
      ldc: 1,
      sc1: 1,
      sc2: 0,
      a: this.dx,
      lda: 1,
      sa1: 1,
      sa2: 0,
      b: this.dy,
      ldb: 1,
      sb1: 1,
      sb2: 0,
      P: B,
      Q: 1,
      M: 1,
      N: 1,
      K: 1,
      accumulate: false,
    };
  }

  /** C[p] (M,N) = op(A[p])·op(B[p]) over the batch: every operand one dense matrix per sample. */
  private product(
    ctx: RunContext,
    f: BatchedForm,
    c: Buf,
    a: Buf,
    b: Buf,
    M: number,
    N: number,
    K: number,
    lda: number,
    ldb: number,
  ): void {
    const g = this.gemm;
    g.form = f;
    g.c = c;
    g.ldc = N;
    g.sc1 = M * N;
    g.a = a;
    g.lda = lda;
    g.sa1 = M * K;
    g.b = b;
    g.ldb = ldb;
    g.sb1 = K * N;
    g.P = this.B;
    g.M = M;
    g.N = N;
    g.K = K;
    ctx.backend.run('batchedGemm', g);
  }

  /**
   * One step at a time, a (B,T,D) input's axis 1 is time: the product stays
   * per step only when one input is a sequence and its features are what is
   * contracted. Contracting time, or pairing two sequences' steps (scores),
   * needs the other steps.
   */
  override checkStep(): void {
    const seqs = [0, 1].filter((i) => this.specs[i].shape.length === 2);
    if (seqs.length === 2 || (seqs.length === 1 && this.layer.operand(seqs[0], this.specs[seqs[0]]).ax === 0)) {
      steppingError(this.layer, 'multiplies across the time steps of its (batch, timesteps, features) inputs');
    }
  }

  forward(ctx: RunContext, ins: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    this.B = ctx.B;
    this.ins = ins;
    const [xv, yv] = ins;
    const x = (this.x = this.layer.operand(0, { ...this.specs[0], shape: xv.shape }));
    const y = (this.y = this.layer.operand(1, { ...this.specs[1], shape: yv.shape }));
    let xb = xv.buf;
    let yb = yv.buf;
    if (this.layer.normalize) {
      be.run('l2Normalize', { y: this.xn!, inv: this.invX!, x: xb, O: ctx.B * x.O, N: x.N, I: x.I });
      be.run('l2Normalize', { y: this.yn!, inv: this.invY!, x: yb, O: ctx.B * y.O, N: y.N, I: y.I });
      xb = this.xn!;
      yb = this.yn!;
    }
    this.product(ctx, form(x.trans, y.trans), this.out, xb, yb, x.free, y.free, x.K, x.ld, y.ld);
    out.buf = this.out;
    out.mask = null;
    const shape = [...xv.shape.filter((_, j) => j !== x.ax), ...yv.shape.filter((_, j) => j !== y.ax)];
    if (shape.length === 0) shape.push(1);
    for (let j = 0; j < shape.length; j++) out.shape[j] = shape[j];
  }

  backward(ctx: RunContext, [dc]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null;
    dIns[1] = null;
    if (!dc) return;
    const be = ctx.backend;
    const { x, y } = this;
    const M = x.free;
    const N = y.free;
    const K = x.K;
    const xb = this.layer.normalize ? this.xn! : this.ins[0].buf;
    const yb = this.layer.normalize ? this.yn! : this.ins[1].buf;
    const dxTarget = this.layer.normalize ? this.dxn : this.dx;
    const dyTarget = this.layer.normalize ? this.dyn : this.dy;
    if (need[0]) {
      // d op(X) (M,K) = dC (M,N) · op(Y)ᵀ; stored transposed: d Xᵀ (K,M) = op(Y) · dCᵀ
      if (!x.trans) this.product(ctx, y.trans ? 'nn' : 'nt', dxTarget, dc, yb, M, K, N, N, y.ld);
      else this.product(ctx, y.trans ? 'tt' : 'nt', dxTarget, yb, dc, K, M, N, y.ld, N);
      if (this.layer.normalize)
        be.run('l2NormalizeBackward', {
          dx: this.dx,
          dy: this.dxn,
          x: this.ins[0].buf,
          inv: this.invX!,
          O: ctx.B * x.O,
          N: x.N,
          I: x.I,
          accumulate: false,
        });
      dIns[0] = this.dx;
    }
    if (need[1]) {
      // d op(Y) (K,N) = op(X)ᵀ · dC; stored transposed: d Yᵀ (N,K) = dCᵀ · op(X)
      if (!y.trans) this.product(ctx, x.trans ? 'nn' : 'tn', dyTarget, xb, dc, K, N, M, x.ld, N);
      else this.product(ctx, x.trans ? 'tt' : 'tn', dyTarget, dc, xb, N, K, M, N, x.ld);
      if (this.layer.normalize)
        be.run('l2NormalizeBackward', {
          dx: this.dy,
          dy: this.dyn,
          x: this.ins[1].buf,
          inv: this.invY!,
          O: ctx.B * y.O,
          N: y.N,
          I: y.I,
          accumulate: false,
        });
      dIns[1] = this.dy;
    }
  }
}
