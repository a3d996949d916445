/**
 * The fit loop: epochs of shuffled mini-batches, validation, metrics,
 * callbacks, history; Keras semantics and TF.js option names.
 *
 * - validationSplit takes the last fraction of the samples, before shuffling
 *   (as Keras does).
 * - Shuffling and dropout draw from the model's seeded Rng: the same seed
 *   gives the same losses.
 * - Between batches fit yields to the event loop (at most every ~16 ms of
 *   work), so a page stays responsive while it trains.
 * - Everything is validated before the first update: a failed call leaves
 *   the weights as they were. A non-finite loss or gradient stops before the
 *   update that would have spread it (E_NUMERIC; with terminateOnNaN(), fit
 *   returns instead of throwing).
 */
import { describe, fail, WasmRnnError } from '../errors.js';
import { options } from '../layers/options.js';
import { identity, type Dataset } from '../models/engine.js';
import { checkBatchSize, sampleWeights, sliceData, sliceTargets } from '../models/feed.js';
import type { Model } from '../models/model.js';
import { type Callback, type Logs, TerminateOnNaN } from './callbacks.js';
import { ProgressBar } from './progress.js';
import type { MetricState } from './metrics.js';

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationData?: [unknown, unknown] | [unknown, unknown, unknown];
  validationSplit?: number;
  classWeight?: Record<number, number>;
  sampleWeight?: unknown;
  callbacks?: Callback[] | Callback;
  /**
   * Keras's: 0 silent, 1 a progress bar (redrawn in place on a terminal, a
   * line per epoch elsewhere), 2 one line per epoch. Default 'auto': 1 when
   * standard output is a terminal, else 0.
   */
  verbose?: 0 | 1 | 2 | 'auto';
  /** called with the first epoch's index when resuming */
  initialEpoch?: number;
  /** an AbortSignal that stops training (E_ABORT) between batches */
  signal?: AbortSignal;
}

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  /** shorthand: history.loss === history.history.loss (and every other key) */
  [key: string]: unknown;
}

const KEYS = [
  'epochs',
  'batchSize',
  'shuffle',
  'validationData',
  'validationSplit',
  'classWeight',
  'sampleWeight',
  'callbacks',
  'verbose',
  'initialEpoch',
  'signal',
];

export async function fit(model: Model, x: unknown, y: unknown, opts: FitOptions = {}): Promise<History> {
  const where = 'fit';
  const o = options(where, opts, KEYS);
  const e = model.engine(where, x);
  const heads = e.compiled(where);
  const epochs = intOpt(where, 'epochs', o.epochs, 1, 1);
  const initialEpoch = intOpt(where, 'initialEpoch', o.initialEpoch, 0, 0);
  const batchSize = checkBatchSize(where, o.batchSize ?? 32);
  const shuffle = o.shuffle === undefined ? true : o.shuffle;
  if (typeof shuffle !== 'boolean') fail('E_ARG', `${where}: shuffle must be true or false`);
  const v = o.verbose ?? 'auto';
  if (v !== 0 && v !== 1 && v !== 2 && v !== 'auto') fail('E_ARG', `${where}: verbose must be 0, 1, 2 or 'auto', got ${describe(v)}`);
  const signal = o.signal as AbortSignal | undefined;
  const cbs: Callback[] = o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? [...o.callbacks] : [o.callbacks as Callback];
  for (const cb of cbs)
    if (!cb || typeof cb !== 'object') fail('E_ARG', `${where}: callbacks must be objects with onEpochEnd/onBatchEnd/... hooks`);
  const verbose = v === 'auto' ? (isTerminal() ? 1 : 0) : v;
  // a progress bar the caller passed already shows progress
  if (verbose === 1 && !cbs.some((cb) => cb instanceof ProgressBar)) cbs.push(new ProgressBar());
  const stopOnNaN = cbs.some((cb) => cb instanceof TerminateOnNaN);

  // ---- validate and split everything before touching the model
  let ds = e.withTargets(e.dataset(x, where), y, where);
  ds.sampleWeight = o.sampleWeight === undefined ? null : sampleWeights(o.sampleWeight, ds.n, where);
  if (o.classWeight !== undefined) {
    if (heads.configs.length > 1) fail('E_ARG', `${where}: classWeight is for models with one output; use sampleWeight for several`);
    const shape = e.graph.outputs[0].spec.shape;
    ds.classWeight = classWeights(o.classWeight, shape[shape.length - 1], where);
  }
  let val: Dataset | null = null;
  if (o.validationData !== undefined && o.validationSplit !== undefined) {
    fail('E_ARG', `${where}: give validationData or validationSplit, not both`);
  }
  if (o.validationData !== undefined) {
    const vd = o.validationData as unknown[];
    if (!Array.isArray(vd) || vd.length < 2 || vd.length > 3)
      fail('E_ARG', `${where}: validationData must be [xVal, yVal] or [xVal, yVal, sampleWeight]`);
    const vw = `${where} (validationData)`;
    val = e.withTargets(e.dataset(vd[0], vw), vd[1], vw);
    val.sampleWeight = vd[2] === undefined ? null : sampleWeights(vd[2], val.n, vw);
  } else if (o.validationSplit !== undefined) {
    const split = o.validationSplit;
    if (typeof split !== 'number' || !(split > 0 && split < 1))
      fail('E_ARG', `${where}: validationSplit must be in (0, 1), got ${describe(split)}`);
    const nTrain = Math.floor(ds.n * (1 - split));
    if (nTrain < 1 || nTrain >= ds.n)
      fail('E_ARG', `${where}: validationSplit ${split} of ${ds.n} samples leaves an empty training or validation set`);
    val = cut(ds, nTrain, ds.n);
    val.classWeight = null;
    ds = cut(ds, 0, nTrain);
  }

  // ---- train
  const n = ds.n;
  const metrics = heads.newMetrics(e);
  const valMetrics = heads.newMetrics(e);
  const order = identity(n);
  const history: History = { epoch: [], history: {} };
  const weighted = !!(ds.sampleWeight || ds.classWeight);
  const batches = Math.ceil(n / batchSize);
  const parts = new Float64Array(heads.configs.length);
  model.stopTraining = false;
  for (const cb of cbs) cb.setModel?.(model);
  const logKeys = heads.logKeys();
  if (val) logKeys.push(...logKeys.map((k) => `val_${k}`));
  for (const cb of cbs) cb.setParams?.({ epochs, steps: batches, samples: n, batchSize, initialEpoch, logKeys });
  for (const cb of cbs) await cb.onTrainBegin?.();
  // the model may be disposed while fit awaits (a callback, a step over threads, a yield to the event loop)
  const alive = () => {
    if (e.isDisposed) fail('E_STATE', `${where}: ${model.name} was disposed during fit`);
  };
  let lastYield = now();
  let logs: Logs = {};
  for (let epoch = initialEpoch; epoch < initialEpoch + epochs && !model.stopTraining; epoch++) {
    for (const cb of cbs) await cb.onEpochBegin?.(epoch);
    if (shuffle) {
      // shuffle from the identity each epoch: the order then depends only on
      // the Rng's state, so a resumed run shuffles exactly like an unbroken one
      for (let i = 0; i < n; i++) order[i] = i;
      model.rng.shuffle(order);
    }
    reset(metrics);
    parts.fill(0);
    let lossSum = 0;
    let seen = 0;
    const t0 = now();
    for (let b = 0; b < batches && !model.stopTraining; b++) {
      if (signal?.aborted)
        throw new WasmRnnError(
          'E_ABORT',
          `${where}: aborted (${String(signal.reason ?? 'signal')}) during epoch ${epoch + 1}, batch ${b + 1}`,
        );
      const from = b * batchSize;
      const to = Math.min(n, from + batchSize);
      for (const cb of cbs) await cb.onBatchBegin?.(b);
      alive();
      const B = e.stage(ds, order, from, to);
      let loss: number;
      try {
        // over several threads (init({ threads })) the step is a promise: await it without blocking
        const r = e.stepAsync(B, true, metrics, weighted, model.name);
        loss = typeof r === 'number' ? r : await r;
      } catch (err) {
        if (stopOnNaN && err instanceof WasmRnnError && err.code === 'E_NUMERIC') {
          model.stopTraining = true;
          logs = { loss: NaN };
          break;
        }
        throw err;
      }
      lossSum += loss * B;
      for (let k = 0; k < parts.length; k++) parts[k] += heads.parts[k] * B;
      seen += B;
      if (cbs.length) {
        const batchLogs = { batch: b, size: B, loss, ...heads.results(metrics, heads.parts) };
        for (const cb of cbs) await cb.onBatchEnd?.(b, batchLogs);
      }
      if (now() - lastYield > 16) {
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    if (seen === 0) break;
    logs = {
      loss: lossSum / seen,
      ...heads.results(
        metrics,
        Array.from(parts, (p) => p / seen),
      ),
    };
    if (val) {
      reset(valMetrics);
      const vidx = identity(val.n);
      const vparts = new Float64Array(parts.length);
      let vsum = 0;
      for (let from = 0; from < val.n; from += batchSize) {
        const to = Math.min(val.n, from + batchSize);
        alive();
        const B = e.stage(val, vidx, from, to);
        const r = e.stepAsync(B, false, valMetrics, !!val.sampleWeight, model.name);
        vsum += (typeof r === 'number' ? r : await r) * B;
        for (let k = 0; k < vparts.length; k++) vparts[k] += heads.parts[k] * B;
      }
      logs.val_loss = vsum / val.n;
      for (const [k, v] of Object.entries(
        heads.results(
          valMetrics,
          Array.from(vparts, (p) => p / val!.n),
        ),
      ))
        logs[`val_${k}`] = v;
    }
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    if (verbose === 2) {
      const secs = (now() - t0) / 1000;
      const parts = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
      console.log(`Epoch ${epoch + 1}/${initialEpoch + epochs} - ${secs.toFixed(1)}s - ${parts.join(' - ')}`);
    }
    for (const cb of cbs) await cb.onEpochEnd?.(epoch, logs);
  }
  for (const cb of cbs) await cb.onTrainEnd?.(logs);
  for (const [k, v] of Object.entries(history.history)) history[k] = v;
  return history;
}

/** Samples [from, to) of a dataset: views of every input and target, no copies. */
function cut(ds: Dataset, from: number, to: number): Dataset {
  return {
    ...ds,
    n: to - from,
    inputs: ds.inputs.map((d) => sliceData(d, from, to)),
    targets: ds.targets!.map((t) => (t ? sliceTargets(t, from, to) : null)),
    sampleWeight: ds.sampleWeight ? ds.sampleWeight.subarray(from, to) : null,
  };
}

function reset(ms: readonly (MetricState | null)[]): void {
  for (const m of ms) m?.reset();
}

function intOpt(where: string, name: string, v: unknown, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    fail('E_ARG', `${where}: ${name} must be an integer >= ${min}, got ${describe(v)}`);
  return v;
}

function classWeights(v: unknown, classes: number, where: string): Float32Array {
  if (!v || typeof v !== 'object') fail('E_ARG', `${where}: classWeight must be an object like { 0: 1, 1: 5 }`);
  const k = Math.max(2, classes);
  const out = new Float32Array(k).fill(1);
  for (const [key, w] of Object.entries(v as Record<string, unknown>)) {
    const c = Number(key);
    if (!Number.isInteger(c) || c < 0 || c >= k) fail('E_ARG', `${where}: classWeight key '${key}' is not a class id in [0, ${k})`);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      fail('E_ARG', `${where}: classWeight[${key}] must be a finite number >= 0, got ${describe(w)}`);
    out[c] = w;
  }
  return out;
}

/** Standard output is a terminal (Node, Deno, Bun); false in browsers and workers. */
function isTerminal(): boolean {
  const p = (globalThis as { process?: { stdout?: { isTTY?: boolean } } }).process;
  return !!p?.stdout?.isTTY;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** A macrotask turn: setImmediate where it exists (no 4 ms clamp), else a MessageChannel, else setTimeout. */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void; MessageChannel?: typeof MessageChannel };
  if (g.setImmediate) return new Promise((r) => g.setImmediate!(r));
  if (g.MessageChannel) {
    return new Promise((r) => {
      const ch = new g.MessageChannel!();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}
