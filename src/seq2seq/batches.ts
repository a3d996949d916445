/**
 * Training batches for an encoder-decoder: teacher forcing and length buckets.
 *
 * Teacher forcing: the decoder reads the true previous token, not its own
 * guess. For a target y1 .. yL (ids >= 3):
 *
 *   decoder input   START y1 .. yL      (L+1 steps)
 *   decoder target  y1 .. yL END        (L+1 steps)
 *
 * Sources and both decoder rows are padded with 0 to the batch's longest;
 * the embeddings' maskZero turns padding into masked steps, which carry the
 * recurrent state through unchanged and add nothing to the loss (it is
 * averaged over the valid steps).
 *
 * Length buckets: words run 1 .. 30+ tokens but most are 5 .. 10, so a
 * random batch is padded to its longest member and a recurrent kernel still
 * spends a time step on every padded position. Sorting by (source length,
 * target length, a random key) and cutting the order into consecutive
 * batches keeps the lengths inside a batch nearly equal; the batches are
 * then visited in a random order, and the random key gives different
 * batch-mates every epoch.
 */
import { Tensor } from '../tensor.js';
import type { Rng } from '../rng.js';
import { END_ID, START_ID } from './vocab.js';

export interface TeacherForcing {
  /** (B, Ts) source ids */
  source: Tensor;
  /** (B, Tt) START y1 .. yL, padded */
  decoderInput: Tensor;
  /** (B, Tt) y1 .. yL END, padded */
  decoderTarget: Tensor;
  /** target steps that count (sum of L+1) */
  tokens: number;
}

/** Padded (B, T) ids of sequences idx[..]; T is the longest of them (at least 1). */
export function padIds(seqs: readonly Int32Array[], idx: ArrayLike<number>): Tensor {
  let T = 1;
  for (let b = 0; b < idx.length; b++) T = Math.max(T, seqs[idx[b]].length);
  const x = new Int32Array(idx.length * T);
  for (let b = 0; b < idx.length; b++) x.set(seqs[idx[b]], b * T);
  return new Tensor(x, [idx.length, T]);
}

/** The three arrays of one teacher-forced batch (see the header). */
export function teacherForcing(source: readonly Int32Array[], target: readonly Int32Array[], idx: ArrayLike<number>): TeacherForcing {
  const B = idx.length;
  let T = 1;
  let tokens = 0;
  for (let b = 0; b < B; b++) {
    const L = target[idx[b]].length;
    T = Math.max(T, L + 1);
    tokens += L + 1;
  }
  const input = new Int32Array(B * T);
  const output = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const y = target[idx[b]];
    const o = b * T;
    input[o] = START_ID;
    input.set(y, o + 1);
    output.set(y, o);
    output[o + y.length] = END_ID;
  }
  return { source: padIds(source, idx), decoderInput: new Tensor(input, [B, T]), decoderTarget: new Tensor(output, [B, T]), tokens };
}

/**
 * Batches of sample indices grouped by length (see the header). With an Rng
 * the tie-break and the batch order are random; without one the order is
 * fixed (evaluation).
 */
export function lengthBuckets(
  source: readonly Int32Array[],
  target: readonly Int32Array[],
  batchSize: number,
  rng: Rng | null,
): Int32Array[] {
  const n = source.length;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = rng ? rng.next() : i / n;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => source[a].length - source[b].length || target[a].length - target[b].length || key[a] - key[b]);
  const batches: Int32Array[] = [];
  for (let from = 0; from < n; from += batchSize) batches.push(Int32Array.from(order.slice(from, from + batchSize)));
  if (rng) rng.shuffle(batches);
  return batches;
}

/** Batches of consecutive samples (no bucketing): rows [0, B), [B, 2B), ... */
export function inOrder(n: number, batchSize: number, rng: Rng | null): Int32Array[] {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (rng) rng.shuffle(order);
  const batches: Int32Array[] = [];
  for (let from = 0; from < n; from += batchSize) batches.push(order.slice(from, from + batchSize));
  return batches;
}

/** Fraction of the time steps a set of batches spends on padding (source and decoder together). */
export function paddingFraction(source: readonly Int32Array[], target: readonly Int32Array[], batches: readonly Int32Array[]): number {
  let padded = 0;
  let real = 0;
  for (const idx of batches) {
    let Ts = 1;
    let Tt = 1;
    for (const i of idx) {
      Ts = Math.max(Ts, source[i].length);
      Tt = Math.max(Tt, target[i].length + 1);
      real += source[i].length + target[i].length + 1;
    }
    padded += idx.length * (Ts + Tt);
  }
  return padded === 0 ? 0 : 1 - real / padded;
}
