/**
 * The TextVectorizer document: plain JSON, versioned, embedded in the model
 * artifact. Everything needed to transform text exactly as at training time:
 *
 *   {
 *     "format": "wasm-rnn.TextVectorizer", "version": 1,
 *     "config": { maxTokens, minFrequency, ..., outputMode },  every option
 *     "stopWordList": [...] | null,   the words used, when stopWords is a
 *                                     language code: a snapshot, so a newer
 *                                     `stopword` package cannot change ids
 *     "vocabulary": [...] | null,     reserved tokens first; null before adapt
 *     "idfWeights": [...] | null      tfIdf mode only, one per vocabulary entry
 *   }
 *
 * A function option (standardize, split, stem) is saved as the string
 * "custom" and must be passed again to fromJSON (functions are not data).
 */
import { checkKeys, checkObject, describe, fail } from '../errors.js';
import { type JsonObject, jsonInt, jsonKeys, jsonNumberArray, jsonObject, jsonStringArray, parseJson } from './json.js';
import type { SplitFn } from './split.js';
import type { StandardizeFn } from './standardize.js';
import type { StemFn } from './stem.js';
import { OPTION_NAMES, type TextVectorizerOptions, type VectorizerConfig } from './vectorizer_options.js';

export const FORMAT = 'wasm-rnn.TextVectorizer';
export const VERSION = 1;

type Scalar = string | number | boolean | null;
export interface TextVectorizerJSON {
  format: typeof FORMAT;
  version: number;
  config: Record<keyof VectorizerConfig, Scalar | Scalar[]>;
  stopWordList: string[] | null;
  vocabulary: string[] | null;
  idfWeights: number[] | null;
}

/** Functions to put back in place of the options saved as "custom". */
export interface CustomFunctions {
  standardize?: StandardizeFn;
  split?: SplitFn;
  stem?: StemFn;
}
const FUNCTION_OPTIONS = ['standardize', 'split', 'stem'] as const;

export function writeVectorizerJSON(
  cfg: VectorizerConfig,
  stopWordList: readonly string[] | null,
  vocabulary: readonly string[] | null,
  idf: Float32Array | null,
): TextVectorizerJSON {
  const config = {} as TextVectorizerJSON['config'];
  for (const k of OPTION_NAMES) {
    const v = cfg[k];
    config[k] = typeof v === 'function' ? 'custom' : Array.isArray(v) ? [...v] : (v as Scalar);
  }
  return {
    format: FORMAT,
    version: VERSION,
    config,
    stopWordList: typeof cfg.stopWords === 'string' && stopWordList !== null ? [...stopWordList] : null,
    vocabulary: vocabulary === null ? null : [...vocabulary],
    // Float32 -> number is exact, and JSON prints a double so it parses back
    // to the same double: the round trip is bit-exact.
    idfWeights: idf === null ? null : Array.from(idf),
  };
}

export interface ReadVectorizer {
  options: TextVectorizerOptions;
  stopWordList: string[] | null;
  vocabulary: string[] | null;
  idfWeights: number[] | null;
}

/** Check the document's shape; option values are checked by the constructor. */
export function readVectorizerJSON(where: string, json: unknown, custom: unknown): ReadVectorizer {
  const fns = checkObject(where, 'custom', custom);
  checkKeys(where, fns, FUNCTION_OPTIONS);
  const doc = parseJson(where, json);
  jsonKeys(where, 'the document', doc, ['format', 'version', 'config', 'stopWordList', 'vocabulary', 'idfWeights']);
  if (doc.format !== FORMAT) fail('E_FORMAT', `${where}: format must be '${FORMAT}', got ${describe(doc.format)}`);
  const version = jsonInt(where, 'version', doc.version, 1);
  if (version > VERSION) {
    fail('E_FORMAT', `${where}: version ${version} was written by a newer wasm-rnn; this one reads version ${VERSION}`);
  }
  const config = jsonObject(where, 'config', doc.config);
  jsonKeys(where, 'config', config, OPTION_NAMES);

  const options: JsonObject = { ...config };
  for (const k of FUNCTION_OPTIONS) {
    const fn = fns[k];
    if (config[k] === 'custom') {
      if (typeof fn !== 'function') {
        fail('E_FORMAT', `${where}: config.${k} was a custom function when saved; pass it again: fromJSON(json, { ${k}: fn })`);
      }
      options[k] = fn;
    } else if (fn !== undefined) {
      fail('E_ARG', `${where}: custom.${k} was given but the saved config.${k} is ${describe(config[k])}, not "custom"`);
    }
  }

  const stopWords = config.stopWords;
  let stopWordList: string[] | null = null;
  if (typeof stopWords === 'string') {
    stopWordList = jsonStringArray(where, 'stopWordList', doc.stopWordList);
  } else if (doc.stopWordList !== null) {
    fail('E_FORMAT', `${where}: stopWordList must be null unless config.stopWords is a language code`);
  }
  if (Array.isArray(stopWords)) jsonStringArray(where, 'config.stopWords', stopWords);
  else if (stopWords !== null && typeof stopWords !== 'string') {
    fail('E_FORMAT', `${where}: config.stopWords must be a language code, an array of words or null, got ${describe(stopWords)}`);
  }

  const vocabulary = doc.vocabulary === null ? null : jsonStringArray(where, 'vocabulary', doc.vocabulary);
  const idfWeights = doc.idfWeights === null ? null : jsonNumberArray(where, 'idfWeights', doc.idfWeights);
  const wantsIdf = vocabulary !== null && config.outputMode === 'tfIdf';
  if (wantsIdf && idfWeights === null) fail('E_FORMAT', `${where}: idfWeights is null but outputMode 'tfIdf' needs them`);
  if (!wantsIdf && idfWeights !== null) {
    fail('E_FORMAT', `${where}: idfWeights must be null (only an adapted 'tfIdf' vectorizer has them)`);
  }
  return { options: options as TextVectorizerOptions, stopWordList, vocabulary, idfWeights };
}
