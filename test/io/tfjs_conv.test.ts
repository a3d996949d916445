/**
 * Conv1D, pooling and Maximum against TensorFlow.js layers (an independent
 * implementation of Keras semantics, its pure-JS cpu backend): models built
 * in TF.js, exported, imported here (fromTfjs) must predict the same within
 * 1e-5; one SGD step from the same weights must give the same loss and
 * weights within 1e-5; our export (toTfjs) must load back into TF.js and
 * predict the same. TF.js refuses masked input to these layers, so masks are
 * tested against references in test/layers/. Two TF.js gaps limit what is
 * compared: it cannot run causal padding ("not implemented yet" in
 * conv1dWithBias) and has no gradient for dilation > 1, so causal
 * convolutions are checked against the Keras definition in
 * test/layers/conv1d.test.ts and dilated ones here on predictions only.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Layer, Sequential, Tensor, WasmRnnError, fromTfjs, input, layers, model, optimizers, toTfjs } from '../../src/index.js';
import { Rng, expectClose } from '../util.js';
import { TOL, artifactsOf, floats, onTfjsCpuAndWasmSimd, type Pair } from './tfjs_pairs.js';

const B = 3;

onTfjsCpuAndWasmSimd();

function ids(rng: Rng, T: number, vocab: number): Pair {
  const a = Int32Array.from({ length: B * T }, () => rng.int(vocab));
  return { ours: new Tensor(a, [B, T]), theirs: tf.tensor2d(Array.from(a), [B, T], 'int32') };
}

const sequences = (rng: Rng, T: number, C: number): Pair => floats(rng, [B, T, C]);

interface Case {
  label: string;
  build: () => tf.LayersModel;
  input: (rng: Rng) => Pair[];
  loss: 'binaryCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';
  target: (rng: Rng, shape: number[]) => Pair;
  /** false: TF.js has no gradient for this model (dilation > 1); predictions and export only */
  train?: boolean;
}

const binary = (rng: Rng, shape: number[]): Pair => {
  const a = Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => (rng.next() < 0.5 ? 0 : 1));
  return { ours: new Tensor(a, shape), theirs: tf.tensor(Array.from(a), shape) };
};
const regression = (rng: Rng, shape: number[]): Pair => {
  const a = Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => rng.uniform(-1, 1));
  return { ours: new Tensor(a, shape), theirs: tf.tensor(Array.from(a), shape) };
};

const cases: Case[] = [
  {
    label: 'W6 in small: Embedding -> Conv1D(valid, relu) -> GlobalMaxPooling1D -> Dense(sigmoid)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 30, outputDim: 8, inputLength: 12 }),
          tf.layers.conv1d({ filters: 9, kernelSize: 5, activation: 'relu', biasInitializer: 'randomNormal' }),
          tf.layers.globalMaxPooling1d(),
          tf.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      }),
    input: (r) => [ids(r, 12, 30)],
    loss: 'binaryCrossentropy',
    target: binary,
  },
  {
    label: 'Conv1D(same, strides 2, tanh) -> MaxPooling1D -> Conv1D(valid) -> GlobalAveragePooling1D -> Dense(softmax)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv1d({
            filters: 6,
            kernelSize: 4,
            strides: 2,
            padding: 'same',
            activation: 'tanh',
            inputShape: [13, 3],
            biasInitializer: 'randomNormal',
          }),
          tf.layers.maxPooling1d({ poolSize: 2 }),
          tf.layers.conv1d({ filters: 5, kernelSize: 2, activation: 'sigmoid' }),
          tf.layers.globalAveragePooling1d(),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      }),
    input: (r) => [sequences(r, 13, 3)],
    loss: 'sparseCategoricalCrossentropy',
    target: (r) => {
      const a = Float32Array.from({ length: B }, () => r.int(4));
      return { ours: new Tensor(Int32Array.from(a), [B]), theirs: tf.tensor1d(Array.from(a)) };
    },
  },
  {
    label: 'MaxPooling1D(3, strides 2, same) -> AveragePooling1D(3, strides 2, same) -> Conv1D(valid, strides 3, no bias) per step (mse)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same', inputShape: [17, 4] }),
          tf.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
          tf.layers.conv1d({ filters: 3, kernelSize: 2, strides: 3, useBias: false }),
        ],
      }),
    input: (r) => [sequences(r, 17, 4)],
    loss: 'meanSquaredError',
    target: regression,
  },
  {
    label:
      'AveragePooling1D(valid, strides 1) -> Conv1D(same, even kernel) -> Conv1D(same, strides 3, sigmoid) per step (binary cross-entropy on its logits)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.averagePooling1d({ poolSize: 2, strides: 1, inputShape: [10, 5] }),
          tf.layers.conv1d({ filters: 4, kernelSize: 4, padding: 'same', activation: 'relu', biasInitializer: 'ones' }),
          tf.layers.conv1d({
            filters: 3,
            kernelSize: 2,
            strides: 3,
            padding: 'same',
            activation: 'sigmoid',
            biasInitializer: 'randomNormal',
          }),
        ],
      }),
    input: (r) => [sequences(r, 10, 5)],
    loss: 'binaryCrossentropy',
    target: binary,
  },
  {
    label: 'Conv1D(same, dilation 3, even kernel) -> Conv1D(valid, dilation 2) per step (predictions only)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv1d({
            filters: 4,
            kernelSize: 4,
            dilationRate: 3,
            padding: 'same',
            activation: 'relu',
            biasInitializer: 'ones',
            inputShape: [11, 5],
          }),
          tf.layers.conv1d({ filters: 2, kernelSize: 3, dilationRate: 2, biasInitializer: 'randomNormal' }),
        ],
      }),
    input: (r) => [sequences(r, 11, 5)],
    loss: 'meanSquaredError',
    target: regression,
    train: false,
  },
  {
    label: 'functional: Maximum of two Conv1D branches -> GlobalMaxPooling1D -> Dense',
    build: () => {
      const x = tf.input({ shape: [9, 3] });
      const a = tf.layers.conv1d({ filters: 5, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
      const b = tf.layers.conv1d({ filters: 5, kernelSize: 1, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
      const m = tf.layers.maximum().apply([a, b]) as tf.SymbolicTensor;
      const y = tf.layers.dense({ units: 2 }).apply(tf.layers.globalMaxPooling1d().apply(m)) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: y });
    },
    input: (r) => [sequences(r, 9, 3)],
    loss: 'meanSquaredError',
    target: regression,
  },
];

function one<T>(xs: T[]): T | T[] {
  return xs.length === 1 ? xs[0] : xs;
}

describe('TF.js -> wasm-rnn: Conv1D, pooling, Maximum', () => {
  for (const c of cases) {
    it(`${c.label}: predictions${c.train === false ? '' : ', one SGD step'}, and back to TF.js`, async () => {
      const rng = new Rng(c.label.length);
      const theirs = c.build();
      // seeded weights (TF.js draws its initial ones from Math.random): every run compares the same numbers
      theirs.setWeights(
        theirs.getWeights().map((w) =>
          tf.tensor(
            Array.from({ length: w.size }, () => rng.uniform(-0.5, 0.5)),
            w.shape,
          ),
        ),
      );
      const ours = fromTfjs((await artifactsOf(theirs)) as never);
      const xs = c.input(rng);
      const want = theirs.predict(one(xs.map((x) => x.theirs))) as tf.Tensor;
      const got = ours.predict(one(xs.map((x) => x.ours)) as never) as Tensor;
      expect(got.shape).toEqual(want.shape);
      expectClose(got.data, want.dataSync(), { ...TOL, label: `${c.label}: predictions` });

      if (c.train !== false) await sgdStep(c, theirs, ours, xs, c.target(rng, want.shape));

      // our export loads into TF.js and predicts the same
      const back = await tf.loadLayersModel(tf.io.fromMemory(toTfjs(ours) as never));
      const after = (ours.predict(one(xs.map((x) => x.ours)) as never) as Tensor).data;
      expectClose(after, (back.predict(one(xs.map((x) => x.theirs))) as tf.Tensor).dataSync(), { ...TOL, label: `${c.label}: exported` });
      expect(back.layers.map((l) => l.getClassName())).toEqual(theirs.layers.map((l) => l.getClassName()));
    });
  }
});

/** One SGD step in both libraries from the same weights: the same loss and weights. */
async function sgdStep(c: Case, theirs: tf.LayersModel, ours: ReturnType<typeof fromTfjs>, xs: Pair[], y: Pair): Promise<void> {
  const before = ours.getWeights().map((w) => Array.from(w.data));
  theirs.compile({ optimizer: tf.train.sgd(0.5), loss: c.loss });
  ours.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: c.loss });
  const lossTheirs = (await theirs.trainOnBatch(one(xs.map((x) => x.theirs)), y.theirs)) as number;
  const lossOurs = ours.trainOnBatch(one(xs.map((x) => x.ours)) as never, y.ours);
  expect(Math.abs(lossOurs - lossTheirs), `loss ${lossOurs} vs ${lossTheirs}`).toBeLessThan(1e-5 * (1 + Math.abs(lossTheirs)));
  const wTheirs = theirs.getWeights().map((w) => w.dataSync());
  const wOurs = ours.getWeights().map((w) => w.data);
  expect(wOurs.length).toBe(wTheirs.length);
  wOurs.forEach((w, i) => expectClose(w, wTheirs[i], { ...TOL, label: `${c.label}: weight ${i} after one step` }));
  wOurs.forEach((w, i) => expect(Array.from(w), `weight ${i} unchanged by the step`).not.toEqual(before[i]));
}

describe('wasm-rnn -> TF.js -> wasm-rnn', () => {
  it('every option survives the round trip', async () => {
    const make = (causal: boolean) =>
      new Sequential({
        seed: 3,
        layers: [
          layers.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [16, 2] }),
          layers.conv1d({
            filters: 3,
            kernelSize: 2,
            dilationRate: 2,
            padding: causal ? 'causal' : 'valid',
            useBias: false,
            activation: 'hardSigmoid',
          }),
          layers.maxPooling1d({ poolSize: 3, strides: 1, padding: 'same' }),
          layers.averagePooling1d({ poolSize: 2 }),
          layers.globalAveragePooling1d(),
        ],
      });
    const x = sequences(new Rng(1), 16, 2);
    for (const causal of [false, true]) {
      const m = make(causal);
      const got = (m.predict(x.ours) as Tensor).data;
      let art: ReturnType<typeof toTfjs>;
      if (causal) {
        // TF.js loads a causal Conv1D but cannot run it ("CAUSAL padding mode in conv1dWithBias is not implemented"): toTfjs refuses it
        expect(() => toTfjs(m)).toThrow(/conv1d_\d+: Conv1D with padding 'causal' \(TF.js cannot run causal padding/);
        // a Keras causal Conv1D imports: the same model exported with valid padding, the padding written in
        const valid = make(false);
        valid.setWeights(m.getWeights());
        art = toTfjs(valid);
        const topo = art.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } };
        topo.config.layers[1].config.padding = 'causal';
        // under the causal model's layer names (weights are matched to layers by name)
        const rename = new Map(valid.layers.map((l, i) => [l.name, m.layers[i].name]));
        topo.config.layers.forEach((l) => (l.config.name = rename.get(l.config.name as string)));
        art.weightSpecs.forEach((w) => (w.name = w.name.replace(/^[^/]+/, (n) => rename.get(n)!)));
      } else {
        art = toTfjs(m);
        const theirs = await tf.loadLayersModel(tf.io.fromMemory(art as never));
        expectClose(got, (theirs.predict(x.theirs) as tf.Tensor).dataSync(), { ...TOL, label: 'TF.js loads ours' });
      }
      const again = fromTfjs(art as never);
      expect(again.layers.map((l) => l.getConfig())).toEqual(m.layers.map((l) => l.getConfig()));
      expect(Array.from((again.predict(x.ours) as Tensor).data)).toEqual(Array.from(got));
    }
  });

  it('what we cannot import is listed', async () => {
    // Keras 3 writes data_format and groups; channels_first and grouped convolutions are not ours
    const ours = new Sequential({
      seed: 1,
      layers: [layers.conv1d({ filters: 4, kernelSize: 2, inputShape: [5, 4] }), layers.globalMaxPooling1d()],
    });
    const art = toTfjs(ours);
    const topo = JSON.parse(JSON.stringify(art.modelTopology)) as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    topo.config.layers[0].config.data_format = 'channels_first';
    topo.config.layers[0].config.groups = 2;
    topo.config.layers[1].config.keepdims = true;
    let msg = '';
    try {
      fromTfjs({ ...art, modelTopology: topo });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/data_format "channels_first"/);
    expect(msg).toMatch(/groups = 2/);
    expect(msg).toMatch(/keepdims = true/);
  });
});

describe('toTfjs refuses what TF.js would run differently', () => {
  // a mask from embedding maskZero: ours skips padded steps in these layers, TF.js runs them on every step
  const windowed: Array<[string, () => Layer]> = [
    ['Conv1D', () => layers.conv1d({ filters: 3, kernelSize: 2 })],
    ['MaxPooling1D', () => layers.maxPooling1d({ poolSize: 2 })],
    ['AveragePooling1D', () => layers.averagePooling1d({ poolSize: 3, strides: 1, padding: 'same' })],
    ['GlobalMaxPooling1D', () => layers.globalMaxPooling1d()],
    ['GlobalAveragePooling1D', () => layers.globalAveragePooling1d()],
  ];
  const T = 6;
  const rows = [
    [1, 2, 3, 0, 0, 0],
    [4, 5, 0, 0, 0, 0],
    [6, 7, 8, 1, 2, 3],
  ];
  const ourIds = new Tensor(Int32Array.from(rows.flat()), [rows.length, T]);
  const make = (maskZero: boolean, layer: () => Layer) => {
    const m = new Sequential({ seed: 5, layers: [layers.embedding({ inputDim: 9, outputDim: 4, maskZero, inputShape: [T] }), layer()] });
    m.build();
    // the padding id's vector large: a max or mean that takes padded steps in is far off
    const [table] = m.layers[0].getWeights();
    m.layers[0].setWeights([
      new Tensor(
        table.data.map((v, i) => (i < 4 ? 3 : v)),
        table.shape,
      ),
    ]);
    return m;
  };

  for (const [type, layer] of windowed) {
    it(`a mask reaching ${type}: refused, and TF.js's numbers would differ`, async () => {
      const m = make(true, layer);
      expect(() => toTfjs(m)).toThrow(new RegExp(`${m.layers[1].name}: a mask reaches this ${type} .*TF.js ignores the mask there`));
      // the same weights without the mask export; with mask_zero written in, TF.js predicts other numbers than ours
      const plain = make(false, layer);
      plain.setWeights(m.getWeights());
      const art = toTfjs(plain);
      (art.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config.mask_zero = true;
      const theirs = await tf.loadLayersModel(tf.io.fromMemory(art as never));
      const got = (m.predict(ourIds) as Tensor).data;
      const want = (theirs.predict(tf.tensor2d(rows, [rows.length, T], 'int32')) as tf.Tensor).dataSync();
      expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])))).toBeGreaterThan(1e-2);
      // without a mask the same layer exports and matches (the cases above)
      expectClose(
        (plain.predict(ourIds) as Tensor).data,
        (
          await tf
            .loadLayersModel(tf.io.fromMemory(toTfjs(plain) as never))
            .then((t) => t.predict(tf.tensor2d(rows, [rows.length, T], 'int32')) as tf.Tensor)
        ).dataSync(),
        { ...TOL, label: `${type} unmasked` },
      );
    });
  }

  it('the mask is found through the layers that pass it on, and every such layer is listed once', () => {
    const x = input({ shape: [null], dtype: 'int32' });
    const e = layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true }).apply(x);
    const h = layers.lstm({ units: 3, returnSequences: true }).apply(layers.dense({ units: 4 }).apply(e));
    const conv = layers.conv1d({ filters: 2, kernelSize: 2, padding: 'causal' });
    const pool = layers.globalAveragePooling1d();
    const y = layers.concatenate().apply([pool.apply(conv.apply(h)), pool.apply(h)]);
    let msg = '';
    try {
      toTfjs(model({ inputs: x, outputs: y }));
    } catch (e) {
      expect(e).toBeInstanceOf(WasmRnnError);
      expect((e as WasmRnnError).code).toBe('E_ARG');
      msg = (e as Error).message;
    }
    expect(msg).toMatch(new RegExp(`${conv.name}: Conv1D with padding 'causal'`));
    expect(msg).toMatch(new RegExp(`${conv.name}: a mask reaches this Conv1D`));
    expect(msg.match(new RegExp(`${pool.name}: a mask reaches this GlobalAveragePooling1D`, 'g'))).toHaveLength(1);
    // Dense and LSTM take the mask as TF.js does: not listed
    expect(msg).not.toMatch(/Dense|LSTM/);
  });
});
