/** Tests for src/text/stop_words.ts: codes, aliases, and the unknown-code error. */
import { describe, expect, it } from 'vitest';
import { STOP_WORD_LANGUAGES, resolveStopWords, stopWordList } from '../../src/text/stop_words.js';
// the eight subpath languages (wasm-rnn/stopwords/*), registered as an app importing them would
import '../../src/text/stopwords/all.js';
import { expectError } from './expect_error.js';

describe('stop-word lists', () => {
  it('accepts ISO 639-1 and 639-3 codes for the same list', () => {
    expect(stopWordList('t', 'en')).toBe(stopWordList('t', 'eng'));
    expect(stopWordList('t', 'en')).toContain('the');
    expect(stopWordList('t', 'zh')).toContain('的');
    expect(stopWordList('t', 'ja')).toContain('は');
    expect(stopWordList('t', 'de')).toContain('und');
  });

  it('lists ten languages in both code forms', () => {
    expect(STOP_WORD_LANGUAGES).toHaveLength(20);
    for (const code of STOP_WORD_LANGUAGES) expect(stopWordList('t', code).length).toBeGreaterThan(10);
  });

  it('rejects an unknown code, naming the supported ones and the array escape hatch', () => {
    const err = expectError(() => stopWordList('TextVectorizer', 'sv'), 'E_ARG', /stopWords 'sv' is not a built-in language/);
    expect(err.message).toMatch(/en, zh, ja/);
    expect(err.message).toMatch(/import \{ swe \} from 'stopword'/);
    // Object.prototype names are not languages.
    expectError(() => stopWordList('t', 'constructor'), 'E_ARG', /not a built-in language/);
  });

  it('takes arrays as they are and checks their items', () => {
    expect(resolveStopWords('t', ['a', 'b'])).toEqual(['a', 'b']);
    expect(resolveStopWords('t', null)).toBeNull();
    expectError(() => resolveStopWords('t', ['a', 3]), 'E_ARG', /stopWords\[1\] must be a string/);
    expectError(() => resolveStopWords('t', 3), 'E_ARG', /stopWords must be a language code/);
  });
});
