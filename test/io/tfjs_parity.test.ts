/**
 * Parity with TensorFlow.js (an independent implementation of Keras
 * semantics, pure-JS cpu backend): models built in TF.js, exported, imported
 * here, must predict the same within 1e-5; one SGD step from the same weights
 * must give the same weights within 1e-5; and our exported models must
 * predict the same when TF.js loads them.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Tensor, fromTfjs, toTfjs, Sequential, layers, optimizers } from '../../src/index.js';
import { Rng, expectClose } from '../util.js';
import { TOL, artifactsOf, floats, onTfjsCpuAndWasmSimd, type Pair } from './tfjs_pairs.js';

onTfjsCpuAndWasmSimd();

interface Case {
  label: string;
  build: () => tf.Sequential;
  input: (rng: Rng) => { ours: Tensor; theirs: tf.Tensor };
  loss: 'binaryCrossentropy' | 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError';
  target: (rng: Rng, out: number[]) => { ours: Tensor; theirs: tf.Tensor };
}

const B = 4;
const T = 6;

function ids(rng: Rng, vocab: number, padFrac = 0.3) {
  const a = Int32Array.from({ length: B * T }, (_, i) => (i % T < 2 && rng.next() < padFrac * 3 ? 0 : 1 + rng.int(vocab - 1)));
  return { ours: new Tensor(a, [B, T]), theirs: tf.tensor2d(Array.from(a), [B, T], 'int32') };
}

const sequences = (rng: Rng, F: number): Pair => floats(rng, [B, T, F]);

function binary(rng: Rng, shape: number[]) {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = Float32Array.from({ length: n }, () => (rng.next() < 0.5 ? 0 : 1));
  return { ours: new Tensor(a, shape), theirs: tf.tensor(Array.from(a), shape) };
}

const cases: Case[] = [
  {
    label: 'Embedding(maskZero) -> LSTM -> Dense(sigmoid), padded ids',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 12, outputDim: 5, maskZero: true, inputLength: T }),
          tf.layers.lstm({ units: 7, recurrentActivation: 'sigmoid' }),
          tf.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      }),
    input: (r) => ids(r, 12),
    loss: 'binaryCrossentropy',
    target: (r) => binary(r, [B, 1]),
  },
  {
    label: 'float input -> LSTM(returnSequences) -> LSTM -> Dense(sigmoid), hardSigmoid recurrent activation',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.lstm({ units: 6, returnSequences: true, recurrentActivation: 'hardSigmoid', inputShape: [T, 3] }),
          tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid' }),
          tf.layers.dense({ units: 2, activation: 'sigmoid' }),
        ],
      }),
    input: (r) => sequences(r, 3),
    loss: 'binaryCrossentropy',
    target: (r) => binary(r, [B, 2]),
  },
  {
    label: 'LSTM goBackwards returnSequences -> Dense per step (mse)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.lstm({ units: 4, goBackwards: true, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, 2] }),
          tf.layers.dense({ units: 3 }),
        ],
      }),
    input: (r) => sequences(r, 2),
    loss: 'meanSquaredError',
    target: (r) => {
      const a = Float32Array.from({ length: B * T * 3 }, () => r.uniform(-1, 1));
      return { ours: new Tensor(a, [B, T, 3]), theirs: tf.tensor3d(Array.from(a), [B, T, 3]) };
    },
  },
  {
    label: 'Embedding -> LSTM -> Dropout -> Dense(softmax), sparse categorical',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: T }),
          tf.layers.lstm({ units: 8, recurrentActivation: 'sigmoid', goBackwards: true }),
          tf.layers.dropout({ rate: 0.25 }),
          tf.layers.dense({ units: 5, activation: 'softmax' }),
        ],
      }),
    input: (r) => ids(r, 9, 0),
    loss: 'sparseCategoricalCrossentropy',
    target: (r) => {
      const a = Float32Array.from({ length: B }, () => r.int(5));
      return { ours: new Tensor(Int32Array.from(a), [B]), theirs: tf.tensor1d(Array.from(a)) };
    },
  },
  {
    label: 'Embedding(maskZero) -> LSTM(returnSequences) -> Dense(softmax) per step, categorical',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 10, outputDim: 6, inputLength: T }),
          tf.layers.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid' }),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      }),
    input: (r) => ids(r, 10, 0),
    loss: 'categoricalCrossentropy',
    target: (r) => {
      const a = new Float32Array(B * T * 4);
      for (let i = 0; i < B * T; i++) a[i * 4 + r.int(4)] = 1;
      return { ours: new Tensor(a, [B, T, 4]), theirs: tf.tensor3d(Array.from(a), [B, T, 4]) };
    },
  },
];

describe('TF.js -> wasm-rnn: predictions', () => {
  for (const c of cases) {
    it(c.label, async () => {
      const rng = new Rng(c.label.length);
      const theirs = c.build();
      const ours = fromTfjs((await artifactsOf(theirs)) as never);
      const x = c.input(rng);
      const want = (theirs.predict(x.theirs) as tf.Tensor).dataSync();
      const got = (ours.predict(x.ours) as Tensor).data;
      expectClose(got, want, { ...TOL, label: c.label });
    });
  }
});

describe('one SGD step from the same weights gives the same weights', () => {
  // dropout draws different random masks in the two libraries: those cases are prediction-only
  for (const c of cases.filter((k) => !k.label.includes('Dropout'))) {
    it(c.label, async () => {
      const rng = new Rng(c.label.length + 1);
      const theirs = c.build();
      const ours = fromTfjs((await artifactsOf(theirs)) as never);
      const before = ours.getWeights().map((w) => Array.from(w.data));
      const x = c.input(rng);
      const y = c.target(rng, []);
      theirs.compile({ optimizer: tf.train.sgd(0.5), loss: c.loss });
      ours.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: c.loss });
      const lossTheirs = (await theirs.trainOnBatch(x.theirs, y.theirs)) as number;
      const lossOurs = ours.trainOnBatch(x.ours, y.ours);
      expect(Math.abs(lossOurs - lossTheirs)).toBeLessThan(1e-5 * (1 + Math.abs(lossTheirs)));
      const wTheirs = theirs.getWeights().map((w) => w.dataSync());
      const wOurs = ours.getWeights().map((w) => w.data);
      expect(wOurs.length).toBe(wTheirs.length);
      wOurs.forEach((w, i) => expectClose(w, wTheirs[i], { ...TOL, label: `${c.label}: weight ${i} after one step` }));
      // the step really moved every weight tensor (so the comparison means something)
      wOurs.forEach((w, i) => expect(Array.from(w), `weight ${i} unchanged`).not.toEqual(before[i]));
    });
  }
});

describe('wasm-rnn -> TF.js: our exported models load and predict the same', () => {
  it('LSTM classifier and a stacked per-step model', async () => {
    const rng = new Rng(3);
    const models = [
      new Sequential({
        seed: 1,
        layers: [
          layers.embedding({ inputDim: 15, outputDim: 4, maskZero: true, inputLength: T }),
          layers.lstm({ units: 6 }),
          layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      }),
      new Sequential({
        seed: 2,
        layers: [
          layers.lstm({ units: 5, returnSequences: true, inputShape: [T, 3], recurrentActivation: 'hardSigmoid' }),
          layers.dropout({ rate: 0.5 }),
          layers.lstm({ units: 4, returnSequences: true, goBackwards: true }),
          layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    ];
    const inputs = [ids(rng, 15), sequences(rng, 3)];
    for (let i = 0; i < models.length; i++) {
      const art = toTfjs(models[i]);
      const theirs = await tf.loadLayersModel(tf.io.fromMemory(art as never));
      const want = (theirs.predict(inputs[i].theirs) as tf.Tensor).dataSync();
      const got = (models[i].predict(inputs[i].ours) as Tensor).data;
      expectClose(got, want, { ...TOL, label: `exported model ${i}` });
      // and back again
      const again = fromTfjs(art as never);
      expect(Array.from((again.predict(inputs[i].ours) as Tensor).data)).toEqual(Array.from(got));
    }
  });

  it('what TF.js cannot represent is a clear error', () => {
    const m = new Sequential({ layers: [layers.lstm({ units: 2, peephole: true, inputShape: [3, 2] })] });
    expect(() => toTfjs(m)).toThrow(/peephole LSTM/);
  });
});

describe('import errors', () => {
  it('lists every unsupported feature at once', async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.lstm({
          units: 3,
          dropout: 0.2,
          recurrentDropout: 0.1,
          inputShape: [4, 2],
          kernelRegularizer: tf.regularizers.l2(),
          returnSequences: true,
        }),
        tf.layers.gaussianNoise({ stddev: 0.1 }),
      ],
    });
    const art = await artifactsOf(m);
    let msg = '';
    try {
      fromTfjs(art as never);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/dropout = 0.2/);
    expect(msg).toMatch(/recurrent_dropout = 0.1/);
    expect(msg).toMatch(/kernel_regularizer/);
    expect(msg).toMatch(/layer type GaussianNoise/);
  });

  it('weights that do not match the topology, truncated weight data, non-objects', async () => {
    const m = cases[0].build();
    const art = await artifactsOf(m);
    const short = { ...art, weightData: (art.weightData as ArrayBuffer).slice(0, 40) };
    expect(() => fromTfjs(short as never)).toThrow(/truncated/);
    const specs = (art.weightSpecs ?? []).map((s) => ({ ...s }));
    specs[1].shape = [99, 1];
    expect(() => fromTfjs({ ...art, weightSpecs: specs } as never)).toThrow(/weight 1 is .* but the model expects/);
    expect(() => fromTfjs({ modelTopology: 'nope' } as never)).toThrow(/not valid JSON/);
    expect(() => fromTfjs(null as never)).toThrow(/expected \{ modelTopology/);
    expect(() => fromTfjs({ modelTopology: { class_name: 'Graph', config: {} } } as never)).toThrow(/model class "Graph" is not supported/);
  });
});

describe('GRU, SimpleRNN and Bidirectional: TF.js -> wasm-rnn -> TF.js', () => {
  const more: Array<[string, () => tf.Sequential, (r: Rng) => { ours: Tensor; theirs: tf.Tensor }]> = [
    [
      'Embedding(maskZero) -> GRU goBackwards (returnSequences) -> GRU (hardSigmoid) -> Dense',
      () =>
        tf.sequential({
          layers: [
            tf.layers.embedding({ inputDim: 12, outputDim: 5, maskZero: true, inputLength: T }),
            tf.layers.gru({ units: 7, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid' }),
            tf.layers.gru({ units: 5, recurrentActivation: 'hardSigmoid' }),
            tf.layers.dense({ units: 2 }),
          ],
        }),
      (r) => ids(r, 12),
    ],
    [
      'SimpleRNN(relu, returnSequences) -> SimpleRNN goBackwards',
      () =>
        tf.sequential({
          layers: [
            tf.layers.simpleRNN({ units: 6, returnSequences: true, activation: 'relu', inputShape: [T, 3] }),
            tf.layers.simpleRNN({ units: 5, goBackwards: true }),
          ],
        }),
      (r) => sequences(r, 3),
    ],
    [
      'Embedding(maskZero) -> Bidirectional(LSTM) concat -> Dense(sigmoid)',
      () =>
        tf.sequential({
          layers: [
            tf.layers.embedding({ inputDim: 12, outputDim: 5, maskZero: true, inputLength: T }),
            tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid' }) as never, mergeMode: 'concat' }),
            tf.layers.dense({ units: 1, activation: 'sigmoid' }),
          ],
        }),
      (r) => ids(r, 12),
    ],
    [
      'Bidirectional GRU sum -> Bidirectional SimpleRNN mul -> Bidirectional LSTM ave',
      () =>
        tf.sequential({
          layers: [
            tf.layers.bidirectional({
              layer: tf.layers.gru({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid' }) as never,
              mergeMode: 'sum',
              inputShape: [T, 3],
            }),
            tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 4, returnSequences: true }) as never, mergeMode: 'mul' }),
            tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }) as never, mergeMode: 'ave' }),
          ],
        }),
      (r) => sequences(r, 3),
    ],
  ];
  for (const [label, build, input] of more) {
    it(label, async () => {
      const rng = new Rng(label.length);
      const theirs = build();
      const ours = fromTfjs((await artifactsOf(theirs)) as never);
      const x = input(rng);
      expectClose((ours.predict(x.ours) as Tensor).data, (theirs.predict(x.theirs) as tf.Tensor).dataSync(), { ...TOL, label });
      // one SGD step (mean squared error on the outputs) from the same weights
      const out = theirs.predict(x.theirs) as tf.Tensor;
      const target = Float32Array.from(out.dataSync(), () => rng.uniform(-1, 1));
      theirs.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
      ours.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
      const lossTheirs = (await theirs.trainOnBatch(x.theirs, tf.tensor(Array.from(target), out.shape))) as number;
      const lossOurs = ours.trainOnBatch(x.ours, new Tensor(target, out.shape));
      expect(Math.abs(lossOurs - lossTheirs)).toBeLessThan(1e-5 * (1 + Math.abs(lossTheirs)));
      const wTheirs = theirs.getWeights().map((w) => w.dataSync());
      ours.getWeights().forEach((w, i) => expectClose(w.data, wTheirs[i], { ...TOL, label: `${label}: weight ${i}` }));
      // and our export loads back into TF.js
      const back = await tf.loadLayersModel(tf.io.fromMemory(toTfjs(ours) as never));
      expectClose((ours.predict(x.ours) as Tensor).data, (back.predict(x.theirs) as tf.Tensor).dataSync(), {
        ...TOL,
        label: `${label} (exported)`,
      });
    });
  }
});

describe('Keras-converted topologies', () => {
  it('a functional chain with an InputLayer, GRU reset_after: true (bias (2, 3H)) and TimeDistributed(Dense)', () => {
    // what tensorflowjs_converter writes for a Keras 2 model (model_config wrapper, snake_case configs)
    const ours = new Sequential({
      seed: 4,
      layers: [
        layers.gru({ units: 3, returnSequences: true, resetAfter: true, inputShape: [T, 2] }),
        layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const w = ours.getWeights();
    const topology = {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'model',
          layers: [
            {
              class_name: 'InputLayer',
              name: 'input_1',
              config: { batch_input_shape: [null, T, 2], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' },
              inbound_nodes: [],
            },
            {
              class_name: 'GRU',
              name: 'gru',
              config: {
                name: 'gru',
                trainable: true,
                dtype: 'float32',
                return_sequences: true,
                return_state: false,
                go_backwards: false,
                stateful: false,
                unroll: false,
                time_major: false,
                units: 3,
                activation: 'tanh',
                recurrent_activation: 'sigmoid',
                use_bias: true,
                kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
                recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
                bias_initializer: { class_name: 'Zeros', config: {} },
                kernel_regularizer: null,
                recurrent_regularizer: null,
                bias_regularizer: null,
                activity_regularizer: null,
                kernel_constraint: null,
                recurrent_constraint: null,
                bias_constraint: null,
                dropout: 0,
                recurrent_dropout: 0,
                implementation: 2,
                reset_after: true,
              },
              inbound_nodes: [[['input_1', 0, 0, {}]]],
            },
            {
              class_name: 'TimeDistributed',
              name: 'td',
              config: {
                name: 'td',
                trainable: true,
                dtype: 'float32',
                layer: {
                  class_name: 'Dense',
                  config: {
                    name: 'dense',
                    units: 2,
                    activation: 'softmax',
                    use_bias: true,
                    kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
                    bias_initializer: { class_name: 'Zeros', config: {} },
                    kernel_regularizer: null,
                    bias_regularizer: null,
                    activity_regularizer: null,
                    kernel_constraint: null,
                    bias_constraint: null,
                  },
                },
              },
              inbound_nodes: [[['gru', 0, 0, {}]]],
            },
          ],
          input_layers: [['input_1', 0, 0]],
          output_layers: [['td', 0, 0]],
        },
      },
    };
    const names = ['gru/gru_cell/kernel', 'gru/gru_cell/recurrent_kernel', 'gru/gru_cell/bias', 'td/kernel', 'td/bias'];
    const weightSpecs = w.map((t, i) => ({ name: names[i], shape: [...t.shape], dtype: 'float32' }));
    const total = w.reduce((a, t) => a + t.data.length, 0);
    const data = new Float32Array(total);
    let at = 0;
    for (const t of w) {
      data.set(t.data, at);
      at += t.data.length;
    }
    expect(w[2].shape).toEqual([2, 9]);
    const imported = fromTfjs({ modelTopology: topology, weightSpecs, weightData: data.buffer });
    const x = sequences(new Rng(9), 2).ours;
    expect(Array.from((imported.predict(x) as Tensor).data)).toEqual(Array.from((ours.predict(x) as Tensor).data));
    // TF.js cannot hold resetAfter: true, and export says so
    expect(() => toTfjs(ours)).toThrow(/resetAfter: true/);
  });
});
