/**
 * Conv1D (Keras, channels last): x (B, T, C) -> y (B, To, F),
 *   y[b,t,:] = act(bias + Σ_k x[b, t·S + k·D − P, :] · kernel[k])
 * with K = kernelSize taps, S = strides, D = dilationRate, and P and To from
 * the padding (windows.ts: 'valid', 'same' with the extra step on the right,
 * 'causal').
 *
 * Weights (Keras): kernel (K, C, F) glorotUniform (fans C·K and F·K), bias
 * (F) zeros. As Keras: strides > 1 with dilationRate > 1 is refused. Unlike
 * Keras 3 (which accepts it), causal padding with strides > 1 is refused too.
 *
 * Masks (Keras 3 drops the mask at Conv1D, with a warning; TF.js refuses a
 * masked input): here a masked step reads as zeros, like padding (it adds
 * nothing and receives no gradient), and the mask goes on, downsampled:
 * output step t is valid iff its window holds at least one valid input step.
 */
import { ACTIVATIONS, ACT_LINEAR, ACT_SIGMOID, ACT_SOFTMAX, type ActivationName } from '../backend/abi.js';
import type { Buf, KernelArgs } from '../backend/backend.js';
import { paddedRows } from '../backend/contract/conv.js';
import { describe, fail } from '../errors.js';
import { glorotUniform, zeros } from './initializers.js';
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
import type { SymbolicTensor } from './symbolic.js';
import { activation, bool, inputShape, options, positiveInt } from './options.js';
import { windowGeometry, type Padding } from './windows.js';

export interface Conv1DOptions {
  filters: number;
  kernelSize: number | [number];
  strides?: number | [number];
  padding?: Padding;
  dilationRate?: number | [number];
  activation?: ActivationName;
  useBias?: boolean;
  inputShape?: (number | null)[];
  name?: string;
}

const KEYS = ['filters', 'kernelSize', 'strides', 'padding', 'dilationRate', 'activation', 'useBias', 'inputShape', 'name'] as const;

/** A positive integer, or a one-element array of one (Keras and TF.js take both). */
export function oneInt(where: string, name: string, v: unknown, dflt?: number): number {
  const x = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (Array.isArray(v) && v.length !== 1) fail('E_ARG', `${where}: ${name} must be a positive integer or [integer], got ${describe(v)}`);
  return positiveInt(where, name, x, dflt);
}

export function padding(where: string, v: unknown, allowed: readonly Padding[]): Padding {
  if (v === undefined) return 'valid';
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail('E_ARG', `${where}: padding must be ${allowed.map((p) => `'${p}'`).join(', ')}, got ${describe(v)}`);
  }
  return v as Padding;
}

/** The sequence input of a windowed layer: float (T, C) with C known. */
export function sequenceInput(layer: Layer, x: TensorSpec): void {
  if (x.dtype !== 'float32' || x.shape.length !== 2) {
    fail(
      'E_SHAPE',
      `${layer.name}: ${layer.className} expects float input of shape (batch, timesteps, channels), got ${x.dtype} (batch, ${x.shape.map((d) => (d < 0 ? 'null' : d)).join(', ')})`,
    );
  }
  if (!(x.shape[1] > 0))
    fail(
      'E_SHAPE',
      `${layer.name}: ${layer.className} needs a known number of channels, got input (batch, ${x.shape[0] < 0 ? 'null' : x.shape[0]}, null)`,
    );
}

export class Conv1D extends Layer<SymbolicTensor> {
  readonly className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: Padding;
  readonly dilationRate: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly declaredShape: number[] | null;
  private inChannels = 0;

  constructor(opts: Conv1DOptions) {
    const where = 'layers.conv1d';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'conv1d');
    this.filters = positiveInt(where, 'filters', o.filters);
    this.kernelSize = oneInt(where, 'kernelSize', o.kernelSize);
    this.strides = oneInt(where, 'strides', o.strides, 1);
    this.padding = padding(where, o.padding, ['valid', 'same', 'causal']);
    this.dilationRate = oneInt(where, 'dilationRate', o.dilationRate, 1);
    this.activation = activation(where, 'activation', o.activation, 'linear', true);
    this.useBias = bool(where, 'useBias', o.useBias, true);
    this.declaredShape = inputShape(where, o.inputShape);
    if (this.strides > 1 && this.dilationRate > 1) {
      fail(
        'E_ARG',
        `${where}: strides > 1 cannot be combined with dilationRate > 1 (got strides ${this.strides}, dilationRate ${this.dilationRate}), as in Keras`,
      );
    }
    if (this.padding === 'causal' && this.strides > 1) {
      fail('E_ARG', `${where}: causal padding needs strides 1 (got ${this.strides}); stride a causal stack with a pooling layer after it`);
    }
  }

  protected override acceptsMask(): boolean {
    return true;
  }

  protected build([x]: readonly TensorSpec[]): void {
    sequenceInput(this, x);
    this.inChannels = x.shape[1];
  }

  /** Output steps for T input steps (-1: unknown); throws when the window does not fit. */
  outputSteps(T: number): number {
    if (T < 0) return -1;
    const { To } = windowGeometry(T, this.kernelSize, this.strides, this.dilationRate, this.padding);
    if (To < 1) {
      const span = (this.kernelSize - 1) * this.dilationRate + 1;
      fail(
        'E_SHAPE',
        `${this.name}: the kernel spans ${span} steps (kernelSize ${this.kernelSize}, dilationRate ${this.dilationRate}) but the input has ${T} with padding 'valid'; use a longer sequence, a smaller kernel or padding 'same'`,
      );
    }
    return To;
  }

  computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[] {
    const x = inputs[0];
    sequenceInput(this, x);
    if (x.shape[1] !== this.inChannels)
      fail('E_SHAPE', `${this.name}: Conv1D was built for ${this.inChannels} channels, got input (batch, ${x.shape[0]}, ${x.shape[1]})`);
    return [{ shape: [this.outputSteps(x.shape[0]), this.filters], dtype: 'float32', masked: x.masked || call.masks[0] }];
  }

  override get fusable(): boolean {
    return true;
  }

  weightSpecs(): WeightSpec[] {
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [this.kernelSize, this.inChannels, this.filters], init: glorotUniform }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.filters], init: zeros });
    return specs;
  }

  createRun(call: CallArgs, inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    return new Conv1DRun(this, call, inputs[0].masked || call.masks[0], slots);
  }

  getConfig(): Record<string, unknown> {
    return {
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
      name: this.name,
    };
  }
}

/**
 * predictStep feeds one step at a time and keeps no history but recurrent
 * states: a layer that reads several steps (a window, attention over the
 * sequence, positions) would silently see only the current one.
 */
export function steppingError(layer: Layer, reads = 'reads a window of several steps'): never {
  fail(
    'E_STATE',
    `predictStep: ${layer.name} (${layer.className}) ${reads}, which one step at a time cannot give it; predict on the whole sequence instead`,
  );
}

/** Rows of the unfolded gradient per GEMM in the backward: about 1 MB of scratch. */
const UNFOLD_SLOTS = 1 << 18;

class Conv1DRun extends LayerRun {
  private readonly act: number;
  /**
   * The kernel applies the activation itself (per batch row, in cache), and
   * the pre-activation is not kept: all but sigmoid and softmax, whose
   * pre-activation a cross-entropy loss may read (logits()).
   */
  private readonly fused: boolean;
  private readonly fa: KernelArgs<'conv1dForward'>;
  private readonly ba: KernelArgs<'conv1dBackward'>;
  private z!: Buf;
  private y!: Buf;
  private dz!: Buf;
  private dx!: Buf;
  private du!: Buf;
  private xpad: Buf | null = null;
  private ymask!: Buf;
  private ran = false;

  constructor(
    private readonly layer: Conv1D,
    private readonly call: CallArgs,
    private readonly masked: boolean,
    private readonly slots: readonly WeightSlot[],
  ) {
    super();
    this.act = ACTIVATIONS[layer.activation];
    this.fused = this.act !== ACT_SIGMOID && this.act !== ACT_SOFTMAX;
    const { kernelSize: K, strides: S, dilationRate: D, filters: F } = layer;
    const C = slots[0].spec.shape[1];
    const none = null as unknown as Buf;
    this.fa = {
      y: none,
      xpad: null,
      x: none,
      mask: null,
      w: slots[0].w,
      bias: layer.useBias ? slots[1].w : null,
      B: 1,
      T: 1,
      C,
      F,
      K,
      S,
      D,
      P: 0,
      To: 1,
      act: this.fused ? this.act : ACT_LINEAR,
      Tp: 1,
    };
    this.ba = {
      dx: null,
      dw: null,
      dbias: null,
      du: null,
      dz: none,
      xpad: null,
      x: none,
      mask: null,
      w: slots[0].w,
      B: 1,
      T: 1,
      C,
      F,
      K,
      S,
      D,
      P: 0,
      To: 1,
      R: 1,
      Tp: 1,
    };
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    const { fa } = this;
    const T = x[0];
    const To = this.layer.outputSteps(T);
    const n = B * To * fa.F;
    this.z = alloc(n);
    this.y = this.fused ? this.z : alloc(n);
    this.dz = alloc(n);
    this.dx = alloc(B * T * fa.C);
    // the padded input, for padding or a mask ('valid' windows stay inside x; the longest T needs the most rows)
    this.xpad = this.layer.padding !== 'valid' || this.masked ? alloc(B * paddedRows(To, fa.K, fa.S, fa.D) * fa.C) : null;
    this.ba.R = Math.max(1, Math.min(B * To, Math.floor(UNFOLD_SLOTS / (fa.K * fa.C))));
    this.du = alloc(this.ba.R * fa.K * fa.C);
    this.ymask = alloc(B * To);
  }

  override checkStep(): void {
    if ((this.fa.K - 1) * this.fa.D > 0) steppingError(this.layer);
  }

  forward(ctx: RunContext, ins: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    const x = ins[0];
    const slot = maskSlot(this.call, 0);
    const mask = slot >= 0 ? ins[slot].buf : x.mask;
    const { fa } = this;
    const T = x.shape[0];
    const { To, P } = windowGeometry(T, fa.K, fa.S, fa.D, this.layer.padding);
    fa.y = this.z;
    fa.x = x.buf;
    fa.mask = mask;
    const Tp = paddedRows(To, fa.K, fa.S, fa.D);
    fa.xpad = P > 0 || Tp > T || mask ? this.xpad : null;
    fa.B = ctx.B;
    fa.T = T;
    fa.P = P;
    fa.To = To;
    fa.Tp = Tp;
    be.run('conv1dForward', fa);
    const N = ctx.B * To;
    if (this.act === ACT_SOFTMAX) be.softmaxRows(this.y, this.z, N, fa.F);
    else if (!this.fused) be.activation(this.y, this.z, N * fa.F, this.act);
    out.buf = this.y;
    out.shape[0] = To;
    out.shape[1] = fa.F;
    out.mask = null;
    if (mask) {
      be.run('windowMask', { ymask: this.ymask, mask, B: ctx.B, T, To, K: fa.K, S: fa.S, D: fa.D, P });
      out.mask = this.ymask;
    }
    this.ran = true;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    for (let i = 0; i < dIns.length; i++) dIns[i] = null;
    if (!dy) return;
    if (!this.ran) fail('E_STATE', `${this.layer.name}: backward before forward`);
    const be = ctx.backend;
    const { fa, ba } = this;
    const N = fa.B * fa.To;
    let dz = dy;
    if (!this.fusedHead && this.act !== ACT_LINEAR) {
      if (this.act === ACT_SOFTMAX) be.softmaxRowsBackward(this.dz, this.y, dy, N, fa.F);
      else be.activationBackward(this.dz, this.y, dy, N * fa.F, this.act);
      dz = this.dz;
    }
    const train = this.layer.trainable;
    ba.dx = need[0] ? this.dx : null;
    ba.du = need[0] ? this.du : null;
    ba.dw = train ? this.slots[0].dw : null;
    ba.dbias = train && this.layer.useBias ? this.slots[1].dw : null;
    if (!ba.dx && !ba.dw) return;
    ba.dz = dz;
    ba.xpad = fa.xpad;
    ba.x = fa.x;
    ba.mask = fa.mask;
    ba.B = fa.B;
    ba.T = fa.T;
    ba.P = fa.P;
    ba.To = fa.To;
    ba.Tp = fa.Tp;
    be.run('conv1dBackward', ba);
    if (need[0]) dIns[0] = this.dx;
  }

  /** The pre-activation (kept for sigmoid and softmax; otherwise z is y, as a loss never fuses with those). */
  override logits(): { z: Buf; activation: string } {
    return { z: this.z, activation: this.layer.activation };
  }
}
