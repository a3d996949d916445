/**
 * Sequential: a stack of layers, built into a linear graph on the engine.
 * The input shape comes from the first layer's options (inputShape,
 * inputLength; an Embedding takes id sequences of any length) or, failing
 * that, from the first data passed to fit/predict, as in Keras.
 */
import { describe, fail } from '../errors.js';
import { Embedding } from '../layers/embedding.js';
import { Layer } from '../layers/layer.js';
import { input, type SymbolicTensor } from '../layers/symbolic.js';
import type { Backend } from '../backend/backend.js';
import { toData } from './data.js';
import { Graph } from './graph.js';
import type { OutputInfo } from './heads.js';
import { Model } from './model.js';

export interface SequentialOptions {
  layers?: Layer[];
  name?: string;
  /** seed for weights, shuffling and dropout (default: setSeed's stream, else random) */
  seed?: number;
  /** run on this backend (from createBackend()) instead of the one init() chose */
  backend?: Backend;
}

type WithShape = Layer & { declaredShape?: number[] | null; returnState?: boolean; nStates?: number };

export class Sequential extends Model {
  private readonly stack: Layer[] = [];

  constructor(opts: SequentialOptions | Layer[] = {}) {
    const o: SequentialOptions = Array.isArray(opts) ? { layers: opts } : (opts ?? {});
    if (typeof o !== 'object') fail('E_ARG', `Sequential: expected an array of layers or an options object, got ${describe(o)}`);
    for (const k of Object.keys(o)) {
      if (!['layers', 'name', 'seed', 'backend'].includes(k))
        fail('E_ARG', `Sequential: unknown option '${k}' (supported: layers, name, seed, backend)`);
    }
    super({ name: o.name, seed: o.seed, backend: o.backend }, 'Sequential', 'sequential', false);
    for (const l of o.layers ?? []) this.add(l);
  }

  add(layer: Layer): void {
    this.alive('Sequential.add');
    if (!(layer instanceof Layer)) fail('E_ARG', `Sequential.add: expected a layer (from layers.*), got ${describe(layer)}`);
    if (this.graph_) fail('E_STATE', `Sequential.add: ${this.name} is already built; add layers before the first fit/predict`);
    if (this.stack.includes(layer)) fail('E_ARG', `Sequential.add: layer '${layer.name}' is already in this model`);
    const prev = this.stack[this.stack.length - 1] as WithShape | undefined;
    if (prev?.returnState) fail('E_ARG', `Sequential.add: '${prev.name}' has returnState, so it must be the last layer`);
    this.stack.push(layer);
  }

  override get className(): string {
    return 'Sequential';
  }

  override get layers(): Layer[] {
    return [...this.stack];
  }

  /** Input shape from the first layer's options, or null when it must come from data. */
  private declaredInput(): number[] | null {
    const first = this.stack[0] as WithShape | undefined;
    if (first?.declaredShape) return first.declaredShape;
    // an Embedding takes id sequences of any length, as in Keras
    return first instanceof Embedding ? [-1] : null;
  }

  /** Build the graph for per-sample input shape `shape` (time may be -1). */
  override build(shape?: readonly number[], opts: { initialize?: boolean } = {}): void {
    if (!this.graph_) this.chain('build', shape ? [...shape] : this.declaredInput());
    super.build(undefined, opts);
  }

  protected override prepareGraph(where: string, data?: unknown): void {
    if (this.graph_) return;
    let shape = this.declaredInput();
    if (!shape && data !== undefined) {
      const per = toData(data, where, 'x').shape.slice(1);
      // recurrent models accept any sequence length
      shape = per.length === 2 ? [-1, ...per.slice(1)] : per;
    }
    this.chain(where, shape);
  }

  private chain(where: string, shape: number[] | null): void {
    this.alive(where);
    if (this.stack.length === 0) fail('E_STATE', `${where}: the model has no layers`);
    if (!shape) {
      fail(
        'E_STATE',
        `${this.name}: the input shape is unknown; give the first layer inputShape (or inputLength), or call fit/predict with data`,
      );
    }
    const first = this.stack[0];
    const ids = first.idBound !== null;
    const x = input({ shape: shape.map((d) => (d < 0 ? null : d)), dtype: ids ? 'int32' : 'float32', name: `${this.name}_input` });
    let y: SymbolicTensor | SymbolicTensor[] = x;
    for (const l of this.stack) {
      if (Array.isArray(y)) fail('E_ARG', `${where}: a layer follows one with several outputs`);
      y = l.apply(y);
    }
    this.graph_ = new Graph([x], Array.isArray(y) ? y : [y], this.name);
  }

  protected override outputInfo(where: string): OutputInfo[] {
    if (this.graph_) return super.outputInfo(where);
    this.alive(where);
    if (this.stack.length === 0) fail('E_STATE', `${where}: the model has no layers`);
    // before the graph exists: the last layer's outputs, as it will make them
    const last = this.stack[this.stack.length - 1] as WithShape;
    const n = last.returnState ? 1 + stateCount(last) : 1;
    return Array.from({ length: n }, (_, k) => ({
      name: k === 0 ? last.name : `${last.name}:${k}`,
      layer: last,
      index: k,
      internal: false,
    }));
  }
}

/** How many states a returnState layer outputs (Bidirectional: both directions'). */
function stateCount(l: Layer): number {
  const r = l as Layer & { nStates?: number; forwardLayer?: { nStates: number } };
  return r.nStates ?? 2 * (r.forwardLayer?.nStates ?? 0);
}
