/**
 * Dense: y = act(x·W + b) over the last axis of any input: (B, F),
 * (B, T, F), ... (Keras applies it to the last axis). A mask passes through.
 *
 * Weights (Keras): kernel (F, U) glorotUniform, bias (U) zeros.
 * When the model fuses its loss with this layer's sigmoid/softmax
 * (`fusedHead`), backward receives dL/dz directly and skips the activation.
 */
import { ACTIVATIONS, ACT_LINEAR, ACT_SOFTMAX, type ActivationName } from '../backend/abi.js';
import type { Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
import { glorotUniform, zeros } from './initializers.js';
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
import { activation, bool, inputShape, options, positiveInt } from './options.js';

export interface DenseOptions {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  inputShape?: (number | null)[];
  name?: string;
}

const KEYS = ['units', 'activation', 'useBias', 'inputShape', 'name'] as const;

export class Dense extends Layer<SymbolicTensor> {
  readonly className = 'Dense';
  readonly unitsOut: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly declaredShape: number[] | null;
  private inDim = 0;

  constructor(opts: DenseOptions) {
    const where = 'layers.dense';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'dense');
    this.unitsOut = positiveInt(where, 'units', o.units);
    this.activation = activation(where, 'activation', o.activation, 'linear', true);
    this.useBias = bool(where, 'useBias', o.useBias, true);
    this.declaredShape = inputShape(where, o.inputShape);
  }

  protected build([x]: readonly TensorSpec[]): void {
    if (x.dtype !== 'float32')
      fail('E_SHAPE', `${this.name}: Dense takes float32 input, got ${x.dtype} (token ids go through an Embedding first)`);
    const F = x.shape[x.shape.length - 1];
    if (!(F > 0)) fail('E_SHAPE', `${this.name}: Dense needs a known last dimension, got input shape [${x.shape}]`);
    this.inDim = F;
  }

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    if (x.dtype !== 'float32')
      fail('E_SHAPE', `${this.name}: Dense takes float32 input, got ${x.dtype} (token ids go through an Embedding first)`);
    if (x.shape[x.shape.length - 1] !== this.inDim) {
      fail('E_SHAPE', `${this.name}: Dense was built for ${this.inDim} input features, got input shape [${x.shape}]`);
    }
    return [{ shape: [...x.shape.slice(0, -1), this.unitsOut], dtype: 'float32', masked: x.masked }];
  }

  override get fusable(): boolean {
    return true;
  }

  weightSpecs(): WeightSpec[] {
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [this.inDim, this.unitsOut], init: glorotUniform }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.unitsOut], init: zeros });
    return specs;
  }

  createRun(_call: CallArgs, _inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    return new DenseRun(this, slots);
  }

  getConfig(): Record<string, unknown> {
    return { units: this.unitsOut, activation: this.activation, useBias: this.useBias, name: this.name };
  }
}

/** Rows of the GEMM: every position of the input but the last axis. */
function rowsOf(B: number, shape: Shape): number {
  return (B * sizeOf(shape)) / shape[shape.length - 1];
}

class DenseRun extends LayerRun {
  private readonly F: number;
  private readonly U: number;
  private readonly act: number;
  /** pre-activation (the logits of a fused loss) */
  private z!: Buf;
  private y!: Buf;
  private dz!: Buf;
  private dx!: Buf;
  private x: Buf | null = null;
  private N = 0;

  constructor(
    private readonly layer: Dense,
    private readonly slots: readonly WeightSlot[],
  ) {
    super();
    this.F = slots[0].spec.shape[0];
    this.U = layer.unitsOut;
    this.act = ACTIVATIONS[layer.activation];
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    const N = rowsOf(B, x);
    this.z = alloc(N * this.U);
    this.y = this.act === ACT_LINEAR ? this.z : alloc(N * this.U);
    this.dz = alloc(N * this.U);
    this.dx = alloc(N * this.F);
  }

  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    const N = rowsOf(ctx.B, x.shape);
    const U = this.U;
    this.x = x.buf;
    this.N = N;
    be.gemm('nn', this.z, x.buf, this.slots[0].w, N, U, this.F);
    if (this.layer.useBias) be.biasAdd(this.z, this.z, this.slots[1].w, N, U);
    if (this.act === ACT_SOFTMAX) be.softmaxRows(this.y, this.z, N, U);
    else if (this.act !== ACT_LINEAR) be.activation(this.y, this.z, N * U, this.act);
    out.buf = this.y;
    out.mask = x.mask;
    for (let i = 0; i < x.shape.length - 1; i++) out.shape[i] = x.shape[i];
    out.shape[x.shape.length - 1] = U;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null;
    if (!dy) return;
    const be = ctx.backend;
    if (!this.x) fail('E_STATE', `${this.layer.name}: backward before forward`);
    const { N, U } = this;
    let dz = dy;
    if (!this.fusedHead && this.act !== ACT_LINEAR) {
      if (this.act === ACT_SOFTMAX) be.softmaxRowsBackward(this.dz, this.y, dy, N, U);
      else be.activationBackward(this.dz, this.y, dy, N * U, this.act);
      dz = this.dz;
    }
    // dW += xᵀ·dz, db += Σ dz, dx = dz·Wᵀ
    if (this.layer.trainable) {
      be.gemm('tn', this.slots[0].dw, this.x, dz, this.F, U, N, { accumulate: true });
      if (this.layer.useBias) be.columnSum(this.slots[1].dw, dz, N, U, true);
    }
    if (!need[0]) return;
    be.gemm('nt', this.dx, dz, this.slots[0].w, N, this.F, U);
    dIns[0] = this.dx;
  }

  override logits(): { z: Buf; activation: string } {
    return { z: this.z, activation: this.layer.activation };
  }
}
