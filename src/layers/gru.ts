/**
 * GRU with Keras semantics and weight layout, gates z (update), r (reset),
 * h (candidate), in that order in every 3H axis:
 *
 *   z = σ(x W_z + h U_z + b_z)      r = σ(x W_r + h U_r + b_r)
 *   resetAfter = true:   hh = act(x W_h + b_h + r⊙(h U_h + b'_h))
 *   resetAfter = false:  hh = act(x W_h + b_h + (r⊙h) U_h)
 *   h_t = z⊙h_{t-1} + (1−z)⊙hh       (h = h_{t-1}; σ the recurrent activation)
 *
 * Weights, in Keras order: kernel (I, 3H), recurrent_kernel (H, 3H), and
 * bias (3H) when resetAfter is false, or (2, 3H) = [input bias; recurrent
 * bias] when it is true (the recurrent bias b' then applies to all three
 * gates' recurrent part).
 *
 * Defaults as Keras 3 (and Keras 2 / TF 2): activation tanh,
 * recurrentActivation sigmoid, resetAfter TRUE, glorotUniform kernel,
 * orthogonal recurrent kernel, zero bias. TF.js supports only
 * resetAfter: false; pass it explicitly for weights from, or for, TF.js.
 *
 * The math runs in one kernel call per pass (assembly/gru.ts).
 */
import { ACTIVATIONS, type ActivationName } from '../backend/abi.js';
import { gruPackedSize, type Backend, type Buf, type GruBackwardArgs } from '../backend/backend.js';
import { glorotUniform, orthogonal, zeros } from './initializers.js';
import type { CallArgs, PlanAlloc, WeightSlot, WeightSpec } from './layer.js';
import { activation, bool } from './options.js';
import { Recurrent, RecurrentRun, type CellArgs, type RecurrentOptions } from './recurrent.js';

export interface GruOptions extends RecurrentOptions {
  recurrentActivation?: ActivationName;
  /** Keras 3 default true; TF.js supports only false. */
  resetAfter?: boolean;
}

export class GRU extends Recurrent {
  readonly className = 'GRU';
  readonly nStates = 1;
  readonly recurrentActivation: ActivationName;
  readonly resetAfter: boolean;

  constructor(opts: GruOptions) {
    super('layers.gru', 'gru', opts, ['recurrentActivation', 'resetAfter']);
    const where = 'layers.gru';
    this.recurrentActivation = activation(where, 'recurrentActivation', this.opts.recurrentActivation, 'sigmoid');
    this.resetAfter = bool(where, 'resetAfter', this.opts.resetAfter, true);
  }

  weightSpecs(): WeightSpec[] {
    const I = this.inputDim;
    const H = this.units_;
    const specs: WeightSpec[] = [
      { name: 'kernel', shape: [I, 3 * H], init: glorotUniform },
      { name: 'recurrent_kernel', shape: [H, 3 * H], init: orthogonal },
    ];
    if (this.useBias) specs.push({ name: 'bias', shape: this.resetAfter ? [2, 3 * H] : [3 * H], init: zeros });
    return specs;
  }

  cellRun(slots: readonly WeightSlot[], call: CallArgs, flip: boolean): RecurrentRun {
    return new GruRun(this, slots, call, flip);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      recurrentActivation: this.recurrentActivation,
      resetAfter: this.resetAfter,
    };
  }
}

class GruRun extends RecurrentRun {
  private args!: GruBackwardArgs;

  protected planCell(alloc: PlanAlloc, B: number, T: number, _be: Backend): void {
    const { H, I } = this;
    const layer = this.layer as GRU;
    const w = (k: number) => this.slots[k];
    this.args = {
      hseq: this.hseq,
      gates: alloc(B * T * 3 * H),
      aux: alloc(B * T * H),
      x: this.hseq,
      wx: w(0).w,
      wh: w(1).w,
      bias: layer.useBias ? w(2).w : null,
      h0: this.hseq,
      mask: null,
      B,
      T,
      I,
      H,
      goBackwards: layer.goBackwards,
      act: layer.actId,
      recAct: ACTIVATIONS[layer.recurrentActivation],
      resetAfter: layer.resetAfter,
      whPacked: alloc(gruPackedSize(H)),
      dx: this.dx,
      dwx: w(0).dw,
      dwh: w(1).dw,
      dbias: layer.useBias ? w(2).dw : null,
      dh0: null,
      dhseq: null,
      dhT: null,
      hprev: alloc(B * T * H),
      dhBuf: alloc(3 * B * H),
    };
  }

  protected stateSeq(): Buf {
    return this.args.hseq;
  }

  protected get cellArgs(): CellArgs {
    return this.args;
  }

  protected runForward(be: Backend): void {
    be.gruForward(this.args);
  }

  protected runBackward(be: Backend): void {
    be.gruBackward(this.args);
  }
}
