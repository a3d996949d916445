/**
 * The [query, value, key?] inputs every attention layer takes: each float32
 * (batch, timesteps, features), the key defaulting to the value, key and
 * value of one length. Checked once here so the layers' messages agree.
 */
import { fail } from '../errors.js';
import type { Shape, TensorSpec } from './layer.js';

export interface QueryValueKey {
  q: Shape;
  v: Shape;
  k: Shape;
}

/** The shapes (without the batch) of the first n inputs, or an E_SHAPE naming the layer and the input. */
export function queryValueKey(layer: { name: string; className: string }, inputs: readonly TensorSpec[], n: number): QueryValueKey {
  const names = ['query', 'value', 'key'];
  inputs.slice(0, n).forEach((t, i) => {
    if (t.dtype !== 'float32' || t.shape.length !== 2 || !(t.shape[1] > 0)) {
      fail(
        'E_SHAPE',
        `${layer.name}: ${layer.className} takes [query, value] or [query, value, key], each float32 (batch, timesteps, features); ${names[i]} is ${t.dtype} (batch, ${t.shape.join(', ')})`,
      );
    }
  });
  const q = inputs[0].shape;
  const v = inputs[1].shape;
  const k = n > 2 ? inputs[2].shape : v;
  if (n > 2 && k[0] >= 0 && v[0] >= 0 && k[0] !== v[0])
    fail('E_SHAPE', `${layer.name}: key and value must have the same time steps; key has ${k[0]}, value ${v[0]}`);
  return { q, v, k };
}
