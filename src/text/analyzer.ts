/**
 * The text pipeline of TextVectorizer, one text at a time:
 *
 *   standardize -> split -> drop stop words -> stem -> n-grams -> tokens
 *
 * adapt and transform both call analyze(), so a token is always produced the
 * same way on both sides. Stop words are standardized like the text when the
 * pipeline is built (so "Don't" in a list matches the token "dont") and
 * compared before stemming. Custom functions are checked for the types they
 * return, because a wrong type would otherwise surface far away as a bad id.
 */
import { describe, fail } from '../errors.js';
import { ngrams } from './ngrams.js';
import type { SplitFn } from './split.js';
import type { StandardizeFn } from './standardize.js';
import type { StemFn } from './stem.js';

export interface Pipeline {
  readonly standardize: StandardizeFn | null;
  readonly split: SplitFn;
  readonly stopWords: ReadonlySet<string> | null;
  readonly stem: StemFn | null;
  readonly ngramWidths: readonly number[] | null;
  /** Check what user functions return (built-ins are trusted). */
  readonly checkStandardize: boolean;
  readonly checkSplit: boolean;
  readonly checkStem: boolean;
}

export function makePipeline(parts: {
  standardize: StandardizeFn | null;
  split: SplitFn;
  stopWords: readonly string[] | null;
  stem: StemFn | null;
  ngramWidths: readonly number[] | null;
  custom: { standardize: boolean; split: boolean; stem: boolean };
}): Pipeline {
  let stopWords: Set<string> | null = null;
  if (parts.stopWords !== null) {
    const std = parts.standardize;
    stopWords = new Set(std === null ? parts.stopWords : parts.stopWords.map((w) => std(w)));
  }
  return {
    standardize: parts.standardize,
    split: parts.split,
    stopWords,
    stem: parts.stem,
    ngramWidths: parts.ngramWidths,
    checkStandardize: parts.custom.standardize,
    checkSplit: parts.custom.split,
    checkStem: parts.custom.stem,
  };
}

/** Tokens of texts[i]; `where` and `i` only name the text in error messages. */
export function analyze(p: Pipeline, text: string, where: string, i: number): string[] {
  let s = text;
  if (p.standardize !== null) {
    s = p.standardize(text);
    if (p.checkStandardize && typeof s !== 'string') {
      fail('E_ARG', `${where}: the standardize function returned ${describe(s)} for texts[${i}]; it must return a string`);
    }
  }
  // A user's split may return an array it keeps; copy before filtering in place.
  const tokens = p.checkSplit ? checkedCopy(p.split(s), where, i) : p.split(s);

  // Stop words and stemming filter in place: no second array per text.
  if (p.stopWords !== null || p.stem !== null || p.checkSplit) {
    let n = 0;
    for (let k = 0; k < tokens.length; k++) {
      let t = tokens[k];
      if (t === '' || (p.stopWords !== null && p.stopWords.has(t))) continue;
      if (p.stem !== null) {
        t = p.stem(t);
        if (p.checkStem && typeof t !== 'string') {
          fail('E_ARG', `${where}: the stem function returned ${describe(t)} in texts[${i}]; it must return a string`);
        }
        if (t === '') continue;
      }
      tokens[n++] = t;
    }
    tokens.length = n;
  }
  return p.ngramWidths === null ? tokens : ngrams(tokens, p.ngramWidths);
}

function checkedCopy(tokens: unknown, where: string, i: number): string[] {
  if (!Array.isArray(tokens)) {
    fail('E_ARG', `${where}: the split function returned ${describe(tokens)} for texts[${i}]; it must return an array of strings`);
  }
  for (let k = 0; k < tokens.length; k++) {
    if (typeof tokens[k] !== 'string') {
      fail('E_ARG', `${where}: the split function returned ${describe(tokens[k])} at [${k}] for texts[${i}]; tokens must be strings`);
    }
  }
  return tokens.slice();
}
