/**
 * Tests for src/text/vectorizer_json.ts: toJSON -> fromJSON gives a
 * vectorizer with identical output (bit-exact tf-idf too), the stop-word
 * snapshot is what is used, custom functions must be passed again, and a
 * malformed document fails with E_FORMAT naming the field.
 */
import { describe, expect, it } from 'vitest';
import '../../src/text/stopwords/de.js'; // stopWords: 'de' below (a subpath module since en/zh alone are built in)
import { TextVectorizer, type TextVectorizerOptions } from '../../src/text/index.js';
import { expectError } from './expect_error.js';

const corpus = [
  'The quick brown fox jumps over the lazy dog!',
  'Runners were running; the fox ran.',
  'Café naïve 😀 déjà vu',
  '我们今天去北京大学学习',
  '',
];
const probe = ['the lazy runner jumped', 'unknown café 😀', '北京大学', ''];

function roundTrip(v: TextVectorizer): TextVectorizer {
  return TextVectorizer.fromJSON(JSON.parse(JSON.stringify(v)));
}

describe('round trip', () => {
  const configs: TextVectorizerOptions[] = [
    {},
    { maxTokens: 8, outputSequenceLength: 5, padding: 'pre', truncating: 'pre' },
    { stopWords: 'en', stem: 'porter', ngrams: 2, minFrequency: 1 },
    { split: 'word', stopWords: ['the', 'fox'], oovToken: '<?>' },
    { split: 'character', standardize: 'lower', ngrams: [2, 3] },
    { outputMode: 'multiHot', maxTokens: 10 },
    { outputMode: 'count', split: null, standardize: null },
    { outputMode: 'tfIdf', stopWords: 'en' },
  ];
  for (const cfg of configs) {
    it(`gives identical transform output for ${JSON.stringify(cfg)}`, () => {
      const v = new TextVectorizer(cfg).adapt(corpus);
      const back = roundTrip(v);
      const a = v.transform(probe);
      const b = back.transform(probe);
      expect(b.shape).toEqual(a.shape);
      expect(b.dtype).toBe(a.dtype);
      expect(Array.from(b.data)).toEqual(Array.from(a.data)); // bit-exact, tf-idf included
      expect(back.vocabulary()).toEqual(v.vocabulary());
      expect(back.toJSON()).toEqual(v.toJSON());
    });
  }

  it('accepts the JSON text as well as the object', () => {
    const v = new TextVectorizer({ maxTokens: 5 }).adapt(corpus);
    expect(TextVectorizer.fromJSON(JSON.stringify(v)).vocabulary()).toEqual(v.vocabulary());
  });

  it('saves an unadapted vectorizer, which loads unadapted', () => {
    const back = roundTrip(new TextVectorizer({ stopWords: 'de' }));
    expect(back.isAdapted).toBe(false);
    expect(back.getConfig().stopWords).toBe('de');
  });

  it('uses the saved stop-word snapshot, not the current list', () => {
    const doc = new TextVectorizer({ stopWords: 'en' }).adapt(['a b']).toJSON();
    expect(doc.stopWordList).toContain('the');
    doc.stopWordList = ['zebra'];
    const back = TextVectorizer.fromJSON(doc);
    expect(back.tokenize('the zebra')).toEqual(['the']);
  });

  it('needs custom functions passed again, and uses them', () => {
    const split = (s: string) => s.split('|');
    const v = new TextVectorizer({ split, standardize: 'lower' }).adapt(['a|b|b']); // default standardize would strip '|'
    const doc = JSON.parse(JSON.stringify(v));
    expect(doc.config.split).toBe('custom');
    expectError(() => TextVectorizer.fromJSON(doc), 'E_FORMAT', /config\.split was a custom function.*fromJSON\(json, \{ split: fn \}\)/);
    const back = TextVectorizer.fromJSON(doc, { split });
    expect(Array.from(back.transform(['b|a|c']).data)).toEqual([2, 3, 1]);
    expectError(() => TextVectorizer.fromJSON(doc, { split, stem: (s: string) => s }), 'E_ARG', /custom\.stem was given/);
  });
});

describe('malformed documents', () => {
  const good = () => JSON.parse(JSON.stringify(new TextVectorizer({ maxTokens: 6, outputMode: 'tfIdf' }).adapt(corpus)));
  const cases: [string, (d: any) => unknown, RegExp][] = [
    ['not JSON', () => '{"format": ', /not valid JSON/],
    ['not an object', () => [1, 2], /the document must be an object/],
    ['wrong format tag', (d) => ({ ...d, format: 'keras' }), /format must be 'wasm-rnn\.TextVectorizer'/],
    ['newer version', (d) => ({ ...d, version: 2 }), /version 2 was written by a newer wasm-rnn/],
    ['missing vocabulary', (d) => (delete d.vocabulary, d), /missing the field 'vocabulary'/],
    ['unknown top-level field', (d) => ({ ...d, extra: 1 }), /unknown field 'extra'/],
    ['unknown config field', (d) => ((d.config.max_tokens = 5), d), /config has an unknown field 'max_tokens'/],
    ['bad option value', (d) => ((d.config.maxTokens = 1), d), /config is invalid: .*maxTokens must be an integer >= 2/],
    ['bad option name', (d) => ((d.config.split = 'words'), d), /config is invalid: .*split must be one of/],
    ['vocabulary not strings', (d) => ((d.vocabulary[3] = 7), d), /vocabulary\[3\] must be a string/],
    [
      'vocabulary too long',
      (d) => (d.vocabulary.push('q1', 'q2'), d.idfWeights.push(1, 1), d),
      /vocabulary is invalid: .*more than maxTokens/,
    ],
    ['vocabulary without reserved tokens', (d) => (d.vocabulary.shift(), d.idfWeights.shift(), d), /must start with the reserved tokens/],
    ['idf missing', (d) => ((d.idfWeights = null), d), /idfWeights is null but outputMode 'tfIdf' needs them/],
    ['idf wrong length', (d) => (d.idfWeights.pop(), d), /vocabulary is invalid: .*idfWeights has 5 entries but words has 6/],
    ['idf not numbers', (d) => ((d.idfWeights[2] = 'x'), d), /idfWeights\[2\] must be a finite number/],
    ['stopWordList without a code', (d) => ((d.stopWordList = ['a']), d), /stopWordList must be null/],
    ['stopWords of the wrong type', (d) => ((d.config.stopWords = 5), d), /config\.stopWords must be a language code/],
  ];
  for (const [name, edit, message] of cases) {
    it(name, () => {
      expectError(() => TextVectorizer.fromJSON(edit(good())), 'E_FORMAT', message);
    });
  }

  it('the good document loads (the cases above fail for their own reason)', () => {
    expect(TextVectorizer.fromJSON(good()).vocabularySize()).toBe(6);
  });
});
