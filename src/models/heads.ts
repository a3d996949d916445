/**
 * The loss heads of a compiled model: per output a loss (or none), its
 * metrics and weight, fused with the output layer's sigmoid/softmax where the
 * loss is a cross-entropy (the kernel reads the logits and hands back
 * dL/dz). The total loss is Σ lossWeight_k · loss_k; each loss is Keras's
 * "sum over batch size", averaged over valid steps for masked per-step
 * outputs.
 *
 * Compile options, Keras style: `loss` one for every output, an array by
 * output, or an object by output name; `metrics` likewise (a flat array
 * applies to every output); `lossWeights` an array or an object.
 */
import type { Backend, Buf } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import type { ActivationName } from '../backend/abi.js';
import type { Layer, LayerRun, WeightSlot } from '../layers/layer.js';
import { getLoss, lossHead, type LossName, type LossSpec } from '../train/losses.js';
import { MetricState, checkMetrics, type MetricName } from '../train/metrics.js';
import type { Optimizer } from '../train/optimizers.js';
import type { Engine, Dataset } from './engine.js';
import { perName, rowsAndWidth } from './feed.js';
import type { Params } from './params.js';
import type { Plan } from './plan.js';
import { gatherRows } from './data.js';

export interface HeadConfig {
  /** the output's name (its layer's name) */
  name: string;
  loss: LossSpec | null;
  metrics: MetricName[];
  weight: number;
}

export class Heads {
  /** Per-output loss values of the last loss() call. */
  readonly parts: number[] = [];
  private seedsFor: Plan | null = null;
  private seeds_: (Buf | null)[] = [];

  constructor(
    readonly configs: readonly HeadConfig[],
    readonly optimizer: Optimizer,
    /** per output, its tensor's index in the graph */
    private readonly outTensor: readonly number[],
    /** per output, the run whose logits a fused loss reads */
    private readonly logitsRun: readonly (LayerRun | null)[],
  ) {}

  /** Per-output values from one (one output), an array, or an object by name. */
  split(v: unknown, where: string): unknown[] {
    return perName(
      v,
      this.configs.map((c) => c.name),
      where,
      'output',
    );
  }

  /** Keys of the logs, Keras style: 'loss', then per output '<name>_loss' and '<name>_<metric>' when there are several. */
  logKeys(): string[] {
    const many = this.configs.length > 1;
    const keys = ['loss'];
    for (const c of this.configs) {
      if (many && c.loss) keys.push(`${c.name}_loss`);
      for (const m of c.metrics) keys.push(many ? `${c.name}_${m}` : m);
    }
    return keys;
  }

  /** One MetricState per output with a loss. */
  newMetrics(engine: Engine): (MetricState | null)[] {
    return this.configs.map((c, k) => {
      if (!c.loss) return null;
      const shape = engine.graph.outputs[k].spec.shape;
      return new MetricState(c.loss.name, shape[shape.length - 1], c.metrics);
    });
  }

  /** Logs from the per-output losses of the last `lossParts()` and the metric states. */
  results(metrics: readonly (MetricState | null)[], lossParts: readonly number[]): Record<string, number> {
    const out: Record<string, number> = {};
    const many = this.configs.length > 1;
    this.configs.forEach((c, k) => {
      if (many && c.loss) out[`${c.name}_loss`] = lossParts[k];
      const r = metrics[k]?.results() ?? {};
      for (const [m, v] of Object.entries(r)) out[many ? `${c.name}_${m}` : m] = v;
    });
    return out;
  }

  /** Stage targets and per-row weights of samples idx[from..to). */
  stage(be: Backend, p: Plan, ds: Dataset, idx: ArrayLike<number>, from: number, to: number): void {
    const B = to - from;
    const sw = ds.sampleWeight;
    const cw = ds.classWeight;
    for (let k = 0; k < this.configs.length; k++) {
      const y = ds.targets![k];
      if (!y) continue;
      const o = p.outputs[k];
      gatherRows(o.hostY, y.data, y.rowLen, idx, from, to);
      be.write(o.y, o.hostY.subarray(0, B * y.rowLen));
      if (!sw && !cw) continue;
      const { rows } = rowsAndWidth(ds.specs[this.outTensor[k]]);
      const per = y.rowLen / rows;
      for (let b = 0; b < B; b++) {
        for (let r = 0; r < rows; r++) {
          const i = b * rows + r;
          let wv = sw ? sw[idx[from + b]] : 1;
          if (cw) {
            // the class of this row: a 0/1 target, a class id, or a one-hot row
            const label = per > 1 ? argmax(o.hostY, i * per, per) : y.data instanceof Int32Array ? o.hostY[i] : o.hostY[i] > 0.5 ? 1 : 0;
            wv *= cw[label] ?? 1;
          }
          o.hostW[i] = wv;
        }
      }
    }
  }

  /** The weighted total loss of the batch; fills each output's gradient seed and updates the metrics. */
  loss(be: Backend, p: Plan, engine: Engine, B: number, metrics: readonly (MetricState | null)[] | null, weighted: boolean): number {
    let total = 0;
    for (let k = 0; k < this.configs.length; k++) {
      const c = this.configs[k];
      this.parts[k] = 0;
      if (!c.loss) continue;
      const out = engine.output(k);
      const o = p.outputs[k];
      const C = out.shape[out.shape.length - 1];
      const N = (B * sizeOfShape(out.shape)) / C;
      // weights: sample/class weights, times the output mask for per-step outputs
      let count = N;
      let w = weighted ? o.w : null;
      if (out.mask) {
        be.readInto(out.mask, o.hostValid.subarray(0, N));
        count = 0;
        for (let i = 0; i < N; i++) {
          count += o.hostValid[i];
          o.hostW[i] = (weighted ? o.hostW[i] : 1) * o.hostValid[i];
        }
        be.write(o.w, o.hostW.subarray(0, N));
        w = o.w;
      } else if (weighted) {
        be.write(o.w, o.hostW.subarray(0, N));
      }
      const name = c.loss.name;
      const perElement = name === 'binaryCrossentropy' || name === 'meanSquaredError' ? C : 1;
      const scale = 1 / (Math.max(1, count) * perElement);
      const gscale = scale * c.weight;
      let sum: number;
      // the kernels return Σ w·loss and scale the gradient they write by gscale
      const run = this.logitsRun[k];
      if (!run) sum = be.mse(o.seed, out.buf, o.y, w, N, C, gscale);
      else {
        const z = run.logits()!.z;
        if (name === 'binaryCrossentropy') sum = be.bceLogits(o.seed, z, o.y, w, N, C, gscale);
        else sum = be.softmaxCe(o.seed, z, o.y, w, N, C, name === 'sparseCategoricalCrossentropy', gscale);
      }
      this.parts[k] = sum * scale;
      total += c.weight * this.parts[k];
      const m = metrics?.[k];
      if (m) {
        be.readInto(out.buf, o.hostP.subarray(0, N * C));
        m.update(o.hostP, o.hostY, N, out.mask ? o.hostValid : null);
      }
    }
    return total;
  }

  /** Per output, the gradient seed the last loss() filled (null for an output without a loss). */
  seeds(p: Plan): readonly (Buf | null)[] {
    if (this.seedsFor !== p) {
      this.seeds_ = this.configs.map((c, k) => (c.loss ? p.outputs[k].seed : null));
      this.seedsFor = p;
    }
    return this.seeds_;
  }

  /** The weights clipnorm clips one by one: the trainable ones. */
  clipSlots(params: Params): readonly WeightSlot[] {
    return this.optimizer.clipnorm === null ? [] : params.trainableSlots();
  }

  release(be: Backend): void {
    this.optimizer.release(be);
  }
}

function sizeOfShape(s: readonly number[]): number {
  let n = 1;
  for (const d of s) n *= d;
  return n;
}

function argmax(a: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
  return best;
}

/** Per-output values of a compile option: one for all, an array, or an object by output name. */
export function perOutput<T>(v: unknown, names: readonly string[], where: string, what: string, one: (x: unknown) => boolean): unknown[] {
  if (v === undefined) return names.map(() => undefined);
  if (one(v)) return names.map(() => v);
  if (Array.isArray(v)) {
    if (v.length !== names.length)
      fail('E_ARG', `${where}: ${what} has ${v.length} entries but the model has ${names.length} outputs (${names.join(', ')})`);
    return v;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, T>;
    const extra = Object.keys(o).filter((k) => !names.includes(k));
    if (extra.length)
      fail(
        'E_ARG',
        `${where}: ${what} names unknown output${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} (outputs: ${names.join(', ')})`,
      );
    return names.map((n) => o[n]);
  }
  return fail('E_ARG', `${where}: ${what} must be one value, an array by output, or an object by output name, got ${describe(v)}`);
}

/** What compile needs to know of one model output. */
export interface OutputInfo {
  name: string;
  /** the layer that makes it, and which of its outputs it is */
  layer: Layer;
  index: number;
  /** another layer of the model reads it too */
  internal: boolean;
}

export interface CompileOptions {
  optimizer: OptimizerLike;
  /** one loss for every output, an array by output, or an object by output name (null: no loss for that output) */
  loss: LossLike | (LossLike | null)[] | Record<string, LossLike | null>;
  /** ['accuracy', ...] for every output, or per output (array of arrays, or an object by output name) */
  metrics?: MetricLike[] | MetricLike[][] | Record<string, MetricLike[]>;
  /** per-output weights of the total loss (array or object by output name; default 1) */
  lossWeights?: number[] | Record<string, number>;
}

export type OptimizerLike = 'sgd' | 'adam' | 'rmsprop' | 'adagrad' | Optimizer;
export type LossLike =
  | LossName
  | 'binary_crossentropy'
  | 'categorical_crossentropy'
  | 'sparse_categorical_crossentropy'
  | 'mean_squared_error'
  | 'mse'
  | LossSpec;
export type MetricLike = MetricName | 'acc';

/** The heads' settings for these outputs: every loss, metric and weight checked against the output it attaches to. */
export function resolveHeads(opts: CompileOptions, outs: readonly OutputInfo[]): HeadConfig[] {
  const where = 'compile';
  const names = outs.map((o) => o.name);
  const isLoss = (v: unknown) =>
    typeof v === 'string' ||
    (!!v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof (v as LossSpec).name === 'string' &&
      !names.includes((v as LossSpec).name));
  const lossList = perOutput(opts.loss, names, where, 'loss', isLoss);
  const isMetricList = (v: unknown) => Array.isArray(v) && v.every((m) => typeof m === 'string');
  const metricList = perOutput(
    opts.metrics,
    names,
    where,
    'metrics',
    (v) => isMetricList(v) && (names.length === 1 || !(Array.isArray(v) && v.length === names.length && v.every(Array.isArray))),
  );
  const weightList = perOutput(opts.lossWeights, names, where, 'lossWeights', (v) => typeof v === 'number');
  if (lossList.every((l) => l === null || l === undefined)) fail('E_ARG', `${where}: loss is required (for at least one output)`);
  return outs.map((o, k) => {
    const l = lossList[k];
    const loss = l === null || l === undefined ? null : getLoss(l);
    const metrics = loss ? checkMetrics(metricList[k]) : [];
    if (!loss && metricList[k] !== undefined && (metricList[k] as unknown[]).length > 0)
      fail('E_ARG', `${where}: output '${o.name}' has metrics but no loss`);
    const w = weightList[k] ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      fail('E_ARG', `${where}: lossWeights for '${o.name}' must be a finite number >= 0, got ${describe(w)}`);
    if (loss) {
      const layer = o.layer as Layer & { activation?: ActivationName };
      const head = lossHead(loss, {
        className: layer.className,
        activation: layer.activation,
        name: layer.name,
        logits: o.index === 0 && layer.fusable,
      });
      if (head === 'logits' && o.internal) {
        fail(
          'E_ARG',
          `${where}: output '${o.name}' is also read by another layer of the model, so ${loss.name} cannot read its logits; give the loss a separate output`,
        );
      }
      // validate the metric/loss pairing now rather than at the first batch
      new MetricState(loss.name, 1, metrics);
    }
    return { name: o.name, loss, metrics, weight: w };
  });
}
