/**
 * Perplexity on held-out text: exp of the mean negative log-likelihood the
 * model gives each next token, ppl = exp(-(1/N) Σ log p(y_t | y_<t)). A model
 * that knows nothing (uniform over V ids) scores exactly V; lower is better.
 *
 * The text is read as the model was trained: cut into B contiguous streams
 * (B = batchSize, fewer for a short text) read window by window, so a model
 * with stateful layers carries its state through each whole stream; a
 * stateless model starts every window of `length` tokens from a zero state.
 * Every token after the first of each stream is scored once (a tail of fewer
 * than B tokens is left out). States are reset before and after.
 */
import { checkInt, checkKeys, checkObject, describe, fail } from '../errors.js';
import type { Dense } from '../layers/dense.js';
import type { Model } from '../models/model.js';
import { Tensor } from '../tensor.js';

export interface PerplexityOptions {
  /** tokens per window (default 100) */
  length?: number;
  /** streams read side by side (default 32) */
  batchSize?: number;
}

export interface PerplexityResult {
  perplexity: number;
  /** mean negative log-likelihood, nats per token (= the loss) */
  crossEntropy: number;
  bitsPerToken: number;
  /** tokens scored */
  tokens: number;
}

// a float32 softmax can round a tiny probability to 0; -log is capped there
const MIN_PROB = 1e-30;

export function perplexity(model: Model, ids: ArrayLike<number>, opts: PerplexityOptions = {}): PerplexityResult {
  const where = 'perplexity';
  const o = checkObject(where, 'options', opts);
  checkKeys(where, o, ['length', 'batchSize']);
  const T = checkInt(where, 'length', o.length ?? 100, 1);
  const maxB = checkInt(where, 'batchSize', o.batchSize ?? 32, 1);
  checkLanguageModel(model, where);
  if (!ids || typeof ids.length !== 'number' || ids.length < 2) fail('E_ARG', `${where}: need at least 2 token ids, got ${describe(ids)}`);
  const n = ids.length;
  const B = Math.max(1, Math.min(maxB, Math.floor((n - 1) / T)));
  const L = Math.floor((n - 1) / B); // tokens scored per stream
  let nll = 0;
  let count = 0;
  model.resetStates();
  try {
    for (let from = 0; from < L; from += T) {
      const t = Math.min(T, L - from);
      const x = new Int32Array(B * t);
      for (let b = 0; b < B; b++) for (let k = 0; k < t; k++) x[b * t + k] = ids[b * L + from + k];
      const out = model.predict(new Tensor(x, [B, t]), { batchSize: B }) as Tensor;
      const V = out.data.length / (B * t);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < t; k++) {
          const target = ids[b * L + from + k + 1];
          if (!Number.isInteger(target) || target < 0 || target >= V)
            fail('E_ARG', `${where}: id ${target} at ${b * L + from + k + 1} is not in [0, ${V})`);
          nll -= Math.log(Math.max(out.data[(b * t + k) * V + target], MIN_PROB));
          count++;
        }
      }
    }
  } finally {
    model.resetStates();
  }
  const crossEntropy = nll / count;
  return { perplexity: Math.exp(crossEntropy), crossEntropy, bitsPerToken: crossEntropy / Math.LN2, tokens: count };
}

/** A language model: ids in, a softmax over the vocabulary at every step out. */
export function checkLanguageModel(model: Model, where: string): void {
  const layers = (model as { layers?: unknown[] })?.layers;
  if (!Array.isArray(layers) || layers.length === 0) fail('E_ARG', `${where}: expected a Model model, got ${describe(model)}`);
  const first = layers[0] as { className?: string };
  const last = layers[layers.length - 1] as Dense;
  if (first.className !== 'Embedding' || last.className !== 'Dense' || last.activation !== 'softmax') {
    fail(
      'E_ARG',
      `${where}: ${model.name} is not a language model: it must start with an embedding and end with a dense softmax layer over the vocabulary`,
    );
  }
}

/** Whether any layer carries its state between calls. */
export function isStateful(model: Model): boolean {
  return model.layers.some((l) => (l as { stateful?: boolean }).stateful === true);
}
