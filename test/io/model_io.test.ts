/**
 * The artifact: save -> load is bit-exact; a resumed training run equals an
 * unbroken one; the vectorizer and labels travel with the model; truncated,
 * corrupted or foreign bytes are E_FORMAT errors (fuzzed).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { checksum, decodeContainer, encodeContainer } from '../../src/io/artifact.js';
import {
  Sequential,
  TextVectorizer,
  WasmRnnError,
  input,
  layers,
  loadModel,
  loadModelSync,
  model,
  saveModel,
  tensor,
  Tensor,
} from '../../src/index.js';
import { Rng } from '../util.js';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

function classifier(seed = 1) {
  const m = new Sequential({
    seed,
    layers: [
      layers.embedding({ inputDim: 30, outputDim: 8, maskZero: true }),
      layers.lstm({ units: 6, returnSequences: true, peephole: true }),
      layers.dropout({ rate: 0.3 }),
      layers.lstm({ units: 5 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

function data(n: number, seed = 2) {
  const rng = new Rng(seed);
  const ids = Int32Array.from({ length: n * 7 }, (_, i) => (i % 7 < 2 ? 0 : 1 + rng.int(29)));
  const y = Float32Array.from({ length: n }, (_, i) => ids[i * 7 + 3] % 2);
  return { x: new Tensor(ids, [n, 7]), y: new Tensor(y, [n, 1]) };
}

describe('serialize / loadModel', () => {
  it('round-trips bit-exactly, with compile settings, vectorizer, labels and metadata', async () => {
    const m = classifier();
    const { x, y } = data(16);
    await m.fit(x, y, { epochs: 2, batchSize: 4 });
    const vec = new TextVectorizer({ maxTokens: 30, outputSequenceLength: 7 });
    vec.adapt(['free money now', 'meeting at noon', 'win money']);
    m.vectorizer = vec;
    m.labels = ['ham', 'spam'];
    const bytes = m.serialize({ metadata: { trainedOn: 'unit test' } });
    const back = await loadModel(bytes);
    expect(back.labels).toEqual(['ham', 'spam']);
    expect(back.metadata).toEqual({ trainedOn: 'unit test' });
    expect(back.vectorizer!.vocabulary()).toEqual(vec.vocabulary());
    expect(Array.from(back.vectorizer!.transform(['win money']).data)).toEqual(Array.from(vec.transform(['win money']).data));
    const a = (m.predict(x) as Tensor).data;
    const b = (back.predict(x) as Tensor).data;
    expect(Array.from(b)).toEqual(Array.from(a)); // bit-exact
    back.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(m.getWeights()[i].data)));
    expect(back.optimizer!.name).toBe('adam');
    expect(back.optimizer!.iterations).toBe(m.optimizer!.iterations);
  });

  it('a resumed run reproduces the losses of an unbroken one (optimizer + Rng state)', async () => {
    const { x, y } = data(24, 5);
    const unbroken = classifier(7);
    const full = await unbroken.fit(x, y, { epochs: 4, batchSize: 5 });
    const first = classifier(7);
    await first.fit(x, y, { epochs: 2, batchSize: 5 });
    const resumed = await loadModel(first.serialize());
    const rest = await resumed.fit(x, y, { epochs: 2, batchSize: 5, initialEpoch: 2 });
    expect(rest.history.loss).toEqual(full.history.loss.slice(2));
  });

  it('saveModel writes atomically and loadModel reads a path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wrnn-'));
    const m = classifier();
    const path = join(dir, 'model.wrnn');
    await saveModel(m, path);
    expect(readdirSync(dir)).toEqual(['model.wrnn']); // no temp file left
    const back = await loadModel(path);
    expect(back.countParams()).toBe(m.countParams());
    expect(readFileSync(path).length).toBeGreaterThan(100);
    await expect(loadModel(join(dir, 'missing.wrnn'))).rejects.toThrow(/cannot read/);
    await expect(saveModel(m, join(dir, 'no', 'such', 'dir', 'm.wrnn'))).rejects.toThrow(/cannot write/);
    expect(readdirSync(dir)).toEqual(['model.wrnn']);
  });

  it('an uncompiled model saves its topology and weights only', () => {
    const m = new Sequential({ seed: 3, layers: [layers.dense({ units: 2, inputShape: [3] })] });
    const back = loadModelSync(m.serialize());
    expect(back.optimizer).toBeNull();
    const x = tensor([[1, 2, 3]]);
    expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from((m.predict(x) as Tensor).data));
  });
});

describe('bad artifacts', () => {
  let good: Uint8Array;
  beforeAll(() => {
    good = classifier().serialize();
  });

  it('names what is wrong', () => {
    const e = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err as WasmRnnError;
      }
      throw new Error('did not throw');
    };
    expect(e(() => loadModelSync(good.slice(0, 10))).message).toMatch(/too short/);
    expect(e(() => loadModelSync(good.slice(0, good.length - 4))).message).toMatch(/truncated or corrupted/);
    const flipped = good.slice();
    flipped[flipped.length - 3] ^= 0x40;
    expect(e(() => loadModelSync(flipped)).message).toMatch(/checksum mismatch/);
    expect(e(() => loadModelSync(new TextEncoder().encode('{"modelTopology":{}}'))).message).toMatch(/wrong magic.*fromTfjs/);
    const v2 = good.slice();
    new DataView(v2.buffer).setUint32(4, 2, true);
    expect(e(() => loadModelSync(v2)).message).toMatch(/version 2 is not supported/);
    for (const err of [e(() => loadModelSync(good.slice(0, 10)))]) {
      expect(err).toBeInstanceOf(WasmRnnError);
      expect(err.code).toBe('E_FORMAT');
    }
  });

  it('a valid container with a bad header: wrong weights, unknown layers, non-finite values', () => {
    const { header, data } = decodeContainer(good);
    const mutate = (f: (h: any, d: Float32Array) => void) => {
      const h = JSON.parse(JSON.stringify(header));
      const d = data.slice();
      f(h, d);
      return () => loadModelSync(encodeContainer(h, d));
    };
    expect(mutate((h) => (h.weights[1].shape = [4, 4]))).toThrow(/weight 1 is .* but the topology expects/);
    expect(mutate((h) => h.weights.pop())).toThrow(/holds \d+/);
    expect(mutate((h) => (h.model.layers[1].className = 'ConvLSTM2D'))).toThrow(/unknown layer class "ConvLSTM2D"/);
    expect(mutate((h) => (h.model.layers[1].config.units = -3))).toThrow(/units must be a positive integer/);
    expect(mutate((h) => (h.model.layers[0].config.bogus = 1))).toThrow(/unknown option 'bogus'/);
    expect(mutate((_h, d) => (d[5] = NaN))).toThrow(/holds NaN/);
    expect(mutate((h) => (h.format = 'other'))).toThrow(/not a wasm-rnn model artifact/);
    expect(mutate((h) => (h.weights[0].offset = 1e9))).toThrow(/past the end/);
    expect(mutate((h) => (h.compile.loss = 'hinge'))).toThrow(/compile settings are invalid/);
    expect(mutate((h) => (h.training.rng = [1, 2]))).toThrow(/training.rng/);
  });

  it('fuzz: every mutated artifact either loads a working model or throws E_FORMAT', () => {
    fuzzArtifact(good, 99, 4000);
  });

  it('fuzz: a functional model (two inputs, initial states, a merge, a frozen layer) the same way', () => {
    const enc = input({ shape: [null], dtype: 'int32', name: 'enc' });
    const dec = input({ shape: [null, 2], name: 'dec' });
    const [, h, c] = layers.lstm({ units: 3, returnState: true }).apply(layers.embedding({ inputDim: 9, outputDim: 2 }).apply(enc));
    const y = layers.lstm({ units: 3, returnSequences: true }).apply(dec, { initialState: [h, c] });
    const out = layers.dense({ units: 2, activation: 'softmax' }).apply(layers.concatenate().apply([y as never, dec]));
    const m = model({ inputs: [enc, dec], outputs: out as never, seed: 4 });
    m.layers[0].trainable = false;
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    fuzzArtifact(m.serialize(), 7, 3000);
  });

  it('the checksum is MurmurHash3_x86_32 (published test vectors), aligned or not', () => {
    const enc = (t: string) => new TextEncoder().encode(t);
    expect(checksum(enc(''))).toBe(0);
    expect(checksum(enc('test'))).toBe(0xba6bd213);
    expect(checksum(enc('Hello, world!'), 0, 13, 1234)).toBe(0xfaf6cdb3);
    expect(checksum(enc('The quick brown fox jumps over the lazy dog'))).toBe(0x2e4ff723);
    const padded = enc('xThe quick brown fox jumps over the lazy dog');
    expect(checksum(padded, 1)).toBe(0x2e4ff723); // an unaligned start reads bytes
  });
});

describe('format version 1 (the chain format before functional models)', () => {
  it('a committed version-1 artifact still loads, predicts the same numbers, classifies text and resumes training', async () => {
    // made by test/io/fixtures/make-v1-fixture.mjs at the last commit that wrote version 1, on the JS backend
    setBackend(await createBackend({ backend: 'js' }));
    const dir = new URL('./fixtures/', import.meta.url);
    const bytes = readFileSync(new URL('model-v1.wrnn', dir));
    const want = JSON.parse(readFileSync(new URL('model-v1.json', dir), 'utf8'));
    expect(decodeContainer(bytes).header.formatVersion).toBe(1);
    const m = loadModelSync(bytes);
    expect(m).toBeInstanceOf(Sequential);
    expect(m.layers.map((l) => l.className)).toEqual(['Embedding', 'Bidirectional', 'LSTM', 'Dropout', 'Dense']);
    expect(m.labels).toEqual(['ham', 'spam']);
    expect(m.metadata).toEqual({ made: 'format version 1' });
    const x = m.vectorizer!.transform(want.texts);
    expect(Array.from(x.data)).toEqual(want.ids);
    expect(Array.from((m.predict(x) as Tensor).data)).toEqual(want.predictions);
    expect(m.classify(['free money']).length).toBe(1);
    // the optimizer and Rng state came along: the next step's loss is the one the old version computed
    expect(m.trainOnBatch(x, new Tensor(Int32Array.from([1, 0, 1, 0, 1, 0]), [6]))).toBe(want.next);
    // and it is saved again as version 2
    expect(decodeContainer(m.serialize()).header.formatVersion).toBe(2);
    setBackend(await createBackend({ backend: 'wasm-simd' }));
  });
});

/** Mutate an artifact ~3,000 ways: each must load a model that predicts, or throw E_FORMAT. */
function fuzzArtifact(good: Uint8Array, seed: number, ms: number): void {
  const rng = new Rng(seed);
  const { header, data } = decodeContainer(good);
  const json = JSON.stringify(header);
  let loaded = 0;
  let rejected = 0;
  const deadline = Date.now() + ms;
  for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
    let bytes: Uint8Array;
    const kind = i % 3;
    if (kind === 0) {
      // random byte flips in the raw artifact (the checksum catches most)
      bytes = good.slice();
      for (let k = 0; k <= rng.int(4); k++) bytes[rng.int(bytes.length)] = rng.int(256);
    } else if (kind === 1) {
      // truncation / extension
      bytes = rng.next() < 0.5 ? good.slice(0, rng.int(good.length)) : new Uint8Array([...good, ...new Uint8Array(rng.int(9))]);
    } else {
      // valid checksum, mutated JSON text: the header checks must catch it
      const chars = json.split('');
      for (let k = 0; k <= rng.int(3); k++) chars[rng.int(chars.length)] = '{}[]",:0-9aez'[rng.int(13)];
      let h: unknown;
      try {
        h = JSON.parse(chars.join(''));
      } catch {
        continue;
      }
      if (!h || typeof h !== 'object') continue;
      bytes = encodeContainer(h as Record<string, unknown>, data);
    }
    try {
      const m = loadModelSync(bytes);
      const xs = m.inputs.map((t) => {
        const shape = [1, ...t.shape.slice(1).map((d) => d ?? 3)] as number[];
        const n = shape.reduce((a, b) => a * b, 1);
        return t.dtype === 'int32' ? new Tensor(new Int32Array(n).fill(1), shape) : new Tensor(new Float32Array(n), shape);
      });
      m.predict(xs.length === 1 ? xs[0] : xs);
      loaded++;
      m.dispose();
    } catch (err) {
      if (!(err instanceof WasmRnnError) || err.code !== 'E_FORMAT') {
        throw new Error(
          `mutation ${i} (kind ${kind}) threw ${err instanceof WasmRnnError ? err.code : (err as Error).constructor.name}: ${(err as Error).message}`,
        );
      }
      rejected++;
    }
  }
  expect(rejected).toBeGreaterThan(100);
  expect(loaded + rejected).toBeGreaterThan(300);
}
