/**
 * Stop-word lists by language code, from the `stopword` package (MIT, 60+
 * languages; lists from Lucene, Snowball and stopwords-iso).
 *
 * Only a few common languages are built in, because every list is bundled
 * into the library (about 17 KB minified for these ten). Any other list is one
 * import away and can be passed as an array:
 *
 *   import { swe } from 'stopword';
 *   new TextVectorizer({ stopWords: swe });
 *
 * Codes: ISO 639-1 ('en') or ISO 639-3 ('eng'), lower case.
 *
 * The lists are compared with whole tokens after standardization, so which
 * words match depends on the split: the Chinese list holds mostly single
 * characters (的, 我, 和) and multi-character entries, so with split 'word'
 * it removes 和 from 我们/和/他们 but keeps 我们; with split 'character' it
 * removes every listed character.
 */
import { deu, eng, fra, ita, jpn, nld, por, rus, spa, zho } from 'stopword/dist/stopword.esm.mjs';
import { describe, fail } from '../errors.js';

const LISTS = new Map<string, readonly string[]>([
  ['eng', eng],
  ['zho', zho],
  ['jpn', jpn],
  ['deu', deu],
  ['fra', fra],
  ['spa', spa],
  ['por', por],
  ['ita', ita],
  ['rus', rus],
  ['nld', nld],
]);

const ISO_639_1 = new Map<string, string>([
  ['en', 'eng'],
  ['zh', 'zho'],
  ['ja', 'jpn'],
  ['de', 'deu'],
  ['fr', 'fra'],
  ['es', 'spa'],
  ['pt', 'por'],
  ['it', 'ita'],
  ['ru', 'rus'],
  ['nl', 'nld'],
]);

/** Every accepted code, short ones first: en, zh, ..., eng, zho, ... */
export const STOP_WORD_LANGUAGES: readonly string[] = [...ISO_639_1.keys(), ...LISTS.keys()];

/** The list for a language code; unknown codes fail with the supported ones. */
export function stopWordList(where: string, code: string): readonly string[] {
  const list = LISTS.get(ISO_639_1.get(code) ?? code);
  if (list === undefined) {
    fail(
      'E_ARG',
      `${where}: stopWords '${code}' is not a built-in language (built in: ${STOP_WORD_LANGUAGES.join(', ')}). ` +
        `For another language pass its words as an array, e.g. import { swe } from 'stopword' and stopWords: swe`,
    );
  }
  return list;
}

/** The raw word list for an option value (a code or an array), or null for none. */
export function resolveStopWords(where: string, v: unknown): readonly string[] | null {
  if (v === null) return null;
  if (typeof v === 'string') return stopWordList(where, v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'string') fail('E_ARG', `${where}: stopWords[${i}] must be a string, got ${describe(v[i])}`);
    }
    return v as readonly string[];
  }
  return fail('E_ARG', `${where}: stopWords must be a language code, an array of words or null, got ${describe(v)}`);
}
