/**
 * LayerNormalization (Keras, axis −1): each position's feature vector is
 * normalised to zero mean and unit (biased) variance, then scaled by gamma
 * and shifted by beta:
 *
 *   y = γ ⊙ (x − μ) / √(σ² + ε) + β      over the last axis of any input
 *
 * Weights (Keras order): gamma (C) ones when `scale`, beta (C) zeros when
 * `center`. A mask passes through. Only the last axis is supported (Keras's
 * default and what Transformers use); another axis is an error.
 */
import type { Buf, KernelArgs } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import { ones, zeros } from './initializers.js';
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
  type WeightSlot,
  type WeightSpec,
} from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { bool, inputShape, options } from './options.js';

export interface LayerNormalizationOptions {
  /** the normalised axis: −1 (the default), or its index counting the batch axis as 0 */
  axis?: number | number[];
  /** added to the variance (Keras default 1e-3) */
  epsilon?: number;
  /** add beta */
  center?: boolean;
  /** multiply by gamma */
  scale?: boolean;
  /** as the first layer of a Sequential: [features] or [timesteps, features] */
  inputShape?: (number | null)[];
  name?: string;
}

const KEYS = ['axis', 'epsilon', 'center', 'scale', 'inputShape', 'name'] as const;

export class LayerNormalization extends Layer<SymbolicTensor> {
  readonly className = 'LayerNormalization';
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly declaredShape: number[] | null;
  private C = 0;

  constructor(opts: LayerNormalizationOptions = {}) {
    const where = 'layers.layerNormalization';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'layer_normalization');
    const axis = Array.isArray(o.axis) && o.axis.length === 1 ? o.axis[0] : (o.axis ?? -1);
    if (!Number.isInteger(axis) || axis === 0) {
      fail(
        'E_ARG',
        `${where}: axis must be −1 (the last axis) or its positive index, got ${describe(o.axis)}; normalising over other or several axes is not supported`,
      );
    }
    this.axis = axis as number;
    const eps = o.epsilon ?? 1e-3;
    // the kernels add ε in float32: below its range it is 0 (NaN on a constant row), above it Infinity
    const eps32 = typeof eps === 'number' ? Math.fround(eps) : NaN;
    if (!(eps32 > 0) || !Number.isFinite(eps32)) {
      fail(
        'E_ARG',
        `${where}: epsilon must be a positive number within float32's range (about 1.4e-45 to 3.4e38), got ${describe(o.epsilon)}`,
      );
    }
    this.epsilon = eps as number;
    this.center = bool(where, 'center', o.center, true);
    this.scale = bool(where, 'scale', o.scale, true);
    this.declaredShape = inputShape(where, o.inputShape);
  }

  protected build([x]: readonly TensorSpec[]): void {
    this.check(x);
    this.C = x.shape[x.shape.length - 1];
  }

  private check(x: TensorSpec): void {
    if (x.dtype !== 'float32') fail('E_SHAPE', `${this.name}: LayerNormalization takes float32 input, got ${x.dtype}`);
    const rank = x.shape.length + 1;
    if (this.axis !== -1 && this.axis !== rank - 1) {
      fail('E_ARG', `${this.name}: axis ${this.axis} is not the last axis of an input of rank ${rank}; only the last axis is supported`);
    }
    const C = x.shape[x.shape.length - 1];
    if (!(C > 0)) fail('E_SHAPE', `${this.name}: LayerNormalization needs a known last dimension, got input shape [${x.shape}]`);
  }

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    this.check(x);
    if (x.shape[x.shape.length - 1] !== this.C)
      fail('E_SHAPE', `${this.name}: LayerNormalization was built for ${this.C} features, got input shape [${x.shape}]`);
    return [{ shape: x.shape, dtype: 'float32', masked: x.masked }];
  }

  weightSpecs(): WeightSpec[] {
    const specs: WeightSpec[] = [];
    if (this.scale) specs.push({ name: 'gamma', shape: [this.C], init: ones });
    if (this.center) specs.push({ name: 'beta', shape: [this.C], init: zeros });
    return specs;
  }

  createRun(_call: CallArgs, _inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    return new LayerNormRun(this, slots);
  }

  getConfig(): Record<string, unknown> {
    return { axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale, name: this.name };
  }
}

class LayerNormRun extends LayerRun {
  private fwd!: KernelArgs<'layerNormForward'>;
  private bwd!: KernelArgs<'layerNormBackward'>;
  private readonly gamma: WeightSlot | null;
  private readonly beta: WeightSlot | null;

  constructor(
    private readonly layer: LayerNormalization,
    slots: readonly WeightSlot[],
  ) {
    super();
    this.gamma = layer.scale ? slots[0] : null;
    this.beta = layer.center ? slots[layer.scale ? 1 : 0] : null;
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    const C = x[x.length - 1];
    const R = (B * sizeOf(x)) / C;
    const y = alloc(R * C);
    const mean = alloc(R);
    const rstd = alloc(R);
    const gamma = this.gamma?.w ?? null;
    this.fwd = { y, mean, rstd, x: y, gamma, beta: this.beta?.w ?? null, R, C, eps: this.layer.epsilon };
    this.bwd = { dx: alloc(R * C), dgamma: null, dbeta: null, dy: y, x: y, gamma, mean, rstd, R, C, accumulate: false };
  }

  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const C = x.shape[x.shape.length - 1];
    const f = this.fwd;
    f.R = (ctx.B * sizeOf(x.shape)) / C;
    f.x = x.buf;
    ctx.backend.run('layerNormForward', f);
    out.buf = f.y;
    out.mask = x.mask;
    for (let i = 0; i < x.shape.length; i++) out.shape[i] = x.shape[i];
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null;
    if (!dy) return;
    const b = this.bwd;
    const train = this.layer.trainable;
    b.dgamma = train ? (this.gamma?.dw ?? null) : null;
    b.dbeta = train ? (this.beta?.dw ?? null) : null;
    if (!need[0] && !b.dgamma && !b.dbeta) return;
    b.R = this.fwd.R;
    b.x = this.fwd.x;
    b.dy = dy;
    ctx.backend.run('layerNormBackward', b);
    if (need[0]) dIns[0] = b.dx;
  }
}
