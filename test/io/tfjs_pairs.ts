/**
 * Shared by the TF.js parity tests: TF.js on its cpu backend against our
 * wasm-simd build, a model's artifacts as TF.js saves them, and the same
 * floats as one tensor on each side.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Tensor } from '../../src/index.js';
import type { Rng } from '../util.js';

/** The parity bound of every TF.js comparison. */
export const TOL = { atol: 1e-5, rtol: 1e-5 };

/** TF.js on cpu (float32, no fused kernels), ours on the plain SIMD build, before the file's tests. */
export function onTfjsCpuAndWasmSimd(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    setBackend(await createBackend({ backend: 'wasm-simd' }));
  });
}

/** What `model.save` hands a save handler: the topology, the weight specs and their bytes. */
export async function artifactsOf(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let art: tf.io.ModelArtifacts | null = null;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      art = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return art!;
}

export interface Pair {
  ours: Tensor;
  theirs: tf.Tensor;
}

/** The same uniform floats in [lo, hi) as our tensor and TF.js's. */
export function floats(rng: Rng, shape: number[], lo = -1.5, hi = 1.5): Pair {
  const a = Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rng.uniform(lo, hi));
  return { ours: new Tensor(a, shape), theirs: tf.tensor(Array.from(a), shape) };
}
