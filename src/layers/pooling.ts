/**
 * Pooling over time (Keras, channels last), x (B, T, C):
 *
 *   maxPooling1d / averagePooling1d   windows of poolSize steps, strides
 *       (default poolSize), padding 'valid' | 'same' -> (B, To, C)
 *   globalMaxPooling1d / globalAveragePooling1d   the whole sequence -> (B, C)
 *
 * Masks: a masked step never wins a max and is not counted in a mean, and
 * neither is padding ('same' averages count only the steps inside the
 * sequence, as TF does); a window, or a whole row, with no valid step gives
 * 0 (Keras 3 would give NaN for a fully masked mean, and ignores masks in
 * max pooling). The windowed layers pass the mask on, downsampled: output
 * step t is valid iff its window holds at least one valid step. Ties in a
 * max: the earliest step wins and gets the gradient (as TF).
 */
import type { Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
import { oneInt, padding as paddingOf, sequenceInput, steppingError } from './conv1d.js';
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
  type WeightSpec,
} from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { inputShape, options } from './options.js';
import { windowGeometry, type Padding } from './windows.js';

type Mode = 'max' | 'average';

export interface Pooling1DOptions {
  poolSize?: number | [number];
  /** default: poolSize (null too, as in Keras) */
  strides?: number | [number] | null;
  padding?: 'valid' | 'same';
  inputShape?: (number | null)[];
  name?: string;
}

export interface GlobalPooling1DOptions {
  inputShape?: (number | null)[];
  name?: string;
}

/** The mask flowing in: an explicit one given at apply, else the input's. */
function inputMask(call: CallArgs, ins: readonly Value[]): Buf | null {
  const slot = maskSlot(call, 0);
  return slot >= 0 ? ins[slot].buf : ins[0].mask;
}

export class Pooling1D extends Layer<SymbolicTensor> {
  readonly className: string;
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: Padding;
  readonly declaredShape: number[] | null;

  constructor(
    readonly mode: Mode,
    opts: Pooling1DOptions = {},
  ) {
    const where = `layers.${mode}Pooling1d`;
    const o = options(where, opts, ['poolSize', 'strides', 'padding', 'inputShape', 'name']);
    super(o.name as string | undefined, `${mode === 'max' ? 'max' : 'average'}_pooling1d`);
    this.className = mode === 'max' ? 'MaxPooling1D' : 'AveragePooling1D';
    this.poolSize = oneInt(where, 'poolSize', o.poolSize, 2);
    this.strides = o.strides === null || o.strides === undefined ? this.poolSize : oneInt(where, 'strides', o.strides);
    this.padding = paddingOf(where, o.padding, ['valid', 'same']);
    this.declaredShape = inputShape(where, o.inputShape);
  }

  protected override acceptsMask(): boolean {
    return true;
  }

  protected build([x]: readonly TensorSpec[]): void {
    sequenceInput(this, x);
  }

  outputSteps(T: number): number {
    if (T < 0) return -1;
    const { To } = windowGeometry(T, this.poolSize, this.strides, 1, this.padding);
    if (To < 1)
      fail(
        'E_SHAPE',
        `${this.name}: poolSize ${this.poolSize} is longer than the input's ${T} steps with padding 'valid'; use padding 'same' or a smaller poolSize`,
      );
    return To;
  }

  computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[] {
    const x = inputs[0];
    sequenceInput(this, x);
    return [{ shape: [this.outputSteps(x.shape[0]), x.shape[1]], dtype: 'float32', masked: x.masked || call.masks[0] }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(call: CallArgs, [x]: readonly TensorSpec[]): LayerRun {
    return new PoolRun(
      this,
      this.mode,
      call,
      x.shape[1],
      (T) => ({ K: this.poolSize, S: this.strides, ...windowGeometry(T, this.poolSize, this.strides, 1, this.padding) }),
      true,
    );
  }

  getConfig(): Record<string, unknown> {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding, name: this.name };
  }
}

export class GlobalPooling1D extends Layer<SymbolicTensor> {
  readonly className: string;
  readonly declaredShape: number[] | null;

  constructor(
    readonly mode: Mode,
    opts: GlobalPooling1DOptions = {},
  ) {
    const where = `layers.global${mode === 'max' ? 'Max' : 'Average'}Pooling1d`;
    const o = options(where, opts, ['inputShape', 'name']);
    super(o.name as string | undefined, `global_${mode === 'max' ? 'max' : 'average'}_pooling1d`);
    this.className = mode === 'max' ? 'GlobalMaxPooling1D' : 'GlobalAveragePooling1D';
    this.declaredShape = inputShape(where, o.inputShape);
  }

  protected override acceptsMask(): boolean {
    return true;
  }

  protected build([x]: readonly TensorSpec[]): void {
    sequenceInput(this, x);
  }

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    sequenceInput(this, x);
    return [{ shape: [x.shape[1]], dtype: 'float32', masked: false }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(call: CallArgs, [x]: readonly TensorSpec[]): LayerRun {
    // one window over the whole sequence
    return new PoolRun(this, this.mode, call, x.shape[1], (T) => ({ K: T, S: 1, P: 0, To: 1 }), false);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

interface Win {
  K: number;
  S: number;
  P: number;
  To: number;
}

/** One pooling node: the window comes from T at each call. */
class PoolRun extends LayerRun {
  private y!: Buf;
  private arg!: Buf;
  private dx!: Buf;
  private ymask!: Buf;
  private mask: Buf | null = null;
  private B = 0;
  private T = 0;
  private w: Win = { K: 1, S: 1, P: 0, To: 1 };

  constructor(
    private readonly layer: Layer,
    private readonly mode: Mode,
    private readonly call: CallArgs,
    private readonly C: number,
    private readonly window: (T: number) => Win,
    private readonly sequence: boolean,
  ) {
    super();
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    const { To } = this.window(x[0]);
    this.y = alloc(B * To * this.C);
    if (this.mode === 'max') this.arg = alloc(B * To * this.C, 'int32');
    this.dx = alloc(B * x[0] * this.C);
    this.ymask = alloc(B * To);
  }

  override checkStep(): void {
    // a global pooling, or a window wider than a step, needs the whole sequence
    if (!this.sequence || this.window(2).K > 1) steppingError(this.layer);
  }

  forward(ctx: RunContext, ins: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    const x = ins[0];
    const mask = inputMask(this.call, ins);
    const B = (this.B = ctx.B);
    const T = (this.T = x.shape[0]);
    const C = this.C;
    const w = (this.w = this.window(T));
    const { K, S, P, To } = w;
    this.mask = mask;
    if (this.mode === 'max') be.run('maxPool1dForward', { y: this.y, arg: this.arg, x: x.buf, mask, B, T, C, To, K, S, P });
    else be.run('avgPool1dForward', { y: this.y, x: x.buf, mask, B, T, C, To, K, S, P });
    out.buf = this.y;
    out.mask = null;
    if (this.sequence) {
      out.shape[0] = To;
      out.shape[1] = C;
      if (mask) {
        be.run('windowMask', { ymask: this.ymask, mask, B, T, To, K, S, D: 1, P });
        out.mask = this.ymask;
      }
    } else {
      out.shape[0] = C;
    }
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    for (let i = 0; i < dIns.length; i++) dIns[i] = null;
    if (!dy || !need[0]) return;
    const { B, T, C, mask } = this;
    const { K, S, P, To } = this.w;
    if (this.mode === 'max') ctx.backend.run('maxPool1dBackward', { dx: this.dx, dy, arg: this.arg, B, T, C, To });
    else ctx.backend.run('avgPool1dBackward', { dx: this.dx, dy, mask, B, T, C, To, K, S, P });
    dIns[0] = this.dx;
  }
}
