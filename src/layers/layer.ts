/**
 * The layer contract. A layer is built once (shapes known: it declares its
 * weights in Keras order), planned for a batch capacity (it takes activation
 * and scratch buffers from the model's plan), then runs forward and backward
 * through the Backend, never touching memory directly.
 *
 * Shapes exclude the batch axis: [T, F] for sequences, [F] for vectors.
 * A mask, when one flows, is a float32 (B,T) buffer of 1 (valid) / 0 (masked).
 * All activations are batch-major, Keras layout: (B,T,F) or (B,F).
 */
import type { Backend, Buf } from '../backend/backend.js';
import { fail } from '../errors.js';
import type { Rng } from '../rng.js';

export type Shape = readonly number[];

/** A weight as Keras lists it: name, shape, and how to initialise it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  init: (rng: Rng, shape: number[]) => Float32Array;
}

/** Where a layer's weights and their gradients live once the model is planned. */
export interface WeightSlot {
  spec: WeightSpec;
  /** view into the model's parameter block */
  w: Buf;
  /** view into the model's gradient block (same offsets) */
  dw: Buf;
}

/** Per-call facts every layer needs. */
export interface RunContext {
  backend: Backend;
  /** batch rows in this call (<= the planned capacity) */
  B: number;
  /** time steps in this call (<= the planned capacity) */
  T: number;
  training: boolean;
  /** fresh 32-bit seed for this call's randomness (dropout) */
  nextSeed: () => number;
  /** step mode (predictStep): recurrent layers continue from, and keep, their states */
  stepping: boolean;
}

/** Hands out buffers for one plan; the model frees them all together. */
export type PlanAlloc = (length: number, dtype?: 'float32' | 'int32') => Buf;

export interface LayerOutput {
  y: Buf;
  mask: Buf | null;
  /** extra outputs of a layer with returnState (h, then c) */
  states?: Buf[];
}

let uid = 0;

export abstract class Layer {
  /** Keras class name, used in summaries and artifacts. */
  abstract readonly className: string;
  readonly name: string;
  inputShape: Shape | null = null;
  outputShape: Shape | null = null;
  /** The model sets this when the layer's output is the logits of a fused loss. */
  fusedHead = false;
  weights: WeightSlot[] = [];
  protected built = false;

  constructor(name: string | undefined, prefix: string) {
    this.name = name ?? `${prefix}_${++uid}`;
  }

  /** Declare weights for `inputShape` and return the output shape. */
  abstract build(inputShape: Shape, inputMasked: boolean): Shape;

  /** Weight specs in Keras order (known after build). */
  abstract weightSpecs(): WeightSpec[];

  /** Whether the output carries a mask, given whether the input did. */
  outputMasked(inputMasked: boolean): boolean {
    return inputMasked;
  }

  /** Take the buffers this layer needs for batches up to B x T. */
  abstract plan(alloc: PlanAlloc, B: number, T: number, backend: Backend): void;

  abstract forward(ctx: RunContext, x: Buf, mask: Buf | null): LayerOutput;

  /**
   * Backward from dL/dy (and dL/dstates for returnState layers). Accumulates
   * weight gradients into the slots' dw (+=). Returns dL/dx, or null when
   * `needDx` is false.
   */
  abstract backward(ctx: RunContext, dy: Buf, needDx: boolean, dStates?: (Buf | null)[]): Buf | null;

  /** Plain JSON of the options that rebuild this layer (Keras/TF.js names). */
  abstract getConfig(): Record<string, unknown>;

  /** Drop per-sequence state (stateful layers). */
  resetStates(_backend: Backend): void {}

  /** Free buffers the layer owns beyond the model's plan (carried states). */
  dispose(_backend: Backend): void {}

  /** Output width per step (last dim). */
  get units(): number {
    const s = this.outputShape;
    if (!s) fail('E_STATE', `${this.name}: layer is not built yet`);
    return s[s.length - 1];
  }
}

/** Error helper: the layer and the option that was wrong. */
export function layerError(layer: string, message: string): never {
  fail('E_ARG', `${layer}: ${message}`);
}

/**
 * One buffer spanning weights that the model laid out next to each other
 * (the parameter block is packed in weight order, without gaps).
 */
export function span(be: Backend, slots: WeightSlot[], which: 'w' | 'dw'): Buf {
  const first = slots[0][which];
  let length = 0;
  for (const s of slots) {
    if (s[which].off !== first.off + length) fail('E_STATE', 'span: weights are not adjacent in the parameter block');
    length += s[which].length;
  }
  const root = first.root ?? first;
  return be.view(root, first.off - root.off, length);
}
