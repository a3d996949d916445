/**
 * The bad-input table for TextVectorizer: every wrong call is a WasmRnnError
 * with the right code and a message naming the argument; a failed call
 * leaves the vectorizer as it was.
 */
import { describe, expect, it } from 'vitest';
import { TextVectorizer } from '../../src/text/index.js';
import { expectError } from './expect_error.js';

const adapted = () => new TextVectorizer({ maxTokens: 5 }).adapt(['a b c']);

const table: [string, () => unknown, string, RegExp][] = [
  // constructor options
  ['unknown option', () => new TextVectorizer({ max_tokens: 5 } as never), 'E_ARG', /unknown option 'max_tokens' \(supported: maxTokens/],
  ['options not an object', () => new TextVectorizer('en' as never), 'E_ARG', /options must be an options object/],
  [
    'maxTokens < 3 in int mode',
    () => new TextVectorizer({ maxTokens: 2 }),
    'E_ARG',
    /maxTokens must be an integer >= 3 .*padding '' and OOV tokens/,
  ],
  [
    'maxTokens < 2 in bag mode',
    () => new TextVectorizer({ maxTokens: 1, outputMode: 'count' }),
    'E_ARG',
    /maxTokens must be an integer >= 2/,
  ],
  ['maxTokens not an integer', () => new TextVectorizer({ maxTokens: 10.5 }), 'E_ARG', /maxTokens must be an integer/],
  ['minFrequency 0', () => new TextVectorizer({ minFrequency: 0 }), 'E_ARG', /minFrequency must be an integer >= 1/],
  [
    'outputSequenceLength 0',
    () => new TextVectorizer({ outputSequenceLength: 0 }),
    'E_ARG',
    /outputSequenceLength must be an integer >= 1/,
  ],
  [
    'outputSequenceLength in bag mode',
    () => new TextVectorizer({ outputMode: 'multiHot', outputSequenceLength: 5 }),
    'E_ARG',
    /outputSequenceLength only applies to outputMode 'int'/,
  ],
  [
    'padding in bag mode',
    () => new TextVectorizer({ outputMode: 'tfIdf', padding: 'pre' }),
    'E_ARG',
    /padding only applies to outputMode 'int'/,
  ],
  ['bad padding', () => new TextVectorizer({ padding: 'left' as never }), 'E_ARG', /padding must be one of 'pre', 'post'/],
  ['bad truncating', () => new TextVectorizer({ truncating: 'end' as never }), 'E_ARG', /truncating must be one of 'pre', 'post'/],
  [
    'bad outputMode (Keras spelling)',
    () => new TextVectorizer({ outputMode: 'tf_idf' as never }),
    'E_ARG',
    /outputMode must be one of 'int', 'multiHot', 'count', 'tfIdf'/,
  ],
  ['empty oovToken', () => new TextVectorizer({ oovToken: '' }), 'E_ARG', /oovToken must be a non-empty string/],
  [
    'unknown language',
    () => new TextVectorizer({ stopWords: 'xx' }),
    'E_ARG',
    /stopWords 'xx' is not a built-in language \(built in: en, zh/,
  ],
  ['stopWords not strings', () => new TextVectorizer({ stopWords: ['a', null] as never }), 'E_ARG', /stopWords\[1\] must be a string/],
  ['bad stem', () => new TextVectorizer({ stem: 'snowball' as never }), 'E_ARG', /stem must be 'porter', null or a function/],
  ['bad split', () => new TextVectorizer({ split: /\s/ as never }), 'E_ARG', /split must be one of/],
  ['bad ngrams', () => new TextVectorizer({ ngrams: 0 }), 'E_ARG', /ngrams must be an integer >= 1/],
  // adapt / transform arguments
  [
    'adapt: a single string',
    () => new TextVectorizer().adapt('hello' as never),
    'E_ARG',
    /texts must be an array of strings, got a single string \(wrap it: \[text\]\)/,
  ],
  [
    'adapt: not an array',
    () => new TextVectorizer().adapt(undefined as never),
    'E_ARG',
    /adapt: texts must be an array of strings, got undefined/,
  ],
  ['adapt: non-string item', () => new TextVectorizer().adapt(['ok', 42] as never), 'E_ARG', /adapt: texts\[1\] must be a string, got 42/],
  [
    'adapt: hole in sparse array',
    () => new TextVectorizer().adapt(['ok', , 'x'] as never),
    'E_ARG',
    /texts\[1\] must be a string, got undefined/,
  ],
  [
    'transform before adapt',
    () => new TextVectorizer().transform(['a']),
    'E_STATE',
    /transform: no vocabulary yet; call adapt\(texts\) or setVocabulary\(words\) first/,
  ],
  ['vocabulary before adapt', () => new TextVectorizer().vocabulary(), 'E_STATE', /vocabulary: no vocabulary yet/],
  ['transform: non-string item', () => adapted().transform([null] as never), 'E_ARG', /transform: texts\[0\] must be a string, got null/],
  ['tokenize: not a string', () => adapted().tokenize(5 as never), 'E_ARG', /tokenize: text must be a string/],
  // setVocabulary
  [
    'vocabulary larger than maxTokens',
    () => new TextVectorizer({ maxTokens: 4 }).setVocabulary(['a', 'b', 'c']),
    'E_ARG',
    /has 5 tokens \(with 2 reserved\), more than maxTokens 4/,
  ],
  [
    'vocabulary with duplicates',
    () => new TextVectorizer().setVocabulary(['a', 'b', 'a']),
    'E_ARG',
    /words\[2\] repeats words\[0\] \("a"\)/,
  ],
  ['vocabulary with padding inside', () => new TextVectorizer().setVocabulary(['a', '']), 'E_ARG', /words\[1\] is '', the padding token/],
  [
    'vocabulary with OOV inside',
    () => new TextVectorizer().setVocabulary(['a', '[UNK]']),
    'E_ARG',
    /words\[1\] is the OOV token '\[UNK\]'/,
  ],
  ['vocabulary not strings', () => new TextVectorizer().setVocabulary(['a', 1] as never), 'E_ARG', /words\[1\] must be a string/],
  ['tfIdf vocabulary without weights', () => new TextVectorizer({ outputMode: 'tfIdf' }).setVocabulary(['a']), 'E_ARG', /needs idfWeights/],
  ['weights outside tfIdf', () => new TextVectorizer().setVocabulary(['a'], [1]), 'E_ARG', /idfWeights only apply to outputMode 'tfIdf'/],
  [
    'negative idf weight',
    () => new TextVectorizer({ outputMode: 'tfIdf' }).setVocabulary(['a'], [-1]),
    'E_ARG',
    /idfWeights\[0\] must be a finite number >= 0/,
  ],
  // custom functions that return the wrong type
  [
    'standardize returns a number',
    () => new TextVectorizer({ standardize: () => 1 as never }).adapt(['a']),
    'E_ARG',
    /standardize function returned 1 for texts\[0\]/,
  ],
  [
    'split returns a string',
    () => new TextVectorizer({ split: (s) => s as never }).adapt(['x', 'ab']),
    'E_ARG',
    /split function returned "x" for texts\[0\]/,
  ],
  [
    'split returns non-strings',
    () => new TextVectorizer({ split: () => ['a', 3] as never }).adapt(['x']),
    'E_ARG',
    /split function returned 3 at \[1\] for texts\[0\]/,
  ],
  [
    'stem returns undefined',
    () => new TextVectorizer({ stem: () => undefined as never }).adapt(['a']),
    'E_ARG',
    /stem function returned undefined in texts\[0\]/,
  ],
];

describe('TextVectorizer bad input', () => {
  for (const [name, call, code, message] of table) {
    it(name, () => {
      expectError(call, code, message);
    });
  }
});

describe('failed calls change nothing', () => {
  it('a bad item at the end of adapt() keeps the previous vocabulary', () => {
    const v = adapted();
    const before = v.vocabulary();
    expectError(() => v.adapt(['x y z', 'p q', 7] as never), 'E_ARG', /texts\[2\]/);
    expect(v.vocabulary()).toEqual(before);
  });

  it('a custom function failing mid-adapt keeps the previous vocabulary', () => {
    let n = 0;
    const v = new TextVectorizer({
      stem: (t) => {
        if (++n > 3) throw new Error('boom');
        return t;
      },
    }).adapt(['a b c']);
    expect(() => v.adapt(['d e f'])).toThrow('boom');
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'a', 'b', 'c']);
  });

  it('an unadapted vectorizer stays unadapted after a failed adapt', () => {
    const v = new TextVectorizer();
    expectError(() => v.adapt([1] as never), 'E_ARG', /texts\[0\]/);
    expect(v.isAdapted).toBe(false);
  });
});
