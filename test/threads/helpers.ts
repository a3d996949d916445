/**
 * Shared by the threads tests: backends with threads whose workers run the
 * built dist (dist/threads/thread.js, built by the global setup into a temporary
 * folder; the tests themselves run src/), and the models the parity tests
 * train.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inject } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { createBackend, type InitOptions } from '../../src/backend/load.js';
import { Tensor, input, layers, model, type Model } from '../../src/index.js';
import { Rng } from '../util.js';

/** The worker script: threads/thread.js in the built dist (ES modules: the folder says so). */
export function threadUrl(): URL {
  const dir = inject('distDir');
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ type: 'module' }));
  return pathToFileURL(join(dir, 'threads/thread.js'));
}

/** A backend of `n` threads on the plain SIMD build (relaxed SIMD may round differently per engine). */
export async function threaded(n: number | 'auto', more: InitOptions = {}): Promise<Backend> {
  return createBackend({ backend: 'wasm-simd', threads: n, threadWorkerUrl: threadUrl(), ...more });
}

/** Token ids (B, T) in [1, V) with the last `pad` steps of every third row zero (masked). */
export function ids(B: number, T: number, V: number, seed: number, pad = 0): Tensor {
  const r = new Rng(seed);
  const a = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) a[b * T + t] = b % 3 === 0 && t >= T - pad ? 0 : 1 + r.int(V - 1);
  return new Tensor(a, [B, T]);
}

export function floats(shape: number[], seed: number): Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(
    Float32Array.from({ length: n }, () => r.uniform(-1, 1)),
    shape,
  );
}

export function labels(n: number, classes: number, seed: number): Tensor {
  const r = new Rng(seed);
  return new Tensor(
    classes === 2 ? Float32Array.from({ length: n }, () => r.int(2)) : Int32Array.from({ length: n }, () => r.int(classes)),
    [n, 1],
  );
}

export interface Case {
  name: string;
  make(be: Backend): Model;
  x: Tensor | Tensor[];
  y: Tensor | Tensor[];
  /** sample weights for fit */
  sw?: Tensor;
}

const B = 22;
const T = 7;

/** The models parity is checked on (batch 22: slices of 11 / 8,7,7 rows). */
export const CASES: Case[] = [
  {
    // a masked per-step output: the loss averages over the valid steps of the whole batch
    name: 'recurrent tagger with masks (embedding maskZero, LSTM + GRU per step, sparse CE per step)',
    make: (be) => {
      const x = input({ shape: [null], dtype: 'int32' });
      let h = layers.embedding({ inputDim: 30, outputDim: 6, maskZero: true }).apply(x);
      h = layers.lstm({ units: 8, returnSequences: true }).apply(h);
      h = layers.gru({ units: 6, returnSequences: true }).apply(h);
      const out = layers.dense({ units: 5, activation: 'softmax' }).apply(h);
      const m = model({ inputs: x, outputs: out, seed: 11, backend: be });
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return m;
    },
    x: ids(B, T, 30, 1, 3),
    y: new Tensor(
      Int32Array.from({ length: B * T }, (_, i) => (i * 7) % 5),
      [B, T],
    ),
  },
  {
    name: 'functional model with two inputs (ids and floats) and two outputs',
    make: (be) => {
      const a = input({ shape: [null], dtype: 'int32', name: 'tokens' });
      const f = input({ shape: [4], name: 'features' });
      const h = layers.lstm({ units: 8 }).apply(layers.embedding({ inputDim: 20, outputDim: 5, maskZero: true }).apply(a));
      const joined = layers.concatenate().apply([h, layers.dense({ units: 3, activation: 'tanh' }).apply(f)]);
      const cls = layers.dense({ units: 1, activation: 'sigmoid', name: 'cls' }).apply(joined);
      const reg = layers.dense({ units: 2, name: 'reg' }).apply(joined);
      const m = model({ inputs: [a, f], outputs: [cls, reg], seed: 12, backend: be });
      m.compile({
        optimizer: 'rmsprop',
        loss: ['binaryCrossentropy', 'meanSquaredError'],
        metrics: { cls: ['accuracy'] },
        lossWeights: [1, 0.5],
      });
      return m;
    },
    x: [ids(B, T, 20, 2, 2), floats([B, 4], 3)],
    y: [labels(B, 2, 4), floats([B, 2], 5)],
    sw: new Tensor(
      Float32Array.from({ length: B }, (_, i) => 0.5 + (i % 4) / 4),
      [B],
    ),
  },
  {
    // dropout: every thread count drops the same elements
    name: 'stacked LSTM with dropout (float input)',
    make: (be) => {
      const x = input({ shape: [T, 3] });
      let h = layers.lstm({ units: 8, returnSequences: true }).apply(x);
      h = layers.dropout({ rate: 0.4 }).apply(h);
      h = layers.lstm({ units: 6 }).apply(h);
      h = layers.dropout({ rate: 0.3 }).apply(h);
      const out = layers.dense({ units: 1, activation: 'sigmoid' }).apply(h);
      const m = model({ inputs: x, outputs: out, seed: 13, backend: be });
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      return m;
    },
    x: floats([B, T, 3], 6),
    y: labels(B, 2, 7),
  },
  {
    // windows across the slice boundary's rows never mix: each row is convolved and pooled on its own
    name: 'Conv1D (same padding, dilated) -> max pooling -> global max pooling, masked',
    make: (be) => {
      const x = input({ shape: [null], dtype: 'int32' });
      let h = layers.embedding({ inputDim: 30, outputDim: 6, maskZero: true }).apply(x);
      h = layers.conv1d({ filters: 8, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu' }).apply(h);
      h = layers.maxPooling1d({ poolSize: 2, padding: 'same' }).apply(h);
      h = layers.globalMaxPooling1d().apply(h);
      const out = layers.dense({ units: 4, activation: 'softmax' }).apply(h);
      const m = model({ inputs: x, outputs: out, seed: 14, backend: be });
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return m;
    },
    x: ids(B, T, 30, 8, 3),
    y: labels(B, 4, 9),
  },
  {
    // attention dropout draws from the model's stream like a Dropout layer: every thread count drops the same weights
    name: 'Transformer encoder block (token and position embedding, multi-head self-attention with dropout, layer norm)',
    make: (be) => {
      const x = input({ shape: [T], dtype: 'int32' });
      const e = layers.tokenAndPositionEmbedding({ vocabularySize: 30, sequenceLength: T, embeddingDim: 8, maskZero: true }).apply(x);
      const a = layers.multiHeadAttention({ numHeads: 2, keyDim: 4, dropout: 0.2 }).apply([e, e]);
      const n = layers.layerNormalization({ epsilon: 1e-6 }).apply(layers.add().apply([e, a]));
      const out = layers.dense({ units: 1, activation: 'sigmoid' }).apply(layers.globalAveragePooling1d().apply(n));
      const m = model({ inputs: x, outputs: out, seed: 15, backend: be });
      m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      return m;
    },
    x: ids(B, T, 30, 10, 2),
    y: labels(B, 2, 11),
  },
];

export type { Model };
