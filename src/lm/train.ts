/**
 * Building and training a language model:
 *
 *   embedding(V, E) -> [lstm | gru | simpleRNN](H, returnSequences) x layers
 *     (-> dropout) -> dense(V, softmax) at every step
 *   loss: sparse categorical cross-entropy over every step (from the logits)
 *
 * fitLanguageModel trains on one long token stream. With stateful layers
 * (languageModel's default) it uses statefulBatches: batch k+1 continues
 * every row of batch k, fit runs with shuffle off, and the states are reset
 * at the start of each epoch, so the model learns context longer than one
 * window (truncated backpropagation through time, as char-rnn). Without
 * stateful layers it trains on shuffled independent windows (lmWindows).
 * Held-out perplexity is measured after every epoch when validation ids are
 * given (logged as val_loss = nats per token, and val_perplexity), so
 * callbacks.earlyStopping() can watch it.
 */
import { checkInt, checkKeys, checkObject, checkOneOf, describe, fail } from '../errors.js';
import { layers } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { rate } from '../layers/options.js';
import { Sequential } from '../models/sequential.js';
import type { FitOptions } from '../train/fit.js';
import type { Callback, Logs } from '../train/callbacks.js';
import { optimizers } from '../train/optimizers.js';
import { lmWindows, statefulBatches } from './data.js';
import { checkLanguageModel, isStateful, perplexity } from './perplexity.js';

export type LmCell = 'lstm' | 'gru' | 'simplernn';
export const LM_CELLS: readonly LmCell[] = ['lstm', 'gru', 'simplernn'];

export interface LanguageModelOptions {
  /** vocabulary size: vectorizer.vocabularySize() */
  vocabSize: number;
  /** recurrent cell (default 'lstm') */
  cell?: LmCell;
  /** units per recurrent layer (default 128) */
  units?: number;
  /** stacked recurrent layers (default 1) */
  layers?: number;
  /** embedding size (default 32) */
  embeddingDim?: number;
  /** dropout after each recurrent layer (default 0) */
  dropout?: number;
  /** carry states across batches (default true) */
  stateful?: boolean;
  /** Adam's learning rate (default 0.003) */
  learningRate?: number;
  /** clip the global gradient norm (default 5; 0 = off) */
  clipnorm?: number;
  seed?: number;
}

/** A compiled next-token model (see the header). */
export function languageModel(opts: LanguageModelOptions): Sequential {
  const where = 'languageModel';
  const o = checkObject(where, 'options', opts);
  checkKeys(where, o, ['vocabSize', 'cell', 'units', 'layers', 'embeddingDim', 'dropout', 'stateful', 'learningRate', 'clipnorm', 'seed']);
  const V = checkInt(where, 'vocabSize', o.vocabSize, 3);
  const cell = checkOneOf(where, 'cell', o.cell ?? 'lstm', LM_CELLS);
  const units = checkInt(where, 'units', o.units ?? 128, 1);
  const depth = checkInt(where, 'layers', o.layers ?? 1, 1, 8);
  const E = checkInt(where, 'embeddingDim', o.embeddingDim ?? 32, 1);
  const drop = rate(where, 'dropout', o.dropout, 0);
  if (o.stateful !== undefined && typeof o.stateful !== 'boolean') fail('E_ARG', `${where}: stateful must be true or false`);
  const stateful = (o.stateful as boolean | undefined) ?? true;
  const lr = o.learningRate ?? 3e-3;
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr))
    fail('E_ARG', `${where}: learningRate must be a positive number, got ${describe(lr)}`);
  const clip = o.clipnorm ?? 5;
  if (typeof clip !== 'number' || !(clip >= 0) || !Number.isFinite(clip))
    fail('E_ARG', `${where}: clipnorm must be a number >= 0, got ${describe(clip)}`);
  const stack: Layer[] = [layers.embedding({ inputDim: V, outputDim: E })];
  for (let i = 0; i < depth; i++) {
    const rnn = { units, returnSequences: true, stateful };
    stack.push(cell === 'lstm' ? layers.lstm(rnn) : cell === 'gru' ? layers.gru(rnn) : layers.simpleRNN(rnn));
    if (drop > 0) stack.push(layers.dropout({ rate: drop }));
  }
  stack.push(layers.dense({ units: V, activation: 'softmax' }));
  const model = new Sequential({ layers: stack, seed: o.seed as number | undefined });
  const optimizer = optimizers.adam(clip > 0 ? { learningRate: lr, globalClipnorm: clip } : { learningRate: lr });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  return model;
}

export interface FitLanguageModelOptions {
  epochs?: number;
  /** rows per batch (default 32): streams side by side when stateful */
  batchSize?: number;
  /** tokens per window, the truncated-BPTT length (default 64) */
  length?: number;
  /** held-out ids: perplexity after each epoch (val_loss, val_perplexity) */
  validationIds?: ArrayLike<number>;
  callbacks?: Callback[];
  signal?: AbortSignal;
  /** as fit's: 0, 1 (progress bar), 2 (a line per epoch) or 'auto' (default) */
  verbose?: FitOptions['verbose'];
}

export interface LmHistory {
  epoch: number[];
  /** loss (nats/token), perplexity, and val_loss / val_perplexity with validationIds */
  history: Record<string, number[]>;
}

export async function fitLanguageModel(model: Sequential, ids: ArrayLike<number>, opts: FitLanguageModelOptions = {}): Promise<LmHistory> {
  const where = 'fitLanguageModel';
  const o = checkObject(where, 'options', opts);
  checkKeys(where, o, ['epochs', 'batchSize', 'length', 'validationIds', 'callbacks', 'signal', 'verbose']);
  checkLanguageModel(model, where);
  const epochs = checkInt(where, 'epochs', o.epochs ?? 1, 1);
  const batchSize = checkInt(where, 'batchSize', o.batchSize ?? 32, 1);
  const length = checkInt(where, 'length', o.length ?? 64, 1);
  const val = opts.validationIds;
  if (val !== undefined && (!val || typeof val.length !== 'number' || val.length < 2))
    fail('E_ARG', `${where}: validationIds must hold at least 2 token ids`);
  const stateful = isStateful(model);
  const data = stateful ? statefulBatches(ids, { batchSize, length }) : lmWindows(ids, { length });
  const history: LmHistory = { epoch: [], history: {} };
  const added = ['perplexity', ...(val ? ['val_loss', 'val_perplexity'] : [])];
  const lm: Callback = {
    // fit hands every callback the same logKeys array: announce the keys this
    // callback adds (it runs first), so earlyStopping({ monitor: 'val_loss' }) accepts them
    setParams: (p) => {
      for (const k of added) if (!p.logKeys.includes(k)) p.logKeys.push(k);
    },
    // a new pass over the text: every stream starts from its beginning
    onEpochBegin: () => model.resetStates(),
    onEpochEnd: (epoch: number, logs: Logs) => {
      logs.perplexity = Math.exp(logs.loss);
      if (val) {
        const r = perplexity(model, val, { length, batchSize });
        logs.val_loss = r.crossEntropy;
        logs.val_perplexity = r.perplexity;
      }
      model.resetStates();
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    },
  };
  await model.fit(data.x, data.y, {
    epochs,
    batchSize,
    shuffle: !stateful,
    callbacks: [lm, ...(opts.callbacks ?? [])],
    signal: opts.signal,
    verbose: opts.verbose,
  });
  model.resetStates();
  return history;
}
