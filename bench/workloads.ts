/**
 * The workloads of docs/benchmarks.md: W1-W4, W6 and W7 train a model on one
 * batch of random data from a fixed seed, W5 runs W1's model forward. Each
 * says what to build (our layers and the same stack in TF.js; W7 is a graph
 * on both sides), how to draw a batch, what a throughput item is, and how
 * many matmul FLOPs a training step does (the FLOP model the MFU figure
 * divides by the peak).
 */
import { input, layers, type Layer, type SymbolicTensor } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { transformerLayers } from './tfjs_transformer.js';
import type { tf } from './tfjs.js';

/** The seed every workload's weights and batches derive from. */
export const SEED = 1234;

// ------------------------------------------------------------------ FLOPs

/**
 * Matmul FLOPs of one recurrent layer, forward + backward, over N = B·T rows
 * with G = gates·H columns: forward x·Wx and h·Wh (2NG(I+H)); backward dWx,
 * dWh, dh through time (2NG(I+2H)) and dx when the layer below needs it
 * (2NGI; not for a first layer fed with data).
 */
export function flopsRecurrent(N: number, I: number, H: number, G: number, needDx: boolean): number {
  return 2 * N * G * (I + H) + 2 * N * G * (I + 2 * H + (needDx ? I : 0));
}

/** Dense over N rows, I -> U: forward, dW, and dx when needed. */
export function flopsDense(N: number, I: number, U: number, needDx: boolean): number {
  return 2 * N * I * U * (needDx ? 3 : 2);
}

/** Conv1D over N = B·To output steps, K taps of C channels -> F: forward, dW, and dx when needed. */
export function flopsConv1d(N: number, K: number, C: number, F: number, needDx: boolean): number {
  return 2 * N * K * C * F * (needDx ? 3 : 2);
}

// -------------------------------------------------------------- workloads

/** One batch as host arrays; TF.js may want another target shape. */
export interface HostBatch {
  B: number;
  x: Int32Array | Float32Array;
  xShape: number[];
  y: Int32Array | Float32Array;
  yShape: number[];
  yShapeTf: number[];
}

type TfLayer = NonNullable<NonNullable<Parameters<typeof tf.sequential>[0]>['layers']>[number];
export type TfModel = ReturnType<typeof tf.model>;

/** A functional model of ours: its input and output tensors. */
export interface OursGraph {
  inputs: SymbolicTensor;
  outputs: SymbolicTensor;
}
export type LossName = 'binaryCrossentropy' | 'sparseCategoricalCrossentropy';

export interface Workload {
  id: string;
  title: string;
  unit: 'sequences/s' | 'tokens/s';
  B: number;
  T: number;
  /** per-sample input shape, for Sequential.build */
  inputShape: number[];
  loss: LossName;
  /** our layers (a Sequential stack) or graph; `gate`: the training-gate variant (dropout off) */
  ours(gate: boolean): Layer[] | OursGraph;
  /** the same stack (or model) in TF.js (initialisers zero: the weights are copied in) */
  tfjs(t: typeof tf, gate: boolean): TfLayer[] | TfModel;
  batch(rng: Rng, B: number): HostBatch;
  /** throughput items (sequences or tokens) in a batch of B */
  items(B: number): number;
  /** matmul FLOPs of one training step at batch B */
  flops(B: number): number;
  /** the gate's SGD learning rate when GATE_SGD_LR would overshoot (W7 fits its 4 gate sequences in one step at 0.2) */
  gateLearningRate?: number;
}

const z = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;

function idsBatch(rng: Rng, B: number, T: number, V: number, lo: number): { x: Int32Array; xShape: number[] } {
  const x = new Int32Array(B * T);
  for (let i = 0; i < x.length; i++) x[i] = lo + rng.int(V - lo);
  return { x, xShape: [B, T] };
}

function binaryTargets(rng: Rng, B: number): Pick<HostBatch, 'y' | 'yShape' | 'yShapeTf'> {
  const y = new Float32Array(B);
  for (let i = 0; i < B; i++) y[i] = rng.int(2);
  return { y, yShape: [B, 1], yShapeTf: [B, 1] };
}

/** Embedding(10000, 64) -> <rnn>(128) -> Dense(1, sigmoid), length 100. */
function sentiment(id: string, title: string, rnn: 'lstm' | 'simpleRNN'): Workload {
  const V = 10000;
  const D = 64;
  const H = 128;
  const T = 100;
  const gates = rnn === 'lstm' ? 4 : 1;
  return {
    id,
    title,
    unit: 'sequences/s',
    B: 32,
    T,
    inputShape: [T],
    loss: 'binaryCrossentropy',
    ours: () => [
      layers.embedding({ inputDim: V, outputDim: D }),
      rnn === 'lstm' ? layers.lstm({ units: H }) : layers.simpleRNN({ units: H }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
    tfjs: (t) => [
      t.layers.embedding({ inputDim: V, outputDim: D, inputLength: T, embeddingsInitializer: 'zeros' }),
      rnn === 'lstm' ? t.layers.lstm({ units: H, recurrentActivation: 'sigmoid', ...z }) : t.layers.simpleRNN({ units: H, ...z }),
      t.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' }),
    ],
    batch: (rng, B) => ({ B, ...idsBatch(rng, B, T, V, 1), ...binaryTargets(rng, B) }),
    items: (B) => B,
    flops: (B) => flopsRecurrent(B * T, D, H, gates * H, true) + flopsDense(B, H, 1, true),
  };
}

export const W1 = sentiment('W1', 'W1 sentiment LSTM, training', 'lstm');

export const W2: Workload = {
  id: 'W2',
  title: 'W2 stacked LSTM, training',
  unit: 'sequences/s',
  B: 32,
  T: 100,
  inputShape: [100, 32],
  loss: 'binaryCrossentropy',
  ours: (gate) => [
    layers.lstm({ units: 128, returnSequences: true }),
    layers.dropout({ rate: gate ? 0 : 0.5 }),
    layers.lstm({ units: 128 }),
    layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
  tfjs: (t, gate) => [
    t.layers.lstm({ units: 128, returnSequences: true, inputShape: [100, 32], recurrentActivation: 'sigmoid', ...z }),
    t.layers.dropout({ rate: gate ? 0 : 0.5 }),
    t.layers.lstm({ units: 128, recurrentActivation: 'sigmoid', ...z }),
    t.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' }),
  ],
  batch: (rng, B) => {
    const x = new Float32Array(B * 100 * 32);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
    return { B, x, xShape: [B, 100, 32], ...binaryTargets(rng, B) };
  },
  items: (B) => B,
  flops: (B) => flopsRecurrent(B * 100, 32, 128, 512, false) + flopsRecurrent(B * 100, 128, 128, 512, true) + flopsDense(B, 128, 1, true),
};

export const W3 = sentiment('W3', 'W3 SimpleRNN, training', 'simpleRNN');

/** Embedding(96, 32) -> LSTM(256, returnSequences) -> Dense(96, softmax) per step, length 64. */
export const W4: Workload = {
  id: 'W4',
  title: 'W4 character LM, training',
  unit: 'tokens/s',
  B: 32,
  T: 64,
  inputShape: [64],
  loss: 'sparseCategoricalCrossentropy',
  ours: () => [
    layers.embedding({ inputDim: 96, outputDim: 32 }),
    layers.lstm({ units: 256, returnSequences: true }),
    layers.dense({ units: 96, activation: 'softmax' }),
  ],
  tfjs: (t) => [
    t.layers.embedding({ inputDim: 96, outputDim: 32, inputLength: 64, embeddingsInitializer: 'zeros' }),
    t.layers.lstm({ units: 256, returnSequences: true, recurrentActivation: 'sigmoid', ...z }),
    t.layers.dense({ units: 96, activation: 'softmax', kernelInitializer: 'zeros' }),
  ],
  batch: (rng, B) => {
    // a (B, T+1) stream of characters: x is its first T, y the next character
    const T = 64;
    const s = idsBatch(rng, B, T + 1, 96, 0).x;
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      x.set(s.subarray(b * (T + 1), b * (T + 1) + T), b * T);
      y.set(s.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
    }
    return { B, x, xShape: [B, T], y, yShape: [B, T], yShapeTf: [B, T, 1] };
  },
  items: (B) => B * 64,
  flops: (B) => flopsRecurrent(B * 64, 32, 256, 1024, true) + flopsDense(B * 64, 256, 96, true),
};

/** Embedding(10000, 64) -> Conv1D(128, 5, relu) -> GlobalMaxPooling1D -> Dense(1, sigmoid), length 400. */
export const W6: Workload = {
  id: 'W6',
  title: 'W6 1D-CNN text classifier, training',
  unit: 'sequences/s',
  B: 32,
  T: 400,
  inputShape: [400],
  loss: 'binaryCrossentropy',
  ours: () => [
    layers.embedding({ inputDim: 10000, outputDim: 64 }),
    layers.conv1d({ filters: 128, kernelSize: 5, activation: 'relu' }),
    layers.globalMaxPooling1d(),
    layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
  tfjs: (t) => [
    t.layers.embedding({ inputDim: 10000, outputDim: 64, inputLength: 400, embeddingsInitializer: 'zeros' }),
    t.layers.conv1d({ filters: 128, kernelSize: 5, activation: 'relu', kernelInitializer: 'zeros' }),
    t.layers.globalMaxPooling1d(),
    t.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' }),
  ],
  batch: (rng, B) => ({ B, ...idsBatch(rng, B, 400, 10000, 1), ...binaryTargets(rng, B) }),
  items: (B) => B,
  // the Embedding below is trained, so the conv computes dx too
  flops: (B) => flopsConv1d(B * 396, 5, 64, 128, true) + flopsDense(B, 128, 1, true),
};

/**
 * W7: a Transformer encoder classifier. Token-and-position embedding
 * (10000, 200, 64) -> MultiHeadAttention(4 heads, keyDim 16) + residual +
 * LayerNorm -> Dense(128, relu) -> Dense(64) + residual + LayerNorm ->
 * GlobalAveragePooling1D -> Dense(1, sigmoid); batch 32, length 200.
 * LayerNorm epsilon 1e-6 (the Keras Transformer examples'). TF.js builds
 * the attention and the embedding from its ops (tfjs_transformer.ts).
 */
export const W7: Workload = (() => {
  const V = 10000;
  const T = 200;
  const D = 64;
  const H = 4;
  const Kd = 16;
  const F = 128;
  return {
    id: 'W7',
    title: 'W7 Transformer encoder, training',
    unit: 'sequences/s',
    B: 32,
    T,
    inputShape: [T],
    loss: 'binaryCrossentropy',
    ours: () => {
      const x = input({ shape: [T], dtype: 'int32' });
      const e = layers.tokenAndPositionEmbedding({ vocabularySize: V, sequenceLength: T, embeddingDim: D }).apply(x);
      const a = layers.multiHeadAttention({ numHeads: H, keyDim: Kd }).apply([e, e]);
      const h1 = layers.layerNormalization({ epsilon: 1e-6 }).apply(layers.add().apply([e, a]));
      const f = layers.dense({ units: D }).apply(layers.dense({ units: F, activation: 'relu' }).apply(h1));
      const h2 = layers.layerNormalization({ epsilon: 1e-6 }).apply(layers.add().apply([h1, f]));
      const p = layers.globalAveragePooling1d().apply(h2);
      return { inputs: x, outputs: layers.dense({ units: 1, activation: 'sigmoid' }).apply(p) };
    },
    tfjs: (t) => {
      const { TokenAndPositionEmbedding, MultiHeadSelfAttention } = transformerLayers(t);
      const z = { kernelInitializer: 'zeros' } as const;
      const x = t.input({ shape: [T], dtype: 'int32' });
      const e = new TokenAndPositionEmbedding(V, T, D).apply(x) as ReturnType<typeof t.input>;
      const a = new MultiHeadSelfAttention(H, Kd).apply(e) as ReturnType<typeof t.input>;
      const h1 = t.layers.layerNormalization({ epsilon: 1e-6 }).apply(t.layers.add().apply([e, a])) as ReturnType<typeof t.input>;
      const f = t.layers.dense({ units: D, ...z }).apply(t.layers.dense({ units: F, activation: 'relu', ...z }).apply(h1));
      const h2 = t.layers.layerNormalization({ epsilon: 1e-6 }).apply(t.layers.add().apply([h1, f as ReturnType<typeof t.input>]));
      const p = t.layers.globalAveragePooling1d().apply(h2);
      return t.model({
        inputs: x,
        outputs: t.layers.dense({ units: 1, activation: 'sigmoid', ...z }).apply(p) as ReturnType<typeof t.input>,
      });
    },
    batch: (rng, B) => ({ B, ...idsBatch(rng, B, T, V, 1), ...binaryTargets(rng, B) }),
    items: (B) => B,
    flops: (B) => flopsTransformer(B * T, B, T, D, H, Kd, F),
    gateLearningRate: 1e-3,
  };
})();

/**
 * Matmul FLOPs of W7's encoder block over N = B·T rows: the q, k, v and
 * output projections (D -> H·Kd and back) and the feed-forward pair as
 * Dense layers with dx (their inputs need gradients: the embedding is
 * trained); the attention products Q·Kᵀ and W·V forward (2·B·H·T²·Kd each)
 * and four products of the same size backward (dW, dV, dQ, dK); the head.
 */
export function flopsTransformer(N: number, B: number, T: number, D: number, H: number, Kd: number, F: number): number {
  const proj = 4 * flopsDense(N, D, H * Kd, true);
  const ffn = flopsDense(N, D, F, true) + flopsDense(N, F, D, true);
  const attention = 3 * 2 * (2 * B * H * T * T * Kd);
  return proj + ffn + attention + flopsDense(B, D, 1, true);
}

/** The training workloads, in report order. */
export const WORKLOADS = [W1, W2, W3, W4, W6, W7];

// ------------------------------------------------------------- inference

/** One inference measurement: predict on a batch of B sequences. */
export interface InferenceRun {
  metric: string;
  B: number;
  /** 'ms' (latency, lower is better) or throughput */
  unit: 'ms' | 'sequences/s';
  /** the batch's seed, SEED + seed */
  seed: number;
}

/** Inference with a training workload's model (its weights from the same seed). */
export interface InferenceWorkload {
  id: string;
  title: string;
  model: Workload;
  runs: InferenceRun[];
}

/** W5: W1's model, batch-1 latency (ms per sequence) and batch-256 throughput. */
export const W5: InferenceWorkload = {
  id: 'W5',
  title: 'W5 inference with the W1 model',
  model: W1,
  runs: [
    { metric: 'batch-1 latency', B: 1, unit: 'ms', seed: 3 },
    { metric: 'batch-256 throughput', B: 256, unit: 'sequences/s', seed: 4 },
  ],
};
