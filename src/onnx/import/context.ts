/**
 * What an op handler sees: its node, typed attributes, its inputs' values,
 * and the importer's shared state (roles, drafts, how often each tensor is
 * consumed). Handlers return one value per output, or throw E_FORMAT to
 * report the node as unsupported.
 */
import { formatError } from '../core.js';
import type { NodeProto } from '../proto/onnx_pb.js';
import type { ConstTensor } from '../tensor_proto.js';
import type { Attributes } from '../attributes.js';
import { numDim, type Dim, type Roles } from './atoms.js';
import { intsOf } from './fold.js';
import type { DataValue, Draft, Value } from './values.js';

export interface Ctx {
  /** e.g. LSTM '/rnn/LSTM' */
  where: string;
  node: NodeProto;
  attrs: Attributes;
  /** the default domain's opset version */
  opset: number;
  roles: Roles;
  /** input i's value, or null when absent (optional input left empty) */
  input(i: number): Value | null;
  /** how many nodes (and graph outputs) read this tensor */
  consumers(tensor: string): number;
  /** a new layer draft, in creation (= topological) order */
  addDraft(
    d: Omit<Draft, 'id' | 'kind' | 'used' | 'ports' | 'inputs' | 'initialState'> & Partial<Pick<Draft, 'inputs' | 'initialState'>>,
  ): Draft;
}

export function need(c: Ctx, i: number, what: string): Value {
  const v = c.input(i);
  if (!v) formatError(`${c.where}: input ${i} (${what}) is missing`);
  return v;
}

export function constInput(c: Ctx, i: number, what: string): ConstTensor {
  const v = need(c, i, what);
  if (v.kind !== 'const') formatError(`${c.where}: ${what} must be a constant (an initializer), but it is computed at run time`);
  return v.t;
}

export function optionalConst(c: Ctx, i: number, what: string): ConstTensor | null {
  return c.input(i) ? constInput(c, i, what) : null;
}

export function intsInput(c: Ctx, i: number, what: string): number[] {
  return intsOf(`${c.where}, ${what}`, constInput(c, i, what));
}

export function dataInput(c: Ctx, i: number, what: string): DataValue {
  const v = need(c, i, what);
  if (v.kind !== 'data')
    formatError(
      `${c.where}: ${what} is not a tensor our layers compute (it is ${v.kind === 'stack' ? 'a concatenation of states' : 'a constant'})`,
    );
  return v;
}

/** A shape operand: constant integers (sizes or Reshape's 0 / -1) or run-time sizes. */
export function dimsInput(c: Ctx, i: number, what: string): Dim[] {
  const v = need(c, i, what);
  if (v.kind === 'const') return intsOf(`${c.where}, ${what}`, v.t).map(numDim);
  if (v.kind === 'shape') return v.dims;
  return formatError(`${c.where}: ${what} is not a shape`);
}
