/**
 * Tests for src/text/standardize.ts: Keras parity on ASCII, the Unicode
 * extension (punctuation of every script, NFC), what is kept (accents, emoji).
 */
import { describe, expect, it } from 'vitest';
import { lower, lowerAndStripPunctuation, resolveStandardize, stripPunctuation } from '../../src/text/standardize.js';
import { expectError } from './expect_error.js';

describe('lowerAndStripPunctuation', () => {
  it('deletes exactly the 32 ASCII punctuation characters Keras deletes', () => {
    // Keras DEFAULT_STRIP_REGEX: [!"#$%&()*+,-./:;<=>?@[\]^_`{|}~']
    const kerasSet = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\'';
    expect(lowerAndStripPunctuation(kerasSet)).toBe('');
    // Every other printable ASCII character survives (lower-cased).
    let others = '';
    for (let c = 0x20; c < 0x7f; c++) if (!kerasSet.includes(String.fromCharCode(c))) others += String.fromCharCode(c);
    expect(lowerAndStripPunctuation(others)).toBe(others.toLowerCase());
  });

  it('deletes rather than replaces, as Keras: "e-mail" -> "email"', () => {
    expect(lowerAndStripPunctuation("Don't E-MAIL me, OK?")).toBe('dont email me ok');
  });

  it('strips punctuation of other scripts', () => {
    expect(lowerAndStripPunctuation('你好，世界！「引用」。')).toBe('你好世界引用');
    expect(lowerAndStripPunctuation('¿Qué tal? ¡Bien! «oui» — fin…')).toBe('qué tal bien oui  fin');
  });

  it('keeps accents, emoji, currency and math symbols', () => {
    expect(lowerAndStripPunctuation('Café NAÏVE 😀 €5 ±1 ©')).toBe('café naïve 😀 €5 ±1 ©');
  });

  it('normalizes to NFC so composed and decomposed accents agree', () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    expect(composed).not.toBe(decomposed);
    expect(lowerAndStripPunctuation(decomposed)).toBe(composed);
  });

  it('lower-cases beyond ASCII', () => {
    expect(lowerAndStripPunctuation('ÉCOLE ΑΘΗΝΑ ДОМ')).toBe('école αθηνα дом');
  });
});

describe('other modes', () => {
  it("'stripPunctuation' keeps case, 'lower' keeps punctuation", () => {
    expect(stripPunctuation('Hello, World!')).toBe('Hello World');
    expect(lower('Hello, World!')).toBe('hello, world!');
  });

  it('resolves names, null and functions, and rejects anything else', () => {
    expect(resolveStandardize('t', 'lower')).toBe(lower);
    expect(resolveStandardize('t', null)).toBeNull();
    const f = (s: string) => s;
    expect(resolveStandardize('t', f)).toBe(f);
    expectError(() => resolveStandardize('t', 'lower_and_strip_punctuation'), 'E_ARG', /standardize must be one of/);
    expectError(() => resolveStandardize('t', 'toString'), 'E_ARG', /standardize must be one of/);
  });
});
