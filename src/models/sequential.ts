/**
 * Sequential: a stack of layers with the Keras/TF.js model API.
 *
 * Memory, once built: one parameter block and one gradient block (every
 * weight is a view, packed in Keras order), the optimizer's state, and one
 * plan of activation and scratch buffers sized for a batch capacity
 * (B x T). The plan is re-made only when a call needs more than it holds, so
 * training allocates nothing per step.
 *
 * The training loop itself lives in train/fit.ts; this file holds the
 * forward/backward/loss engine it drives, and everything else a user calls.
 */
import { Backend, type Buf } from '../backend/backend.js';
import { getBackend } from '../backend/load.js';
import { describe, fail, WasmRnnError } from '../errors.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { Layer, type LayerOutput, type RunContext, type Shape, type WeightSlot } from '../layers/layer.js';
import { nextModelSeed } from '../random.js';
import { Rng } from '../rng.js';
import { Tensor, shapeSize } from '../tensor.js';
import { fit, type FitOptions, type History } from '../train/fit.js';
import { checkTargets, getLoss, lossHead, type LossSpec } from '../train/losses.js';
import { MetricState, checkMetrics, type MetricName } from '../train/metrics.js';
import { getOptimizer, type Optimizer } from '../train/optimizers.js';
import { checkInput, gatherRows, toData, type Data, type InputSpec } from './data.js';
import { serializeModel, type SerializeOptions } from '../io/model_io.js';
import type { TextVectorizer } from '../text/index.js';
import { classify, type Classification } from './classify.js';

export interface SequentialOptions {
  layers?: Layer[];
  name?: string;
  /** seed for weights, shuffling and dropout (default: setSeed's stream, else random) */
  seed?: number;
  /** run on this backend (from createBackend()) instead of the one init() chose */
  backend?: Backend;
}

export interface CompileOptions {
  optimizer: unknown;
  loss: unknown;
  metrics?: string[];
}

/** Targets prepared for the loss: flat, with their per-sample row length. */
export interface Targets {
  data: Float32Array | Int32Array;
  /** values per sample (C, or T·C / T for per-step outputs) */
  rowLen: number;
}

interface Compiled {
  optimizer: Optimizer;
  loss: LossSpec;
  head: 'logits' | 'outputs';
  metrics: MetricName[];
}

interface Plan {
  B: number;
  T: number;
  bufs: Buf[];
  x: Buf;
  y: Buf;
  w: Buf;
  dOut: Buf;
  hostX: Float32Array | Int32Array;
  hostY: Float32Array | Int32Array;
  hostW: Float32Array;
  hostP: Float32Array;
  hostValid: Float32Array;
}

let modelIds = 0;

export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set by a callback to end fit() after the current batch. */
  stopTraining = false;
  /** Saved with the model: the vectorizer that turns raw text into this model's input. */
  vectorizer: TextVectorizer | null = null;
  /** Saved with the model: class names, index = class id. */
  labels: string[] | null = null;
  /** Saved with the model: free-form JSON. */
  metadata: Record<string, unknown> | null = null;
  readonly seed: number;
  /** @internal */ rng: Rng;
  private be: Backend | null = null;
  private inSpec: InputSpec | null = null;
  private params: Buf | null = null;
  private grads: Buf | null = null;
  private nParams = 0;
  private slots: WeightSlot[] = [];
  private plan_: Plan | null = null;
  private compiled: Compiled | null = null;
  private disposed = false;
  private backup: Buf | null = null;
  private ctx: RunContext | null = null;
  private stepB = -1;

  constructor(opts: SequentialOptions | Layer[] = {}) {
    const o: SequentialOptions = Array.isArray(opts) ? { layers: opts } : opts ?? {};
    if (typeof o !== 'object') fail('E_ARG', `Sequential: expected an array of layers or an options object, got ${describe(o)}`);
    for (const k of Object.keys(o)) {
      if (!['layers', 'name', 'seed', 'backend'].includes(k)) fail('E_ARG', `Sequential: unknown option '${k}' (supported: layers, name, seed, backend)`);
    }
    if (o.backend !== undefined) {
      if (!(o.backend instanceof Backend)) fail('E_ARG', `Sequential: backend must come from createBackend(), got ${describe(o.backend)}`);
      this.be = o.backend;
    }
    this.name = o.name ?? `sequential_${++modelIds}`;
    if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < 0 || o.seed >= 2 ** 32)) {
      fail('E_ARG', `Sequential: seed must be an integer in [0, 2^32), got ${describe(o.seed)}`);
    }
    this.seed = o.seed ?? nextModelSeed();
    this.rng = new Rng(this.seed);
    for (const l of o.layers ?? []) this.add(l);
  }

  // ------------------------------------------------------------- structure

  add(layer: Layer): void {
    this.alive();
    if (!(layer instanceof Layer)) fail('E_ARG', `Sequential.add: expected a layer (from layers.*), got ${describe(layer)}`);
    if (this.params) fail('E_STATE', `Sequential.add: ${this.name} is already built; add layers before the first fit/predict`);
    if (this.layers.includes(layer)) fail('E_ARG', `Sequential.add: layer '${layer.name}' is already in this model`);
    const prev = this.layers[this.layers.length - 1] as Layer & { returnState?: boolean };
    if (prev?.returnState) fail('E_ARG', `Sequential.add: '${prev.name}' has returnState, so it must be the last layer`);
    this.layers.push(layer);
  }

  /** The backend this model runs on (fixed at build). */
  get backend(): Backend {
    if (!this.be) this.be = getBackend();
    return this.be;
  }

  get built(): boolean {
    return this.params !== null;
  }

  /** Input shape from the first layer's options, or null when it must come from data. */
  private declaredInput(): number[] | null {
    const first = this.layers[0] as Layer & { declaredShape?: number[] | null };
    if (first?.declaredShape) return first.declaredShape;
    // an Embedding takes id sequences of any length, as in Keras
    return first instanceof Embedding ? [-1] : null;
  }

  /**
   * Build for per-sample input shape `shape` (time may be -1).
   * `initialize: false` (loaders, which overwrite every weight next) skips the
   * initialisers: an orthogonal init is most of a load's time otherwise.
   */
  build(shape?: readonly number[], opts: { initialize?: boolean } = {}): void {
    this.alive();
    if (this.params) return;
    if (this.layers.length === 0) fail('E_STATE', `${this.name}: the model has no layers`);
    const s = shape ? [...shape] : this.declaredInput();
    if (!s) {
      fail('E_STATE', `${this.name}: the input shape is unknown; give the first layer inputShape (or inputLength), or call fit/predict with data`);
    }
    const first = this.layers[0];
    const isIds = first instanceof Embedding;
    this.inSpec = { kind: isIds ? 'ids' : 'float', shape: s, vocab: isIds ? first.inputDim : undefined };
    let cur: Shape = s;
    let masked = false;
    for (const layer of this.layers) {
      try {
        cur = layer.build(cur, masked);
      } catch (e) {
        if (e instanceof WasmRnnError) throw e;
        throw new WasmRnnError('E_SHAPE', `${layer.name}: ${(e as Error).message}`);
      }
      masked = layer.outputMasked(masked);
    }
    // parameters: one block, weights packed in order (no gaps: span() relies on it)
    const be = this.backend;
    const specs = this.layers.flatMap((l) => l.weightSpecs().map((spec) => ({ l, spec })));
    this.nParams = specs.reduce((n, { spec }) => n + shapeSize(spec.shape, spec.name), 0);
    try {
      this.params = be.alloc(Math.max(1, this.nParams));
      this.grads = be.zeros(Math.max(1, this.nParams));
    } catch (e) {
      if (this.params) be.free(this.params);
      this.params = null;
      if (e instanceof WasmRnnError && e.code === 'E_MEMORY') {
        const gb = ((this.nParams * 8) / 2 ** 30).toFixed(1);
        throw new WasmRnnError('E_MEMORY', `${this.name}: ${this.nParams.toLocaleString('en-US')} parameters need ${gb} GiB for weights and gradients, ` +
          `more than this runtime's memory allows (WebAssembly: 4 GiB); make the model smaller (vocabulary, units) — ${e.message}`);
      }
      throw e;
    }
    let offset = 0;
    for (const l of this.layers) l.weights = [];
    for (const { l, spec } of specs) {
      const n = shapeSize(spec.shape, spec.name);
      const slot: WeightSlot = { spec, w: be.view(this.params, offset, n), dw: be.view(this.grads, offset, n) };
      if (opts.initialize === false) be.fill(slot.w, 0);
      else be.write(slot.w, spec.init(this.rng, spec.shape));
      l.weights.push(slot);
      offset += n;
    }
    this.slots = this.layers.flatMap((l) => l.weights);
    if (this.compiled) this.compiled.optimizer.attach(be, this.nParams);
  }

  /** Build from the first batch's shape when no input shape was declared. */
  private buildFor(d: Data): void {
    if (this.params) return;
    const declared = this.declaredInput();
    const first = this.layers[0];
    const per = d.shape.slice(1);
    if (declared) return this.build(declared);
    // recurrent models accept any sequence length
    const shape = first instanceof Embedding || per.length === 2 ? [-1, ...per.slice(1)] : per;
    this.build(shape);
  }

  /** Keras-style table of layers, output shapes and parameter counts. */
  summary(print: ((line: string) => void) | null = console.log): string {
    this.alive();
    if (!this.params) this.build();
    const rows = this.layers.map((l) => {
      const n = l.weights.reduce((a, s) => a + s.w.length, 0);
      const shape = `(None, ${(l.outputShape ?? []).map((d) => (d < 0 ? 'None' : d)).join(', ')})`;
      return [`${l.name} (${l.className})`, shape, String(n)];
    });
    const head = ['Layer (type)', 'Output Shape', 'Param #'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
    const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join('');
    const total = w.reduce((a, b) => a + b, 0);
    const out = [
      `Model: "${this.name}"`,
      '_'.repeat(total),
      line(head),
      '='.repeat(total),
      ...rows.map(line),
      '='.repeat(total),
      `Total params: ${this.nParams.toLocaleString('en-US')}`,
      '_'.repeat(total),
    ].join('\n');
    print?.(out);
    return out;
  }

  // --------------------------------------------------------------- compile

  compile(opts: CompileOptions): void {
    this.alive();
    if (!opts || typeof opts !== 'object') fail('E_ARG', `compile: expected { optimizer, loss, metrics? }, got ${describe(opts)}`);
    for (const k of Object.keys(opts)) {
      if (!['optimizer', 'loss', 'metrics'].includes(k)) fail('E_ARG', `compile: unknown option '${k}' (supported: optimizer, loss, metrics)`);
    }
    if (this.layers.length === 0) fail('E_STATE', 'compile: the model has no layers');
    const optimizer = getOptimizer(opts.optimizer);
    const loss = getLoss(opts.loss);
    const metrics = checkMetrics(opts.metrics);
    const last = this.layers[this.layers.length - 1] as Layer & { activation?: Dense['activation']; returnState?: boolean };
    if (last.returnState) fail('E_ARG', `compile: '${last.name}' has returnState; a model with several outputs can predict but not be trained here`);
    const head = lossHead(loss, { className: last.className, activation: last.activation, name: last.name });
    // validate the metric/loss pairing now rather than at the first batch
    new MetricState(loss.name, 1, metrics);
    if (this.compiled && this.params) this.compiled.optimizer.release(this.backend);
    for (const l of this.layers) l.fusedHead = false;
    last.fusedHead = head === 'logits';
    this.compiled = { optimizer, loss, head, metrics };
    if (this.params) optimizer.attach(this.backend, this.nParams);
    this.freePlan(); // the target buffers depend on the loss
  }

  /** @internal */
  get compiledState(): Compiled {
    if (!this.compiled) fail('E_STATE', `${this.name}: call compile({ optimizer, loss }) before fit/evaluate/trainOnBatch`);
    return this.compiled;
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /** @internal The compile settings, or null before compile(). */
  get compileConfig(): Readonly<Compiled> | null {
    return this.compiled;
  }

  /**
   * The whole model as one artifact (topology, weights, compile settings,
   * optimizer + Rng state, and the vectorizer, labels and metadata when set).
   * Load it with loadModel() in any runtime.
   */
  serialize(opts?: SerializeOptions): Uint8Array {
    this.alive();
    return serializeModel(this, opts);
  }

  // ------------------------------------------------------------------ plan

  /** Make sure buffers exist for batches up to B x T. */
  private ensurePlan(B: number, T: number): Plan {
    const p = this.plan_;
    if (p && p.B >= B && p.T >= T) return p;
    const be = this.backend;
    const nb = Math.max(B, p?.B ?? 0);
    const nt = Math.max(T, p?.T ?? 0);
    this.freePlan();
    const bufs: Buf[] = [];
    const alloc = (n: number, dtype: 'float32' | 'int32' = 'float32') => {
      const b = be.alloc(Math.max(1, n), dtype);
      bufs.push(b);
      return b;
    };
    try {
      for (const l of this.layers) l.plan(alloc, nb, nt, be);
      const spec = this.inSpec!;
      const xLen = nb * this.perSample(spec.shape, nt);
      const out = this.layers[this.layers.length - 1];
      const outRows = nb * (out.outputShape!.length === 2 ? nt : 1);
      const C = out.units;
      // sparse class ids are int32 on both sides; every other target is float32
      const sparse = this.compiled?.loss.name === 'sparseCategoricalCrossentropy';
      this.plan_ = {
        B: nb,
        T: nt,
        bufs,
        x: alloc(xLen, spec.kind === 'ids' ? 'int32' : 'float32'),
        y: alloc(outRows * C, sparse ? 'int32' : 'float32'),
        w: alloc(outRows),
        dOut: alloc(outRows * C),
        hostX: spec.kind === 'ids' ? new Int32Array(xLen) : new Float32Array(xLen),
        hostY: sparse ? new Int32Array(outRows * C) : new Float32Array(outRows * C),
        hostW: new Float32Array(outRows),
        hostP: new Float32Array(outRows * C),
        hostValid: new Float32Array(outRows),
      };
    } catch (e) {
      for (const b of bufs) be.free(b);
      if (e instanceof WasmRnnError && e.code === 'E_MEMORY') {
        throw new WasmRnnError('E_MEMORY', `${this.name}: not enough memory for batches of ${nb} x ${nt} steps (${e.message}); use a smaller batch size or sequence length`);
      }
      throw e;
    }
    return this.plan_!;
  }

  private freePlan(): void {
    if (!this.plan_) return;
    for (const b of this.plan_.bufs) this.backend.free(b);
    this.plan_ = null;
  }

  /** Values per sample of the input for T steps. */
  private perSample(shape: number[], T: number): number {
    return shape.reduce((a, d) => a * (d < 0 ? T : d), 1);
  }

  // ---------------------------------------------------------------- engine

  /** The per-call facts layers read; one object per model, updated in place (no garbage per batch). */
  private context(B: number, T: number, training: boolean, stepping = false): RunContext {
    const c = (this.ctx ??= { backend: this.backend, B, T, training, stepping, nextSeed: () => this.rng.nextU32() });
    c.B = B;
    c.T = T;
    c.training = training;
    c.stepping = stepping;
    return c;
  }

  /** Forward through every layer on the staged input. */
  private forwardAll(ctx: RunContext): LayerOutput {
    let out: LayerOutput = { y: this.plan_!.x, mask: null };
    for (const l of this.layers) out = l.forward(ctx, out.y, out.mask);
    return out;
  }

  /** Backward from dOut (and output-state gradients); returns dL/dinput when asked. */
  private backwardAll(ctx: RunContext, dOut: Buf, wantDx: boolean, dStates?: (Buf | null)[]): Buf | null {
    let d: Buf | null = dOut;
    for (let i = this.layers.length - 1; i >= 0 && d; i--) {
      const needDx = i > 0 || wantDx;
      d = this.layers[i].backward(ctx, d, needDx, i === this.layers.length - 1 ? dStates : undefined);
      if (!needDx) return null;
    }
    return d;
  }

  /** Rows of the output per sample (T for per-step outputs) for this T. */
  private outRows(T: number): number {
    return this.layers[this.layers.length - 1].outputShape!.length === 2 ? T : 1;
  }

  /** Check and flatten targets for the compiled loss. */
  prepareTargets(y: unknown, nSamples: number, T: number, where: string): Targets {
    const { loss } = this.compiledState;
    const d = toData(y, where, 'y');
    const C = this.layers[this.layers.length - 1].units;
    const rows = this.outRows(T);
    const perRow = loss.name === 'sparseCategoricalCrossentropy' ? 1 : C;
    const want = rows * perRow;
    if (d.shape[0] !== nSamples) fail('E_SHAPE', `${where}: y has ${d.shape[0]} samples but x has ${nSamples}`);
    const got = d.data.length / Math.max(1, nSamples);
    if (got !== want) {
      const expect = loss.name === 'sparseCategoricalCrossentropy'
        ? rows > 1 ? `(samples, ${T}) class ids` : '(samples) or (samples, 1) class ids'
        : rows > 1 ? `(samples, ${T}, ${C})` : `(samples, ${C})${C === 1 ? ' or (samples)' : ''}`;
      fail('E_SHAPE', `${where}: y must have shape ${expect} for ${loss.name}, got [${d.shape.join(', ')}]`);
    }
    checkTargets(loss.name, d.data, C, where);
    const data = loss.name === 'sparseCategoricalCrossentropy' ? Int32Array.from(d.data) : Float32Array.from(d.data);
    return { data, rowLen: want };
  }

  /**
   * One forward + loss (+ backward + update when training) on the staged
   * batch. Returns the mean loss. On a non-finite loss or gradient nothing is
   * updated and an E_NUMERIC error names the layer.
   */
  private step(B: number, T: number, train: boolean, metrics: MetricState | null, haveWeights: boolean): number {
    const c = this.compiledState;
    const p = this.plan_!;
    const be = this.backend;
    const ctx = this.context(B, T, train);
    const out = this.forwardAll(ctx);
    const last = this.layers[this.layers.length - 1];
    const C = last.units;
    const N = B * this.outRows(T);
    // weights: sample/class weights, times the output mask for per-step outputs
    let count = N;
    let w: Buf | null = haveWeights ? p.w : null;
    if (out.mask) {
      be.readInto(out.mask, p.hostValid.subarray(0, N));
      count = 0;
      for (let i = 0; i < N; i++) {
        count += p.hostValid[i];
        p.hostW[i] = (haveWeights ? p.hostW[i] : 1) * p.hostValid[i];
      }
      be.write(p.w, p.hostW.subarray(0, N));
      w = p.w;
    } else if (haveWeights) {
      be.write(p.w, p.hostW.subarray(0, N));
    }
    const perElement = c.loss.name === 'binaryCrossentropy' || c.loss.name === 'meanSquaredError' ? C : 1;
    const scale = 1 / (Math.max(1, count) * perElement);
    const z = (last as Dense).z;
    let total: number;
    if (c.head === 'outputs') total = be.mse(p.dOut, out.y, p.y, w, N, C, scale);
    else if (c.loss.name === 'binaryCrossentropy') total = be.bceLogits(p.dOut, z, p.y, w, N, C, scale);
    else total = be.softmaxCe(p.dOut, z, p.y, w, N, C, c.loss.name === 'sparseCategoricalCrossentropy', scale);
    const lossValue = total * scale;
    if (metrics) {
      be.readInto(out.y, p.hostP.subarray(0, N * C));
      metrics.update(p.hostP, p.hostY, N, out.mask ? p.hostValid : null);
    }
    if (!Number.isFinite(lossValue)) {
      throw new WasmRnnError('E_NUMERIC', `${this.name}: the loss is ${lossValue}; weights were not updated. ` +
        'Lower the learning rate, clip gradients (clipnorm/clipvalue), or check the inputs for extreme values');
    }
    if (!train) return lossValue;
    be.fill(this.grads!, 0, this.nParams);
    this.backwardAll(ctx, p.dOut, false);
    if (be.hasNonFinite(this.grads!, this.nParams)) {
      const bad = this.slots.find((s) => be.hasNonFinite(s.dw));
      const layer = this.layers.find((l) => l.weights.some((s) => s === bad));
      throw new WasmRnnError('E_NUMERIC', `${this.name}: non-finite gradient in layer '${layer?.name}' (weight '${bad?.spec.name}'); ` +
        'weights were not updated. Lower the learning rate or clip gradients (clipnorm/clipvalue)');
    }
    // keep the weights from before the update: an update can still overflow
    // (a huge learning rate, momentum running away) and must not survive
    this.backup ??= be.alloc(Math.max(1, this.nParams));
    be.copy(this.backup, this.params!, this.nParams);
    c.optimizer.step(be, this.params!, this.grads!, this.nParams, this.slots);
    if (be.hasNonFinite(this.params!, this.nParams)) {
      const bad = this.slots.find((s) => be.hasNonFinite(s.w));
      const layer = this.layers.find((l) => l.weights.some((s) => s === bad));
      be.copy(this.params!, this.backup, this.nParams);
      c.optimizer.attach(be, this.nParams);
      throw new WasmRnnError('E_NUMERIC', `${this.name}: the update made weight '${bad?.spec.name}' of layer '${layer?.name}' non-finite; ` +
        'the weights from before the step were restored and the optimizer state reset. Lower the learning rate or clip gradients');
    }
    return lossValue;
  }

  /** @internal Stage samples idx[from..to) of x (and targets/weights) into the plan. */
  stage(x: Data, idx: ArrayLike<number>, from: number, to: number, y?: Targets, sampleWeight?: Float32Array | null, classWeight?: Float32Array | null): { B: number; T: number } {
    const T = this.inSpec!.shape.length === 2 || this.inSpec!.kind === 'ids' ? x.shape[1] : 1;
    const B = to - from;
    const p = this.ensurePlan(B, T);
    const rowLen = x.data.length / x.shape[0];
    gatherRows(p.hostX, x.data, rowLen, idx, from, to);
    this.backend.write(p.x, p.hostX.subarray(0, B * rowLen));
    if (y) {
      gatherRows(p.hostY, y.data, y.rowLen, idx, from, to);
      this.backend.write(p.y, p.hostY.subarray(0, B * y.rowLen));
      if (sampleWeight || classWeight) {
        const rows = this.outRows(T);
        for (let b = 0; b < B; b++) {
          for (let r = 0; r < rows; r++) {
            const i = b * rows + r;
            let wv = sampleWeight ? sampleWeight[idx[from + b]] : 1;
            if (classWeight) {
              const per = y.rowLen / rows;
              // the class of this row: a 0/1 target, a class id, or a one-hot row
              const label = per > 1 ? argmax(p.hostY, i * per, per) : y.data instanceof Int32Array ? p.hostY[i] : p.hostY[i] > 0.5 ? 1 : 0;
              wv *= classWeight[label] ?? 1;
            }
            p.hostW[i] = wv;
          }
        }
      }
    }
    return { B, T };
  }

  /** @internal Forward on the staged batch (gradient checks read the result at the heap's precision). */
  forwardStaged(B: number, T: number): LayerOutput {
    return this.forwardAll(this.context(B, T, false));
  }

  /** @internal The staged input buffer (gradient checks perturb it in place). */
  get stagedInput(): Buf {
    if (!this.plan_) fail('E_STATE', 'no staged input');
    return this.plan_.x;
  }

  /** @internal The weight slots in getWeights order. */
  get weightSlots(): readonly WeightSlot[] {
    return this.slots;
  }

  /** @internal Train (or just evaluate) on one staged batch. */
  runBatch(B: number, T: number, train: boolean, metrics: MetricState | null, weighted: boolean): number {
    return this.step(B, T, train, metrics, weighted);
  }

  /** @internal Validate inputs and build on first use. */
  prepareInput(x: unknown, where: string): Data {
    this.alive();
    if (this.layers.length === 0) fail('E_STATE', `${where}: the model has no layers`);
    if (!this.params) {
      const pre = toData(x, where, 'x');
      this.buildFor(pre);
    }
    return checkInput(x, this.inSpec!, where);
  }

  // ----------------------------------------------------------------- public

  /** Train; see train/fit.ts for every option. */
  fit(x: unknown, y: unknown, opts: FitOptions = {}): Promise<History> {
    return fit(this, x, y, opts);
  }

  /** Loss and metrics over a dataset, batch by batch: { loss, accuracy, ... }. */
  evaluate(x: unknown, y: unknown, opts: { batchSize?: number; sampleWeight?: unknown } = {}): Record<string, number> {
    const where = 'evaluate';
    const c = this.compiledState;
    const xd = this.prepareInput(x, where);
    const T = xd.shape.length > 1 ? xd.shape[1] : 1;
    const yt = this.prepareTargets(y, xd.shape[0], T, where);
    const batchSize = checkBatchSize(where, opts.batchSize ?? 32);
    const sw = opts.sampleWeight === undefined ? null : sampleWeights(opts.sampleWeight, xd.shape[0], where);
    const metrics = new MetricState(c.loss.name, this.layers[this.layers.length - 1].units, c.metrics);
    const n = xd.shape[0];
    const idx = identity(n);
    let total = 0;
    for (let from = 0; from < n; from += batchSize) {
      const to = Math.min(n, from + batchSize);
      const { B, T: t } = this.stage(xd, idx, from, to, yt, sw);
      total += this.runBatch(B, t, false, metrics, !!sw) * B;
    }
    return { loss: total / n, ...metrics.results() };
  }

  /** One update on one batch (no shuffling); returns the loss before the update. */
  trainOnBatch(x: unknown, y: unknown): number {
    const where = 'trainOnBatch';
    this.compiledState;
    const xd = this.prepareInput(x, where);
    const T = xd.shape.length > 1 ? xd.shape[1] : 1;
    const yt = this.prepareTargets(y, xd.shape[0], T, where);
    const { B, T: t } = this.stage(xd, identity(xd.shape[0]), 0, xd.shape[0], yt);
    return this.runBatch(B, t, true, null, false);
  }

  /** Classify raw texts with the attached vectorizer and labels (see models/classify.ts). */
  classify(texts: readonly string[], opts?: { batchSize?: number }): Classification[] {
    this.alive();
    return classify(this, texts, opts);
  }

  /**
   * Outputs for every sample: a Tensor (samples, ...outputShape); for a last
   * layer with returnState, [output, h, (c)].
   */
  predict(x: unknown, opts: { batchSize?: number } = {}): Tensor | Tensor[] {
    const where = 'predict';
    const xd = this.prepareInput(x, where);
    const batchSize = checkBatchSize(where, opts.batchSize ?? 32);
    return this.runInference(xd, batchSize, false);
  }

  private runInference(xd: Data, batchSize: number, stepping: boolean): Tensor | Tensor[] {
    const n = xd.shape[0];
    const T = this.inSpec!.kind === 'ids' || this.inSpec!.shape.length === 2 ? xd.shape[1] : 1;
    const last = this.layers[this.layers.length - 1];
    const outShape = last.outputShape!.map((d) => (d < 0 ? T : d));
    const per = outShape.reduce((a, b) => a * b, 1);
    const result = new Float32Array(n * per);
    const states = ((last as { returnState?: boolean }).returnState ? [] : null) as Float32Array[] | null;
    const idx = identity(n);
    const be = this.backend;
    for (let from = 0; from < n; from += batchSize) {
      const to = Math.min(n, from + batchSize);
      const { B } = this.stage(xd, idx, from, to);
      const out = this.forwardAll(this.context(B, T, false, stepping));
      be.readInto(out.y, result.subarray(from * per, to * per));
      if (states && out.states) {
        out.states.forEach((s, k) => {
          const H = last.units;
          states[k] ??= new Float32Array(n * H);
          be.readInto(s, states[k].subarray(from * H, to * H));
        });
      }
    }
    const main = new Tensor(result, [n, ...outShape]);
    if (!states) return main;
    return [main, ...states.map((s) => new Tensor(s, [n, last.units]))];
  }

  /**
   * Generation: run one time step for a batch, continuing every recurrent
   * layer from its state after the previous call (O(1) per token). x is
   * (B, 1) ids or (B, 1, F) features. resetStates() starts over; a new batch
   * size starts over too.
   */
  predictStep(x: unknown): Tensor {
    const where = 'predictStep';
    const xd = this.prepareInput(x, where);
    if (xd.shape.length < 2 || xd.shape[1] !== 1) fail('E_SHAPE', `${where}: x must hold one time step, shape (batch, 1${this.inSpec!.kind === 'ids' ? '' : ', features'}), got [${xd.shape.join(', ')}]`);
    if (xd.shape[0] !== this.stepB) {
      this.ensurePlan(xd.shape[0], 1);
      this.resetStates();
      this.stepB = xd.shape[0];
    }
    const out = this.runInference(xd, xd.shape[0], true);
    return Array.isArray(out) ? out[0] : out;
  }

  /** Zero the state of every recurrent layer (stateful layers, predictStep). */
  resetStates(): void {
    this.alive();
    if (!this.params) return;
    for (const l of this.layers) l.resetStates(this.backend);
  }

  /**
   * Gradients of sum(output ⊙ dy) with respect to every weight (getWeights
   * order) and, for float inputs, the input. dy has the output's shape; for a
   * returnState last layer it may be [dOutput, dh, (dc)].
   */
  gradients(x: unknown, dy: unknown): { weights: Tensor[]; input?: Tensor } {
    const where = 'gradients';
    const xd = this.prepareInput(x, where);
    const n = xd.shape[0];
    const T = xd.shape.length > 1 ? xd.shape[1] : 1;
    const be = this.backend;
    const last = this.layers[this.layers.length - 1];
    const outShape = last.outputShape!.map((d) => (d < 0 ? T : d));
    // [dOutput, dh, (dc)] as Tensors for a returnState last layer; otherwise one dy
    const listForm = (last as { returnState?: boolean }).returnState && Array.isArray(dy) && dy.every((d) => d instanceof Tensor);
    const dys = listForm ? (dy as Tensor[]) : [dy];
    const dMain = toData(dys[0], where, 'dy');
    const want = n * outShape.reduce((a, b) => a * b, 1);
    if (dMain.data.length !== want || dMain.shape.join(',') !== [n, ...outShape].join(',')) {
      fail('E_SHAPE', `${where}: dy must have the output's shape [${[n, ...outShape].join(', ')}], got [${dMain.shape.join(', ')}]`);
    }
    const { B } = this.stage(xd, identity(n), 0, n);
    const p = this.plan_!;
    const fused = last.fusedHead;
    last.fusedHead = false; // gradients of the outputs themselves, not of a loss
    try {
      const ctx = this.context(B, T, false);
      this.forwardAll(ctx);
      be.write(p.dOut, dMain.data);
      const stateBufs: (Buf | null)[] = [];
      for (let k = 1; k < dys.length; k++) {
        const ds = toData(dys[k], where, `dy[${k}]`);
        if (ds.data.length !== n * last.units) fail('E_SHAPE', `${where}: dy[${k}] must have shape [${n}, ${last.units}]`);
        const b = be.alloc(ds.data.length);
        be.write(b, ds.data);
        stateBufs.push(b);
      }
      be.fill(this.grads!, 0, this.nParams);
      const dx = this.backwardAll(ctx, p.dOut, this.inSpec!.kind === 'float', stateBufs);
      for (const b of stateBufs) if (b) be.free(b);
      const weights = this.slots.map((s) => new Tensor(be.read(s.dw) as Float32Array, s.spec.shape));
      if (!dx || this.inSpec!.kind !== 'float') return { weights };
      const per = this.perSample(this.inSpec!.shape, T);
      return { weights, input: new Tensor(be.read(dx, 0, n * per) as Float32Array, xd.shape) };
    } finally {
      last.fusedHead = fused;
    }
  }

  // --------------------------------------------------------------- weights

  /** Every weight as a Tensor, layer by layer in Keras order. */
  getWeights(): Tensor[] {
    this.alive();
    if (!this.params) this.build();
    return this.slots.map((s) => new Tensor(this.backend.read(s.w) as Float32Array, s.spec.shape));
  }

  /** Set every weight (same order and shapes as getWeights). Checked fully before anything is written. */
  setWeights(weights: Tensor[]): void {
    this.alive();
    if (!this.params) this.build();
    if (!Array.isArray(weights) || weights.length !== this.slots.length) {
      fail('E_ARG', `setWeights: expected ${this.slots.length} tensors (${this.slots.map((s) => `${s.spec.name} [${s.spec.shape}]`).join(', ')}), got ${describe(weights)}`);
    }
    const data = weights.map((t, i) => {
      const d = toData(t, 'setWeights', `weights[${i}]`);
      const s = this.slots[i];
      if (d.shape.join(',') !== s.spec.shape.join(',')) {
        fail('E_SHAPE', `setWeights: weights[${i}] (${s.spec.name}) must have shape [${s.spec.shape}], got [${d.shape}]`);
      }
      for (let k = 0; k < d.data.length; k++) {
        if (d.data[k] - d.data[k] !== 0) fail('E_ARG', `setWeights: weights[${i}] (${s.spec.name}) holds ${d.data[k]}`);
      }
      return d.data;
    });
    data.forEach((d, i) => this.backend.write(this.slots[i].w, d));
  }

  /** @internal All parameters as one flat copy (early stopping's best weights). */
  getWeightsFlat(): Float32Array {
    return this.backend.read(this.params!, 0, this.nParams) as Float32Array;
  }

  /** @internal */
  setWeightsFlat(w: Float32Array): void {
    this.backend.write(this.params!, w);
  }

  /** Number of scalar parameters. */
  countParams(): number {
    if (!this.params) this.build();
    return this.nParams;
  }

  getLayer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) fail('E_ARG', `getLayer: no layer named '${name}' (have: ${this.layers.map((x) => x.name).join(', ')})`);
    return l;
  }

  /** Give the model's memory back to the arena. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    if (this.be) {
      this.freePlan();
      for (const l of this.layers) l.dispose(this.be);
      if (this.params) this.be.free(this.params);
      if (this.grads) this.be.free(this.grads);
      if (this.backup) this.be.free(this.backup);
      this.compiled?.optimizer.release(this.be);
    }
    this.params = null;
    this.grads = null;
    this.disposed = true;
  }

  private alive(): void {
    if (this.disposed) fail('E_STATE', `${this.name} was disposed; create a new model`);
  }

  /** @internal */
  get inputSpec(): InputSpec | null {
    return this.inSpec;
  }
}

function argmax(a: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
  return best;
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

export function checkBatchSize(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail('E_ARG', `${where}: batchSize must be a positive integer, got ${describe(v)}`);
  return v;
}

export function sampleWeights(v: unknown, n: number, where: string): Float32Array {
  const d = toData(v, where, 'sampleWeight');
  if (d.data.length !== n) fail('E_SHAPE', `${where}: sampleWeight must have one weight per sample (${n}), got ${d.data.length}`);
  for (const x of d.data) if (!Number.isFinite(x) || x < 0) fail('E_ARG', `${where}: sample weights must be finite and >= 0, got ${x}`);
  return Float32Array.from(d.data);
}

export { identity };
