/**
 * Layer-graph IR -> ONNX ModelProto bytes.
 *
 * Every tensor between layers is batch-major, as in our models: ids
 * (batch, time), sequences (batch, time, features), vectors (batch,
 * features). Per layer:
 *
 *   Embedding        Gather(embeddings, ids)
 *   Dense            MatMul, Add (bias), then Relu / Sigmoid / Tanh / Softmax(-1) / HardSigmoid(0.2, 0.5)
 *   Activation       the same activation ops
 *   TimeDistributed(Dense)   as Dense (MatMul works on every step)
 *   Dropout          nothing (the identity at inference)
 *   Concatenate      Concat;  Add / Subtract / Multiply / Average: Add, Sub, Mul, a sum times 1/n
 *   Flatten, Reshape Reshape (batch kept);  RepeatVector: Unsqueeze, Tile
 *   SimpleRNN, LSTM, GRU, Bidirectional      see recurrent.ts
 *
 * An embedding with maskZero becomes the recurrent layers' sequence_lens:
 * the count of non-zero ids per row. That is our mask exactly when padding
 * (id 0) only ever follows the tokens ('post' padding, TextVectorizer's
 * default), and ONNX then outputs zeros at padded steps where a
 * unidirectional layer of ours repeats its last output; the final states,
 * and every step a loss reads, agree.
 *
 * A stateful recurrent layer keeps its state between calls; an ONNX graph
 * keeps none, so the state becomes graph inputs and outputs the caller
 * carries: `<layer>/h_in` (and `/c_in`), (batch, units), zeros to start,
 * and `<layer>/h_out` (`/c_out`) to feed to the next call.
 *
 * Not expressible (listed in one E_ARG error): Masking (a mask computed from
 * float features) and explicit masks given at a call, a stateful
 * Bidirectional, Bidirectional over a goBackwards layer, TimeDistributed of
 * anything but Dense.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { argError } from '../core.js';
import type { IrGraph, IrLayer, IrRef } from '../ir.js';
import { GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema, TensorProto_DataType as DT, type ValueInfoProto } from '../proto/onnx_pb.js';
import { EXPORT_OPSETS, type ToOnnxOptions } from './options.js';
import { emitRecurrent } from './recurrent.js';
import { GraphWriter, valueInfo } from './writer.js';


/** A layer output as emitted: its ONNX tensor, and the sequence lengths a mask became (or null). */
export interface Emitted {
  tensor: string;
  lens: string | null;
}

export interface EmitContext {
  w: GraphWriter;
  layer: IrLayer;
  /** a name prefix for this layer's tensors */
  prefix: string;
  /** the first input; `xs` all of them (merge layers), `states` the initial states given */
  x: Emitted;
  xs: Emitted[];
  states: Emitted[];
  /** the graph's token-id input, when there is one */
  ids: string | null;
  int64Ids: boolean;
  problems: string[];
  /** graph inputs and outputs a layer adds (a stateful layer's states) */
  stateInputs: ValueInfoProto[];
  stateOutputs: { name: string; tensor: string; units: number }[];
}

/** IR version that goes with an opset (ONNX's versioning table). */
function irVersionFor(opset: number): number {
  return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

const DENSE_ACTIVATIONS: Record<string, { op: string; attrs?: Record<string, { i: number } | { f: number }> } | null> = {
  linear: null,
  relu: { op: 'Relu' },
  sigmoid: { op: 'Sigmoid' },
  tanh: { op: 'Tanh' },
  softmax: { op: 'Softmax', attrs: { axis: { i: -1 } } },
  hardSigmoid: { op: 'HardSigmoid', attrs: { alpha: { f: 0.2 }, beta: { f: 0.5 } } },
};

function checkOptions(where: string, o: unknown): { opset: number; int64Ids: boolean } {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) argError(`${where}: options must be an object`);
  const opts = o as Record<string, unknown>;
  for (const k of Object.keys(opts)) if (k !== 'opset' && k !== 'idsType') argError(`${where}: unknown option '${k}' (supported: opset, idsType)`);
  const opset = opts.opset ?? EXPORT_OPSETS.default;
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < EXPORT_OPSETS.min || opset > EXPORT_OPSETS.max) {
    argError(`${where}: opset must be an integer from ${EXPORT_OPSETS.min} to ${EXPORT_OPSETS.max}, got ${String(opset)}`);
  }
  const idsType = opts.idsType ?? 'int64';
  if (idsType !== 'int32' && idsType !== 'int64') argError(`${where}: idsType must be 'int32' or 'int64', got ${String(idsType)}`);
  return { opset, int64Ids: idsType === 'int64' };
}

export function irToOnnx(where: string, ir: IrGraph, options: ToOnnxOptions): Uint8Array {
  const { opset, int64Ids } = checkOptions(where, options);
  const w = new GraphWriter(opset);
  const problems: string[] = [];
  const emitted = new Map<string, Emitted[]>();
  const at = (r: IrRef): Emitted => emitted.get(r.node)![r.index];
  const graphInputs = ir.inputs.map((i) => {
    const name = w.reserve(i.name);
    const ids = i.dtype === 'int32';
    const dims = ids ? ['batch', 'time'] : i.shape.length === 2 ? ['batch', i.shape[0] < 0 ? 'time' : i.shape[0], i.shape[1]] : ['batch', i.shape[0]];
    emitted.set(i.id, [{ tensor: name, lens: null }]);
    return valueInfo(name, ids ? (int64Ids ? DT.INT64 : DT.INT32) : DT.FLOAT, dims);
  });
  const ids = ir.inputs.find((i) => i.dtype === 'int32')?.name ?? null;
  const stateInputs: ValueInfoProto[] = [];
  const stateOutputs: EmitContext['stateOutputs'] = [];
  const prefixes = new Set<string>();
  for (const layer of ir.layers) {
    if (layer.mask) problems.push(`${layer.origin}: an explicit mask at the call (ONNX recurrent ops take lengths, not masks)`);
    const xs = layer.inputs.map(at);
    // a layer called at several nodes writes each call under its own prefix
    let prefix = String(layer.config.name ?? layer.id);
    for (let k = 1; prefixes.has(prefix); k++) prefix = `${String(layer.config.name ?? layer.id)}_call${k}`;
    prefixes.add(prefix);
    const ctx: EmitContext = {
      w, layer, prefix, x: xs[0], xs, states: layer.initialState.map(at), ids, int64Ids, problems, stateInputs, stateOutputs,
    };
    emitted.set(layer.id, emitLayer(ctx));
  }
  if (problems.length) argError(`${where}: ONNX cannot express:\n  - ${problems.join('\n  - ')}`);
  const graphOutputs = ir.outputs.map((o) => {
    const e = at(o.ref);
    const layer = ir.layers.find((l) => l.id === o.ref.node);
    const units = layer ? outputUnits(layer, o.ref.index) : 'features';
    const name = w.reserve(o.name);
    w.rename(e.tensor, name);
    return valueInfo(name, DT.FLOAT, o.onnxAxes.map((a) => (a === 'batch' ? 'batch' : a === 'time' ? 'time' : units)));
  });
  for (const s of stateOutputs) {
    w.rename(s.tensor, w.reserve(s.name));
    graphOutputs.push(valueInfo(s.name, DT.FLOAT, ['batch', s.units]));
  }
  const graph = create(GraphProtoSchema, {
    name: ir.name, node: w.nodes, initializer: w.initializers, input: [...graphInputs, ...stateInputs], output: graphOutputs,
  });
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(irVersionFor(opset)), producerName: 'wasm-rnn', graph,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
  });
  return toBinary(ModelProtoSchema, model);
}

/** The last dimension of a layer's output `index` (a symbolic name when it is not fixed). */
function outputUnits(l: IrLayer, index: number): number | string {
  const c = l.config;
  if (l.className === 'Bidirectional') {
    const inner = (c.layer as { config: Record<string, unknown> }).config;
    return (inner.units as number) * (c.mergeMode === 'concat' && index === 0 ? 2 : 1);
  }
  if (l.className === 'Embedding') return c.outputDim as number;
  if (l.className === 'TimeDistributed') return ((c.layer as { config: Record<string, unknown> }).config.units as number) ?? 'features';
  return typeof c.units === 'number' ? c.units : 'features';
}

function emitLayer(c: EmitContext): Emitted[] {
  const { w, layer, prefix, x } = c;
  switch (layer.className) {
    case 'Embedding': {
      const [table] = layer.weights;
      const y = w.op('Gather', `${prefix}/Gather`, [w.floats(`${prefix}/embeddings`, table.shape, table.data), x.tensor]);
      return [{ tensor: y, lens: layer.config.maskZero ? lengths(c) : x.lens }];
    }
    case 'Dense': {
      const [kernel, bias] = layer.weights;
      let y = w.op('MatMul', `${prefix}/MatMul`, [x.tensor, w.floats(`${prefix}/kernel`, kernel.shape, kernel.data)]);
      if (bias) y = w.op('Add', `${prefix}/Add`, [y, w.floats(`${prefix}/bias`, bias.shape, bias.data)]);
      const act = DENSE_ACTIVATIONS[layer.config.activation as string];
      if (act === undefined) c.problems.push(`${layer.origin}: activation ${String(layer.config.activation)}`);
      else if (act) y = w.op(act.op, `${prefix}/${act.op}`, [y], act.attrs ?? {});
      return [{ tensor: y, lens: x.lens }];
    }
    case 'Dropout':
      return [x];
    case 'Activation': {
      const act = DENSE_ACTIVATIONS[layer.config.activation as string];
      if (act === undefined) c.problems.push(`${layer.origin}: activation ${String(layer.config.activation)}`);
      return [{ tensor: act ? w.op(act.op, `${prefix}/${act.op}`, [x.tensor], act.attrs ?? {}) : x.tensor, lens: x.lens }];
    }
    case 'TimeDistributed': {
      const inner = layer.config.layer as { className: string; config: Record<string, unknown> };
      if (inner.className !== 'Dense') {
        c.problems.push(`${layer.origin}: TimeDistributed(${inner.className})`);
        return [x];
      }
      return emitLayer({ ...c, layer: { ...layer, className: 'Dense', config: inner.config } });
    }
    case 'Concatenate':
    case 'Add':
    case 'Subtract':
    case 'Multiply':
    case 'Average':
      return [emitMerge(c)];
    case 'Flatten':
      return [{ tensor: w.op('Reshape', `${prefix}/Reshape`, [x.tensor, w.int64s([0, -1])]), lens: null }];
    case 'Reshape':
      return [{ tensor: w.op('Reshape', `${prefix}/Reshape`, [x.tensor, w.int64s([0, ...(layer.config.targetShape as number[])])]), lens: null }];
    case 'RepeatVector': {
      const col = w.op('Unsqueeze', `${prefix}/Unsqueeze`, [x.tensor, w.int64s([1])]);
      return [{ tensor: w.op('Tile', `${prefix}/Tile`, [col, w.int64s([1, layer.config.n as number, 1])]), lens: null }];
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
    case 'Bidirectional':
      return emitRecurrent(c);
    case 'Masking':
      c.problems.push(`${layer.origin}: a mask computed from float features (ONNX recurrent ops take lengths, not masks)`);
      return [x];
    default:
      c.problems.push(`${layer.origin}: layer type ${layer.className}`);
      return [x];
  }
}

/** Concatenate (on a Keras axis, batch counted) and the elementwise merges. */
function emitMerge(c: EmitContext): Emitted {
  const { w, layer, prefix, xs } = c;
  const lens = xs.find((e) => e.lens)?.lens ?? null;
  if (xs.some((e) => e.lens && e.lens !== lens)) c.problems.push(`${layer.origin}: merges sequences with different masks`);
  const t = xs.map((e) => e.tensor);
  switch (layer.className) {
    case 'Concatenate':
      return { tensor: w.op('Concat', `${prefix}/Concat`, t, { axis: { i: (layer.config.axis as number | undefined) ?? -1 } }), lens };
    case 'Subtract':
      return { tensor: w.op('Sub', `${prefix}/Sub`, t), lens };
    case 'Multiply':
      return { tensor: t.slice(1).reduce((a, b) => w.op('Mul', `${prefix}/Mul`, [a, b]), t[0]), lens };
    case 'Add':
      return { tensor: t.slice(1).reduce((a, b) => w.op('Add', `${prefix}/Add`, [a, b]), t[0]), lens };
    default: {
      const sum = t.slice(1).reduce((a, b) => w.op('Add', `${prefix}/Add`, [a, b]), t[0]);
      return { tensor: w.op('Mul', `${prefix}/Mean`, [sum, w.floats(`${prefix}/one_over_n`, [], [1 / t.length])]), lens };
    }
  }
}

/** Per-row sequence lengths from the ids: the count of non-zero ids (int32, (batch)). */
function lengths(c: EmitContext): string {
  const { w, prefix } = c;
  const ids = c.ids!;
  const zero = w.intScalar(0, c.int64Ids);
  const pad = w.op('Equal', `${prefix}/is_padding`, [ids, zero]);
  const valid = w.op('Not', `${prefix}/is_token`, [pad]);
  const ones = w.op('Cast', `${prefix}/token_count`, [valid], { to: { i: DT.INT32 } });
  return w.op('ReduceSum', `${prefix}/sequence_lens`, [ones, w.int64s([1])], { keepdims: { i: 0 } });
}
