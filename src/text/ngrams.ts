/**
 * N-grams, the last step of the text pipeline: tokens -> tokens.
 *
 * As Keras (tf.strings.ngrams with separator " "): for widths [1, 2] and
 * tokens [a, b, c] the result is every 1-gram, then every 2-gram:
 * [a, b, c, "a b", "b c"]. A width longer than the text gives nothing.
 * The option `ngrams: n` means widths 1..n; an array gives exactly those widths.
 */
import { describe, fail } from '../errors.js';

export function ngrams(tokens: readonly string[], widths: readonly number[]): string[] {
  const out: string[] = [];
  for (const w of widths) {
    for (let i = 0; i + w <= tokens.length; i++) {
      let g = tokens[i];
      for (let k = 1; k < w; k++) g += ' ' + tokens[i + k];
      out.push(g);
    }
  }
  return out;
}

/** The widest n-gram accepted: wider ones are never useful, and a huge n would exhaust memory. */
export const MAX_NGRAM = 32;

/** Widths for an option value; null when the tokens pass through unchanged. */
export function resolveNgrams(where: string, v: unknown): number[] | null {
  if (v === null) return null;
  let widths: number[];
  const tooWide = (w: unknown) => typeof w === 'number' && w > MAX_NGRAM;
  if (tooWide(v) || (Array.isArray(v) && v.some(tooWide))) {
    fail('E_ARG', `${where}: ngrams wider than ${MAX_NGRAM} are not supported, got ${describe(v)}`);
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) {
    widths = Array.from({ length: v }, (_, i) => i + 1);
  } else if (Array.isArray(v) && v.length > 0 && v.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 1)) {
    widths = [...(v as number[])];
    if (new Set(widths).size !== widths.length) fail('E_ARG', `${where}: ngrams [${widths.join(', ')}] repeats a width`);
  } else {
    return fail('E_ARG', `${where}: ngrams must be an integer >= 1, a non-empty array of them, or null; got ${describe(v)}`);
  }
  return widths.length === 1 && widths[0] === 1 ? null : widths;
}
