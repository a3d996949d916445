/**
 * Text <-> token ids for language models. The vocabulary lives in a
 * TextVectorizer, so it is saved inside the model artifact and a loaded model
 * can encode a prompt and decode what it generates.
 *
 *   'character'  one token per Unicode code point; case, spaces, newlines and
 *                punctuation are all kept (split: 'character', no standardize)
 *   'word'       words and single punctuation marks, lower-cased by default:
 *                "Hello, world." -> hello , world .   (the text is split by
 *                wordsAndPunctuation() before the vectorizer's whitespace split)
 *
 * Ids, as every 'int' TextVectorizer: 0 = padding (never an LM input or
 * output), 1 = out of vocabulary, then tokens by descending frequency.
 */
import { checkKeys, checkObject, checkOneOf, describe, fail } from '../errors.js';
import { TextVectorizer } from '../text/text_vectorizer.js';

export type LmLevel = 'character' | 'word';
export const LM_LEVELS: readonly LmLevel[] = ['character', 'word'];

export interface LmVocabularyOptions {
  /** 'character' (default) or 'word' */
  level?: LmLevel;
  /** vocabulary cap, the 2 reserved ids included (default: every token) */
  maxTokens?: number | null;
  /** keep tokens seen at least this often (default 1) */
  minFrequency?: number;
  /** lower-case the text first (default: false for characters, true for words) */
  lowercase?: boolean;
}

/** Padding id: never fed to or sampled from a language model. */
export const PAD_ID = 0;
/** Out-of-vocabulary id. */
export const OOV_ID = 1;

/**
 * Learn a language model's vocabulary from `text` (a string, or several
 * documents whose tokens are all counted) and return the adapted vectorizer.
 */
export function lmVocabulary(text: string | readonly string[], opts: LmVocabularyOptions = {}): TextVectorizer {
  const where = 'lmVocabulary';
  const o = checkObject(where, 'options', opts);
  checkKeys(where, o, ['level', 'maxTokens', 'minFrequency', 'lowercase']);
  const level = o.level === undefined ? 'character' : checkOneOf(where, 'level', o.level, LM_LEVELS);
  if (o.lowercase !== undefined && typeof o.lowercase !== 'boolean')
    fail('E_ARG', `${where}: lowercase must be true or false, got ${describe(o.lowercase)}`);
  const lowercase = (o.lowercase as boolean | undefined) ?? level === 'word';
  const texts = typeof text === 'string' ? [text] : text;
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string'))
    fail('E_ARG', `${where}: text must be a string or an array of strings, got ${describe(text)}`);
  const vec = new TextVectorizer({
    split: level === 'character' ? 'character' : 'whitespace',
    standardize: lowercase ? 'lower' : null,
    maxTokens: o.maxTokens as number | null | undefined,
    minFrequency: o.minFrequency as number | undefined,
  });
  vec.adapt(level === 'word' ? texts.map(presplit) : texts);
  if (vec.vocabularySize() <= 2) fail('E_ARG', `${where}: the text has no tokens to learn`);
  return vec;
}

/** The level a vectorizer encodes at: 'character' for split 'character', else 'word'. */
export function lmLevel(vec: TextVectorizer): LmLevel {
  return vec.getConfig().split === 'character' ? 'character' : 'word';
}

/** Words (letters/digits, inner apostrophes kept: don't, Atlanta's) and single punctuation marks. */
export function wordsAndPunctuation(text: string): string[] {
  return text.match(WORD_OR_MARK) ?? [];
}
const WORD_OR_MARK = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]/gu;

function presplit(text: string): string {
  return wordsAndPunctuation(text).join(' ');
}

/** Text -> ids (int32, one per token). */
export function encodeText(vec: TextVectorizer, text: string): Int32Array {
  if (!(vec instanceof TextVectorizer)) fail('E_ARG', `encodeText: expected a TextVectorizer, got ${describe(vec)}`);
  if (typeof text !== 'string') fail('E_ARG', `encodeText: text must be a string, got ${describe(text)}`);
  if (vec.getConfig().outputMode !== 'int') fail('E_ARG', "encodeText: the vectorizer must have outputMode 'int'");
  const t = lmLevel(vec) === 'word' ? presplit(text) : text;
  const out = vec.transform([t]);
  return out.data instanceof Int32Array ? out.data : Int32Array.from(out.data);
}

/**
 * Ids -> text. Characters are concatenated; words are joined by spaces, with
 * no space before closing punctuation (. , ; : ! ? % ) ] }) or after an
 * opening bracket (see wordGlue). Padding ids are skipped; unknown ids become
 * the OOV token.
 */
export function decodeIds(vec: TextVectorizer, ids: ArrayLike<number>, vocabulary: readonly string[] = vec.vocabulary()): string {
  const chars = lmLevel(vec) === 'character';
  let text = '';
  let prev: string | null = null;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id === PAD_ID) continue;
    const token = vocabulary[id] ?? vocabulary[OOV_ID];
    text += (chars ? '' : wordGlue(prev, token)) + token;
    prev = token;
  }
  return text;
}

/** What goes between two word-level tokens in decoded text: '' or ' ' (none at the start). */
export function wordGlue(prev: string | null, token: string): string {
  if (prev === null || CLOSING.test(token) || OPENING.test(prev)) return '';
  return ' ';
}
const CLOSING = /^[.,;:!?%)\]}]$/;
const OPENING = /^[([{]$/;
