/**
 * Layers that move no numbers, or only copy them (Keras):
 *
 *   flatten          (B, d1, d2, ...) -> (B, d1·d2·...)      same buffer
 *   reshape          (B, ...) -> (B, ...targetShape)          same buffer; one −1 is inferred
 *   repeatVector(n)  (B, F) -> (B, n, F)                      dx = Σ over the n copies
 *
 * Flatten and Reshape need every per-sample dimension known (a sequence of
 * any length cannot be flattened into a fixed layer) and drop the mask.
 */
import type { Backend, Buf } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
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
import { options, positiveInt } from './options.js';

/** Passes its input's buffer through under a new shape (and its gradient back). */
class ViewRun extends LayerRun {
  constructor(private readonly shape: Shape) {
    super();
  }

  plan(): void {}

  forward(_ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    out.buf = x.buf;
    out.mask = null;
    for (let j = 0; j < this.shape.length; j++) out.shape[j] = this.shape[j];
  }

  backward(_ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = need[0] ? dy : null;
  }
}

function knownShape(layer: Layer, x: TensorSpec): void {
  if (x.shape.some((d) => d < 0)) {
    fail(
      'E_SHAPE',
      `${layer.name}: ${layer.className} needs every dimension known, got input (batch, ${x.shape.map((d) => (d < 0 ? 'null' : d)).join(', ')}); give the input a fixed length (e.g. input({ shape: [100, 64] }))`,
    );
  }
}

export class Flatten extends Layer<SymbolicTensor> {
  readonly className = 'Flatten';

  constructor(opts: { name?: string } = {}) {
    const o = options('layers.flatten', opts, ['name']);
    super(o.name as string | undefined, 'flatten');
  }

  protected build(): void {}

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    knownShape(this, x);
    return [{ shape: [sizeOf(x.shape)], dtype: x.dtype, masked: false }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(_call: CallArgs, [x]: readonly TensorSpec[]): LayerRun {
    return new ViewRun([sizeOf(x.shape)]);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

export interface ReshapeOptions {
  /** the new per-sample shape (without the batch axis); one entry may be −1 */
  targetShape: number[];
  name?: string;
}

export class Reshape extends Layer<SymbolicTensor> {
  readonly className = 'Reshape';
  readonly targetShape: number[];

  constructor(opts: ReshapeOptions) {
    const where = 'layers.reshape';
    const o = options(where, opts, ['targetShape', 'name']);
    super(o.name as string | undefined, 'reshape');
    const t = o.targetShape;
    if (
      !Array.isArray(t) ||
      t.length === 0 ||
      t.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1)) ||
      t.filter((d) => d === -1).length > 1
    ) {
      fail('E_ARG', `${where}: targetShape must be a non-empty array of positive integers with at most one -1, got ${describe(t)}`);
    }
    this.targetShape = [...(t as number[])];
  }

  protected build(): void {}

  private resolve(x: TensorSpec): number[] {
    knownShape(this, x);
    const n = sizeOf(x.shape);
    const known = this.targetShape.filter((d) => d > 0).reduce((a, b) => a * b, 1);
    const shape = this.targetShape.map((d) => (d === -1 ? n / known : d));
    if (!Number.isInteger(n / known) || sizeOf(shape) !== n) {
      fail(
        'E_SHAPE',
        `${this.name}: cannot reshape (batch, ${x.shape.join(', ')}) (${n} values per sample) into (batch, ${this.targetShape.join(', ')})`,
      );
    }
    return shape;
  }

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    return [{ shape: this.resolve(x), dtype: x.dtype, masked: false }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(_call: CallArgs, [x]: readonly TensorSpec[]): LayerRun {
    return new ViewRun(this.resolve(x));
  }

  getConfig(): Record<string, unknown> {
    return { targetShape: [...this.targetShape], name: this.name };
  }
}

export interface RepeatVectorOptions {
  n: number;
  name?: string;
}

export class RepeatVector extends Layer<SymbolicTensor> {
  readonly className = 'RepeatVector';
  readonly n: number;

  constructor(opts: RepeatVectorOptions) {
    const where = 'layers.repeatVector';
    const o = options(where, opts, ['n', 'name']);
    super(o.name as string | undefined, 'repeat_vector');
    this.n = positiveInt(where, 'n', o.n);
  }

  protected build(): void {}

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    if (x.shape.length !== 1 || x.dtype !== 'float32') {
      fail(
        'E_SHAPE',
        `${this.name}: RepeatVector expects float input of shape (batch, features), got ${x.dtype} (batch, ${x.shape.join(', ')})`,
      );
    }
    return [{ shape: [this.n, x.shape[0]], dtype: 'float32', masked: false }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(_call: CallArgs, [x]: readonly TensorSpec[]): LayerRun {
    return new RepeatRun(this.n, x.shape[0]);
  }

  getConfig(): Record<string, unknown> {
    return { n: this.n, name: this.name };
  }
}

class RepeatRun extends LayerRun {
  private y!: Buf;
  private dx!: Buf;
  private part!: Buf;
  private B = 0;

  constructor(
    private readonly n: number,
    private readonly F: number,
  ) {
    super();
  }

  plan(alloc: PlanAlloc, B: number): void {
    this.y = alloc(B * this.n * this.F);
    this.dx = alloc(B * this.F);
    this.part = alloc(B * this.F);
  }

  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const { n, F } = this;
    this.B = ctx.B;
    for (let i = 0; i < n; i++) ctx.backend.copyRows(this.y, n * F, x.buf, F, ctx.B, F, i * F, 0);
    out.buf = this.y;
    out.mask = null;
    out.shape[0] = n;
    out.shape[1] = F;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null;
    if (!dy || !need[0]) return;
    const be: Backend = ctx.backend;
    const { n, F, B } = this;
    // dx = Σ_i dy[:, i, :]: gather each copy's rows, then add
    be.copyRows(this.dx, F, dy, n * F, B, F, 0, 0);
    for (let i = 1; i < n; i++) {
      be.copyRows(this.part, F, dy, n * F, B, F, 0, i * F);
      be.axpy(this.dx, this.part, 1, B * F);
    }
    dIns[0] = this.dx;
  }
}
