/**
 * Optimizers with Keras's names, defaults and update rules, applied in one
 * kernel call per contiguous run of trainable weights (models/params.ts: one
 * call per layer, or fewer). Gradient clipping first:
 * `clipvalue` (elementwise), `clipnorm` (each weight tensor's L2 norm, as
 * Keras does) and `globalClipnorm` (the norm of all gradients together).
 *
 * Defaults (Keras): sgd lr 0.01, momentum 0; adam lr 0.001, β1 0.9, β2 0.999,
 * ε 1e-7; rmsprop lr 0.001, ρ 0.9, ε 1e-7; adagrad lr 0.001, initial
 * accumulator 0.1, ε 1e-7.
 */
import type { Backend, Buf } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import type { WeightSlot } from '../layers/layer.js';
import type { Segment } from '../models/params.js';
import { options } from '../layers/options.js';

export type OptimizerName = 'sgd' | 'adam' | 'rmsprop' | 'adagrad';

interface ClipOptions {
  clipnorm?: number;
  clipvalue?: number;
  globalClipnorm?: number;
}

export interface SgdOptions extends ClipOptions {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}
export interface AdamOptions extends ClipOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}
export interface RmspropOptions extends ClipOptions {
  learningRate?: number;
  rho?: number;
  momentum?: number;
  epsilon?: number;
}
export interface AdagradOptions extends ClipOptions {
  learningRate?: number;
  initialAccumulatorValue?: number;
  epsilon?: number;
}

const CLIP_KEYS = ['clipnorm', 'clipvalue', 'globalClipnorm'];

function positive(where: string, name: string, v: unknown, dflt: number | undefined, allowZero = false): number {
  if (v === undefined) {
    if (dflt === undefined) fail('E_ARG', `${where}: ${name} is required`);
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    fail('E_ARG', `${where}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${describe(v)}`);
  }
  return v;
}

function fraction(where: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail('E_ARG', `${where}: ${name} must be in [0, 1), got ${describe(v)}`);
  return v;
}

export abstract class Optimizer {
  abstract readonly name: OptimizerName;
  learningRate: number;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;
  /** completed update steps (Adam's t) */
  iterations = 0;
  protected state: Buf[] = [];
  /** per segment, views of the state slots over it */
  private views = new WeakMap<Segment, readonly Buf[]>();

  protected constructor(where: string, o: Record<string, unknown>, defaultLr: number) {
    this.learningRate = positive(where, 'learningRate', o.learningRate, defaultLr);
    this.clipnorm = o.clipnorm === undefined ? null : positive(where, 'clipnorm', o.clipnorm, undefined);
    this.clipvalue = o.clipvalue === undefined ? null : positive(where, 'clipvalue', o.clipvalue, undefined);
    this.globalClipnorm = o.globalClipnorm === undefined ? null : positive(where, 'globalClipnorm', o.globalClipnorm, undefined);
    if (this.clipnorm !== null && this.globalClipnorm !== null) {
      fail('E_ARG', `${where}: give clipnorm (per weight) or globalClipnorm, not both`);
    }
  }

  /** Number of state slots per parameter. */
  protected abstract slots(): number;
  /** Fresh state: zeros, unless an optimizer starts elsewhere (Adagrad's accumulator). */
  protected initState(be: Backend): void {
    for (const s of this.state) be.fill(s, 0);
  }
  /** One update of w (n) from g (n), with `state` the state slots at the same offsets. */
  protected abstract update(be: Backend, w: Buf, g: Buf, state: readonly Buf[], n: number): void;
  abstract getConfig(): Record<string, unknown>;

  /** Allocate (or re-allocate) the state for n parameters. */
  attach(be: Backend, n: number): void {
    this.release(be);
    this.state = Array.from({ length: this.slots() }, () => be.alloc(Math.max(1, n)));
    this.views = new WeakMap();
    this.initState(be);
    this.iterations = 0;
  }

  release(be: Backend): void {
    for (const s of this.state) be.free(s);
    this.state = [];
    this.views = new WeakMap();
  }

  /** The state slots over one segment (made once per segment). */
  private stateOf(be: Backend, seg: Segment): readonly Buf[] {
    let v = this.views.get(seg);
    if (!v) {
      v = this.state.map((s) => be.view(s, seg.offset, seg.length));
      this.views.set(seg, v);
    }
    return v;
  }

  /**
   * Clip then apply one update to every segment. g (n) is the whole gradient
   * block (frozen weights' gradients are zero); `slots` the trainable weights
   * (clipnorm clips each).
   */
  step(be: Backend, g: Buf, n: number, segments: readonly Segment[], slots: readonly WeightSlot[]): void {
    if (this.clipvalue !== null) be.clipValue(g, n, this.clipvalue);
    if (this.globalClipnorm !== null) {
      const norm = Math.sqrt(be.sumSquares(g, n));
      if (norm > this.globalClipnorm) be.scale(g, g, this.globalClipnorm / norm, n);
    }
    if (this.clipnorm !== null) {
      for (const s of slots) {
        const sn = Math.sqrt(be.sumSquares(s.dw));
        if (sn > this.clipnorm) be.scale(s.dw, s.dw, this.clipnorm / sn, s.dw.length);
      }
    }
    this.iterations++;
    for (const seg of segments) this.update(be, seg.w, seg.g, this.stateOf(be, seg), seg.length);
  }

  /** Copies of the state buffers, for a resumable artifact. */
  getState(be: Backend): Float32Array[] {
    return this.state.map((s) => be.read(s) as Float32Array);
  }

  setState(be: Backend, state: Float32Array[], iterations: number): void {
    if (state.length !== this.state.length || state.some((s, i) => s.length !== this.state[i].length)) {
      fail('E_FORMAT', `${this.name}: optimizer state does not match this model's parameters`);
    }
    state.forEach((s, i) => be.write(this.state[i], s));
    this.iterations = iterations;
  }

  protected clipConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = {};
    if (this.clipnorm !== null) c.clipnorm = this.clipnorm;
    if (this.clipvalue !== null) c.clipvalue = this.clipvalue;
    if (this.globalClipnorm !== null) c.globalClipnorm = this.globalClipnorm;
    return c;
  }
}

export class SGD extends Optimizer {
  readonly name = 'sgd';
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(opts: SgdOptions = {}) {
    const where = 'optimizers.sgd';
    const o = options(where, opts, ['learningRate', 'momentum', 'nesterov', ...CLIP_KEYS]);
    super(where, o, 0.01);
    this.momentum = fraction(where, 'momentum', o.momentum, 0);
    if (o.nesterov !== undefined && typeof o.nesterov !== 'boolean') fail('E_ARG', `${where}: nesterov must be true or false`);
    this.nesterov = o.nesterov === true;
  }
  protected slots() {
    return this.momentum === 0 ? 0 : 1;
  }
  protected update(be: Backend, w: Buf, g: Buf, state: readonly Buf[], n: number): void {
    be.sgdUpdate(w, g, state[0] ?? null, n, this.learningRate, this.momentum, this.nesterov);
  }
  getConfig() {
    return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov, ...this.clipConfig() };
  }
}

export class Adam extends Optimizer {
  readonly name = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(opts: AdamOptions = {}) {
    const where = 'optimizers.adam';
    const o = options(where, opts, ['learningRate', 'beta1', 'beta2', 'epsilon', ...CLIP_KEYS]);
    super(where, o, 0.001);
    this.beta1 = fraction(where, 'beta1', o.beta1, 0.9);
    this.beta2 = fraction(where, 'beta2', o.beta2, 0.999);
    this.epsilon = positive(where, 'epsilon', o.epsilon, 1e-7);
  }
  protected slots() {
    return 2;
  }
  protected update(be: Backend, w: Buf, g: Buf, state: readonly Buf[], n: number): void {
    const t = this.iterations;
    const lrT = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    be.adamUpdate(w, g, state[0], state[1], n, lrT, this.beta1, this.beta2, this.epsilon);
  }
  getConfig() {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, ...this.clipConfig() };
  }
}

export class RMSprop extends Optimizer {
  readonly name = 'rmsprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  constructor(opts: RmspropOptions = {}) {
    const where = 'optimizers.rmsprop';
    const o = options(where, opts, ['learningRate', 'rho', 'momentum', 'epsilon', ...CLIP_KEYS]);
    super(where, o, 0.001);
    this.rho = fraction(where, 'rho', o.rho, 0.9);
    this.momentum = fraction(where, 'momentum', o.momentum, 0);
    this.epsilon = positive(where, 'epsilon', o.epsilon, 1e-7);
  }
  protected slots() {
    return this.momentum === 0 ? 1 : 2;
  }
  protected update(be: Backend, w: Buf, g: Buf, state: readonly Buf[], n: number): void {
    be.rmspropUpdate(w, g, state[0], state[1] ?? null, n, this.learningRate, this.rho, this.epsilon, this.momentum);
  }
  getConfig() {
    return { learningRate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, ...this.clipConfig() };
  }
}

export class Adagrad extends Optimizer {
  readonly name = 'adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(opts: AdagradOptions = {}) {
    const where = 'optimizers.adagrad';
    const o = options(where, opts, ['learningRate', 'initialAccumulatorValue', 'epsilon', ...CLIP_KEYS]);
    super(where, o, 0.001);
    this.initialAccumulatorValue = positive(where, 'initialAccumulatorValue', o.initialAccumulatorValue, 0.1, true);
    this.epsilon = positive(where, 'epsilon', o.epsilon, 1e-7);
  }
  protected slots() {
    return 1;
  }
  protected override initState(be: Backend): void {
    be.fill(this.state[0], this.initialAccumulatorValue);
  }
  protected update(be: Backend, w: Buf, g: Buf, state: readonly Buf[], n: number): void {
    be.adagradUpdate(w, g, state[0], n, this.learningRate, this.epsilon);
  }
  getConfig() {
    return {
      learningRate: this.learningRate,
      initialAccumulatorValue: this.initialAccumulatorValue,
      epsilon: this.epsilon,
      ...this.clipConfig(),
    };
  }
}

/** Factories, TF.js style: optimizers.adam({ learningRate: 1e-3 }). */
export const optimizers = {
  sgd: (o?: SgdOptions) => new SGD(o),
  adam: (o?: AdamOptions) => new Adam(o),
  rmsprop: (o?: RmspropOptions) => new RMSprop(o),
  adagrad: (o?: AdagradOptions) => new Adagrad(o),
};

/** A name or an instance; names get Keras defaults. */
export function getOptimizer(v: unknown): Optimizer {
  if (v instanceof Optimizer) return v;
  if (v === 'sgd') return new SGD();
  if (v === 'adam') return new Adam();
  if (v === 'rmsprop') return new RMSprop();
  if (v === 'adagrad') return new Adagrad();
  return fail('E_ARG', `compile: optimizer must be 'sgd', 'adam', 'rmsprop', 'adagrad' or an optimizers.*() instance, got ${describe(v)}`);
}

/** Rebuild from a saved { name, config }. */
export function optimizerFromConfig(name: string, config: Record<string, unknown>): Optimizer {
  const f = (optimizers as Record<string, (o: Record<string, unknown>) => Optimizer>)[name];
  if (!f) fail('E_FORMAT', `unknown optimizer '${name}' in artifact`);
  return f(config);
}
