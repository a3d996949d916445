/**
 * AdditiveAttention (Keras, Bahdanau-style): Attention's call, masks,
 * dropout and outputs (attention.ts) with additive scores
 *
 *   s[b,i,j] = Σ_d scale_d · tanh(q[b,i,d] + k[b,j,d])
 *
 * Weights (Keras): scale (D) glorotUniform when useScale (the default).
 */
import { fail } from '../errors.js';
import { ScoreAttention, type AttentionWeights } from './attention.js';
import { glorotUniform } from './initializers.js';
import type { WeightSlot, WeightSpec } from './layer.js';
import { options } from './options.js';

export interface AdditiveAttentionOptions {
  /** learn a per-feature weight of the tanh terms (default true) */
  useScale?: boolean;
  /** dropout rate on the attention weights, in training */
  dropout?: number;
  name?: string;
}

export class AdditiveAttention extends ScoreAttention {
  readonly className = 'AdditiveAttention';
  readonly mode = 'additive' as const;

  constructor(opts: AdditiveAttentionOptions = {}) {
    const where = 'layers.additiveAttention';
    const o = options(where, opts, ['useScale', 'dropout', 'name']);
    super(where, 'additive_attention', o, true);
  }

  weightSpecs(): WeightSpec[] {
    if (!this.useScale) return [];
    if (!(this.dim > 0)) fail('E_STATE', `${this.name}: weights are known after the first call`);
    return [{ name: 'scale', shape: [this.dim], init: glorotUniform }];
  }

  protected weightsOf(slots: readonly WeightSlot[]): AttentionWeights {
    return { gain: null, alpha: null, v: this.useScale ? slots[0] : null };
  }
}
