/**
 * Stop-word lists by language code, from the `stopword` package (MIT, 60+
 * languages; lists from Lucene, Snowball and stopwords-iso), copied into our
 * bundles at build time (the package is not a runtime dependency).
 *
 * English and Chinese are built in. Eight more languages are subpath modules,
 * so an app ships only the lists it imports:
 *
 *   import de from 'wasm-rnn/stopwords/de';   // also makes 'de' / 'deu' known
 *   new TextVectorizer({ stopWords: de });     // or stopWords: 'de'
 *
 * ja, de, fr, es, pt, it, ru, nl (src/text/stopwords/). Any other list can be
 * passed as an array, or made known by code with registerStopWords().
 *
 * Codes: ISO 639-1 ('en') or ISO 639-3 ('eng'), lower case.
 *
 * The lists are compared with whole tokens after standardization, so which
 * words match depends on the split: the Chinese list holds mostly single
 * characters (的, 我, 和) and multi-character entries, so with split 'word'
 * it removes 和 from 我们/和/他们 but keeps 我们; with split 'character' it
 * removes every listed character.
 */
import { eng, zho } from 'stopword/dist/stopword.esm.mjs';
import { describe, fail } from '../errors.js';

/** ISO 639-3 code -> list */
const LISTS = new Map<string, readonly string[]>([
  ['eng', eng],
  ['zho', zho],
]);
/** ISO 639-1 code -> ISO 639-3 code */
const ISO_639_1 = new Map<string, string>([
  ['en', 'eng'],
  ['zh', 'zho'],
]);

/** Every accepted code, short ones first: en, zh, ..., eng, zho, ... (grows as lists are registered). */
export const STOP_WORD_LANGUAGES: readonly string[] = [...ISO_639_1.keys(), ...LISTS.keys()];

/**
 * Make a list known by its codes (what the `wasm-rnn/stopwords/*` modules
 * do when imported). Registering a code again replaces its list.
 */
export function registerStopWords(iso1: string, iso3: string, words: readonly string[]): readonly string[] {
  const where = 'registerStopWords';
  if (typeof iso1 !== 'string' || !/^[a-z]{2}$/.test(iso1))
    fail('E_ARG', `${where}: iso1 must be a two-letter code like 'sv', got ${describe(iso1)}`);
  if (typeof iso3 !== 'string' || !/^[a-z]{3}$/.test(iso3))
    fail('E_ARG', `${where}: iso3 must be a three-letter code like 'swe', got ${describe(iso3)}`);
  const list = Object.freeze([...resolveStopWords(where, words)!]);
  LISTS.set(iso3, list);
  ISO_639_1.set(iso1, iso3);
  const codes = STOP_WORD_LANGUAGES as string[];
  codes.length = 0;
  codes.push(...ISO_639_1.keys(), ...LISTS.keys());
  return list;
}

/** The subpath modules shipped (a code not registered yet gets the import to add). */
const SUBPATHS = ['ja', 'de', 'fr', 'es', 'pt', 'it', 'ru', 'nl'];
const SUBPATH_OF = new Map(['jpn', 'deu', 'fra', 'spa', 'por', 'ita', 'rus', 'nld'].map((c, i) => [c, SUBPATHS[i]]));

/** The list for a language code; unknown codes fail with the supported ones. */
export function stopWordList(where: string, code: string): readonly string[] {
  const list = LISTS.get(ISO_639_1.get(code) ?? code);
  if (list !== undefined) return list;
  const sub = SUBPATHS.includes(code) ? code : SUBPATH_OF.get(code);
  if (sub !== undefined) {
    fail(
      'E_ARG',
      `${where}: stopWords '${code}' is not loaded: add import ${sub} from 'wasm-rnn/stopwords/${sub}' and pass stopWords: ${sub} (built in: en, zh)`,
    );
  }
  return fail(
    'E_ARG',
    `${where}: stopWords '${code}' is not a built-in language (built in: ${STOP_WORD_LANGUAGES.join(', ')}; ` +
      `importable: ${SUBPATHS.map((s) => `wasm-rnn/stopwords/${s}`).join(', ')}). ` +
      `For another language pass its words as an array, e.g. import { swe } from 'stopword' and stopWords: swe`,
  );
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
