/**
 * The optimizer updates of assembly/optim.ts (Keras formulas), over one flat
 * parameter vector: w, g and every state vector (n). g is read only.
 */
import { fail } from '../../errors.js';
import { bool, dim, f32, inout, inp, kernel, opt } from './params.js';

/** A state buffer that is optional only while momentum is 0. */
function needWithMomentum(op: string, name: string, b: unknown, momentum: number): void {
  if (momentum !== 0 && !b) fail('E_ARG', `${op}: argument ${name} is required when momentum != 0`);
}

export const OPTIM_KERNELS = {
  /**
   * Keras SGD on w (n) from g (n): momentum 0: w −= lr·g; else vel = momentum·vel − lr·g, w += vel (nesterov:
   * w += momentum·vel − lr·g).
   */
  sgdUpdate: kernel({
    wasm: 'sgd_update_f32',
    params: { w: inout('n'), g: inp('n'), vel: opt(inout('n')), n: dim(), lr: f32(), momentum: f32(), nesterov: bool() },
    check: (op, a) => needWithMomentum(op, 'vel', a.vel, a.momentum),
  }),
  /**
   * Keras Adam on w (n): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w −= lrT·m/(√v + ε), lrT =
   * lr·√(1−β2^t)/(1−β1^t) from the host.
   */
  adamUpdate: kernel({
    wasm: 'adam_update_f32',
    params: { w: inout('n'), g: inp('n'), m: inout('n'), v: inout('n'), n: dim(), lrT: f32(), beta1: f32(), beta2: f32(), eps: f32() },
  }),
  /**
   * Keras RMSprop on w (n): acc = ρ·acc + (1−ρ)·g²; step = lr·g/√(acc + ε); with momentum, mom = momentum·mom
   * + step; w −= step (or mom).
   */
  rmspropUpdate: kernel({
    wasm: 'rmsprop_update_f32',
    params: {
      w: inout('n'),
      g: inp('n'),
      acc: inout('n'),
      mom: opt(inout('n')),
      n: dim(),
      lr: f32(),
      rho: f32(),
      eps: f32(),
      momentum: f32(),
    },
    check: (op, a) => needWithMomentum(op, 'mom', a.mom, a.momentum),
  }),
  /** Keras Adagrad on w (n): acc += g²; w −= lr·g/√(acc + ε). */
  adagradUpdate: kernel({
    wasm: 'adagrad_update_f32',
    params: { w: inout('n'), g: inp('n'), acc: inout('n'), n: dim(), lr: f32(), eps: f32() },
  }),
  /** g (n) = clip(g, −c, c). */
  clipValue: kernel({
    wasm: 'clip_value_f32',
    params: { g: inout('n'), n: dim(), c: f32() },
  }),
};
