/**
 * Ops that become (or fold into) our non-recurrent layers:
 *
 *   Gather(W (V, E), ids)        -> Embedding
 *   MatMul(x, W (K, N))          -> Dense (no bias yet)
 *   Gemm(x, B, C)                -> Dense (alpha, beta, transposes folded in)
 *   Add(dense, b (N))            -> that Dense's bias
 *   Relu / Sigmoid / Tanh / HardSigmoid / Softmax on a Dense -> its activation
 *
 * A bias or activation folds only into a Dense whose output nothing else
 * reads (else the graph needs both tensors); otherwise an activation is a
 * layer of its own (which only a functional model can hold).
 */
import { formatError } from '../core.js';
import type { IrWeight } from '../ir.js';
import { newAtom } from './atoms.js';
import { constInput, dataInput, need, optionalConst, type Ctx } from './context.js';
import { lastDim, perPosition, use } from './consume.js';
import { allEqual, binaryC, sizeOf, transposeC } from './fold.js';
import { halves } from './ops_merge.js';
import { mergeLayer } from './ops_merge_layers.js';
import { gatherOp } from './ops_index.js';
import { foldBinary } from './ops_layout.js';
import { featureAtoms, normAxis, sameAtoms } from './views.js';
import { port, type DataValue, type Draft, type Value } from './values.js';

type Handler = (c: Ctx) => Value[];

const gather: Handler = (c) => {
  const w = need(c, 0, 'data');
  const ids = need(c, 1, 'indices');
  if (!(w.kind === 'const' && ids.kind === 'data')) return gatherOp(c);
  const axis = c.attrs.int('axis', 0);
  if (axis !== 0) formatError(`${c.where}: looks ids up on axis ${axis} of the table (an embedding uses axis 0)`);
  if (w.t.dims.length !== 2 || !(w.t.data instanceof Float32Array))
    formatError(`${c.where}: the embedding table must be a 2-D float matrix, got shape [${w.t.dims.join(', ')}]`);
  const owner = ids.port.owner;
  if (owner.kind !== 'input' || owner.dtype !== 'int32' || ids.fixed.length || ids.reversed) {
    formatError(`${c.where}: an embedding must look up the model's integer input directly`);
  }
  const [V, E] = w.t.dims;
  const e = newAtom('embedding', E);
  const d = c.addDraft({
    className: 'Embedding',
    origin: c.where,
    inputs: [use(ids.port)],
    config: { inputDim: V, outputDim: E, maskZero: false },
    weights: [{ name: 'embeddings', shape: [V, E], data: w.t.data }],
  });
  const p = port(d, 'out', [...ids.port.atoms, e]);
  return [{ kind: 'data', port: p, axes: [...ids.axes, [e]], fixed: [], reversed: false }];
};

/** A Dense on x with kernel (K, N); its view keeps x's leading axes. */
function dense(c: Ctx, x: DataValue, kernel: Float32Array, K: number, N: number, bias: Float32Array | null): DataValue {
  const { port: input, flipped, leading } = perPosition(c, x, 'input');
  const F = lastDim(x);
  if (F !== K) formatError(`${c.where}: multiplies ${F} features by a (${K}, ${N}) matrix`);
  const units = newAtom('units', N);
  const weights: IrWeight[] = [{ name: 'kernel', shape: [K, N], data: kernel }];
  if (bias) weights.push({ name: 'bias', shape: [N], data: bias });
  const d = c.addDraft({
    className: 'Dense',
    origin: c.where,
    inputs: [input],
    weights,
    tail: c.node.output[0],
    config: { units: N, activation: 'linear', useBias: bias !== null },
  });
  const p = port(d, 'out', [...input.atoms.filter((a) => c.roles.of(a) !== null), units], flipped);
  return { kind: 'data', port: p, axes: [...leading, [units]], fixed: [], reversed: false };
}

function floatMatrix(c: Ctx, i: number, what: string) {
  const t = constInput(c, i, what);
  if (t.dims.length !== 2 || !(t.data instanceof Float32Array))
    formatError(`${c.where}: ${what} must be a 2-D float matrix, got shape [${t.dims.join(', ')}]`);
  return t;
}

const matMul: Handler = (c) => {
  const a = need(c, 0, 'A');
  const b = need(c, 1, 'B');
  if (a.kind === 'const' && b.kind === 'const') return formatError(`${c.where}: MatMul of two constants (fold it at export)`);
  if (a.kind !== 'data' || b.kind !== 'const')
    return formatError(`${c.where}: only (layer output) x (weight matrix) products are a Dense layer`);
  const w = floatMatrix(c, 1, 'B');
  return [dense(c, a, w.data as Float32Array, w.dims[0], w.dims[1], null)];
};

const gemm: Handler = (c) => {
  const alpha = c.attrs.float('alpha', 1);
  const beta = c.attrs.float('beta', 1);
  const transA = c.attrs.int('transA', 0);
  const transB = c.attrs.int('transB', 0);
  c.attrs.accept('broadcast'); // opset < 7: C broadcasts, which is all we accept anyway
  let x = dataInput(c, 0, 'A');
  if (x.axes.length !== 2) formatError(`${c.where}: A has rank ${x.axes.length}, expected 2`);
  if (transA) x = { ...x, axes: [x.axes[1], x.axes[0]] };
  let w = floatMatrix(c, 1, 'B');
  if (transB) w = transposeC(c.where, w, [1, 0]);
  const [K, N] = w.dims;
  const kernel = Float32Array.from(w.data, (v) => alpha * v);
  const cT = optionalConst(c, 2, 'C');
  let bias: Float32Array | null = null;
  if (cT) bias = biasVector(c, cT, N, beta);
  return [dense(c, x, kernel, K, N, bias)];
};

/** A constant that broadcasts along the last axis only: (N), (1, N), ..., or one value. */
function biasVector(c: Ctx, t: { dims: number[]; data: Float32Array | Float64Array }, N: number, scale = 1): Float32Array {
  const n = sizeOf(t.dims);
  const last = t.dims.length ? t.dims[t.dims.length - 1] : 1;
  if (!(n === N && last === N) && n !== 1)
    formatError(`${c.where}: adds a constant of shape [${t.dims.join(', ')}] to ${N} features (only a bias of ${N} can be folded)`);
  return Float32Array.from({ length: N }, (_, i) => scale * t.data[n === 1 ? 0 : i]);
}

/** The Dense whose output is exactly this input, read by nothing else, or null. */
function foldableDense(c: Ctx, i: number, v: DataValue): Draft | null {
  const d = v.port.owner;
  const name = c.node.input[i];
  if (d.className !== 'Dense' || d.tail !== name || c.consumers(name) !== 1) return null;
  return d;
}

/** The Conv1D whose output (or a Transpose of it) is exactly this input, read by nothing else, or null. */
function foldableConv(c: Ctx, i: number, v: DataValue): Draft | null {
  const d = v.port.owner;
  const name = c.node.input[i];
  if (d.className !== 'Conv1D' || d.tail !== name || c.consumers(name) !== 1 || v.fixed.length) return null;
  return d;
}

const add: Handler = (c) => {
  const a = need(c, 0, 'A');
  const b = need(c, 1, 'B');
  if (a.kind === 'const' && b.kind === 'const') return foldBinary(c);
  const merged = halves(c, 'sum');
  if (merged) return merged;
  const [i, v, k] =
    a.kind === 'data' && b.kind === 'const' ? [0, a, b] : b.kind === 'data' && a.kind === 'const' ? [1, b, a] : [-1, null, null];
  if (a.kind === 'data' && b.kind === 'data') return [mergeLayer(c, [a, b])];
  if (!v || !k) return formatError(`${c.where}: adds values we cannot follow`);
  if (k.kind !== 'const') return formatError(`${c.where}: unexpected operand`);
  if (allEqual(k.t, 0) && sizeOf(k.t.dims) <= lastDim(v)) return [v];
  const d = foldableDense(c, i, v);
  if (!d || d.config.useBias || d.config.activation !== 'linear') {
    return formatError(`${c.where}: adds a constant to ${v.port.owner.origin}'s output; only a Dense layer's bias can be added`);
  }
  const N = d.config.units as number;
  d.weights.push({ name: 'bias', shape: [N], data: biasVector(c, k.t, N) });
  d.config.useBias = true;
  d.tail = c.node.output[0];
  return [v];
};

const mul: Handler = (c) => {
  const a = need(c, 0, 'A');
  const b = need(c, 1, 'B');
  if (a.kind === 'const' && b.kind === 'const') return [{ kind: 'const', t: binaryC(c.where, 'Mul', a.t, b.t) }];
  const merged = halves(c, 'mul');
  if (merged) return merged;
  if (a.kind === 'data' && b.kind === 'data') return [mergeLayer(c, [a, b])];
  return formatError(`${c.where}: multiplies a layer output (no layer of ours scales its input)`);
};

/** Activations by ONNX op type. */
const ACTIVATION_OPS: Record<string, string> = {
  Relu: 'relu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  HardSigmoid: 'hardSigmoid',
  Softmax: 'softmax',
};

const activation: Handler = (c) => {
  const op = c.node.opType;
  const act = ACTIVATION_OPS[op];
  const v = dataInput(c, 0, 'input');
  if (op === 'HardSigmoid') {
    const alpha = c.attrs.float('alpha', 0.2);
    const beta = c.attrs.float('beta', 0.5);
    if (Math.abs(alpha - 0.2) > 1e-6 || Math.abs(beta - 0.5) > 1e-6)
      formatError(`${c.where}: HardSigmoid with alpha ${alpha}, beta ${beta} (ours is 0.2·x + 0.5)`);
  }
  if (op === 'Softmax') {
    const rank = v.axes.length;
    const axis = normAxis(c.where, c.attrs.int('axis', c.opset >= 13 ? -1 : 1), rank);
    // before opset 13 the input is flattened to 2-D at `axis`: the last axis only when axis = rank - 1
    if (axis !== rank - 1) formatError(`${c.where}: softmax over axis ${axis} of ${rank}; ours normalises the last axis (the features)`);
    // and that axis must be the features (a Conv's output may be seen in (batch, channels, time))
    if (!sameAtoms(v.axes[axis], featureAtoms(v.port, c.roles), c.roles))
      formatError(`${c.where}: softmax over an axis that is not the features of ${v.port.owner.origin}`);
  }
  const d = foldableDense(c, 0, v) ?? foldableConv(c, 0, v);
  if (d && d.config.activation === 'linear') {
    d.config.activation = act;
    d.tail = c.node.output[0];
    return [v];
  }
  // an activation layer of its own (only a functional model holds one)
  const { port: input, flipped, leading } = perPosition(c, v, 'input');
  const layer = c.addDraft({ className: 'Activation', origin: c.where, inputs: [input], weights: [], config: { activation: act } });
  const last = v.axes[v.axes.length - 1];
  const p = port(layer, 'out', [...input.atoms.filter((a) => c.roles.of(a) !== null), ...last], flipped);
  return [{ kind: 'data', port: p, axes: [...leading, last], fixed: [], reversed: false }];
};

/** Sub: constants fold; two layer outputs are a Subtract layer. */
const sub: Handler = (c) => {
  const a = need(c, 0, 'A');
  const b = need(c, 1, 'B');
  if (a.kind === 'data' && b.kind === 'data') return [mergeLayer(c, [a, b])];
  return foldBinary(c);
};

export const LAYER_OPS: Record<string, Handler> = {
  Sub: sub,
  Gather: gather,
  MatMul: matMul,
  Gemm: gemm,
  Add: add,
  Mul: mul,
  Relu: activation,
  Sigmoid: activation,
  Tanh: activation,
  HardSigmoid: activation,
  Softmax: activation,
};
