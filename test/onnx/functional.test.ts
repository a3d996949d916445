/**
 * Graphs that are not a chain, both ways: an ONNX graph with several
 * outputs or states given as inputs imports as a functional model; a
 * functional model (an encoder-decoder handing its states over; merges,
 * bidirectional layers with separate outputs and states, activation,
 * repeat, reshape layers) exports and runs in ONNX Runtime like ours.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, input, layers, model, type Model, type SymbolicTensor } from '../../src/index.js';
import { fromOnnx, toOnnx } from '../../src/onnx/index.js';
import { ModelProtoSchema, ValueInfoProtoSchema } from '../../src/onnx/proto/onnx_pb.js';
import { maxAbsDiff, randomArray, Rng } from '../util.js';
import { fixtureBytes, randomize, reference, runOrt, type Feed } from './helpers.js';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

const V = 17;
const B = 3;
const T = 5;

const int64 = (a: Int32Array) => BigInt64Array.from(a, (v) => BigInt(v));
const list = (y: Tensor | Tensor[]) => (Array.isArray(y) ? y : [y]);

function ids(seed: number, n = B * T): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => 1 + rng.int(V - 1));
}

/** Export, run in ORT with the same inputs, compare every output; then import back and compare again. */
async function roundTrip(m: Model, xs: Tensor[], feeds: Record<string, Feed>, reimport = true): Promise<number> {
  const ours = list(m.predict(xs.length === 1 ? xs[0] : xs));
  const bytes = toOnnx(m);
  const ort = await runOrt(bytes, feeds);
  const names = Object.keys(ort);
  expect(names.length).toBe(ours.length);
  let worst = 0;
  m.outputNames.forEach((n, k) => {
    expect(ort[n].dims).toEqual(ours[k].shape);
    worst = Math.max(worst, maxAbsDiff(ort[n].data, ours[k].data));
  });
  if (reimport) {
    const again = fromOnnx(bytes);
    const back = list(again.predict(xs.length === 1 ? xs[0] : xs));
    back.forEach((t, k) => expect(maxAbsDiff(t.data, ours[k].data)).toBeLessThanOrEqual(1e-6));
    again.dispose();
  }
  return worst;
}

describe('fromOnnx: graphs that are not a chain become functional models', () => {
  it('a PyTorch tagger with a second output (the LSTM sequence)', async () => {
    const m = fromBinary(ModelProtoSchema, fixtureBytes('lstm_tagger'));
    m.graph!.output.push(create(ValueInfoProtoSchema, { name: '/rnn/Transpose_1_output_0' }));
    const bytes = toBinary(ModelProtoSchema, m);
    const model2 = fromOnnx(bytes);
    expect(model2.className).toBe('Model');
    const ref = reference('lstm_tagger');
    const x = new Tensor(Int32Array.from(ref.input.data), ref.input.shape);
    const [logits, sequence] = model2.predict(x) as Tensor[];
    const ort = await runOrt(bytes, { input: { data: BigInt64Array.from(ref.input.data, (v) => BigInt(v)), dims: ref.input.shape } });
    expect(maxAbsDiff(logits.data, ref.output.data)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(sequence.data, ort['/rnn/Transpose_1_output_0'].data)).toBeLessThanOrEqual(1e-5);
    expect(sequence.shape).toEqual([B, 7, 12]);
    model2.dispose();
  });

  it('a stateful export imports back with its states as inputs and outputs', async () => {
    const lm = new Sequential({
      seed: 4,
      layers: [
        layers.embedding({ inputDim: V, outputDim: 4 }),
        layers.lstm({ units: 5, returnSequences: true, stateful: true }),
        layers.dense({ units: V }),
      ],
    });
    lm.build();
    randomize(lm);
    const bytes = toOnnx(lm);
    const imported = fromOnnx(bytes);
    expect(imported.inputNames.length).toBe(3);
    const data = ids(1);
    const h0 = randomArray(new Rng(2), B * 5);
    const c0 = randomArray(new Rng(3), B * 5);
    const name = lm.layers[1].name;
    const ort = await runOrt(bytes, {
      input: { data: int64(data), dims: [B, T] },
      [`${name}/h_in`]: { data: h0, dims: [B, 5] },
      [`${name}/c_in`]: { data: c0, dims: [B, 5] },
    });
    const ours = imported.predict([new Tensor(data, [B, T]), new Tensor(h0, [B, 5]), new Tensor(c0, [B, 5])]) as Tensor[];
    const want = [ort.output, ort[`${name}/h_out`], ort[`${name}/c_out`]];
    ours.forEach((t, k) => expect(maxAbsDiff(t.data, want[k].data)).toBeLessThanOrEqual(1e-5));
    lm.dispose();
    imported.dispose();
  });
});

describe('toOnnx: functional models', () => {
  it("an encoder-decoder: the encoder LSTM's final states start the decoder", async () => {
    const enc = input({ shape: [null], dtype: 'int32', name: 'source' });
    const dec = input({ shape: [null], dtype: 'int32', name: 'target' });
    const e = layers.embedding({ inputDim: V, outputDim: 5 }).apply(enc) as SymbolicTensor;
    const [, h, c] = layers.lstm({ units: 6, returnState: true }).apply(e) as SymbolicTensor[];
    const d = layers.embedding({ inputDim: V, outputDim: 5 }).apply(dec) as SymbolicTensor;
    const y = layers.lstm({ units: 6, returnSequences: true }).apply(d, { initialState: [h, c] }) as SymbolicTensor;
    const z = layers.dense({ units: V }).apply(y) as SymbolicTensor;
    const p = layers.activation({ activation: 'softmax' }).apply(z) as SymbolicTensor;
    const m = model({ inputs: [enc, dec], outputs: p, seed: 3 });
    randomize(m);
    const src = ids(5);
    const tgt = ids(6, B * 4);
    const worst = await roundTrip(m, [new Tensor(src, [B, T]), new Tensor(tgt, [B, 4])], {
      source: { data: int64(src), dims: [B, T] },
      target: { data: int64(tgt), dims: [B, 4] },
    });
    console.log(`encoder-decoder: max |ORT - ours| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
    m.dispose();
  });

  it('a residual connection and joined branches (Add, Subtract, Concatenate) export and import back', async () => {
    const x = input({ shape: [null, 4], name: 'features' });
    const a = layers.lstm({ units: 4, returnSequences: true }).apply(x) as SymbolicTensor;
    const residual = layers.add().apply([x, a]) as SymbolicTensor;
    const g = layers.gru({ units: 3, returnSequences: true }).apply(residual) as SymbolicTensor;
    const joined = layers.concatenate().apply([a, g]) as SymbolicTensor;
    const out = layers.dense({ units: 2, activation: 'softmax' }).apply(joined) as SymbolicTensor;
    const delta = layers.subtract().apply([a, residual]) as SymbolicTensor;
    const m = model({ inputs: x, outputs: [out, delta], seed: 7 });
    randomize(m);
    const data = randomArray(new Rng(10), B * T * 4);
    const worst = await roundTrip(m, [new Tensor(data, [B, T, 4])], { features: { data, dims: [B, T, 4] } });
    console.log(`residual + concatenate + subtract: max |ORT - ours| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
    m.dispose();
  });

  it('a bidirectional GRU with separate outputs and states, merged four ways', async () => {
    const x = input({ shape: [null, 4], name: 'features' });
    const [yf, yb, hf, hb] = layers
      .bidirectional({ layer: layers.gru({ units: 3, returnSequences: true, returnState: true }), mergeMode: null })
      .apply(x) as SymbolicTensor[];
    const cat = layers.concatenate().apply([yf, yb]) as SymbolicTensor;
    const sum = layers.add().apply([hf, hb]) as SymbolicTensor;
    const prod = layers.multiply().apply([hf, hb]) as SymbolicTensor;
    const diff = layers.subtract().apply([hf, hb]) as SymbolicTensor;
    const avg = layers.average().apply([hf, hb, sum]) as SymbolicTensor;
    const m = model({ inputs: x, outputs: [cat, sum, prod, diff, avg], seed: 5 });
    randomize(m);
    const data = randomArray(new Rng(8), B * T * 4);
    const worst = await roundTrip(m, [new Tensor(data, [B, T, 4])], { features: { data, dims: [B, T, 4] } }, false);
    console.log(`bidirectional mergeMode null + merges: max |ORT - ours| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
    m.dispose();
  });

  it('repeatVector, flatten, reshape, timeDistributed(dense), a bidirectional LSTM returning its states', async () => {
    const x = input({ shape: [6], name: 'vector' });
    const r = layers.repeatVector({ n: 4 }).apply(x) as SymbolicTensor;
    const [y, hf, cf] = layers
      .bidirectional({ layer: layers.lstm({ units: 3, returnSequences: true, returnState: true }) })
      .apply(r) as SymbolicTensor[];
    const t = layers.timeDistributed({ layer: layers.dense({ units: 2, activation: 'tanh' }) }).apply(y) as SymbolicTensor;
    const f = layers.flatten().apply(t) as SymbolicTensor;
    const s = layers.reshape({ targetShape: [2, -1] }).apply(f) as SymbolicTensor;
    const m = model({ inputs: x, outputs: [s, hf, cf], seed: 6 });
    randomize(m);
    const data = randomArray(new Rng(9), B * 6);
    const worst = await roundTrip(m, [new Tensor(data, [B, 6])], { vector: { data, dims: [B, 6] } }, false);
    console.log(`repeat / flatten / reshape / timeDistributed / BiLSTM states: max |ORT - ours| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
    m.dispose();
  });
});
