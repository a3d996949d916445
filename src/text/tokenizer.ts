/**
 * Tokenizer: Keras's (legacy) keras.preprocessing.text.Tokenizer, faithfully,
 * for code and models that come from Keras tutorials.
 *
 *   const tok = new Tokenizer({ numWords: 10000, oovToken: '<OOV>' });
 *   tok.fitOnTexts(texts);
 *   const x = padSequences(tok.textsToSequences(texts), { maxLen: 100 });
 *
 * As Keras: text -> lower (if `lower`) -> every character of `filters`
 * replaced by `split` -> split on `split` -> drop empty pieces. With
 * `charLevel`, each code point is a token and filters are not applied.
 * Items may also be arrays of tokens (lower-cased if `lower`, nothing else).
 * Index 0 is never assigned; the OOV token, if any, is 1; words follow by
 * count descending, ties by first appearance. fitOnTexts accumulates counts
 * over calls. textsToSequences keeps ids < numWords: others become the OOV
 * id, or are dropped when there is no OOV token.
 *
 * One deliberate difference: if the OOV token also occurs as a word, Keras
 * gives it a second, later index (and maps OOV words there); we keep it at 1.
 *
 * Maps (wordIndex, wordCounts, ...) rather than plain objects, so a word such
 * as "constructor" or "__proto__" is just a word.
 */
import { checkInt, checkKeys, checkObject, describe, fail } from '../errors.js';
import { orDefault } from './checks.js';
import { type KerasTokenizerJSON, readTokenizerJSON, writeTokenizerJSON } from './tokenizer_json.js';

export interface TokenizerOptions {
  /** Keep ids < numWords (the numWords - 1 most common words); default all. */
  numWords?: number | null;
  /** Characters replaced by `split`; default Keras's punctuation + tab + newline. */
  filters?: string;
  /** Lower-case texts first; default true. */
  lower?: boolean;
  /** Word separator; default ' '. */
  split?: string;
  /** One token per character; default false. */
  charLevel?: boolean;
  /** Token for unknown words (id 1); default null: unknown words are dropped. */
  oovToken?: string | null;
}

/** Keras's default filters: ASCII punctuation except the apostrophe, plus \t and \n. */
export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/** A text, or a text already split into tokens. */
export type TokenizerInput = string | readonly string[];

export class Tokenizer {
  readonly numWords: number | null;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | null;

  private counts = new Map<string, number>();
  private docs = new Map<string, number>();
  private index = new Map<string, number>();
  private words = new Map<number, string>();
  private docCount = 0;
  private readonly filterRegex: RegExp | null;
  /** `split` as a replacement string: "$" escaped so "$&" stays literal. */
  private readonly splitReplacement: string;

  constructor(options: TokenizerOptions = {}) {
    const where = 'Tokenizer';
    const o = checkObject(where, 'options', options);
    checkKeys(where, o, ['numWords', 'filters', 'lower', 'split', 'charLevel', 'oovToken']);
    this.numWords = o.numWords === undefined || o.numWords === null ? null : checkInt(where, 'numWords', o.numWords, 1);
    this.filters = orDefault(o.filters, KERAS_FILTERS, (v) => string(where, 'filters', v));
    this.lower = orDefault(o.lower, true, (v) => bool(where, 'lower', v));
    this.split = orDefault(o.split, ' ', (v) => {
      // Python's str.split('') raises; so do we, earlier.
      if (string(where, 'split', v) === '') fail('E_ARG', `${where}: split must be a non-empty string`);
      return v as string;
    });
    this.charLevel = orDefault(o.charLevel, false, (v) => bool(where, 'charLevel', v));
    this.oovToken = orDefault(o.oovToken, null, (v) => (v === null ? null : string(where, 'oovToken', v)));
    this.filterRegex = filterRegex(this.filters);
    this.splitReplacement = this.split.replace(/\$/g, '$$$$');
  }

  /** Word -> index (1-based), OOV token first. */
  get wordIndex(): ReadonlyMap<string, number> {
    return this.index;
  }
  /** Index -> word. */
  get indexWord(): ReadonlyMap<number, string> {
    return this.words;
  }
  /** Word -> occurrences over all fitted texts, in order of first appearance. */
  get wordCounts(): ReadonlyMap<string, number> {
    return this.counts;
  }
  /** Word -> number of fitted texts containing it. */
  get wordDocs(): ReadonlyMap<string, number> {
    return this.docs;
  }
  /** Texts fitted so far. */
  get documentCount(): number {
    return this.docCount;
  }

  /** Update the counts with more texts and rebuild the index (counts accumulate over calls). */
  fitOnTexts(texts: readonly TokenizerInput[]): this {
    const where = 'Tokenizer.fitOnTexts';
    checkInputs(where, texts);
    // Tokenize everything before touching the counts: a bad item changes nothing.
    const seqs = texts.map((t) => this.tokens(t));
    for (const seq of seqs) {
      this.docCount++;
      for (const w of seq) this.counts.set(w, (this.counts.get(w) ?? 0) + 1);
      for (const w of new Set(seq)) this.docs.set(w, (this.docs.get(w) ?? 0) + 1);
    }
    this.rebuildIndex();
    return this;
  }

  /** Texts -> id lists (ragged); see padSequences to make a batch. */
  textsToSequences(texts: readonly TokenizerInput[]): number[][] {
    const where = 'Tokenizer.textsToSequences';
    checkInputs(where, texts);
    const oovId = this.oovToken === null ? undefined : this.index.get(this.oovToken);
    const limit = this.numWords ?? Infinity;
    return texts.map((text) => {
      const out: number[] = [];
      for (const w of this.tokens(text)) {
        const i = this.index.get(w);
        if (i !== undefined && i < limit) out.push(i);
        else if (oovId !== undefined) out.push(oovId);
      }
      return out;
    });
  }

  /** Id lists -> texts, words joined by a space (also at char level, as Keras). */
  sequencesToTexts(sequences: readonly ArrayLike<number>[]): string[] {
    const where = 'Tokenizer.sequencesToTexts';
    if (!Array.isArray(sequences)) fail('E_ARG', `${where}: sequences must be an array of id arrays, got ${describe(sequences)}`);
    const oov = this.oovToken !== null && this.index.has(this.oovToken) ? this.oovToken : null;
    const limit = this.numWords ?? Infinity;
    return sequences.map((seq, i) => {
      if (seq === null || typeof seq !== 'object' || typeof seq.length !== 'number') {
        fail('E_ARG', `${where}: sequences[${i}] must be an array of ids, got ${describe(seq)}`);
      }
      const out: string[] = [];
      for (let k = 0; k < seq.length; k++) {
        const w = this.words.get(seq[k]);
        if (w !== undefined && seq[k] < limit) out.push(w);
        else if (oov !== null) out.push(oov);
      }
      return out.join(' ');
    });
  }

  /** Keras's tokenizer.to_json() document (as an object; JSON.stringify it). */
  toJSON(): KerasTokenizerJSON {
    return writeTokenizerJSON(this);
  }

  /**
   * Read Tokenizer.toJSON() output or a Keras tokenizer.to_json() string.
   * A malformed document is a WasmRnnError 'E_FORMAT' naming the field.
   */
  static fromJSON(json: unknown): Tokenizer {
    const r = readTokenizerJSON('Tokenizer.fromJSON', json);
    const tok = newTokenizer(r.options);
    tok.docCount = r.documentCount;
    tok.counts = r.wordCounts;
    tok.docs = r.wordDocs;
    tok.index = r.wordIndex;
    for (const [w, i] of r.wordIndex) tok.words.set(i, w);
    return tok;
  }

  private tokens(text: TokenizerInput): string[] {
    if (typeof text !== 'string') return this.lower ? text.map((t) => t.toLowerCase()) : text.slice();
    const s = this.lower ? text.toLowerCase() : text;
    if (this.charLevel) return Array.from(s);
    // A replacement string, not a function: a callback per match was 1.4x slower on e-mails.
    const replaced = this.filterRegex === null ? s : s.replace(this.filterRegex, this.splitReplacement);
    return replaced.split(this.split).filter((t) => t !== '');
  }

  private rebuildIndex(): void {
    const byCount = [...this.counts].sort((a, b) => b[1] - a[1]); // stable: ties keep first appearance
    this.index = new Map();
    this.words = new Map();
    let next = 1;
    if (this.oovToken !== null) this.add(this.oovToken, next++);
    for (const [w] of byCount) if (!this.index.has(w)) this.add(w, next++);
  }

  private add(w: string, i: number): void {
    this.index.set(w, i);
    this.words.set(i, w);
  }
}

/** One regex for Python's str.translate over the filter characters (code points). */
function filterRegex(filters: string): RegExp | null {
  if (filters === '') return null;
  const cls = Array.from(filters, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('');
  return new RegExp(`[${cls}]`, 'gu');
}

function checkInputs(where: string, texts: unknown): asserts texts is readonly TokenizerInput[] {
  if (!Array.isArray(texts)) fail('E_ARG', `${where}: texts must be an array of strings, got ${describe(texts)}`);
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (typeof t === 'string') continue;
    if (Array.isArray(t)) {
      for (let k = 0; k < t.length; k++) {
        if (typeof t[k] !== 'string') fail('E_ARG', `${where}: texts[${i}][${k}] must be a string, got ${describe(t[k])}`);
      }
      continue;
    }
    fail('E_ARG', `${where}: texts[${i}] must be a string (or an array of tokens), got ${describe(t)}`);
  }
}

function string(where: string, name: string, v: unknown): string {
  if (typeof v !== 'string') fail('E_ARG', `${where}: ${name} must be a string, got ${describe(v)}`);
  return v;
}

function bool(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail('E_ARG', `${where}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

// Outside the class body on purpose: a class that names itself inside its body
// is bundled as `class _X` and would report constructor.name '_X'.
function newTokenizer(options: TokenizerOptions): Tokenizer {
  return new Tokenizer(options);
}
