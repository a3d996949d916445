/**
 * The layout and shape ops exporters emit around our layers: Transpose,
 * Squeeze, Unsqueeze, Reshape, Flatten, Slice, Gather (indexing), Concat,
 * Shape, ConstantOfShape, Expand, Identity, Dropout, Cast, Constant, and
 * arithmetic on constants. On constants they fold; on data they move atoms
 * (views.ts); selecting one step or one direction of a recurrent output is
 * recognised here.
 */
import { formatError } from '../core.js';
import { TensorProto_DataType as DT } from '../proto/onnx_pb.js';
import { isFloatType, isIntType, typeName, type ConstTensor } from '../tensor_proto.js';
import { dimOf, fmtDim, isUnit, numDim, type Dim } from './atoms.js';
import { constInput, dimsInput, intsInput, need, type Ctx } from './context.js';
import {
  allEqual, binaryC, castC, concatC, expandC, filled, gatherC, intsOf, reshapeC, reshapeDims,
  scalarOf, sizeOf, sliceC, sliceRange, transposeC, type SliceSpec,
} from './fold.js';
import { dims, flatten, normAxis, reshape, squeeze, transpose, unsqueeze } from './views.js';
import { port, type DataValue, type Value } from './values.js';

type Handler = (c: Ctx) => Value[];

const INT64_MAX_ISH = 2 ** 62;

function constValue(t: ConstTensor): Value {
  return { kind: 'const', t };
}

function intConst(values: number[], scalar = false): Value {
  return constValue({ type: DT.INT64, dims: scalar ? [] : [values.length], data: Float64Array.from(values) });
}

/** Sizes as a value: a constant when all known, else a shape value. */
function sizes(ds: Dim[], scalar = false): Value {
  if (ds.every((d) => d.s.length === 0)) return intConst(ds.map((d) => d.k), scalar);
  return { kind: 'shape', dims: ds, scalar };
}

/** Axes from the attribute (before opset 13) or the second input (13+). */
function axesOperand(c: Ctx, attrUntil: number): number[] | null {
  if (c.opset < attrUntil) return c.attrs.ints('axes');
  return c.input(1) ? intsInput(c, 1, 'axes') : null;
}

const transposeOp: Handler = (c) => {
  const perm = c.attrs.ints('perm');
  const v = need(c, 0, 'data');
  if (v.kind === 'data') return [transpose(c.where, v, perm)];
  if (v.kind === 'const') return [constValue(transposeC(c.where, v.t, perm))];
  if (v.kind === 'fill') return [v];
  return unsupportedOperand(c, v);
};

const squeezeOp: Handler = (c) => {
  const axes = axesOperand(c, 13);
  const v = need(c, 0, 'data');
  if (v.kind === 'data') return [squeeze(c.where, v, axes, c.roles)];
  if (v.kind === 'fill') return [v];
  if (v.kind === 'const') {
    const r = v.t.dims.length;
    const drop = new Set((axes ?? v.t.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => normAxis(c.where, a, r)));
    for (const a of drop) if (v.t.dims[a] !== 1) formatError(`${c.where}: squeezes axis ${a} of size ${v.t.dims[a]}`);
    return [constValue(reshapeC(c.where, v.t, v.t.dims.filter((_, i) => !drop.has(i))))];
  }
  if (v.kind === 'shape' && !v.scalar && v.dims.length === 1) return [{ ...v, scalar: true }];
  return unsupportedOperand(c, v);
};

const unsqueezeOp: Handler = (c) => {
  const axes = axesOperand(c, 13);
  if (!axes) formatError(`${c.where}: no axes given`);
  const v = need(c, 0, 'data');
  if (v.kind === 'data') return [unsqueeze(c.where, v, axes)];
  if (v.kind === 'fill') return [v];
  if (v.kind === 'const') {
    const r = v.t.dims.length + axes.length;
    const at = new Set(axes.map((a) => normAxis(c.where, a, r)));
    const d: number[] = [];
    let k = 0;
    for (let i = 0; i < r; i++) d.push(at.has(i) ? 1 : v.t.dims[k++]);
    return [constValue(reshapeC(c.where, v.t, d))];
  }
  if (v.kind === 'shape' && v.scalar && axes.length === 1 && normAxis(c.where, axes[0], 1) === 0) return [{ ...v, scalar: false }];
  return unsupportedOperand(c, v);
};

const reshapeOp: Handler = (c) => {
  const allowzero = c.opset >= 14 ? c.attrs.int('allowzero', 0) !== 0 : false;
  const v = need(c, 0, 'data');
  const target = dimsInput(c, 1, 'shape');
  if (v.kind === 'fill') return [v];
  if (v.kind === 'const') {
    if (target.some((d) => d.s.length)) formatError(`${c.where}: reshapes a constant to a run-time shape`);
    return [constValue(reshapeC(c.where, v.t, reshapeDims(c.where, v.t.dims, target.map((d) => d.k), allowzero)))];
  }
  if (v.kind !== 'data') return unsupportedOperand(c, v);
  const inDims = dims(v);
  const resolved = target.map((d, i): Dim | -1 => {
    if (d.s.length) return d;
    if (d.k === -1) return -1;
    if (d.k === 0 && !allowzero) {
      if (i >= inDims.length) formatError(`${c.where}: 0 at axis ${i} has no input axis to copy`);
      return inDims[i];
    }
    if (d.k < 0) formatError(`${c.where}: invalid size ${d.k} in the shape`);
    return d;
  });
  return [reshape(c.where, v, resolved, c.roles)];
};

const flattenOp: Handler = (c) => {
  const axis = c.attrs.int('axis', 1);
  const v = need(c, 0, 'data');
  if (v.kind === 'data') return [flatten(c.where, v, axis)];
  if (v.kind === 'const') {
    const a = axis < 0 ? axis + v.t.dims.length : axis;
    return [constValue(reshapeC(c.where, v.t, [sizeOf(v.t.dims.slice(0, a)), sizeOf(v.t.dims.slice(a))]))];
  }
  return unsupportedOperand(c, v);
};

const shapeOp: Handler = (c) => {
  const v = need(c, 0, 'data');
  let ds: Dim[];
  if (v.kind === 'data') ds = dims(v);
  else if (v.kind === 'const') ds = v.t.dims.map(numDim);
  else return unsupportedOperand(c, v);
  const r = ds.length;
  const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + r : x, 0), r);
  const start = c.opset >= 15 ? clamp(c.attrs.int('start', 0)) : 0;
  const end = c.opset >= 15 ? clamp(c.attrs.int('end', r)) : r;
  return [sizes(ds.slice(start, end))];
};

const constantOp: Handler = (c) => {
  const a = c.attrs;
  const t = a.tensor('value');
  if (t) return [constValue(t)];
  if (a.has('sparse_value')) formatError(`${c.where}: sparse constants are not supported`);
  if (a.has('value_float')) return [constValue({ type: DT.FLOAT, dims: [], data: Float32Array.of(a.float('value_float', 0)) })];
  if (a.has('value_floats')) {
    const f = a.floats('value_floats')!;
    return [constValue({ type: DT.FLOAT, dims: [f.length], data: Float32Array.from(f) })];
  }
  if (a.has('value_int')) return [intConst([a.int('value_int', 0)], true)];
  if (a.has('value_ints')) return [intConst(a.ints('value_ints')!)];
  return formatError(`${c.where}: a Constant without a numeric value (string constants are not supported)`);
};

const constantOfShapeOp: Handler = (c) => {
  const t = c.attrs.tensor('value');
  const value = t ? scalarOf(`${c.where}, value`, t) : 0;
  const type = t ? t.type : DT.FLOAT;
  const shape = dimsInput(c, 0, 'shape');
  if (shape.every((d) => d.s.length === 0)) return [constValue(filled(c.where, type, shape.map((d) => d.k), value))];
  return [{ kind: 'fill', value }];
};

const expandOp: Handler = (c) => {
  const v = need(c, 0, 'input');
  const shape = dimsInput(c, 1, 'shape');
  if (v.kind === 'fill') return [v];
  if (v.kind === 'const') {
    if (shape.every((d) => d.s.length === 0)) return [constValue(expandC(c.where, v.t, shape.map((d) => d.k)))];
    if (v.t.data.length > 0 && allEqual(v.t, v.t.data[0])) return [{ kind: 'fill', value: v.t.data[0] }];
    formatError(`${c.where}: expands a non-uniform constant to a run-time shape`);
  }
  return unsupportedOperand(c, v);
};

const identityOp: Handler = (c) => [need(c, 0, 'input')];

const dropoutOp: Handler = (c) => {
  // inference: the identity. A training-mode Dropout (opset 12+: a true third input) would not be.
  c.attrs.accept('ratio');
  c.attrs.accept('seed');
  if (c.opset >= 12 && c.input(2)) {
    const t = constInput(c, 2, 'training_mode');
    if (!allEqual(t, 0)) formatError(`${c.where}: dropout in training mode changes inference; export the model in eval() mode`);
  }
  if (c.node.output[1] && c.consumers(c.node.output[1]) > 0) formatError(`${c.where}: its mask output is used`);
  return [need(c, 0, 'input'), { kind: 'poison' }];
};

const castOp: Handler = (c) => {
  const to = c.attrs.int('to', 0);
  c.attrs.accept('saturate'); // float8 targets only
  const v = need(c, 0, 'input');
  if (v.kind === 'const') return [constValue(castC(c.where, v.t, to))];
  if (v.kind === 'idmask' || v.kind === 'lens') {
    if (!isIntType(to)) formatError(`${c.where}: casts a padding mask to ${typeName(to)}`);
    return [v];
  }
  if (v.kind === 'fill') return [v];
  if (v.kind === 'shape') {
    if (!isIntType(to)) formatError(`${c.where}: casts a shape to ${typeName(to)}`);
    return [v];
  }
  if (v.kind === 'data') {
    const ints = v.port.owner.kind === 'input' && v.port.owner.dtype === 'int32';
    if (ints ? isIntType(to) && to !== DT.BOOL : isFloatType(to)) return [v];
    formatError(`${c.where}: casts ${ints ? 'token ids' : 'float activations'} to ${typeName(to)}`);
  }
  return unsupportedOperand(c, v);
};

// ------------------------------------------------------------- indexing

/** Take one index of axis `axis` of a data view. */
export function indexData(c: Ctx, v: DataValue, axis: number, index: number): DataValue {
  const ax = normAxis(c.where, axis, v.axes.length);
  const atoms = v.axes[ax].filter((a) => !isUnit(a, c.roles));
  const rest = { ...v, axes: v.axes.filter((_, i) => i !== ax) };
  const dim = dimOf(v.axes[ax]);
  if (dim.s.length === 0 && (index >= dim.k || index < -dim.k)) formatError(`${c.where}: index ${index} is out of range for an axis of size ${dim.k}`);
  if (atoms.length === 0) return rest;
  if (atoms.length !== 1) formatError(`${c.where}: indexes into an axis that merges several (size ${fmtDim(dim)})`);
  const atom = atoms[0];
  const owner = v.port.owner;
  const rnn = owner.rnn;
  if (c.roles.of(atom) === 'time') {
    if (!rnn || v.port.name !== 'y') formatError(`${c.where}: selects one time step of a ${owner.className} output; only a recurrent layer's last step (its final state) can be taken`);
    const size = atom.size;
    const norm = index < 0 && size !== null ? index + size : index;
    const isLast = index === -1 || (size !== null && norm === size - 1);
    const isFirst = norm === 0 && !(size === 1);
    // which end of the time axis holds each direction's final state
    const dirFixed = rnn.D ? v.fixed.find((f) => f.atom === rnn.D) : null;
    const backward = rnn.direction === 'reverse' || (rnn.direction === 'bidirectional' && dirFixed?.index === 1);
    if (rnn.direction === 'bidirectional' && !dirFixed) {
      formatError(`${c.where}: takes one time step of a bidirectional sequence: its backward half there is not the backward final state ` +
        '(take the final states instead, e.g. PyTorch torch.cat([h_n[-2], h_n[-1]], 1))');
    }
    const atEnd = v.reversed ? isFirst : isLast;
    const atStart = v.reversed ? isLast : isFirst;
    if (backward ? !atStart || size === 1 : !atEnd) {
      formatError(`${c.where}: takes step ${index} of a ${backward ? 'backward' : 'forward'} recurrent sequence; only the step holding the final state can be taken`);
    }
    const h = owner.ports.get('h') ?? port(owner, 'h', v.port.atoms.filter((a) => a !== atom));
    return { ...rest, port: h, reversed: false };
  }
  if (rnn?.D === atom) {
    if (v.fixed.some((f) => f.atom === atom)) formatError(`${c.where}: indexes the direction axis twice`);
    return { ...rest, fixed: [...v.fixed, { atom, index: index < 0 ? index + 2 : index }] };
  }
  return formatError(`${c.where}: selects index ${index} of a ${c.roles.of(atom) ?? 'feature'} axis; ` +
    'only a recurrent layer\'s final step or one direction of a bidirectional output can be indexed');
}

const gatherOp: Handler = (c) => {
  const axis = c.attrs.int('axis', 0);
  const v = need(c, 0, 'data');
  const iv = need(c, 1, 'indices');
  if (v.kind === 'const' && iv.kind === 'const') return [constValue(gatherC(c.where, v.t, iv.t, normAxis(c.where, axis, v.t.dims.length)))];
  if (iv.kind !== 'const') {
    return formatError(`${c.where}: looks up computed indices in ${v.kind === 'const' ? 'a constant (an embedding must look up the model\'s int input directly, on axis 0)' : 'a computed tensor'}`);
  }
  if (iv.t.dims.length > 1 || (iv.t.dims.length === 1 && iv.t.dims[0] !== 1)) formatError(`${c.where}: gathers several indices at once`);
  const index = scalarOf(`${c.where}, indices`, iv.t);
  const keep = iv.t.dims.length === 1;
  if (v.kind === 'fill') return [v];
  if (v.kind === 'shape') {
    const i = index < 0 ? index + v.dims.length : index;
    if (v.scalar || i < 0 || i >= v.dims.length) formatError(`${c.where}: index ${index} is out of range`);
    return [sizes([v.dims[i]], !keep)];
  }
  let out: DataValue;
  if (v.kind === 'data') out = indexData(c, v, axis, index);
  else if (v.kind === 'stack') out = indexStack(c, v, axis, index);
  else return unsupportedOperand(c, v);
  return [keep ? unsqueeze(c.where, out, [normAxis(c.where, axis, out.axes.length + 1)]) : out];
};

function indexStack(c: Ctx, v: Extract<Value, { kind: 'stack' }>, axis: number, index: number): DataValue {
  const ax = normAxis(c.where, axis, v.parts[0].axes.length);
  if (ax !== v.axis) formatError(`${c.where}: indexes concatenated states on an axis other than the concatenation axis`);
  const sizesAlong = v.parts.map((p) => dimOf(p.axes[ax]));
  if (sizesAlong.some((d) => d.s.length)) formatError(`${c.where}: indexes concatenated states of run-time size`);
  const total = sizesAlong.reduce((a, d) => a + d.k, 0);
  let i = index < 0 ? index + total : index;
  if (i < 0 || i >= total) formatError(`${c.where}: index ${index} is out of range for ${total} concatenated states`);
  for (let k = 0; k < v.parts.length; k++) {
    if (i < sizesAlong[k].k) return indexData(c, v.parts[k], ax, i);
    i -= sizesAlong[k].k;
  }
  return formatError(`${c.where}: index ${index} is out of range`);
}

const sliceOp: Handler = (c) => {
  let starts: number[];
  let ends: number[];
  let axes: number[] | null;
  let steps: number[] | null = null;
  if (c.opset < 10) {
    starts = c.attrs.ints('starts') ?? formatError(`${c.where}: no starts`);
    ends = c.attrs.ints('ends') ?? formatError(`${c.where}: no ends`);
    axes = c.attrs.ints('axes');
  } else {
    starts = intsInput(c, 1, 'starts');
    ends = intsInput(c, 2, 'ends');
    axes = c.input(3) ? intsInput(c, 3, 'axes') : null;
    steps = c.input(4) ? intsInput(c, 4, 'steps') : null;
  }
  if (ends.length !== starts.length || (axes && axes.length !== starts.length) || (steps && steps.length !== starts.length)) {
    formatError(`${c.where}: starts, ends, axes and steps differ in length`);
  }
  const v = need(c, 0, 'data');
  const rank = v.kind === 'const' ? v.t.dims.length : v.kind === 'data' ? v.axes.length : v.kind === 'stack' ? v.parts[0].axes.length : 0;
  const specs: SliceSpec[] = starts.map((s, i) => ({
    axis: normAxis(c.where, axes ? axes[i] : i, Math.max(rank, 1)), start: s, end: ends[i], step: steps ? steps[i] : 1,
  }));
  if (new Set(specs.map((s) => s.axis)).size !== specs.length) formatError(`${c.where}: an axis is sliced twice`);
  if (v.kind === 'const') return [constValue(sliceC(c.where, v.t, specs))];
  if (v.kind === 'fill') return [v];
  if (v.kind === 'shape') {
    if (v.scalar || specs.length !== 1 || specs[0].step !== 1) formatError(`${c.where}: unsupported slice of a shape`);
    const r = sliceRange(v.dims.length, specs[0]);
    return [sizes(v.dims.slice(r.start, r.start + r.len))];
  }
  let out: DataValue;
  if (v.kind === 'stack') {
    if (specs.length !== 1 || specs[0].axis !== v.axis || specs[0].step !== 1) formatError(`${c.where}: slices concatenated states other than by whole parts`);
    out = sliceStack(c, v, specs[0]);
  } else if (v.kind === 'data') {
    out = v;
    for (const s of specs) out = sliceData(c, out, s);
  } else return unsupportedOperand(c, v);
  return [out];
};

function sliceStack(c: Ctx, v: Extract<Value, { kind: 'stack' }>, s: SliceSpec): DataValue {
  const along = v.parts.map((p) => dimOf(p.axes[v.axis]).k);
  const total = along.reduce((a, b) => a + b, 0);
  const r = sliceRange(total, s);
  let at = 0;
  for (let k = 0; k < v.parts.length; k++) {
    if (r.start === at && r.len === along[k]) return v.parts[k];
    at += along[k];
  }
  return formatError(`${c.where}: slices concatenated states other than by whole parts`);
}

/** One axis of a Slice on data: the whole axis, a reversal of time, one step, or one direction. */
function sliceData(c: Ctx, v: DataValue, s: SliceSpec): DataValue {
  const d = dimOf(v.axes[s.axis]);
  const atoms = v.axes[s.axis].filter((a) => !isUnit(a, c.roles));
  const whole = s.start === 0 && s.step === 1 && (d.s.length ? s.end >= INT64_MAX_ISH : s.end >= d.k);
  if (whole) return v;
  if (d.s.length === 0) {
    const r = sliceRange(d.k, s);
    if (r.start === 0 && r.step === 1 && r.len === d.k) return v;
  }
  const time = atoms.length === 1 && c.roles.of(atoms[0]) === 'time';
  // reversed time: Slice(starts=[-1], ends=[-INT_MAX], steps=[-1])
  if (time && s.step === -1 && s.start === -1 && s.end <= -INT64_MAX_ISH) return { ...v, reversed: !v.reversed };
  if (time && s.step === 1 && (s.end - s.start === 1 || (s.start === -1 && s.end >= INT64_MAX_ISH))) {
    return unsqueeze(c.where, indexData(c, v, s.axis, s.start), [s.axis]);
  }
  // one direction of a (direction, hidden) axis
  const D = v.port.owner.rnn?.D;
  if (D && atoms[0] === D && d.s.length === 0 && s.step === 1) {
    const half = d.k / 2;
    const r = sliceRange(d.k, s);
    if (r.len === half && (r.start === 0 || r.start === half)) {
      const axes = v.axes.map((ax, i) => (i === s.axis ? ax.filter((a) => a !== D) : ax));
      return { ...v, axes, fixed: [...v.fixed, { atom: D, index: r.start === 0 ? 0 : 1 }] };
    }
  }
  return formatError(`${c.where}: slices [${s.start}:${s.end}:${s.step}] of an axis of size ${fmtDim(d)}, which is not a layer output we can follow`);
}

// ------------------------------------------------------------- concat

const concatOp: Handler = (c) => {
  const axisAttr = c.attrs.int('axis', 0);
  if (!c.node.input.length) formatError(`${c.where}: no inputs`);
  const vs = c.node.input.map((_, i) => need(c, i, `input ${i}`));
  if (vs.every((v) => v.kind === 'const')) {
    const ts = vs.map((v) => (v as { t: ConstTensor }).t);
    return [constValue(concatC(c.where, ts, normAxis(c.where, axisAttr, ts[0].dims.length)))];
  }
  if (vs.every((v) => v.kind === 'const' || v.kind === 'shape')) {
    const ds: Dim[] = [];
    for (const v of vs) {
      if (v.kind === 'shape') ds.push(...v.dims);
      else ds.push(...intsOf(c.where, (v as { t: ConstTensor }).t).map(numDim));
    }
    return [sizes(ds)];
  }
  if (vs.every((v) => v.kind === 'fill') && vs.every((v) => (v as { value: number }).value === (vs[0] as { value: number }).value)) return [vs[0]];
  if (vs.every((v) => v.kind === 'data')) {
    const parts = vs as DataValue[];
    const axis = normAxis(c.where, axisAttr, parts[0].axes.length);
    return [mergeDirections(parts, axis) ?? { kind: 'stack', axis, parts }];
  }
  return formatError(`${c.where}: concatenates ${vs.map((v) => v.kind).join(', ')} values`);
};

/** [forward half, backward half] of one bidirectional output, concatenated back along `axis`. */
function mergeDirections(parts: DataValue[], axis: number): DataValue | null {
  if (parts.length !== 2) return null;
  const [a, b] = parts;
  const D = a.port.owner.rnn?.D;
  if (!D || a.port !== b.port || a.reversed !== b.reversed) return null;
  const fa = a.fixed.find((f) => f.atom === D);
  const fb = b.fixed.find((f) => f.atom === D);
  if (fa?.index !== 0 || fb?.index !== 1) return null;
  if (a.axes.length !== b.axes.length || a.axes.some((ax, i) => ax.length !== b.axes[i].length || ax.some((x, k) => x !== b.axes[i][k]))) return null;
  return { ...a, axes: a.axes.map((ax, i) => (i === axis ? [D, ...ax] : ax)), fixed: a.fixed.filter((f) => f.atom !== D) };
}

// ------------------------------------------------------------- arithmetic on constants

const binaryOp: Handler = (c) => {
  const a = need(c, 0, 'A');
  const b = need(c, 1, 'B');
  if (a.kind === 'const' && b.kind === 'const') return [constValue(binaryC(c.where, c.node.opType, a.t, b.t))];
  return formatError(`${c.where}: ${c.node.opType} of ${a.kind === 'data' || b.kind === 'data' ? 'a layer output' : 'run-time sizes'} is not a layer we have`);
};

function unsupportedOperand(c: Ctx, v: Value): never {
  const what = v.kind === 'stack' ? 'concatenated states' : v.kind === 'shape' ? 'a shape' : v.kind === 'fill' ? 'a filled tensor' : v.kind;
  return formatError(`${c.where}: applied to ${what}, which we cannot follow`);
}

export const LAYOUT_OPS: Record<string, Handler> = {
  Transpose: transposeOp,
  Squeeze: squeezeOp,
  Unsqueeze: unsqueezeOp,
  Reshape: reshapeOp,
  Flatten: flattenOp,
  Shape: shapeOp,
  Constant: constantOp,
  ConstantOfShape: constantOfShapeOp,
  Expand: expandOp,
  Identity: identityOp,
  Dropout: dropoutOp,
  Cast: castOp,
  Gather: gatherOp,
  Slice: sliceOp,
  Concat: concatOp,
  Sub: binaryOp,
  Div: binaryOp,
};

/** Add and Mul fold constants here; on data, Add is a Dense bias (ops_layers.ts). */
export const foldBinary = binaryOp;
export { gatherOp };
