/**
 * Attention (Keras, Luong-style) and what AdditiveAttention shares with it:
 * a call over [query, value] or [query, value, key] (key defaults to value),
 *
 *   q (B,Tq,D), v (B,Tv,Dv), k (B,Tv,D)
 *   scores  s (B,Tq,Tv)  'dot':    q · kᵀ                      (× scale if useScale)
 *                        'concat': c · Σ_d tanh(scale·(q + k))  (c = concat_score_weight)
 *                        additive: Σ_d scale_d · tanh(q + k)     (AdditiveAttention)
 *   weights w = softmax over the allowed keys of s      value mask, and j <= i with useCausalMask
 *   dropout on w in training (rate `dropout`)
 *   out (B,Tq,Dv) = w · v, zeroed at masked query steps
 *
 * Masks (Keras): the query's mask zeroes the output there and flows out
 * with it; the value's mask excludes keys; the key's own mask is ignored,
 * as Keras does. A query step whose every key is masked gets uniform
 * weights 1/Tv: Keras subtracts 1e9 from masked scores, which leaves
 * float32 softmax exactly uniform; it has no gradient there.
 * Call options: useCausalMask, and returnAttentionScores (a second output:
 * the weights after dropout, (B,Tq,Tv), as Keras returns them).
 *
 * Weights (Keras order): scale () ones if useScale; concat_score_weight ()
 * ones in score mode 'concat'. AdditiveAttention: scale (D) glorotUniform
 * if useScale (its default).
 *
 * Kernels: the scores and every product of the backward are one batched
 * GEMM each over the batch (batched_product.ts); the masked softmax fuses
 * the scale weight, the masks and the causal rule in one pass over s.
 */
import type { Buf, KernelArgs } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import { ones } from './initializers.js';
import {
  Layer,
  LayerRun,
  maskSlot,
  type ApplyOptions,
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
import { bool, options, rate } from './options.js';
import { dense, gemmArgs, operand, product, type Operand } from './batched_product.js';
import { queryValueKey, type QueryValueKey } from './attention_inputs.js';
import { steppingError } from './conv1d.js';

/** The call options of the attention layers (besides mask and training). */
export interface AttentionCallOptions extends ApplyOptions {
  /** position i attends to keys j <= i only (decoder self-attention) */
  useCausalMask?: boolean;
  /** also return the attention weights */
  returnAttentionScores?: boolean;
}

/** The mask of data input i at this node: its explicit mask, else the one flowing with it. */
export function maskOf(call: CallArgs, ins: readonly Value[], i: number): Buf | null {
  if (i >= call.nInputs) return null;
  const k = maskSlot(call, i);
  return k >= 0 ? ins[k].buf : ins[i].mask;
}

/** The call's useCausalMask and returnAttentionScores, checked. */
export function callFlags(layer: Layer, call: CallArgs): { causal: boolean; scores: boolean } {
  const where = `${layer.name}.apply`;
  return {
    causal: bool(where, 'useCausalMask', call.options.useCausalMask, false),
    scores: bool(where, 'returnAttentionScores', call.options.returnAttentionScores, false),
  };
}

export type ScoreMode = 'dot' | 'concat' | 'additive';

/** Attention and AdditiveAttention: options, shapes, and the run. */
export abstract class ScoreAttention extends Layer<SymbolicTensor | SymbolicTensor[]> {
  abstract readonly mode: ScoreMode;
  readonly useScale: boolean;
  readonly dropout: number;
  /** query (and key) features, value features: fixed by the first call */
  dim = 0;
  valueDim = 0;

  protected constructor(where: string, prefix: string, o: Record<string, unknown>, useScaleDefault: boolean) {
    super(o.name as string | undefined, prefix);
    this.useScale = bool(where, 'useScale', o.useScale, useScaleDefault);
    this.dropout = rate(where, 'dropout', o.dropout, 0);
  }

  override apply(
    inputs: SymbolicTensor | readonly SymbolicTensor[],
    opts?: AttentionCallOptions & { returnAttentionScores?: false },
  ): SymbolicTensor;
  override apply(
    inputs: SymbolicTensor | readonly SymbolicTensor[],
    opts: AttentionCallOptions & { returnAttentionScores: true },
  ): SymbolicTensor[];
  override apply(inputs: SymbolicTensor | readonly SymbolicTensor[], opts: AttentionCallOptions = {}): SymbolicTensor | SymbolicTensor[] {
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

  private shapes(inputs: readonly TensorSpec[], n: number): QueryValueKey {
    const { q, v, k } = queryValueKey(this, inputs, n);
    if (q[1] !== k[1])
      fail(
        'E_SHAPE',
        `${this.name}: ${this.className} needs query and key of one feature size; query has ${q[1]}, ${n > 2 ? 'key' : 'value (the key)'} has ${k[1]}`,
      );
    return { q, v, k };
  }

  protected build(inputs: readonly TensorSpec[]): void {
    const { q, v } = this.shapes(inputs, inputs.length);
    this.dim = q[1];
    this.valueDim = v[1];
  }

  computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[] {
    const { q, v } = this.shapes(inputs, call.nInputs);
    if (q[1] !== this.dim || v[1] !== this.valueDim) {
      fail(
        'E_SHAPE',
        `${this.name}: ${this.className} was built for query features ${this.dim} and value features ${this.valueDim}, got ${q[1]} and ${v[1]}`,
      );
    }
    const { scores } = callFlags(this, call);
    const out: TensorSpec[] = [{ shape: [q[0], v[1]], dtype: 'float32', masked: inputs[0].masked || call.masks[0] }];
    if (scores) out.push({ shape: [q[0], v[0]], dtype: 'float32', masked: false });
    return out;
  }

  createRun(call: CallArgs, _inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    return new AttentionRun(this, call, this.weightsOf(slots));
  }

  /** Which slot plays which part: the softmax gain, the tanh scale alpha, the per-feature v. */
  protected abstract weightsOf(slots: readonly WeightSlot[]): AttentionWeights;

  getConfig(): Record<string, unknown> {
    return { useScale: this.useScale, dropout: this.dropout, name: this.name };
  }
}

export interface AttentionWeights {
  /** multiplies the scores inside the softmax ('dot' scale, 'concat' concat_score_weight) */
  gain: WeightSlot | null;
  /** scales q + k inside tanh ('concat' scale) */
  alpha: WeightSlot | null;
  /** per-feature weights of the tanh terms (AdditiveAttention scale) */
  v: WeightSlot | null;
}

export interface AttentionOptions {
  /** a trainable scalar multiplies the scores (dot) or q + k (concat) */
  useScale?: boolean;
  /** 'dot' (q·kᵀ) or 'concat' (Σ tanh(q + k)) */
  scoreMode?: 'dot' | 'concat';
  /** dropout rate on the attention weights, in training */
  dropout?: number;
  name?: string;
}

export class Attention extends ScoreAttention {
  readonly className = 'Attention';
  readonly mode: 'dot' | 'concat';

  constructor(opts: AttentionOptions = {}) {
    const where = 'layers.attention';
    const o = options(where, opts, ['useScale', 'scoreMode', 'dropout', 'name']);
    super(where, 'attention', o, false);
    const m = o.scoreMode ?? 'dot';
    if (m !== 'dot' && m !== 'concat') fail('E_ARG', `${where}: scoreMode must be 'dot' or 'concat', got ${describe(o.scoreMode)}`);
    this.mode = m;
  }

  weightSpecs(): WeightSpec[] {
    const specs: WeightSpec[] = [];
    if (this.useScale) specs.push({ name: 'scale', shape: [], init: ones });
    if (this.mode === 'concat') specs.push({ name: 'concat_score_weight', shape: [], init: ones });
    return specs;
  }

  protected weightsOf(slots: readonly WeightSlot[]): AttentionWeights {
    const scale = this.useScale ? slots[0] : null;
    if (this.mode === 'dot') return { gain: scale, alpha: null, v: null };
    return { gain: slots[this.useScale ? 1 : 0], alpha: scale, v: null };
  }

  override getConfig(): Record<string, unknown> {
    return { useScale: this.useScale, scoreMode: this.mode, dropout: this.dropout, name: this.name };
  }
}

class AttentionRun extends LayerRun {
  private readonly causal: boolean;
  private readonly returnScores: boolean;
  private Tq = 0;
  private Tv = 0;
  private B = 0;
  private active = false;
  private ins: readonly Value[] = [];
  private qmask: Buf | null = null;
  // activations
  private s!: Buf;
  private w!: Buf;
  private wd!: Buf;
  private keep!: Buf;
  private out!: Buf;
  // gradients
  private dOut!: Buf;
  private dw!: Buf;
  private dq!: Buf;
  private dk!: Buf;
  private dv!: Buf;
  // kernel arguments, made once
  private g!: KernelArgs<'batchedGemm'>;
  private sm!: KernelArgs<'maskedSoftmax'>;
  private smb!: KernelArgs<'maskedSoftmaxBackward'>;
  private add!: KernelArgs<'additiveScore'>;
  private addb!: KernelArgs<'additiveScoreBackward'>;
  private readonly oq: Operand;
  private readonly ok: Operand;
  private readonly ov: Operand;
  private readonly os: Operand;
  private readonly ow: Operand;
  private readonly oo: Operand;

  constructor(
    private readonly layer: ScoreAttention,
    private readonly call: CallArgs,
    private readonly wts: AttentionWeights,
  ) {
    super();
    const f = callFlags(layer, call);
    this.causal = f.causal;
    this.returnScores = f.scores;
    const o = () => operand(null as unknown as Buf);
    this.oq = o();
    this.ok = o();
    this.ov = o();
    this.os = o();
    this.ow = o();
    this.oo = o();
  }

  plan(alloc: PlanAlloc, B: number, inShapes: readonly Shape[]): void {
    const [Tq, D] = inShapes[0];
    const [Tv, Dv] = inShapes[1];
    const nS = B * Tq * Tv;
    this.s = alloc(nS);
    this.w = alloc(nS);
    this.wd = alloc(nS);
    this.keep = alloc(nS);
    this.out = alloc(B * Tq * Dv);
    this.dOut = alloc(B * Tq * Dv);
    this.dw = alloc(nS);
    this.dq = alloc(B * Tq * D);
    this.dk = alloc(B * Tv * D);
    this.dv = alloc(B * Tv * Dv);
    this.g = gemmArgs(this.s);
    this.sm = {
      w: this.w,
      s: this.s,
      gain: this.wts.gain?.w ?? null,
      kmask: null,
      qmask: null,
      amask: null,
      B,
      H: 1,
      Tq,
      Tk: Tv,
      scale: 1,
      causal: this.causal,
      emptyUniform: true,
    };
    this.smb = {
      ds: this.dw,
      dgain: null,
      w: this.w,
      dw: this.dw,
      s: this.s,
      gain: this.sm.gain,
      kmask: null,
      qmask: null,
      amask: null,
      B,
      H: 1,
      Tq,
      Tk: Tv,
      scale: 1,
      causal: this.causal,
      accumulate: false,
    };
    this.add = { s: this.s, q: this.s, k: this.s, v: this.wts.v?.w ?? null, alpha: this.wts.alpha?.w ?? null, B, Tq, Tk: Tv, D };
    this.addb = {
      dq: this.dq,
      dk: this.dk,
      dv: null,
      dalpha: null,
      ds: this.dw,
      q: this.s,
      k: this.s,
      v: this.add.v,
      alpha: this.add.alpha,
      B,
      Tq,
      Tk: Tv,
      D,
      accumulate: false,
    };
  }

  private get hasKey(): boolean {
    return this.call.nInputs > 2;
  }

  override checkStep(): void {
    steppingError(this.layer, 'attends over the steps of the sequence');
  }

  forward(ctx: RunContext, ins: readonly Value[], outs: Value[]): void {
    const be = ctx.backend;
    const { B } = ctx;
    const q = ins[0];
    const v = ins[1];
    const k = this.hasKey ? ins[2] : v;
    const Tq = (this.Tq = q.shape[0]);
    const Tv = (this.Tv = v.shape[0]);
    const D = q.shape[1];
    const Dv = v.shape[1];
    this.B = B;
    this.ins = ins;
    this.qmask = maskOf(this.call, ins, 0);
    // scores s (B,Tq,Tv)
    if (this.layer.mode === 'dot') {
      product(
        be,
        this.g,
        'nt',
        B,
        1,
        Tq,
        Tv,
        D,
        dense(this.os, this.s, 1, Tq, Tv),
        dense(this.oq, q.buf, 1, Tq, D),
        dense(this.ok, k.buf, 1, Tv, D),
      );
    } else {
      const a = this.add;
      a.q = q.buf;
      a.k = k.buf;
      a.B = B;
      a.Tq = Tq;
      a.Tk = Tv;
      be.run('additiveScore', a);
    }
    // weights w: masked softmax (the scale weight inside), then dropout
    const sm = this.sm;
    sm.B = B;
    sm.Tq = Tq;
    sm.Tk = Tv;
    sm.kmask = maskOf(this.call, ins, 1);
    be.run('maskedSoftmax', sm);
    this.active = (this.call.training ?? ctx.training) && this.layer.dropout > 0;
    let wd = this.w;
    if (this.active) {
      be.dropoutForward(this.wd, this.keep, this.w, B * Tq * Tv, this.layer.dropout, ctx.nextSeed());
      wd = this.wd;
    }
    // out = w · v, zero at masked query steps
    product(
      be,
      this.g,
      'nn',
      B,
      1,
      Tq,
      Dv,
      Tv,
      dense(this.oo, this.out, 1, Tq, Dv),
      dense(this.ow, wd, 1, Tq, Tv),
      dense(this.ov, v.buf, 1, Tv, Dv),
    );
    if (this.qmask) be.rowScale(this.out, this.out, this.qmask, B * Tq, Dv);
    const o = outs[0];
    o.buf = this.out;
    o.mask = this.qmask;
    o.shape[0] = Tq;
    o.shape[1] = Dv;
    if (this.returnScores) {
      outs[1].buf = wd;
      outs[1].mask = null;
      outs[1].shape[0] = Tq;
      outs[1].shape[1] = Tv;
    }
  }

  backward(ctx: RunContext, dOuts: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    for (let i = 0; i < dIns.length; i++) dIns[i] = null;
    const dOut = dOuts[0];
    const dScores = this.returnScores ? dOuts[1] : null;
    if (!dOut && !dScores) return;
    const be = ctx.backend;
    const { B, Tq, Tv, ins } = this;
    const q = ins[0];
    const v = ins[1];
    const k = this.hasKey ? ins[2] : v;
    const D = q.shape[1];
    const Dv = v.shape[1];
    const nS = B * Tq * Tv;
    const wd = this.active ? this.wd : this.w;
    const train = this.layer.trainable;
    // d(w after dropout) = dOut · vᵀ (+ the scores output's gradient); dv = wᵀ · dOut
    let dOutQ: Buf | null = dOut;
    if (dOut && this.qmask) {
      be.rowScale(this.dOut, dOut, this.qmask, B * Tq, Dv);
      dOutQ = this.dOut;
    }
    const dw = dense(this.ow, this.dw, 1, Tq, Tv);
    if (dOutQ) {
      product(be, this.g, 'nt', B, 1, Tq, Tv, Dv, dw, dense(this.oo, dOutQ, 1, Tq, Dv), dense(this.ov, v.buf, 1, Tv, Dv));
      if (dScores) be.axpy(this.dw, dScores, 1, nS);
    } else {
      be.copy(this.dw, dScores!, nS);
    }
    if (need[1]) {
      // only the scores output carried a gradient: the value did not touch it
      if (dOutQ)
        product(
          be,
          this.g,
          'tn',
          B,
          1,
          Tv,
          Dv,
          Tq,
          dense(this.ov, this.dv, 1, Tv, Dv),
          dense(this.os, wd, 1, Tq, Tv),
          dense(this.oo, dOutQ, 1, Tq, Dv),
        );
      else be.fill(this.dv, 0, B * Tv * Dv);
    }
    if (this.active) be.mul(this.dw, this.dw, this.keep, nS);
    // through the softmax (in place: ds over dw); the gain's gradient on the way
    const smb = this.smb;
    smb.B = B;
    smb.Tq = Tq;
    smb.Tk = Tv;
    smb.kmask = this.sm.kmask;
    smb.dgain = train ? (this.wts.gain?.dw ?? null) : null;
    be.run('maskedSoftmaxBackward', smb);
    // through the scores into q and k
    const needK = this.hasKey ? need[2] : need[1];
    if (this.layer.mode === 'dot') {
      if (need[0]) product(be, this.g, 'nn', B, 1, Tq, D, Tv, dense(this.oq, this.dq, 1, Tq, D), dw, dense(this.ok, k.buf, 1, Tv, D));
      if (needK) product(be, this.g, 'tn', B, 1, Tv, D, Tq, dense(this.ok, this.dk, 1, Tv, D), dw, dense(this.oq, q.buf, 1, Tq, D));
    } else {
      const a = this.addb;
      a.dv = train ? (this.wts.v?.dw ?? null) : null;
      a.dalpha = train ? (this.wts.alpha?.dw ?? null) : null;
      a.q = q.buf;
      a.k = k.buf;
      a.B = B;
      a.Tq = Tq;
      a.Tk = Tv;
      be.run('additiveScoreBackward', a);
    }
    if (need[0]) dIns[0] = this.dq;
    if (this.hasKey) {
      if (need[1]) dIns[1] = this.dv;
      if (need[2]) dIns[2] = this.dk;
    } else if (need[1]) {
      // the key is the value: its two gradients add up
      be.axpy(this.dv, this.dk, 1, B * Tv * Dv);
      dIns[1] = this.dv;
    }
  }
}
