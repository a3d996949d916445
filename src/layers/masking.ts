/**
 * Masking (Keras): for float sequence input (B, T, F), a time step whose
 * features all equal `maskValue` is masked — its output is zeros and the
 * layers after it skip it (recurrent layers carry their state through it).
 */
import type { Buf } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import {
  Layer,
  LayerRun,
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

export interface MaskingOptions {
  maskValue?: number;
  inputShape?: (number | null)[];
  name?: string;
}

export class Masking extends Layer<SymbolicTensor> {
  readonly className = 'Masking';
  readonly maskValue: number;
  readonly declaredShape: number[] | null;

  constructor(opts: MaskingOptions = {}) {
    const where = 'layers.masking';
    const o = options(where, opts, ['maskValue', 'inputShape', 'name']);
    super(o.name as string | undefined, 'masking');
    const v = o.maskValue ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('E_ARG', `${where}: maskValue must be a finite number, got ${describe(v)}`);
    this.maskValue = v;
    this.declaredShape = inputShape(where, o.inputShape);
  }

  protected build(): void {}

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    if (x.shape.length !== 2)
      fail('E_SHAPE', `${this.name}: Masking expects input of shape (batch, timesteps, features), got rank ${x.shape.length + 1}`);
    if (x.dtype !== 'float32') fail('E_SHAPE', `${this.name}: Masking expects float input, got ${x.dtype}`);
    return [{ ...x, masked: true }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(_call: CallArgs, [x]: readonly TensorSpec[]): LayerRun {
    return new MaskingRun(this.maskValue, x.shape[1]);
  }

  getConfig(): Record<string, unknown> {
    return { maskValue: this.maskValue, name: this.name };
  }
}

class MaskingRun extends LayerRun {
  private y!: Buf;
  private mask!: Buf;
  private dx!: Buf;
  private N = 0;

  constructor(
    private readonly maskValue: number,
    private readonly F: number,
  ) {
    super();
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    this.y = alloc(B * x[0] * this.F);
    this.mask = alloc(B * x[0]);
    this.dx = alloc(B * x[0] * this.F);
  }

  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const N = (this.N = ctx.B * x.shape[0]);
    ctx.backend.maskingForward(this.y, this.mask, x.buf, N, this.F, this.maskValue);
    // an incoming mask combines by product
    if (x.mask) ctx.backend.mul(this.mask, this.mask, x.mask, N);
    out.buf = this.y;
    out.mask = this.mask;
    out.shape[0] = x.shape[0];
    out.shape[1] = this.F;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null;
    if (!need[0] || !dy) return;
    ctx.backend.rowScale(this.dx, dy, this.mask, this.N, this.F);
    dIns[0] = this.dx;
  }
}
