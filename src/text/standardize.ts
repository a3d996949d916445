/**
 * Standardization, the first step of the text pipeline: text -> text.
 *
 *   'lowerAndStripPunctuation' (default)  NFC, lower-case, strip punctuation
 *   'stripPunctuation'                    NFC, strip punctuation
 *   'lower'                               NFC, lower-case
 *   null                                  the text unchanged
 *   (text) => string                      your own
 *
 * Stripping is Keras's lower_and_strip_punctuation made Unicode-aware. Keras
 * deletes the 32 ASCII punctuation characters !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~.
 * We delete every character of Unicode general category P (punctuation: the
 * ASCII ones above except $+<=>^`|~, and 。、「」！？¿¡«»—… in every script)
 * plus those nine ASCII symbols. On ASCII text this is exactly Keras's regex.
 * Other symbols are kept as text: emoji, currency (€, ¥), math (±), ©. As in
 * Keras the characters are deleted, not replaced by a space: "e-mail" -> "email".
 *
 * NFC normalization is our addition: a precomposed "é" (U+00E9) and "e" +
 * combining acute (U+0065 U+0301) look the same and must give one token.
 * Accents are kept ("café" stays "café"); no transliteration.
 */
import { describe, fail } from '../errors.js';

export type StandardizeFn = (text: string) => string;
export type StandardizeOption = 'lowerAndStripPunctuation' | 'stripPunctuation' | 'lower' | null | StandardizeFn;

export const STANDARDIZE_MODES = ['lowerAndStripPunctuation', 'stripPunctuation', 'lower'] as const;

// \p{P} = Unicode punctuation; the ASCII symbols are the rest of Keras's set.
// Runs (+) rather than single characters: ~20% faster on e-mail text.
const PUNCTUATION = /[\p{P}$+<=>^`|~]+/gu;

export function lowerAndStripPunctuation(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(PUNCTUATION, '');
}

export function stripPunctuation(text: string): string {
  return text.normalize('NFC').replace(PUNCTUATION, '');
}

export function lower(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

const BUILT_IN: Record<(typeof STANDARDIZE_MODES)[number], StandardizeFn> = {
  lowerAndStripPunctuation,
  stripPunctuation,
  lower,
};

/** The function for an option value; null means "leave the text alone". */
export function resolveStandardize(where: string, v: unknown): StandardizeFn | null {
  if (v === null) return null;
  if (typeof v === 'function') return v as StandardizeFn;
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(BUILT_IN, v)) {
    return BUILT_IN[v as keyof typeof BUILT_IN];
  }
  return fail(
    'E_ARG',
    `${where}: standardize must be one of ${STANDARDIZE_MODES.map((m) => `'${m}'`).join(', ')}, null or a function, got ${describe(v)}`,
  );
}
