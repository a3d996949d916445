/**
 * Padding and truncation of id sequences to a fixed length L, as Keras.
 *
 *   truncating 'pre'   drop from the start, keep the last L ids
 *   truncating 'post'  keep the first L ids
 *   padding 'pre'      pad values go before the ids (ids end the row)
 *   padding 'post'     pad values go after the ids
 *
 * padSequences() has Keras's pad_sequences defaults (pre, pre, value 0);
 * TextVectorizer uses post/post like Keras's TextVectorization.
 */
import { checkInt, checkKeys, checkNumber, checkObject, checkOneOf, describe, fail } from '../errors.js';
import { Tensor } from '../tensor.js';
import { SIDES, type Side, orDefault } from './checks.js';

/**
 * Where a sequence of n items goes in a row of L: items [from, from + keep)
 * are copied to row cells [to, to + keep); the other cells are padding.
 */
export function padPlan(n: number, L: number, padding: Side, truncating: Side): { from: number; to: number; keep: number } {
  const keep = n < L ? n : L;
  return { from: truncating === 'pre' ? n - keep : 0, to: padding === 'pre' ? L - keep : 0, keep };
}

/**
 * Write seq into row [offset, offset + L) of out (=). Only the kept ids are
 * written; the pad cells keep what the caller put there (the pad value).
 */
export function writePadded(
  out: Int32Array | Float32Array,
  offset: number,
  L: number,
  seq: ArrayLike<number>,
  padding: Side,
  truncating: Side,
): void {
  const { from, to, keep } = padPlan(seq.length, L, padding, truncating);
  for (let k = 0; k < keep; k++) out[offset + to + k] = seq[from + k];
}

export interface PadSequencesOptions {
  /** Row length; default the longest sequence. */
  maxLen?: number | null;
  /** Where pad values go: 'pre' (default, Keras) or 'post'. */
  padding?: Side;
  /** Which end long sequences lose: 'pre' (default, Keras) or 'post'. */
  truncating?: Side;
  /** Pad value, default 0. */
  value?: number;
  /** Default 'int32', or 'float32' when `value` is not an integer. */
  dtype?: 'int32' | 'float32';
}

const WHERE = 'padSequences';
const OPTIONS = ['maxLen', 'padding', 'truncating', 'value', 'dtype'];
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Keras pad_sequences: sequences (N, ragged) -> Tensor (N, maxLen).
 * Items must be integers in int32 range for dtype int32 (Keras would cast
 * silently; we refuse), finite numbers for float32.
 */
export function padSequences(sequences: readonly ArrayLike<number>[], options: PadSequencesOptions = {}): Tensor {
  const opts = checkObject(WHERE, 'options', options);
  checkKeys(WHERE, opts, OPTIONS);
  if (!Array.isArray(sequences)) fail('E_ARG', `${WHERE}: sequences must be an array of number arrays, got ${describe(sequences)}`);
  const padding = orDefault(opts.padding, 'pre' as Side, (v) => checkOneOf(WHERE, 'padding', v, SIDES));
  const truncating = orDefault(opts.truncating, 'pre' as Side, (v) => checkOneOf(WHERE, 'truncating', v, SIDES));
  const value = orDefault(opts.value, 0, (v) => checkNumber(WHERE, 'value', v));
  const dtype = orDefault(opts.dtype, Number.isInteger(value) ? 'int32' : 'float32', (v) =>
    checkOneOf(WHERE, 'dtype', v, ['int32', 'float32'] as const),
  );
  if (dtype === 'int32' && !isInt32(value)) {
    fail('E_ARG', `${WHERE}: value ${value} does not fit dtype 'int32'; pass dtype: 'float32'`);
  }

  let longest = 0;
  for (let i = 0; i < sequences.length; i++) {
    const s = sequences[i];
    if (s === null || typeof s !== 'object' || typeof s.length !== 'number') {
      fail('E_ARG', `${WHERE}: sequences[${i}] must be an array of numbers, got ${describe(s)}`);
    }
    for (let k = 0; k < s.length; k++) {
      const x = s[k];
      const ok = dtype === 'int32' ? isInt32(x) : typeof x === 'number' && Number.isFinite(x);
      if (!ok) {
        const need = dtype === 'int32' ? 'an integer in int32 range' : 'a finite number';
        fail('E_ARG', `${WHERE}: sequences[${i}][${k}] must be ${need} (dtype '${dtype}'), got ${describe(x)}`);
      }
    }
    if (s.length > longest) longest = s.length;
  }
  const L = opts.maxLen === undefined || opts.maxLen === null ? longest : checkInt(WHERE, 'maxLen', opts.maxLen, 0);

  const N = sequences.length;
  const out = dtype === 'int32' ? new Int32Array(N * L) : new Float32Array(N * L);
  if (value !== 0) out.fill(value);
  for (let i = 0; i < N; i++) writePadded(out, i * L, L, sequences[i], padding, truncating);
  return new Tensor(out, [N, L]);
}

function isInt32(x: unknown): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= INT32_MIN && x <= INT32_MAX;
}
