/**
 * Hyperparameter search with tiny budgets on real text (Brown corpus
 * paragraphs, news vs romance): trials ranked by the metric, a learning rate
 * that cannot learn in 3 epochs loses, the same seed gives the same scores,
 * random draws stay in their ranges, the best model is retrained.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Tensor, TextVectorizer, WasmRnnError, formatResults, gridSearch, randomSearch } from '../../src/index.js';
import { validationSplits } from '../../src/tune/search.js';
import { brownParagraphs, brownSamples } from '../../examples/lib/brown.mjs';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

function data(perClass = 60) {
  const texts: string[] = [];
  const y: number[] = [];
  ['news', 'romance'].forEach((genre, c) => {
    const paras = brownSamples()
      .filter((s) => s.genre === genre)
      .slice(0, 6)
      .flatMap((s) => brownParagraphs(s.id));
    for (const p of paras.filter((q) => q.length > 80).slice(0, perClass)) {
      texts.push(p);
      y.push(c);
    }
  });
  const vec = new TextVectorizer({ maxTokens: 1500, outputSequenceLength: 30 });
  vec.adapt(texts);
  return { x: vec.transform(texts), y, vocabSize: vec.vocabularySize() };
}

const tiny = { units: [8], embeddingDim: [8], dropout: [0] };

describe('gridSearch', () => {
  it('ranks every combination by k-fold accuracy; the same seed gives the same table; the best is retrained', async () => {
    const d = data();
    const seen: number[] = [];
    const run = () =>
      gridSearch({
        ...d,
        space: { ...tiny, learningRate: [1e-5, 3e-2], batchSize: [16] },
        folds: 2,
        epochs: 3,
        patience: 1,
        seed: 9,
        onTrial: (_t, done) => seen.push(done),
      });
    const r = await run();
    expect(seen).toEqual([1, 2]);
    expect(r.trials).toHaveLength(2);
    expect(r.validation).toBe('2-fold cross-validation');
    expect(r.trials[0].score).toBeGreaterThanOrEqual(r.trials[1].score);
    expect(r.best.params.learningRate).toBe(3e-2);
    expect(r.best.accuracy).toBeGreaterThan(0.7);
    expect(r.best.scores).toHaveLength(2);
    // retrained on all the data, usable as is
    expect(r.model).not.toBeNull();
    expect((r.model!.predict(d.x) as Tensor).shape).toEqual([d.x.shape[0], 1]);
    const again = await run();
    expect(again.trials.map((t) => t.score)).toEqual(r.trials.map((t) => t.score));
    const table = formatResults(r).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/rank.*accuracy \(mean ± sd\)/);
    expect(table[2]).toMatch(/^\s*1\s+lstm\s+8\s+1\s+8\s+0\s+0\.03\s+16/);
  });

  it('rejects ranges, one class, and unknown keys', async () => {
    const d = data(10);
    await expect(gridSearch({ ...d, space: { learningRate: { min: 1e-3, max: 1e-2 } } })).rejects.toThrow(/ranges are for randomSearch/);
    await expect(gridSearch({ ...d, y: d.y.map(() => 1), space: tiny })).rejects.toThrow(/one class/);
    await expect(gridSearch({ ...d, space: { unit: [3] } as object })).rejects.toThrow(WasmRnnError);
    await expect(gridSearch({ ...d, space: tiny, classWeight: 'equal' as 'balanced' })).rejects.toThrow(/classWeight must be/);
    await expect(gridSearch({ ...d, y: d.y.map((v) => v + 0.5), space: tiny })).rejects.toThrow(/y\[0\] is 0.5, not a class id/);
  });
});

describe('randomSearch', () => {
  it('draws seeded points inside the ranges, scored on a validation split by loss', async () => {
    const d = data(30);
    const run = (seed: number) =>
      randomSearch({
        ...d,
        trials: 3,
        seed,
        epochs: 1,
        metric: 'loss',
        validationSplit: 0.25,
        retrain: false,
        classWeight: 'balanced',
        space: { ...tiny, cell: ['gru', 'simplernn'], learningRate: { min: 1e-3, max: 1e-1, log: true }, batchSize: { min: 8, max: 32 } },
      });
    const r = await run(3);
    expect(r.model).toBeNull();
    expect(r.trials).toHaveLength(3);
    for (const t of r.trials) {
      expect(t.params.learningRate).toBeGreaterThanOrEqual(1e-3);
      expect(t.params.learningRate).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(t.params.batchSize)).toBe(true);
      expect(['gru', 'simplernn']).toContain(t.params.cell);
    }
    for (let i = 1; i < 3; i++) expect(r.trials[i].score).toBeGreaterThanOrEqual(r.trials[i - 1].score); // loss: lowest first
    const again = await run(3);
    expect(again.trials.map((t) => t.params)).toEqual(r.trials.map((t) => t.params));
    // the caller's space is left as it was
    const units = { min: 4, max: 8 };
    await randomSearch({ ...d, trials: 1, epochs: 1, retrain: false, space: { units, embeddingDim: [4] } });
    expect(units).toEqual({ min: 4, max: 8 });
    const other = await run(4);
    expect(other.trials.map((t) => t.params)).not.toEqual(r.trials.map((t) => t.params));
  });
});

describe('validation splits', () => {
  const y = Int32Array.from({ length: 60 }, (_, i) => (i < 40 ? 0 : 1));
  it('k folds partition the samples, each fold keeps the class proportions', () => {
    const { splits, validation } = validationSplits('t', y, 2, { folds: 4 }, 1);
    expect(validation).toBe('4-fold cross-validation');
    const seen = new Int32Array(60);
    for (const s of splits) {
      for (const i of s.val) seen[i]++;
      expect(s.train.length + s.val.length).toBe(60);
      expect(Array.from(s.val).filter((i) => y[i] === 1)).toHaveLength(5); // 20 / 4
    }
    expect(Array.from(seen).every((n) => n === 1)).toBe(true);
  });

  it('with groups, a group is never split between training and validation', () => {
    const groups = Int32Array.from({ length: 60 }, (_, i) => Math.floor(i / 5)); // 12 groups of 5
    for (const opts of [
      { folds: 3, groups },
      { validationSplit: 0.25, groups },
    ]) {
      const { splits, validation } = validationSplits('t', y, 2, opts, 7);
      expect(validation).toMatch(/by group \(12 groups\)/);
      for (const s of splits) {
        const valGroups = new Set(Array.from(s.val, (i) => groups[i]));
        expect(Array.from(s.train).some((i) => valGroups.has(groups[i]))).toBe(false);
        expect(s.val.length % 5).toBe(0);
        expect(new Set(Array.from(s.val, (i) => y[i])).size).toBe(2); // both classes validated
      }
    }
    expect(() => validationSplits('t', y, 2, { folds: 13, groups }, 1)).toThrow(/13 folds need at least 13 groups, got 12/);
  });
});
