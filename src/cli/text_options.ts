/**
 * The text options `train` and `tune` share: how texts become tokens (the
 * TextVectorizer's split, ngrams, standardize, stop words, stemming), how
 * many tokens a text keeps (--max-len, chosen from the data unless given),
 * and the out-of-vocabulary check that catches a split that cannot work
 * (whole first names as words: every validation name is new).
 */
import { TextVectorizer } from '../text/text_vectorizer.js';
import { STOP_WORD_LANGUAGES } from '../text/stop_words.js';
import '../text/stopwords/all.js';
import { MAX_NGRAM } from '../text/ngrams.js';
import type { TextVectorizerOptions } from '../text/vectorizer_options.js';
import type { OptSpec } from './args.js';
import { usageError } from './args.js';
import { fmt } from './common.js';

/** --max-len chosen from the data: this percentile of the token counts... */
export const AUTO_MAX_LEN_PERCENTILE = 95;
/** ...but no longer than this (recurrent layers get slow and forgetful on very long inputs). */
export const AUTO_MAX_LEN_CAP = 400;
/** Above this share of out-of-vocabulary validation tokens, train and tune warn. */
export const OOV_WARN = 0.25;

export const TEXT_OPTS: OptSpec[] = [
  {
    name: 'max-len',
    type: 'int',
    min: 1,
    help: `tokens kept per text, longer texts cut at the end (default: the ${AUTO_MAX_LEN_PERCENTILE}th percentile of the texts' token counts, at most ${AUTO_MAX_LEN_CAP}; printed)`,
  },
  { name: 'max-tokens', type: 'int', min: 3, default: 20000, help: 'vocabulary size' },
  {
    name: 'split',
    type: 'string',
    choices: ['whitespace', 'character', 'word', 'none'],
    default: 'whitespace',
    help: 'tokens: words between spaces, single characters (names, short codes), Unicode words (Chinese, Japanese, Thai), or the whole text',
  },
  { name: 'ngrams', type: 'int', min: 1, max: MAX_NGRAM, default: 1, help: 'also count runs of 2..N tokens as tokens (1 = none)' },
  {
    name: 'standardize',
    type: 'string',
    choices: ['lowerAndStripPunctuation', 'lower', 'stripPunctuation', 'none'],
    default: 'lowerAndStripPunctuation',
    help: 'what happens to a text before it is split',
  },
  {
    name: 'stop-words',
    type: 'string',
    arg: 'LANG',
    default: 'none',
    help: `drop stop words of a language (${STOP_WORD_LANGUAGES.slice(0, 6).join(', ')}, ...) or none`,
  },
  { name: 'stem', type: 'flag', help: 'Porter-stem English words' },
];

type Opts = Record<string, string | number | boolean | undefined>;

/** --stop-words value -> vectorizer option. */
export function stopWordsOption(command: string, v: string): string | null {
  if (v === 'none') return null;
  if (!STOP_WORD_LANGUAGES.includes(v)) {
    throw usageError(command, `--stop-words: unknown language ${JSON.stringify(v)} (have: ${STOP_WORD_LANGUAGES.join(', ')}, none)`);
  }
  return v;
}

/** The TextVectorizer options the command line gave, length aside. */
export function vectorizerOptions(command: string, o: Opts): TextVectorizerOptions {
  const split = o.split === 'none' ? null : (o.split as TextVectorizerOptions['split']);
  const standardize = o.standardize === 'none' ? null : (o.standardize as TextVectorizerOptions['standardize']);
  return {
    maxTokens: o['max-tokens'] as number,
    split,
    standardize,
    ngrams: (o.ngrams as number) > 1 ? (o.ngrams as number) : null,
    stopWords: stopWordsOption(command, o['stop-words'] as string),
    stem: o.stem ? 'porter' : null,
  };
}

/** The tokens per text to keep: --max-len, or a percentile of the texts' token counts, with the line saying which. */
export function chooseMaxLen(
  options: TextVectorizerOptions,
  texts: readonly string[],
  given: number | undefined,
): { maxLen: number; note: string } {
  if (given !== undefined) return { maxLen: given, note: `max-len ${given} (--max-len)` };
  const probe = new TextVectorizer(options);
  const counts = texts.map((t) => probe.tokenize(t).length).sort((a, b) => a - b);
  const p = counts[Math.max(0, Math.ceil((AUTO_MAX_LEN_PERCENTILE / 100) * counts.length) - 1)] ?? 1;
  const maxLen = Math.min(AUTO_MAX_LEN_CAP, Math.max(1, p));
  const capped = p > AUTO_MAX_LEN_CAP ? `, capped at ${AUTO_MAX_LEN_CAP}` : '';
  return {
    maxLen,
    note: `max-len ${maxLen}: the ${AUTO_MAX_LEN_PERCENTILE}th percentile of ${fmt(texts.length)} texts' token counts (longest ${fmt(counts[counts.length - 1] ?? 0)}${capped}); --max-len N to change`,
  };
}

/** Share of the tokens of `texts` that the (adapted) vectorizer does not know. */
export function oovRate(vec: TextVectorizer, texts: readonly string[]): number {
  const known = new Set(vec.vocabulary());
  let oov = 0;
  let total = 0;
  for (const t of texts) {
    for (const token of vec.tokenize(t)) {
      total++;
      if (!known.has(token)) oov++;
    }
  }
  return total === 0 ? 0 : oov / total;
}

/** The vocabulary line, and a warning when most validation tokens would read as [UNK]. */
export function oovReport(vocabularySize: number, rate: number, o: Opts, what: string): string {
  const pct = `${(rate * 100).toFixed(1)}%`;
  let s = `vocabulary ${fmt(vocabularySize)} tokens (split ${o.split}${(o.ngrams as number) > 1 ? `, ngrams ${o.ngrams}` : ''}); ${pct} of the ${what} tokens are out of vocabulary\n`;
  if (rate > OOV_WARN) {
    const full = vocabularySize >= (o['max-tokens'] as number);
    const advice =
      o.split !== 'character'
        ? 'for short texts such as names, try --split character (and --ngrams 2 or 3)'
        : full
          ? 'raise --max-tokens'
          : 'more training texts would help';
    s += `warning: ${pct} of the ${what} tokens are not in the vocabulary, so the model reads them all as the one [UNK] token and cannot learn from them; ${advice}\n`;
  }
  return s;
}
