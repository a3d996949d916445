/**
 * The layer contract, in two parts:
 *
 *  - `Layer`: what a user configures and shares — options, weights (owned
 *    once, however often the layer is called), shape inference, and `apply`,
 *    which adds a node to a functional graph.
 *  - `LayerRun`: one call site of a layer inside one model — the buffers of
 *    that node's activations and gradients, and its forward and backward
 *    passes. A layer called at three nodes has three runs sharing one set of
 *    weights; each run adds its weight gradients into the model's gradient
 *    block (`+=`), so the sites' gradients sum.
 *
 * Shapes exclude the batch axis: [T, F] for sequences, [F] for vectors;
 * -1 marks a dimension known only at run time (symbolic shapes only). A mask,
 * when one flows with a tensor, is a float32 (B,T) buffer of 1 (valid) /
 * 0 (masked). Activations are batch-major, Keras layout: (B,T,F) or (B,F).
 */
import type { Backend, Buf } from '../backend/backend.js';
import { WasmRnnError, describe, fail } from '../errors.js';
import type { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { Node, SymbolicTensor } from './symbolic.js';

export type Shape = readonly number[];
export type DType = 'float32' | 'int32';

/** What a tensor is, without the batch axis. */
export interface TensorSpec {
  shape: Shape;
  dtype: DType;
  /** a Keras mask flows with it */
  masked: boolean;
}

/** A weight as Keras lists it: name, shape, and how to initialise it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  init: (rng: Rng, shape: number[]) => Float32Array;
}

/** A weight of one layer as one model sees it: the layer's values, the model's gradient. */
export interface WeightSlot {
  spec: WeightSpec;
  /** view into the layer's weight block (shared by every model holding the layer) */
  w: Buf;
  /** view into the model's gradient block */
  dw: Buf;
}

/**
 * How a node called its layer. Its inputs, in order: the data inputs, the
 * initial states, an explicit mask for each data input that has one (in
 * input order), then the tensor call options present (in `extra`'s order).
 * Only data inputs and initial states receive gradients.
 */
export interface CallArgs {
  nInputs: number;
  nStates: number;
  /** per data input: an explicit mask for it is among the inputs */
  masks: readonly boolean[];
  /** the layer's tensor call options that were given (e.g. attentionMask), in input order */
  extra: readonly string[];
  /** force training (true) or inference (false) behaviour; null follows the model */
  training: boolean | null;
  /** the layer's other call options (e.g. useCausalMask) */
  options: Readonly<Record<string, unknown>>;
}

/** A call with one data input and nothing else. */
export const PLAIN_CALL: CallArgs = Object.freeze({
  nInputs: 1,
  nStates: 0,
  masks: Object.freeze([false]),
  extra: Object.freeze([]),
  training: null,
  options: Object.freeze({}),
});

/** Where the explicit mask of data input i sits among a node's inputs, or -1. */
export function maskSlot(call: CallArgs, i: number): number {
  if (!call.masks[i]) return -1;
  let k = call.nInputs + call.nStates;
  for (let j = 0; j < i; j++) if (call.masks[j]) k++;
  return k;
}

/** Where tensor call option `name` sits among a node's inputs, or -1. */
export function extraSlot(call: CallArgs, name: string): number {
  const j = call.extra.indexOf(name);
  if (j < 0) return -1;
  let k = call.nInputs + call.nStates;
  for (const m of call.masks) if (m) k++;
  return k + j;
}

/** Per-call facts every run needs; one object per model, updated in place. */
export interface RunContext {
  backend: Backend;
  /** batch rows in this call (<= the planned capacity) */
  B: number;
  training: boolean;
  /** fresh 32-bit seed for this call's randomness (dropout) */
  nextSeed: () => number;
  /** step mode (predictStep): recurrent layers continue from, and keep, their states */
  stepping: boolean;
}

/** A tensor's value during one call: its buffer, its mask, and its concrete shape (written in place). */
export interface Value {
  buf: Buf;
  mask: Buf | null;
  shape: number[];
}

/** The ids a layer reads are integers in [0, count); `option` is the layer option that sets count. */
export interface IdBound {
  count: number;
  option: string;
}

/** Hands out buffers for one plan; the model frees them all together. */
export type PlanAlloc = (length: number, dtype?: DType) => Buf;

export interface ApplyOptions {
  /** initial states of a recurrent layer: [h] or [h, c] (Bidirectional: forward's, then backward's) */
  initialState?: SymbolicTensor[];
  /**
   * an explicit (batch, timesteps) mask, overriding the one that flows with
   * the input; for a layer of several inputs, one per input (null: none)
   */
  mask?: SymbolicTensor | (SymbolicTensor | null)[];
  /** force training (true) or inference (false) behaviour at this call */
  training?: boolean;
  /** a layer's own call options (attention: useCausalMask, attentionMask, ...) */
  [option: string]: unknown;
}

let uid = 0;

/** A layer's weights in one block of the arena, shared by every model holding the layer. */
export interface WeightBlock {
  backend: Backend;
  buf: Buf;
  views: Buf[];
  /** models holding the layer */
  users: number;
}

/** One call site of a layer inside one model: buffers, forward and backward. */
export abstract class LayerRun {
  /**
   * The model sets this when output 0 feeds a loss fused with this run's
   * activation: backward then receives dL/dz and skips the activation.
   */
  fusedHead = false;

  /** Take the buffers for batches up to B with inputs up to these shapes. */
  abstract plan(alloc: PlanAlloc, B: number, inShapes: readonly Shape[], backend: Backend): void;

  /** Fill every output Value (buffer, mask, shape) from the inputs. */
  abstract forward(ctx: RunContext, ins: readonly Value[], outs: Value[]): void;

  /**
   * Backward from dL/d(outputs) (null: no gradient reaches that output).
   * Adds weight gradients into the slots' dw (+=) and writes dL/d(input k)
   * into dIns[k] where need[k] (a buffer the run owns, or a dOut passed
   * through), null elsewhere.
   */
  abstract backward(ctx: RunContext, dOuts: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void;

  /** The pre-activation of output 0 and its activation, when a loss can fuse with it. */
  logits(): { z: Buf; activation: string } | null {
    return null;
  }

  /**
   * predictStep feeds one step at a time and keeps no history but recurrent
   * states: a run that needs other steps than the current one throws here
   * (E_STATE). Every run is checked before any of them moves a state.
   */
  checkStep(): void {}

  /** Drop per-sequence state (stateful layers, predictStep). */
  resetStates(_backend: Backend): void {}

  /** Free buffers the run owns beyond the model's plan (carried states). */
  dispose(_backend: Backend): void {}
}

/** What apply returns for a layer whose options are O: several tensors with returnState, else one. */
export type Applied<O> = O extends { returnState: true } ? SymbolicTensor[] : SymbolicTensor;

/**
 * `Out` types what apply returns: one tensor for most layers; recurrent
 * layers and Bidirectional return one or several (their factories narrow it
 * from the options).
 */
export abstract class Layer<Out extends SymbolicTensor | SymbolicTensor[] = SymbolicTensor | SymbolicTensor[]> {
  /** Keras class name, used in summaries and artifacts. */
  abstract readonly className: string;
  readonly name: string;
  /** false: the optimizer leaves this layer's weights alone (saved with the model) */
  trainable = true;
  /** the shapes of the first call (Keras's layer.inputShape / outputShape) */
  inputShape: Shape | null = null;
  outputShape: Shape | null = null;
  /** @internal the nodes where this layer was called, in order */
  readonly inboundNodes: Node[] = [];
  /** @internal the layer's weight block and its views (allocated by the first model that builds it) */
  weightBlock: WeightBlock | null = null;
  protected built = false;

  /**
   * @internal For a layer whose input holds token ids (Embedding,
   * TokenAndPositionEmbedding): how many ids there are, and the option that
   * says so, named when staging finds an id out of range. null: floats.
   */
  get idBound(): IdBound | null {
    return null;
  }

  constructor(name: string | undefined, prefix: string) {
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
      fail('E_ARG', `${prefix}: name must be a non-empty string, got ${describe(name)}`);
    }
    this.name = name ?? `${prefix}_${++uid}`;
  }

  /** Declare weights from the first call's data inputs (their shapes fix the weights' shapes). */
  protected abstract build(inputs: readonly TensorSpec[]): void;

  /** Weight specs in Keras order (known after the first call). */
  abstract weightSpecs(): WeightSpec[];

  /**
   * The output specs of one call; throws E_SHAPE (or E_ARG) naming the layer
   * when the inputs do not fit. Called with symbolic shapes when the graph is
   * built and with concrete ones when a plan is sized.
   */
  abstract computeOutputs(inputs: readonly TensorSpec[], call: CallArgs): TensorSpec[];

  /** A run for one node of one model. `slots` are this layer's weights as that model sees them. */
  abstract createRun(call: CallArgs, inputs: readonly TensorSpec[], slots: readonly WeightSlot[]): LayerRun;

  /** Plain JSON of the options that rebuild this layer (Keras/TF.js names). */
  abstract getConfig(): Record<string, unknown>;

  /** How many initial-state inputs a call may take (recurrent layers). */
  protected stateArity(): readonly number[] {
    return [0];
  }

  /** How many data inputs a call takes: [min, max]. */
  protected inputArity(): readonly [number, number] {
    return [1, 1];
  }

  /** Whether a call takes exactly one data input (what a wrapper such as TimeDistributed can feed). */
  get singleInput(): boolean {
    const [lo, hi] = this.inputArity();
    return lo === 1 && hi === 1;
  }

  /** Whether a call may pass an explicit mask. */
  protected acceptsMask(): boolean {
    return false;
  }

  /** The layer's own call options that are values (e.g. useCausalMask), checked by computeOutputs. */
  protected callOptionKeys(): readonly string[] {
    return [];
  }

  /** The layer's own call options that are tensors (e.g. attentionMask): they become inputs of the node. */
  protected tensorOptionKeys(): readonly string[] {
    return [];
  }

  /** Its first output has a pre-activation a cross-entropy loss can read (its run's logits()). */
  get fusable(): boolean {
    return false;
  }

  get isBuilt(): boolean {
    return this.built;
  }

  private explicitMasks(where: string, xs: readonly SymbolicTensor[], mask: ApplyOptions['mask']): (SymbolicTensor | null)[] {
    return explicitMasksOf(this, where, xs, mask);
  }

  /** @internal Build from these data inputs unless built (wrappers build their inner layers so). */
  buildWith(inputs: readonly TensorSpec[]): void {
    if (this.built) return;
    this.build(inputs);
    this.built = true;
    this.inputShape = inputs[0].shape;
  }

  /**
   * Call the layer on symbolic tensors: adds a node to the graph and returns
   * its output(s) — one tensor, or an array when the layer has several
   * outputs (returnState, mergeMode null). The first call fixes the weights'
   * shapes; a failed call leaves the layer as it was.
   */
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[], opts: ApplyOptions = {}): Out {
    const where = `${this.name}.apply`;
    const xs = Array.isArray(inputs) ? [...inputs] : [inputs];
    xs.forEach((x, i) => checkSymbolic(where, xs.length > 1 ? `inputs[${i}]` : 'input', x));
    if (opts === null || typeof opts !== 'object') fail('E_ARG', `${where}: options must be an object, got ${describe(opts)}`);
    const values = this.callOptionKeys();
    const tensors = this.tensorOptionKeys();
    const keys = ['initialState', 'mask', 'training', ...values, ...tensors];
    for (const k of Object.keys(opts)) {
      if (!keys.includes(k)) fail('E_ARG', `${where}: unknown option '${k}' (supported: ${keys.join(', ')})`);
    }
    const [lo, hi] = this.inputArity();
    if (xs.length < lo || xs.length > hi) {
      fail('E_ARG', `${where}: ${this.className} takes ${lo === hi ? lo : `${lo} to ${hi}`} input${hi > 1 ? 's' : ''}, got ${xs.length}`);
    }
    const states = opts.initialState === undefined ? [] : opts.initialState;
    if (!Array.isArray(states)) fail('E_ARG', `${where}: initialState must be an array of tensors, got ${describe(states)}`);
    states.forEach((s, i) => checkSymbolic(where, `initialState[${i}]`, s));
    const arity = this.stateArity();
    if (states.length > 0 && !arity.includes(states.length)) {
      fail(
        'E_ARG',
        arity.length === 1
          ? `${where}: ${this.className} takes no initialState`
          : `${where}: initialState must hold ${arity.filter((n) => n > 0).join(' or ')} tensors for this ${this.className}, got ${states.length}`,
      );
    }
    const masks = this.explicitMasks(where, xs, opts.mask);
    if (opts.training !== undefined && typeof opts.training !== 'boolean')
      fail('E_ARG', `${where}: training must be true or false, got ${describe(opts.training)}`);
    const extra = tensors.filter((k) => opts[k] !== undefined && opts[k] !== null);
    extra.forEach((k) => checkSymbolic(where, k, opts[k]));
    const options: Record<string, unknown> = {};
    for (const k of values) if (opts[k] !== undefined) options[k] = opts[k];
    const all = [...xs, ...states, ...masks.filter((m): m is SymbolicTensor => m !== null), ...extra.map((k) => opts[k] as SymbolicTensor)];
    const call: CallArgs = {
      nInputs: xs.length,
      nStates: states.length,
      masks: masks.map((m) => m !== null),
      extra,
      training: opts.training ?? null,
      options,
    };
    const specs = all.map((t) => t.spec);
    const first = !this.built;
    let outs: TensorSpec[];
    try {
      if (first) this.build(specs.slice(0, xs.length));
      this.built = true;
      outs = this.computeOutputs(specs, call);
    } catch (e) {
      if (first) this.built = false;
      if (e instanceof WasmRnnError) throw e;
      throw new WasmRnnError('E_SHAPE', `${this.name}: ${(e as Error).message}`);
    }
    if (first) {
      this.inputShape = xs[0].spec.shape;
      this.outputShape = outs[0].shape;
    }
    const node = new Node(this, all, call, outs);
    this.inboundNodes.push(node);
    return (node.outputs.length === 1 ? node.outputs[0] : node.outputs) as Out;
  }

  /** Output width per step (last dim of the first call's first output). */
  get units(): number {
    const s = this.outputShape;
    if (!s) fail('E_STATE', `${this.name}: layer is not built yet`);
    return s[s.length - 1];
  }

  /** The layer's weights in Keras order (e.g. an Embedding's trained vectors). */
  getWeights(): Tensor[] {
    const specs = this.weightSpecs();
    if (specs.length === 0) return [];
    const b = this.allocated('getWeights');
    return specs.map((s, k) => new Tensor(b.backend.read(b.views[k]) as Float32Array, s.shape));
  }

  /** Overwrite the layer's weights (same order and shapes as getWeights); checked fully before anything is written. */
  setWeights(weights: Tensor[]): void {
    const where = `${this.name}.setWeights`;
    const specs = this.weightSpecs();
    if (!Array.isArray(weights) || weights.length !== specs.length) {
      fail(
        'E_ARG',
        `${where}: expected ${specs.length} tensors (${specs.map((s) => `${s.name} [${s.shape}]`).join(', ')}), got ${describe(weights)}`,
      );
    }
    if (specs.length === 0) return;
    const b = this.allocated('setWeights');
    weights.forEach((t, i) => {
      if (!(t instanceof Tensor)) fail('E_ARG', `${where}: weights[${i}] must be a Tensor, got ${describe(t)}`);
      if (t.shape.join(',') !== specs[i].shape.join(','))
        fail('E_SHAPE', `${where}: weights[${i}] (${specs[i].name}) must have shape [${specs[i].shape}], got [${t.shape}]`);
      for (let k = 0; k < t.data.length; k++)
        if (t.data[k] - t.data[k] !== 0) fail('E_ARG', `${where}: weights[${i}] (${specs[i].name}) holds ${t.data[k]}`);
    });
    weights.forEach((t, i) => b.backend.write(b.views[i], t.data));
  }

  private allocated(what: string): WeightBlock {
    if (!this.weightBlock) {
      fail(
        'E_STATE',
        `${this.name}.${what}: the layer's weights do not exist yet; they are made when a model holding the layer is built (model.build(), fit, predict or getWeights)`,
      );
    }
    return this.weightBlock;
  }

  /** Number of scalar weights (the layer must have been called once). */
  countParams(): number {
    if (!this.built)
      fail('E_STATE', `${this.name}.countParams: the layer is not built yet; call it on an input (or add it to a model) first`);
    return this.weightSpecs().reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }
}

/** Per data input, its explicit mask or null; each (batch, T) with T the input's time steps. */
function explicitMasksOf(
  layer: Layer,
  where: string,
  xs: readonly SymbolicTensor[],
  mask: ApplyOptions['mask'],
): (SymbolicTensor | null)[] {
  if (mask === undefined || mask === null) return xs.map(() => null);
  if (!(layer as unknown as { acceptsMask(): boolean }).acceptsMask()) fail('E_ARG', `${where}: ${layer.className} takes no explicit mask`);
  const list = Array.isArray(mask) ? mask : [mask];
  if (list.length !== xs.length) {
    fail(
      'E_ARG',
      `${where}: mask must hold one entry (a tensor or null) per input (${xs.length}), got ${Array.isArray(mask) ? list.length : 'one tensor'}`,
    );
  }
  return list.map((m, i) => {
    if (m === null || m === undefined) return null;
    checkSymbolic(where, xs.length > 1 ? `mask[${i}]` : 'mask', m);
    const s = m.spec.shape;
    const T = xs[i].spec.shape[0];
    if (s.length !== 1 || (s[0] >= 0 && T >= 0 && s[0] !== T)) {
      fail('E_SHAPE', `${where}: ${xs.length > 1 ? `mask[${i}]` : 'mask'} must have shape (batch, ${T < 0 ? 'timesteps' : T}), got ${m}`);
    }
    return m;
  });
}

function checkSymbolic(where: string, what: string, v: unknown): void {
  if (v instanceof SymbolicTensor) return;
  const hint =
    v && typeof v === 'object' && 'data' in v
      ? ' (apply builds a graph from symbolic tensors made with input(); to compute on data, put the layers in a model and call predict)'
      : '';
  fail('E_ARG', `${where}: ${what} must be a symbolic tensor from input() or another layer's apply(), got ${describe(v)}${hint}`);
}

/** Error helper: the layer and the option that was wrong. */
export function layerError(layer: string, message: string): never {
  fail('E_ARG', `${layer}: ${message}`);
}

/** Elements of a concrete shape. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * One buffer spanning weights laid out next to each other (a layer's weight
 * block, and its gradients in the model's block, keep weight order without
 * gaps).
 */
export function span(be: Backend, slots: readonly WeightSlot[], which: 'w' | 'dw'): Buf {
  const first = slots[0][which];
  let length = 0;
  for (const s of slots) {
    if (s[which].off !== first.off + length) fail('E_STATE', 'span: weights are not adjacent');
    length += s[which].length;
  }
  const root = first.root ?? first;
  return be.view(root, first.off - root.off, length);
}
