/** Shared by the ONNX tests: fixtures, layouts, ONNX Runtime. */
import { readFileSync, readdirSync } from 'node:fs';
import { Tensor, type Model } from '../../src/index.js';
import type { AxisMeaning } from '../../src/onnx/index.js';
import { randomArray, Rng } from '../util.js';

const DIR = new URL('./fixtures/', import.meta.url);

export interface Reference {
  source: string;
  opset: number;
  input: { dtype: 'int64' | 'float32'; shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`${name}.onnx`, DIR)));
}

export function reference(name: string): Reference {
  return JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Reference;
}

/** Fixtures exported from PyTorch (they have a reference .json beside them). */
export function torchFixtures(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Fixtures written with onnx.helper (no stored outputs: ONNX Runtime is the reference). */
export function handWrittenFixtures(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.startsWith('onnx_') && f.endsWith('.onnx'))
    .map((f) => f.slice(0, -5))
    .sort();
}

const ORDER: Record<string, number> = { batch: 0, time: 1, features: 2 };

/**
 * An ONNX-side array (axes as `onnxAxes` say) in our batch-major order:
 * unit axes dropped, then batch, time, features.
 */
export function toBatchMajor(data: ArrayLike<number>, shape: number[], onnxAxes: AxisMeaning[]): { data: Float64Array; shape: number[] } {
  const keep = onnxAxes
    .map((a, i) => ({ a, i }))
    .filter((x) => x.a !== 'unit')
    .sort((x, y) => ORDER[x.a] - ORDER[y.a]);
  const outShape = keep.map((k) => shape[k.i]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
  const out = new Float64Array(data.length);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    keep.forEach((k, j) => (src += idx[j] * strides[k.i]));
    out[o] = data[src];
    for (let j = idx.length - 1; j >= 0; j--) {
      if (++idx[j] < outShape[j]) break;
      idx[j] = 0;
    }
  }
  return { data: out, shape: outShape };
}

// ------------------------------------------------------------------ ONNX Runtime

import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1; // the machine is shared; results do not depend on it

export interface Feed {
  data: Float32Array | Int32Array | BigInt64Array;
  dims: number[];
}

/** Run an ONNX model in onnxruntime-web (wasm backend, in Node); outputs by name. */
export async function runOrt(
  bytes: Uint8Array,
  feeds: Record<string, Feed>,
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      const type = f.data instanceof Float32Array ? 'float32' : f.data instanceof Int32Array ? 'int32' : 'int64';
      inputs[name] = new ort.Tensor(type, f.data, f.dims);
    }
    const out = await session.run(inputs);
    const result: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [name, t] of Object.entries(out)) result[name] = { data: t.data as Float32Array, dims: [...t.dims] };
    return result;
  } finally {
    await session.release();
  }
}

/** Every weight random in [-0.5, 0.5], biases too, so that a lost or misplaced weight shows. */
export function randomize(model: Model, seed = 3): void {
  const rng = new Rng(seed);
  model.setWeights(model.getWeights().map((w) => new Tensor(randomArray(rng, w.data.length, -0.5, 0.5), w.shape)));
}
