/**
 * Check first, then time (docs/benchmarks.md): before any timing, every
 * contender must compute what our JS twin computes with the same weights.
 *
 *   1. the reference: the twin builds the model from the seed; its weights
 *      W0 are given to every contender (Keras layout on both sides), and its
 *      predictions and training losses are what the others must match.
 *   2. per contender: the model that will be timed predicts a small fixed
 *      batch (GATE_B sequences, full length; batch sizes GATE_B and 1)
 *      within PRED_TOL of the twin; GATE_STEPS plain SGD steps from W0 on
 *      that batch give losses within LOSS_TOL of the twin's (steps 2+
 *      follow the gradients). SGD, not Adam: TF.js's Adam adds epsilon to
 *      sqrt(v̂) where Keras (and we) add it to sqrt(v), so at step 1 its
 *      epsilon is in effect ~32x larger (1/sqrt(1 − β2)): a real difference
 *      of formula that changes the updates of tiny gradients, measured at
 *      ~1e-4 in the W1 loss after two steps; a tolerance that wide would hide
 *      gradient bugs. Our wasm builds also repeat the twin's Adam steps (same
 *      formula: they must agree). W2's dropout draws from different RNGs in
 *      TF.js, so its training gate runs the same stack with rate 0.
 * A contender that fails throws: no number is printed for a wrong model.
 */
import type { Contender, Model } from './contenders.js';
import type { Tensor } from './ours.js';
import type { HostBatch, Workload } from './workloads.js';

export const GATE_B = 4;
export const GATE_STEPS = 3;
/** each gate step must move the twin's loss by more than this (20x LOSS_TOL), or the gate is blind */
export const GATE_MOVE = 2e-4;
/** max |prediction - twin's| */
export const PRED_TOL = 1e-4;
/** max |loss - twin's| / (1 + |twin's|) */
export const LOSS_TOL = 1e-5;

export interface Reference {
  weights: Tensor[];
  preds: Float32Array[];
  sgd: number[];
  adam: number[];
}

export interface GateRow {
  workload: string;
  contender: string;
  /** max |prediction - twin| over batch sizes GATE_B and 1 */
  predDiff: number;
  /** max relative loss difference over GATE_STEPS SGD steps (null: inference only) */
  lossDiff: number | null;
  losses: number[];
  /** ours only: the same over GATE_STEPS Adam steps */
  adamDiff: number | null;
  ok: boolean;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

function lossDiff(got: number[], want: number[]): number {
  return Math.max(...got.map((l, i) => (Number.isFinite(l) ? Math.abs(l - want[i]) / (1 + Math.abs(want[i])) : Infinity)));
}

export async function gatePredictions(model: Model, gate: HostBatch): Promise<Float32Array[]> {
  const s = model.stage(gate);
  const out = [await s.predict(GATE_B), await s.predict(1)];
  s.dispose();
  return out;
}

/** Losses of GATE_STEPS training steps from `weights` on the gate batch, on a fresh gate-variant model. */
async function gateLosses(
  c: Contender,
  w: Workload,
  weights: Tensor[] | null,
  gate: HostBatch,
  optimizer: 'sgd' | 'adam',
): Promise<number[]> {
  const model = await c.build(w, weights, { gate: true, optimizer });
  try {
    const s = model.stage(gate);
    const losses: number[] = [];
    for (let i = 0; i < GATE_STEPS; i++) losses.push(await s.train());
    s.dispose();
    return losses;
  } finally {
    model.dispose();
  }
}

/** The twin's model from the seed: weights, predictions, and (training: true) SGD and Adam gate losses. */
export async function reference(
  twin: Contender,
  w: Workload,
  gate: HostBatch,
  training: boolean,
  log: (s: string) => void,
): Promise<Reference> {
  const refModel = await twin.build(w, null);
  const weights = refModel.getWeights!();
  const ref: Reference = {
    weights,
    preds: await gatePredictions(refModel, gate),
    sgd: training ? await gateLosses(twin, w, weights, gate, 'sgd') : [],
    adam: training ? await gateLosses(twin, w, weights, gate, 'adam') : [],
  };
  refModel.dispose();
  if (!training) return ref;
  log(
    `gate ${w.id} reference (${twin.name}): SGD losses ${ref.sgd.map((l) => l.toFixed(5)).join(', ')}; Adam ${ref.adam.map((l) => l.toFixed(5)).join(', ')}`,
  );
  // a gate is only as sensitive as the steps are large: each must move the loss
  for (const [opt, l] of [
    ['SGD', ref.sgd],
    ['Adam', ref.adam],
  ] as const) {
    if (!l.every(Number.isFinite) || l.some((v, i) => i > 0 && !(Math.abs(v - l[i - 1]) > GATE_MOVE))) {
      throw new Error(
        `${w.id}: the twin's ${opt} gate losses ${l.join(', ')} are not finite or do not move by > ${GATE_MOVE} per step: the gate would be blind`,
      );
    }
  }
  return ref;
}

/**
 * The gate of contender `c` on `model` (the one that will be timed): throws
 * when it disagrees with the reference. `id` names the workload in the report;
 * training: false checks the predictions only (inference workloads).
 */
export async function gate(
  c: Contender,
  model: Model,
  w: Workload,
  id: string,
  batch: HostBatch,
  ref: Reference,
  training: boolean,
  log: (s: string) => void,
): Promise<GateRow> {
  const preds = await gatePredictions(model, batch);
  const predDiff = Math.max(...preds.map((p, i) => maxAbsDiff(p, ref.preds[i])));
  const losses = training ? await gateLosses(c, w, ref.weights, batch, 'sgd') : [];
  const sgdDiff = training ? lossDiff(losses, ref.sgd) : null;
  const adamDiff = training && c.ours ? lossDiff(await gateLosses(c, w, ref.weights, batch, 'adam'), ref.adam) : null;
  const ok = predDiff <= PRED_TOL && (sgdDiff === null || sgdDiff <= LOSS_TOL) && (adamDiff === null || adamDiff <= LOSS_TOL);
  log(
    `gate ${id} ${c.name}: predictions max |diff| ${predDiff.toExponential(2)}` +
      `${sgdDiff === null ? '' : `, SGD losses max rel diff ${sgdDiff.toExponential(2)}`}` +
      `${adamDiff === null ? '' : `, Adam ${adamDiff.toExponential(2)}`} ${ok ? 'ok' : 'FAILED'}`,
  );
  if (!ok) {
    throw new Error(
      `${id} ${c.name}: wrong result against the JS twin (predictions max |diff| ${predDiff}, limit ${PRED_TOL}` +
        `${training ? `; SGD losses ${losses.join(', ')} vs ${ref.sgd.join(', ')}` : ''}` +
        `${adamDiff === null ? '' : `; Adam max rel diff ${adamDiff}`}, limit ${LOSS_TOL}); no timing for a wrong model`,
    );
  }
  return { workload: id, contender: c.name, predDiff, lossDiff: sgdDiff, losses, adamDiff, ok };
}
