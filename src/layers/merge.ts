/**
 * Merge layers (Keras): several tensors of one shape in, one out.
 *
 *   add       y = Σ x_i                 dx_i = dy
 *   subtract  y = x_0 − x_1             dx_0 = dy, dx_1 = −dy
 *   multiply  y = Π x_i                 dx_i = dy ⊙ Π_{j≠i} x_j
 *   average   y = Σ x_i / n             dx_i = dy / n
 *   maximum   y = max_i x_i             dx_i = dy where input i holds the max
 *             (on a tie the earliest input holds it and gets all of dy)
 *   concatenate along `axis` (default −1, the features): each input's block
 *   copied into place; dx_i is its block of dy.
 *
 * Masks (Keras): element-wise merges and a feature-axis concatenate keep
 * a step valid only where every input's mask is (the product of the masks
 * that flow); concatenating along time joins the masks (all-valid where an
 * input has none).
 */
import type { Backend, Buf } from '../backend/backend.js';
import { describe, fail } from '../errors.js';
import {
  Layer,
  LayerRun,
  sizeOf,
  type CallArgs,
  type PlanAlloc,
  type RunContext,
  type Shape,
  type TensorSpec,
  type Value,
  type WeightSpec,
} from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { options } from './options.js';

type Op = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum';

const CLASS: Record<Op, string> = { add: 'Add', subtract: 'Subtract', multiply: 'Multiply', average: 'Average', maximum: 'Maximum' };

export interface MergeOptions {
  name?: string;
}

/** The mask of merged inputs: the product of those that flow (written into `out`), or the only one, or null. */
function mergeMasks(be: Backend, ins: readonly Value[], n: number, N: number, out: Buf): Buf | null {
  let mask: Buf | null = null;
  for (let i = 0; i < n; i++) {
    const m = ins[i].mask;
    if (!m) continue;
    if (!mask) mask = m;
    else {
      be.mul(out, mask, m, N);
      mask = out;
    }
  }
  return mask;
}

function checkFloat(layer: Layer, xs: readonly TensorSpec[]): void {
  xs.forEach((x, i) => {
    if (x.dtype !== 'float32') fail('E_SHAPE', `${layer.name}: ${layer.className} takes float32 inputs, input ${i} is ${x.dtype}`);
  });
}

export class ElementwiseMerge extends Layer<SymbolicTensor> {
  readonly className: string;

  constructor(
    readonly op: Op,
    opts: MergeOptions = {},
  ) {
    const where = `layers.${op}`;
    const o = options(where, opts, ['name']);
    super(o.name as string | undefined, op);
    this.className = CLASS[op];
  }

  protected override inputArity(): readonly [number, number] {
    return this.op === 'subtract' ? [2, 2] : [2, 64];
  }

  protected build(): void {}

  computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[] {
    const xs = inputs.slice(0, call.nInputs);
    checkFloat(this, xs);
    const s = xs[0].shape;
    xs.forEach((x, i) => {
      const same = x.shape.length === s.length && x.shape.every((d, j) => d === s[j] || d < 0 || s[j] < 0);
      if (!same)
        fail(
          'E_SHAPE',
          `${this.name}: ${this.className} needs inputs of one shape; input 0 is (batch, ${s.join(', ')}), input ${i} is (batch, ${x.shape.join(', ')})`,
        );
    });
    const shape = s.map((d, j) => (d >= 0 ? d : Math.max(...xs.map((x) => x.shape[j]))));
    return [{ shape, dtype: 'float32', masked: xs.some((x) => x.masked) }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(call: CallArgs): LayerRun {
    return new ElementwiseRun(this.op, call.nInputs);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

class ElementwiseRun extends LayerRun {
  private y!: Buf;
  private mask!: Buf;
  private neg!: Buf;
  /** maximum: which input holds each element */
  private arg!: Buf;
  private d: Buf[] = [];
  private n = 0;
  private ins: readonly Value[] = [];

  constructor(
    private readonly op: Op,
    private readonly k: number,
  ) {
    super();
  }

  plan(alloc: PlanAlloc, B: number, inShapes: readonly Shape[]): void {
    const n = B * sizeOf(inShapes[0]);
    this.y = alloc(n);
    this.mask = alloc(inShapes[0].length > 1 ? B * inShapes[0][0] : 1);
    this.neg = alloc(n);
    if (this.op === 'maximum') this.arg = alloc(n, 'int32');
    // dx_i for multiply and maximum (one per input); average shares one
    const nd = this.op === 'multiply' || this.op === 'maximum' ? this.k : this.op === 'average' ? 1 : 0;
    this.d = Array.from({ length: nd }, () => alloc(n));
  }

  forward(ctx: RunContext, ins: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    const x0 = ins[0];
    const n = (this.n = ctx.B * sizeOf(x0.shape));
    this.ins = ins;
    const y = this.y;
    switch (this.op) {
      case 'add':
      case 'average':
        be.add(y, ins[0].buf, ins[1].buf, n);
        for (let i = 2; i < this.k; i++) be.axpy(y, ins[i].buf, 1, n);
        if (this.op === 'average') be.scale(y, y, 1 / this.k, n);
        break;
      case 'subtract':
        be.copy(y, ins[0].buf, n);
        be.axpy(y, ins[1].buf, -1, n);
        break;
      case 'multiply':
        be.mul(y, ins[0].buf, ins[1].buf, n);
        for (let i = 2; i < this.k; i++) be.mul(y, y, ins[i].buf, n);
        break;
      case 'maximum':
        for (let i = 0; i < this.k; i++) be.run('maximumForward', { y, arg: this.arg, x: ins[i].buf, n, index: i });
        break;
    }
    out.buf = y;
    for (let j = 0; j < x0.shape.length; j++) out.shape[j] = x0.shape[j];
    out.mask = x0.shape.length > 1 ? mergeMasks(be, ins, this.k, ctx.B * x0.shape[0], this.mask) : null;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    const be = ctx.backend;
    const n = this.n;
    for (let i = 0; i < this.k; i++) dIns[i] = null;
    if (!dy) return;
    switch (this.op) {
      case 'add':
        for (let i = 0; i < this.k; i++) if (need[i]) dIns[i] = dy;
        break;
      case 'average':
        be.scale(this.d[0], dy, 1 / this.k, n);
        for (let i = 0; i < this.k; i++) if (need[i]) dIns[i] = this.d[0];
        break;
      case 'subtract':
        if (need[0]) dIns[0] = dy;
        if (need[1]) {
          be.scale(this.neg, dy, -1, n);
          dIns[1] = this.neg;
        }
        break;
      case 'multiply':
        for (let i = 0; i < this.k; i++) {
          if (!need[i]) continue;
          const d = this.d[i];
          let first = true;
          for (let j = 0; j < this.k; j++) {
            if (j === i) continue;
            if (first) be.mul(d, dy, this.ins[j].buf, n);
            else be.mul(d, d, this.ins[j].buf, n);
            first = false;
          }
          dIns[i] = d;
        }
        break;
      case 'maximum':
        for (let i = 0; i < this.k; i++) {
          if (!need[i]) continue;
          be.run('maximumBackward', { dx: this.d[i], dy, arg: this.arg, n, index: i });
          dIns[i] = this.d[i];
        }
        break;
    }
  }
}

export interface ConcatenateOptions {
  /** the axis to join on, counting the batch axis as 0 (default −1, the last) */
  axis?: number;
  name?: string;
}

export class Concatenate extends Layer<SymbolicTensor> {
  readonly className = 'Concatenate';
  readonly axis: number;

  constructor(opts: ConcatenateOptions = {}) {
    const where = 'layers.concatenate';
    const o = options(where, opts, ['axis', 'name']);
    super(o.name as string | undefined, 'concatenate');
    const a = o.axis ?? -1;
    if (!Number.isInteger(a) || a === 0)
      fail('E_ARG', `${where}: axis must be a non-zero integer (the batch axis 0 cannot be joined), got ${describe(o.axis)}`);
    this.axis = a as number;
  }

  protected override inputArity(): readonly [number, number] {
    return [2, 64];
  }

  protected build(): void {}

  /** The axis in per-sample shapes (without the batch axis). */
  private axisIn(rank: number): number {
    const a = this.axis < 0 ? rank + 1 + this.axis : this.axis;
    if (a < 1 || a > rank) fail('E_ARG', `${this.name}: axis ${this.axis} is out of range for inputs of rank ${rank + 1}`);
    return a - 1;
  }

  computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[] {
    const xs = inputs.slice(0, call.nInputs);
    checkFloat(this, xs);
    const rank = xs[0].shape.length;
    const a = this.axisIn(rank);
    xs.forEach((x, i) => {
      const ok = x.shape.length === rank && x.shape.every((d, j) => j === a || d === xs[0].shape[j] || d < 0 || xs[0].shape[j] < 0);
      if (!ok)
        fail(
          'E_SHAPE',
          `${this.name}: Concatenate on axis ${this.axis} needs inputs that agree on every other axis; input 0 is (batch, ${xs[0].shape.join(', ')}), input ${i} is (batch, ${x.shape.join(', ')})`,
        );
    });
    const shape = xs[0].shape.map((d, j) =>
      j === a
        ? xs.some((x) => x.shape[a] < 0)
          ? -1
          : xs.reduce((s, x) => s + x.shape[a], 0)
        : d >= 0
          ? d
          : Math.max(...xs.map((x) => x.shape[j])),
    );
    return [{ shape, dtype: 'float32', masked: xs.some((x) => x.masked) }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(call: CallArgs, inputs: readonly TensorSpec[]): LayerRun {
    return new ConcatRun(call.nInputs, this.axisIn(inputs[0].shape.length));
  }

  getConfig(): Record<string, unknown> {
    return { axis: this.axis, name: this.name };
  }
}

class ConcatRun extends LayerRun {
  private y!: Buf;
  private mask!: Buf;
  private ones!: Buf;
  private dx: Buf[] = [];
  /** per input: its block (elements from the axis on) in the last forward */
  private readonly block: number[];
  private outer = 0;
  private rowOut = 0;

  constructor(
    private readonly k: number,
    private readonly a: number,
  ) {
    super();
    this.block = new Array<number>(k).fill(0);
  }

  plan(alloc: PlanAlloc, B: number, inShapes: readonly Shape[], be: Backend): void {
    const xs = inShapes.slice(0, this.k);
    this.y = alloc(B * xs.reduce((s, x) => s + sizeOf(x), 0));
    // the output's time steps: joined along time, or the inputs' own
    const T = xs[0].length < 2 ? 1 : this.a === 0 ? xs.reduce((s, x) => s + x[0], 0) : xs[0][0];
    this.mask = alloc(B * T);
    this.ones = alloc(B * T);
    be.fill(this.ones, 1);
    this.dx = xs.map((x) => alloc(B * sizeOf(x)));
  }

  forward(ctx: RunContext, ins: readonly Value[], [out]: Value[]): void {
    const be = ctx.backend;
    const a = this.a;
    const s0 = ins[0].shape;
    let outer = ctx.B;
    for (let j = 0; j < a; j++) outer *= s0[j];
    let rowOut = 0;
    let axisLen = 0;
    for (let i = 0; i < this.k; i++) {
      const s = ins[i].shape;
      let b = 1;
      for (let j = a; j < s.length; j++) b *= s[j];
      this.block[i] = b;
      rowOut += b;
      axisLen += s[a];
    }
    let at = 0;
    for (let i = 0; i < this.k; i++) {
      be.copyRows(this.y, rowOut, ins[i].buf, this.block[i], outer, this.block[i], at, 0);
      at += this.block[i];
    }
    this.outer = outer;
    this.rowOut = rowOut;
    out.buf = this.y;
    for (let j = 0; j < s0.length; j++) out.shape[j] = s0[j];
    out.shape[a] = axisLen;
    out.mask = null;
    if (s0.length < 2) return;
    if (a > 0) {
      out.mask = mergeMasks(be, ins, this.k, ctx.B * s0[0], this.mask);
      return;
    }
    // joined along time: join the masks, all-valid where an input has none
    let any = false;
    for (let i = 0; i < this.k; i++) any ||= ins[i].mask !== null;
    if (!any) return;
    let t = 0;
    for (let i = 0; i < this.k; i++) {
      const Ti = ins[i].shape[0];
      const m = ins[i].mask;
      if (m) be.copyRows(this.mask, axisLen, m, Ti, ctx.B, Ti, t, 0);
      else be.copyRows(this.mask, axisLen, this.ones, Ti, ctx.B, Ti, t, 0);
      t += Ti;
    }
    out.mask = this.mask;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    let at = 0;
    for (let i = 0; i < this.k; i++) {
      dIns[i] = null;
      if (dy && need[i]) {
        ctx.backend.copyRows(this.dx[i], this.block[i], dy, this.rowOut, this.outer, this.block[i], 0, at);
        dIns[i] = this.dx[i];
      }
      at += this.block[i];
    }
  }
}
