/**
 * Argument checks shared by the text tools. Every failure is a WasmRnnError
 * with code E_ARG whose message names the function, the argument and, for
 * lists, the index of the bad item ("TextVectorizer.adapt: texts[3] must be
 * a string, got 42").
 */
import { describe, fail } from '../errors.js';

/** A list of texts: a real array whose every item is a string. */
export function checkTexts(where: string, name: string, texts: unknown): readonly string[] {
  if (typeof texts === 'string') {
    fail('E_ARG', `${where}: ${name} must be an array of strings, got a single string (wrap it: [text])`);
  }
  if (!Array.isArray(texts)) fail('E_ARG', `${where}: ${name} must be an array of strings, got ${describe(texts)}`);
  for (let i = 0; i < texts.length; i++) {
    // A plain loop, not forEach: forEach skips the holes of sparse arrays.
    if (typeof texts[i] !== 'string') {
      fail('E_ARG', `${where}: ${name}[${i}] must be a string, got ${describe(texts[i])}`);
    }
  }
  return texts as readonly string[];
}

/** An array of strings (vocabularies, stop-word lists). */
export function checkStringArray(where: string, name: string, v: unknown): readonly string[] {
  if (!Array.isArray(v)) fail('E_ARG', `${where}: ${name} must be an array of strings, got ${describe(v)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') fail('E_ARG', `${where}: ${name}[${i}] must be a string, got ${describe(v[i])}`);
  }
  return v as readonly string[];
}

/** 'pre' | 'post', the Keras padding / truncating sides. */
export type Side = 'pre' | 'post';
export const SIDES: readonly Side[] = ['pre', 'post'];

/** An optional value: undefined takes the default, anything else is checked. */
export function orDefault<T>(v: unknown, dflt: T, check: (v: unknown) => T): T {
  return v === undefined ? dflt : check(v);
}
