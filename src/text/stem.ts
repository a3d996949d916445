/**
 * Stemming, applied to each token after stop-word removal and before n-grams,
 * the same way at adapt and at transform time.
 *
 *   'porter'             Porter (1980) English stemmer, from the `stemmer`
 *                        package: running -> run, connection -> connect.
 *                        It lower-cases its input; tokens in other scripts
 *                        pass through unchanged.
 *   (token) => string    your own (e.g. a Snowball stemmer for another
 *                        language); a token stemmed to '' is dropped
 *   null                 no stemming
 *
 * Porter is a chain of regular expressions (~1 µs a word), and a corpus
 * repeats the same words millions of times, so results are memoized per
 * vectorizer; the memo is cleared when it reaches MEMO_LIMIT words to bound
 * memory on huge vocabularies.
 */
import { stemmer } from 'stemmer';
import { describe, fail } from '../errors.js';

export type StemFn = (token: string) => string;
export type StemOption = 'porter' | null | StemFn;

const MEMO_LIMIT = 200_000;

/** A fresh memoized Porter stemmer (one memo per owner, never shared). */
export function memoizedPorter(): StemFn {
  const memo = new Map<string, string>();
  return (token) => {
    let s = memo.get(token);
    if (s === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      s = stemmer(token);
      memo.set(token, s);
    }
    return s;
  };
}

export function resolveStem(where: string, v: unknown): StemFn | null {
  if (v === null) return null;
  if (v === 'porter') return memoizedPorter();
  if (typeof v === 'function') return v as StemFn;
  return fail('E_ARG', `${where}: stem must be 'porter', null or a function, got ${describe(v)}`);
}
