/**
 * Dense: y = act(x·W + b) on (B, F) input, or on every step of (B, T, F)
 * input (Keras applies it to the last axis). A mask passes through.
 *
 * Weights (Keras): kernel (F, U) glorotUniform, bias (U) zeros.
 * When the model fuses its loss with this layer's sigmoid/softmax
 * (`fusedHead`), backward receives dL/dz directly and skips the activation.
 */
import { ACTIVATIONS, ACT_LINEAR, ACT_SOFTMAX, type ActivationName } from '../backend/abi.js';
import type { Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
import { glorotUniform, zeros } from './initializers.js';
import { Layer, type LayerOutput, type PlanAlloc, type RunContext, type Shape, type WeightSpec } from './layer.js';
import { activation, bool, inputShape, options, positiveInt } from './options.js';

export interface DenseOptions {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  inputShape?: (number | null)[];
  name?: string;
}

const KEYS = ['units', 'activation', 'useBias', 'inputShape', 'name'] as const;

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly unitsOut: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly declaredShape: number[] | null;
  private inDim = 0;
  private rowsPerSample = 1;
  /** pre-activation (the logits of a fused loss) */
  z!: Buf;
  private y!: Buf;
  private dz!: Buf;
  private dx!: Buf;
  private x: Buf | null = null;

  constructor(opts: DenseOptions) {
    const where = 'layers.dense';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'dense');
    this.unitsOut = positiveInt(where, 'units', o.units);
    this.activation = activation(where, 'activation', o.activation, 'linear', true);
    this.useBias = bool(where, 'useBias', o.useBias, true);
    this.declaredShape = inputShape(where, o.inputShape);
  }

  build(shape: Shape): Shape {
    if (shape.length < 1 || shape.length > 2) {
      fail('E_SHAPE', `${this.name}: Dense expects input of shape (batch, features) or (batch, timesteps, features), got rank ${shape.length + 1}`);
    }
    this.inputShape = shape;
    this.inDim = shape[shape.length - 1];
    this.rowsPerSample = shape.length === 2 ? -1 : 1; // -1: one row per time step
    this.outputShape = shape.length === 2 ? [shape[0], this.unitsOut] : [this.unitsOut];
    this.built = true;
    return this.outputShape;
  }

  weightSpecs(): WeightSpec[] {
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [this.inDim, this.unitsOut], init: glorotUniform }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.unitsOut], init: zeros });
    return specs;
  }

  private rows(ctx: RunContext): number {
    return this.rowsPerSample === -1 ? ctx.B * ctx.T : ctx.B;
  }

  plan(alloc: PlanAlloc, B: number, T: number): void {
    const N = this.rowsPerSample === -1 ? B * T : B;
    this.z = alloc(N * this.unitsOut);
    this.y = this.activation === 'linear' ? this.z : alloc(N * this.unitsOut);
    this.dz = alloc(N * this.unitsOut);
    this.dx = alloc(N * this.inDim);
  }

  forward(ctx: RunContext, x: Buf, mask: Buf | null): LayerOutput {
    const be = ctx.backend;
    const N = this.rows(ctx);
    const U = this.unitsOut;
    this.x = x;
    be.gemm('nn', this.z, x, this.weights[0].w, N, U, this.inDim);
    if (this.useBias) be.biasAdd(this.z, this.z, this.weights[1].w, N, U);
    const act = ACTIVATIONS[this.activation];
    if (act === ACT_SOFTMAX) be.softmaxRows(this.y, this.z, N, U);
    else if (act !== ACT_LINEAR) be.activation(this.y, this.z, N * U, act);
    return { y: this.y, mask };
  }

  backward(ctx: RunContext, dy: Buf, needDx: boolean): Buf | null {
    const be = ctx.backend;
    if (!this.x) fail('E_STATE', `${this.name}: backward before forward`);
    const N = this.rows(ctx);
    const U = this.unitsOut;
    const act = ACTIVATIONS[this.activation];
    let dz = dy;
    if (!this.fusedHead && act !== ACT_LINEAR) {
      if (act === ACT_SOFTMAX) be.softmaxRowsBackward(this.dz, this.y, dy, N, U);
      else be.activationBackward(this.dz, this.y, dy, N * U, act);
      dz = this.dz;
    }
    // dW += xᵀ·dz, db += Σ dz, dx = dz·Wᵀ
    be.gemm('tn', this.weights[0].dw, this.x, dz, this.inDim, U, N, { accumulate: true });
    if (this.useBias) be.columnSum(this.weights[1].dw, dz, N, U, true);
    if (!needDx) return null;
    be.gemm('nt', this.dx, dz, this.weights[0].w, N, this.inDim, U);
    return this.dx;
  }

  getConfig(): Record<string, unknown> {
    return { units: this.unitsOut, activation: this.activation, useBias: this.useBias, name: this.name };
  }
}
