/**
 * Choosing the next token from a model's distribution p (one row of softmax
 * output, V entries):
 *
 *   1. exclude   ids that may never be drawn (padding, by default OOV) -> 0
 *   2. temperature T:  q_i ∝ p_i^(1/T) = softmax(log p / T). T = 1 leaves p
 *      alone, T < 1 sharpens it, T -> 0 tends to the argmax (T = 0 IS the
 *      argmax: greedy decoding), T > 1 flattens it.
 *   3. top-k (k > 0): keep the k most probable ids (ties: the lower id first)
 *   4. top-p / nucleus (p < 1): keep the smallest set of most probable ids
 *      whose total probability reaches p (the id that crosses p is kept)
 *   5. renormalise, and draw with a uniform number in [0, 1)
 *
 * The order of 2-4 is Hugging Face transformers' (temperature, top-k, top-p).
 * Everything is float64.
 */
import { checkInt, checkKeys, checkObject, describe, fail } from '../errors.js';

export interface SamplingOptions {
  /** >= 0; 0 = greedy (argmax); default 1 */
  temperature?: number;
  /** keep the k most probable ids; 0 (default) = all */
  topK?: number;
  /** nucleus: keep the most probable ids up to this total probability, in (0, 1]; default 1 = all */
  topP?: number;
  /** ids never drawn */
  exclude?: readonly number[];
}

export const SAMPLING_KEYS = ['temperature', 'topK', 'topP', 'exclude'] as const;

export interface Sampling {
  temperature: number;
  topK: number;
  topP: number;
  exclude: readonly number[];
}

/** Check sampling options (and allow the caller's own `extraKeys`). */
export function checkSampling(where: string, opts: unknown, extraKeys: readonly string[] = []): Sampling {
  const o = checkObject(where, 'options', opts ?? {});
  checkKeys(where, o, [...SAMPLING_KEYS, ...extraKeys]);
  const temperature = o.temperature ?? 1;
  if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature)) {
    fail('E_ARG', `${where}: temperature must be a finite number >= 0 (0 = greedy), got ${describe(temperature)}`);
  }
  const topK = checkInt(where, 'topK', o.topK ?? 0, 0);
  const topP = o.topP ?? 1;
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1))
    fail('E_ARG', `${where}: topP must be a number in (0, 1], got ${describe(topP)}`);
  const exclude = (o.exclude ?? []) as readonly number[];
  if (!Array.isArray(exclude) || exclude.some((i) => !Number.isInteger(i) || i < 0))
    fail('E_ARG', `${where}: exclude must be an array of token ids`);
  return { temperature, topK, topP, exclude };
}

/** The distribution a draw uses (steps 1-5 of the header): float64, sums to 1. */
export function samplingDistribution(probs: ArrayLike<number>, opts: SamplingOptions = {}): Float64Array {
  return distribution(probs, checkSampling('samplingDistribution', opts));
}

/** samplingDistribution with options already checked. */
export function distribution(probs: ArrayLike<number>, s: Sampling): Float64Array {
  const where = 'samplingDistribution';
  const V = probs?.length;
  if (typeof V !== 'number' || V < 1) fail('E_ARG', `${where}: probs must be a non-empty array of probabilities, got ${describe(probs)}`);
  const q = new Float64Array(V);
  for (let i = 0; i < V; i++) {
    const p = probs[i];
    if (typeof p !== 'number' || !(p >= 0) || !Number.isFinite(p))
      fail('E_ARG', `${where}: probs[${i}] must be a finite number >= 0, got ${describe(p)}`);
    q[i] = p;
  }
  for (const i of s.exclude) if (i < V) q[i] = 0;
  let best = -1;
  for (let i = 0; i < V; i++) if (q[i] > 0 && (best < 0 || q[i] > q[best])) best = i;
  if (best < 0) fail('E_ARG', `${where}: no token has a probability above 0 (after excluding ${s.exclude.length} ids)`);

  // 2. temperature, in log space relative to the maximum (no overflow, p = 0 stays 0)
  if (s.temperature === 0) {
    q.fill(0);
    q[best] = 1;
    return q;
  }
  if (s.temperature !== 1) {
    const lmax = Math.log(q[best]);
    for (let i = 0; i < V; i++) q[i] = q[i] > 0 ? Math.exp((Math.log(q[i]) - lmax) / s.temperature) : 0;
  }
  normalise(q);

  // 3-4. rank once (descending, ties by id), then cut the tail
  if (s.topK > 0 || s.topP < 1) {
    const order = Array.from({ length: V }, (_, i) => i).filter((i) => q[i] > 0);
    order.sort((a, b) => q[b] - q[a] || a - b);
    let keep = s.topK > 0 ? Math.min(s.topK, order.length) : order.length;
    if (s.topP < 1) {
      let mass = 0;
      for (let k = 0; k < keep; k++) mass += q[order[k]];
      // top-p applies to the top-k distribution renormalised
      let cum = 0;
      for (let k = 0; k < keep; k++) {
        cum += q[order[k]] / mass;
        if (cum >= s.topP - 1e-12) {
          keep = k + 1;
          break;
        }
      }
    }
    for (let k = keep; k < order.length; k++) q[order[k]] = 0;
    normalise(q);
  }
  return q;
}

function normalise(q: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < q.length; i++) sum += q[i];
  for (let i = 0; i < q.length; i++) q[i] /= sum;
}

/** Draw one id from probs reshaped by the options; `random` returns uniform numbers in [0, 1). */
export function sampleToken(probs: ArrayLike<number>, opts: SamplingOptions, random: () => number): number {
  return drawFrom(samplingDistribution(probs, opts), random());
}

/** The id whose cumulative probability interval holds r in [0, 1). */
export function drawFrom(q: Float64Array, r: number): number {
  let cum = 0;
  let last = -1;
  for (let i = 0; i < q.length; i++) {
    if (q[i] === 0) continue;
    cum += q[i];
    last = i;
    if (r < cum) return i;
  }
  return last; // r within rounding of 1
}
