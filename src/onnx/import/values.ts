/**
 * What the importer knows about each ONNX tensor while it walks the graph.
 *
 *   const   a constant (initializer, Constant, or folded from constants)
 *   shape   an int64 shape vector (or scalar) with run-time entries: what
 *           Shape -> Gather -> Unsqueeze -> Concat compute for
 *           ConstantOfShape / Expand / Reshape
 *   fill    a tensor of one repeated value and run-time shape (the zero
 *           initial states PyTorch builds with ConstantOfShape)
 *   data    a view of one output (port) of one of our layers: its axes, each
 *           a row-major group of atoms; `fixed` atoms were indexed away (one
 *           direction of a bidirectional output); `reversed`: time runs
 *           backwards (a reverse-direction sequence flipped back)
 *   stack   data tensors concatenated along an axis without merging (PyTorch's
 *           h_n of several layers): only indexing one part out is supported
 *   idmask  token ids compared with 0 (padding) or not (tokens)
 *   lens    the count of tokens per row: sequence lengths from the ids, which
 *           is a Keras mask (embedding maskZero) for post-padded ids
 *   poison  the output of a node already reported as unsupported
 */
import type { IrDType, IrWeight } from '../ir.js';
import type { Atom, Dim } from './atoms.js';
import type { ConstTensor } from '../tensor_proto.js';

export type PortName = 'out' | 'y' | 'h' | 'c';

export interface Port {
  owner: Draft;
  name: PortName;
  /** the atoms of this output's memory; batch and time are found by role */
  atoms: Atom[];
  /**
   * Our layer's memory runs time backwards relative to the ONNX tensor it
   * came from: a reverse-direction recurrent sequence (ONNX keeps input
   * order; Keras goBackwards returns processing order).
   */
  flipped: boolean;
}

export interface Fixed {
  atom: Atom;
  index: number;
}

export interface DataValue {
  kind: 'data';
  port: Port;
  axes: Atom[][];
  fixed: Fixed[];
  reversed: boolean;
}

export type Value =
  | { kind: 'const'; t: ConstTensor }
  | { kind: 'shape'; dims: Dim[]; scalar: boolean }
  | { kind: 'fill'; value: number }
  | DataValue
  | { kind: 'stack'; axis: number; parts: DataValue[] }
  | { kind: 'idmask'; ids: DataValue; tokens: boolean }
  | { kind: 'lens'; ids: Port }
  | { kind: 'poison' };

export type Direction = 'forward' | 'reverse' | 'bidirectional';

/** What a recurrent draft needs until its outputs' uses are known. */
export interface RecurrentDraft {
  cell: 'LSTM' | 'GRU' | 'SimpleRNN';
  direction: Direction;
  /** the wrapped cell's options (without returnSequences / returnState / goBackwards / name) */
  cellConfig: Record<string, unknown>;
  /** weights per direction, Keras order */
  perDirection: IrWeight[][];
  time: Atom;
  /** the direction atom of a bidirectional node */
  D: Atom | null;
  H: Atom;
  /** Bidirectional merge, fixed by how the sequence / final states are consumed */
  mergeMode: 'sum' | 'ave' | 'mul' | null;
  /** set once the uses are known (finalize) */
  returnState?: boolean;
}

/** A graph input or one of our layers, before the whole graph is known. */
export interface Draft {
  id: string;
  kind: 'input' | 'layer';
  /** what to call it in messages: the ONNX node(s) it came from */
  origin: string;
  /** Keras class name (layers) */
  className: string;
  config: Record<string, unknown>;
  weights: IrWeight[];
  inputs: Port[];
  initialState: Port[];
  used: Set<PortName>;
  ports: Map<PortName, Port>;
  /** graph inputs */
  dtype?: IrDType;
  name?: string;
  atoms?: Atom[];
  rnn?: RecurrentDraft;
  /** Dense: the ONNX tensor holding its output so far (a following Add / activation may fold in) */
  tail?: string;
}

export function port(owner: Draft, name: PortName, atoms: Atom[], flipped = false): Port {
  const p: Port = { owner, name, atoms, flipped };
  owner.ports.set(name, p);
  return p;
}

export function fullView(p: Port, axes: Atom[][]): DataValue {
  return { kind: 'data', port: p, axes, fixed: [], reversed: false };
}
