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
import { Layer, type LayerOutput, type PlanAlloc, type RunContext, type Shape, type WeightSpec } from './layer.js';
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

export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly declaredShape: number[] | null;
  private y!: Buf;
  private mask!: Buf;
  private ids: Buf | null = null;

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

  build(shape: Shape): Shape {
    if (shape.length !== 1) {
      fail('E_SHAPE', `${this.name}: Embedding expects int ids of shape (batch, timesteps), got an input of rank ${shape.length + 1}`);
    }
    this.inputShape = shape;
    this.outputShape = [shape[0], this.outputDim];
    this.built = true;
    return this.outputShape;
  }

  weightSpecs(): WeightSpec[] {
    return [{ name: 'embeddings', shape: [this.inputDim, this.outputDim], init: randomUniform(-0.05, 0.05) }];
  }

  override outputMasked(inputMasked: boolean): boolean {
    return this.maskZero || inputMasked;
  }

  plan(alloc: PlanAlloc, B: number, T: number): void {
    this.y = alloc(B * T * this.outputDim);
    this.mask = alloc(B * T);
  }

  /** x holds int32 ids (B,T), already range-checked against inputDim by the model. */
  forward(ctx: RunContext, x: Buf): LayerOutput {
    const { backend: be, B, T } = ctx;
    const N = B * T;
    this.ids = x;
    be.embeddingForward(this.y, x, this.weights[0].w, N, this.outputDim, this.inputDim);
    if (!this.maskZero) return { y: this.y, mask: null };
    be.maskFromIds(this.mask, x, N);
    return { y: this.y, mask: this.mask };
  }

  backward(ctx: RunContext, dy: Buf): Buf | null {
    if (!this.ids) fail('E_STATE', `${this.name}: backward before forward`);
    ctx.backend.embeddingBackward(this.weights[0].dw, dy, this.ids, ctx.B * ctx.T, this.outputDim, this.inputDim);
    return null; // ids have no gradient
  }

  getConfig(): Record<string, unknown> {
    return { inputDim: this.inputDim, outputDim: this.outputDim, maskZero: this.maskZero, name: this.name };
  }
}
