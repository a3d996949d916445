/**
 * Functional models against TensorFlow.js (cpu backend, an independent
 * implementation of Keras semantics): graphs built with tf.input / apply /
 * tf.model — several inputs and outputs, shared layers, an encoder-decoder
 * with initial states, merges, reshapes — imported here predict the same
 * within 1e-5, one SGD step from the same weights gives the same weights
 * within 1e-5, and our export loads back into TF.js predicting the same.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Model, Tensor, fromTfjs, optimizers, toTfjs } from '../../src/index.js';
import { Rng, expectClose } from '../util.js';
import { TOL, artifactsOf, floats, onTfjsCpuAndWasmSimd, type Pair } from './tfjs_pairs.js';

const B = 4;

onTfjsCpuAndWasmSimd();

const ids = (rng: Rng, shape: number[], vocab: number): Pair => {
  const a = Int32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => (i % shape[1] === 0 ? 0 : 1 + rng.int(vocab - 1)));
  return { ours: new Tensor(a, shape), theirs: tf.tensor(Array.from(a), shape, 'int32') };
};

interface Case {
  label: string;
  build: () => tf.LayersModel;
  inputs: (r: Rng) => Pair[];
  /** per output: the loss both sides train with */
  losses: ('meanSquaredError' | 'binaryCrossentropy' | 'categoricalCrossentropy')[];
}

const cases: Case[] = [
  {
    label: 'encoder-decoder: the decoder LSTM starts from the encoder LSTM states; softmax per step',
    build: () => {
      const enc = tf.input({ shape: [6, 3] });
      const dec = tf.input({ shape: [5, 2] });
      const [, h, c] = tf.layers.lstm({ units: 4, returnState: true, recurrentActivation: 'sigmoid' }).apply(enc) as tf.SymbolicTensor[];
      const y = tf.layers
        .lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid' })
        .apply(dec, { initialState: [h, c] }) as tf.SymbolicTensor;
      return tf.model({ inputs: [enc, dec], outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(y) as tf.SymbolicTensor });
    },
    inputs: (r) => [floats(r, [B, 6, 3]), floats(r, [B, 5, 2])],
    losses: ['categoricalCrossentropy'],
  },
  {
    label: 'GRU encoder-decoder with an embedding, the state shared by a dense head: two outputs',
    build: () => {
      const src = tf.input({ shape: [5], dtype: 'int32' });
      const tgt = tf.input({ shape: [4, 3] });
      // no maskZero here: TF.js 4.22 applies the encoder's mask to the decoder that takes its state (its
      // graph and the same decoder fed the state as an input disagree); Keras, and we, mask by the decoder's input
      const e = tf.layers.embedding({ inputDim: 11, outputDim: 4 }).apply(src) as tf.SymbolicTensor;
      const [, h] = tf.layers.gru({ units: 5, returnState: true, recurrentActivation: 'sigmoid' }).apply(e) as tf.SymbolicTensor[];
      const y = tf.layers
        .gru({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid' })
        .apply(tgt, { initialState: [h] }) as tf.SymbolicTensor;
      const seq = tf.layers.dense({ units: 2 }).apply(y) as tf.SymbolicTensor;
      const cls = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: [src, tgt], outputs: [seq, cls] });
    },
    inputs: (r) => [ids(r, [B, 5], 11), floats(r, [B, 4, 3])],
    losses: ['meanSquaredError', 'binaryCrossentropy'],
  },
  {
    label: 'two inputs through one shared Dense, concatenated, added and multiplied',
    build: () => {
      const a = tf.input({ shape: [3] });
      const b = tf.input({ shape: [3] });
      const shared = tf.layers.dense({ units: 4, activation: 'tanh' });
      const sa = shared.apply(a) as tf.SymbolicTensor;
      const sb = shared.apply(b) as tf.SymbolicTensor;
      const cat = tf.layers.concatenate().apply([sa, sb]) as tf.SymbolicTensor;
      const sum = tf.layers.add().apply([sa, sb]) as tf.SymbolicTensor;
      const prod = tf.layers.multiply().apply([sa, sb, sum]) as tf.SymbolicTensor;
      const ave = tf.layers.average().apply([prod, sum]) as tf.SymbolicTensor;
      const all = tf.layers.concatenate().apply([cat, ave]) as tf.SymbolicTensor;
      return tf.model({ inputs: [a, b], outputs: tf.layers.dense({ units: 2, activation: 'sigmoid' }).apply(all) as tf.SymbolicTensor });
    },
    inputs: (r) => [floats(r, [B, 3]), floats(r, [B, 3])],
    losses: ['binaryCrossentropy'],
  },
  {
    label: 'repeatVector -> LSTM -> timeDistributed(dense) -> flatten -> reshape -> activation(softmax)',
    build: () => {
      const x = tf.input({ shape: [3] });
      const r = tf.layers.repeatVector({ n: 4 }).apply(x) as tf.SymbolicTensor;
      const l = tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }).apply(r) as tf.SymbolicTensor;
      const t = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }).apply(l) as tf.SymbolicTensor;
      const f = tf.layers.flatten().apply(t) as tf.SymbolicTensor;
      const rs = tf.layers.reshape({ targetShape: [2, 4] }).apply(f) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: tf.layers.activation({ activation: 'softmax' }).apply(rs) as tf.SymbolicTensor });
    },
    inputs: (r) => [floats(r, [B, 3])],
    losses: ['categoricalCrossentropy'],
  },
];

function targets(rng: Rng, outs: tf.Tensor[], losses: Case['losses']): Pair[] {
  return outs.map((o, k) => {
    const n = o.size;
    const C = o.shape[o.shape.length - 1]!;
    const a = new Float32Array(n);
    if (losses[k] === 'categoricalCrossentropy') for (let i = 0; i < n / C; i++) a[i * C + rng.int(C)] = 1;
    else if (losses[k] === 'binaryCrossentropy') for (let i = 0; i < n; i++) a[i] = rng.next() < 0.5 ? 0 : 1;
    else for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
    return { ours: new Tensor(a, o.shape as number[]), theirs: tf.tensor(Array.from(a), o.shape) };
  });
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('TF.js functional models -> wasm-rnn', () => {
  for (const c of cases) {
    it(c.label, async () => {
      const rng = new Rng(c.label.length);
      const theirs = c.build();
      const ours = fromTfjs(await artifactsOf(theirs));
      expect(ours).toBeInstanceOf(Model);
      const xs = c.inputs(rng);
      const x = (side: 'ours' | 'theirs') => (xs.length === 1 ? xs[0][side] : xs.map((p) => p[side]));
      const want = list(theirs.predict(x('theirs') as never) as tf.Tensor | tf.Tensor[]);
      const got = list(ours.predict(x('ours')) as Tensor | Tensor[]);
      got.forEach((g, k) => expectClose(g.data, want[k].dataSync(), { ...TOL, label: `${c.label}: output ${k}` }));

      // one SGD step from the same weights
      const ys = targets(rng, want, c.losses);
      const y = (side: 'ours' | 'theirs') => (ys.length === 1 ? ys[0][side] : ys.map((p) => p[side]));
      theirs.compile({ optimizer: tf.train.sgd(0.5), loss: c.losses.length === 1 ? c.losses[0] : c.losses });
      ours.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: c.losses.length === 1 ? c.losses[0] : c.losses });
      const before = ours.getWeights().map((w) => Array.from(w.data));
      const lt = await theirs.trainOnBatch(x('theirs') as never, y('theirs') as never);
      const lossTheirs = Array.isArray(lt) ? lt[0] : lt;
      const lossOurs = ours.trainOnBatch(x('ours'), y('ours'));
      expect(Math.abs(lossOurs - lossTheirs)).toBeLessThan(1e-5 * (1 + Math.abs(lossTheirs)));
      const wTheirs = theirs.getWeights().map((w) => w.dataSync());
      const wOurs = ours.getWeights();
      expect(wOurs.length).toBe(wTheirs.length);
      // TF.js lists weights layer by layer in its own order: match by shape and position within equal shapes
      const theirsByName = new Map(theirs.weights.map((w, i) => [w.originalName ?? w.name, wTheirs[i]]));
      const oursNamed = namesOf(ours);
      oursNamed.forEach((name, i) => {
        const t = theirsByName.get(name);
        expect(t, `TF.js has no weight named ${name}`).toBeDefined();
        expectClose(wOurs[i].data, t!, { ...TOL, label: `${c.label}: ${name} after one step` });
      });
      expect(wOurs.some((w, i) => Array.from(w.data).some((v, k) => v !== before[i][k]))).toBe(true);

      // and our export loads back into TF.js
      const back = await tf.loadLayersModel(tf.io.fromMemory(toTfjs(ours)));
      const again = list(back.predict(x('theirs') as never) as tf.Tensor | tf.Tensor[]);
      list(ours.predict(x('ours')) as Tensor | Tensor[]).forEach((g, k) =>
        expectClose(g.data, again[k].dataSync(), { ...TOL, label: `${c.label}: exported output ${k}` }),
      );
    });
  }
});

/** Our weights' TF.js names (layer/weight), in getWeights order. */
function namesOf(m: Model): string[] {
  const spec = toTfjs(m).weightSpecs;
  return spec.map((s) => s.name);
}

describe('Keras 3 functional topologies', () => {
  it('args / kwargs inbound nodes with initial_state, batch_shape inputs, dtype policies', async () => {
    const { input, layers, model } = await import('../../src/index.js');
    // the model Keras 3 would describe below, built here to supply the weights and the expected output
    const enc = input({ shape: [6, 3], name: 'enc' });
    const dec = input({ shape: [5, 2], name: 'dec' });
    const [, h, c] = layers.lstm({ units: 4, returnState: true, name: 'lstm' }).apply(enc);
    const y = layers.lstm({ units: 4, returnSequences: true, name: 'lstm_1' }).apply(dec, { initialState: [h, c] });
    const ours = model({ inputs: [enc, dec], outputs: layers.dense({ units: 3, activation: 'softmax', name: 'dense' }).apply(y), seed: 3 });
    const kt = (name: string, i: number, shape: (number | null)[]) => ({
      class_name: '__keras_tensor__',
      config: { shape, dtype: 'float32', keras_history: [name, 0, i] },
    });
    const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const lstm = (name: string, extra: Record<string, unknown>) => ({
      module: 'keras.layers',
      class_name: 'LSTM',
      registered_name: null,
      name,
      config: {
        name,
        trainable: true,
        dtype: policy,
        return_sequences: false,
        return_state: false,
        go_backwards: false,
        stateful: false,
        unroll: false,
        zero_output_for_mask: false,
        units: 4,
        activation: 'tanh',
        recurrent_activation: 'sigmoid',
        use_bias: true,
        kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
        unit_forget_bias: true,
        kernel_regularizer: null,
        recurrent_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        recurrent_constraint: null,
        bias_constraint: null,
        dropout: 0.0,
        recurrent_dropout: 0.0,
        seed: null,
        ...extra,
      },
      build_config: { input_shape: [null, 6, 3] },
    });
    const topology = {
      class_name: 'Functional',
      config: {
        name: 'seq2seq',
        trainable: true,
        layers: [
          {
            module: 'keras.layers',
            class_name: 'InputLayer',
            registered_name: null,
            name: 'enc',
            inbound_nodes: [],
            config: { batch_shape: [null, 6, 3], dtype: 'float32', sparse: false, name: 'enc' },
          },
          {
            ...lstm('lstm', { return_state: true }),
            inbound_nodes: [{ args: [kt('enc', 0, [null, 6, 3])], kwargs: { training: false, mask: null } }],
          },
          {
            module: 'keras.layers',
            class_name: 'InputLayer',
            registered_name: null,
            name: 'dec',
            inbound_nodes: [],
            config: { batch_shape: [null, 5, 2], dtype: 'float32', sparse: false, name: 'dec' },
          },
          {
            ...lstm('lstm_1', { return_sequences: true }),
            inbound_nodes: [
              {
                args: [kt('dec', 0, [null, 5, 2])],
                kwargs: { initial_state: [kt('lstm', 1, [null, 4]), kt('lstm', 2, [null, 4])], training: false, mask: null },
              },
            ],
          },
          {
            module: 'keras.layers',
            class_name: 'Dense',
            registered_name: null,
            name: 'dense',
            config: {
              name: 'dense',
              trainable: true,
              dtype: policy,
              units: 3,
              activation: 'softmax',
              use_bias: true,
              kernel_regularizer: null,
              bias_regularizer: null,
              kernel_constraint: null,
              bias_constraint: null,
            },
            inbound_nodes: [{ args: [kt('lstm_1', 0, [null, 5, 4])], kwargs: {} }],
          },
        ],
        input_layers: [
          ['enc', 0, 0],
          ['dec', 0, 0],
        ],
        output_layers: [['dense', 0, 0]],
      },
    };
    const art = toTfjs(ours);
    const imported = fromTfjs({ modelTopology: topology, weightSpecs: art.weightSpecs, weightData: art.weightData });
    const r = new Rng(5);
    const xs = [floats(r, [2, 6, 3]).ours, floats(r, [2, 5, 2]).ours];
    expect(Array.from((imported.predict(xs) as Tensor).data)).toEqual(Array.from((ours.predict(xs) as Tensor).data));
    // an unsupported call argument is named
    const bad = structuredClone(topology);
    (bad.config.layers[4].inbound_nodes[0].kwargs as Record<string, unknown>).constants = [];
    expect(() => fromTfjs({ modelTopology: bad, weightSpecs: art.weightSpecs, weightData: art.weightData })).toThrow(
      /Dense 'dense': call argument 'constants'/,
    );
  });
});
