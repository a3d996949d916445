/**
 * Scoring given targets under the model, teacher-forced through the training
 * model (the whole target in one pass; no decoding):
 *
 *   log p(y | x) = Σ_{t=1..L+1} log p(y_t | y_<t, x),   y_{L+1} = end
 *
 * and the held-out loss: the mean negative log-likelihood per target token
 * (end tokens included), exactly, whatever the batching.
 */
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor.js';
import { lengthBuckets, teacherForcing } from './batches.js';

// a float32 softmax can round a tiny probability to 0: log is capped there
const MIN_PROB = 1e-30;

/** log p(target_i | source_i) for every pair, in float64. */
export function logProbabilities(
  training: Model,
  source: readonly Int32Array[],
  target: readonly Int32Array[],
  batchSize: number,
): Float64Array {
  const out = new Float64Array(source.length);
  for (const idx of lengthBuckets(source, target, batchSize, null)) {
    const tf = teacherForcing(source, target, idx);
    const probs = (training.predict([tf.source, tf.decoderInput], { batchSize: idx.length }) as Tensor).data;
    const [B, T] = tf.decoderTarget.shape;
    const V = probs.length / (B * T);
    for (let b = 0; b < B; b++) {
      const steps = target[idx[b]].length + 1;
      let lp = 0;
      for (let t = 0; t < steps; t++) lp += Math.log(Math.max(probs[(b * T + t) * V + tf.decoderTarget.data[b * T + t]], MIN_PROB));
      out[idx[b]] = lp;
    }
  }
  return out;
}

/** Mean negative log-likelihood per target token, end tokens included. */
export function crossEntropy(logProbs: Float64Array, target: readonly Int32Array[]): { loss: number; tokens: number } {
  let nll = 0;
  let tokens = 0;
  logProbs.forEach((lp, i) => {
    nll -= lp;
    tokens += target[i].length + 1;
  });
  return { loss: nll / tokens, tokens };
}
