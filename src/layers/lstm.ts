/**
 * LSTM with Keras semantics and weight layout, and an optional peephole
 * variant (Gers & Schmidhuber: i and f see c_{t-1}, o sees c_t).
 *
 * Weights, in Keras order:
 *   kernel (I, 4H), recurrent_kernel (H, 4H), bias (4H)           gates i, f, c, o
 *   peephole only: input_gate_peephole_weights (H),
 *                  forget_gate_peephole_weights (H),
 *                  output_gate_peephole_weights (H)   (TF PeepholeLSTMCell names)
 * Defaults (Keras 2/3): activation tanh, recurrentActivation sigmoid,
 * glorotUniform kernel, orthogonal recurrent kernel, zero bias with the
 * forget block set to 1 (unitForgetBias).
 *
 * The math runs in one kernel call per pass (assembly/lstm.ts).
 */
import { ACTIVATIONS, type ActivationName } from '../backend/abi.js';
import { packedSize, type Backend, type Buf, type LstmBackwardArgs } from '../backend/backend.js';
import { glorotUniform, orthogonal } from './initializers.js';
import { span, type CallArgs, type PlanAlloc, type WeightSlot, type WeightSpec } from './layer.js';
import { activation, bool } from './options.js';
import { Recurrent, RecurrentRun, type CellArgs, type RecurrentOptions } from './recurrent.js';

export interface LstmOptions extends RecurrentOptions {
  recurrentActivation?: ActivationName;
  unitForgetBias?: boolean;
  peephole?: boolean;
}

export class LSTM extends Recurrent {
  readonly className = 'LSTM';
  readonly nStates = 2;
  readonly recurrentActivation: ActivationName;
  readonly unitForgetBias: boolean;
  readonly peephole: boolean;

  constructor(opts: LstmOptions) {
    super('layers.lstm', 'lstm', opts, ['recurrentActivation', 'unitForgetBias', 'peephole']);
    const where = 'layers.lstm';
    this.recurrentActivation = activation(where, 'recurrentActivation', this.opts.recurrentActivation, 'sigmoid');
    this.unitForgetBias = bool(where, 'unitForgetBias', this.opts.unitForgetBias, true);
    this.peephole = bool(where, 'peephole', this.opts.peephole, false);
  }

  weightSpecs(): WeightSpec[] {
    const I = this.inputDim;
    const H = this.units_;
    const specs: WeightSpec[] = [
      { name: 'kernel', shape: [I, 4 * H], init: glorotUniform },
      { name: 'recurrent_kernel', shape: [H, 4 * H], init: orthogonal },
    ];
    if (this.useBias) {
      specs.push({
        name: 'bias',
        shape: [4 * H],
        init: () => {
          const b = new Float32Array(4 * H);
          if (this.unitForgetBias) b.fill(1, H, 2 * H);
          return b;
        },
      });
    }
    if (this.peephole) {
      // 1-D glorot: fan_in = fan_out = H, as Keras computes it
      for (const gate of ['input', 'forget', 'output']) {
        specs.push({ name: `${gate}_gate_peephole_weights`, shape: [H], init: glorotUniform });
      }
    }
    return specs;
  }

  cellRun(slots: readonly WeightSlot[], call: CallArgs, flip: boolean): RecurrentRun {
    return new LstmRun(this, slots, call, flip);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      recurrentActivation: this.recurrentActivation,
      unitForgetBias: this.unitForgetBias,
      peephole: this.peephole,
    };
  }
}

class LstmRun extends RecurrentRun {
  private args!: LstmBackwardArgs;

  protected planCell(alloc: PlanAlloc, B: number, T: number, be: Backend): void {
    const { H, I } = this;
    const layer = this.layer as LSTM;
    const w = (k: number) => this.slots[k];
    const peep = layer.peephole ? this.slots.slice(layer.useBias ? 3 : 2) : [];
    this.args = {
      hseq: this.hseq,
      cseq: alloc(B * T * H),
      gates: alloc(B * T * 4 * H),
      x: this.hseq,
      wx: w(0).w,
      wh: w(1).w,
      bias: layer.useBias ? w(2).w : null,
      // the kernel reads p_i, p_f, p_o as one (3H) vector
      peep: layer.peephole ? span(be, peep, 'w') : null,
      h0: this.hseq,
      c0: this.hseq,
      mask: null,
      B,
      T,
      I,
      H,
      goBackwards: layer.goBackwards,
      act: ACTIVATIONS[layer.activation],
      recAct: ACTIVATIONS[layer.recurrentActivation],
      whPacked: alloc(packedSize(H, 4 * H)),
      dx: this.dx,
      dwx: w(0).dw,
      dwh: w(1).dw,
      dbias: layer.useBias ? w(2).dw : null,
      dpeep: layer.peephole ? span(be, peep, 'dw') : null,
      dh0: null,
      dc0: null,
      dhseq: null,
      dhT: null,
      dcT: null,
      hprev: alloc(B * T * H),
      dhBuf: alloc(2 * B * H),
      dcBuf: alloc(B * H),
    };
  }

  protected stateSeq(k: number): Buf {
    return k === 0 ? this.args.hseq : this.args.cseq;
  }

  protected get cellArgs(): CellArgs {
    return this.args;
  }

  protected runForward(be: Backend): void {
    be.lstmForward(this.args);
  }

  protected runBackward(be: Backend): void {
    be.lstmBackward(this.args);
  }

  protected override setExtraInit(init: readonly Buf[]): void {
    this.args.c0 = init[1];
  }

  protected override setExtraGrad(dT: readonly (Buf | null)[], dInit: readonly (Buf | null)[]): void {
    this.args.dcT = dT[1];
    this.args.dc0 = dInit[1] ?? null;
  }
}
