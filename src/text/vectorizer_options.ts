/**
 * TextVectorizer options: names, defaults and checks. An option we do not
 * know is an error, never ignored; so is an option that has no effect in the
 * chosen outputMode (outputSequenceLength, padding, truncating outside 'int').
 *
 * Reserved tokens, counted by maxTokens as in Keras:
 *   outputMode 'int'       id 0 = '' (padding), id 1 = oovToken, words from 2
 *   bag-of-words modes     id 0 = oovToken, words from 1 (no padding column)
 * maxTokens must leave room for at least one word: >= 3 in 'int' mode, >= 2
 * otherwise. (Keras accepts 2 in 'int' mode, a vocabulary that maps every
 * text to OOV; we treat that as the mistake it almost certainly is.)
 */
import { checkInt, checkKeys, checkObject, checkOneOf, describe, fail } from '../errors.js';
import { SIDES, type Side, orDefault } from './checks.js';
import { resolveNgrams } from './ngrams.js';
import type { SplitOption } from './split.js';
import type { StandardizeOption } from './standardize.js';
import type { StemOption } from './stem.js';

export type OutputMode = 'int' | 'multiHot' | 'count' | 'tfIdf';
export const OUTPUT_MODES: readonly OutputMode[] = ['int', 'multiHot', 'count', 'tfIdf'];

export interface TextVectorizerOptions {
  /** Vocabulary size cap, reserved tokens included; default unlimited. */
  maxTokens?: number | null;
  /** Keep only tokens seen at least this often in adapt(); default 1. */
  minFrequency?: number;
  /** 'int' mode row length; default: the longest text of each transform() call. */
  outputSequenceLength?: number | null;
  /** Default 'lowerAndStripPunctuation' (see standardize.ts). */
  standardize?: StandardizeOption;
  /** Default 'whitespace' (see split.ts). */
  split?: SplitOption;
  /** n for all 1..n-grams, or an array of widths; default null (words only). */
  ngrams?: number | readonly number[] | null;
  /** A language code ('en', 'zh', ...), an array of words, or null (default). */
  stopWords?: string | readonly string[] | null;
  /** 'porter', a function, or null (default). */
  stem?: StemOption;
  /** Text of the out-of-vocabulary token; default '[UNK]'. */
  oovToken?: string;
  /** 'int' mode: where padding goes; default 'post' (as Keras TextVectorization). */
  padding?: Side;
  /** 'int' mode: which end long texts lose; default 'post' (keep the start). */
  truncating?: Side;
  /** Default 'int'. */
  outputMode?: OutputMode;
}

/** Every option filled in; functions are kept as given. */
export interface VectorizerConfig {
  readonly maxTokens: number | null;
  readonly minFrequency: number;
  readonly outputSequenceLength: number | null;
  readonly standardize: StandardizeOption;
  readonly split: SplitOption;
  readonly ngrams: number | readonly number[] | null;
  readonly stopWords: string | readonly string[] | null;
  readonly stem: StemOption;
  readonly oovToken: string;
  /** null outside 'int' mode, where there is nothing to pad. */
  readonly padding: Side | null;
  readonly truncating: Side | null;
  readonly outputMode: OutputMode;
}

export const OPTION_NAMES: readonly (keyof VectorizerConfig)[] = [
  'maxTokens',
  'minFrequency',
  'outputSequenceLength',
  'standardize',
  'split',
  'ngrams',
  'stopWords',
  'stem',
  'oovToken',
  'padding',
  'truncating',
  'outputMode',
];

/** The tokens before the first word: ['', oov] in 'int' mode, [oov] otherwise. */
export function reservedTokens(cfg: VectorizerConfig): string[] {
  return cfg.outputMode === 'int' ? ['', cfg.oovToken] : [cfg.oovToken];
}

/**
 * Check options and fill defaults. The pipeline functions themselves
 * (standardize, split, stem, stop-word lists) are checked when the pipeline
 * is built; here they are only carried.
 */
export function resolveConfig(where: string, options: unknown): VectorizerConfig {
  const o = checkObject(where, 'options', options);
  checkKeys(where, o, OPTION_NAMES);
  const outputMode = orDefault(o.outputMode, 'int' as OutputMode, (v) => checkOneOf(where, 'outputMode', v, OUTPUT_MODES));
  const isInt = outputMode === 'int';
  if (!isInt) {
    for (const k of ['outputSequenceLength', 'padding', 'truncating'] as const) {
      if (o[k] !== undefined && o[k] !== null) {
        fail('E_ARG', `${where}: ${k} only applies to outputMode 'int', not '${outputMode}'; remove it`);
      }
    }
  }
  const minTokens = isInt ? 3 : 2;
  const maxTokens = nullable(o.maxTokens, (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < minTokens) {
      fail(
        'E_ARG',
        `${where}: maxTokens must be an integer >= ${minTokens} or null, got ${describe(v)} ` +
          `(it counts the reserved ${isInt ? "padding '' and OOV tokens" : 'OOV token'} plus at least one word)`,
      );
    }
    return v;
  });
  const oovToken = orDefault(o.oovToken, '[UNK]', (v) => {
    if (typeof v !== 'string' || v === '') {
      fail('E_ARG', `${where}: oovToken must be a non-empty string ('' is the padding token), got ${describe(v)}`);
    }
    return v;
  });
  const ngrams = orDefault(o.ngrams, null, (v) => {
    resolveNgrams(where, v); // checks only
    return Array.isArray(v) ? Object.freeze([...v]) : (v as number | null);
  });
  const stopWords = orDefault(o.stopWords, null, (v) => {
    if (v !== null && typeof v !== 'string' && !Array.isArray(v)) {
      fail('E_ARG', `${where}: stopWords must be a language code, an array of words or null, got ${describe(v)}`);
    }
    return Array.isArray(v) ? Object.freeze([...v]) : (v as string | null);
  });
  return {
    maxTokens,
    minFrequency: orDefault(o.minFrequency, 1, (v) => checkInt(where, 'minFrequency', v, 1)),
    outputSequenceLength: nullable(o.outputSequenceLength, (v) => checkInt(where, 'outputSequenceLength', v, 1)),
    standardize: orDefault(o.standardize, 'lowerAndStripPunctuation', (v) => v as StandardizeOption),
    split: orDefault(o.split, 'whitespace', (v) => v as SplitOption),
    ngrams,
    stopWords,
    stem: orDefault(o.stem, null, (v) => v as StemOption),
    oovToken,
    padding: isInt ? orDefault(o.padding ?? undefined, 'post' as Side, (v) => checkOneOf(where, 'padding', v, SIDES)) : null,
    truncating: isInt ? orDefault(o.truncating ?? undefined, 'post' as Side, (v) => checkOneOf(where, 'truncating', v, SIDES)) : null,
    outputMode,
  };
}

function nullable<T>(v: unknown, check: (v: unknown) => T): T | null {
  return v === undefined || v === null ? null : check(v);
}
