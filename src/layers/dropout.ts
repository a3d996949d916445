/**
 * Dropout (inverted): in training, each element is kept with probability
 * 1 − rate and scaled by 1/(1 − rate); at inference it is the identity.
 * The mask comes from a counter-based hash of a per-step seed drawn from the
 * model's Rng, so runs are reproducible and both backends drop the same
 * elements. A sequence mask passes through.
 */
import type { Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
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
  type WeightSpec,
} from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { options, rate } from './options.js';

export interface DropoutOptions {
  rate: number;
  name?: string;
}

export class Dropout extends Layer<SymbolicTensor> {
  readonly className = 'Dropout';
  readonly rate: number;

  constructor(opts: DropoutOptions) {
    const where = 'layers.dropout';
    const o = options(where, opts, ['rate', 'name']);
    super(o.name as string | undefined, 'dropout');
    if (o.rate === undefined) fail('E_ARG', `${where}: rate is required`);
    this.rate = rate(where, 'rate', o.rate, 0);
  }

  protected build(): void {}

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    if (x.dtype !== 'float32') fail('E_SHAPE', `${this.name}: Dropout takes float32 input, got ${x.dtype}`);
    return [x];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(call: CallArgs): LayerRun {
    return new DropoutRun(this.rate, call.training);
  }

  getConfig(): Record<string, unknown> {
    return { rate: this.rate, name: this.name };
  }
}

class DropoutRun extends LayerRun {
  private y!: Buf;
  private keep!: Buf;
  private dx!: Buf;
  private active = false;
  private n = 0;

  constructor(
    private readonly rate: number,
    private readonly training: boolean | null,
  ) {
    super();
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    const n = B * sizeOf(x);
    this.y = alloc(n);
    this.keep = alloc(n);
    this.dx = alloc(n);
  }

  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    this.active = (this.training ?? ctx.training) && this.rate > 0;
    for (let i = 0; i < x.shape.length; i++) out.shape[i] = x.shape[i];
    out.mask = x.mask;
    out.buf = x.buf;
    if (!this.active) return;
    this.n = ctx.B * sizeOf(x.shape);
    ctx.backend.dropoutForward(this.y, this.keep, x.buf, this.n, this.rate, ctx.nextSeed());
    out.buf = this.y;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null;
    if (!need[0] || !dy) return;
    if (!this.active) {
      dIns[0] = dy;
      return;
    }
    ctx.backend.mul(this.dx, dy, this.keep, this.n);
    dIns[0] = this.dx;
  }
}
