/**
 * Embedding: ids (B,T) int32 -> vectors (B,T,D). Gather forward, sparse
 * scatter-add backward (only the rows of ids that occur). With maskZero the
 * layer emits the Keras mask (id 0 = padding) for the layers after it.
 *
 * Weights (Keras): embeddings (V, D), initialised U(−0.05, 0.05).
 */
import type { Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
import { randomUniform } from './initializers.js';
import {
  Layer,
  LayerRun,
  sizeOf,
  type CallArgs,
  type IdBound,
  type PlanAlloc,
  type RunContext,
  type Shape,
  type TensorSpec,
  type Value,
  type WeightSlot,
  type WeightSpec,
} from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { bool, inputShape, options, positiveInt } from './options.js';

export interface EmbeddingOptions {
  inputDim: number;
  outputDim: number;
  maskZero?: boolean;
  inputLength?: number;
  inputShape?: (number | null)[];
  name?: string;
}

const KEYS = ['inputDim', 'outputDim', 'maskZero', 'inputLength', 'inputShape', 'name'] as const;

export class Embedding extends Layer<SymbolicTensor> {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly declaredShape: number[] | null;

  constructor(opts: EmbeddingOptions) {
    const where = 'layers.embedding';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'embedding');
    this.inputDim = positiveInt(where, 'inputDim', o.inputDim);
    this.outputDim = positiveInt(where, 'outputDim', o.outputDim);
    this.maskZero = bool(where, 'maskZero', o.maskZero, false);
    const len = o.inputLength === undefined ? undefined : positiveInt(where, 'inputLength', o.inputLength);
    this.declaredShape = inputShape(where, o.inputShape) ?? (len ? [len] : null);
  }

  /** @internal */
  override get idBound(): IdBound {
    return { count: this.inputDim, option: 'inputDim' };
  }

  protected build(): void {}

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    if (x.shape.length !== 1) {
      fail('E_SHAPE', `${this.name}: Embedding expects int ids of shape (batch, timesteps), got an input of rank ${x.shape.length + 1}`);
    }
    return [{ shape: [x.shape[0], this.outputDim], dtype: 'float32', masked: this.maskZero || x.masked }];
  }

  weightSpecs(): WeightSpec[] {
    return [{ name: 'embeddings', shape: [this.inputDim, this.outputDim], init: randomUniform(-0.05, 0.05) }];
  }

  createRun(_call: CallArgs, _inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    return new EmbeddingRun(this, slots[0]);
  }

  getConfig(): Record<string, unknown> {
    return { inputDim: this.inputDim, outputDim: this.outputDim, maskZero: this.maskZero, name: this.name };
  }
}

class EmbeddingRun extends LayerRun {
  private y!: Buf;
  private mask!: Buf;
  private ids: Buf | null = null;
  private N = 0;

  constructor(
    private readonly layer: Embedding,
    private readonly slot: WeightSlot,
  ) {
    super();
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    this.y = alloc(B * sizeOf(x) * this.layer.outputDim);
    this.mask = alloc(B * sizeOf(x));
  }

  /** x holds int32 ids (B,T), already range-checked against inputDim when staged. */
  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    const N = ctx.B * x.shape[0];
    const D = this.layer.outputDim;
    this.ids = x.buf;
    this.N = N;
    be.embeddingForward(this.y, x.buf, this.slot.w, N, D, this.layer.inputDim);
    out.buf = this.y;
    out.shape[0] = x.shape[0];
    out.shape[1] = D;
    out.mask = x.mask;
    if (this.layer.maskZero) {
      be.maskFromIds(this.mask, x.buf, N);
      // an incoming mask (an explicit one) combines by product
      if (x.mask) be.mul(this.mask, this.mask, x.mask, N);
      out.mask = this.mask;
    }
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], _need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null; // ids have no gradient
    if (!dy || !this.layer.trainable) return;
    if (!this.ids) fail('E_STATE', `${this.layer.name}: backward before forward`);
    ctx.backend.embeddingBackward(this.slot.dw, dy, this.ids, this.N, this.layer.outputDim, this.layer.inputDim);
  }
}
