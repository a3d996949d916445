/**
 * seq2seq() end to end: an encoder-decoder learns to copy short
 * sequences (teacher forcing, length buckets) and decodes held-out ones;
 * padding changes no score; the same seed trains the same weights; a saved
 * model loads back decoding and scoring identically and resumes training
 * exactly; every bad option and sequence is refused with a WasmRnnError
 * and the model is left as it was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { WasmRnnError, loadSeq2seq, seq2seq, Sequential, layers, type Seq2seq, type Tensor } from '../../src/index.js';
import { Rng } from '../util.js';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

const A = ['a', 'b', 'c', 'd', 'e', 'f'];
function words(n: number, seed: number): string[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 2 + r.int(4) }, () => A[r.int(A.length)]).join(''));
}
// the task: copy the sequence (the encoder reads it backwards, reverseSource's default, so its first token is the last read)
const copy = (w: string) => [...w];

function small(seed = 1, cell: 'lstm' | 'gru' = 'lstm'): Seq2seq {
  return seq2seq({ sourceVocab: A, targetVocab: A, units: 32, embeddingDim: 12, cell, learningRate: 0.02, seed });
}

function expectError(f: () => unknown, code: string, message: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WasmRnnError);
    expect((e as WasmRnnError).code).toBe(code);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected a WasmRnnError matching ${message}`);
}

async function expectRejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(WasmRnnError);
  await expect(p).rejects.toMatchObject({ code });
  await expect(p).rejects.toThrow(message);
}

describe('training', () => {
  it('learns to copy held-out sequences: greedy and beam search both near perfect, the loss falls', async () => {
    const s = small();
    const train = words(1000, 1);
    const test = words(100, 2);
    const before = s.evaluate(test, test.map(copy)).loss;
    const h = await s.fit(train, train.map(copy), { epochs: 8, batchSize: 32, validationData: [test, test.map(copy)] });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const val = h.history.val_loss;
    expect(val[val.length - 1]).toBeLessThan(before / 20);
    expect(h.history.loss[h.history.loss.length - 1]).toBeLessThan(h.history.loss[0] / 5);
    for (const beamWidth of [1, 3]) {
      const out = s.decode(test, { beamWidth });
      const right = out.filter((o, i) => o.tokens!.join('') === copy(test[i]).join('')).length;
      expect(right / test.length).toBeGreaterThanOrEqual(0.95);
    }
    // val_loss is evaluate's per-token loss (the same batches: bit for bit)
    expect(s.evaluate(test, test.map(copy), { batchSize: 32 }).loss).toBe(val[val.length - 1]);
    s.dispose();
  });

  it('the same seed trains the same weights; bucketByLength false trains too', async () => {
    const train = words(96, 3);
    const runs: Tensor[][] = [];
    for (let k = 0; k < 2; k++) {
      const s = small(7);
      await s.fit(train, train.map(copy), { epochs: 2, batchSize: 16 });
      runs.push(s.model.getWeights());
      s.dispose();
    }
    runs[0].forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(runs[1][i].data)));
    const s = small(7, 'gru');
    const h = await s.fit(train, train.map(copy), { epochs: 3, batchSize: 16, bucketByLength: false });
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0]);
    s.dispose();
  });

  it('padding changes nothing: a pair scores the same alone and in a batch with longer sequences', () => {
    const s = small(2);
    const src = ['ab', 'fedcbafedcba', 'c'];
    const tgt = [['b', 'a'], ['a', 'b', 'c', 'd', 'e', 'f', 'a', 'b', 'c', 'd'], []];
    const together = s.logProbability(src, tgt, { batchSize: 3 });
    src.forEach((x, i) => expect(s.logProbability([x], [tgt[i]])[0]).toBeCloseTo(together[i], 5));
    s.dispose();
  });

  it('ids work as tokens do: a vocabulary given as a size takes id sequences', async () => {
    const s = seq2seq({ sourceVocab: 7, targetVocab: 9, units: 8, seed: 3 });
    const x = [
      [1, 2, 3],
      [6, 5],
    ];
    const y = [[3, 8], [4]];
    await s.fit(x, y, { epochs: 1 });
    const d = s.decode([Int32Array.of(1, 2)], { maxLength: 4 });
    expect(d[0].tokens).toBeNull();
    expect(Array.from(d[0].ids).every((id) => id >= 3 && id < 9)).toBe(true);
    s.dispose();
  });
});

describe('saving and loading', () => {
  it('loads back decoding and scoring identically, and resumes training exactly', async () => {
    const train = words(64, 4);
    const s = small(5);
    await s.fit(train, train.map(copy), { epochs: 1, batchSize: 16 });
    const bytes = s.serialize({ metadata: { note: 'kept' } });
    const t = loadSeq2seq(bytes);
    expect(t.model.metadata?.note).toBe('kept');
    const probe = words(10, 5);
    expect(t.decode(probe, { beamWidth: 3 })).toEqual(s.decode(probe, { beamWidth: 3 }));
    expect(Array.from(t.logProbability(probe, probe.map(copy)))).toEqual(Array.from(s.logProbability(probe, probe.map(copy))));
    // one more epoch on each: the same shuffling, the same Adam state, the same weights
    await s.fit(train, train.map(copy), { epochs: 1, batchSize: 16 });
    await t.fit(train, train.map(copy), { epochs: 1, batchSize: 16 });
    s.model.getWeights().forEach((w, i) => expect(Array.from(t.model.getWeights()[i].data)).toEqual(Array.from(w.data)));
    s.dispose();
    t.dispose();
  });

  it('an artifact that is not a seq2seq model is refused', () => {
    const m = new Sequential({
      layers: [layers.embedding({ inputDim: 5, outputDim: 2 }), layers.lstm({ units: 2 }), layers.dense({ units: 1 })],
    });
    m.build([3]);
    expectError(() => loadSeq2seq(m.serialize()), 'E_FORMAT', /no seq2seq configuration/);
  });
});

describe('bad input', () => {
  it('options: unknown, missing, out of range', () => {
    expectError(() => seq2seq({ sourceVocab: A, targetVocab: A, hidden: 3 } as never), 'E_ARG', /unknown option 'hidden'/);
    expectError(() => seq2seq({ sourceVocab: A } as never), 'E_ARG', /targetVocab are required/);
    expectError(() => seq2seq({ sourceVocab: 1, targetVocab: A }), 'E_ARG', /sourceVocab must be an integer > 1/);
    expectError(() => seq2seq({ sourceVocab: A, targetVocab: 3 }), 'E_ARG', /targetVocab must be an integer > 3/);
    expectError(() => seq2seq({ sourceVocab: ['a', 'a'], targetVocab: A }), 'E_ARG', /lists the token "a" twice/);
    expectError(() => seq2seq({ sourceVocab: A, targetVocab: A, cell: 'rnn' as never }), 'E_ARG', /cell must be one of 'lstm', 'gru'/);
    expectError(() => seq2seq({ sourceVocab: A, targetVocab: A, units: 0 }), 'E_ARG', /units must be an integer/);
    expectError(() => seq2seq({ sourceVocab: A, targetVocab: A, learningRate: -1 }), 'E_ARG', /learningRate must be a positive number/);
    const s = small();
    expectError(() => s.decode(['ab'], { beamWidth: 0 }), 'E_ARG', /beamWidth must be an integer in \[1, 1024\]/);
    expectError(() => s.decode(['ab'], { maxLength: 2.5 }), 'E_ARG', /maxLength/);
    expectError(() => s.decode(['ab'], { lengthPenalty: NaN }), 'E_ARG', /lengthPenalty/);
    expectError(() => s.decode(['ab'], { beam: 2 } as never), 'E_ARG', /unknown option 'beam'/);
    expectError(() => s.serialize({ format: 'x' } as never), 'E_ARG', /unknown option 'format'/);
    s.dispose();
  });

  it('sequences: tokens outside the vocabulary, reserved or out-of-range ids, empty sources, mismatched counts', async () => {
    const s = small();
    const before = s.model.getWeights();
    await expectRejects(s.fit(['ab', 'cx'], [['a'], ['b']]), 'E_ARG', /source\[1\]\[1\] = "x" is not in the source vocabulary/);
    await expectRejects(s.fit(['ab'], [['a'], ['b']]), 'E_ARG', /source has 1 sequences but target has 2/);
    await expectRejects(s.fit(['ab', ''], [['a'], ['b']]), 'E_ARG', /source\[1\] is empty/);
    await expectRejects(
      s.fit(['ab'], [[3, 2]]),
      'E_ARG',
      /target\[0\]\[1\] = 2 is not a target token id in \[3, 9\) \(reserved: 0 padding, 1 start, 2 end\)/,
    );
    await expectRejects(s.fit([[1, 7]], [['a']]), 'E_ARG', /source\[0\]\[1\] = 7 is not a source token id in \[1, 7\)/);
    await expectRejects(s.fit([[0, 1]], [['a']]), 'E_ARG', /= 0 is not a source token id .*reserved: 0 padding/);
    await expectRejects(s.fit('ab' as never, [['a']]), 'E_ARG', /source must be a non-empty array of sequences/);
    await expectRejects(s.fit(['ab'], [['a']], { epochs: 0 }), 'E_ARG', /epochs must be an integer >= 1/);
    await expectRejects(s.fit(['ab'], [['a']], { batch_size: 2 } as never), 'E_ARG', /unknown option 'batch_size'/);
    await expectRejects(
      s.fit(['ab'], [['a']], { validationData: [['ab'], [['z']]] }),
      'E_ARG',
      /validationData\[1\]\[0\]\[0\] = "z" is not in the target vocabulary/,
    );
    expectError(() => s.decode([[1, 2.5]]), 'E_ARG', /source\[0\]\[1\] = 2.5 is not a source token id/);
    expectError(() => s.decode([]), 'E_ARG', /non-empty array/);
    expectError(() => s.logProbability(['ab'], [{} as never]), 'E_ARG', /target\[0\] must be an array of tokens or ids/);
    const ids = seq2seq({ sourceVocab: 5, targetVocab: 6 });
    expectError(() => ids.decode(['ab']), 'E_ARG', /source\[0\] is a string, but the source vocabulary was given as a size/);
    expectError(() => ids.decode([['a']]), 'E_ARG', /holds tokens, but the source vocabulary was given as a size/);
    ids.dispose();
    // nothing was trained by the failed calls
    s.model.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[i].data)));
    s.dispose();
  });
});
