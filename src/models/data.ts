/**
 * Turning what users pass (Tensors, nested arrays, typed arrays with a
 * shape) into flat typed arrays of a known shape, and validating them before
 * anything touches the model: shapes against the model's input, token ids
 * against the embedding's vocabulary, NaN/Inf, empty datasets.
 */
import { describe, fail } from '../errors.js';
import { Tensor, holdsText, tensor, type TensorLike } from '../tensor.js';

export interface Data {
  data: Float32Array | Int32Array;
  /** full shape including the sample axis */
  shape: number[];
}

/** What the model's first layer expects. */
export interface InputSpec {
  /** 'ids' for an Embedding first layer, else 'float' */
  kind: 'ids' | 'float';
  /** shape without the sample axis; -1 = any length (time) */
  shape: number[];
  /** ids must be < vocab */
  vocab?: number;
  /** which layer option sets vocab, for the error: "inputDim of the Embedding 'embedding_1'" */
  vocabFrom?: string;
}

/**
 * A Tensor, nested number arrays, a typed array or a TF.js tensor (copied)
 * -> flat data + shape. Text is refused with the two calls that turn it into
 * ids, since passing raw strings is the first thing a newcomer tries.
 */
export function toData(v: unknown, where: string, name: string): Data {
  if (v === undefined || v === null) fail('E_ARG', `${where}: ${name} is required, got ${describe(v)}`);
  if (holdsText(v)) {
    fail(
      'E_ARG',
      `${where}: ${name} is not a tensor but text (${describe(v)}); models read token ids: use model.classify(texts), or turn texts into ids with vectorizer.transform(texts)`,
    );
  }
  let t: Tensor;
  try {
    t = v instanceof Tensor ? v : tensor(v as TensorLike);
  } catch (e) {
    fail('E_ARG', `${where}: ${name} is not a tensor or a (nested) number array: ${(e as Error).message}`);
  }
  return { data: t.data, shape: [...t.shape] };
}

/** Validate model inputs; returns ids as Int32Array or features as Float32Array. */
export function checkInput(v: unknown, spec: InputSpec, where: string, name = 'x'): Data {
  const d = toData(v, where, name);
  const want = spec.shape.length + 1;
  if (d.shape.length !== want) {
    const expect = `(samples, ${spec.shape.map((s) => (s < 0 ? 'timesteps' : String(s))).join(', ')})`;
    fail('E_SHAPE', `${where}: ${name} must have shape ${expect}, got [${d.shape.join(', ')}]`);
  }
  if (d.shape[0] === 0) fail('E_ARG', `${where}: ${name} is empty (0 samples)`);
  for (let i = 0; i < spec.shape.length; i++) {
    const s = spec.shape[i];
    if (s >= 0 && d.shape[i + 1] !== s) {
      fail('E_SHAPE', `${where}: ${name} dimension ${i + 1} must be ${s}, got ${d.shape[i + 1]} (shape [${d.shape.join(', ')}])`);
    }
    if (d.shape[i + 1] === 0) fail('E_SHAPE', `${where}: ${name} has an empty dimension (shape [${d.shape.join(', ')}])`);
  }
  if (spec.kind === 'ids') {
    const vocab = spec.vocab ?? Infinity;
    const ids = d.data instanceof Int32Array ? d.data : new Int32Array(d.data.length);
    for (let i = 0; i < d.data.length; i++) {
      const x = d.data[i];
      if (!Number.isInteger(x) || x < 0 || x >= vocab) {
        const [row, col] = [Math.floor(i / d.shape[1]), i % d.shape[1]];
        fail(
          'E_ARG',
          `${where}: token id ${x} at [${row}, ${col}] of ${name} is not an integer in [0, ${vocab}) (${spec.vocabFrom ?? "the Embedding's inputDim"})`,
        );
      }
      ids[i] = x;
    }
    return { data: ids, shape: d.shape };
  }
  const f = d.data instanceof Float32Array ? d.data : Float32Array.from(d.data);
  for (let i = 0; i < f.length; i++) {
    if (!Number.isFinite(f[i])) fail('E_ARG', `${where}: ${name} holds ${f[i]} at flat index ${i}; inputs must be finite numbers`);
  }
  return { data: f, shape: d.shape };
}

/** Copy sample rows `idx[from..to)` of `src` (rows of `rowLen`) into `dst`. No allocation. */
export function gatherRows(
  dst: Float32Array | Int32Array,
  src: Float32Array | Int32Array,
  rowLen: number,
  idx: ArrayLike<number>,
  from: number,
  to: number,
): void {
  let k = 0;
  for (let i = from; i < to; i++) {
    const o = idx[i] * rowLen;
    for (let j = 0; j < rowLen; j++) dst[k++] = src[o + j];
  }
}
