/**
 * Training pairs for next-token prediction: x = ids[s .. s+T), y = ids[s+1 ..
 * s+T+1), trained with sparse categorical cross-entropy at every step.
 *
 * Two layouts:
 *
 *   lmWindows        independent windows (stride T by default); any order,
 *                    shuffled by fit; every window starts from a zero state.
 *   statefulBatches  the text cut into B contiguous streams; batch k holds the
 *                    k-th window of every stream, so row b of batch k+1
 *                    continues exactly where row b of batch k stopped. With
 *                    stateful layers, fit({ batchSize: B, shuffle: false })
 *                    and resetStates() at each epoch, the state carries the
 *                    context across windows (truncated BPTT over the whole
 *                    text, as char-rnn). Sample index = k·B + b.
 *
 *   stream b:  ids[b·L .. (b+1)·L]   L = floor((n-1)/B), K = floor(L/T) batches
 *   batch k:   rows b = 0..B-1: x = ids[b·L + k·T ..+T), y shifted by one
 *
 * The last L - K·T tokens of each stream (and the n-1 - B·L after the last
 * stream) are left out: every window has the same length T.
 */
import { checkInt, describe, fail } from '../errors.js';
import { Tensor } from '../tensor.js';

export interface LmPairs {
  /** int32 (N, T) input ids */
  x: Tensor;
  /** int32 (N, T) next-token ids */
  y: Tensor;
}

export interface LmBatches extends LmPairs {
  /** rows per batch: pass it to fit as batchSize */
  batchSize: number;
  /** batches per epoch */
  batches: number;
}

function checkIds(where: string, ids: ArrayLike<number>): void {
  if (!ids || typeof ids !== 'object' || typeof ids.length !== 'number')
    fail('E_ARG', `${where}: ids must be an array of token ids, got ${describe(ids)}`);
}

/** Windows of `length` tokens every `stride` tokens (default: non-overlapping). */
export function lmWindows(ids: ArrayLike<number>, opts: { length: number; stride?: number }): LmPairs {
  const where = 'lmWindows';
  checkIds(where, ids);
  const T = checkInt(where, 'length', opts?.length, 1);
  const stride = checkInt(where, 'stride', opts.stride ?? T, 1);
  if (ids.length < T + 1) fail('E_ARG', `${where}: the text has ${ids.length} tokens; windows of ${T} need at least ${T + 1}`);
  const N = Math.floor((ids.length - 1 - T) / stride) + 1;
  const x = new Int32Array(N * T);
  const y = new Int32Array(N * T);
  for (let i = 0; i < N; i++) {
    const s = i * stride;
    for (let t = 0; t < T; t++) {
      x[i * T + t] = ids[s + t];
      y[i * T + t] = ids[s + t + 1];
    }
  }
  return { x: new Tensor(x, [N, T]), y: new Tensor(y, [N, T]) };
}

/** B contiguous streams, batch k = the k-th window of every stream (see the header). */
export function statefulBatches(ids: ArrayLike<number>, opts: { batchSize: number; length: number }): LmBatches {
  const where = 'statefulBatches';
  checkIds(where, ids);
  const B = checkInt(where, 'batchSize', opts?.batchSize, 1);
  const T = checkInt(where, 'length', opts.length, 1);
  const L = Math.floor((ids.length - 1) / B);
  const K = Math.floor(L / T);
  if (K < 1) {
    fail(
      'E_ARG',
      `${where}: the text has ${ids.length} tokens; ${B} streams of windows of ${T} need at least ${B * T + 1} (use a smaller batchSize or length)`,
    );
  }
  const x = new Int32Array(K * B * T);
  const y = new Int32Array(K * B * T);
  for (let k = 0; k < K; k++) {
    for (let b = 0; b < B; b++) {
      const s = b * L + k * T;
      const o = (k * B + b) * T;
      for (let t = 0; t < T; t++) {
        x[o + t] = ids[s + t];
        y[o + t] = ids[s + t + 1];
      }
    }
  }
  return { x: new Tensor(x, [K * B, T]), y: new Tensor(y, [K * B, T]), batchSize: B, batches: K };
}
