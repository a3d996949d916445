/**
 * The graph engine: what every model shares, whatever its topology.
 *
 *  - one run per node (a layer called at several nodes has several runs and
 *    one set of weights) and one Value per tensor, made once;
 *  - forward in topological order; backward in reverse, where a tensor read
 *    by several nodes receives the sum of their gradients (into its plan
 *    accumulator, `+=`), and a node none of whose outputs received a
 *    gradient is skipped;
 *  - staging of a batch (inputs, targets, sample and class weights) into the
 *    plan, the loss heads, and the training step with its guards.
 *
 * Models (model.ts, sequential.ts) are thin APIs over this; fit (train/fit.ts)
 * drives it directly: dataset -> stage -> trainBatch / evalBatch.
 */
import type { Backend, Buf } from '../backend/backend.js';
import { WasmRnnError, fail } from '../errors.js';
import { sizeOf, type Layer, type LayerRun, type RunContext, type Shape, type TensorSpec, type Value } from '../layers/layer.js';
import type { Rng } from '../rng.js';
import { type Data, gatherRows } from './data.js';
import type { Graph } from './graph.js';
import { Heads, type HeadConfig } from './heads.js';
import { readInputs, readTargets, rowsAndWidth, type InputInfo, type Targets } from './feed.js';
import { Params } from './params.js';
import { Plan } from './plan.js';
import type { MetricState } from '../train/metrics.js';
import type { Parallel } from '../threads/driver.js';

/** Everything fit/evaluate/predict feed the engine, checked once. */
export interface Dataset {
  n: number;
  inputs: Data[];
  /** per-sample input shapes */
  inShapes: Shape[];
  /** every tensor's concrete per-sample spec for these inputs */
  specs: TensorSpec[];
  /** per output: its targets (null: no targets given, or the output has no loss) */
  targets: (Targets | null)[] | null;
  sampleWeight: Float32Array | null;
  classWeight: Float32Array | null;
}

export class Engine {
  readonly params: Params;
  readonly runs: LayerRun[];
  readonly values: Value[];
  readonly inputs: InputInfo[];
  heads: Heads | null = null;
  private plan_: Plan | null = null;
  private readonly ctx: RunContext;
  private readonly ins: Value[][];
  private readonly outs: Value[][];
  private readonly dOuts: (Buf | null)[][];
  private readonly dIns: (Buf | null)[][];
  private readonly need: boolean[][];
  /** per tensor, its gradient during backward (null: none yet) */
  private readonly grads: (Buf | null)[];
  /** per output, its tensor's index */
  private readonly outTensor: readonly number[];
  /** per tensor, whether a gradient must flow into it (training: a trainable weight lies upstream) */
  private requires: boolean[] = [];
  /** what `requires` was computed for: input gradients wanted, and each layer's trainable flag */
  private requiresInputs = false;
  private readonly requiresTrainable: boolean[] = [];
  private stepB = -1;
  private disposed = false;
  private specsKey = '';
  private specs: TensorSpec[] = [];
  /** the data-parallel driver when the backend runs several threads (src/threads), made on first use */
  private parallel_: Parallel | null = null;

  constructor(
    readonly graph: Graph,
    readonly be: Backend,
    readonly rng: Rng,
    initialize: boolean,
    readonly where: string,
  ) {
    this.inputs = graph.inputs.map((t) => inputInfo(graph, t.name, graph.at(t), where));
    this.params = new Params(be, graph.layers, rng, initialize, where);
    this.runs = graph.nodes.map((n) =>
      n.layer.createRun(
        n.call,
        n.inputs.map((t) => t.spec),
        this.params.byLayer.get(n.layer)!,
      ),
    );
    this.values = graph.tensors.map((t) => ({ buf: null as unknown as Buf, mask: null, shape: t.spec.shape.map((d) => Math.max(d, 0)) }));
    this.ins = graph.nodeIn.map((ix) => ix.map((i) => this.values[i]));
    this.outs = graph.nodeOut.map((ix) => ix.map((i) => this.values[i]));
    this.dOuts = graph.nodeOut.map((ix) => ix.map(() => null));
    this.dIns = graph.nodeIn.map((ix) => ix.map(() => null));
    this.need = graph.nodeIn.map((ix) => ix.map(() => false));
    this.grads = graph.tensors.map(() => null);
    this.outTensor = graph.outputs.map((t) => graph.at(t));
    this.ctx = { backend: be, B: 0, training: false, stepping: false, nextSeed: () => this.rng.nextU32() };
  }

  get plan(): Plan | null {
    return this.plan_;
  }

  // ------------------------------------------------------------ datasets

  /** Read and check x (and y, weights) against the graph, before anything is staged. */
  dataset(x: unknown, where: string): Dataset {
    const inputs = readInputs(x, this.inputs, where);
    const inShapes = inputs.map((d) => d.shape.slice(1));
    return {
      n: inputs[0].shape[0],
      inputs,
      inShapes,
      specs: this.specsFor(inShapes, where),
      targets: null,
      sampleWeight: null,
      classWeight: null,
    };
  }

  /** Every tensor's concrete spec for inputs of these shapes (the last answer is kept: step-by-step calls repeat it). */
  private specsFor(inShapes: readonly Shape[], where: string): TensorSpec[] {
    const key = inShapes.map((s) => s.join(',')).join(';');
    if (key === this.specsKey) return this.specs;
    try {
      this.specs = this.graph.concrete(inShapes);
      this.specsKey = key;
      return this.specs;
    } catch (e) {
      if (e instanceof WasmRnnError)
        throw new WasmRnnError(
          e.code,
          `${where}: inputs of shape ${inShapes.map((s) => `[${s}]`).join(', ')} do not fit the model: ${e.message}`,
        );
      throw e;
    }
  }

  /** Targets for every output that has a loss. */
  withTargets(ds: Dataset, y: unknown, where: string): Dataset {
    const heads = this.compiled(where);
    const names = heads.configs.map((h) => h.name);
    const parts = heads.split(y, where);
    ds.targets = heads.configs.map((h, k) => {
      if (!h.loss) return null;
      const spec = { name: h.name, loss: h.loss.name, out: ds.specs[this.graph.at(this.graph.outputs[k])] };
      return readTargets(parts[k], spec, ds.n, where, names.length === 1 ? 'y' : `y['${h.name}']`);
    });
    return ds;
  }

  compiled(where: string): Heads {
    if (!this.heads) fail('E_STATE', `${where}: call compile({ optimizer, loss }) before fit/evaluate/trainOnBatch`);
    return this.heads;
  }

  // ---------------------------------------------------------------- plan

  /** Make sure buffers exist for batches of B with inputs of these per-sample shapes. */
  ensurePlan(B: number, inShapes: readonly Shape[]): Plan {
    const p = this.plan_;
    if (p && p.holds(B, inShapes)) return p;
    const nb = Math.max(B, p?.B ?? 0);
    const shapes = inShapes.map((s, i) => s.map((d, j) => Math.max(d, p?.inShapes[i][j] ?? 0)));
    this.freePlan();
    const sparse = this.graph.outputs.map((_, k) => this.heads?.configs[k].loss?.name === 'sparseCategoricalCrossentropy');
    this.plan_ = new Plan(
      nb,
      shapes,
      this.be,
      this.graph,
      this.runs,
      this.inputs.map((i) => i.kind === 'ids'),
      sparse,
      this.fanIn(),
      this.where,
    );
    return this.plan_;
  }

  freePlan(): void {
    this.plan_?.free(this.be);
    this.plan_ = null;
  }

  /** Per tensor, how many gradients can reach it: one per reading (node, slot), one per output it is. */
  private fanIn(): number[] {
    const f = this.graph.uses.slice();
    for (const t of this.graph.outputs) f[this.graph.at(t)]++;
    return f;
  }

  // ------------------------------------------------------------- staging

  /** Stage samples idx[from..to) of a dataset (inputs, and targets and weights when it has them). */
  stage(ds: Dataset, idx: ArrayLike<number>, from: number, to: number): number {
    const B = to - from;
    const p = this.ensurePlan(B, ds.inShapes);
    for (let i = 0; i < ds.inputs.length; i++) {
      const d = ds.inputs[i];
      const rowLen = d.data.length / d.shape[0];
      gatherRows(p.hostX[i], d.data, rowLen, idx, from, to);
      this.be.write(p.staged[i], p.hostX[i].subarray(0, B * rowLen));
      const v = this.values[i];
      v.buf = p.staged[i];
      v.mask = null;
      for (let j = 0; j < ds.inShapes[i].length; j++) v.shape[j] = ds.inShapes[i][j];
    }
    if (ds.targets) this.heads!.stage(this.be, p, ds, idx, from, to);
    return B;
  }

  // ------------------------------------------------------------ forward

  forward(B: number, training: boolean, stepping = false): void {
    const c = this.ctx;
    c.B = B;
    c.training = training;
    c.stepping = stepping;
    for (let k = 0; k < this.runs.length; k++) this.runs[k].forward(c, this.ins[k], this.outs[k]);
  }

  /** The Value of output k after forward. */
  output(k: number): Value {
    return this.values[this.outTensor[k]];
  }

  // ----------------------------------------------------------- backward

  /**
   * Which tensors need a gradient: those downstream of a trainable weight
   * (for training), plus float model inputs when `inputs` is set
   * (gradients()). Recomputed when `trainable` flags change.
   */
  private requiresGrad(inputs: boolean): boolean[] {
    const g = this.graph;
    let same = this.requires.length > 0 && inputs === this.requiresInputs;
    for (let i = 0; i < g.layers.length && same; i++) same = g.layers[i].trainable === this.requiresTrainable[i];
    if (same) return this.requires;
    const r = g.tensors.map((t, i) => inputs && i < g.inputs.length && this.inputs[i].kind === 'float');
    g.nodes.forEach((n, k) => {
      const own = n.layer.trainable && this.params.byLayer.get(n.layer)!.length > 0;
      const up = g.nodeIn[k].some((i) => r[i]);
      for (const i of g.nodeOut[k]) r[i] = (own || up) && g.tensors[i].spec.dtype === 'float32';
    });
    this.requires = r;
    this.requiresInputs = inputs;
    g.layers.forEach((l, i) => (this.requiresTrainable[i] = l.trainable));
    return r;
  }

  /** Add gradient `d` into tensor i's (aliasing the first one, summing into the plan accumulator after). */
  private addGrad(i: number, d: Buf, B: number): void {
    const cur = this.grads[i];
    if (cur === null) {
      this.grads[i] = d;
      return;
    }
    const acc = this.plan_!.acc[i]!;
    const n = B * sizeOf(this.values[i].shape);
    if (cur === acc) this.be.axpy(acc, d, 1, n);
    else this.be.add(acc, cur, d, n);
    this.grads[i] = acc;
  }

  /**
   * Backward from seeds (dL/d output k, or null) through every node.
   * Weight gradients add into the gradient block (zero it first); returns
   * the gradient of each model input when `inputs` is set.
   */
  backward(B: number, seeds: readonly (Buf | null)[], inputs = false): (Buf | null)[] {
    const g = this.graph;
    const req = this.requiresGrad(inputs);
    this.grads.fill(null);
    for (let k = 0; k < seeds.length; k++) {
      const s = seeds[k];
      if (s) this.addGrad(this.outTensor[k], s, B);
    }
    for (let k = this.runs.length - 1; k >= 0; k--) {
      const outIx = g.nodeOut[k];
      const dOuts = this.dOuts[k];
      let any = false;
      for (let j = 0; j < outIx.length; j++) {
        dOuts[j] = req[outIx[j]] ? this.grads[outIx[j]] : null;
        any ||= dOuts[j] !== null;
      }
      if (!any) continue;
      const inIx = g.nodeIn[k];
      const need = this.need[k];
      // masks and tensor call options (after the data and the states) carry no gradient
      const call = g.nodes[k].call;
      const nGrad = call.nInputs + call.nStates;
      for (let j = 0; j < inIx.length; j++) need[j] = j < nGrad && req[inIx[j]];
      const dIns = this.dIns[k];
      this.runs[k].backward(this.ctx, dOuts, need, dIns);
      for (let j = 0; j < inIx.length; j++) if (need[j] && dIns[j]) this.addGrad(inIx[j], dIns[j]!, B);
    }
    return g.inputs.map((_, i) => this.grads[i]);
  }

  // --------------------------------------------------------------- steps

  /**
   * The driver that splits a batch of B over the backend's threads
   * (init({ threads })), or null: this thread runs it alone.
   */
  parallel(B: number): Parallel | null {
    const pool = this.be.pool;
    if (!pool) return null;
    this.parallel_ ??= pool.attach(this);
    return this.parallel_.splits(B) ? this.parallel_ : null;
  }

  /**
   * One forward + loss (+ backward + update when training) on the staged
   * batch. Returns the weighted total loss. On a non-finite loss or gradient
   * nothing is updated and an E_NUMERIC error names the layer.
   */
  step(B: number, train: boolean, metrics: readonly (MetricState | null)[] | null, weighted: boolean, modelName: string): number {
    const par = this.parallel(B);
    if (par) return par.step(B, train, metrics, weighted, modelName);
    const heads = this.compiled('fit');
    const p = this.plan_!;
    this.forward(B, train);
    const loss = heads.loss(this.be, p, this, B, metrics, weighted);
    this.checkLoss(loss, modelName);
    if (!train) return loss;
    const params = this.params;
    this.be.fill(params.grads, 0, params.size);
    this.backward(B, heads.seeds(p));
    this.update(modelName);
    return loss;
  }

  /** step() for fit: over several threads it waits for them without blocking this thread. */
  stepAsync(
    B: number,
    train: boolean,
    metrics: readonly (MetricState | null)[] | null,
    weighted: boolean,
    modelName: string,
  ): number | Promise<number> {
    const par = this.parallel(B);
    return par ? par.stepAsync(B, train, metrics, weighted, modelName) : this.step(B, train, metrics, weighted, modelName);
  }

  /** A non-finite loss stops the step before anything is updated. */
  checkLoss(loss: number, modelName: string): void {
    if (!Number.isFinite(loss)) {
      throw new WasmRnnError(
        'E_NUMERIC',
        `${modelName}: the loss is ${loss}; weights were not updated. ` +
          'Lower the learning rate, clip gradients (clipnorm/clipvalue), or check the inputs for extreme values',
      );
    }
  }

  /**
   * The end of a training step, once the gradient block holds the batch's
   * gradient: frozen layers' gradients cleared, the non-finite guards, the
   * optimizer step (undone when it made a weight non-finite).
   */
  update(modelName: string): void {
    const heads = this.compiled('fit');
    const params = this.params;
    params.clearFrozen();
    const badGrad = this.be.hasNonFinite(params.grads, params.size) ? params.findNonFinite('dw') : null;
    if (badGrad) {
      throw new WasmRnnError(
        'E_NUMERIC',
        `${modelName}: non-finite gradient in layer '${badGrad.layer.name}' (weight '${badGrad.slot.spec.name}'); ` +
          'weights were not updated. Lower the learning rate or clip gradients (clipnorm/clipvalue)',
      );
    }
    // keep the weights from before the update: an update can still overflow
    // (a huge learning rate, momentum running away) and must not survive
    params.backup(false);
    const opt = heads.optimizer;
    opt.step(this.be, params.grads, params.size, params.segments, heads.clipSlots(params));
    const bad = params.findNonFinite('w');
    if (bad) {
      params.backup(true);
      opt.attach(this.be, params.size);
      throw new WasmRnnError(
        'E_NUMERIC',
        `${modelName}: the update made weight '${bad.slot.spec.name}' of layer '${bad.layer.name}' non-finite; ` +
          'the weights from before the step were restored and the optimizer state reset. Lower the learning rate or clip gradients',
      );
    }
  }

  /** Run every output for every sample, batch by batch; the outputs as flat arrays. */
  infer(ds: Dataset, batchSize: number, stepping: boolean): Float32Array[] {
    const par = stepping ? null : this.parallel(Math.min(batchSize, ds.n));
    if (par) return par.infer(ds, batchSize);
    const n = ds.n;
    const g = this.graph;
    const per = g.outputs.map((t) => sizeOf(ds.specs[g.at(t)].shape));
    const result = per.map((k) => new Float32Array(n * k));
    const idx = identity(n);
    for (let from = 0; from < n; from += batchSize) {
      const to = Math.min(n, from + batchSize);
      const B = this.stage(ds, idx, from, to);
      this.forward(B, false, stepping);
      per.forEach((k, o) => this.be.readInto(this.output(o).buf, result[o].subarray(from * k, to * k)));
    }
    return result;
  }

  /** Step mode for a batch of B: a new batch size starts every carried state over. */
  beginSteps(B: number, ds: Dataset): void {
    for (const r of this.runs) r.checkStep();
    if (B === this.stepB) return;
    this.ensurePlan(B, ds.inShapes);
    this.resetStates();
    this.stepB = B;
  }

  resetStates(): void {
    for (const r of this.runs) r.resetStates(this.be);
  }

  /** Whether dispose() ran (fit checks it after each await). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parallel_?.dispose();
    this.freePlan();
    for (const r of this.runs) r.dispose(this.be);
    this.heads?.release(this.be);
    this.params.release();
  }
}

/** How model input `name` is staged: ids (read only by embeddings) or floats. */
function inputInfo(graph: Graph, name: string, i: number, where: string): InputInfo {
  const t = graph.tensors[i];
  const readers = graph.nodes.filter((n) => n.inputs.slice(0, n.call.nInputs).includes(t)).map((n) => n.layer);
  const idReaders = readers.filter((l) => l.idBound);
  if (idReaders.length && idReaders.length < readers.length) {
    const other = readers.find((l) => !l.idBound)!;
    fail(
      'E_ARG',
      `${where}: input '${name}' feeds the embedding '${idReaders[0].name}' (token ids) and '${other.name}' (floats); give each its own input`,
    );
  }
  const ids = t.spec.dtype === 'int32' || idReaders.length > 0;
  // the smallest vocabulary bounds the ids; the error names its layer and option
  const least = idReaders.reduce<Layer | undefined>((a, l) => (a && a.idBound!.count <= l.idBound!.count ? a : l), undefined);
  const vocab = least?.idBound!.count;
  const vocabFrom = least && `${least.idBound!.option} of the ${least.className} '${least.name}'`;
  return { name, kind: ids ? 'ids' : 'float', shape: [...t.spec.shape], vocab, vocabFrom };
}

export function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

export { rowsAndWidth };
