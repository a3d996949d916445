/**
 * The two vocabularies of a sequence-to-sequence model and the ids they
 * reserve:
 *
 *   source ids  0 = padding, tokens 1 .. S-1
 *   target ids  0 = padding, 1 = start (the decoder's first input),
 *               2 = end (the last target of every sequence), tokens 3 .. V-1
 *
 * A vocabulary is given either as its size S or V (the caller works in ids)
 * or as its tokens (strings): source token i then has id i+1, target token
 * i has id i+3, and sequences may be written as arrays of tokens, or as
 * strings split into characters (one token per code point).
 */
import { describe, fail } from '../errors.js';

export const PAD_ID = 0;
export const START_ID = 1;
export const END_ID = 2;

export type Side = 'source' | 'target';

/** A sequence as users give it: ids, tokens, or (token vocabularies) a string of one-character tokens. */
export type SequenceLike = ArrayLike<number> | readonly string[] | string;

export class SeqVocab {
  /** ids below this are reserved (1 on the source side, 3 on the target side) */
  readonly first: number;
  private readonly index: Map<string, number> | null;

  private constructor(
    readonly side: Side,
    /** number of ids, the reserved ones included (the embedding's inputDim) */
    readonly size: number,
    /** token of id first + i, or null for an id-only vocabulary */
    readonly tokens: readonly string[] | null,
  ) {
    this.first = side === 'source' ? 1 : 3;
    this.index = tokens ? new Map(tokens.map((t, i) => [t, i + this.first])) : null;
  }

  /** From a size (ids) or a token list; `name` is the option's name for messages. */
  static from(where: string, name: string, side: Side, v: unknown): SeqVocab {
    const first = side === 'source' ? 1 : 3;
    const reserved = side === 'source' ? 'id 0 (padding)' : 'ids 0 (padding), 1 (start) and 2 (end)';
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v <= first || v > 1 << 24) {
        fail(
          'E_ARG',
          `${where}: ${name} must be an integer > ${first} (the number of ids, ${reserved} included) or an array of tokens, got ${describe(v)}`,
        );
      }
      return new this(side, v, null);
    }
    if (!Array.isArray(v) || v.length === 0 || v.some((t) => typeof t !== 'string' || t.length === 0)) {
      fail('E_ARG', `${where}: ${name} must be a number of ids or a non-empty array of non-empty token strings, got ${describe(v)}`);
    }
    const seen = new Set<string>();
    for (const t of v as string[]) {
      if (seen.has(t)) fail('E_ARG', `${where}: ${name} lists the token ${describe(t)} twice`);
      seen.add(t);
    }
    return new this(side, v.length + first, [...(v as string[])]);
  }

  /** Ids of one sequence; every id checked against the vocabulary and the reserved ids. */
  encode(where: string, seq: unknown, label: string): Int32Array {
    if (typeof seq === 'string') {
      if (!this.index)
        fail(
          'E_ARG',
          `${where}: ${label} is a string, but the ${this.side} vocabulary was given as a size; pass ids, or give the vocabulary as tokens`,
        );
      return this.fromTokens(where, Array.from(seq), label);
    }
    if (!seq || typeof seq !== 'object' || typeof (seq as ArrayLike<unknown>).length !== 'number') {
      fail(
        'E_ARG',
        `${where}: ${label} must be an array of ${this.index ? 'tokens or ' : ''}ids${this.index ? ', or a string' : ''}, got ${describe(seq)}`,
      );
    }
    const s = seq as ArrayLike<unknown>;
    if (s.length > 0 && typeof s[0] === 'string') return this.fromTokens(where, Array.from(s), label);
    const ids = new Int32Array(s.length);
    for (let t = 0; t < s.length; t++) {
      const id = s[t];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < this.first || id >= this.size) {
        const why =
          typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < this.first
            ? ' (reserved: 0 padding' + (this.side === 'target' ? ', 1 start, 2 end)' : ')')
            : '';
        fail('E_ARG', `${where}: ${label}[${t}] = ${describe(id)} is not a ${this.side} token id in [${this.first}, ${this.size})${why}`);
      }
      ids[t] = id;
    }
    return ids;
  }

  private fromTokens(where: string, tokens: unknown[], label: string): Int32Array {
    if (!this.index) fail('E_ARG', `${where}: ${label} holds tokens, but the ${this.side} vocabulary was given as a size; pass ids`);
    const ids = new Int32Array(tokens.length);
    tokens.forEach((tok, t) => {
      const id = typeof tok === 'string' ? this.index!.get(tok) : undefined;
      if (id === undefined) fail('E_ARG', `${where}: ${label}[${t}] = ${describe(tok)} is not in the ${this.side} vocabulary`);
      ids[t] = id;
    });
    return ids;
  }

  /** Every sequence of a list, checked; a source may not be empty (the encoder would read nothing). */
  encodeAll(where: string, seqs: unknown, what: string): Int32Array[] {
    if (!Array.isArray(seqs) || seqs.length === 0)
      fail('E_ARG', `${where}: ${what} must be a non-empty array of sequences, got ${describe(seqs)}`);
    return seqs.map((s, i) => {
      const ids = this.encode(where, s, `${what}[${i}]`);
      if (ids.length === 0 && this.side === 'source')
        fail('E_ARG', `${where}: ${what}[${i}] is empty; every source needs at least one token`);
      return ids;
    });
  }

  /** Tokens of ids (null for an id-only vocabulary). */
  decode(ids: ArrayLike<number>): string[] | null {
    if (!this.tokens) return null;
    return Array.from(ids, (id) => this.tokens![id - this.first] ?? `<${id}>`);
  }

  /** What serialization stores. */
  toJSON(): number | string[] {
    return this.tokens ? [...this.tokens] : this.size;
  }
}
