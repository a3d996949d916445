/**
 * TokenAndPositionEmbedding (KerasHub's layout): the sum of a token
 * embedding and a learned position embedding,
 *
 *   y[b,t,:] = E_token[ids[b,t]] + E_position[t]        ids (B,T) int32, T <= sequenceLength
 *
 * Weights (KerasHub order and names): token_embedding/embeddings (V, D) and
 * position_embedding/embeddings (L, D), both U(−0.05, 0.05) (Keras's
 * "uniform"). A sequence shorter than L uses the first T positions. With
 * maskZero the layer emits the Keras mask (id 0 = padding).
 *
 * Forward: a gather, then the (T·D) block of positions added to every batch
 * row (biasAdd over (B, T·D)). Backward: the sparse scatter-add of the
 * token rows and a column sum over the batch into the first T positions.
 */
import type { Buf } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import { steppingError } from './conv1d.js';
import { randomUniform } from './initializers.js';
import {
  Layer,
  LayerRun,
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

export interface TokenAndPositionEmbeddingOptions {
  vocabularySize: number;
  /** the longest sequence (number of learned positions) */
  sequenceLength: number;
  embeddingDim: number;
  maskZero?: boolean;
  /** as the first layer of a Sequential: the input's timesteps (<= sequenceLength), or [timesteps] (null: any) */
  inputLength?: number;
  inputShape?: (number | null)[];
  name?: string;
}

const KEYS = ['vocabularySize', 'sequenceLength', 'embeddingDim', 'maskZero', 'inputLength', 'inputShape', 'name'] as const;

export class TokenAndPositionEmbedding extends Layer<SymbolicTensor> {
  readonly className = 'TokenAndPositionEmbedding';
  readonly vocabularySize: number;
  readonly sequenceLength: number;
  readonly embeddingDim: number;
  readonly maskZero: boolean;
  readonly declaredShape: number[] | null;

  constructor(opts: TokenAndPositionEmbeddingOptions) {
    const where = 'layers.tokenAndPositionEmbedding';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'token_and_position_embedding');
    this.vocabularySize = positiveInt(where, 'vocabularySize', o.vocabularySize);
    this.sequenceLength = positiveInt(where, 'sequenceLength', o.sequenceLength);
    this.embeddingDim = positiveInt(where, 'embeddingDim', o.embeddingDim);
    this.maskZero = bool(where, 'maskZero', o.maskZero, false);
    const len = o.inputLength === undefined ? undefined : positiveInt(where, 'inputLength', o.inputLength);
    // ids (batch, timesteps): any length up to sequenceLength unless given
    this.declaredShape = inputShape(where, o.inputShape) ?? (len ? [len] : [-1]);
    if (this.declaredShape.length !== 1 || this.declaredShape[0] > this.sequenceLength) {
      fail(
        'E_ARG',
        `${where}: inputShape must be [timesteps] with timesteps null or at most sequenceLength ${this.sequenceLength} (inputLength likewise), got ${describe(o.inputShape ?? o.inputLength)}`,
      );
    }
  }

  /** @internal */
  override get idBound(): IdBound {
    return { count: this.vocabularySize, option: 'vocabularySize' };
  }

  protected build(): void {}

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    if (x.shape.length !== 1) {
      fail(
        'E_SHAPE',
        `${this.name}: TokenAndPositionEmbedding expects int ids of shape (batch, timesteps), got an input of rank ${x.shape.length + 1}`,
      );
    }
    if (x.shape[0] > this.sequenceLength) {
      fail(
        'E_SHAPE',
        `${this.name}: sequences of ${x.shape[0]} steps are longer than sequenceLength ${this.sequenceLength} (the learned positions)`,
      );
    }
    return [{ shape: [x.shape[0], this.embeddingDim], dtype: 'float32', masked: this.maskZero || x.masked }];
  }

  weightSpecs(): WeightSpec[] {
    return [
      { name: 'token_embedding/embeddings', shape: [this.vocabularySize, this.embeddingDim], init: randomUniform(-0.05, 0.05) },
      { name: 'position_embedding/embeddings', shape: [this.sequenceLength, this.embeddingDim], init: randomUniform(-0.05, 0.05) },
    ];
  }

  createRun(_call: CallArgs, _inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun {
    return new TokenAndPositionRun(this, slots);
  }

  getConfig(): Record<string, unknown> {
    return {
      vocabularySize: this.vocabularySize,
      sequenceLength: this.sequenceLength,
      embeddingDim: this.embeddingDim,
      maskZero: this.maskZero,
      name: this.name,
    };
  }
}

class TokenAndPositionRun extends LayerRun {
  private y!: Buf;
  private mask!: Buf;
  private ids: Buf | null = null;
  private B = 0;
  private T = 0;

  constructor(
    private readonly layer: TokenAndPositionEmbedding,
    private readonly slots: readonly WeightSlot[],
  ) {
    super();
  }

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    this.y = alloc(B * x[0] * this.layer.embeddingDim);
    this.mask = alloc(B * x[0]);
  }

  override checkStep(): void {
    steppingError(this.layer, "adds the embedding of each step's position in the sequence");
  }

  /** x holds int32 ids (B,T), already range-checked against the vocabulary when staged. */
  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    const { B } = ctx;
    const T = x.shape[0];
    const D = this.layer.embeddingDim;
    this.ids = x.buf;
    this.B = B;
    this.T = T;
    be.embeddingForward(this.y, x.buf, this.slots[0].w, B * T, D, this.layer.vocabularySize);
    // positions 0..T-1 are the first T·D values of the table: one bias row of width T·D per sequence
    be.biasAdd(this.y, this.y, this.slots[1].w, B, T * D);
    out.buf = this.y;
    out.shape[0] = T;
    out.shape[1] = D;
    out.mask = x.mask;
    if (this.layer.maskZero) {
      be.maskFromIds(this.mask, x.buf, B * T);
      if (x.mask) be.mul(this.mask, this.mask, x.mask, B * T);
      out.mask = this.mask;
    }
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], _need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null; // ids have no gradient
    if (!dy || !this.layer.trainable) return;
    if (!this.ids) fail('E_STATE', `${this.layer.name}: backward before forward`);
    const be = ctx.backend;
    const D = this.layer.embeddingDim;
    be.embeddingBackward(this.slots[0].dw, dy, this.ids, this.B * this.T, D, this.layer.vocabularySize);
    be.columnSum(this.slots[1].dw, dy, this.B, this.T * D, true);
  }
}
