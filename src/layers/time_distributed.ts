/**
 * TimeDistributed (Keras): apply a layer to every time step. The input
 * (B, T, ...S) is the inner layer's batch of B·T samples of shape S; the
 * output is (B, T, ...S'). The inner layer's weights are this layer's (one
 * set for every step); a mask passes through.
 */
import type { Backend, Buf } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import {
  Layer,
  LayerRun,
  PLAIN_CALL,
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
import { options } from './options.js';

export interface TimeDistributedOptions {
  /** the layer to apply at every step */
  layer: Layer;
  name?: string;
}

export class TimeDistributed extends Layer<SymbolicTensor> {
  readonly className = 'TimeDistributed';
  readonly layer: Layer;
  private readonly innerCall: CallArgs = PLAIN_CALL;

  constructor(opts: TimeDistributedOptions) {
    const where = 'layers.timeDistributed';
    const o = options(where, opts, ['layer', 'name']);
    super(o.name as string | undefined, 'time_distributed');
    if (!(o.layer instanceof Layer)) fail('E_ARG', `${where}: layer must be a layer (from layers.*), got ${describe(o.layer)}`);
    if (!o.layer.singleInput) {
      fail(
        'E_ARG',
        `${where}: layer '${o.layer.name}' (${o.layer.className}) takes several inputs, but TimeDistributed feeds its layer one input (each step); apply '${o.layer.name}' to its inputs directly instead`,
      );
    }
    if (o.layer.inboundNodes.length > 0) fail('E_ARG', `${where}: layer '${o.layer.name}' is already used in a graph; wrap a fresh layer`);
    this.layer = o.layer;
  }

  override get fusable(): boolean {
    return this.layer.fusable;
  }

  /** The inner layer's per-step input. */
  private inner(x: TensorSpec): TensorSpec {
    if (x.shape.length < 2)
      fail('E_SHAPE', `${this.name}: TimeDistributed expects input of shape (batch, timesteps, ...), got rank ${x.shape.length + 1}`);
    return { shape: x.shape.slice(1), dtype: x.dtype, masked: false };
  }

  protected build([x]: readonly TensorSpec[]): void {
    this.layer.buildWith([this.inner(x)]);
  }

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    const outs = this.layer.computeOutputs([this.inner(x)], this.innerCall);
    if (outs.length !== 1)
      fail(
        'E_ARG',
        `${this.name}: the wrapped layer '${this.layer.name}' has ${outs.length} outputs; TimeDistributed takes a layer with one`,
      );
    return [{ shape: [x.shape[0], ...outs[0].shape], dtype: outs[0].dtype, masked: x.masked }];
  }

  weightSpecs(): WeightSpec[] {
    return this.layer.weightSpecs();
  }

  createRun(_call: CallArgs, [x]: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    const inner = this.inner(x);
    const out = this.layer.computeOutputs([inner], this.innerCall)[0];
    return new TimeDistributedRun(this.layer.createRun(this.innerCall, [inner], slots), inner.shape.length, out.shape.length);
  }

  getConfig(): Record<string, unknown> {
    return { layer: { className: this.layer.className, config: this.layer.getConfig() }, name: this.name };
  }
}

class TimeDistributedRun extends LayerRun {
  private readonly ctx: RunContext = { backend: null as unknown as Backend, B: 0, training: false, stepping: false, nextSeed: () => 0 };
  private readonly inIn: Value;
  private readonly inOut: Value;
  private readonly ins: Value[];
  private readonly outs: Value[];

  constructor(
    private readonly inner: LayerRun,
    inRank: number,
    outRank: number,
  ) {
    super();
    this.inIn = { buf: null as unknown as Buf, mask: null, shape: new Array<number>(inRank).fill(0) };
    this.inOut = { buf: null as unknown as Buf, mask: null, shape: new Array<number>(outRank).fill(0) };
    this.ins = [this.inIn];
    this.outs = [this.inOut];
  }

  private innerCtx(ctx: RunContext, T: number): RunContext {
    const c = this.ctx;
    c.backend = ctx.backend;
    c.B = ctx.B * T;
    c.training = ctx.training;
    c.stepping = false;
    c.nextSeed = ctx.nextSeed;
    return c;
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[], be: Backend): void {
    this.inner.plan(alloc, B * x[0], [x.slice(1)], be);
  }

  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const T = x.shape[0];
    this.inIn.buf = x.buf;
    for (let j = 1; j < x.shape.length; j++) this.inIn.shape[j - 1] = x.shape[j];
    this.inner.forward(this.innerCtx(ctx, T), this.ins, this.outs);
    out.buf = this.inOut.buf;
    out.mask = x.mask;
    out.shape[0] = T;
    for (let j = 0; j < this.inOut.shape.length; j++) out.shape[j + 1] = this.inOut.shape[j];
  }

  backward(ctx: RunContext, dOuts: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    this.inner.fusedHead = this.fusedHead;
    this.inner.backward(this.ctx, dOuts, need, dIns);
  }

  override logits(): { z: Buf; activation: string } | null {
    return this.inner.logits();
  }

  override resetStates(backend: Backend): void {
    this.inner.resetStates(backend);
  }

  override dispose(backend: Backend): void {
    this.inner.dispose(backend);
  }
}
