/**
 * TokenAndPositionEmbedding (KerasHub): the sum of the two tables' rows
 * on every backend; float64 finite-difference checks of both tables; a
 * shorter sequence uses the first positions; maskZero; sequences longer
 * than sequenceLength fail when the shapes are known; as the first layer of
 * a Sequential it keeps the length open (or takes inputShape/inputLength).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, input, layers, model } from '../../src/index.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose } from '../util.js';

afterAll(() => setBackend(null as never));

const idsOf = (rows: number[][]) => new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);

describe('TokenAndPositionEmbedding', () => {
  it('y[b,t] = E_token[id] + E_position[t] on every backend, for any length up to sequenceLength', async () => {
    for (const backend of ['js', 'wasm-simd'] as const) {
      setBackend(await createBackend({ backend }));
      const x = input({ shape: [null], dtype: 'int32' });
      const tpe = layers.tokenAndPositionEmbedding({ vocabularySize: 7, sequenceLength: 5, embeddingDim: 3 });
      const m = model({ inputs: x, outputs: tpe.apply(x), seed: 4 });
      const [tok, pos] = m.getWeights();
      expect(tok.shape).toEqual([7, 3]);
      expect(pos.shape).toEqual([5, 3]);
      expect(Array.from(tok.data).every((v) => Math.abs(v) <= 0.05)).toBe(true);
      for (const rows of [
        [
          [1, 6, 0, 2, 2],
          [3, 3, 3, 1, 0],
        ],
        [[4, 5, 6]],
      ]) {
        const y = m.predict(idsOf(rows)) as Tensor;
        const T = rows[0].length;
        const want = rows.flatMap((r) =>
          r.flatMap((id, t) => [0, 1, 2].map((d) => Math.fround(tok.data[id * 3 + d] + pos.data[t * 3 + d]))),
        );
        expect(y.shape).toEqual([rows.length, T, 3]);
        expectClose(y.data, want, { atol: 0, rtol: 0, label: `${backend} T=${T}` });
      }
    }
  });

  it('gradients of both tables (float64 twin), through attention after it', () => {
    useFloat64Twin();
    const x = input({ shape: [4], dtype: 'int32' });
    const e = layers.tokenAndPositionEmbedding({ vocabularySize: 6, sequenceLength: 6, embeddingDim: 4 }).apply(x);
    const a = layers.multiHeadAttention({ numHeads: 2, keyDim: 2 }).apply([e, e]);
    const m = model({ inputs: x, outputs: layers.dense({ units: 2 }).apply(a), seed: 6 });
    const rng = new Rng(3);
    gradCheck(
      m,
      new Tensor(
        Int32Array.from({ length: 12 }, () => rng.int(6)),
        [3, 4],
      ),
      { maxPerWeight: 40 },
    );
  });

  it('maskZero emits the padding mask; longer sequences than sequenceLength fail when the length is known', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const x = input({ shape: [null], dtype: 'int32' });
    const e = layers.tokenAndPositionEmbedding({ vocabularySize: 5, sequenceLength: 4, embeddingDim: 2, maskZero: true }).apply(x);
    const r = layers.simpleRNN({ units: 2, returnSequences: true }).apply(e);
    const m = model({ inputs: x, outputs: r, seed: 1 });
    const out = m.predict(idsOf([[2, 0, 3]])) as Tensor;
    expect(Array.from(out.data.subarray(2, 4))).toEqual(Array.from(out.data.subarray(0, 2)));
    expect(() => m.predict(idsOf([[1, 2, 3, 4, 1]]))).toThrow(/sequences of 5 steps are longer than sequenceLength 4/);
    expect(() =>
      layers
        .tokenAndPositionEmbedding({ vocabularySize: 5, sequenceLength: 4, embeddingDim: 2 })
        .apply(input({ shape: [6], dtype: 'int32' })),
    ).toThrow(/sequences of 6 steps are longer than sequenceLength 4/);
    expect(() => layers.tokenAndPositionEmbedding({ vocabularySize: 5, sequenceLength: 0, embeddingDim: 2 })).toThrow(
      /sequenceLength must be a positive integer/,
    );
    expect(() => m.predict(idsOf([[1, 9, 2]]))).toThrow(/9/);
  });

  it('first in a Sequential: any length up to sequenceLength, inputShape or inputLength, summary before data', async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const tpe = () => layers.tokenAndPositionEmbedding({ vocabularySize: 10, sequenceLength: 8, embeddingDim: 4 });
    const open = new Sequential({ layers: [tpe(), layers.globalAveragePooling1d()], seed: 1 });
    expect(open.summary()).toMatch(/TokenAndPositionEmbedding/);
    expect((open.predict(idsOf([[1, 2, 3, 4, 5, 6]])) as Tensor).shape).toEqual([1, 4]);
    expect((open.predict(idsOf([[1, 2, 3, 4]])) as Tensor).shape).toEqual([1, 4]);
    expect(() => open.predict(idsOf([[1, 2, 3, 4, 5, 6, 7, 8, 9]]))).toThrow(/sequences of 9 steps are longer than sequenceLength 8/);
    const opts = { vocabularySize: 10, sequenceLength: 8, embeddingDim: 4 };
    const fixed = new Sequential({ layers: [layers.tokenAndPositionEmbedding({ ...opts, inputShape: [5] })], seed: 1 });
    expect(() => fixed.predict(idsOf([[1, 2, 3, 4]]))).toThrow(/x dimension 1 must be 5, got 4/);
    expect((fixed.predict(idsOf([[1, 2, 3, 4, 5]])) as Tensor).shape).toEqual([1, 5, 4]);
    const byLength = new Sequential({ layers: [layers.tokenAndPositionEmbedding({ ...opts, inputLength: 3 })], seed: 1 });
    expect((byLength.predict(idsOf([[1, 2, 3]])) as Tensor).shape).toEqual([1, 3, 4]);
    expect(
      (new Sequential({ layers: [layers.tokenAndPositionEmbedding({ ...opts, inputShape: [null] })] }).predict(idsOf([[1, 2]])) as Tensor)
        .shape,
    ).toEqual([1, 2, 4]);
    expect(() => layers.tokenAndPositionEmbedding({ ...opts, inputShape: [9] })).toThrow(
      /inputShape must be \[timesteps\] with timesteps null or at most sequenceLength 8/,
    );
    expect(() => layers.tokenAndPositionEmbedding({ ...opts, inputShape: [4, 2] })).toThrow(/inputShape must be \[timesteps\]/);
    expect(() => layers.tokenAndPositionEmbedding({ ...opts, inputLength: 0 })).toThrow(/inputLength must be a positive integer/);
  });

  it('an id out of range names the layer and vocabularySize', async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const m = new Sequential({
      layers: [layers.tokenAndPositionEmbedding({ vocabularySize: 10, sequenceLength: 8, embeddingDim: 4, name: 'tpe' })],
    });
    expect(() => m.predict(idsOf([[1, 10]]))).toThrow(
      /token id 10 at \[0, 1\] of x is not an integer in \[0, 10\) \(vocabularySize of the TokenAndPositionEmbedding 'tpe'\)/,
    );
    const e = new Sequential({ layers: [layers.embedding({ inputDim: 5, outputDim: 2, name: 'emb' })] });
    expect(() => e.predict(idsOf([[7]]))).toThrow(/\(inputDim of the Embedding 'emb'\)/);
  });
});
