/**
 * The loss of one slice of a batch, scaled for the whole batch: what each
 * thread runs between its forward and its backward.
 *
 * It is the loss heads' computation (src/models/heads.ts, Heads.loss) over
 * rows [b0, b0 + Bs) of the batch, with one difference: the scale. A loss is
 * "sum over batch size" — Σ w·loss / count, count = the batch's rows, or its
 * valid steps for a masked per-step output — and the count must be the
 * whole batch's, not the slice's, so that the slices' gradients add up to
 * the batch's gradient. Unmasked, the count is known up front (batch rows ×
 * steps per row); masked, each thread counts its slice's valid steps
 * (maskCounts), the main thread adds the counts in slice order, and every
 * thread then computes its loss (sliceLoss) with the total.
 *
 * Per element the seeds (dL/dz) are the same numbers as in one thread; only
 * the sums over rows are split, and add up in a fixed order.
 */
import type { Backend, Buf } from '../backend/backend.js';
import { sizeOf, type LayerRun } from '../layers/layer.js';
import type { Engine } from '../models/engine.js';
import type { Plan } from '../models/plan.js';
import type { LossName } from '../train/losses.js';

/** One output's loss as a thread needs it. */
export interface SliceHead {
  loss: LossName | null;
  weight: number;
  /** the run whose logits a fused loss reads (null: the loss reads the outputs) */
  logits: LayerRun | null;
}

/** Rows of output k in a batch of B (B × its steps). */
export function outputRows(engine: Engine, k: number, B: number): number {
  const out = engine.output(k);
  return (B * sizeOf(out.shape)) / out.shape[out.shape.length - 1];
}

/**
 * Phase 1, after the forward: per output with a loss, its slice's valid
 * steps when it carries a mask (read into the plan's hostValid), else -1.
 * Returns whether any output had a mask.
 */
export function maskCounts(
  be: Backend,
  engine: Engine,
  plan: Plan,
  heads: readonly SliceHead[],
  Bs: number,
  counts: Float64Array,
): boolean {
  let any = false;
  for (let k = 0; k < heads.length; k++) {
    counts[k] = -1;
    if (!heads[k].loss) continue;
    const out = engine.output(k);
    if (!out.mask) continue;
    const N = outputRows(engine, k, Bs);
    const valid = plan.outputs[k].hostValid;
    be.readInto(out.mask, valid.subarray(0, N));
    let c = 0;
    for (let i = 0; i < N; i++) c += valid[i];
    counts[k] = c;
    any = true;
  }
  return any;
}

/**
 * Phase 2: per output, Σ w·loss over the slice (into `sums`), its gradient
 * seed written with the whole batch's scale. `total[k]` is the batch's
 * count for a masked output (from maskCounts, summed over slices); an
 * unmasked output counts Btotal × its steps. `targets(k)` and `weights(k)`
 * are the slice's rows of the batch's staged targets and sample weights
 * (null: unweighted).
 */
export function sliceLoss(
  be: Backend,
  engine: Engine,
  plan: Plan,
  heads: readonly SliceHead[],
  Bs: number,
  Btotal: number,
  total: Float64Array,
  targets: (k: number) => Buf,
  weights: (k: number) => Buf | null,
  sums: Float64Array,
): void {
  for (let k = 0; k < heads.length; k++) {
    const h = heads[k];
    sums[k] = 0;
    if (!h.loss) continue;
    const out = engine.output(k);
    const o = plan.outputs[k];
    const C = out.shape[out.shape.length - 1];
    const N = outputRows(engine, k, Bs);
    let w = weights(k);
    let count = (N / Bs) * Btotal;
    if (out.mask) {
      // as Heads.loss: the row weights times the mask, over the valid steps
      if (w) be.readInto(w, o.hostW.subarray(0, N));
      for (let i = 0; i < N; i++) o.hostW[i] = (w ? o.hostW[i] : 1) * o.hostValid[i];
      be.write(o.w, o.hostW.subarray(0, N));
      w = o.w;
      count = total[k];
    }
    const gscale = lossScale(h, C, count) * h.weight;
    const y = targets(k);
    if (!h.logits) sums[k] = be.mse(o.seed, out.buf, y, w, N, C, gscale);
    else {
      const z = h.logits.logits()!.z;
      if (h.loss === 'binaryCrossentropy') sums[k] = be.bceLogits(o.seed, z, y, w, N, C, gscale);
      else sums[k] = be.softmaxCe(o.seed, z, y, w, N, C, h.loss === 'sparseCategoricalCrossentropy', gscale);
    }
  }
}

/** The loss scale of output k for a batch (what multiplies Σ w·loss into the reported loss). */
export function lossScale(h: SliceHead, C: number, count: number): number {
  const perElement = h.loss === 'binaryCrossentropy' || h.loss === 'meanSquaredError' ? C : 1;
  return 1 / (Math.max(1, count) * perElement);
}
