/**
 * MultiHeadAttention (Keras): H heads of scaled dot-product attention over
 * learned projections, for self-attention ([x, x]) and cross-attention
 * ([query, value] or [query, value, key]; key defaults to value).
 *
 *   Q = xq·Wq + bq  (B,Tq,H,Kd)    K = xk·Wk + bk  (B,Tv,H,Kd)    V = xv·Wv + bv  (B,Tv,H,Vd)
 *   S[b,h] = Q[b,:,h,:] · K[b,:,h,:]ᵀ          (B,H,Tq,Tv)
 *   W = softmax over the allowed keys of S / √Kd, dropout in training
 *   O[b,:,h,:] = W[b,h] · V[b,:,h,:]            (B,Tq,H,Vd)
 *   out = O·Wo + bo                             (B,Tq,E)   E = outputShape, or the query's features
 *
 * Weights (Keras's EinsumDense layout and order): query/kernel (Dq,H,Kd),
 * query/bias (H,Kd), key/kernel (Dk,H,Kd), key/bias, value/kernel
 * (Dv,H,Vd), value/bias (H,Vd), attention_output/kernel (H,Vd,E),
 * attention_output/bias (E); kernels glorotUniform (Keras's fans for 3-D
 * kernels), biases zeros; no biases without useBias.
 *
 * Masks (Keras 3): key j is allowed for query i when the query's, the
 * value's and the key's masks allow them, the `attentionMask` tensor
 * (B,Tq,Tv) (any non-zero allows) does, and j <= i with useCausalMask. A
 * row with nothing allowed gets zero weights (Keras 3's masked Softmax
 * zeroes masked positions). The query's mask flows out.
 * returnAttentionScores adds the weights before dropout, (B,H,Tq,Tv).
 *
 * Kernels: the projections are GEMMs over all B·T rows; the scores and the
 * weighted sum, forward and backward, are one strided batched GEMM each
 * over (batch, head), reading Keras's (B,T,H,Kd) layout in place
 * (batched_product.ts); the 1/√Kd scale, the masks and the softmax are one
 * fused pass over S, which the weights overwrite.
 */
import type { Backend, Buf, KernelArgs } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import { callFlags, maskOf, type AttentionCallOptions } from './attention.js';
import { dense, gemmArgs, heads, operand, product, type Operand } from './batched_product.js';
import { queryValueKey, type QueryValueKey } from './attention_inputs.js';
import { steppingError } from './conv1d.js';
import { glorotUniform, zeros } from './initializers.js';
import {
  Layer,
  LayerRun,
  extraSlot,
  type CallArgs,
  type PlanAlloc,
  type RunContext,
  type Shape,
  type TensorSpec,
  type Value,
  type WeightSlot,
  type WeightSpec,
} from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { bool, options, positiveInt, rate } from './options.js';

export interface MultiHeadAttentionOptions {
  numHeads: number;
  /** per-head size of query and key; default: the query's features / numHeads */
  keyDim?: number;
  /** per-head size of value (default keyDim) */
  valueDim?: number;
  /** dropout rate on the attention weights, in training */
  dropout?: number;
  useBias?: boolean;
  /** the output's features (default: the query's) */
  outputShape?: number | [number];
  name?: string;
}

export interface MultiHeadAttentionCallOptions extends AttentionCallOptions {
  /** (batch, Tq, Tv) 0/1 tensor: which keys each query may attend to */
  attentionMask?: SymbolicTensor;
}

const KEYS = ['numHeads', 'keyDim', 'valueDim', 'dropout', 'useBias', 'outputShape', 'name'] as const;

export class MultiHeadAttention extends Layer<SymbolicTensor | SymbolicTensor[]> {
  readonly className = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly dropout: number;
  readonly useBias: boolean;
  private readonly givenKeyDim: number | null;
  private readonly givenValueDim: number | null;
  private readonly givenOutput: number | null;
  /** fixed by the first call */
  keyDim = 0;
  valueDim = 0;
  outDim = 0;
  queryFeatures = 0;
  valueFeatures = 0;
  keyFeatures = 0;

  constructor(opts: MultiHeadAttentionOptions) {
    const where = 'layers.multiHeadAttention';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'multi_head_attention');
    this.numHeads = positiveInt(where, 'numHeads', o.numHeads);
    this.givenKeyDim = o.keyDim === undefined || o.keyDim === null ? null : positiveInt(where, 'keyDim', o.keyDim);
    this.givenValueDim = o.valueDim === undefined || o.valueDim === null ? null : positiveInt(where, 'valueDim', o.valueDim);
    this.dropout = rate(where, 'dropout', o.dropout, 0);
    this.useBias = bool(where, 'useBias', o.useBias, true);
    const os = Array.isArray(o.outputShape) && o.outputShape.length === 1 ? o.outputShape[0] : o.outputShape;
    if (Array.isArray(os)) fail('E_ARG', `${where}: outputShape must be one positive integer (or [n]), got ${describe(o.outputShape)}`);
    this.givenOutput = os === undefined || os === null ? null : positiveInt(where, 'outputShape', os);
  }

  override apply(
    inputs: SymbolicTensor | readonly SymbolicTensor[],
    opts?: MultiHeadAttentionCallOptions & { returnAttentionScores?: false },
  ): SymbolicTensor;
  override apply(
    inputs: SymbolicTensor | readonly SymbolicTensor[],
    opts: MultiHeadAttentionCallOptions & { returnAttentionScores: true },
  ): SymbolicTensor[];
  override apply(
    inputs: SymbolicTensor | readonly SymbolicTensor[],
    opts: MultiHeadAttentionCallOptions = {},
  ): SymbolicTensor | SymbolicTensor[] {
    return super.apply(inputs, opts);
  }

  protected override inputArity(): readonly [number, number] {
    return [2, 3];
  }

  protected override acceptsMask(): boolean {
    return true;
  }

  protected override callOptionKeys(): readonly string[] {
    return ['useCausalMask', 'returnAttentionScores'];
  }

  protected override tensorOptionKeys(): readonly string[] {
    return ['attentionMask'];
  }

  private shapes(inputs: readonly TensorSpec[], n: number): QueryValueKey {
    return queryValueKey(this, inputs, n);
  }

  protected build(inputs: readonly TensorSpec[]): void {
    const { q, v, k } = this.shapes(inputs, inputs.length);
    const H = this.numHeads;
    let kd = this.givenKeyDim;
    if (kd === null) {
      if (q[1] % H !== 0)
        fail(
          'E_ARG',
          `${this.name}: numHeads ${H} does not divide the query's ${q[1]} features; give keyDim (the per-head size) explicitly`,
        );
      kd = q[1] / H;
    }
    this.keyDim = kd;
    this.valueDim = this.givenValueDim ?? kd;
    this.outDim = this.givenOutput ?? q[1];
    this.queryFeatures = q[1];
    this.valueFeatures = v[1];
    this.keyFeatures = k[1];
  }

  computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[] {
    const { q, v, k } = this.shapes(inputs, call.nInputs);
    if (q[1] !== this.queryFeatures || v[1] !== this.valueFeatures || k[1] !== this.keyFeatures) {
      fail(
        'E_SHAPE',
        `${this.name}: MultiHeadAttention was built for query, value, key features (${this.queryFeatures}, ${this.valueFeatures}, ${this.keyFeatures}), got (${q[1]}, ${v[1]}, ${k[1]})`,
      );
    }
    const at = extraSlot(call, 'attentionMask');
    if (at >= 0) {
      const m = inputs[at];
      const s = m.shape;
      const ok = s.length === 2 && (s[0] < 0 || q[0] < 0 || s[0] === q[0]) && (s[1] < 0 || v[0] < 0 || s[1] === v[0]);
      if (!ok || m.dtype !== 'float32') {
        fail(
          'E_SHAPE',
          `${this.name}: attentionMask must be a float32 0/1 tensor of shape (batch, Tq, Tv) = (batch, ${q[0] < 0 ? 'Tq' : q[0]}, ${v[0] < 0 ? 'Tv' : v[0]}), got ${m.dtype} (batch, ${s.join(', ')})`,
        );
      }
    }
    const { scores } = callFlags(this, call);
    const out: TensorSpec[] = [{ shape: [q[0], this.outDim], dtype: 'float32', masked: inputs[0].masked || call.masks[0] }];
    if (scores) out.push({ shape: [this.numHeads, q[0], v[0]], dtype: 'float32', masked: false });
    return out;
  }

  weightSpecs(): WeightSpec[] {
    const H = this.numHeads;
    const specs: WeightSpec[] = [];
    const dense = (name: string, kernel: number[], bias: number[]) => {
      specs.push({ name: `${name}/kernel`, shape: kernel, init: glorotUniform });
      if (this.useBias) specs.push({ name: `${name}/bias`, shape: bias, init: zeros });
    };
    dense('query', [this.queryFeatures, H, this.keyDim], [H, this.keyDim]);
    dense('key', [this.keyFeatures, H, this.keyDim], [H, this.keyDim]);
    dense('value', [this.valueFeatures, H, this.valueDim], [H, this.valueDim]);
    dense('attention_output', [H, this.valueDim, this.outDim], [this.outDim]);
    return specs;
  }

  createRun(call: CallArgs, _inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    return new MhaRun(this, call, slots);
  }

  getConfig(): Record<string, unknown> {
    return {
      numHeads: this.numHeads,
      keyDim: this.givenKeyDim ?? (this.keyDim || undefined),
      valueDim: this.givenValueDim ?? (this.valueDim || undefined),
      dropout: this.dropout,
      useBias: this.useBias,
      outputShape: this.givenOutput ?? undefined,
      name: this.name,
    };
  }
}

/** One projection x (N,F) · W (F, H·d) + b: its weights, output and gradients. */
interface Projection {
  w: WeightSlot;
  b: WeightSlot | null;
  /** output width H·d */
  width: number;
  y: Buf;
  dy: Buf;
}

class MhaRun extends LayerRun {
  private readonly causal: boolean;
  private readonly returnScores: boolean;
  private readonly pq: Projection;
  private readonly pk: Projection;
  private readonly pv: Projection;
  private readonly wo: WeightSlot;
  private readonly bo: WeightSlot | null;
  private B = 0;
  private Tq = 0;
  private Tv = 0;
  private active = false;
  private ins: readonly Value[] = [];
  private w!: Buf;
  private wd!: Buf;
  private keep!: Buf;
  private o!: Buf;
  private out!: Buf;
  private dO!: Buf;
  private dw!: Buf;
  private dxq!: Buf;
  private dxv!: Buf;
  private dxk!: Buf;
  private kmask!: Buf;
  private g!: KernelArgs<'batchedGemm'>;
  private sm!: KernelArgs<'maskedSoftmax'>;
  private smb!: KernelArgs<'maskedSoftmaxBackward'>;
  private readonly oa: Operand;
  private readonly ob: Operand;
  private readonly oc: Operand;

  constructor(
    private readonly layer: MultiHeadAttention,
    private readonly call: CallArgs,
    slots: readonly WeightSlot[],
  ) {
    super();
    const f = callFlags(layer, call);
    this.causal = f.causal;
    this.returnScores = f.scores;
    const H = layer.numHeads;
    const step = layer.useBias ? 2 : 1;
    const proj = (i: number, d: number): Projection => ({
      w: slots[i * step],
      b: layer.useBias ? slots[i * step + 1] : null,
      width: H * d,
      y: null as unknown as Buf,
      dy: null as unknown as Buf,
    });
    this.pq = proj(0, layer.keyDim);
    this.pk = proj(1, layer.keyDim);
    this.pv = proj(2, layer.valueDim);
    this.wo = slots[3 * step];
    this.bo = layer.useBias ? slots[3 * step + 1] : null;
    const o = () => operand(null as unknown as Buf);
    this.oa = o();
    this.ob = o();
    this.oc = o();
  }

  private get hasKey(): boolean {
    return this.call.nInputs > 2;
  }

  plan(alloc: PlanAlloc, B: number, inShapes: readonly Shape[]): void {
    const L = this.layer;
    const H = L.numHeads;
    const [Tq, Dq] = inShapes[0];
    const [Tv, Dv] = inShapes[1];
    const Dk = this.hasKey ? inShapes[2][1] : Dv;
    for (const [p, T] of [
      [this.pq, Tq],
      [this.pk, Tv],
      [this.pv, Tv],
    ] as const) {
      p.y = alloc(B * T * p.width);
      p.dy = alloc(B * T * p.width);
    }
    const nS = B * H * Tq * Tv;
    this.w = alloc(nS);
    this.dw = alloc(nS);
    this.wd = L.dropout > 0 ? alloc(nS) : this.w;
    this.keep = L.dropout > 0 ? alloc(nS) : this.w;
    this.o = alloc(B * Tq * H * L.valueDim);
    this.dO = alloc(B * Tq * H * L.valueDim);
    this.out = alloc(B * Tq * L.outDim);
    this.dxq = alloc(B * Tq * Dq);
    this.dxv = alloc(B * Tv * Dv);
    this.dxk = alloc(B * Tv * Dk);
    this.kmask = alloc(B * Tv);
    this.g = gemmArgs(this.w);
    const scale = 1 / Math.sqrt(L.keyDim);
    this.sm = {
      w: this.w,
      s: this.w,
      gain: null,
      kmask: null,
      qmask: null,
      amask: null,
      B,
      H,
      Tq,
      Tk: Tv,
      scale,
      causal: this.causal,
      emptyUniform: false,
    };
    this.smb = {
      ds: this.dw,
      dgain: null,
      w: this.w,
      dw: this.dw,
      s: null,
      gain: null,
      kmask: null,
      qmask: null,
      amask: null,
      B,
      H,
      Tq,
      Tk: Tv,
      scale,
      causal: this.causal,
      accumulate: false,
    };
  }

  /** y (N, H·d) = x (N,F) · W + b */
  private project(be: Backend, p: Projection, x: Buf, N: number, F: number): void {
    be.gemm('nn', p.y, x, p.w.w, N, p.width, F);
    if (p.b) be.biasAdd(p.y, p.y, p.b.w, N, p.width);
  }

  /** Weight gradients of a projection (+=), and dx (=|+=) = dY · Wᵀ when wanted. */
  private projectBack(be: Backend, p: Projection, x: Buf, dx: Buf | null, N: number, F: number, accumulate: boolean): void {
    if (this.layer.trainable) {
      be.gemm('tn', p.w.dw, x, p.dy, F, p.width, N, { accumulate: true });
      if (p.b) be.columnSum(p.b.dw, p.dy, N, p.width, true);
    }
    if (dx) be.gemm('nt', dx, p.dy, p.w.w, N, F, p.width, { accumulate });
  }

  /** The keys' mask: the value's and the key's together (their product), or either, or none. */
  private keyMask(be: Backend, ins: readonly Value[], B: number, Tv: number): Buf | null {
    const vm = maskOf(this.call, ins, 1);
    const km = this.hasKey ? maskOf(this.call, ins, 2) : null;
    if (vm && km) {
      be.mul(this.kmask, vm, km, B * Tv);
      return this.kmask;
    }
    return vm ?? km;
  }

  override checkStep(): void {
    steppingError(this.layer, 'attends over the steps of the sequence');
  }

  forward(ctx: RunContext, ins: readonly Value[], outs: Value[]): void {
    const be = ctx.backend;
    const L = this.layer;
    const H = L.numHeads;
    const { B } = ctx;
    const xq = ins[0];
    const xv = ins[1];
    const xk = this.hasKey ? ins[2] : xv;
    const Tq = (this.Tq = xq.shape[0]);
    const Tv = (this.Tv = xv.shape[0]);
    this.B = B;
    this.ins = ins;
    const { keyDim: Kd, valueDim: Vd } = L;
    this.project(be, this.pq, xq.buf, B * Tq, xq.shape[1]);
    this.project(be, this.pk, xk.buf, B * Tv, xk.shape[1]);
    this.project(be, this.pv, xv.buf, B * Tv, xv.shape[1]);
    // S[b,h] = Q[b,:,h,:] · K[b,:,h,:]ᵀ  into w (B,H,Tq,Tv)
    product(
      be,
      this.g,
      'nt',
      B,
      H,
      Tq,
      Tv,
      Kd,
      dense(this.oc, this.w, H, Tq, Tv),
      heads(this.oa, this.pq.y, H, Tq, Kd),
      heads(this.ob, this.pk.y, H, Tv, Kd),
    );
    // w = masked softmax(S / √Kd), in place
    const sm = this.sm;
    sm.B = B;
    sm.Tq = Tq;
    sm.Tk = Tv;
    sm.qmask = maskOf(this.call, ins, 0);
    sm.kmask = this.keyMask(be, ins, B, Tv);
    const at = extraSlot(this.call, 'attentionMask');
    sm.amask = at >= 0 ? ins[at].buf : null;
    be.run('maskedSoftmax', sm);
    this.active = (this.call.training ?? ctx.training) && L.dropout > 0;
    const wd = this.active ? this.wd : this.w;
    if (this.active) be.dropoutForward(this.wd, this.keep, this.w, B * H * Tq * Tv, L.dropout, ctx.nextSeed());
    // O[b,:,h,:] = W[b,h] · V[b,:,h,:], then out = O·Wo + bo
    product(
      be,
      this.g,
      'nn',
      B,
      H,
      Tq,
      Vd,
      Tv,
      heads(this.oc, this.o, H, Tq, Vd),
      dense(this.oa, wd, H, Tq, Tv),
      heads(this.ob, this.pv.y, H, Tv, Vd),
    );
    be.gemm('nn', this.out, this.o, this.wo.w, B * Tq, L.outDim, H * Vd);
    if (this.bo) be.biasAdd(this.out, this.out, this.bo.w, B * Tq, L.outDim);
    const y = outs[0];
    y.buf = this.out;
    y.mask = sm.qmask;
    y.shape[0] = Tq;
    y.shape[1] = L.outDim;
    if (this.returnScores) {
      const s = outs[1];
      s.buf = this.w;
      s.mask = null;
      s.shape[0] = H;
      s.shape[1] = Tq;
      s.shape[2] = Tv;
    }
  }

  backward(ctx: RunContext, dOuts: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    for (let i = 0; i < dIns.length; i++) dIns[i] = null;
    const dOut = dOuts[0];
    const dScores = this.returnScores ? dOuts[1] : null;
    if (!dOut && !dScores) return;
    const be = ctx.backend;
    const L = this.layer;
    const H = L.numHeads;
    const { B, Tq, Tv, ins } = this;
    const { keyDim: Kd, valueDim: Vd } = L;
    const nS = B * H * Tq * Tv;
    const wd = this.active ? this.wd : this.w;
    const train = L.trainable;
    // the output projection: dWo += Oᵀ·dOut, dbo += Σ dOut, dO = dOut·Woᵀ
    if (dOut) {
      if (train) {
        be.gemm('tn', this.wo.dw, this.o, dOut, H * Vd, L.outDim, B * Tq, { accumulate: true });
        if (this.bo) be.columnSum(this.bo.dw, dOut, B * Tq, L.outDim, true);
      }
      be.gemm('nt', this.dO, dOut, this.wo.w, B * Tq, H * Vd, L.outDim);
      // dW = dO · Vᵀ per (b, h); dV = Wᵀ · dO
      product(
        be,
        this.g,
        'nt',
        B,
        H,
        Tq,
        Tv,
        Vd,
        dense(this.oc, this.dw, H, Tq, Tv),
        heads(this.oa, this.dO, H, Tq, Vd),
        heads(this.ob, this.pv.y, H, Tv, Vd),
      );
      product(
        be,
        this.g,
        'tn',
        B,
        H,
        Tv,
        Vd,
        Tq,
        heads(this.oc, this.pv.dy, H, Tv, Vd),
        dense(this.oa, wd, H, Tq, Tv),
        heads(this.ob, this.dO, H, Tq, Vd),
      );
      if (this.active) be.mul(this.dw, this.dw, this.keep, nS);
      if (dScores) be.axpy(this.dw, dScores, 1, nS);
    } else {
      // only the scores output carries a gradient: V and the output projection get none
      be.copy(this.dw, dScores!, nS);
      be.fill(this.pv.dy, 0, B * Tv * H * Vd);
    }
    // through the softmax, in place (dS over dW)
    const smb = this.smb;
    smb.B = B;
    smb.Tq = Tq;
    smb.Tk = Tv;
    smb.qmask = this.sm.qmask;
    smb.kmask = this.sm.kmask;
    smb.amask = this.sm.amask;
    be.run('maskedSoftmaxBackward', smb);
    // dQ = dS · K, dK = dSᵀ · Q per (b, h)
    const ds = dense(this.oa, this.dw, H, Tq, Tv);
    product(be, this.g, 'nn', B, H, Tq, Kd, Tv, heads(this.oc, this.pq.dy, H, Tq, Kd), ds, heads(this.ob, this.pk.y, H, Tv, Kd));
    product(be, this.g, 'tn', B, H, Tv, Kd, Tq, heads(this.oc, this.pk.dy, H, Tv, Kd), ds, heads(this.ob, this.pq.y, H, Tq, Kd));
    // the input projections
    const xq = ins[0];
    const xv = ins[1];
    this.projectBack(be, this.pq, xq.buf, need[0] ? this.dxq : null, B * Tq, xq.shape[1], false);
    this.projectBack(be, this.pv, xv.buf, need[1] ? this.dxv : null, B * Tv, xv.shape[1], false);
    if (this.hasKey) {
      const xk = ins[2];
      this.projectBack(be, this.pk, xk.buf, need[2] ? this.dxk : null, B * Tv, xk.shape[1], false);
    } else {
      // the key is the value: its gradient adds into the value's
      this.projectBack(be, this.pk, xv.buf, need[1] ? this.dxv : null, B * Tv, xv.shape[1], true);
    }
    if (need[0]) dIns[0] = this.dxq;
    if (need[1]) dIns[1] = this.dxv;
    if (this.hasKey && need[2]) dIns[2] = this.dxk;
  }
}
