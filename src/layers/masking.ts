/**
 * Masking (Keras): for float sequence input (B, T, F), a time step whose
 * features all equal `maskValue` is masked — its output is zeros and the
 * layers after it skip it (recurrent layers carry their state through it).
 */
import type { Buf } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import { Layer, type LayerOutput, type PlanAlloc, type RunContext, type Shape, type WeightSpec } from './layer.js';
import { inputShape, options } from './options.js';

export interface MaskingOptions {
  maskValue?: number;
  inputShape?: (number | null)[];
  name?: string;
}

export class Masking extends Layer {
  readonly className = 'Masking';
  readonly maskValue: number;
  readonly declaredShape: number[] | null;
  private F = 0;
  private y!: Buf;
  private mask!: Buf;
  private dx!: Buf;

  constructor(opts: MaskingOptions = {}) {
    const where = 'layers.masking';
    const o = options(where, opts, ['maskValue', 'inputShape', 'name']);
    super(o.name as string | undefined, 'masking');
    const v = o.maskValue ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('E_ARG', `${where}: maskValue must be a finite number, got ${describe(v)}`);
    this.maskValue = v;
    this.declaredShape = inputShape(where, o.inputShape);
  }

  build(shape: Shape): Shape {
    if (shape.length !== 2) fail('E_SHAPE', `${this.name}: Masking expects input of shape (batch, timesteps, features), got rank ${shape.length + 1}`);
    this.inputShape = shape;
    this.outputShape = shape;
    this.F = shape[1];
    this.built = true;
    return shape;
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  override outputMasked(): boolean {
    return true;
  }

  plan(alloc: PlanAlloc, B: number, T: number): void {
    this.y = alloc(B * T * this.F);
    this.mask = alloc(B * T);
    this.dx = alloc(B * T * this.F);
  }

  forward(ctx: RunContext, x: Buf, mask: Buf | null): LayerOutput {
    const N = ctx.B * ctx.T;
    ctx.backend.maskingForward(this.y, this.mask, x, N, this.F, this.maskValue);
    // an incoming mask (none in a Sequential, as Masking comes first) would combine by product
    if (mask) ctx.backend.mul(this.mask, this.mask, mask, N);
    return { y: this.y, mask: this.mask };
  }

  backward(ctx: RunContext, dy: Buf, needDx: boolean): Buf | null {
    if (!needDx) return null;
    ctx.backend.rowScale(this.dx, dy, this.mask, ctx.B * ctx.T, this.F);
    return this.dx;
  }

  getConfig(): Record<string, unknown> {
    return { maskValue: this.maskValue, name: this.name };
  }
}
