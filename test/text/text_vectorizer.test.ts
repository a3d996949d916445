/**
 * Tests for src/text/text_vectorizer.ts: vocabulary order and limits, ids,
 * padding and truncation, each option and the combinations that interact
 * (stop words before counting, stemming on both sides, n-grams), the
 * bag-of-words modes against hand-computed (Keras-documented) values.
 */
import { describe, expect, it } from 'vitest';
import { TextVectorizer } from '../../src/text/index.js';
import { expectError } from './expect_error.js';

const rows = (t: { toArray(): unknown }) => t.toArray() as number[][];

describe('vocabulary', () => {
  it('orders by count, ties by first appearance, reserved tokens first', () => {
    const v = new TextVectorizer().adapt(['b a c', 'c b d', 'c']);
    // c:3, b:2, a:1, d:1 (a appears before d)
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'c', 'b', 'a', 'd']);
    expect(v.vocabularySize()).toBe(6);
  });

  it('is the same for the same corpus, whatever the run', () => {
    const texts = ['x y z', 'z y', 'w x', 'q'];
    expect(new TextVectorizer().adapt(texts).vocabulary()).toEqual(new TextVectorizer().adapt(texts).vocabulary());
  });

  it('maxTokens counts the two reserved tokens and cuts the rarest words', () => {
    const v = new TextVectorizer({ maxTokens: 4 }).adapt(['b a c', 'c b d', 'c']);
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'c', 'b']);
    expect(rows(v.transform(['a b c d']))).toEqual([[1, 3, 2, 1]]);
  });

  it('minFrequency drops rare words', () => {
    const v = new TextVectorizer({ minFrequency: 2 }).adapt(['b a c', 'c b d', 'c']);
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'c', 'b']);
  });

  it('adapt replaces, not extends, the vocabulary', () => {
    const v = new TextVectorizer().adapt(['old words']);
    v.adapt(['new']);
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'new']);
  });

  it('does not make words of the reserved tokens found in the text', () => {
    const v = new TextVectorizer({ standardize: null }).adapt(['[UNK] [UNK] a']);
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'a']);
    expect(rows(v.transform(['[UNK] a']))).toEqual([[1, 2]]);
  });

  it('treats Object.prototype names as ordinary words', () => {
    const v = new TextVectorizer({ standardize: null }).adapt(['__proto__ constructor toString __proto__']);
    expect(v.vocabulary()).toEqual(['', '[UNK]', '__proto__', 'constructor', 'toString']);
    expect(rows(v.transform(['toString hasOwnProperty __proto__']))).toEqual([[4, 1, 2]]);
  });

  it('uses a custom oovToken', () => {
    const v = new TextVectorizer({ oovToken: '<oov>' }).adapt(['a']);
    expect(v.vocabulary()).toEqual(['', '<oov>', 'a']);
  });

  it('adapts to an empty corpus and empty texts', () => {
    const v = new TextVectorizer({ outputSequenceLength: 3 }).adapt(['', '   ']);
    expect(v.vocabulary()).toEqual(['', '[UNK]']);
    expect(rows(v.transform(['', 'hello']))).toEqual([
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect(new TextVectorizer().adapt([]).vocabularySize()).toBe(2);
  });
});

describe("'int' output", () => {
  const v = new TextVectorizer({ outputSequenceLength: 4 }).adapt(['the cat sat on the mat']);
  // vocab: '' [UNK] the cat sat on mat -> the=2 cat=3 sat=4 on=5 mat=6

  it('gives int32 (N, L) with 0 padding after and 1 for OOV', () => {
    const x = v.transform(['The cat!', 'a dog on the mat']);
    expect(x.dtype).toBe('int32');
    expect(x.shape).toEqual([2, 4]);
    expect(rows(x)).toEqual([
      [2, 3, 0, 0],
      [1, 1, 5, 2], // post-truncation keeps the start: "a dog on the"
    ]);
  });

  it('pre/post padding and truncation', () => {
    const texts = ['cat', 'the cat sat on the mat'];
    const pre = new TextVectorizer({ outputSequenceLength: 4, padding: 'pre', truncating: 'pre' }).setVocabulary(v.vocabulary());
    expect(rows(pre.transform(texts))).toEqual([
      [0, 0, 0, 3],
      [4, 5, 2, 6], // keeps the end: "sat on the mat"
    ]);
    const mixed = new TextVectorizer({ outputSequenceLength: 4, padding: 'post', truncating: 'pre' }).setVocabulary(v.vocabulary());
    expect(rows(mixed.transform(texts))).toEqual([
      [3, 0, 0, 0],
      [4, 5, 2, 6],
    ]);
  });

  it('pads to the longest text of the call when outputSequenceLength is unset', () => {
    const free = new TextVectorizer().setVocabulary(v.vocabulary());
    const x = free.transform(['cat', 'the cat sat', '']);
    expect(x.shape).toEqual([3, 3]);
    expect(rows(x)).toEqual([
      [3, 0, 0],
      [2, 3, 4],
      [0, 0, 0],
    ]);
    const freePre = new TextVectorizer({ padding: 'pre' }).setVocabulary(v.vocabulary());
    expect(rows(freePre.transform(['cat', 'the cat sat']))).toEqual([
      [0, 0, 3],
      [2, 3, 4],
    ]);
    expect(free.transform([]).shape).toEqual([0, 0]);
    expect(free.transform(['', '']).shape).toEqual([2, 0]);
  });

  it('keeps accented words and emoji as documented', () => {
    const u = new TextVectorizer().adapt(['Café naïve 😀 great😀 CAFÉ!']);
    expect(u.vocabulary()).toEqual(['', '[UNK]', 'café', 'naïve', '😀', 'great😀']);
    const w = new TextVectorizer({ split: 'word' }).adapt(['great😀 café']);
    expect(w.vocabulary()).toEqual(['', '[UNK]', 'great', '😀', 'café']);
  });
});

describe('CJK and Thai', () => {
  it("'word' split gives several ids per sentence in Chinese, Japanese and Thai", () => {
    const v = new TextVectorizer({ split: 'word' });
    v.adapt(['我们今天去北京。', '私は東京に住んでいます。', 'ภาษาไทยง่ายนิดเดียว']);
    const x = rows(v.transform(['我们今天去北京。', '私は東京に住んでいます。', 'ภาษาไทยง่ายนิดเดียว']));
    for (const row of x.slice(0)) {
      const used = row.filter((id) => id > 1);
      expect(used.length).toBeGreaterThanOrEqual(3);
    }
    expect(v.vocabulary()).toContain('北京');
    expect(v.vocabulary()).toContain('東京');
  });

  it("'whitespace' split keeps a Chinese sentence as one token (why 'word' exists)", () => {
    expect(new TextVectorizer().tokenize('我们今天去北京。')).toEqual(['我们今天去北京']);
  });

  it("'character' split gives one id per character", () => {
    const v = new TextVectorizer({ split: 'character' }).adapt(['北京北']);
    expect(v.vocabulary()).toEqual(['', '[UNK]', '北', '京']);
    expect(rows(v.transform(['京北x']))).toEqual([[3, 2, 1]]);
  });
});

describe('stop words and stemming', () => {
  it('removes stop words before counting, so they never take a vocabulary slot', () => {
    const texts = ['the the the the cat', 'the dog and the cat'];
    const v = new TextVectorizer({ stopWords: 'en', maxTokens: 3 }).adapt(texts);
    // Without stop words, 'the' (6) would be the top word.
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'cat']);
    // ... and they vanish at transform time instead of becoming OOV.
    expect(rows(v.transform(['the cat and the dog']))).toEqual([[2, 1]]);
  });

  it('matches stop words after standardization', () => {
    const v = new TextVectorizer({ stopWords: ["Don't", 'E-Mail'] });
    expect(v.tokenize("don't email DONT now")).toEqual(['now']);
  });

  it('takes Chinese stop words with the word split', () => {
    const v = new TextVectorizer({ split: 'word', stopWords: 'zh' });
    expect(v.tokenize('我们和他们')).toEqual(['我们', '他们']);
  });

  it('stems after removing stop words, the same way in adapt and transform', () => {
    const v = new TextVectorizer({ stopWords: 'en', stem: 'porter' }).adapt(['The runners were running', 'connection connected']);
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'connect', 'runner', 'run']);
    // Unseen inflections map onto the adapted stems.
    expect(rows(v.transform(['runs connecting connections']))).toEqual([[4, 2, 2]]);
  });

  it('runs a custom stemmer on both sides and drops tokens stemmed to empty', () => {
    const calls: string[] = [];
    const stem = (t: string) => {
      calls.push(t);
      return t.length > 3 ? t.slice(0, 3) : t === 'x' ? '' : t;
    };
    const v = new TextVectorizer({ stem }).adapt(['apples apricots x']);
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'app', 'apr']);
    expect(rows(v.transform(['application x']))).toEqual([[2]]);
    expect(calls).toEqual(['apples', 'apricots', 'x', 'application', 'x']);
  });
});

describe('n-grams', () => {
  it('adds 2-grams after the words, as Keras', () => {
    const v = new TextVectorizer({ ngrams: 2 });
    expect(v.tokenize('a b c')).toEqual(['a', 'b', 'c', 'a b', 'b c']);
  });

  it('builds n-grams from stemmed words with stop words removed', () => {
    const v = new TextVectorizer({ ngrams: 2, stopWords: 'en', stem: 'porter' });
    expect(v.tokenize('the cats are running')).toEqual(['cat', 'run', 'cat run']);
  });
});

describe('bag-of-words modes (Keras StringLookup documentation example)', () => {
  const vocab = ['a', 'b', 'c', 'd'];
  const texts = ['a c d d', 'd z b z'];

  it('multiHot: column 0 is OOV, no padding column', () => {
    const v = new TextVectorizer({ outputMode: 'multiHot' }).setVocabulary(vocab);
    expect(v.vocabulary()).toEqual(['[UNK]', 'a', 'b', 'c', 'd']);
    const x = v.transform(texts);
    expect(x.dtype).toBe('float32');
    expect(rows(x)).toEqual([
      [0, 1, 0, 1, 1],
      [1, 0, 1, 0, 1],
    ]);
  });

  it('count', () => {
    const v = new TextVectorizer({ outputMode: 'count' }).setVocabulary(vocab);
    expect(rows(v.transform(texts))).toEqual([
      [0, 1, 0, 1, 2],
      [2, 0, 1, 0, 1],
    ]);
  });

  it('tfIdf with given weights: OOV gets their mean', () => {
    const v = new TextVectorizer({ outputMode: 'tfIdf' }).setVocabulary(vocab, [0.25, 0.75, 0.6, 0.4]);
    const x = v.transform(texts).toArray() as number[][];
    const want = [
      [0, 0.25, 0, 0.6, 0.8],
      [1.0, 0, 0.75, 0, 0.4],
    ];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 5; j++) expect(x[i][j]).toBeCloseTo(want[i][j], 6);
  });

  it('tfIdf after adapt: idf = log(1 + N / (1 + df))', () => {
    const v = new TextVectorizer({ outputMode: 'tfIdf' }).adapt(['a b b', 'b c', 'c c c d']);
    // counts c:4 b:3 a:1 d:1; N = 3; df c:2 b:2 a:1 d:1
    expect(v.vocabulary()).toEqual(['[UNK]', 'c', 'b', 'a', 'd']);
    const idf2 = Math.log(1 + 3 / 3);
    const idf1 = Math.log(1 + 3 / 2);
    const want = [(2 * idf2 + 2 * idf1) / 4, idf2, idf2, idf1, idf1];
    const got = Array.from(v.idfWeights()!);
    for (let j = 0; j < 5; j++) expect(got[j]).toBeCloseTo(want[j], 6);
    const x = v.transform(['b b z c']).toArray() as number[][];
    expect(x[0][0]).toBeCloseTo(want[0], 6); // one OOV
    expect(x[0][1]).toBeCloseTo(idf2, 6); // one c
    expect(x[0][2]).toBeCloseTo(2 * idf2, 6); // two b
    expect(x[0][3]).toBe(0);
  });

  it('maxTokens counts only the OOV token in bag modes', () => {
    const v = new TextVectorizer({ outputMode: 'count', maxTokens: 2 }).adapt(['a a b']);
    expect(v.vocabulary()).toEqual(['[UNK]', 'a']);
    expect(rows(v.transform(['a b b']))).toEqual([[2, 1]]);
  });
});

describe('setVocabulary', () => {
  it('accepts the words with or without the reserved tokens', () => {
    const a = new TextVectorizer().setVocabulary(['x', 'y']);
    const b = new TextVectorizer().setVocabulary(['', '[UNK]', 'x', 'y']);
    expect(a.vocabulary()).toEqual(b.vocabulary());
    expect(rows(a.transform(['y x q']))).toEqual([[3, 2, 1]]);
  });

  it('keeps the old vocabulary when the new one is rejected', () => {
    const v = new TextVectorizer({ maxTokens: 4 }).setVocabulary(['x', 'y']);
    expectError(() => v.setVocabulary(['a', 'b', 'c']), 'E_ARG', /more than maxTokens 4/);
    expectError(() => v.setVocabulary(['a', 'a']), 'E_ARG', /words\[1\] repeats words\[0\]/);
    expect(v.vocabulary()).toEqual(['', '[UNK]', 'x', 'y']);
  });
});

describe('config', () => {
  it('reports the options in effect with defaults filled in', () => {
    const c = new TextVectorizer({ maxTokens: 100 }).getConfig();
    expect(c).toMatchObject({
      maxTokens: 100,
      minFrequency: 1,
      outputSequenceLength: null,
      standardize: 'lowerAndStripPunctuation',
      split: 'whitespace',
      ngrams: null,
      stopWords: null,
      stem: null,
      oovToken: '[UNK]',
      padding: 'post',
      truncating: 'post',
      outputMode: 'int',
    });
    expect(new TextVectorizer().isAdapted).toBe(false);
  });
});
