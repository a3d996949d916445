/**
 * Fuzzing the JSON readers of the text pipeline: thousands of seeded
 * mutations of a real TextVectorizer / Tokenizer / LabelEncoder document must
 * each either load a working object or throw a WasmRnnError — never hang,
 * crash, or throw anything else.
 */
import { describe, expect, it } from 'vitest';
import { LabelEncoder, TextVectorizer, Tokenizer, WasmRnnError } from '../../src/index.js';
import { Rng } from '../util.js';

const texts = ['Free money now!!!', 'Meeting at noon, bring the slides', '今天天气很好', 'win a FREE prize now', 'see you at noon'];

/** Replace one random value inside a JSON tree with an awkward one. */
function mutate(doc: unknown, rng: Rng): unknown {
  const copy = JSON.parse(JSON.stringify(doc));
  const awkward = [null, -1, 0, 1e9, 2.5, '', 'x', [], {}, [1, 'a'], true, NaN, '__proto__', { format: 1 }];
  const paths: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        paths.push([v, i]);
        walk(x);
      });
    else if (v && typeof v === 'object')
      for (const k of Object.keys(v)) {
        paths.push([v as Record<string, unknown>, k]);
        walk((v as Record<string, unknown>)[k]);
      }
  };
  walk(copy);
  for (let k = 0; k <= rng.int(3) && paths.length; k++) {
    const [parent, key] = paths[rng.int(paths.length)];
    const r = rng.next();
    if (r < 0.15 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else if (r < 0.25 && Array.isArray(parent)) parent.splice(key as number, 1);
    else (parent as Record<string | number, unknown>)[key] = awkward[rng.int(awkward.length)];
  }
  return copy;
}

function fuzz(label: string, doc: unknown, load: (j: unknown) => { use: () => void }) {
  it(`${label}.fromJSON: every mutation loads a working object or throws WasmRnnError`, () => {
    const rng = new Rng(label.length * 31);
    let ok = 0;
    let rejected = 0;
    const deadline = Date.now() + 3000;
    for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
      const bad = i % 5 === 0 ? JSON.stringify(mutate(doc, rng)).slice(0, rng.int(200) + 1) : mutate(doc, rng);
      try {
        load(bad).use();
        ok++;
      } catch (e) {
        if (!(e instanceof WasmRnnError)) {
          throw new Error(
            `mutation ${i} threw ${(e as Error).constructor.name}: ${(e as Error).message}\n${JSON.stringify(bad).slice(0, 400)}`,
          );
        }
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(50);
    expect(ok + rejected).toBeGreaterThan(200);
  });
}

describe('text JSON fuzzing', () => {
  const vec = new TextVectorizer({ maxTokens: 30, outputSequenceLength: 6, stopWords: 'en', stem: 'porter', ngrams: 2 });
  vec.adapt(texts);
  fuzz('TextVectorizer', vec.toJSON(), (j) => {
    const v = TextVectorizer.fromJSON(j);
    return { use: () => v.transform(texts) };
  });

  const tfidf = new TextVectorizer({ maxTokens: 20, outputMode: 'tfIdf', split: 'word' });
  tfidf.adapt(texts);
  fuzz('TextVectorizer (tfIdf)', tfidf.toJSON(), (j) => {
    const v = TextVectorizer.fromJSON(j);
    return { use: () => v.transform(texts) };
  });

  const tok = new Tokenizer({ numWords: 10, oovToken: '<oov>' });
  tok.fitOnTexts(texts);
  fuzz('Tokenizer', tok.toJSON(), (j) => {
    const t = Tokenizer.fromJSON(j as never);
    return { use: () => t.textsToSequences(texts) };
  });

  const enc = new LabelEncoder().fit(['spam', 'ham', 'ham']);
  fuzz('LabelEncoder', enc.toJSON(), (j) => {
    const e = LabelEncoder.fromJSON(j);
    return { use: () => e.inverseTransform(e.transform(['ham'])) };
  });
});
