/**
 * Bidirectional wrapper for SimpleRNN, LSTM and GRU, with Keras/TF.js
 * semantics.
 *
 * From the wrapped layer's config it builds a forward copy (the same config,
 * named `forward_<name>`) and a backward copy (goBackwards flipped, named
 * `backward_<name>`); the wrapped instance itself is only a template. Both
 * run on the same input and mask. The backward copy's sequence is reversed
 * back into input order before merging (it is asked for that order directly,
 * so no reversal runs); with returnSequences false the two final states are
 * merged. mergeMode: 'concat' (default; [forward, backward] on the last
 * axis), 'sum', 'mul', 'ave'.
 *
 * Weights, in Keras order: the forward layer's, then the backward layer's,
 * under the wrapped layer's names (kernel, recurrent_kernel, bias, ...; Keras
 * scopes them as forward_<name>/... and backward_<name>/...).
 *
 * Masks: as in Keras, a Bidirectional that returns sequences outputs zeros
 * at masked steps (Keras forces zero_output_for_mask on both copies; TF.js
 * instead repeats the previous output there). Masked steps are ignored by
 * every mask-aware layer and loss after it, so this only shows in predict().
 *
 * Not supported (errors): returnState on the wrapped layer, mergeMode null
 * (separate outputs), step-by-step runs (predictStep): the backward direction
 * needs the whole sequence.
 */
import type { Backend, Buf, MergeMode } from '../backend/backend.js';
import { MERGE_MODES } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import { Layer, type LayerOutput, type PlanAlloc, type RunContext, type Shape, type WeightSpec } from './layer.js';
import { inputShape, options } from './options.js';
import { Recurrent } from './recurrent.js';

export interface BidirectionalOptions {
  /** the layer to wrap: layers.simpleRNN, layers.lstm or layers.gru */
  layer: Recurrent;
  mergeMode?: MergeMode;
  inputShape?: (number | null)[];
  name?: string;
}

const KEYS = ['layer', 'mergeMode', 'inputShape', 'name'] as const;

type RecurrentCtor = new (opts: Record<string, unknown>) => Recurrent;

export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  readonly mergeMode: MergeMode;
  readonly returnSequences: boolean;
  readonly stateful: boolean;
  readonly declaredShape: number[] | null;
  /** the wrapped layer's config, as given (for getConfig) */
  private readonly layerConfig: { className: string; config: Record<string, unknown> };
  private H = 0;
  private nForward = 0;
  private y!: Buf;
  private df!: Buf;
  private db!: Buf;
  private dx!: Buf;
  private yf: Buf | null = null;
  private yb: Buf | null = null;
  private mask: Buf | null = null;

  constructor(opts: BidirectionalOptions) {
    const where = 'layers.bidirectional';
    const o = options(where, opts, KEYS);
    super(o.name as string | undefined, 'bidirectional');
    const layer = o.layer;
    if (!(layer instanceof Recurrent)) {
      fail('E_ARG', `${where}: layer must be a recurrent layer (layers.simpleRNN, layers.lstm or layers.gru), got ${layer instanceof Layer ? `a ${layer.className} layer` : describe(layer)}`);
    }
    if (layer.returnState) fail('E_ARG', `${where}: returnState on the wrapped layer '${layer.name}' is not supported`);
    const mode = o.mergeMode === undefined ? 'concat' : o.mergeMode;
    if (typeof mode !== 'string' || !Object.prototype.hasOwnProperty.call(MERGE_MODES, mode)) {
      fail('E_ARG', `${where}: mergeMode must be one of ${Object.keys(MERGE_MODES).map((m) => `'${m}'`).join(', ')}, got ${describe(o.mergeMode)}` +
        (o.mergeMode === null ? ' (separate outputs are not supported)' : ''));
    }
    this.mergeMode = mode as MergeMode;
    const config = layer.getConfig();
    this.layerConfig = { className: layer.className, config };
    // a fresh layer of the wrapped class from its config, as Keras does
    const Ctor = layer.constructor as RecurrentCtor;
    this.forwardLayer = new Ctor({ ...config, name: `forward_${layer.name}` });
    this.backwardLayer = new Ctor({ ...config, goBackwards: !layer.goBackwards, name: `backward_${layer.name}` });
    // Keras reverses the backward copy's returned sequence into input order
    this.backwardLayer.flipSequence = true;
    this.returnSequences = layer.returnSequences;
    this.stateful = layer.stateful;
    this.declaredShape = inputShape(where, o.inputShape) ?? layer.declaredShape;
  }

  build(shape: Shape): Shape {
    this.forwardLayer.build(shape);
    this.backwardLayer.build(shape);
    this.inputShape = shape;
    this.H = this.forwardLayer.units_;
    const width = this.mergeMode === 'concat' ? 2 * this.H : this.H;
    this.outputShape = this.returnSequences ? [shape[0], width] : [width];
    this.built = true;
    return this.outputShape;
  }

  override outputMasked(inputMasked: boolean): boolean {
    return this.returnSequences && inputMasked;
  }

  weightSpecs(): WeightSpec[] {
    const f = this.forwardLayer.weightSpecs();
    this.nForward = f.length;
    return [...f, ...this.backwardLayer.weightSpecs()];
  }

  plan(alloc: PlanAlloc, B: number, T: number, backend: Backend): void {
    // the model laid out our weights in weightSpecs order: forward's, then backward's
    this.forwardLayer.weights = this.weights.slice(0, this.nForward);
    this.backwardLayer.weights = this.weights.slice(this.nForward);
    this.forwardLayer.plan(alloc, B, T, backend);
    this.backwardLayer.plan(alloc, B, T, backend);
    const rows = this.returnSequences ? B * T : B;
    this.y = alloc(rows * this.units);
    this.df = alloc(rows * this.H);
    this.db = alloc(rows * this.H);
    this.dx = alloc(B * T * this.forwardLayer.inputShape![1]);
  }

  forward(ctx: RunContext, x: Buf, mask: Buf | null): LayerOutput {
    if (ctx.stepping) {
      fail('E_STATE', `${this.name}: a Bidirectional layer cannot run step by step (predictStep): its backward direction needs the whole sequence`);
    }
    this.yf = this.forwardLayer.forward(ctx, x, mask).y;
    this.yb = this.backwardLayer.forward(ctx, x, mask).y;
    this.mask = this.returnSequences ? mask : null;
    const rows = this.returnSequences ? ctx.B * ctx.T : ctx.B;
    ctx.backend.bidirectionalMerge(this.y, this.yf, this.yb, this.mask, rows, this.H, this.mergeMode);
    return { y: this.y, mask: this.mask };
  }

  backward(ctx: RunContext, dy: Buf, needDx: boolean): Buf | null {
    if (!this.yf || !this.yb) fail('E_STATE', `${this.name}: backward before forward`);
    const be = ctx.backend;
    const rows = this.returnSequences ? ctx.B * ctx.T : ctx.B;
    be.bidirectionalMergeBackward(this.df, this.db, dy, this.yf, this.yb, this.mask, rows, this.H, this.mergeMode);
    const dxf = this.forwardLayer.backward(ctx, this.df, needDx);
    const dxb = this.backwardLayer.backward(ctx, this.db, needDx);
    if (!needDx || !dxf || !dxb) return null;
    be.add(this.dx, dxf, dxb, ctx.B * ctx.T * this.forwardLayer.inputShape![1]);
    return this.dx;
  }

  override resetStates(backend: Backend): void {
    this.forwardLayer.resetStates(backend);
    this.backwardLayer.resetStates(backend);
  }

  override dispose(backend: Backend): void {
    this.forwardLayer.dispose(backend);
    this.backwardLayer.dispose(backend);
  }

  getConfig(): Record<string, unknown> {
    return {
      layer: { className: this.layerConfig.className, config: { ...this.layerConfig.config } },
      mergeMode: this.mergeMode,
      name: this.name,
    };
  }
}
