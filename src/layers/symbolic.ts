/**
 * The functional graph's vocabulary: symbolic tensors (a shape and a dtype,
 * no data) and the nodes that connect them. `input()` makes a graph input;
 * `layer.apply(x)` adds a node and returns its outputs; `model({ inputs,
 * outputs })` closes the graph (models/graph.ts walks it).
 */
import { describe, fail } from '../errors.js';
import type { CallArgs, DType, Layer, Shape, TensorSpec } from './layer.js';

let tensorIds = 0;
let inputIds = 0;

/** A tensor in a graph under construction: what it will hold, and which node makes it. */
export class SymbolicTensor {
  /** @internal creation order: a stable key */
  readonly id = ++tensorIds;

  constructor(
    /** @internal shape without the batch axis (-1 = known at run time) */
    readonly spec: TensorSpec,
    /** @internal the node that produces it; null for a graph input */
    readonly node: Node | null,
    /** @internal which output of its node */
    readonly index: number,
    readonly name: string,
  ) {}

  /** Keras/TF.js shape: batch first, null where the size is known only at run time. */
  get shape(): (number | null)[] {
    return [null, ...this.spec.shape.map((d) => (d < 0 ? null : d))];
  }

  get dtype(): DType {
    return this.spec.dtype;
  }

  /** The layer that made it, or null for an input. */
  get sourceLayer(): Layer | null {
    return this.node?.layer ?? null;
  }

  toString(): string {
    return `'${this.name}' [${this.shape.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
  }
}

/** One call of a layer: its inputs (data, then initial states, then the mask) and its outputs. */
export class Node {
  readonly outputs: SymbolicTensor[];

  constructor(
    readonly layer: Layer,
    readonly inputs: readonly SymbolicTensor[],
    readonly call: CallArgs,
    outSpecs: readonly TensorSpec[],
  ) {
    const k = layer.inboundNodes.length;
    const base = k === 0 ? layer.name : `${layer.name}_${k}`;
    this.outputs = outSpecs.map((s, i) => new SymbolicTensor(s, this, i, outSpecs.length === 1 ? base : `${base}:${i}`));
  }
}

export interface InputOptions {
  /** shape without the batch axis; null for a size known only at run time (e.g. [null] for id sequences) */
  shape?: (number | null)[];
  /** Keras/TF.js spelling with the batch axis first (it must be null) */
  batchShape?: (number | null)[];
  /** 'float32' (default) or 'int32' (token ids) */
  dtype?: DType;
  name?: string;
}

/** A graph input: `input({ shape: [null], dtype: 'int32' })` for id sequences of any length. */
export function input(opts: InputOptions): SymbolicTensor {
  const where = 'input';
  if (!opts || typeof opts !== 'object') fail('E_ARG', `${where}: expected { shape, dtype?, name? }, got ${describe(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!['shape', 'batchShape', 'dtype', 'name'].includes(k))
      fail('E_ARG', `${where}: unknown option '${k}' (supported: shape, batchShape, dtype, name)`);
  }
  if ((opts.shape === undefined) === (opts.batchShape === undefined))
    fail('E_ARG', `${where}: give shape (without the batch axis) or batchShape, exactly one`);
  let raw = opts.shape;
  if (opts.batchShape !== undefined) {
    if (!Array.isArray(opts.batchShape) || opts.batchShape.length < 2)
      fail('E_ARG', `${where}: batchShape must be [null, ...dims], got ${describe(opts.batchShape)}`);
    if (opts.batchShape[0] !== null)
      fail('E_ARG', `${where}: a fixed batch size (batchShape[0] = ${describe(opts.batchShape[0])}) is not supported; use null`);
    raw = opts.batchShape.slice(1);
  }
  if (
    !Array.isArray(raw) ||
    raw.length < 1 ||
    raw.some((d) => d !== null && (!Number.isInteger(d) || (d as number) < 1 || (d as number) > 2 ** 24))
  ) {
    fail('E_ARG', `${where}: shape must be a non-empty array of positive integers or null (the batch axis left out), got ${describe(raw)}`);
  }
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') fail('E_ARG', `${where}: dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.length === 0))
    fail('E_ARG', `${where}: name must be a non-empty string`);
  const shape: Shape = raw.map((d) => (d === null ? -1 : (d as number)));
  return new SymbolicTensor({ shape, dtype, masked: false }, null, 0, opts.name ?? `input_${++inputIds}`);
}
