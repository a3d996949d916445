/**
 * model.gradients(x, dy): the gradients of Σ_k sum(output_k ⊙ dy_k) with
 * respect to every weight (getWeights order) and every float input — what
 * gradient checks and users' own losses need. The outputs themselves are
 * differentiated, so a loss fused with an output's activation is unfused
 * for the call.
 */
import { fail } from '../errors.js';
import { Tensor } from '../tensor.js';
import { toData } from './data.js';
import type { Engine } from './engine.js';
import { identity } from './engine.js';

export interface Gradients {
  /** one per weight, in getWeights order */
  weights: Tensor[];
  /** dL/dx of a one-input model's float input */
  input?: Tensor;
  /** per input of a several-input model: dL/dx, or null for an id input */
  inputs?: (Tensor | null)[];
}

export function gradients(e: Engine, x: unknown, dy: unknown, where: string): Gradients {
  const be = e.be;
  const ds = e.dataset(x, where);
  const g = e.graph;
  const nOut = g.outputs.length;
  const dys =
    nOut === 1
      ? [dy]
      : Array.isArray(dy) && dy.length === nOut
        ? dy
        : fail('E_ARG', `${where}: dy must hold one tensor per output (${nOut}), or null for an output without a gradient`);
  const B = e.stage(ds, identity(ds.n), 0, ds.n);
  const p = e.plan!;
  const seeds = dys.map((d, k) => {
    if (d === null || d === undefined) return null;
    const label = nOut === 1 ? 'dy' : `dy[${k}]`;
    const shape = [ds.n, ...ds.specs[g.at(g.outputs[k])].shape];
    const dd = toData(d, where, label);
    if (dd.shape.join(',') !== shape.join(','))
      fail('E_SHAPE', `${where}: ${label} must have the output's shape [${shape.join(', ')}], got [${dd.shape.join(', ')}]`);
    be.write(p.outputs[k].seed, dd.data);
    return p.outputs[k].seed;
  });
  const fused = e.runs.map((r) => r.fusedHead);
  for (const r of e.runs) r.fusedHead = false;
  try {
    e.forward(B, false);
    be.fill(e.params.grads, 0, e.params.size);
    const dIn = e.backward(B, seeds, true);
    const weights = e.params.slots.map((s) => new Tensor(be.read(s.dw) as Float32Array, s.spec.shape));
    const inputs = dIn.map((d, i) =>
      d && e.inputs[i].kind === 'float' ? new Tensor(be.read(d, 0, ds.inputs[i].data.length) as Float32Array, ds.inputs[i].shape) : null,
    );
    if (inputs.length > 1) return { weights, inputs };
    return inputs[0] ? { weights, input: inputs[0] } : { weights };
  } finally {
    e.runs.forEach((r, k) => (r.fusedHead = fused[k]));
  }
}
