/**
 * Dropout (inverted): in training, each element is kept with probability
 * 1 − rate and scaled by 1/(1 − rate); at inference it is the identity.
 * The mask comes from a counter-based hash of a per-step seed drawn from the
 * model's Rng, so runs are reproducible and both backends drop the same
 * elements. A sequence mask passes through.
 */
import type { Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
import { Layer, type LayerOutput, type PlanAlloc, type RunContext, type Shape, type WeightSpec } from './layer.js';
import { options, rate } from './options.js';

export interface DropoutOptions {
  rate: number;
  name?: string;
}

export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  private width = 0;
  private y!: Buf;
  private keep!: Buf;
  private dx!: Buf;
  private active = false;

  constructor(opts: DropoutOptions) {
    const where = 'layers.dropout';
    const o = options(where, opts, ['rate', 'name']);
    super(o.name as string | undefined, 'dropout');
    if (o.rate === undefined) fail('E_ARG', `${where}: rate is required`);
    this.rate = rate(where, 'rate', o.rate, 0);
  }

  build(shape: Shape): Shape {
    this.inputShape = shape;
    this.outputShape = shape;
    this.width = shape.reduce((a, b) => a * b, 1);
    this.built = true;
    return shape;
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  /** Elements per batch row: T·F for sequences (T may vary per call). */
  private size(ctx: RunContext): number {
    const s = this.inputShape!;
    return ctx.B * (s.length === 2 ? ctx.T * s[1] : this.width);
  }

  plan(alloc: PlanAlloc, B: number, T: number): void {
    const s = this.inputShape!;
    const n = B * (s.length === 2 ? T * s[1] : this.width);
    this.y = alloc(n);
    this.keep = alloc(n);
    this.dx = alloc(n);
  }

  forward(ctx: RunContext, x: Buf, mask: Buf | null): LayerOutput {
    this.active = ctx.training && this.rate > 0;
    if (!this.active) return { y: x, mask };
    ctx.backend.dropoutForward(this.y, this.keep, x, this.size(ctx), this.rate, ctx.nextSeed());
    return { y: this.y, mask };
  }

  backward(ctx: RunContext, dy: Buf, needDx: boolean): Buf | null {
    if (!needDx) return null;
    if (!this.active) return dy;
    ctx.backend.mul(this.dx, dy, this.keep, this.size(ctx));
    return this.dx;
  }

  getConfig(): Record<string, unknown> {
    return { rate: this.rate, name: this.name };
  }
}
