/**
 * The attention-era layers against TensorFlow.js (cpu backend, an
 * independent implementation of Keras semantics), where TF.js has them:
 * LayerNormalization and Dot. Models built in TF.js, imported with
 * fromTfjs, predict the same within 1e-5; one SGD step from the same
 * weights gives the same loss and weights within 1e-5; our export loads
 * back into TF.js predicting the same. The layers TF.js lacks (Attention,
 * AdditiveAttention, MultiHeadAttention, TokenAndPositionEmbedding) are
 * refused by toTfjs with the reason, and stored by our artifact
 * (test/layers/transformer.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Tensor, fromTfjs, input, layers, model, optimizers, toTfjs } from '../../src/index.js';
import { Rng, expectClose } from '../util.js';
import { TOL, artifactsOf, floats, onTfjsCpuAndWasmSimd, type Pair } from './tfjs_pairs.js';

const B = 4;

onTfjsCpuAndWasmSimd();

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

interface Case {
  label: string;
  build: () => tf.LayersModel;
  inputs: (r: Rng) => Pair[];
  /** why TF.js cannot take the SGD step (predictions and export are still compared) */
  noTraining?: string;
}

const cases: Case[] = [
  {
    label: 'LayerNormalization (gamma, beta set away from 1, 0) between two Dense layers, on sequences',
    build: () => {
      const x = tf.input({ shape: [5, 6] });
      const h = tf.layers.dense({ units: 8, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
      const ln = tf.layers.layerNormalization({ epsilon: 1e-3 });
      const n = ln.apply(h) as tf.SymbolicTensor;
      const m = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 3 }).apply(n) as tf.SymbolicTensor });
      ln.setWeights([tf.randomUniform([8], 0.5, 1.5, 'float32', 1), tf.randomUniform([8], -0.5, 0.5, 'float32', 2)]);
      return m;
    },
    inputs: (r) => [floats(r, [B, 5, 6])],
  },
  {
    label: 'LayerNormalization without center, epsilon 1e-5, on vectors; one without scale',
    build: () => {
      const x = tf.input({ shape: [7] });
      const a = tf.layers.layerNormalization({ center: false, epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
      const b = tf.layers
        .layerNormalization({ scale: false })
        .apply(tf.layers.dense({ units: 5 }).apply(a) as tf.SymbolicTensor) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(b) as tf.SymbolicTensor });
    },
    inputs: (r) => [floats(r, [B, 7])],
    // TF.js 4.22's LayerNormalization backward reads its missing gamma / beta
    // ("Cannot read properties of undefined (reading 'dataId')"); our gradients
    // without them are checked in float64 (test/layers/layer_normalization.test.ts)
    noTraining: 'TF.js 4.22 cannot train a LayerNormalization without center or scale',
  },
  {
    label: 'Dot: attention-style scores (axes [2, 2]), a cosine similarity (normalize), axes [1, 1] and [2, 1]',
    build: () => {
      const a = tf.input({ shape: [3, 4] });
      const b = tf.input({ shape: [5, 4] });
      const c = tf.input({ shape: [3, 2] });
      const s = tf.layers.dot({ axes: [2, 2] }).apply([a, b]) as tf.SymbolicTensor; // (3, 5)
      const cos = tf.layers.dot({ axes: [2, 2], normalize: true }).apply([a, b]) as tf.SymbolicTensor; // (3, 5)
      const t = tf.layers.dot({ axes: [1, 1] }).apply([a, c]) as tf.SymbolicTensor; // (4, 2)
      const u = tf.layers.dot({ axes: [2, 1] }).apply([s, b]) as tf.SymbolicTensor; // (3, 4)
      const f = tf.layers
        .concatenate()
        .apply([
          tf.layers.flatten().apply(s),
          tf.layers.flatten().apply(cos),
          tf.layers.flatten().apply(t),
          tf.layers.flatten().apply(u),
        ] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
      return tf.model({ inputs: [a, b, c], outputs: tf.layers.dense({ units: 2 }).apply(f) as tf.SymbolicTensor });
    },
    inputs: (r) => [floats(r, [B, 3, 4]), floats(r, [B, 5, 4]), floats(r, [B, 3, 2])],
  },
  {
    label: 'Dot of two vectors (axes 1) and with the batch-matrix (axes [1, 2])',
    build: () => {
      const a = tf.input({ shape: [4] });
      const m = tf.input({ shape: [3, 4] });
      const d = tf.layers.dot({ axes: 1 }).apply([tf.layers.dense({ units: 4 }).apply(a) as tf.SymbolicTensor, a]) as tf.SymbolicTensor; // (1)
      const e = tf.layers.dot({ axes: [1, 2] }).apply([a, m]) as tf.SymbolicTensor; // (3)
      return tf.model({ inputs: [a, m], outputs: tf.layers.concatenate().apply([d, e]) as tf.SymbolicTensor });
    },
    inputs: (r) => [floats(r, [B, 4]), floats(r, [B, 3, 4])],
  },
];

/** One SGD step (MSE) from the same weights: the same loss, the same weights after. */
async function sgdStep(
  c: Case,
  theirs: tf.LayersModel,
  ours: ReturnType<typeof fromTfjs>,
  x: (s: 'ours' | 'theirs') => unknown,
  want: tf.Tensor,
  rng: Rng,
) {
  const yArr = Float32Array.from({ length: want.size }, () => rng.uniform(-1, 1));
  theirs.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
  ours.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
  const lt = (await theirs.trainOnBatch(x('theirs') as never, tf.tensor(Array.from(yArr), want.shape))) as number;
  const lo = ours.trainOnBatch(x('ours') as never, new Tensor(yArr, want.shape as number[]));
  expect(Math.abs(lo - lt)).toBeLessThan(1e-5 * (1 + Math.abs(lt)));
  const names = toTfjs(ours).weightSpecs.map((s) => s.name);
  const theirsByName = new Map(theirs.weights.map((w, i) => [w.originalName ?? w.name, theirs.getWeights()[i].dataSync()]));
  ours.getWeights().forEach((w, i) => {
    const t = theirsByName.get(names[i]);
    expect(t, `TF.js has no weight named ${names[i]}`).toBeDefined();
    expectClose(w.data, t!, { ...TOL, label: `${c.label}: ${names[i]} after one step` });
  });
}

describe('TF.js LayerNormalization and Dot -> wasm-rnn -> TF.js', () => {
  for (const c of cases) {
    it(c.label, async () => {
      const rng = new Rng(c.label.length);
      const theirs = c.build();
      const ours = fromTfjs(await artifactsOf(theirs));
      const xs = c.inputs(rng);
      const x = (side: 'ours' | 'theirs') => (xs.length === 1 ? xs[0][side] : xs.map((p) => p[side]));
      const want = theirs.predict(x('theirs') as never) as tf.Tensor;
      expectClose((ours.predict(x('ours')) as Tensor).data, want.dataSync(), { ...TOL, label: `${c.label}: predictions` });

      if (!c.noTraining) await sgdStep(c, theirs, ours, x, want, rng);

      // our export loads back into TF.js
      const back = await tf.loadLayersModel(tf.io.fromMemory(toTfjs(ours)));
      const again = list(back.predict(x('theirs') as never) as tf.Tensor | tf.Tensor[]);
      expectClose((ours.predict(x('ours')) as Tensor).data, again[0].dataSync(), { ...TOL, label: `${c.label}: exported` });
    });
  }

  it('toTfjs names the layers TF.js has no class for, and why', () => {
    const ids = input({ shape: [6], dtype: 'int32' });
    const e = layers.tokenAndPositionEmbedding({ vocabularySize: 9, sequenceLength: 6, embeddingDim: 4 }).apply(ids);
    const a = layers.multiHeadAttention({ numHeads: 2, keyDim: 2 }).apply([e, e]);
    const b = layers.attention().apply([a, e]);
    const m = model({ inputs: ids, outputs: layers.additiveAttention().apply([b, e]) });
    expect(() => toTfjs(m)).toThrow(
      /TF.js has no MultiHeadAttention layer[\s\S]*TF.js has no Attention layer[\s\S]*TF.js has no AdditiveAttention layer/,
    );
    expect(() => toTfjs(m)).toThrow(/KerasHub layer TF.js does not have/);
  });

  it('a Keras LayerNormalization over another axis, or with rms_scaling, is refused by name', async () => {
    const x = tf.input({ shape: [5, 6] });
    const m = tf.model({ inputs: x, outputs: tf.layers.layerNormalization({ axis: 1 }).apply(x) as tf.SymbolicTensor });
    await expect(artifactsOf(m).then(fromTfjs)).rejects.toThrow(/axis 1 is not the last axis of an input of rank 3/);
    const art = await artifactsOf(tf.model({ inputs: x, outputs: tf.layers.layerNormalization().apply(x) as tf.SymbolicTensor }));
    const topo = structuredClone(art.modelTopology) as { config: { layers: { config: Record<string, unknown> }[] } };
    topo.config.layers[1].config.rms_scaling = true;
    expect(() => fromTfjs({ ...art, modelTopology: topo })).toThrow(/rms_scaling = true/);
  });
});
