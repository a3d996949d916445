/**
 * Model: the Keras/TF.js model API over a functional graph —
 * `model({ inputs, outputs })` — and the base of Sequential. It holds what
 * a user sets (name, seed, vectorizer, labels, metadata) and turns calls
 * into engine work; the engine (engine.ts) owns the memory, the passes and
 * the training step.
 *
 * The engine is made on first use (getWeights, fit, predict, summary, ...):
 * the layers' weights are created then from the model's seed, unless
 * another model holding the same layers made them first (they are shared).
 */
import { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/load.js';
import { describe, fail } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { nextModelSeed } from '../random.js';
import { Rng } from '../rng.js';
import { Tensor, type TensorLike } from '../tensor.js';
import type { TextVectorizer } from '../text/index.js';
import { fit, type FitOptions, type History } from '../train/fit.js';
import { getOptimizer, type Optimizer } from '../train/optimizers.js';
import { serializeModel, type SerializeOptions } from '../io/serialize.js';
import { classify, type Classification } from './classify.js';
import { toData } from './data.js';
import { Engine, identity } from './engine.js';
import { checkBatchSize, checkOptions, sampleWeights } from './feed.js';
import { gradients, type Gradients } from './gradients.js';
import { Graph } from './graph.js';
import { Heads, resolveHeads, type CompileOptions, type HeadConfig, type OutputInfo } from './heads.js';
import { summarize } from './summary.js';

/** One tensor for a one-input model; an array, or an object by input name, for several. */
export type ModelInput = TensorLike | TensorLike[] | { [name: string]: TensorLike };
/** Targets, likewise per output. */
export type ModelTarget = ModelInput;

export interface ModelArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  /** one tensor (predict returns a Tensor) or an array (predict returns an array) */
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
  /** seed for weights, shuffling and dropout (default: setSeed's stream, else random) */
  seed?: number;
  /** run on this backend (from createBackend()) instead of the one init() chose */
  backend?: Backend;
}

/** The compile settings as given, resolved per output. */
export interface Compiled {
  optimizer: Optimizer;
  heads: HeadConfig[];
  /** as passed (for the artifact) */
  options: CompileOptions;
}

let modelIds = 0;

/**
 * `Out` is what predict returns: a Tensor for a model made with one output
 * tensor, an array for one made with an array of outputs.
 */
export class Model<Out extends Tensor | Tensor[] = Tensor | Tensor[]> {
  /** Keras's class name: 'Model' for a functional model, 'Sequential' for a stack */
  get className(): string {
    return 'Model';
  }

  readonly name: string;
  readonly seed: number;
  /** Set by a callback to end fit() after the current batch. */
  stopTraining = false;
  /** Saved with the model: the vectorizer that turns raw text into this model's input. */
  vectorizer: TextVectorizer | null = null;
  /** Saved with the model: class names, index = class id. */
  labels: string[] | null = null;
  /** Saved with the model: free-form JSON. */
  metadata: Record<string, unknown> | null = null;
  /** @internal */ rng: Rng;
  /** @internal */ protected graph_: Graph | null = null;
  private engine_: Engine | null = null;
  private be: Backend | null = null;
  private compiled_: Compiled | null = null;
  private disposed = false;
  /** @internal outputs were given as an array: predict returns an array even for one */
  outputsAsList = false;

  /** `functional: false` for Sequential, which makes its graph later. */
  constructor(args: Partial<ModelArgs>, where = 'model', prefix = 'model', functional = true) {
    const o = args as Partial<ModelArgs> & Record<string, unknown>;
    if (!o || typeof o !== 'object') fail('E_ARG', `${where}: expected { inputs, outputs, name?, seed?, backend? }, got ${describe(o)}`);
    if (o.backend !== undefined) {
      if (!(o.backend instanceof Backend)) fail('E_ARG', `${where}: backend must come from createBackend(), got ${describe(o.backend)}`);
      this.be = o.backend;
    }
    if (o.name !== undefined && (typeof o.name !== 'string' || !o.name)) fail('E_ARG', `${where}: name must be a non-empty string`);
    this.name = o.name ?? `${prefix}_${++modelIds}`;
    if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < 0 || o.seed >= 2 ** 32)) {
      fail('E_ARG', `${where}: seed must be an integer in [0, 2^32), got ${describe(o.seed)}`);
    }
    this.seed = o.seed ?? nextModelSeed();
    this.rng = new Rng(this.seed);
    if (functional) {
      for (const k of Object.keys(o)) {
        if (!['inputs', 'outputs', 'name', 'seed', 'backend'].includes(k))
          fail('E_ARG', `${where}: unknown option '${k}' (supported: inputs, outputs, name, seed, backend)`);
      }
      const list = (v: unknown) => (Array.isArray(v) ? v : [v]) as SymbolicTensor[];
      this.graph_ = new Graph(list(o.inputs), list(o.outputs), where);
      this.outputsAsList = Array.isArray(o.outputs);
    }
  }

  // ------------------------------------------------------------ structure

  /** The backend this model runs on (fixed at build). */
  get backend(): Backend {
    this.be ??= getBackend();
    return this.be;
  }

  /** The graph, made on demand (Sequential builds it from its first layer's shape or the data). */
  protected graph(where: string): Graph {
    this.alive(where);
    if (!this.graph_) fail('E_STATE', `${where}: ${this.name} has no graph`);
    return this.graph_;
  }

  /** @internal The graph, made on demand. */
  topology(where: string): Graph {
    this.prepareGraph(where);
    return this.graph(where);
  }

  /** Every layer once, in the order of its first call (input placeholders are not layers here). */
  get layers(): Layer[] {
    return this.graph_ ? [...this.graph_.layers] : [];
  }

  get inputs(): SymbolicTensor[] {
    return [...this.graph('inputs').inputs];
  }

  get outputs(): SymbolicTensor[] {
    return [...this.graph('outputs').outputs];
  }

  get inputNames(): string[] {
    return this.graph('inputNames').inputs.map((t) => t.name);
  }

  /** Outputs by the name of the layer that makes them (with ':k' for a layer's k-th output). */
  get outputNames(): string[] {
    return this.graph('outputNames').outputs.map((t) => t.name);
  }

  get built(): boolean {
    return this.engine_ !== null;
  }

  /** @internal The engine, made on first use. */
  engine(where: string, data?: unknown): Engine {
    this.alive(where);
    if (this.engine_) return this.engine_;
    this.prepareGraph(where, data);
    return this.makeEngine(where, true);
  }

  /** Sequential overrides this to build its graph from the data's shape. */
  protected prepareGraph(where: string, _data?: unknown): void {
    this.graph(where);
  }

  /** @internal `initialize: false` (loaders, which overwrite every weight next) skips the initialisers. */
  protected makeEngine(where: string, initialize: boolean): Engine {
    const e = new Engine(this.graph(where), this.backend, this.rng, initialize, this.name);
    this.engine_ = e;
    if (this.compiled_) this.attachHeads(e, this.compiled_);
    return e;
  }

  /** Build now (weights created; a loader passes initialize: false). */
  build(_shape?: readonly number[], opts: { initialize?: boolean } = {}): void {
    if (this.engine_) return;
    this.prepareGraph('build');
    this.makeEngine('build', opts.initialize !== false);
  }

  /** Keras-style table of layers, output shapes and parameter counts. */
  summary(print: ((line: string) => void) | null = console.log): string {
    const e = this.engine('summary');
    const out = summarize(this.name, e);
    print?.(out);
    return out;
  }

  getLayer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) fail('E_ARG', `getLayer: no layer named '${name}' (have: ${this.layers.map((x) => x.name).join(', ')})`);
    return l;
  }

  // -------------------------------------------------------------- compile

  compile(opts: CompileOptions): void {
    const where = 'compile';
    this.alive(where);
    if (!opts || typeof opts !== 'object')
      fail('E_ARG', `${where}: expected { optimizer, loss, metrics?, lossWeights? }, got ${describe(opts)}`);
    for (const k of Object.keys(opts)) {
      if (!['optimizer', 'loss', 'metrics', 'lossWeights'].includes(k))
        fail('E_ARG', `${where}: unknown option '${k}' (supported: optimizer, loss, metrics, lossWeights)`);
    }
    const optimizer = getOptimizer(opts.optimizer);
    const heads = resolveHeads(opts, this.outputInfo(where));
    if (this.engine_) this.engine_.heads?.release(this.backend);
    this.compiled_ = { optimizer, heads, options: opts };
    if (this.engine_) this.attachHeads(this.engine_, this.compiled_);
  }

  /** What compile needs of each output (Sequential answers before its graph exists). */
  protected outputInfo(where: string): OutputInfo[] {
    const g = this.graph(where);
    return g.outputs.map((t) => ({
      name: t.name,
      layer: t.node!.layer,
      index: t.index,
      internal: g.uses[g.at(t)] > 0 || g.outputs.filter((o) => o === t).length > 1,
    }));
  }

  private attachHeads(e: Engine, c: Compiled): void {
    const g = e.graph;
    for (const r of e.runs) r.fusedHead = false;
    const logitsRun = g.outputs.map((t, k) => {
      const loss = c.heads[k].loss;
      if (!loss || loss.name === 'meanSquaredError') return null;
      const run = e.runs[g.nodes.indexOf(t.node!)];
      run.fusedHead = true;
      return run;
    });
    e.heads = new Heads(
      c.heads,
      c.optimizer,
      g.outputs.map((t) => g.at(t)),
      logitsRun,
    );
    c.optimizer.attach(this.backend, e.params.size);
    e.freePlan(); // the target buffers depend on the losses
  }

  get optimizer(): Optimizer | null {
    return this.compiled_?.optimizer ?? null;
  }

  /** @internal The compile settings, or null before compile(). */
  get compileConfig(): Readonly<Compiled> | null {
    return this.compiled_;
  }

  // ----------------------------------------------------------------- run

  /** Train; see train/fit.ts for every option. */
  fit(x: ModelInput, y: ModelTarget, opts: FitOptions = {}): Promise<History> {
    return fit(this, x, y, opts);
  }

  /** Loss and metrics over a dataset, batch by batch: { loss, accuracy, ... }. */
  evaluate(x: ModelInput, y: ModelTarget, opts: { batchSize?: number; sampleWeight?: TensorLike } = {}): Record<string, number> {
    const where = 'evaluate';
    checkOptions(where, opts, ['batchSize', 'sampleWeight']);
    const e = this.engine(where, x);
    const heads = e.compiled(where);
    const ds = e.withTargets(e.dataset(x, where), y, where);
    const batchSize = checkBatchSize(where, opts.batchSize ?? 32);
    ds.sampleWeight = opts.sampleWeight === undefined ? null : sampleWeights(opts.sampleWeight, ds.n, where);
    const metrics = heads.newMetrics(e);
    const idx = identity(ds.n);
    const parts = heads.configs.map(() => 0);
    let total = 0;
    for (let from = 0; from < ds.n; from += batchSize) {
      const to = Math.min(ds.n, from + batchSize);
      const B = e.stage(ds, idx, from, to);
      total += e.step(B, false, metrics, !!ds.sampleWeight, this.name) * B;
      heads.parts.forEach((p, k) => (parts[k] += p * B));
    }
    return {
      loss: total / ds.n,
      ...heads.results(
        metrics,
        parts.map((p) => p / ds.n),
      ),
    };
  }

  /** One update on one batch (no shuffling); returns the loss before the update. */
  trainOnBatch(x: ModelInput, y: ModelTarget): number {
    const where = 'trainOnBatch';
    const e = this.engine(where, x);
    e.compiled(where);
    const ds = e.withTargets(e.dataset(x, where), y, where);
    const B = e.stage(ds, identity(ds.n), 0, ds.n);
    return e.step(B, true, null, false, this.name);
  }

  /**
   * Outputs for every sample: a Tensor (samples, ...outputShape), or one per
   * output for a model with several (a returnState layer's states count).
   */
  predict(x: ModelInput, opts: { batchSize?: number } = {}): Out {
    const where = 'predict';
    checkOptions(where, opts, ['batchSize']);
    const e = this.engine(where, x);
    const ds = e.dataset(x, where);
    const batchSize = checkBatchSize(where, opts.batchSize ?? 32);
    const outs = e.infer(ds, batchSize, false);
    const ts = outs.map((d, k) => new Tensor(d, [ds.n, ...ds.specs[e.graph.at(e.graph.outputs[k])].shape]));
    return (ts.length === 1 && !this.outputsAsList ? ts[0] : ts) as Out;
  }

  /** The output of a model with one output (a Tensor, typed as one); E_STATE for a model with several. */
  predictOne(x: ModelInput, opts: { batchSize?: number } = {}): Tensor {
    const n = this.outputs.length;
    if (n !== 1)
      fail(
        'E_STATE',
        `predictOne: ${this.name} has ${n} outputs (${this.outputNames.join(', ')}); use predict, which returns one tensor per output`,
      );
    const out = this.predict(x, opts);
    return Array.isArray(out) ? out[0] : out;
  }

  /** Raw texts in, classes out, with the attached vectorizer and labels (see models/classify.ts). */
  classify(texts: readonly string[], opts?: { batchSize?: number }): Classification[] {
    this.alive('classify');
    return classify(this, texts, opts);
  }

  /**
   * Generation: run one time step for a batch, continuing every recurrent
   * layer from its state after the previous call (O(1) per token). x is
   * (B, 1) ids or (B, 1, F) features (one per input). resetStates() starts
   * over; a new batch size starts over too. Returns the first output.
   */
  predictStep(x: ModelInput): Tensor {
    const where = 'predictStep';
    const e = this.engine(where, x);
    const ds = e.dataset(x, where);
    ds.inputs.forEach((d, i) => {
      if (d.shape.length < 2 || d.shape[1] !== 1) {
        fail(
          'E_SHAPE',
          `${where}: x must hold one time step, shape (batch, 1${e.inputs[i].kind === 'ids' ? '' : ', features'}), got [${d.shape.join(', ')}]`,
        );
      }
    });
    e.beginSteps(ds.n, ds);
    const out = e.infer(ds, ds.n, true);
    return new Tensor(out[0], [ds.n, ...ds.specs[e.graph.at(e.graph.outputs[0])].shape]);
  }

  /** Zero the state of every recurrent layer (stateful layers, predictStep). */
  resetStates(): void {
    this.alive('resetStates');
    this.engine_?.resetStates();
  }

  /**
   * Gradients of Σ_k sum(output_k ⊙ dy_k) with respect to every weight
   * (getWeights order) and, for float inputs, each input. dy has the
   * output's shape; for several outputs, one per output (null: none).
   */
  gradients(x: ModelInput, dy: TensorLike | (TensorLike | null)[]): Gradients {
    const where = 'gradients';
    return gradients(this.engine(where, x), x, dy, where);
  }

  // ------------------------------------------------------------- weights

  /** Every weight as a Tensor, layer by layer in Keras order. */
  getWeights(): Tensor[] {
    const e = this.engine('getWeights');
    return e.params.slots.map((s) => new Tensor(this.backend.read(s.w) as Float32Array, s.spec.shape));
  }

  /** Set every weight (same order and shapes as getWeights). Checked fully before anything is written. */
  setWeights(weights: Tensor[]): void {
    const e = this.engine('setWeights');
    const slots = e.params.slots;
    if (!Array.isArray(weights) || weights.length !== slots.length) {
      fail(
        'E_ARG',
        `setWeights: expected ${slots.length} tensors (${slots.map((s) => `${s.spec.name} [${s.spec.shape}]`).join(', ')}), got ${describe(weights)}`,
      );
    }
    const data = weights.map((t, i) => {
      const d = toData(t, 'setWeights', `weights[${i}]`);
      const s = slots[i];
      if (d.shape.join(',') !== s.spec.shape.join(',')) {
        fail('E_SHAPE', `setWeights: weights[${i}] (${s.spec.name}) must have shape [${s.spec.shape}], got [${d.shape}]`);
      }
      for (let k = 0; k < d.data.length; k++) {
        if (d.data[k] - d.data[k] !== 0) fail('E_ARG', `setWeights: weights[${i}] (${s.spec.name}) holds ${d.data[k]}`);
      }
      return d.data;
    });
    data.forEach((d, i) => this.backend.write(slots[i].w, d));
  }

  /** @internal All parameters as one flat copy (early stopping's best weights). */
  getWeightsFlat(): Float32Array {
    return this.engine('getWeights').params.read();
  }

  /** @internal */
  setWeightsFlat(w: Float32Array): void {
    this.engine('setWeights').params.write(w);
  }

  /** Number of scalar parameters. */
  countParams(): number {
    return this.engine('countParams').params.size;
  }

  /**
   * The whole model as one artifact (topology, weights, compile settings,
   * optimizer + Rng state, and the vectorizer, labels and metadata when set).
   * Load it with loadModel() in any runtime.
   */
  serialize(opts?: SerializeOptions): Uint8Array {
    this.alive('serialize');
    return serializeModel(this, opts);
  }

  /** Give the model's memory back (layers shared with a live model keep their weights). The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.engine_?.dispose();
    this.engine_ = null;
    this.disposed = true;
  }

  protected alive(where: string): void {
    if (this.disposed) fail('E_STATE', `${where}: ${this.name} was disposed; create a new model`);
  }
}

/** A functional model, TF.js style: model({ inputs, outputs }). */
export function model(args: ModelArgs & { outputs: SymbolicTensor }): Model<Tensor>;
export function model(args: ModelArgs & { outputs: SymbolicTensor[] }): Model<Tensor[]>;
export function model(args: ModelArgs): Model;
export function model(args: ModelArgs): Model {
  return new Model(args);
}
