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
import type { Data } from '../models/data.js';
import { checkBatchSize, identity, sampleWeights, type Sequential, type Targets } from '../models/sequential.js';
import { type Callback, type Logs, TerminateOnNaN } from './callbacks.js';
import { MetricState } from './metrics.js';

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationData?: [unknown, unknown] | [unknown, unknown, unknown];
  validationSplit?: number;
  classWeight?: Record<number, number>;
  sampleWeight?: unknown;
  callbacks?: Callback[] | Callback;
  /** 0 = silent (default), 1 = one line per epoch through console.log */
  verbose?: 0 | 1;
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

const KEYS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'validationSplit', 'classWeight', 'sampleWeight',
  'callbacks', 'verbose', 'initialEpoch', 'signal'];

export async function fit(model: Sequential, x: unknown, y: unknown, opts: FitOptions = {}): Promise<History> {
  const where = 'fit';
  const o = options(where, opts, KEYS);
  const c = model.compiledState;
  const epochs = intOpt(where, 'epochs', o.epochs, 1, 1);
  const initialEpoch = intOpt(where, 'initialEpoch', o.initialEpoch, 0, 0);
  const batchSize = checkBatchSize(where, o.batchSize ?? 32);
  const shuffle = o.shuffle === undefined ? true : o.shuffle;
  if (typeof shuffle !== 'boolean') fail('E_ARG', `${where}: shuffle must be true or false`);
  const verbose = o.verbose ?? 0;
  if (verbose !== 0 && verbose !== 1) fail('E_ARG', `${where}: verbose must be 0 or 1`);
  const signal = o.signal as AbortSignal | undefined;
  const cbs: Callback[] = o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks as Callback];
  for (const cb of cbs) if (!cb || typeof cb !== 'object') fail('E_ARG', `${where}: callbacks must be objects with onEpochEnd/onBatchEnd/... hooks`);
  const stopOnNaN = cbs.some((cb) => cb instanceof TerminateOnNaN);

  // ---- validate and split everything before touching the model
  let xd = model.prepareInput(x, where);
  const T = xd.shape.length > 1 ? xd.shape[1] : 1;
  let n = xd.shape[0];
  let yt = model.prepareTargets(y, n, T, where);
  let sw = o.sampleWeight === undefined ? null : sampleWeights(o.sampleWeight, n, where);
  const cw = o.classWeight === undefined ? null : classWeights(o.classWeight, model.layers[model.layers.length - 1].units, where);
  let val: { x: Data; y: Targets; sw: Float32Array | null } | null = null;
  if (o.validationData !== undefined && o.validationSplit !== undefined) {
    fail('E_ARG', `${where}: give validationData or validationSplit, not both`);
  }
  if (o.validationData !== undefined) {
    const vd = o.validationData as unknown[];
    if (!Array.isArray(vd) || vd.length < 2 || vd.length > 3) fail('E_ARG', `${where}: validationData must be [xVal, yVal] or [xVal, yVal, sampleWeight]`);
    const vx = model.prepareInput(vd[0], `${where} (validationData)`);
    const vT = vx.shape.length > 1 ? vx.shape[1] : 1;
    val = {
      x: vx,
      y: model.prepareTargets(vd[1], vx.shape[0], vT, `${where} (validationData)`),
      sw: vd[2] === undefined ? null : sampleWeights(vd[2], vx.shape[0], `${where} (validationData)`),
    };
  } else if (o.validationSplit !== undefined) {
    const split = o.validationSplit;
    if (typeof split !== 'number' || !(split > 0 && split < 1)) fail('E_ARG', `${where}: validationSplit must be in (0, 1), got ${describe(split)}`);
    const nTrain = Math.floor(n * (1 - split));
    if (nTrain < 1 || nTrain >= n) fail('E_ARG', `${where}: validationSplit ${split} of ${n} samples leaves an empty training or validation set`);
    const cut = (d: Data, from: number, to: number): Data => {
      const per = d.data.length / d.shape[0];
      return { data: d.data.subarray(from * per, to * per), shape: [to - from, ...d.shape.slice(1)] };
    };
    const cutT = (t: Targets, from: number, to: number): Targets => ({ data: t.data.subarray(from * t.rowLen, to * t.rowLen), rowLen: t.rowLen });
    val = { x: cut(xd, nTrain, n), y: cutT(yt, nTrain, n), sw: sw ? sw.subarray(nTrain) : null };
    xd = cut(xd, 0, nTrain);
    yt = cutT(yt, 0, nTrain);
    sw = sw ? sw.subarray(0, nTrain) : null;
    n = nTrain;
  }

  // ---- train
  const C = model.layers[model.layers.length - 1].units;
  const metrics = new MetricState(c.loss.name, C, c.metrics);
  const valMetrics = new MetricState(c.loss.name, C, c.metrics);
  const order = identity(n);
  const history: History = { epoch: [], history: {} };
  const weighted = !!(sw || cw);
  const batches = Math.ceil(n / batchSize);
  model.stopTraining = false;
  for (const cb of cbs) cb.setModel?.(model);
  const logKeys = ['loss', ...c.metrics];
  if (val) logKeys.push(...logKeys.map((k) => `val_${k}`));
  for (const cb of cbs) cb.setParams?.({ epochs, steps: batches, samples: n, batchSize, initialEpoch, logKeys });
  for (const cb of cbs) await cb.onTrainBegin?.();
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
    metrics.reset();
    let lossSum = 0;
    let seen = 0;
    const t0 = now();
    for (let b = 0; b < batches && !model.stopTraining; b++) {
      if (signal?.aborted) throw new WasmRnnError('E_ABORT', `${where}: aborted (${String(signal.reason ?? 'signal')}) during epoch ${epoch + 1}, batch ${b + 1}`);
      const from = b * batchSize;
      const to = Math.min(n, from + batchSize);
      for (const cb of cbs) await cb.onBatchBegin?.(b);
      const { B, T: bt } = model.stage(xd, order, from, to, yt, sw, cw);
      let loss: number;
      try {
        loss = model.runBatch(B, bt, true, metrics, weighted);
      } catch (e) {
        if (stopOnNaN && e instanceof WasmRnnError && e.code === 'E_NUMERIC') {
          model.stopTraining = true;
          logs = { loss: NaN };
          break;
        }
        throw e;
      }
      lossSum += loss * B;
      seen += B;
      for (const cb of cbs) await cb.onBatchEnd?.(b, { batch: b, size: B, loss, ...metrics.results() });
      if (now() - lastYield > 16) {
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    if (seen === 0) break;
    logs = { loss: lossSum / seen, ...metrics.results() };
    if (val) {
      valMetrics.reset();
      const vn = val.x.shape[0];
      const vidx = identity(vn);
      let vsum = 0;
      for (let from = 0; from < vn; from += batchSize) {
        const to = Math.min(vn, from + batchSize);
        const { B, T: vt } = model.stage(val.x, vidx, from, to, val.y, val.sw);
        vsum += model.runBatch(B, vt, false, valMetrics, !!val.sw) * B;
      }
      logs.val_loss = vsum / vn;
      for (const [k, v] of Object.entries(valMetrics.results())) logs[`val_${k}`] = v;
    }
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    if (verbose === 1) {
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

function intOpt(where: string, name: string, v: unknown, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail('E_ARG', `${where}: ${name} must be an integer >= ${min}, got ${describe(v)}`);
  return v;
}

function classWeights(v: unknown, classes: number, where: string): Float32Array {
  if (!v || typeof v !== 'object') fail('E_ARG', `${where}: classWeight must be an object like { 0: 1, 1: 5 }`);
  const k = Math.max(2, classes);
  const out = new Float32Array(k).fill(1);
  for (const [key, w] of Object.entries(v as Record<string, unknown>)) {
    const c = Number(key);
    if (!Number.isInteger(c) || c < 0 || c >= k) fail('E_ARG', `${where}: classWeight key '${key}' is not a class id in [0, ${k})`);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) fail('E_ARG', `${where}: classWeight[${key}] must be a finite number >= 0, got ${describe(w)}`);
    out[c] = w;
  }
  return out;
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
