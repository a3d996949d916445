/**
 * Bidirectional wrapper for SimpleRNN, LSTM and GRU, with Keras/TF.js
 * semantics.
 *
 * From the wrapped layer's config it builds a forward copy (the same config,
 * named `forward_<name>`) and a backward copy (goBackwards flipped, named
 * `backward_<name>`); the wrapped instance itself is only a template. Both
 * run on the same input and mask. The backward copy's sequence is reversed
 * back into input order before merging (it is asked for that order directly,
 * so no reversal runs); with returnSequences false the two final states are
 * merged. mergeMode: 'concat' (default; [forward, backward] on the last
 * axis), 'sum', 'mul', 'ave', or null (two separate outputs).
 *
 * Inputs: x, then optionally the initial states (the forward copy's, then
 * the backward copy's: 2 for GRU/SimpleRNN, 4 for LSTM), then a mask.
 * Outputs (Keras order): the merged output (or the forward and backward
 * outputs when mergeMode is null), then with returnState the forward
 * copy's final states, then the backward copy's.
 *
 * Weights, in Keras order: the forward layer's, then the backward layer's,
 * under the wrapped layer's names (kernel, recurrent_kernel, bias, ...; Keras
 * scopes them as forward_<name>/... and backward_<name>/...).
 *
 * Masks: as in Keras, a Bidirectional that returns sequences outputs zeros
 * at masked steps (Keras forces zero_output_for_mask on both copies; TF.js
 * instead repeats the previous output there). Masked steps are ignored by
 * every mask-aware layer and loss after it, so this only shows in predict().
 *
 * Step-by-step runs (predictStep) are an error: the backward direction needs
 * the whole sequence.
 */
import type { Backend, Buf, MergeMode } from '../backend/backend.js';
import { MERGE_MODES } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import {
  Layer,
  LayerRun,
  maskSlot,
  type CallArgs,
  type PlanAlloc,
  type RunContext,
  type Shape,
  type TensorSpec,
  type Value,
  type WeightSlot,
  type WeightSpec,
} from './layer.js';
import { inputShape, options } from './options.js';
import { Recurrent, type RecurrentRun } from './recurrent.js';

export interface BidirectionalOptions {
  /** the layer to wrap: layers.simpleRNN, layers.lstm or layers.gru */
  layer: Recurrent;
  /** 'concat' (default), 'sum', 'mul', 'ave', or null for separate outputs */
  mergeMode?: MergeMode | null;
  inputShape?: (number | null)[];
  name?: string;
}

const KEYS = ['layer', 'mergeMode', 'inputShape', 'name'] as const;

type RecurrentCtor = new (opts: Record<string, unknown>) => Recurrent;

export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  readonly mergeMode: MergeMode | null;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly stateful: boolean;
  readonly declaredShape: number[] | null;
  /** the wrapped layer's config, as given (for getConfig) */
  private readonly layerConfig: { className: string; config: Record<string, unknown> };

  constructor(opts: BidirectionalOptions) {
    const where = 'layers.bidirectional';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'bidirectional');
    const layer = o.layer;
    if (!(layer instanceof Recurrent)) {
      fail(
        'E_ARG',
        `${where}: layer must be a recurrent layer (layers.simpleRNN, layers.lstm or layers.gru), got ${layer instanceof Layer ? `a ${layer.className} layer` : describe(layer)}`,
      );
    }
    const mode = o.mergeMode === undefined ? 'concat' : o.mergeMode;
    if (mode !== null && (typeof mode !== 'string' || !Object.prototype.hasOwnProperty.call(MERGE_MODES, mode))) {
      fail(
        'E_ARG',
        `${where}: mergeMode must be one of ${Object.keys(MERGE_MODES)
          .map((m) => `'${m}'`)
          .join(', ')} or null, got ${describe(o.mergeMode)}`,
      );
    }
    this.mergeMode = mode as MergeMode | null;
    const config = layer.getConfig();
    this.layerConfig = { className: layer.className, config };
    // a fresh layer of the wrapped class from its config, as Keras does
    const Ctor = layer.constructor as RecurrentCtor;
    this.forwardLayer = new Ctor({ ...config, name: `forward_${layer.name}` });
    this.backwardLayer = new Ctor({ ...config, goBackwards: !layer.goBackwards, name: `backward_${layer.name}` });
    this.returnSequences = layer.returnSequences;
    this.returnState = layer.returnState;
    this.stateful = layer.stateful;
    this.declaredShape = inputShape(where, o.inputShape) ?? layer.declaredShape;
  }

  /** Units of each direction. */
  get H(): number {
    return this.forwardLayer.units_;
  }

  protected override stateArity(): readonly number[] {
    return [0, 2 * this.forwardLayer.nStates];
  }

  protected override acceptsMask(): boolean {
    return true;
  }

  protected build(inputs: readonly TensorSpec[]): void {
    this.forwardLayer.buildWith(inputs);
    this.backwardLayer.buildWith(inputs);
  }

  /** The call one direction sees: half the states, the same mask. */
  private innerCall(call: CallArgs): CallArgs {
    return { ...call, nInputs: 1, nStates: call.nStates / 2 };
  }

  computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[] {
    const inner = this.innerCall(call);
    const n = inner.nStates;
    const m = maskSlot(call, 0);
    const pick = (from: number) => [inputs[0], ...inputs.slice(from, from + n), ...(m >= 0 ? [inputs[m]] : [])];
    const f = this.forwardLayer.computeOutputs(pick(1), inner);
    const b = this.backwardLayer.computeOutputs(pick(1 + n), inner);
    const y = f[0];
    const main: TensorSpec[] =
      this.mergeMode === null ? [y, b[0]] : [{ ...y, shape: [...y.shape.slice(0, -1), this.mergeMode === 'concat' ? 2 * this.H : this.H] }];
    return [...main, ...f.slice(1), ...b.slice(1)];
  }

  weightSpecs(): WeightSpec[] {
    return [...this.forwardLayer.weightSpecs(), ...this.backwardLayer.weightSpecs()];
  }

  createRun(call: CallArgs, _inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    const nf = this.forwardLayer.weightSpecs().length;
    const inner = this.innerCall(call);
    return new BidirectionalRun(
      this,
      call,
      this.forwardLayer.cellRun(slots.slice(0, nf), inner, false),
      // Keras reverses the backward copy's returned sequence into input order
      this.backwardLayer.cellRun(slots.slice(nf), inner, true),
    );
  }

  getConfig(): Record<string, unknown> {
    return {
      layer: { className: this.layerConfig.className, config: { ...this.layerConfig.config } },
      mergeMode: this.mergeMode,
      name: this.name,
    };
  }
}

function newValue(rank: number): Value {
  return { buf: null as unknown as Buf, mask: null, shape: new Array<number>(rank).fill(0) };
}

class BidirectionalRun extends LayerRun {
  private readonly nS: number;
  private readonly fIns: Value[];
  private readonly bIns: Value[];
  private readonly fOuts: Value[];
  private readonly bOuts: Value[];
  private readonly fd: (Buf | null)[];
  private readonly bd: (Buf | null)[];
  private readonly fNeed: boolean[];
  private readonly bNeed: boolean[];
  private readonly fdIns: (Buf | null)[];
  private readonly bdIns: (Buf | null)[];
  private y!: Buf;
  private yb!: Buf;
  private df!: Buf;
  private db!: Buf;
  private dx!: Buf;
  private mask: Buf | null = null;
  private rows = 0;
  private xLen = 0;

  constructor(
    private readonly layer: Bidirectional,
    private readonly call: CallArgs,
    private readonly fwd: RecurrentRun,
    private readonly bwd: RecurrentRun,
  ) {
    super();
    const nS = (this.nS = call.nStates / 2);
    const rank = layer.returnSequences ? 2 : 1;
    const nIn = 1 + nS + (call.masks[0] ? 1 : 0);
    const nOut = 1 + (layer.returnState ? layer.forwardLayer.nStates : 0);
    this.fIns = Array.from({ length: nIn }, () => newValue(2));
    this.bIns = Array.from({ length: nIn }, () => newValue(2));
    this.fOuts = Array.from({ length: nOut }, (_, k) => newValue(k === 0 ? rank : 1));
    this.bOuts = Array.from({ length: nOut }, (_, k) => newValue(k === 0 ? rank : 1));
    this.fd = new Array(nOut).fill(null);
    this.bd = new Array(nOut).fill(null);
    this.fNeed = new Array(nIn).fill(false);
    this.bNeed = new Array(nIn).fill(false);
    this.fdIns = new Array(nIn).fill(null);
    this.bdIns = new Array(nIn).fill(null);
  }

  /** The inputs one direction sees: x, its half of the states, the mask. */
  private innerShapes(inShapes: readonly Shape[], from: number): Shape[] {
    const s = [inShapes[0], ...inShapes.slice(from, from + this.nS)];
    const m = maskSlot(this.call, 0);
    if (m >= 0) s.push(inShapes[m]);
    return s;
  }

  plan(alloc: PlanAlloc, B: number, inShapes: readonly Shape[], backend: Backend): void {
    this.fwd.plan(alloc, B, this.innerShapes(inShapes, 1), backend);
    this.bwd.plan(alloc, B, this.innerShapes(inShapes, 1 + this.nS), backend);
    const [T, I] = inShapes[0];
    const H = this.layer.H;
    const rows = this.layer.returnSequences ? B * T : B;
    const width = this.layer.mergeMode === 'concat' ? 2 * H : H;
    this.y = alloc(rows * width);
    this.yb = alloc(rows * H);
    this.df = alloc(rows * H);
    this.db = alloc(rows * H);
    this.dx = alloc(B * T * I);
  }

  private route(ins: readonly Value[], into: Value[], from: number): void {
    into[0] = ins[0];
    for (let k = 0; k < this.nS; k++) into[1 + k] = ins[from + k];
    const m = maskSlot(this.call, 0);
    if (m >= 0) into[1 + this.nS] = ins[m];
  }

  override checkStep(): void {
    fail(
      'E_STATE',
      `${this.layer.name}: a Bidirectional layer cannot run step by step (predictStep): its backward direction needs the whole sequence`,
    );
  }

  forward(ctx: RunContext, ins: readonly Value[], outs: Value[]): void {
    const be = ctx.backend;
    this.route(ins, this.fIns, 1);
    this.route(ins, this.bIns, 1 + this.nS);
    this.fwd.forward(ctx, this.fIns, this.fOuts);
    this.bwd.forward(ctx, this.bIns, this.bOuts);
    const yf = this.fOuts[0];
    const seq = this.layer.returnSequences;
    this.mask = seq ? yf.mask : null;
    const T = ins[0].shape[0];
    const H = this.layer.H;
    this.rows = seq ? ctx.B * T : ctx.B;
    this.xLen = ctx.B * T * ins[0].shape[1];
    const mode = this.layer.mergeMode;
    if (mode === null) {
      // two outputs; zero the masked steps as Keras does
      const f = outs[0];
      const b = outs[1];
      f.buf = yf.buf;
      b.buf = this.bOuts[0].buf;
      if (this.mask) {
        be.rowScale(this.y, yf.buf, this.mask, this.rows, H);
        be.rowScale(this.yb, this.bOuts[0].buf, this.mask, this.rows, H);
        f.buf = this.y;
        b.buf = this.yb;
      }
      for (const v of [f, b]) {
        v.mask = this.mask;
        for (let i = 0; i < yf.shape.length; i++) v.shape[i] = yf.shape[i];
      }
    } else {
      be.bidirectionalMerge(this.y, yf.buf, this.bOuts[0].buf, this.mask, this.rows, H, mode);
      const y = outs[0];
      y.buf = this.y;
      y.mask = this.mask;
      for (let i = 0; i < yf.shape.length; i++) y.shape[i] = yf.shape[i];
      y.shape[yf.shape.length - 1] = mode === 'concat' ? 2 * H : H;
    }
    const main = mode === null ? 2 : 1;
    const nSt = this.fOuts.length - 1;
    for (let k = 0; k < nSt; k++) {
      copyValue(outs[main + k], this.fOuts[1 + k]);
      copyValue(outs[main + nSt + k], this.bOuts[1 + k]);
    }
  }

  backward(ctx: RunContext, dOuts: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    const be = ctx.backend;
    const H = this.layer.H;
    const mode = this.layer.mergeMode;
    for (let k = 0; k < dIns.length; k++) dIns[k] = null;
    const main = mode === null ? 2 : 1;
    const nSt = this.fOuts.length - 1;
    if (mode === null) {
      this.fd[0] = dOuts[0];
      this.bd[0] = dOuts[1];
      // masked steps were zeroed: their gradient is zero too
      if (this.mask && dOuts[0]) {
        be.rowScale(this.df, dOuts[0], this.mask, this.rows, H);
        this.fd[0] = this.df;
      }
      if (this.mask && dOuts[1]) {
        be.rowScale(this.db, dOuts[1], this.mask, this.rows, H);
        this.bd[0] = this.db;
      }
    } else if (dOuts[0]) {
      be.bidirectionalMergeBackward(this.df, this.db, dOuts[0], this.fOuts[0].buf, this.bOuts[0].buf, this.mask, this.rows, H, mode);
      this.fd[0] = this.df;
      this.bd[0] = this.db;
    } else {
      this.fd[0] = null;
      this.bd[0] = null;
    }
    for (let k = 0; k < nSt; k++) {
      this.fd[1 + k] = dOuts[main + k];
      this.bd[1 + k] = dOuts[main + nSt + k];
    }
    this.fNeed[0] = this.bNeed[0] = need[0];
    for (let k = 0; k < this.nS; k++) {
      this.fNeed[1 + k] = need[1 + k];
      this.bNeed[1 + k] = need[1 + this.nS + k];
    }
    this.fwd.backward(ctx, this.fd, this.fNeed, this.fdIns);
    this.bwd.backward(ctx, this.bd, this.bNeed, this.bdIns);
    if (need[0]) {
      const a = this.fdIns[0];
      const b = this.bdIns[0];
      if (a && b) {
        be.add(this.dx, a, b, this.xLen);
        dIns[0] = this.dx;
      } else {
        dIns[0] = a ?? b;
      }
    }
    for (let k = 0; k < this.nS; k++) {
      dIns[1 + k] = this.fdIns[1 + k];
      dIns[1 + this.nS + k] = this.bdIns[1 + k];
    }
  }

  override resetStates(backend: Backend): void {
    this.fwd.resetStates(backend);
    this.bwd.resetStates(backend);
  }

  override dispose(backend: Backend): void {
    this.fwd.dispose(backend);
    this.bwd.dispose(backend);
  }
}

function copyValue(to: Value, from: Value): void {
  to.buf = from.buf;
  to.mask = from.mask;
  for (let i = 0; i < from.shape.length; i++) to.shape[i] = from.shape[i];
}
