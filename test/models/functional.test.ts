/**
 * Functional models on the graph engine: initial states (gradients reach the
 * encoder), shared layers (one set of weights, gradients summed), several
 * inputs and outputs (fit, evaluate, predict by array or by name, loss
 * weights), equivalence with Sequential, frozen layers, per-layer weights,
 * save/load, and every graph error raised at build time with the model
 * unchanged.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, WasmRnnError, input, layers, loadModelSync, model, tensor } from '../../src/index.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';

afterAll(() => setBackend(null as never));

const rand = (shape: number[], seed: number, lo = -1, hi = 1) =>
  new Tensor(
    randomArray(
      new Rng(seed),
      shape.reduce((a, b) => a * b, 1),
      lo,
      hi,
    ),
    shape,
  );
const ids = (B: number, T: number, V: number, seed: number) => {
  const r = new Rng(seed);
  return new Tensor(
    Int32Array.from({ length: B * T }, () => 1 + r.int(V - 1)),
    [B, T],
  );
};

function encoderDecoder(cell: 'lstm' | 'gru' | 'simpleRNN', seed = 3) {
  const enc = input({ shape: [null, 3], name: 'enc' });
  const dec = input({ shape: [null, 2], name: 'dec' });
  const rnn = layers[cell] as typeof layers.lstm;
  const [, ...states] = rnn({ units: 4, returnState: true }).apply(enc);
  const y = rnn({ units: 4, returnSequences: true }).apply(dec, { initialState: states });
  const out = layers.dense({ units: 3 }).apply(y);
  return model({ inputs: [enc, dec], outputs: out, seed });
}

describe('gradients through graphs (float64 twin)', () => {
  for (const cell of ['lstm', 'gru', 'simpleRNN'] as const) {
    it(`encoder-decoder (${cell}): the decoder starts from the encoder's states; every weight and both inputs`, () => {
      useFloat64Twin();
      gradCheck(encoderDecoder(cell), [rand([2, 5, 3], 1), rand([2, 4, 2], 2)]);
    });
  }

  it("a state carries no mask: a decoder on a masked encoder's state equals the decoder fed that state as an input", async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const src = input({ shape: [null], dtype: 'int32' });
    const tgt = input({ shape: [null, 3] });
    const hIn = input({ shape: [5] });
    const [, h] = layers
      .gru({ units: 5, returnState: true })
      .apply(layers.embedding({ inputDim: 11, outputDim: 4, maskZero: true }).apply(src));
    const dec = layers.gru({ units: 5, returnSequences: true });
    const whole = model({ inputs: [src, tgt], outputs: [dec.apply(tgt, { initialState: [h] }), h], seed: 1 });
    const split = model({ inputs: [tgt, hIn], outputs: dec.apply(tgt, { initialState: [hIn] }) as never });
    const x = new Tensor(
      Int32Array.from({ length: 20 }, (_, i) => (i % 5 < 2 ? 0 : 1 + (i % 7))),
      [4, 5],
    );
    const f = rand([4, 4, 3], 2);
    const [y, hv] = whole.predict([x, f]) as Tensor[];
    expect(Array.from((split.predict([f, hv]) as Tensor).data)).toEqual(Array.from(y.data));
  });

  it('a layer applied twice shares its weights and sums their gradients', () => {
    useFloat64Twin();
    const a = input({ shape: [3] });
    const b = input({ shape: [3] });
    const shared = layers.dense({ units: 2, activation: 'tanh' });
    const y = layers.concatenate().apply([shared.apply(a), shared.apply(b)]);
    const m = model({ inputs: [a, b], outputs: y as never, seed: 4 });
    expect(m.getWeights().length).toBe(2); // one kernel, one bias
    gradCheck(m, [rand([3, 3], 5), rand([3, 3], 6)]);
  });

  it('a tensor read by several layers receives the sum of their gradients', () => {
    useFloat64Twin();
    const x = input({ shape: [4, 3] });
    const h = layers.lstm({ units: 3, returnSequences: true }).apply(x);
    const p = layers.gru({ units: 2 }).apply(h);
    const q = layers.simpleRNN({ units: 2, goBackwards: true }).apply(h);
    const r = layers.dense({ units: 2 }).apply(layers.flatten().apply(h));
    const m = model({ inputs: x, outputs: layers.add().apply([p as never, q as never, r as never]), seed: 6 });
    gradCheck(m, rand([2, 4, 3], 7));
  });

  it('two outputs: the gradients of both reach the shared trunk', () => {
    useFloat64Twin();
    const x = input({ shape: [3, 2] });
    const h = layers.lstm({ units: 3, returnSequences: true }).apply(x);
    const seq = layers.dense({ units: 2 }).apply(h);
    const last = layers.gru({ units: 2 }).apply(h);
    const m = model({ inputs: x, outputs: [seq, last], seed: 8 });
    gradCheck(m, rand([2, 3, 2], 9), { stateDy: true });
  });

  it('Bidirectional with initial states, returnState and mergeMode null', () => {
    useFloat64Twin();
    const x = input({ shape: [4, 2] });
    const h0 = input({ shape: [3] });
    const outs = layers
      .bidirectional({ layer: layers.lstm({ units: 3, returnSequences: true, returnState: true }), mergeMode: null })
      .apply(x, { initialState: [h0, h0, h0, h0] });
    expect(outs.length).toBe(6); // forward seq, backward seq, forward h c, backward h c
    const m = model({ inputs: [x, h0], outputs: layers.concatenate().apply([outs[0], outs[1]]), seed: 2 });
    gradCheck(m, [rand([2, 4, 2], 3), rand([2, 3], 4)]);
    const m2 = model({ inputs: [x, h0], outputs: layers.add().apply([outs[2], outs[3], outs[4], outs[5]]), seed: 2 });
    gradCheck(m2, [rand([2, 4, 2], 5), rand([2, 3], 6)]);
  });
});

describe('functional models train, predict and save like Sequential', () => {
  beforeEach(async () => setBackend(await createBackend({ backend: 'wasm-simd' })));

  it('a chain built functionally equals the same Sequential, prediction and training step', () => {
    const x = input({ shape: [null], dtype: 'int32' });
    const emb = layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true });
    const rnn = layers.lstm({ units: 5 });
    const out = layers.dense({ units: 1, activation: 'sigmoid' });
    const f = model({ inputs: x, outputs: out.apply(rnn.apply(emb.apply(x)) as never), seed: 1 });
    const s = new Sequential({
      seed: 1,
      layers: [
        layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true }),
        layers.lstm({ units: 5 }),
        layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    s.setWeights(f.getWeights());
    const xs = ids(6, 7, 20, 3);
    const ys = tensor([[1], [0], [1], [1], [0], [0]]);
    expect(Array.from((f.predict(xs) as Tensor).data)).toEqual(Array.from((s.predict(xs) as Tensor).data));
    for (const m of [f, s]) m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    expect(f.trainOnBatch(xs, ys)).toBe(s.trainOnBatch(xs, ys));
    f.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(s.getWeights()[i].data)));
  });

  it('two inputs, two outputs: fit by array and by name, per-output losses, metrics and loss weights', async () => {
    const text = input({ shape: [null], dtype: 'int32', name: 'text' });
    const meta = input({ shape: [2], name: 'meta' });
    const h = layers.gru({ units: 6 }).apply(layers.embedding({ inputDim: 30, outputDim: 4 }).apply(text));
    const both = layers.concatenate().apply([h as never, meta]);
    const label = layers.dense({ units: 1, activation: 'sigmoid', name: 'label' }).apply(both);
    const topic = layers.dense({ units: 3, activation: 'softmax', name: 'topic' }).apply(both);
    const m = model({ inputs: [text, meta], outputs: [label, topic], seed: 5 });
    expect(m.inputNames).toEqual(['text', 'meta']);
    expect(m.outputNames).toEqual(['label', 'topic']);
    m.compile({
      optimizer: 'adam',
      loss: { label: 'binaryCrossentropy', topic: 'sparseCategoricalCrossentropy' },
      metrics: { label: ['accuracy'], topic: ['accuracy'] },
      lossWeights: [1, 0.5],
    });
    const n = 48;
    const r = new Rng(9);
    const xt = ids(n, 6, 30, 11);
    const xm = rand([n, 2], 12);
    const yl = new Tensor(
      Float32Array.from({ length: n }, (_, i) => (xt.data[i * 6] > 15 ? 1 : 0)),
      [n, 1],
    );
    const yt = new Tensor(
      Int32Array.from({ length: n }, () => r.int(3)),
      [n],
    );
    const h1 = await m.fit({ text: xt, meta: xm }, { label: yl, topic: yt }, { epochs: 3, batchSize: 16, validationSplit: 0.25 });
    expect(Object.keys(h1.history).sort()).toEqual(
      [
        'label_accuracy',
        'label_loss',
        'loss',
        'topic_accuracy',
        'topic_loss',
        'val_label_accuracy',
        'val_label_loss',
        'val_loss',
        'val_topic_accuracy',
        'val_topic_loss',
      ].sort(),
    );
    const e = m.evaluate([xt, xm], [yl, yt]);
    expectClose([e.loss], [e.label_loss + 0.5 * e.topic_loss], { atol: 1e-5, label: 'weighted total' });
    const [pl, pt] = m.predict([xt, xm]) as Tensor[];
    expect(pl.shape).toEqual([n, 1]);
    expect(pt.shape).toEqual([n, 3]);
    const losses = (await m.fit([xt, xm], [yl, yt], { epochs: 8, batchSize: 16 })).history.loss;
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });

  it('save -> load is bit-exact for a functional model with shared layers, states and a frozen layer', () => {
    const m = encoderDecoder('lstm', 7);
    m.layers[0].trainable = false;
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const x = [rand([3, 5, 3], 1), rand([3, 4, 2], 2)];
    m.trainOnBatch(x, rand([3, 4, 3], 3));
    const back = loadModelSync(m.serialize());
    expect(back.layers.map((l) => l.trainable)).toEqual([false, true, true]);
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from((m.predict(x) as Tensor).data));
    // and both train on identically: the optimizer state came along
    expect(back.trainOnBatch(x, rand([3, 4, 3], 4))).toBe(m.trainOnBatch(x, rand([3, 4, 3], 4)));
  });

  it('a frozen layer is not updated; the others are', async () => {
    const x = input({ shape: [4] });
    const a = layers.dense({ units: 3, activation: 'relu' });
    const b = layers.dense({ units: 1 });
    const m = model({ inputs: x, outputs: b.apply(a.apply(x)), seed: 3 });
    a.trainable = false;
    m.compile({ optimizer: 'adam', loss: 'mse' });
    m.build();
    const before = [a.getWeights(), b.getWeights()];
    await m.fit(rand([16, 4], 5), rand([16, 1], 6), { epochs: 2, batchSize: 8 });
    a.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[0][i].data)));
    expect(Array.from(b.getWeights()[0].data)).not.toEqual(Array.from(before[1][0].data));
    expect(m.summary(null)).toMatch(/Non-trainable params: 15/);
  });

  it('layer weights: getWeights, setWeights, countParams, getLayer', () => {
    const x = input({ shape: [null], dtype: 'int32' });
    const emb = layers.embedding({ inputDim: 10, outputDim: 3, name: 'words' });
    const m = model({ inputs: x, outputs: layers.dense({ units: 2 }).apply(emb.apply(x)) as never });
    expect(() => emb.getWeights()).toThrow(/weights do not exist yet/);
    expect(emb.countParams()).toBe(30);
    m.build();
    expect(m.getLayer('words')).toBe(emb);
    const w = emb.getWeights();
    expect(w[0].shape).toEqual([10, 3]);
    const v = new Tensor(
      Float32Array.from({ length: 30 }, (_, i) => i / 30),
      [10, 3],
    );
    emb.setWeights([v]);
    expect(Array.from(m.getWeights()[0].data)).toEqual(Array.from(v.data));
    expect(() => emb.setWeights([tensor([1, 2])])).toThrow(/must have shape \[10,3\]/);
    expect(() => emb.setWeights([])).toThrow(/expected 1 tensors/);
  });

  it('two models holding one layer share its weights (an inference model over a trained encoder)', async () => {
    const x = input({ shape: [3] });
    const enc = layers.dense({ units: 2, activation: 'tanh' });
    const h = enc.apply(x);
    const train = model({ inputs: x, outputs: layers.dense({ units: 1 }).apply(h), seed: 1 });
    const infer = model({ inputs: x, outputs: h as never });
    train.compile({ optimizer: 'sgd', loss: 'mse' });
    const before = (infer.predict(tensor([[1, 2, 3]])) as Tensor).data.slice();
    await train.fit(rand([8, 3], 2), rand([8, 1], 3), { epochs: 2 });
    const after = (infer.predict(tensor([[1, 2, 3]])) as Tensor).data;
    expect(Array.from(after)).not.toEqual(Array.from(before));
    train.dispose();
    // the encoder's weights live on while a model holds it
    expect(Array.from((infer.predict(tensor([[1, 2, 3]])) as Tensor).data)).toEqual(Array.from(after));
    infer.dispose();
    expect(() => enc.getWeights()).toThrow(/do not exist yet/);
  });
});

describe('graph errors are raised at build time and change nothing', () => {
  const expectErr = (f: () => unknown, re: RegExp) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmRnnError);
    expect((err as Error).message).toMatch(re);
  };

  it('disconnected graphs, unused inputs, duplicate names, wrong initial states, bad apply calls', () => {
    const a = input({ shape: [3], name: 'a' });
    const b = input({ shape: [3], name: 'b' });
    const ya = layers.dense({ units: 2 }).apply(a);
    expectErr(() => model({ inputs: b, outputs: ya as never }), /disconnected: .*needs input 'a'/);
    expectErr(() => model({ inputs: [a, b], outputs: ya as never }), /input 'b' \[null, 3\] is not used by any output/);
    expectErr(() => model({ inputs: ya as never, outputs: ya as never }), /is the output of layer/);
    const d1 = layers.dense({ units: 2, name: 'same' }).apply(a);
    const d2 = layers.dense({ units: 2, name: 'same' }).apply(b);
    expectErr(() => model({ inputs: [a, b], outputs: [d1, d2] }), /two different layers are named 'same'/);
    const seq = input({ shape: [null, 3] });
    const lstm = layers.lstm({ units: 4 });
    expectErr(() => lstm.apply(seq, { initialState: [a] }), /initialState must hold 2 tensors for this LSTM, got 1/);
    expectErr(() => lstm.apply(seq, { initialState: [a, a] }), /initialState\[0\] must have shape \(batch, 4\), got \(batch, 3\)/);
    expect(lstm.isBuilt).toBe(false); // the failed first call left it unbuilt
    expectErr(() => layers.dense({ units: 2 }).apply(a, { initialState: [a] }), /Dense takes no initialState/);
    expectErr(() => layers.dense({ units: 2 }).apply(tensor([[1, 2, 3]]) as never), /symbolic tensor .*put the layers in a model/);
    expectErr(() => layers.lstm({ units: 2 }).apply(a), /expects input of shape \(batch, timesteps, features\)/);
    expectErr(() => layers.dense({ units: 2 }).apply(input({ shape: [null], dtype: 'int32' })), /Dense takes float32 input, got int32/);
    expectErr(
      () => layers.lstm({ units: 2, stateful: true }).apply(seq, { initialState: [input({ shape: [2] }), input({ shape: [2] })] }),
      /stateful layer carries its own state/,
    );
    expectErr(() => layers.lstm({ units: 2 }).apply(seq, { mask: input({ shape: [5, 1] }) }), /mask must have shape/);
  });

  it('a missing or extra input at fit/predict names the inputs', async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const a = input({ shape: [3], name: 'a' });
    const b = input({ shape: [2], name: 'b' });
    const m = model({ inputs: [a, b], outputs: layers.dense({ units: 1 }).apply(layers.concatenate().apply([a, b])) as never });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    expectErr(() => m.predict(rand([2, 3], 1)), /the model has 2 inputs \(a, b\)/);
    expectErr(() => m.predict([rand([2, 3], 1)]), /pass an array of 2 tensors or an object by name, got an array of 1/);
    expectErr(() => m.predict({ a: rand([2, 3], 1) }), /missing input 'b'/);
    expectErr(() => m.predict({ a: rand([2, 3], 1), b: rand([2, 2], 1), c: rand([2, 2], 1) }), /unknown input name 'c'/);
    expectErr(() => m.predict([rand([2, 3], 1), rand([3, 2], 1)]), /input 'b' has 3 samples but 'a' has 2/);
    expectErr(() => m.predict([rand([2, 3], 1), rand([2, 5], 1)]), /x\['b'\] dimension 1 must be 2/);
    const before = m.getWeights().map((w) => Array.from(w.data));
    await expect(m.fit([rand([2, 3], 1), rand([2, 2], 1)], rand([2, 2], 1))).rejects.toThrow(/y must have shape \(samples, 1\)/);
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
    expectErr(() => m.compile({ optimizer: 'sgd', loss: ['mse', 'mse'] }), /loss has 2 entries but the model has 1 outputs/);
    expectErr(() => m.compile({ optimizer: 'sgd', loss: { out: 'mse' } }), /loss names unknown output 'out'/);
  });
});

describe('what predict returns', () => {
  it('follows how the outputs were given, also after save -> load; predictOne for one output', async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const x = input({ shape: [2] });
    const y = layers.dense({ units: 1 }).apply(x);
    const one = model({ inputs: x, outputs: y });
    const list = model({ inputs: x, outputs: [y] });
    const data = tensor([[1, 2]]);
    expect(one.predict(data)).toBeInstanceOf(Tensor);
    expect(Array.isArray(list.predict(data))).toBe(true);
    expect(Array.isArray(loadModelSync(list.serialize()).predict(data))).toBe(true);
    expect(loadModelSync(one.serialize()).predict(data)).toBeInstanceOf(Tensor);
    expect(list.predictOne(data)).toBeInstanceOf(Tensor);
    const two = model({ inputs: x, outputs: [y, layers.dense({ units: 2 }).apply(x)] });
    expect(() => two.predictOne(data)).toThrow(/has 2 outputs .*use predict/);
    expect(() => one.predict(data, { batchSzie: 2 } as never)).toThrow(/predict: unknown option 'batchSzie'/);
    expect(() => one.evaluate(data, data, { batch: 2 } as never)).toThrow(/evaluate: unknown option 'batch'/);
    expect(() => one.classify(['a'], { batchSzie: 2 } as never)).toThrow(/classify: unknown option 'batchSzie'/);
  });
});
