/**
 * What SimpleRNN, LSTM and GRU share: Keras options, shape inference,
 * initial states (zeros, given as inputs, carried by `stateful` or step
 * mode), picking the output (the whole sequence or the final step, reversed
 * back into Keras order for goBackwards), returnState, and routing the
 * incoming gradients into the cell kernels' dhseq / dhT / dcT inputs and
 * their dh0 / dc0 outputs back to the initial states' producers.
 *
 * A call's inputs: x (B,T,I), then the initial states (B,H) each (h, then c
 * for LSTM), then an explicit mask (B,T). Its outputs: y — (B,T,H) or (B,H)
 * — then, with returnState, the final states (B,H) each.
 *
 * The cell kernel stores every step at the index of the input it consumed;
 * with goBackwards the final state is therefore at t = 0, and Keras's
 * returned sequence (in processing order) is the time reversal of hseq.
 */
import type { ActivationName } from '../backend/abi.js';
import { ACTIVATIONS } from '../backend/abi.js';
import type { Backend, Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
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
} from './layer.js';
import { activation, bool, inputShape, options, positiveInt } from './options.js';

export interface RecurrentOptions {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  stateful?: boolean;
  inputShape?: (number | null)[];
  name?: string;
}

export const RECURRENT_KEYS = [
  'units',
  'activation',
  'useBias',
  'returnSequences',
  'returnState',
  'goBackwards',
  'stateful',
  'inputShape',
  'name',
] as const;

/** The fields every cell kernel's arguments share (B, T and the input change per call). */
export interface CellArgs {
  B: number;
  T: number;
  x: Buf;
  mask: Buf | null;
  h0: Buf;
  dhseq: Buf | null;
  dhT: Buf | null;
  dx: Buf | null;
  dh0: Buf | null;
}

export abstract class Recurrent extends Layer {
  readonly units_: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly declaredShape: number[] | null;
  /** number of state tensors: 1 (h) or 2 (h, c) */
  abstract readonly nStates: number;
  inputDim = 0;

  /** The parsed options object, for subclasses' extra keys. */
  protected readonly opts: Record<string, unknown>;

  protected constructor(where: string, prefix: string, opts: unknown, extraKeys: readonly string[], dfltAct: ActivationName = 'tanh') {
    const o = options(where, opts, [...RECURRENT_KEYS, ...extraKeys]);
    super(o.name as string | undefined, prefix);
    this.units_ = positiveInt(where, 'units', o.units);
    this.activation = activation(where, 'activation', o.activation, dfltAct);
    this.useBias = bool(where, 'useBias', o.useBias, true);
    this.returnSequences = bool(where, 'returnSequences', o.returnSequences, false);
    this.returnState = bool(where, 'returnState', o.returnState, false);
    this.goBackwards = bool(where, 'goBackwards', o.goBackwards, false);
    this.stateful = bool(where, 'stateful', o.stateful, false);
    this.declaredShape = inputShape(where, o.inputShape);
    this.opts = o;
  }

  protected override stateArity(): readonly number[] {
    return [0, this.nStates];
  }

  protected override acceptsMask(): boolean {
    return true;
  }

  protected build([x]: readonly TensorSpec[]): void {
    if (x.shape.length !== 2) {
      fail(
        'E_SHAPE',
        `${this.name}: ${this.className} expects input of shape (batch, timesteps, features), got rank ${x.shape.length + 1}`,
      );
    }
    if (!(x.shape[1] > 0)) fail('E_SHAPE', `${this.name}: ${this.className} needs a known feature dimension, got input shape [${x.shape}]`);
    this.inputDim = x.shape[1];
  }

  computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[] {
    const x = inputs[0];
    const H = this.units_;
    if (x.dtype !== 'float32')
      fail('E_SHAPE', `${this.name}: ${this.className} takes float32 input, got ${x.dtype} (token ids go through an Embedding first)`);
    if (x.shape.length !== 2 || x.shape[1] !== this.inputDim) {
      fail(
        'E_SHAPE',
        `${this.name}: ${this.className} was built for input (batch, timesteps, ${this.inputDim}), got (batch, ${x.shape.join(', ')})`,
      );
    }
    for (let k = 0; k < call.nStates; k++) {
      const s = inputs[1 + k];
      if (s.shape.length !== 1 || s.shape[0] !== H || s.dtype !== 'float32') {
        fail('E_SHAPE', `${this.name}: initialState[${k}] must have shape (batch, ${H}), got (batch, ${s.shape.join(', ')})`);
      }
    }
    if (call.nStates > 0 && this.stateful) {
      fail(
        'E_ARG',
        `${this.name}: a stateful layer carries its own state; give initialState to a non-stateful layer, or call resetStates()`,
      );
    }
    const masked = this.returnSequences && (x.masked || call.masks[0]);
    const out: TensorSpec[] = [{ shape: this.returnSequences ? [x.shape[0], H] : [H], dtype: 'float32', masked }];
    if (this.returnState) for (let k = 0; k < this.nStates; k++) out.push({ shape: [H], dtype: 'float32', masked: false });
    return out;
  }

  createRun(call: CallArgs, _inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    return this.cellRun(slots, call, false);
  }

  /**
   * A run of this cell. `flip`: return the sequence time-reversed relative
   * to Keras's (processing) order, i.e. in input order for a goBackwards
   * layer, which then needs no reversal at all (Bidirectional's backward copy).
   */
  abstract cellRun(slots: readonly WeightSlot[], call: CallArgs, flip: boolean): RecurrentRun;

  get actId(): number {
    return ACTIVATIONS[this.activation];
  }

  protected baseConfig(): Record<string, unknown> {
    return {
      units: this.units_,
      activation: this.activation,
      useBias: this.useBias,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      name: this.name,
    };
  }
}

export abstract class RecurrentRun extends LayerRun {
  protected readonly H: number;
  protected readonly I: number;
  protected hseq!: Buf;
  protected dx!: Buf;
  private zeroInit: Buf[] = [];
  private carried: Buf[] = [];
  /** the carried states as they were when the last forward call began (the backward pass reads them) */
  private carriedIn: Buf[] = [];
  private out!: Buf;
  private outSeq: Buf | null = null;
  private stateOut: Buf[] = [];
  private dhseqRev: Buf | null = null;
  private dhSum!: Buf;
  private dInit: Buf[] = [];
  private carriedB = 0;
  private B = 0;
  private T = 0;
  private readonly dT: (Buf | null)[] = [null, null];

  constructor(
    protected readonly layer: Recurrent,
    protected readonly slots: readonly WeightSlot[],
    private readonly call: CallArgs,
    private readonly flip: boolean,
  ) {
    super();
    this.H = layer.units_;
    this.I = layer.inputDim;
  }

  /** Cell-specific buffers (gates, cell states, scratch) and the kernel's argument object. */
  protected abstract planCell(alloc: PlanAlloc, B: number, T: number, backend: Backend): void;
  /** The cell kernel's arguments, made by planCell and reused by every call. */
  protected abstract get cellArgs(): CellArgs;
  /** One kernel call over the whole sequence: fills hseq (and the cell's own buffers). */
  protected abstract runForward(be: Backend): void;
  /** One kernel call back through time. */
  protected abstract runBackward(be: Backend): void;
  /** The buffer holding state k (0 = h) at every step, (B,T,H). */
  protected abstract stateSeq(k: number): Buf;
  /** A cell with more state than h (LSTM's c) takes its extra initial state here. */
  protected setExtraInit(_init: readonly Buf[]): void {}
  /** ... the gradient with respect to its extra final state, and where its extra initial-state gradient goes. */
  protected setExtraGrad(_dT: readonly (Buf | null)[], _dInit: readonly (Buf | null)[]): void {}

  private get nStates(): number {
    return this.layer.nStates;
  }

  private get reversed(): boolean {
    return this.layer.goBackwards !== this.flip && this.layer.returnSequences;
  }

  plan(alloc: PlanAlloc, B: number, inShapes: readonly Shape[], backend: Backend): void {
    const H = this.H;
    const T = inShapes[0][0];
    this.hseq = alloc(B * T * H);
    const zeros = alloc(B * H);
    backend.fill(zeros, 0);
    this.zeroInit = Array.from({ length: this.nStates }, () => zeros);
    // carried states outlive plans (a stateful model keeps them across calls);
    // they are re-made, zeroed, only when the batch capacity changes
    if (this.carriedB !== B) {
      this.dispose(backend);
      this.carried = Array.from({ length: this.nStates }, () => backend.zeros(B * H));
      this.carriedB = B;
    }
    this.carriedIn = Array.from({ length: this.nStates }, () => alloc(B * H));
    this.out = alloc(B * H);
    this.stateOut = this.layer.returnState ? Array.from({ length: this.nStates }, () => alloc(B * H)) : [];
    this.outSeq = this.reversed ? alloc(B * T * H) : null;
    this.dhseqRev = this.reversed ? alloc(B * T * H) : null;
    this.dhSum = alloc(B * H);
    this.dx = alloc(B * T * this.I);
    this.dInit = Array.from({ length: this.call.nStates }, () => alloc(B * H));
    this.planCell(alloc, B, T, backend);
  }

  forward(ctx: RunContext, ins: readonly Value[], outs: Value[]): void {
    const be = ctx.backend;
    const { B } = ctx;
    const x = ins[0];
    const T = x.shape[0];
    const H = this.H;
    this.B = B;
    this.T = T;
    const given = this.call.nStates > 0;
    const carry = !given && (this.layer.stateful || ctx.stepping);
    // forward overwrites `carried` with its final step, but backward needs the
    // state this call started from (truncated BPTT of a stateful layer): copy it
    if (carry) for (let k = 0; k < this.nStates; k++) be.copy(this.carriedIn[k], this.carried[k], B * H);
    const slot = maskSlot(this.call, 0);
    const mask = slot >= 0 ? ins[slot].buf : x.mask;
    const a = this.cellArgs;
    a.B = B;
    a.T = T;
    a.x = x.buf;
    a.mask = mask;
    let init: readonly Buf[] = carry ? this.carriedIn : this.zeroInit;
    if (given) init = this.stateInputs(ins);
    a.h0 = init[0];
    this.setExtraInit(init);
    this.runForward(be);
    const last = (this.layer.goBackwards ? 0 : T - 1) * H;
    // final h into `out` (the output when not returning sequences)
    be.copyRows(this.out, H, this.hseq, T * H, B, H, 0, last);
    if (carry) {
      for (let k = 0; k < this.nStates; k++) be.copyRows(this.carried[k], H, this.stateSeq(k), T * H, B, H, 0, last);
    }
    const y = outs[0];
    y.buf = this.out;
    y.mask = null;
    if (this.layer.returnSequences) {
      y.buf = this.hseq;
      if (this.outSeq) {
        be.reverseTime(this.outSeq, this.hseq, B, T, H);
        y.buf = this.outSeq;
      }
      y.mask = mask;
      y.shape[0] = T;
      y.shape[1] = H;
    } else {
      y.shape[0] = H;
    }
    if (this.layer.returnState) {
      for (let k = 0; k < this.nStates; k++) {
        be.copyRows(this.stateOut[k], H, this.stateSeq(k), T * H, B, H, 0, last);
        const s = outs[1 + k];
        s.buf = this.stateOut[k];
        s.mask = null;
        s.shape[0] = H;
      }
    }
  }

  /** The initial-state input buffers, reused (no allocation per call). */
  private stateBufs: Buf[] = [];
  private stateInputs(ins: readonly Value[]): readonly Buf[] {
    for (let k = 0; k < this.call.nStates; k++) this.stateBufs[k] = ins[1 + k].buf;
    return this.stateBufs;
  }

  backward(ctx: RunContext, dOuts: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    const be = ctx.backend;
    const { B, T, H } = this;
    for (let k = 0; k < dIns.length; k++) dIns[k] = null;
    const dy = dOuts[0];
    let dhseq: Buf | null = null;
    const dT = this.dT;
    for (let k = 0; k < this.nStates; k++) dT[k] = this.layer.returnState ? (dOuts[1 + k] ?? null) : null;
    if (this.layer.returnSequences) {
      dhseq = dy;
      if (dy && this.dhseqRev) {
        be.reverseTime(this.dhseqRev, dy, B, T, H);
        dhseq = this.dhseqRev;
      }
    } else if (dy && dT[0]) {
      // the final output and the returned h state are the same tensor: gradients add
      be.add(this.dhSum, dy, dT[0], B * H);
      dT[0] = this.dhSum;
    } else if (dy) {
      dT[0] = dy;
    }
    if (!dhseq && !dT[0] && !dT[1]) return; // no gradient reaches this layer
    const a = this.cellArgs;
    a.dhseq = dhseq;
    a.dhT = dT[0];
    a.dx = need[0] ? this.dx : null;
    const nS = this.call.nStates;
    a.dh0 = nS > 0 && need[1] ? this.dInit[0] : null;
    this.setExtraGrad(dT, nS > 1 && need[2] ? this.dInit : []);
    this.runBackward(be);
    if (need[0]) dIns[0] = this.dx;
    for (let k = 0; k < nS; k++) if (need[1 + k]) dIns[1 + k] = this.dInit[k];
  }

  override resetStates(backend: Backend): void {
    for (const s of this.carried) backend.fill(s, 0);
  }

  override dispose(backend: Backend): void {
    for (const s of this.carried) backend.free(s);
    this.carried = [];
    this.carriedB = 0;
  }
}
