/**
 * Splitting, the second step of the text pipeline: text -> tokens.
 *
 *   'whitespace' (default)  runs of non-whitespace (JS \s: Unicode spaces,
 *                           tabs, newlines, U+3000 ideographic space), as Keras
 *   'character'             one token per Unicode code point, spaces included,
 *                           as Keras's unicode_split; for character models
 *   'word'                  Unicode word segmentation (Intl.Segmenter, UAX #29
 *                           plus the ICU dictionaries), so Chinese, Japanese
 *                           and Thai, written without spaces, become words:
 *                           "我们今天去北京" -> 我们 今天 去 北京. Keeps the
 *                           word-like segments and emoji (one token per emoji
 *                           grapheme, skin tone and ZWJ sequences kept whole);
 *                           drops spaces and punctuation. Each
 *                           whitespace-separated chunk is segmented on its
 *                           own: the same words as one segment() call over
 *                           the text, except where UAX #29 joins across a
 *                           space (a combining mark right after a space).
 *   null                    the whole text is one token (as Keras split=None)
 *   (text) => string[]      your own
 *
 * With 'whitespace', an emoji glued to a word stays glued ("great😀" is one
 * token), exactly as in Keras; use 'word' to separate them.
 *
 * The segmenter uses the fixed locale 'en' so that ids do not depend on the
 * machine's default locale (CJK and Thai dictionaries apply in every locale).
 * Different ICU versions (Node vs a browser) can still segment rare CJK
 * phrases differently; adapt and transform in the same runtime when that matters.
 */
import { describe, fail } from '../errors.js';

export type SplitFn = (text: string) => string[];
export type SplitOption = 'whitespace' | 'character' | 'word' | null | SplitFn;

export const SPLIT_MODES = ['whitespace', 'character', 'word'] as const;

const NON_SPACE = /\S+/g;

export function splitWhitespace(text: string): string[] {
  return text.match(NON_SPACE) ?? [];
}

export function splitCharacters(text: string): string[] {
  return Array.from(text);
}

// Emoji are not "word-like" for UAX #29 but carry meaning (sentiment!).
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
// V8's segment iterator costs O(length of the segmented string) per segment,
// so one segment() call over a whole e-mail is quadratic (measured: 100k
// chars, 38 s), and even on short strings ICU costs ~0.5 us a segment. So we
// segment whitespace-separated chunks, skip ICU for the common chunk shape
// below, and pass long chunks (CJK prose has no spaces) through a window.
//
// ASCII letters/digits with ASCII punctuation only at the ends ("Hello,",
// "(ok?)") give exactly one word under UAX #29: letters and digits join
// (WB5-WB10) and a punctuation mark joins only *between* them (WB6-WB7,
// WB11-WB12). '_' is excluded from the ends: it joins (WB13a/b).
const SIMPLE = /^[!-/:-@[-^`{-~]*([A-Za-z0-9]+)[!-/:-@[-^`{-~]*$/;
const WINDOW = 256;
// A segment is kept only if MARGIN code units follow it in the window, so the
// rules that look ahead (don't, 3.14, dictionary CJK words) see its context.
const MARGIN = 32;

let segmenter: Intl.Segmenter | undefined;

export function splitWords(text: string): string[] {
  const seg = (segmenter ??= new Intl.Segmenter('en', { granularity: 'word' }));
  const out: string[] = [];
  const chunks = text.match(NON_SPACE);
  if (chunks === null) return out;
  for (const c of chunks) {
    const simple = SIMPLE.exec(c);
    if (simple !== null) out.push(simple[1]);
    else segmentInto(seg, c, out);
  }
  return out;
}

function segmentInto(seg: Intl.Segmenter, s: string, out: string[]): void {
  let start = 0;
  let window = WINDOW;
  while (start < s.length) {
    const end = Math.min(s.length, start + window);
    const piece = start === 0 && end === s.length ? s : s.slice(start, end);
    const safe = end === s.length ? Infinity : piece.length - MARGIN;
    let next = piece.length;
    for (const x of seg.segment(piece)) {
      if (x.index + x.segment.length > safe) {
        next = x.index; // resume the next window at this segment
        break;
      }
      if (x.isWordLike || EMOJI.test(x.segment)) out.push(x.segment);
    }
    if (next === 0) {
      window *= 2; // one segment fills the window: look further
      continue;
    }
    start += next;
    window = WINDOW;
  }
}

/** The whole text as one token; an empty text gives none. */
export function splitNone(text: string): string[] {
  return text === '' ? [] : [text];
}

/** The function for an option value. */
export function resolveSplit(where: string, v: unknown): SplitFn {
  if (v === null) return splitNone;
  if (typeof v === 'function') return v as SplitFn;
  if (v === 'whitespace') return splitWhitespace;
  if (v === 'character') return splitCharacters;
  if (v === 'word') {
    if (typeof Intl === 'undefined' || typeof Intl.Segmenter !== 'function') {
      fail('E_ARG', `${where}: split 'word' needs Intl.Segmenter, which this runtime lacks; use 'whitespace' or pass a function`);
    }
    return splitWords;
  }
  return fail(
    'E_ARG',
    `${where}: split must be one of ${SPLIT_MODES.map((m) => `'${m}'`).join(', ')}, null or a function, got ${describe(v)}`,
  );
}
