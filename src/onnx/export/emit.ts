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
 *   Conv1D           Transpose to (batch, channels, time), Conv (causal: explicit pads before), Transpose back, the activation
 *   Max/AveragePooling1D   MaxPool / AveragePool between the same Transposes;  Global*Pooling1D: GlobalMaxPool / GlobalAveragePool, Reshape
 *   LayerNormalization     ReduceMean, Sub, Mul, ReduceMean, Add ε, Sqrt, Div, then Mul γ, Add β
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
 * anything but Dense, a mask reaching Conv1D or a pooling layer; layer
 * types not written here (attention, Dot, Maximum, ...) are listed as not
 * exported yet.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { argError } from '../core.js';
import type { IrGraph, IrLayer, IrRef } from '../ir.js';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DT,
  type ValueInfoProto,
} from '../proto/onnx_pb.js';
import { EXPORT_OPSETS, type ToOnnxOptions } from './options.js';
import { emitRecurrent } from './recurrent.js';
import { GraphWriter, valueInfo, type AttrValue } from './writer.js';

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
  for (const k of Object.keys(opts))
    if (k !== 'opset' && k !== 'idsType') argError(`${where}: unknown option '${k}' (supported: opset, idsType)`);
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
    const dims = ids
      ? ['batch', 'time']
      : i.shape.length === 2
        ? ['batch', i.shape[0] < 0 ? 'time' : i.shape[0], i.shape[1]]
        : ['batch', i.shape[0]];
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
      w,
      layer,
      prefix,
      x: xs[0],
      xs,
      states: layer.initialState.map(at),
      ids,
      int64Ids,
      problems,
      stateInputs,
      stateOutputs,
    };
    emitted.set(layer.id, emitLayer(ctx));
  }
  if (problems.length) {
    const types = problems.some((p) => p.endsWith(NOT_YET)) ? `\ntoOnnx exports: ${EXPORTED.join(', ')}` : '';
    argError(`${where}: cannot export:\n  - ${problems.join('\n  - ')}${types}`);
  }
  const graphOutputs = ir.outputs.map((o) => {
    const e = at(o.ref);
    const layer = ir.layers.find((l) => l.id === o.ref.node);
    const units = layer ? outputUnits(layer, o.ref.index) : 'features';
    const name = w.reserve(o.name);
    w.rename(e.tensor, name);
    return valueInfo(
      name,
      DT.FLOAT,
      o.onnxAxes.map((a) => (a === 'batch' ? 'batch' : a === 'time' ? 'time' : units)),
    );
  });
  for (const s of stateOutputs) {
    w.rename(s.tensor, w.reserve(s.name));
    graphOutputs.push(valueInfo(s.name, DT.FLOAT, ['batch', s.units]));
  }
  const graph = create(GraphProtoSchema, {
    name: ir.name,
    node: w.nodes,
    initializer: w.initializers,
    input: [...graphInputs, ...stateInputs],
    output: graphOutputs,
  });
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(irVersionFor(opset)),
    producerName: 'wasm-rnn',
    graph,
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

/** The layer types emitLayer writes (README's ONNX section lists them too); any other is refused. */
const EXPORTED = [
  'Embedding',
  'Dense',
  'Dropout',
  'Activation',
  'TimeDistributed(Dense)',
  'Concatenate',
  'Add',
  'Subtract',
  'Multiply',
  'Average',
  'Flatten',
  'Reshape',
  'RepeatVector',
  'SimpleRNN',
  'LSTM',
  'GRU',
  'Bidirectional',
  'Conv1D',
  'MaxPooling1D',
  'AveragePooling1D',
  'GlobalMaxPooling1D',
  'GlobalAveragePooling1D',
  'LayerNormalization',
];
const NOT_YET = 'layers yet';

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
        c.problems.push(`${layer.origin}: toOnnx does not export TimeDistributed(${inner.className}) ${NOT_YET}`);
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
      return [
        { tensor: w.op('Reshape', `${prefix}/Reshape`, [x.tensor, w.int64s([0, ...(layer.config.targetShape as number[])])]), lens: null },
      ];
    case 'RepeatVector': {
      const col = w.op('Unsqueeze', `${prefix}/Unsqueeze`, [x.tensor, w.int64s([1])]);
      return [{ tensor: w.op('Tile', `${prefix}/Tile`, [col, w.int64s([1, layer.config.n as number, 1])]), lens: null }];
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
    case 'Bidirectional':
      return emitRecurrent(c);
    case 'Conv1D':
      return [emitConv(c)];
    case 'MaxPooling1D':
    case 'AveragePooling1D':
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling1D':
      return [emitPooling(c)];
    case 'LayerNormalization':
      return [emitLayerNorm(c)];
    case 'Masking':
      c.problems.push(`${layer.origin}: a mask computed from float features (ONNX recurrent ops take lengths, not masks)`);
      return [x];
    default:
      c.problems.push(`${layer.origin}: toOnnx does not export ${layer.className} ${NOT_YET}`);
      return [x];
  }
}

/** (batch, time, channels) <-> ONNX's (batch, channels, time) for Conv and the poolings. */
function channelsFirst(c: EmitContext, x: string, what: string): string {
  return c.w.op('Transpose', `${c.prefix}/${what}`, [x], { perm: { ints: [0, 2, 1] } });
}

/**
 * Keras's padding as Conv / pooling attributes for a window spanning `span`
 * steps: 'same' puts the odd step at the end, as SAME_UPPER does; with
 * stride 1 the pads do not depend on the length and are written out (ONNX
 * Runtime refuses SAME_UPPER with dilation); 'causal' pads before.
 */
function padding(mode: unknown, span: number, stride: number): Record<string, AttrValue> {
  if (mode === 'causal') return { pads: { ints: [span - 1, 0] } };
  if (mode !== 'same') return { pads: { ints: [0, 0] } };
  // (Conv1D refuses strides > 1 with dilation > 1, as Keras does)
  if (stride === 1) return { pads: { ints: [Math.floor((span - 1) / 2), Math.ceil((span - 1) / 2)] } };
  return { auto_pad: { s: 'SAME_UPPER' } };
}

/** A mask reaching a windowed layer: ours skips masked steps there, ONNX's Conv and pooling cannot. */
function masked(c: EmitContext): boolean {
  if (!c.x.lens) return false;
  c.problems.push(
    `${c.layer.origin}: a mask reaches this ${c.layer.className} (embedding maskZero upstream); ONNX's Conv and pooling ops take no mask or lengths`,
  );
  return true;
}

/** Conv1D: Conv on (batch, channels, time); our kernel (K, C, F) becomes ONNX's (F, C, K). */
function emitConv(c: EmitContext): Emitted {
  const { w, layer, prefix, x } = c;
  if (masked(c)) return { tensor: x.tensor, lens: null };
  const cfg = layer.config;
  const [kernel, bias] = layer.weights;
  const [K, C, F] = kernel.shape;
  const wt = new Float32Array(F * C * K);
  for (let k = 0; k < K; k++)
    for (let ch = 0; ch < C; ch++) for (let f = 0; f < F; f++) wt[(f * C + ch) * K + k] = kernel.data[(k * C + ch) * F + f];
  const D = Number(cfg.dilationRate ?? 1);
  const inputs = [channelsFirst(c, x.tensor, 'channels_first'), w.floats(`${prefix}/kernel`, [F, C, K], wt)];
  if (bias) inputs.push(w.floats(`${prefix}/bias`, bias.shape, bias.data));
  const S = Number(cfg.strides ?? 1);
  const conv = w.op('Conv', `${prefix}/Conv`, inputs, {
    kernel_shape: { ints: [K] },
    strides: { ints: [S] },
    dilations: { ints: [D] },
    ...padding(cfg.padding, (K - 1) * D + 1, S),
  });
  let y = channelsFirst(c, conv, 'channels_last');
  const act = DENSE_ACTIVATIONS[cfg.activation as string];
  if (act === undefined) c.problems.push(`${layer.origin}: activation ${String(cfg.activation)}`);
  else if (act) y = w.op(act.op, `${prefix}/${act.op}`, [y], act.attrs ?? {});
  return { tensor: y, lens: null };
}

/** Max and average pooling, windowed (MaxPool / AveragePool: padding not counted in a mean) or over every step. */
function emitPooling(c: EmitContext): Emitted {
  const { w, layer, prefix, x } = c;
  if (masked(c)) return { tensor: x.tensor, lens: null };
  const max = layer.className.includes('Max');
  const xt = channelsFirst(c, x.tensor, 'channels_first');
  if (layer.className.startsWith('Global')) {
    const op = max ? 'GlobalMaxPool' : 'GlobalAveragePool';
    return { tensor: w.op('Reshape', `${prefix}/Reshape`, [w.op(op, `${prefix}/${op}`, [xt]), w.int64s([0, -1])]), lens: null };
  }
  const cfg = layer.config;
  const op = max ? 'MaxPool' : 'AveragePool';
  const P = Number(cfg.poolSize);
  const S = Number(cfg.strides ?? P);
  const y = w.op(op, `${prefix}/${op}`, [xt], { kernel_shape: { ints: [P] }, strides: { ints: [S] }, ...padding(cfg.padding, P, S) });
  return { tensor: channelsFirst(c, y, 'channels_last'), lens: null };
}

/** LayerNormalization over the last axis, from its parts (any opset; ONNX's own op needs 17 and a scale). */
function emitLayerNorm(c: EmitContext): Emitted {
  const { w, layer, prefix, x } = c;
  const cfg = layer.config;
  const mean = (t: string, what: string) =>
    w.opset >= 18
      ? w.op('ReduceMean', `${prefix}/${what}`, [t, w.int64s([-1])], { keepdims: { i: 1 } })
      : w.op('ReduceMean', `${prefix}/${what}`, [t], { axes: { ints: [-1] }, keepdims: { i: 1 } });
  const d = w.op('Sub', `${prefix}/centered`, [x.tensor, mean(x.tensor, 'mean')]);
  const variance = mean(w.op('Mul', `${prefix}/squared`, [d, d]), 'variance');
  const std = w.op('Sqrt', `${prefix}/std`, [
    w.op('Add', `${prefix}/plus_epsilon`, [variance, w.floats(`${prefix}/epsilon`, [], [Number(cfg.epsilon)])]),
  ]);
  let y = w.op('Div', `${prefix}/normalized`, [d, std]);
  let k = 0;
  if (cfg.scale !== false) {
    const gamma = layer.weights[k++];
    y = w.op('Mul', `${prefix}/scaled`, [y, w.floats(`${prefix}/gamma`, gamma.shape, gamma.data)]);
  }
  if (cfg.center !== false) {
    const beta = layer.weights[k++];
    y = w.op('Add', `${prefix}/shifted`, [y, w.floats(`${prefix}/beta`, beta.shape, beta.data)]);
  }
  // a per-step layer: the mask (as lengths) goes on
  return { tensor: y, lens: x.lens };
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
