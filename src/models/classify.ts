/**
 * Raw text in, labels out, for a classifier saved with its vectorizer and
 * label names: model.classify(['free money!!!']).
 */
import { describe, fail } from '../errors.js';
import { checkOptions } from './feed.js';
import type { Tensor } from '../tensor.js';
import type { Model } from './model.js';

export interface Classification {
  /** the predicted class name (or its id as a string when the model has no labels) */
  label: string;
  /** the predicted class id */
  index: number;
  /** the probability of the predicted class */
  probability: number;
  /** one probability per class */
  probabilities: number[];
}

/** Class probabilities from a model output: sigmoid (1 unit → 2 classes) or softmax rows. */
export function toClassifications(out: Tensor, labels: readonly string[] | null): Classification[] {
  const n = out.shape[0];
  const C = out.data.length / n;
  const result: Classification[] = [];
  for (let i = 0; i < n; i++) {
    const probs = C === 1 ? [1 - out.data[i], out.data[i]] : Array.from(out.data.subarray(i * C, i * C + C));
    let best = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c;
    result.push({ label: labels?.[best] ?? String(best), index: best, probability: probs[best], probabilities: probs });
  }
  return result;
}

export function classify(model: Model, texts: readonly string[], opts: { batchSize?: number } = {}): Classification[] {
  checkOptions('classify', opts, ['batchSize']);
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string'))
    fail('E_ARG', `classify: texts must be an array of strings, got ${describe(texts)}`);
  if (!model.vectorizer) {
    fail('E_STATE', `classify: ${model.name} has no vectorizer; set model.vectorizer = yourTextVectorizer (it is saved with the model)`);
  }
  const out = model.predict(model.vectorizer.transform(texts), opts);
  if (Array.isArray(out) || out.shape.length !== 2)
    fail('E_STATE', 'classify: the model must output class probabilities of shape (samples, classes)');
  return toClassifications(out, model.labels);
}
