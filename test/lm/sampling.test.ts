/**
 * Sampling math: temperature tends to the argmax as T -> 0 (and is the argmax
 * at 0), top-k and top-p keep exactly the right sets, excluded ids are never
 * drawn, and draws are a seeded, reproducible function of the distribution.
 */
import { describe, expect, it } from 'vitest';
import { WasmRnnError, sampleToken, samplingDistribution } from '../../src/index.js';
import { Rng, expectClose } from '../util.js';

const p = [0.1, 0.5, 0.05, 0.3, 0.05];
const kept = (q: ArrayLike<number>) => Array.from(q).flatMap((v, i) => (v > 0 ? [i] : []));

describe('samplingDistribution', () => {
  it('temperature 1 with no cut is the distribution itself', () => {
    expectClose(samplingDistribution(p), p, { atol: 1e-12 });
  });

  it('temperature T is softmax(log p / T), sharpening below 1 and flattening above', () => {
    for (const T of [0.5, 2]) {
      const w = p.map((v) => v ** (1 / T));
      const s = w.reduce((a, b) => a + b, 0);
      expectClose(
        samplingDistribution(p, { temperature: T }),
        w.map((v) => v / s),
        { atol: 1e-12, label: `T=${T}` },
      );
    }
    // a huge temperature approaches uniform over the ids with p > 0
    expectClose(samplingDistribution(p, { temperature: 1e6 }), [0.2, 0.2, 0.2, 0.2, 0.2], { atol: 1e-5 });
  });

  it('as T -> 0 the distribution tends to the argmax; T = 0 is the argmax', () => {
    let prev = 0;
    for (const T of [1, 0.5, 0.1, 0.02]) {
      const q = samplingDistribution(p, { temperature: T });
      expect(q[1]).toBeGreaterThan(prev);
      prev = q[1];
    }
    expect(prev).toBeGreaterThan(0.9999);
    expect(Array.from(samplingDistribution(p, { temperature: 0 }))).toEqual([0, 1, 0, 0, 0]);
    // ties: the lower id
    expect(Array.from(samplingDistribution([0.4, 0.4, 0.2], { temperature: 0 }))).toEqual([1, 0, 0]);
  });

  it('top-k keeps the k most probable ids, renormalised', () => {
    expect(kept(samplingDistribution(p, { topK: 1 }))).toEqual([1]);
    expect(kept(samplingDistribution(p, { topK: 2 }))).toEqual([1, 3]);
    expectClose(samplingDistribution(p, { topK: 3 }), [0.1 / 0.9, 0.5 / 0.9, 0, 0.3 / 0.9, 0], { atol: 1e-12 });
    // a tie at the boundary keeps the lower id; k beyond V keeps everything
    expect(kept(samplingDistribution(p, { topK: 4 }))).toEqual([0, 1, 2, 3]);
    expect(kept(samplingDistribution(p, { topK: 50 }))).toEqual([0, 1, 2, 3, 4]);
  });

  it('top-p keeps the smallest most-probable set reaching p', () => {
    expect(kept(samplingDistribution(p, { topP: 0.5 }))).toEqual([1]); // 0.5 reaches 0.5
    expect(kept(samplingDistribution(p, { topP: 0.51 }))).toEqual([1, 3]); // 0.8
    expect(kept(samplingDistribution(p, { topP: 0.8 }))).toEqual([1, 3]);
    expect(kept(samplingDistribution(p, { topP: 0.85 }))).toEqual([0, 1, 3]); // 0.9
    expectClose(samplingDistribution(p, { topP: 0.85 }), [0.1 / 0.9, 0.5 / 0.9, 0, 0.3 / 0.9, 0], { atol: 1e-12 });
    expect(kept(samplingDistribution(p, { topP: 1 }))).toEqual([0, 1, 2, 3, 4]);
  });

  it('top-p after top-k and temperature applies to the reshaped distribution', () => {
    // top-3 renormalised: 0.111, 0.556, 0.333 -> p = 0.6 needs ids 1 and 3
    expect(kept(samplingDistribution(p, { topK: 3, topP: 0.6 }))).toEqual([1, 3]);
    // T = 0.5: q ∝ p² = .01 .25 .0025 .09 .0025 (sum .355); id 1 alone is 0.704
    expect(kept(samplingDistribution(p, { temperature: 0.5, topP: 0.7 }))).toEqual([1]);
  });

  it('excluded ids are never kept', () => {
    expect(kept(samplingDistribution(p, { exclude: [1], temperature: 0 }))).toEqual([3]);
    expect(() => samplingDistribution([0, 1], { exclude: [1] })).toThrow(/no token/);
  });

  it('rejects bad options and probabilities', () => {
    for (const bad of [{ temperature: -1 }, { topK: 1.5 }, { topP: 0 }, { topP: 1.2 }, { nucleus: 0.9 }]) {
      expect(() => samplingDistribution(p, bad as object)).toThrow(WasmRnnError);
    }
    expect(() => samplingDistribution([0.5, NaN])).toThrow(/probs\[1\]/);
  });
});

describe('sampleToken', () => {
  it('is a seeded, reproducible draw that follows the distribution', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 10000 }, () => sampleToken(p, { topK: 4 }, () => rng.next()));
    };
    const a = draw(5);
    expect(draw(5)).toEqual(a);
    expect(draw(6)).not.toEqual(a);
    const want = samplingDistribution(p, { topK: 4 });
    const freq = [0, 0, 0, 0, 0];
    for (const i of a) freq[i]++;
    // binomial standard error at n = 10000 is < 0.005; allow 4 of them
    freq.forEach((f, i) => expect(Math.abs(f / a.length - want[i])).toBeLessThan(0.02));
    expect(freq[4]).toBe(0); // cut by top-k (tie with id 2, the lower id kept)
  });

  it('maps the uniform number through the cumulative distribution', () => {
    expect(sampleToken(p, {}, () => 0)).toBe(0);
    expect(sampleToken(p, {}, () => 0.1)).toBe(1);
    expect(sampleToken(p, {}, () => 0.6499)).toBe(2);
    expect(sampleToken(p, {}, () => 0.9999999)).toBe(4);
  });
});
