/**
 * Finite-difference gradient checks in float64 on the twin. The model runs on
 * a twin backend whose heap holds doubles; weights and inputs are perturbed
 * in place in that heap, so nothing is rounded to float32. The analytic
 * gradients of L = Σ output ⊙ dy (model.gradients) are compared with centred
 * differences of L for every weight entry (or a seeded sample) and, for float
 * inputs, the input.
 */
import { expect } from 'vitest';
import { Backend, type Buf } from '../src/backend/backend.js';
import { JsKernels, JsMemory } from '../src/backend/js.js';
import { setBackend } from '../src/backend/load.js';
import type { Model } from '../src/models/model.js';
import { Tensor } from '../src/tensor.js';
import { Rng } from './util.js';

export function useFloat64Twin(): Backend {
  const be = new Backend(new JsKernels(new JsMemory({ precision: 'float64' })));
  setBackend(be);
  return be;
}

export interface GradCheckOptions {
  eps?: number;
  tol?: number;
  /** check at most this many entries per weight (seeded sample) */
  maxPerWeight?: number;
  seed?: number;
  /** gradients for extra returnState outputs are checked when given */
  stateDy?: boolean;
  /** input entries where the function is not differentiable (e.g. masked steps) */
  skipInput?: (i: number) => boolean;
}

/** Throws (via expect) naming the weight, index and both values on a mismatch. */
export function gradCheck(model: Model, x: Tensor | Tensor[], opts: GradCheckOptions = {}): number {
  const { eps = 1e-6, tol = 1e-7, maxPerWeight = 30, seed = 7 } = opts;
  const be = model.backend;
  const rng = new Rng(seed);
  const xs = Array.isArray(x) ? x : [x];
  const N = xs[0].shape[0];
  const out0 = model.predict(x, { batchSize: N });
  const outs = Array.isArray(out0) ? out0 : [out0];
  const dys = outs.map(
    (o) =>
      new Tensor(
        Float32Array.from(o.data, () => rng.uniform(-1, 1)),
        o.shape,
      ),
  );
  // without stateDy only the first output carries a gradient
  const useStates = opts.stateDy && outs.length > 1;
  const seeds = outs.length === 1 ? dys[0] : dys.map((d, k) => (k === 0 || useStates ? d : null));
  const g = model.gradients(x, seeds);
  const engine = model.engine('gradCheck');

  const L = (): number => {
    engine.forward(N, false);
    let s = 0;
    dys.forEach((dy, k) => {
      if (k > 0 && !useStates) return;
      const y = be.read(engine.output(k).buf, 0, dy.data.length);
      for (let i = 0; i < y.length; i++) s += y[i] * dy.data[i];
    });
    return s;
  };
  const central = (buf: Buf, i: number): number => {
    const orig = be.get(buf, i);
    be.write(buf, [orig + eps], i);
    const up = L();
    be.write(buf, [orig - eps], i);
    const down = L();
    be.write(buf, [orig], i);
    return (up - down) / (2 * eps);
  };
  const compare = (what: string, ana: number, num: number) => {
    const err = Math.abs(num - ana) / Math.max(1, Math.abs(num), Math.abs(ana));
    expect(err, `${what}: analytic ${ana} vs numeric ${num}`).toBeLessThan(tol);
  };
  const sample = (n: number) =>
    n <= maxPerWeight ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: maxPerWeight }, () => rng.int(n));

  // stage x once (gradients() staged it too; do it again to be explicit)
  model.predict(x, { batchSize: N });
  let checked = 0;
  engine.params.slots.forEach((slot, k) => {
    for (const i of sample(slot.w.length)) {
      compare(`${slot.spec.name}#${k}[${i}]`, g.weights[k].data[i], central(slot.w, i));
      checked++;
    }
  });
  const dIn = g.inputs ?? [g.input ?? null];
  dIn.forEach((d, k) => {
    if (!d) return;
    const xb: Buf = engine.plan!.staged[k];
    for (const i of sample(xs[k].data.length)) {
      if (opts.skipInput?.(i)) continue;
      compare(`input ${k}[${i}]`, d.data[i], central(xb, i));
      checked++;
    }
  });
  expect(checked).toBeGreaterThan(0);
  return checked;
}
