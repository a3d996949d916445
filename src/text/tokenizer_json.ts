/**
 * Tokenizer JSON in Keras's own format, so a tokenizer fitted in Python
 * (tokenizer.to_json()) loads here and ours loads in Keras
 * (tokenizer_from_json). The format, from keras/preprocessing/text.py:
 *
 *   { "class_name": "Tokenizer",
 *     "config": { "num_words", "filters", "lower", "split", "char_level",
 *                 "oov_token", "document_count",
 *                 "word_counts", "word_docs", "index_docs", "index_word",
 *                 "word_index" } }      the last five are JSON *strings*
 *
 * word_counts is an ordered dict in Keras and its order breaks count ties on
 * the next fit. JSON.parse and JSON.stringify move integer-like keys ("2002")
 * to the front of an object, so we write and read those dicts in document
 * order ourselves. index_word and index_docs are derived from word_index and
 * word_docs on load, as they are always consistent with them.
 */
import { describe, fail } from '../errors.js';
import { jsonBool, jsonInt, jsonKeys, jsonObject, jsonString, parseJson } from './json.js';
import type { TokenizerOptions } from './tokenizer.js';

export interface KerasTokenizerJSON {
  class_name: 'Tokenizer';
  config: {
    num_words: number | null;
    filters: string;
    lower: boolean;
    split: string;
    char_level: boolean;
    oov_token: string | null;
    document_count: number;
    word_counts: string;
    word_docs: string;
    index_docs: string;
    index_word: string;
    word_index: string;
  };
}

interface TokenizerLike {
  readonly numWords: number | null;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | null;
  readonly documentCount: number;
  readonly wordCounts: ReadonlyMap<string, number>;
  readonly wordDocs: ReadonlyMap<string, number>;
  readonly wordIndex: ReadonlyMap<string, number>;
}

export function writeTokenizerJSON(t: TokenizerLike): KerasTokenizerJSON {
  const indexDocs = new Map<string, number>();
  for (const [w, c] of t.wordDocs) indexDocs.set(String(t.wordIndex.get(w)), c);
  const indexWord = new Map<string, string>();
  for (const [w, i] of t.wordIndex) indexWord.set(String(i), w);
  return {
    class_name: 'Tokenizer',
    config: {
      num_words: t.numWords,
      filters: t.filters,
      lower: t.lower,
      split: t.split,
      char_level: t.charLevel,
      oov_token: t.oovToken,
      document_count: t.documentCount,
      word_counts: orderedDict(t.wordCounts),
      word_docs: orderedDict(t.wordDocs),
      index_docs: orderedDict(indexDocs),
      index_word: orderedDict(indexWord),
      word_index: orderedDict(t.wordIndex),
    },
  };
}

/** A JSON object text with the Map's keys in the Map's order (Python's json.dumps layout). */
function orderedDict(m: ReadonlyMap<string, number | string>): string {
  const parts: string[] = [];
  for (const [k, v] of m) parts.push(`${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{${parts.join(', ')}}`;
}

export interface ReadTokenizer {
  options: TokenizerOptions;
  documentCount: number;
  wordCounts: Map<string, number>;
  wordDocs: Map<string, number>;
  wordIndex: Map<string, number>;
}

const CONFIG_KEYS = [
  'num_words',
  'filters',
  'lower',
  'split',
  'char_level',
  'oov_token',
  'document_count',
  'word_counts',
  'word_docs',
  'index_docs',
  'index_word',
  'word_index',
];

export function readTokenizerJSON(where: string, json: unknown): ReadTokenizer {
  const doc = parseJson(where, json);
  // Extra top-level keys are tolerated, as Keras's tokenizer_from_json does.
  if (doc.class_name !== 'Tokenizer') fail('E_FORMAT', `${where}: class_name must be 'Tokenizer', got ${describe(doc.class_name)}`);
  const c = jsonObject(where, 'config', doc.config);
  jsonKeys(where, 'config', c, CONFIG_KEYS);
  const options: TokenizerOptions = {
    numWords: c.num_words === null ? null : jsonInt(where, 'config.num_words', c.num_words, 1),
    filters: jsonString(where, 'config.filters', c.filters),
    lower: jsonBool(where, 'config.lower', c.lower),
    split: jsonString(where, 'config.split', c.split),
    charLevel: jsonBool(where, 'config.char_level', c.char_level),
    oovToken: c.oov_token === null ? null : jsonString(where, 'config.oov_token', c.oov_token),
  };
  const wordIndex = readCounts(where, 'config.word_index', c.word_index, 1);
  const seen = new Set<number>();
  for (const [w, i] of wordIndex) {
    if (seen.has(i)) fail('E_FORMAT', `${where}: config.word_index gives index ${i} twice (last to ${describe(w)})`);
    seen.add(i);
  }
  // The derived dicts must still be well-formed JSON strings.
  jsonObject(where, 'config.index_word', parseInner(where, 'config.index_word', c.index_word));
  jsonObject(where, 'config.index_docs', parseInner(where, 'config.index_docs', c.index_docs));
  return {
    options,
    documentCount: jsonInt(where, 'config.document_count', c.document_count, 0),
    wordCounts: readCounts(where, 'config.word_counts', c.word_counts, 1),
    wordDocs: readCounts(where, 'config.word_docs', c.word_docs, 1),
    wordIndex,
  };
}

function parseInner(where: string, path: string, v: unknown): unknown {
  const text = jsonString(where, path, v);
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail('E_FORMAT', `${where}: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

/** A JSON string holding a flat {word: integer} object -> Map in document order. */
function readCounts(where: string, path: string, v: unknown, min: number): Map<string, number> {
  const obj = jsonObject(where, path, parseInner(where, path, v));
  const text = v as string;
  const out = new Map<string, number>();
  // The object is valid JSON with number values, so every "...": in it is a
  // key, found left to right in document order.
  const KEY = /"((?:[^"\\]|\\.)*)"\s*:/g;
  for (let m = KEY.exec(text); m !== null; m = KEY.exec(text)) {
    const key = JSON.parse(`"${m[1]}"`) as string;
    const n = obj[key];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
      fail('E_FORMAT', `${where}: ${path}[${JSON.stringify(key)}] must be an integer >= ${min}, got ${describe(n)}`);
    }
    out.set(key, n);
  }
  if (out.size !== Object.keys(obj).length) fail('E_FORMAT', `${where}: ${path} repeats a key`);
  return out;
}
