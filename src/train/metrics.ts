/**
 * Metrics accumulated over an epoch (or an evaluate call), computed on the
 * host from the model's output probabilities. Which accuracy is meant follows
 * from the loss, as in Keras: binary (threshold 0.5) for binaryCrossentropy,
 * argmax vs argmax for categoricalCrossentropy, argmax vs id for the sparse
 * one. precision and recall are binary (threshold 0.5, every output counted)
 * or, for categorical losses, macro-averaged over classes. Masked time steps
 * are not counted.
 */
import { fail } from '../errors.js';
import type { LossName } from './losses.js';

export type MetricName = 'accuracy' | 'precision' | 'recall';
export const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'precision', 'recall'];

export function checkMetrics(v: unknown): MetricName[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail('E_ARG', `compile: metrics must be an array such as ['accuracy'], got ${typeof v}`);
  return v.map((m) => {
    const name = m === 'acc' ? 'accuracy' : m;
    if (!METRIC_NAMES.includes(name)) {
      fail('E_ARG', `compile: unknown metric '${String(m)}' (supported: ${METRIC_NAMES.join(', ')})`);
    }
    return name as MetricName;
  });
}

export class MetricState {
  private readonly loss: LossName;
  private readonly C: number;
  private correct = 0;
  private counted = 0;
  private readonly tp: Float64Array;
  private readonly fp: Float64Array;
  private readonly fn: Float64Array;

  constructor(
    loss: LossName,
    classes: number,
    readonly names: MetricName[],
  ) {
    if (loss === 'meanSquaredError' && names.length > 0) {
      fail('E_ARG', `compile: metrics ${names.join(', ')} need a classification loss, not meanSquaredError`);
    }
    this.loss = loss;
    this.C = classes;
    const k = loss === 'binaryCrossentropy' ? 1 : classes;
    this.tp = new Float64Array(k);
    this.fp = new Float64Array(k);
    this.fn = new Float64Array(k);
  }

  reset(): void {
    this.correct = 0;
    this.counted = 0;
    this.tp.fill(0);
    this.fp.fill(0);
    this.fn.fill(0);
  }

  /** p (N,C) probabilities; y targets ((N,C) or (N) ids); valid (N) 1/0 or null. */
  update(p: Float32Array, y: Float32Array | Int32Array, N: number, valid: Float32Array | null): void {
    const C = this.C;
    for (let n = 0; n < N; n++) {
      if (valid && valid[n] === 0) continue;
      if (this.loss === 'binaryCrossentropy') {
        for (let c = 0; c < C; c++) {
          const pred = p[n * C + c] > 0.5;
          const truth = y[n * C + c] > 0.5;
          this.counted++;
          if (pred === truth) this.correct++;
          if (pred && truth) this.tp[0]++;
          else if (pred) this.fp[0]++;
          else if (truth) this.fn[0]++;
        }
        continue;
      }
      let best = 0;
      for (let c = 1; c < C; c++) if (p[n * C + c] > p[n * C + best]) best = c;
      let truth = 0;
      if (this.loss === 'sparseCategoricalCrossentropy') truth = y[n];
      else for (let c = 1; c < C; c++) if (y[n * C + c] > y[n * C + truth]) truth = c;
      this.counted++;
      if (best === truth) {
        this.correct++;
        this.tp[best]++;
      } else {
        this.fp[best]++;
        this.fn[truth]++;
      }
    }
  }

  results(): Record<string, number> {
    const out: Record<string, number> = {};
    const macro = (num: Float64Array, den: Float64Array) => {
      let s = 0;
      let k = 0;
      for (let c = 0; c < num.length; c++) {
        if (num[c] + den[c] > 0) {
          s += num[c] / (num[c] + den[c]);
          k++;
        }
      }
      return k ? s / k : 0;
    };
    for (const m of this.names) {
      if (m === 'accuracy') out.accuracy = this.counted ? this.correct / this.counted : 0;
      if (m === 'precision') out.precision = macro(this.tp, this.fp);
      if (m === 'recall') out.recall = macro(this.tp, this.fn);
    }
    return out;
  }
}
