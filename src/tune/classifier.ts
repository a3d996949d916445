/**
 * The text classifier that `wasm-rnn train` builds and the tuners search over:
 *
 *   embedding(V, E, maskZero) -> recurrent layer(s) -> dropout -> dense
 *   cell: 'lstm' | 'gru' | 'simplernn' | 'bilstm' (Bidirectional LSTM, concat)
 *   layers > 1 stacks them (all but the last return sequences)
 *   2 classes: dense(1, sigmoid) + binary cross-entropy, targets (N, 1) of 0/1
 *   more:      dense(C, softmax) + sparse categorical cross-entropy, targets (N) ids
 */
import { checkInt, checkKeys, checkObject, checkOneOf, describe, fail } from '../errors.js';
import { layers } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { rate } from '../layers/options.js';
import { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor.js';
import { optimizers } from '../train/optimizers.js';

export type ClassifierCell = 'lstm' | 'gru' | 'simplernn' | 'bilstm';
export const CLASSIFIER_CELLS: readonly ClassifierCell[] = ['lstm', 'gru', 'simplernn', 'bilstm'];

/** What a tuner varies (every field has a default). */
export interface ClassifierParams {
  cell?: ClassifierCell;
  units?: number;
  layers?: number;
  embeddingDim?: number;
  dropout?: number;
  learningRate?: number;
}

export interface TextClassifierOptions extends ClassifierParams {
  /** the vectorizer's vocabularySize() */
  vocabSize: number;
  /** number of classes (>= 2) */
  classes: number;
  seed?: number;
}

export const CLASSIFIER_DEFAULTS: Required<ClassifierParams> = {
  cell: 'lstm',
  units: 64,
  layers: 1,
  embeddingDim: 64,
  dropout: 0.2,
  learningRate: 2e-3,
};

/** A compiled classifier (see the header). */
export function textClassifier(opts: TextClassifierOptions): Sequential {
  const where = 'textClassifier';
  const o = checkObject(where, 'options', opts);
  checkKeys(where, o, ['vocabSize', 'classes', 'seed', ...Object.keys(CLASSIFIER_DEFAULTS)]);
  const V = checkInt(where, 'vocabSize', o.vocabSize, 3);
  const C = checkInt(where, 'classes', o.classes, 2);
  const p = { ...CLASSIFIER_DEFAULTS, ...opts };
  const cell = checkOneOf(where, 'cell', p.cell, CLASSIFIER_CELLS);
  const units = checkInt(where, 'units', p.units, 1);
  const depth = checkInt(where, 'layers', p.layers, 1, 8);
  const E = checkInt(where, 'embeddingDim', p.embeddingDim, 1);
  const drop = rate(where, 'dropout', p.dropout, 0);
  const lr = p.learningRate;
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr))
    fail('E_ARG', `${where}: learningRate must be a positive number, got ${describe(lr)}`);
  const stack: Layer[] = [layers.embedding({ inputDim: V, outputDim: E, maskZero: true })];
  for (let i = 0; i < depth; i++) {
    const o2 = { units, returnSequences: i < depth - 1 };
    stack.push(
      cell === 'lstm'
        ? layers.lstm(o2)
        : cell === 'gru'
          ? layers.gru(o2)
          : cell === 'simplernn'
            ? layers.simpleRNN(o2)
            : layers.bidirectional({ layer: layers.lstm(o2) }),
    );
  }
  if (drop > 0) stack.push(layers.dropout({ rate: drop }));
  const binary = C === 2;
  stack.push(layers.dense({ units: binary ? 1 : C, activation: binary ? 'sigmoid' : 'softmax' }));
  const model = new Sequential({ layers: stack, seed: o.seed as number | undefined });
  model.compile({
    optimizer: optimizers.adam({ learningRate: lr }),
    loss: binary ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/** Class ids -> the targets textClassifier's loss expects: (N, 1) 0/1 for 2 classes, else (N) ids. */
export function classTargets(ids: ArrayLike<number>, classes: number): Tensor {
  return classes === 2 ? new Tensor(Float32Array.from(ids), [ids.length, 1]) : new Tensor(Int32Array.from(ids), [ids.length]);
}

/** Predicted class ids from a classifier's output (sigmoid column or softmax rows). */
export function predictedClasses(out: Tensor): Int32Array {
  const n = out.shape[0];
  const C = out.data.length / n;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (C === 1) ids[i] = out.data[i] >= 0.5 ? 1 : 0;
    else {
      let best = 0;
      for (let c = 1; c < C; c++) if (out.data[i * C + c] > out.data[i * C + best]) best = c;
      ids[i] = best;
    }
  }
  return ids;
}
