/**
 * Activation (Keras): y = act(x) element-wise, or softmax over the last
 * axis. A mask passes through. As a model's output it fuses with a
 * cross-entropy loss like Dense does: the loss reads x as the logits.
 */
import { ACTIVATIONS, ACT_LINEAR, ACT_SOFTMAX, type ActivationName } from '../backend/abi.js';
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
import { activation, options } from './options.js';

export interface ActivationOptions {
  activation: ActivationName;
  name?: string;
}

export class Activation extends Layer<SymbolicTensor> {
  readonly className = 'Activation';
  readonly activation: ActivationName;

  constructor(opts: ActivationOptions) {
    const where = 'layers.activation';
    const o = options(where, opts, ['activation', 'name']);
    super(o.name as string | undefined, 'activation');
    if (o.activation === undefined) fail('E_ARG', `${where}: activation is required`);
    this.activation = activation(where, 'activation', o.activation, 'linear', true);
  }

  override get fusable(): boolean {
    return true;
  }

  protected build(): void {}

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    if (x.dtype !== 'float32') fail('E_SHAPE', `${this.name}: Activation takes float32 input, got ${x.dtype}`);
    return [x];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(): LayerRun {
    return new ActivationRun(this.activation);
  }

  getConfig(): Record<string, unknown> {
    return { activation: this.activation, name: this.name };
  }
}

class ActivationRun extends LayerRun {
  private readonly act: number;
  private y!: Buf;
  private dx!: Buf;
  private x: Buf | null = null;
  private n = 0;
  private C = 0;

  constructor(private readonly name: ActivationName) {
    super();
    this.act = ACTIVATIONS[name];
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    this.y = alloc(B * sizeOf(x));
    this.dx = alloc(B * sizeOf(x));
  }

  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    const n = (this.n = ctx.B * sizeOf(x.shape));
    const C = (this.C = x.shape[x.shape.length - 1]);
    this.x = x.buf;
    out.mask = x.mask;
    for (let j = 0; j < x.shape.length; j++) out.shape[j] = x.shape[j];
    if (this.act === ACT_LINEAR) {
      out.buf = x.buf;
      return;
    }
    if (this.act === ACT_SOFTMAX) be.softmaxRows(this.y, x.buf, n / C, C);
    else be.activation(this.y, x.buf, n, this.act);
    out.buf = this.y;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null;
    if (!dy || !need[0]) return;
    if (this.fusedHead || this.act === ACT_LINEAR) {
      dIns[0] = dy;
      return;
    }
    const be = ctx.backend;
    if (this.act === ACT_SOFTMAX) be.softmaxRowsBackward(this.dx, this.y, dy, this.n / this.C, this.C);
    else be.activationBackward(this.dx, this.y, dy, this.n, this.act);
    dIns[0] = this.dx;
  }

  override logits(): { z: Buf; activation: string } | null {
    return this.x ? { z: this.x, activation: this.name } : null;
  }
}
