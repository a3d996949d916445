/**
 * Training an encoder-decoder with teacher forcing (batches.ts): one
 * trainOnBatch per batch, the batches grouped by length by default, so each
 * is padded only to its own longest sequence (the plan is sized once for the
 * longest batch and smaller ones run in it).
 *
 * The loss is sparse categorical cross-entropy averaged over the valid
 * (unpadded) target steps of a batch; an epoch's `loss` is the mean per
 * target token over the epoch (each batch's loss before its update, weighted
 * by its tokens), and `val_loss` the exact mean per token on validationData
 * after the epoch. Callbacks are the Keras/TF.js ones (progressBar,
 * earlyStopping with restoreBestWeights, ...).
 */
import { WasmRnnError, checkInt, checkKeys, checkObject, describe, fail } from '../errors.js';
import type { Model } from '../models/model.js';
import type { Callback, Logs } from '../train/callbacks.js';
import { yieldToEventLoop } from '../train/fit.js';
import { inOrder, lengthBuckets, teacherForcing } from './batches.js';
import { crossEntropy, logProbabilities } from './score.js';
import type { SequenceLike } from './vocab.js';

export interface Seq2seqFitOptions {
  epochs?: number;
  /** sequences per batch (default 64) */
  batchSize?: number;
  /** visit batches (and fill buckets) in a new random order every epoch (default true) */
  shuffle?: boolean;
  /** group sequences of similar length into batches (default true); false: batches in sample order (shuffled) */
  bucketByLength?: boolean;
  /** [sources, targets] scored after every epoch: val_loss */
  validationData?: [readonly SequenceLike[], readonly SequenceLike[]];
  callbacks?: Callback[] | Callback;
  /** 0 = silent (default), 1 = one line per epoch */
  verbose?: 0 | 1;
  signal?: AbortSignal;
}

export interface Seq2seqHistory {
  epoch: number[];
  /** loss, val_loss (mean nats per target token) and seqPerSec per epoch */
  history: Record<string, number[]>;
}

export const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'bucketByLength', 'validationData', 'callbacks', 'verbose', 'signal'];

export interface FitData {
  source: Int32Array[];
  target: Int32Array[];
  val: { source: Int32Array[]; target: Int32Array[] } | null;
}

export interface FitSettings {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  buckets: boolean;
  callbacks: Callback[];
  verbose: 0 | 1;
  signal: AbortSignal | undefined;
}

/** Check fit's options (the data are checked by the caller, which knows the vocabularies). */
export function fitSettings(where: string, opts: unknown): FitSettings {
  const o = checkObject(where, 'options', opts ?? {});
  checkKeys(where, o, FIT_KEYS);
  const epochs = checkInt(where, 'epochs', o.epochs ?? 1, 1);
  const batchSize = checkInt(where, 'batchSize', o.batchSize ?? 64, 1);
  const bool = (name: string, dflt: boolean) => {
    const v = o[name] ?? dflt;
    if (typeof v !== 'boolean') fail('E_ARG', `${where}: ${name} must be true or false, got ${describe(v)}`);
    return v;
  };
  const verbose = o.verbose ?? 0;
  if (verbose !== 0 && verbose !== 1) fail('E_ARG', `${where}: verbose must be 0 or 1, got ${describe(verbose)}`);
  const cbs = o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks];
  for (const cb of cbs)
    if (!cb || typeof cb !== 'object') fail('E_ARG', `${where}: callbacks must be objects with onEpochEnd/onBatchEnd/... hooks`);
  const signal = o.signal;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean')) {
    fail('E_ARG', `${where}: signal must be an AbortSignal`);
  }
  return {
    epochs,
    batchSize,
    shuffle: bool('shuffle', true),
    buckets: bool('bucketByLength', true),
    callbacks: cbs as Callback[],
    verbose: verbose as 0 | 1,
    signal: signal as AbortSignal | undefined,
  };
}

export async function fitSeq2seq(model: Model, data: FitData, s: FitSettings): Promise<Seq2seqHistory> {
  const where = 'fit';
  const { source, target } = data;
  const cbs = s.callbacks;
  const history: Seq2seqHistory = { epoch: [], history: {} };
  const plan = (rng: boolean) => {
    const r = rng ? model.rng : null;
    return s.buckets ? lengthBuckets(source, target, s.batchSize, r) : inOrder(source.length, s.batchSize, r);
  };
  const steps = Math.ceil(source.length / s.batchSize);
  const logKeys = ['loss', ...(data.val ? ['val_loss'] : [])];
  model.stopTraining = false;
  for (const cb of cbs) cb.setModel?.(model);
  for (const cb of cbs)
    cb.setParams?.({ epochs: s.epochs, steps, samples: source.length, batchSize: s.batchSize, initialEpoch: 0, logKeys });
  for (const cb of cbs) await cb.onTrainBegin?.();
  let logs: Logs = {};
  let lastYield = performance.now();
  for (let epoch = 0; epoch < s.epochs && !model.stopTraining; epoch++) {
    for (const cb of cbs) await cb.onEpochBegin?.(epoch);
    const t0 = performance.now();
    let nll = 0;
    let tokens = 0;
    let seen = 0;
    const batches = plan(s.shuffle);
    for (let b = 0; b < batches.length && !model.stopTraining; b++) {
      if (s.signal?.aborted)
        throw new WasmRnnError(
          'E_ABORT',
          `${where}: aborted (${String(s.signal.reason ?? 'signal')}) during epoch ${epoch + 1}, batch ${b + 1}`,
        );
      for (const cb of cbs) await cb.onBatchBegin?.(b);
      const tf = teacherForcing(source, target, batches[b]);
      const loss = model.trainOnBatch([tf.source, tf.decoderInput], tf.decoderTarget);
      nll += loss * tf.tokens;
      tokens += tf.tokens;
      seen += batches[b].length;
      for (const cb of cbs) await cb.onBatchEnd?.(b, { batch: b, size: batches[b].length, loss });
      if (performance.now() - lastYield > 16) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    if (seen === 0) break;
    const secs = (performance.now() - t0) / 1000;
    logs = { loss: nll / tokens };
    if (data.val)
      logs.val_loss = crossEntropy(logProbabilities(model, data.val.source, data.val.target, s.batchSize), data.val.target).loss;
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries({ ...logs, seqPerSec: seen / secs })) (history.history[k] ??= []).push(v);
    if (s.verbose === 1) {
      const parts = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
      console.log(`Epoch ${epoch + 1}/${s.epochs} - ${secs.toFixed(1)}s - ${parts.join(' - ')} - ${(seen / secs).toFixed(0)} seq/s`);
    }
    for (const cb of cbs) await cb.onEpochEnd?.(epoch, logs);
  }
  for (const cb of cbs) await cb.onTrainEnd?.(logs);
  return history;
}
