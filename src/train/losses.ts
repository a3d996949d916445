/**
 * Losses, Keras semantics. Cross-entropies are computed from logits: the
 * model fuses them with its last Dense layer's sigmoid/softmax (or a linear
 * last layer with fromLogits), so they are stable and the gradient is
 * (p − y). The value is Keras's "sum over batch size": Σ w·loss / N, where a
 * per-step output with a mask averages over the valid steps only (Keras 3).
 *
 *   binaryCrossentropy             targets (N, C) in [0, 1]; mean over C
 *   categoricalCrossentropy        targets (N, C) distributions
 *   sparseCategoricalCrossentropy  targets (N) integer class ids
 *   meanSquaredError               targets (N, C); mean over C
 * N counts batch rows, or batch rows × time steps for per-step outputs.
 */
import type { ActivationName } from '../backend/abi.js';
import { describe, fail } from '../errors.js';

export type LossName = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';

export interface LossSpec {
  name: LossName;
  fromLogits: boolean;
}

const ALIASES: Record<string, LossName> = {
  binaryCrossentropy: 'binaryCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  meanSquaredError: 'meanSquaredError',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
};

/** 'binaryCrossentropy' or losses.binaryCrossentropy({ fromLogits: true }). */
export function getLoss(v: unknown): LossSpec {
  if (typeof v === 'string' && ALIASES[v]) return { name: ALIASES[v], fromLogits: false };
  if (v && typeof v === 'object' && typeof (v as LossSpec).name === 'string' && ALIASES[(v as LossSpec).name]) {
    return { name: ALIASES[(v as LossSpec).name], fromLogits: !!(v as LossSpec).fromLogits };
  }
  return fail(
    'E_ARG',
    `compile: loss must be one of ${Object.keys(ALIASES)
      .filter((k) => !k.includes('_') && k !== 'mse')
      .map((k) => `'${k}'`)
      .join(', ')}, got ${describe(v)}`,
  );
}

export const losses = {
  binaryCrossentropy: (o: { fromLogits?: boolean } = {}): LossSpec => ({ name: 'binaryCrossentropy', fromLogits: !!o.fromLogits }),
  categoricalCrossentropy: (o: { fromLogits?: boolean } = {}): LossSpec => ({
    name: 'categoricalCrossentropy',
    fromLogits: !!o.fromLogits,
  }),
  sparseCategoricalCrossentropy: (o: { fromLogits?: boolean } = {}): LossSpec => ({
    name: 'sparseCategoricalCrossentropy',
    fromLogits: !!o.fromLogits,
  }),
  meanSquaredError: (): LossSpec => ({ name: 'meanSquaredError', fromLogits: false }),
};

/**
 * How a loss attaches to the model's last layer: fused (the loss reads the
 * logits and hands back dL/dz) or on the outputs (MSE). Throws when the last
 * layer cannot produce what the loss needs.
 */
export function lossHead(
  loss: LossSpec,
  last: { className: string; activation?: ActivationName; name: string; logits: boolean },
): 'logits' | 'outputs' {
  if (loss.name === 'meanSquaredError') return 'outputs';
  const want = loss.name === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
  if (!last.logits) {
    fail(
      'E_ARG',
      `compile: ${loss.name} needs the last layer to be a Dense layer with ${want} activation; the last layer '${last.name}' is a ${last.className}`,
    );
  }
  if (loss.fromLogits) {
    if (last.activation !== 'linear') {
      fail('E_ARG', `compile: ${loss.name}({ fromLogits: true }) needs a linear last layer, but '${last.name}' applies ${last.activation}`);
    }
    return 'logits';
  }
  if (last.activation !== want) {
    fail(
      'E_ARG',
      `compile: ${loss.name} expects probabilities from a ${want} last layer, but '${last.name}' applies ${last.activation}; ` +
        `use activation '${want}', or a linear layer with ${loss.name}({ fromLogits: true })`,
    );
  }
  return 'logits';
}

/** Check targets against the loss; returns the label dtype the kernel needs. */
export function checkTargets(loss: LossName, y: Float32Array | Int32Array, classes: number, where: string): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) fail('E_ARG', `${where}: target ${i} is ${v}; targets must be finite numbers`);
    if (loss === 'binaryCrossentropy' && (v < 0 || v > 1)) {
      fail('E_ARG', `${where}: binaryCrossentropy targets must be in [0, 1], target ${i} is ${v}`);
    }
    if (loss === 'sparseCategoricalCrossentropy' && (!Number.isInteger(v) || v < 0 || v >= classes)) {
      fail('E_ARG', `${where}: sparseCategoricalCrossentropy targets must be integer class ids in [0, ${classes}), target ${i} is ${v}`);
    }
    if (loss === 'categoricalCrossentropy' && (v < 0 || v > 1)) {
      fail('E_ARG', `${where}: categoricalCrossentropy targets must be one-hot rows (values in [0, 1]), target ${i} is ${v}`);
    }
  }
}
