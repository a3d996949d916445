/**
 * The one place bench/ touches wasm-rnn's model API: build a model on a
 * given backend, train on a batch, predict, move weights in and out, save and
 * load. The model classes are being rewritten (a graph engine under the
 * same TF.js-shaped API); when their API moves, this file is what changes,
 * not the benchmarks.
 */
import type { Backend } from '../src/backend/backend.js';
import { setBackend } from '../src/backend/load.js';
import {
  loadModelSync,
  model as graphModel,
  Sequential,
  Tensor,
  tensor,
  type CompileOptions,
  type Layer,
  type Model,
  type SymbolicTensor,
} from '../src/index.js';
import { toOnnx } from '../src/onnx/index.js';

export interface OursSpec {
  seed: number;
  /** a Sequential stack, or a functional graph's input and output */
  layers: Layer[] | { inputs: SymbolicTensor; outputs: SymbolicTensor };
  /** per-sample input shape */
  inputShape: number[];
  loss: CompileOptions['loss'];
  optimizer: CompileOptions['optimizer'];
}

/** A built, compiled model of ours, as the benchmarks use it. */
export interface Ours {
  /** one training step on (x, y); the loss */
  train(x: Tensor, y: Tensor): number;
  /** predictions for x, flat */
  predict(x: Tensor, batchSize?: number): Float32Array;
  getWeights(): Tensor[];
  setWeights(w: Tensor[]): void;
  serialize(includeOptimizer: boolean): Uint8Array;
  dispose(): void;
}

function wrap(m: Model): Ours {
  return {
    train: (x, y) => m.trainOnBatch(x, y),
    predict: (x, batchSize) => (m.predict(x, batchSize === undefined ? {} : { batchSize }) as Tensor).data as Float32Array,
    getWeights: () => m.getWeights(),
    setWeights: (w) => m.setWeights(w),
    serialize: (includeOptimizer) => m.serialize({ includeOptimizer }),
    dispose: () => m.dispose(),
  };
}

/** A model on backend `be` with its seeded initial weights, compiled. */
export function ourModel(be: Backend, spec: OursSpec): Ours {
  const m = built(be, spec);
  m.compile({ optimizer: spec.optimizer, loss: spec.loss });
  return wrap(m);
}

/** The model of `spec` on backend `be`, built (which fixes it to `be`), with its seeded initial weights. */
function built(be: Backend, spec: OursSpec): Model {
  setBackend(be);
  const l = spec.layers;
  const m: Model = Array.isArray(l) ? new Sequential({ seed: spec.seed, layers: l }) : graphModel({ ...l, seed: spec.seed, backend: be });
  if (m instanceof Sequential) m.build(spec.inputShape);
  else m.build();
  return m;
}

/**
 * The model of `spec` with `weights`, exported to ONNX (int64 token ids, as
 * PyTorch's exports have them): what ONNX Runtime runs with our weights.
 */
export function oursToOnnx(be: Backend, spec: OursSpec, weights: Tensor[]): Uint8Array {
  const m = built(be, spec);
  m.setWeights(weights);
  try {
    return toOnnx(m);
  } finally {
    m.dispose();
  }
}

/** A model loaded from `serialize` bytes onto backend `be`. */
export function loadOurs(be: Backend, bytes: Uint8Array): Ours {
  setBackend(be);
  return wrap(loadModelSync(bytes));
}

/** Host data as one of our tensors. */
export function ourTensor(data: Int32Array | Float32Array, shape: number[]): Tensor {
  return tensor(data, shape);
}

export type { Tensor };
