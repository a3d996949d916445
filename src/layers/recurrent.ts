/**
 * What SimpleRNN, LSTM and GRU share: Keras options, initial and carried
 * states (zeros, `stateful`, step mode), picking the output (the whole
 * sequence or the final step, reversed back into Keras order for
 * goBackwards), returnState, and routing the incoming gradients into the
 * cell kernels' dhseq / dhT / dcT inputs.
 *
 * The cell kernel stores every step at the index of the input it consumed;
 * with goBackwards the final state is therefore at t = 0, and Keras's
 * returned sequence (in processing order) is the time reversal of hseq.
 */
import type { ActivationName } from '../backend/abi.js';
import { ACTIVATIONS } from '../backend/abi.js';
import type { Backend, Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
import { Layer, type LayerOutput, type PlanAlloc, type RunContext, type Shape } from './layer.js';
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

export const RECURRENT_KEYS = ['units', 'activation', 'useBias', 'returnSequences', 'returnState', 'goBackwards',
  'stateful', 'inputShape', 'name'] as const;

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
}

/** The cell kernels' view of one call: initial states in, final index out. */
export interface CellIO {
  x: Buf;
  mask: Buf | null;
  /** initial states (h, then c for LSTM), (B,H) each */
  init: Buf[];
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
  protected abstract readonly nStates: number;
  protected inputDim = 0;

  /** The parsed options object, for subclasses' extra keys. */
  protected readonly opts: Record<string, unknown>;
  protected hseq!: Buf;
  private zeroInit: Buf[] = [];
  private carried: Buf[] = [];
  /** the carried states as they were when the last forward call began (the backward pass reads them) */
  private carriedIn: Buf[] = [];
  private out!: Buf;
  private outSeq: Buf | null = null;
  private stateOut: Buf[] = [];
  private dhseqRev: Buf | null = null;
  private dhSum!: Buf;
  protected dx!: Buf;
  private carriedB = 0;
  private readonly dT: (Buf | null)[] = [null, null];
  /**
   * @internal Set by Bidirectional on its backward copy: return the sequence
   * time-reversed relative to Keras's (processing) order, i.e. in input order
   * for a goBackwards layer, which then needs no reversal at all.
   */
  flipSequence = false;

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

  build(shape: Shape): Shape {
    if (shape.length !== 2) {
      fail('E_SHAPE', `${this.name}: ${this.className} expects input of shape (batch, timesteps, features), got rank ${shape.length + 1}`);
    }
    this.inputShape = shape;
    this.inputDim = shape[1];
    this.outputShape = this.returnSequences ? [shape[0], this.units_] : [this.units_];
    this.built = true;
    return this.outputShape;
  }

  override outputMasked(inputMasked: boolean): boolean {
    return this.returnSequences && inputMasked;
  }

  protected get actId(): number {
    return ACTIVATIONS[this.activation];
  }

  plan(alloc: PlanAlloc, B: number, T: number, backend: Backend): void {
    const H = this.units_;
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
    this.stateOut = this.returnState ? Array.from({ length: this.nStates }, () => alloc(B * H)) : [];
    const reversed = this.goBackwards !== this.flipSequence && this.returnSequences;
    this.outSeq = reversed ? alloc(B * T * H) : null;
    this.dhseqRev = reversed ? alloc(B * T * H) : null;
    this.dhSum = alloc(B * H);
    this.dx = alloc(B * T * this.inputDim);
    this.planCell(alloc, B, T, backend);
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
  protected setExtraInit(_init: Buf[]): void {}
  /** ... and the gradient with respect to its extra final state here. */
  protected setExtraGrad(_dT: (Buf | null)[]): void {}

  /** Run the cell over the sequence. */
  private cellForward(ctx: RunContext, io: CellIO): void {
    const a = this.cellArgs;
    a.B = ctx.B;
    a.T = ctx.T;
    a.x = io.x;
    a.mask = io.mask;
    a.h0 = io.init[0];
    this.setExtraInit(io.init);
    this.runForward(ctx.backend);
  }

  /**
   * Backward through the cell. dhseq (B,T,H) per-step output gradient (or
   * null), dT[k] the final-state gradients (or null). Returns dx or null.
   */
  private cellBackward(ctx: RunContext, dhseq: Buf | null, dT: (Buf | null)[], needDx: boolean): Buf | null {
    const a = this.cellArgs;
    a.dhseq = dhseq;
    a.dhT = dT[0];
    a.dx = needDx ? this.dx : null;
    this.setExtraGrad(dT);
    this.runBackward(ctx.backend);
    return a.dx;
  }

  forward(ctx: RunContext, x: Buf, mask: Buf | null): LayerOutput {
    const be = ctx.backend;
    const { B, T } = ctx;
    const H = this.units_;
    const carry = this.stateful || ctx.stepping;
    // forward overwrites `carried` with its final step, but backward needs the
    // state this call started from (truncated BPTT of a stateful layer): copy it
    if (carry) for (let k = 0; k < this.nStates; k++) be.copy(this.carriedIn[k], this.carried[k], B * H);
    const init = carry ? this.carriedIn : this.zeroInit;
    this.cellForward(ctx, { x, mask, init });
    const last = (this.goBackwards ? 0 : T - 1) * H;
    // final h into `out` (the output when not returning sequences)
    be.copyRows(this.out, H, this.hseq, T * H, B, H, 0, last);
    if (carry) {
      for (let k = 0; k < this.nStates; k++) be.copyRows(this.carried[k], H, this.stateSeq(k), T * H, B, H, 0, last);
    }
    let y = this.out;
    if (this.returnSequences) {
      y = this.hseq;
      if (this.outSeq) {
        be.reverseTime(this.outSeq, this.hseq, B, T, H);
        y = this.outSeq;
      }
    }
    const result: LayerOutput = { y, mask: this.returnSequences ? mask : null };
    if (this.returnState) {
      for (let k = 0; k < this.nStates; k++) be.copyRows(this.stateOut[k], H, this.stateSeq(k), T * H, B, H, 0, last);
      result.states = this.stateOut;
    }
    return result;
  }

  backward(ctx: RunContext, dy: Buf, needDx: boolean, dStates: (Buf | null)[] = []): Buf | null {
    const be = ctx.backend;
    const { B, T } = ctx;
    const H = this.units_;
    let dhseq: Buf | null = null;
    const dT = this.dT;
    for (let k = 0; k < this.nStates; k++) dT[k] = dStates[k] ?? null;
    if (this.returnSequences) {
      dhseq = dy;
      if (this.dhseqRev) {
        be.reverseTime(this.dhseqRev, dy, B, T, H);
        dhseq = this.dhseqRev;
      }
    } else if (dT[0]) {
      // the final output and the returned h state are the same tensor: gradients add
      be.add(this.dhSum, dy, dT[0], B * H);
      dT[0] = this.dhSum;
    } else {
      dT[0] = dy;
    }
    return this.cellBackward(ctx, dhseq, dT, needDx);
  }

  override resetStates(backend: Backend): void {
    for (const s of this.carried) backend.fill(s, 0);
  }

  override dispose(backend: Backend): void {
    for (const s of this.carried) backend.free(s);
    this.carried = [];
    this.carriedB = 0;
  }


  protected baseConfig(): Record<string, unknown> {
    return {
      units: this.units_, activation: this.activation, useBias: this.useBias,
      returnSequences: this.returnSequences, returnState: this.returnState,
      goBackwards: this.goBackwards, stateful: this.stateful, name: this.name,
    };
  }
}
