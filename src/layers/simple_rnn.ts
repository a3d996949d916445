/**
 * SimpleRNN with Keras semantics and weight layout:
 *   h_t = act(x_t·kernel + h_{t-1}·recurrent_kernel + bias)
 *
 * Weights, in Keras order: kernel (I, H), recurrent_kernel (H, H), bias (H).
 * Defaults (Keras 2/3): activation tanh, glorotUniform kernel, orthogonal
 * recurrent kernel, zero bias.
 *
 * The math runs in one kernel call per pass (assembly/rnn.ts).
 */
import { packedSize, type Buf, type SimpleRnnBackwardArgs } from '../backend/backend.js';
import type { Backend } from '../backend/backend.js';
import { glorotUniform, orthogonal, zeros } from './initializers.js';
import type { CallArgs, PlanAlloc, WeightSlot, WeightSpec } from './layer.js';
import { Recurrent, RecurrentRun, type CellArgs, type RecurrentOptions } from './recurrent.js';

export type SimpleRnnOptions = RecurrentOptions;

export class SimpleRNN extends Recurrent {
  readonly className = 'SimpleRNN';
  readonly nStates = 1;

  constructor(opts: SimpleRnnOptions) {
    super('layers.simpleRNN', 'simple_rnn', opts, []);
  }

  weightSpecs(): WeightSpec[] {
    const I = this.inputDim;
    const H = this.units_;
    const specs: WeightSpec[] = [
      { name: 'kernel', shape: [I, H], init: glorotUniform },
      { name: 'recurrent_kernel', shape: [H, H], init: orthogonal },
    ];
    if (this.useBias) specs.push({ name: 'bias', shape: [H], init: zeros });
    return specs;
  }

  cellRun(slots: readonly WeightSlot[], call: CallArgs, flip: boolean): RecurrentRun {
    return new SimpleRnnRun(this, slots, call, flip);
  }

  getConfig(): Record<string, unknown> {
    return this.baseConfig();
  }
}

class SimpleRnnRun extends RecurrentRun {
  private args!: SimpleRnnBackwardArgs;

  protected planCell(alloc: PlanAlloc, B: number, T: number, _be: Backend): void {
    const { H, I } = this;
    const layer = this.layer;
    const w = (k: number) => this.slots[k];
    this.args = {
      hseq: this.hseq,
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
      whPacked: alloc(packedSize(H, H)),
      dx: this.dx,
      dwx: w(0).dw,
      dwh: w(1).dw,
      dbias: layer.useBias ? w(2).dw : null,
      dh0: null,
      dhseq: null,
      dhT: null,
      dz: alloc(B * T * H),
      hprev: alloc(B * T * H),
      dhBuf: alloc(2 * B * H),
    };
  }

  protected stateSeq(): Buf {
    return this.args.hseq;
  }

  protected get cellArgs(): CellArgs {
    return this.args;
  }

  protected runForward(be: Backend): void {
    be.simpleRnnForward(this.args);
  }

  protected runBackward(be: Backend): void {
    be.simpleRnnBackward(this.args);
  }
}
