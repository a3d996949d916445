/**
 * 1-D convolution and pooling over time, as exporters write them for
 * (batch, time, channels) text models: a Transpose to ONNX's
 * (batch, channels, time), the op, a Transpose back (views.ts follows the
 * Transposes; the op checks its input is the NCL view of one layer output).
 *
 *   Conv (1-D, group 1)                     -> Conv1D (kernel (F, C, K) -> (K, C, F))
 *   MaxPool / AveragePool (1-D)             -> MaxPooling1D / AveragePooling1D
 *   GlobalMaxPool / GlobalAveragePool       -> GlobalMaxPooling1D / GlobalAveragePooling1D
 *                                              (the Reshape / Squeeze / Flatten after drops the unit axis)
 *   ReduceMax / ReduceMean over time alone  -> GlobalMaxPooling1D / GlobalAveragePooling1D
 *
 * Padding: Keras has 'valid', 'same' (the extra step at the end, as
 * SAME_UPPER) and 'causal' (Conv only: span − 1 steps before). Explicit
 * pads map to them only where they are the same for every length: zero;
 * with stride 1, [⌊(span−1)/2⌋, ⌈(span−1)/2⌉] (same) or [span−1, 0]
 * (causal). Anything else is reported, never approximated.
 */
import { formatError } from '../core.js';
import type { IrWeight } from '../ir.js';
import { isUnit, newAtom, type Atom } from './atoms.js';
import { constInput, dataInput, intsInput, optionalConst, type Ctx } from './context.js';
import { use } from './consume.js';
import { featureAtoms, sameAtoms } from './views.js';
import { port, type DataValue, type Port, type Value } from './values.js';

type Handler = (c: Ctx) => Value[];
type Padding = 'valid' | 'same' | 'causal';

/** The NCL view (batch, channels, time) of one whole layer output. */
function nclInput(c: Ctx, v: DataValue): { port: Port; batch: Atom; time: Atom; feats: Atom[]; C: number } {
  if (v.fixed.length) formatError(`${c.where}: its input is one direction of a bidirectional output`);
  if (v.axes.length !== 3)
    formatError(`${c.where}: input has rank ${v.axes.length}; only 1-D (batch, channels, time) convolution and pooling are supported`);
  const single = (k: number, what: string): Atom => {
    const s = v.axes[k].filter((a) => !isUnit(a, c.roles));
    if (s.length !== 1) formatError(`${c.where}: the ${what} axis of its input merges several axes`);
    return s[0];
  };
  const batch = single(0, 'batch');
  const time = single(2, 'time');
  // a graph input's guessed roles may swap (time-major ids); a feature axis never becomes time here
  if (!v.port.atoms.includes(batch) || !v.port.atoms.includes(time) || c.roles.of(batch) === null || c.roles.of(time) === null)
    formatError(`${c.where}: its input is not a (batch, channels, time) view of ${v.port.owner.origin}`);
  c.roles.bind(batch, 'batch', c.where);
  c.roles.bind(time, 'time', c.where);
  const feats = featureAtoms(v.port, c.roles);
  if (!feats.length || !sameAtoms(v.axes[1], feats, c.roles))
    formatError(`${c.where}: its input's axis 1 is not the channels of ${v.port.owner.origin} (expected (batch, channels, time))`);
  if (v.reversed !== v.port.flipped) formatError(`${c.where}: its input runs time backwards relative to ${v.port.owner.origin}`);
  const C = feats.reduce((n, a) => (n === -1 || a.size === null ? -1 : n * a.size), 1);
  if (C < 1) formatError(`${c.where}: the number of channels is not known`);
  return { port: use(v.port), batch, time, feats, C };
}

/** One value of a 1-D window attribute (kernel_shape, strides, dilations). */
function one(c: Ctx, name: string, dflt: number): number {
  const v = c.attrs.ints(name);
  if (v === null) return dflt;
  if (v.length !== 1) formatError(`${c.where}: ${name} [${v.join(', ')}] is not 1-D`);
  if (!(v[0] >= 1)) formatError(`${c.where}: ${name} ${v[0]} must be positive`);
  return v[0];
}

/** auto_pad / pads as Keras padding, or an error naming the node. */
function paddingOf(c: Ctx, span: number, stride: number, causal: boolean): Padding {
  const auto = c.attrs.string('auto_pad', 'NOTSET');
  const pads = c.attrs.ints('pads');
  if (auto !== 'NOTSET') {
    if (pads && pads.some((p) => p !== 0)) formatError(`${c.where}: gives both auto_pad ${auto} and pads`);
    if (auto === 'VALID') return 'valid';
    if (auto === 'SAME_UPPER') return span === 1 ? 'valid' : 'same';
    // SAME_LOWER puts the odd step first: the same as ours only when the total is even and does not depend on the length
    if (auto === 'SAME_LOWER' && stride === 1 && (span - 1) % 2 === 0) return span === 1 ? 'valid' : 'same';
    return formatError(`${c.where}: auto_pad ${auto} (with span ${span}, stride ${stride}) has no Keras padding`);
  }
  const p = pads ?? [0, 0];
  if (p.length !== 2) formatError(`${c.where}: pads [${p.join(', ')}] are not 1-D`);
  const [b, e] = p;
  if (b === 0 && e === 0) return 'valid';
  if (stride === 1 && b === Math.floor((span - 1) / 2) && e === Math.ceil((span - 1) / 2)) return 'same';
  if (causal && stride === 1 && b === span - 1 && e === 0) return 'causal';
  return formatError(
    `${c.where}: pads [${b}, ${e}] with span ${span} and stride ${stride} are none of Keras's paddings ('valid'; 'same' or${causal ? " 'causal'" : ''} with stride 1)`,
  );
}

/** The output's time atom: the input's when the length cannot change, else a new one. */
function outTime(c: Ctx, time: Atom, K: number, S: number, D: number, padding: Padding): Atom {
  const span = (K - 1) * D + 1;
  if (S === 1 && (padding !== 'valid' || span === 1)) return time;
  const T = time.size;
  let To: number | null = null;
  if (T !== null) {
    To = padding === 'valid' ? Math.floor((T - span) / S) + 1 : Math.ceil(T / S);
    if (To < 1) formatError(`${c.where}: a window of ${span} steps does not fit in ${T} steps`);
  }
  const a = newAtom('time', To);
  c.roles.bind(a, 'time', c.where);
  return a;
}

const conv: Handler = (c) => {
  const x = dataInput(c, 0, 'X');
  const w = constInput(c, 1, 'W');
  const group = c.attrs.int('group', 1);
  if (group !== 1) formatError(`${c.where}: group ${group} (only group 1 is a Conv1D)`);
  if (w.dims.length !== 3 || !(w.data instanceof Float32Array))
    formatError(`${c.where}: W has shape [${w.dims.join(', ')}]; only 1-D float kernels (filters, channels, width) are supported`);
  const [F, Cw, K] = w.dims;
  const ks = c.attrs.ints('kernel_shape');
  if (ks && (ks.length !== 1 || ks[0] !== K)) formatError(`${c.where}: kernel_shape [${ks.join(', ')}] disagrees with W`);
  const S = one(c, 'strides', 1);
  const D = one(c, 'dilations', 1);
  if (S > 1 && D > 1) formatError(`${c.where}: strides ${S} with dilations ${D} (Conv1D takes one or the other)`);
  const padding = paddingOf(c, (K - 1) * D + 1, S, true);
  const { port: input, batch, time, C } = nclInput(c, x);
  if (C !== Cw) formatError(`${c.where}: W expects ${Cw} channels but its input has ${C}`);
  const kernel = new Float32Array(K * C * F);
  const wd = w.data;
  for (let f = 0; f < F; f++)
    for (let ch = 0; ch < C; ch++) for (let k = 0; k < K; k++) kernel[(k * C + ch) * F + f] = wd[(f * C + ch) * K + k];
  const weights: IrWeight[] = [{ name: 'kernel', shape: [K, C, F], data: kernel }];
  const b = optionalConst(c, 2, 'B');
  if (b) {
    if (b.dims.length !== 1 || b.dims[0] !== F || !(b.data instanceof Float32Array))
      formatError(`${c.where}: B has shape [${b.dims.join(', ')}], expected [${F}]`);
    weights.push({ name: 'bias', shape: [F], data: Float32Array.from(b.data) });
  }
  const to = outTime(c, time, K, S, D, padding);
  const filters = newAtom('filters', F);
  const d = c.addDraft({
    className: 'Conv1D',
    origin: c.where,
    inputs: [input],
    weights,
    tail: c.node.output[0],
    config: { filters: F, kernelSize: K, strides: S, padding, dilationRate: D, activation: 'linear', useBias: b !== null },
  });
  const p = port(d, 'out', [batch, to, filters]);
  return [{ kind: 'data', port: p, axes: [[batch], [filters], [to]], fixed: [], reversed: false }];
};

const pool: Handler = (c) => {
  const max = c.node.opType === 'MaxPool';
  const x = dataInput(c, 0, 'X');
  const ks = c.attrs.ints('kernel_shape');
  if (!ks || ks.length !== 1)
    formatError(`${c.where}: kernel_shape ${ks ? `[${ks.join(', ')}]` : 'missing'}; only 1-D pooling is supported`);
  const P = ks[0];
  if (!(P >= 1)) formatError(`${c.where}: kernel_shape ${P}`);
  const S = one(c, 'strides', 1);
  if (c.attrs.int('ceil_mode', 0) !== 0) formatError(`${c.where}: ceil_mode 1 (Keras pooling rounds the output length down)`);
  if (max) {
    if (one(c, 'dilations', 1) !== 1) formatError(`${c.where}: dilated max pooling`);
    if (c.attrs.int('storage_order', 0) !== 0) formatError(`${c.where}: storage_order 1`);
    if (c.node.output.length > 1 && c.node.output[1] && c.consumers(c.node.output[1]) > 0)
      formatError(`${c.where}: its Indices output is read (our MaxPooling1D has no indices)`);
  }
  const padding = paddingOf(c, P, S, false);
  if (!max && padding !== 'valid' && c.attrs.int('count_include_pad', 0) !== 0)
    formatError(`${c.where}: count_include_pad 1 with padding (ours averages only the steps inside the sequence)`);
  if (!max) c.attrs.accept('count_include_pad');
  const { port: input, batch, time, feats } = nclInput(c, x);
  const to = outTime(c, time, P, S, 1, padding);
  const d = c.addDraft({
    className: max ? 'MaxPooling1D' : 'AveragePooling1D',
    origin: c.where,
    inputs: [input],
    weights: [],
    config: { poolSize: P, strides: S, padding },
  });
  const p = port(d, 'out', [batch, to, ...feats]);
  return [{ kind: 'data', port: p, axes: [[batch], feats, [to]], fixed: [], reversed: false }];
};

const globalPool: Handler = (c) => {
  const max = c.node.opType === 'GlobalMaxPool';
  const { port: input, batch, feats } = nclInput(c, dataInput(c, 0, 'X'));
  const d = c.addDraft({
    className: max ? 'GlobalMaxPooling1D' : 'GlobalAveragePooling1D',
    origin: c.where,
    inputs: [input],
    weights: [],
    config: {},
  });
  const p = port(d, 'out', [batch, ...feats]);
  // (batch, channels, 1)
  return [{ kind: 'data', port: p, axes: [[batch], feats, []], fixed: [], reversed: false }];
};

/**
 * ReduceMax / ReduceMean over the time axis alone (PyTorch's
 * x.amax(dim=2), x.mean(dim=1)): a global pooling, whatever the layout of
 * the other axes. Null when the reduced axis is not time.
 */
export function reduceOverTime(c: Ctx, v: DataValue, axes: number[] | null, keepdims: boolean, max: boolean): Value[] | null {
  if (!axes || axes.length !== 1 || v.fixed.length) return null;
  const ax = axes[0] < 0 ? axes[0] + v.axes.length : axes[0];
  if (ax < 0 || ax >= v.axes.length) return null;
  const reduced = v.axes[ax].filter((a) => !isUnit(a, c.roles));
  if (reduced.length !== 1 || c.roles.of(reduced[0]) !== 'time' || !v.port.atoms.includes(reduced[0])) return null;
  const time = reduced[0];
  const rest = v.axes.filter((_, i) => i !== ax).flatMap((a) => a.filter((x) => !isUnit(x, c.roles)));
  const want = v.port.atoms.filter((a) => a !== time && !isUnit(a, c.roles));
  if (rest.length !== want.length || rest.some((a) => !want.includes(a))) return null;
  const batch = v.port.atoms.find((a) => c.roles.of(a) === 'batch');
  if (!batch) return null;
  const feats = featureAtoms(v.port, c.roles);
  if (!feats.length) return null;
  const d = c.addDraft({
    className: max ? 'GlobalMaxPooling1D' : 'GlobalAveragePooling1D',
    origin: c.where,
    inputs: [use(v.port)],
    weights: [],
    config: {},
  });
  const p = port(d, 'out', [batch, ...feats]);
  const out = keepdims ? v.axes.map((a, i) => (i === ax ? [] : a)) : v.axes.filter((_, i) => i !== ax);
  return [{ kind: 'data', port: p, axes: out, fixed: [], reversed: false }];
}

const reduceMax: Handler = (c) => {
  const keepdims = c.attrs.int('keepdims', 1) !== 0;
  const fromInput = c.opset >= 18;
  const axes = fromInput ? (c.input(1) ? intsInput(c, 1, 'axes') : null) : c.attrs.ints('axes');
  if (fromInput && c.attrs.int('noop_with_empty_axes', 0) !== 0 && !axes) formatError(`${c.where}: reduces nothing`);
  const v = dataInput(c, 0, 'data');
  return (
    reduceOverTime(c, v, axes, keepdims, true) ??
    formatError(`${c.where}: ReduceMax is only supported over the time axis of a sequence (a global max pooling)`)
  );
};

export const CONV_OPS: Record<string, Handler> = {
  Conv: conv,
  MaxPool: pool,
  AveragePool: pool,
  GlobalMaxPool: globalPool,
  GlobalAveragePool: globalPool,
  ReduceMax: reduceMax,
};
