/**
 * Decoding through the one-step decoder: greedy equals a greedy search that
 * re-runs the whole training model on every prefix (an independent oracle),
 * beam search never scores below greedy and, wide enough, finds the exact
 * best sequence (checked by enumerating every output), and every output
 * position costs one step call over one time step for all hypotheses of all
 * sources at once.
 *
 * The models are untrained, with weights scaled up so that their
 * distributions are peaked and greedy and beam search disagree.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Tensor, seq2seq, type Seq2seq } from '../../src/index.js';
import type { RunContext } from '../../src/layers/layer.js';
import { Rng, expectClose } from '../util.js';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

const SRC = 9;
function randomModel(targetVocab: number, cell: 'lstm' | 'gru', seed: number, gain = 3): Seq2seq {
  const s = seq2seq({ sourceVocab: SRC, targetVocab, units: 12, embeddingDim: 6, cell, seed });
  const w = s.model.getWeights().map(
    (t) =>
      new Tensor(
        t.data.map((x) => x * gain),
        t.shape,
      ),
  );
  // the output bias (last weight): make the end token likely enough that some outputs end and some run to maxLength
  w[w.length - 1].data[2] += 1.5;
  s.model.setWeights(w);
  return s;
}

function sources(n: number, seed: number): Int32Array[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Int32Array.from({ length: 1 + r.int(6) }, () => 1 + r.int(SRC - 1)));
}

/** Greedy by re-running the training model on [START, prefix] for every new token: O(L²), no step model. */
function rerunGreedy(s: Seq2seq, src: Int32Array, maxLength: number): { ids: number[]; logProb: number } {
  const ids: number[] = [];
  let logProb = 0;
  for (;;) {
    const dec = Int32Array.from([1, ...ids]);
    const p = (s.model.predict([new Tensor(src, [1, src.length]), new Tensor(dec, [1, dec.length])]) as Tensor).data;
    const V = p.length / dec.length;
    const last = p.subarray((dec.length - 1) * V);
    let best = 2;
    for (let v = 3; v < V; v++) if (last[v] > last[best]) best = v;
    logProb += Math.log(last[best]);
    if (best === 2) return { ids, logProb };
    ids.push(best);
    if (ids.length >= maxLength) return { ids, logProb };
  }
}

describe('greedy decoding', () => {
  for (const cell of ['lstm', 'gru'] as const) {
    it(`equals a greedy search re-running the training model on every prefix (${cell}), and scores as logProbability`, () => {
      const s = randomModel(7, cell, 3);
      const src = sources(24, 4);
      const got = s.decode(src, { maxLength: 12, batchSize: 10 });
      let ended = 0;
      src.forEach((x, i) => {
        const want = rerunGreedy(s, x, 12);
        expect(Array.from(got[i].ids)).toEqual(want.ids);
        expectClose([got[i].logProb], [want.logProb], { atol: 1e-5, label: `logProb ${i}` });
        if (got[i].ended) ended++;
      });
      expect(ended).toBeGreaterThan(0);
      // the step model's score of an ended output is the training model's log p(output | source)
      const endedIdx = got.map((g, i) => (g.ended ? i : -1)).filter((i) => i >= 0);
      const lp = s.logProbability(
        endedIdx.map((i) => src[i]),
        endedIdx.map((i) => got[i].ids),
      );
      expectClose(
        lp,
        endedIdx.map((i) => got[i].logProb),
        { atol: 1e-5, label: 'logProbability' },
      );
      s.dispose();
    });
  }
});

describe('beam search', () => {
  it('never scores below greedy, and beats it on some sources (log-prob and length-normalised)', () => {
    // a peaked GRU on which plain beam search (without the greedy row) does return worse outputs than greedy for some sources
    const s = randomModel(12, 'gru', 1, 5);
    const src = sources(150, 101);
    for (const lengthPenalty of [0, 1]) {
      const greedy = s.decode(src, { maxLength: 10, lengthPenalty });
      let better = 0;
      for (const beamWidth of [2, 4]) {
        const beam = s.decode(src, { beamWidth, maxLength: 10, lengthPenalty });
        beam.forEach((b, i) => {
          expect(b.score).toBeGreaterThanOrEqual(greedy[i].score);
          if (b.score > greedy[i].score + 1e-9) better++;
        });
      }
      expect(better).toBeGreaterThan(0);
    }
    s.dispose();
  });

  it('a width as large as the candidate set finds the exact best output (every output enumerated)', () => {
    // two emittable tokens (3, 4) plus end, at most 3 tokens: 15 ended outputs and 8 cut at maxLength
    const s = randomModel(5, 'gru', 1, 4);
    const maxLength = 3;
    const src = sources(30, 101);
    const got = s.decode(src, { beamWidth: 16, maxLength });
    const narrow = s.decode(src, { beamWidth: 2, maxLength });
    let missed = 0;
    src.forEach((x, i) => {
      // an output of fewer than maxLength tokens ends with the end token; one of maxLength tokens is cut there
      let best = { ids: [] as number[], logProb: -Infinity };
      const visit = (prefix: number[]) => {
        const dec = Int32Array.from([1, ...prefix]);
        const p = (s.model.predict([new Tensor(x, [1, x.length]), new Tensor(dec, [1, dec.length])]) as Tensor).data;
        const V = p.length / dec.length;
        let lp = 0;
        for (let t = 0; t < prefix.length; t++) lp += Math.log(p[t * V + prefix[t]]);
        const cut = prefix.length === maxLength;
        const score = cut ? lp : lp + Math.log(p[prefix.length * V + 2]);
        if (score > best.logProb) best = { ids: prefix, logProb: score };
        if (!cut) for (const v of [3, 4]) visit([...prefix, v]);
      };
      visit([]);
      if (narrow[i].logProb < best.logProb - 1e-6) missed++;
      expect(Array.from(got[i].ids)).toEqual(best.ids);
      expectClose([got[i].logProb], [best.logProb], { atol: 1e-5, label: `source ${i}` });
    });
    // the search width matters on this model: a beam of 2 misses the best output somewhere
    expect(missed).toBeGreaterThan(0);
    s.dispose();
  });
});

describe('cost per output token', () => {
  it('one step call per output position for every hypothesis of every source, each over ONE time step', () => {
    const s = randomModel(7, 'lstm', 9);
    const times: number[] = [];
    for (const run of s.decoderStep.engine('test').runs) {
      const forward = run.forward.bind(run);
      run.forward = (ctx: RunContext, ins, outs) => {
        if (ins[0].shape.length > 1) times.push(ins[0].shape[0]); // sequence inputs: their T
        return forward(ctx, ins, outs);
      };
    }
    const src = sources(20, 10);
    const calls = s.stepCalls;
    calls.length = 0;
    const greedy = s.decode(src, { maxLength: 30 });
    expect(times.length).toBeGreaterThan(0);
    expect(times.every((t) => t === 1)).toBe(true);
    // position k runs the sources whose output is still going: Σ rows = Σ (tokens + end)
    const steps = greedy.map((g) => g.ids.length + (g.ended ? 1 : 0));
    expect(calls.length).toBe(Math.max(...steps));
    expect(calls.reduce((a, b) => a + b, 0)).toBe(steps.reduce((a, b) => a + b, 0));
    expect(calls[0]).toBe(20);
    // a beam of 4 over the same sources: still one call per position; the first holds a beam row and a greedy row per source
    calls.length = 0;
    const beam = s.decode(src, { beamWidth: 4, maxLength: 30 });
    expect(calls.length).toBeLessThanOrEqual(30);
    expect(calls[0]).toBe(40);
    expect(Math.max(...calls)).toBeLessThanOrEqual(20 * 5);
    expect(calls.length).toBeGreaterThanOrEqual(Math.max(...beam.map((b) => b.ids.length)));
    s.dispose();
  });
});
