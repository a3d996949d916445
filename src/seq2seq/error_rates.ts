/**
 * How far decoded sequences are from the references:
 *
 *   token error rate     Σ editDistance(ref, hyp) / Σ |ref|
 *                        (phoneme error rate, PER, in grapheme-to-phoneme)
 *   sequence error rate  the share of sequences with any error
 *                        (word error rate, WER, in grapheme-to-phoneme: one
 *                        word is one sequence)
 *
 * The edit distance is Levenshtein's: the fewest insertions, deletions and
 * substitutions that turn one sequence into the other.
 */
import { describe, fail } from '../errors.js';

/** Levenshtein distance of two sequences (any comparable items). Two rows of the table, O(|b|) memory. */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

export interface ErrorRates {
  /** Σ edits / Σ reference length (PER) */
  tokenErrorRate: number;
  /** sequences with any error / sequences (WER for words) */
  sequenceErrorRate: number;
  edits: number;
  referenceTokens: number;
  sequences: number;
  wrongSequences: number;
}

export function errorRates<T>(references: readonly ArrayLike<T>[], hypotheses: readonly ArrayLike<T>[]): ErrorRates {
  const where = 'errorRates';
  if (!Array.isArray(references) || !Array.isArray(hypotheses))
    fail(
      'E_ARG',
      `${where}: references and hypotheses must be arrays of sequences, got ${describe(references)} and ${describe(hypotheses)}`,
    );
  if (references.length !== hypotheses.length || references.length === 0) {
    fail(
      'E_ARG',
      `${where}: need as many hypotheses as references (at least one), got ${references.length} references and ${hypotheses.length} hypotheses`,
    );
  }
  let edits = 0;
  let referenceTokens = 0;
  let wrongSequences = 0;
  references.forEach((ref, i) => {
    const d = editDistance(ref, hypotheses[i]);
    edits += d;
    referenceTokens += ref.length;
    if (d > 0) wrongSequences++;
  });
  if (referenceTokens === 0) fail('E_ARG', `${where}: every reference is empty; the token error rate is undefined`);
  const sequences = references.length;
  return {
    tokenErrorRate: edits / referenceTokens,
    sequenceErrorRate: wrongSequences / sequences,
    edits,
    referenceTokens,
    sequences,
    wrongSequences,
  };
}
