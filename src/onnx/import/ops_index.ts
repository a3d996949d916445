/**
 * Indexing and joining layer outputs: Gather with a constant index, Slice,
 * Concat. On constants they fold. On data they recognise what exporters
 * write around recurrent nodes: the last step of a forward sequence (or
 * the first of a reverse one) is the final state; one index of a
 * bidirectional output's direction axis is one direction, and the two
 * directions concatenated back are the whole output; a reversed time axis
 * is a goBackwards layer's order; several layers' states concatenated
 * (PyTorch's h_n) can be indexed back apart.
 */
import { formatError } from '../core.js';
import type { ConstTensor } from '../tensor_proto.js';
import { dimOf, fmtDim, isUnit, numDim, type Dim } from './atoms.js';
import { intsInput, need, type Ctx } from './context.js';
import { concatC, gatherC, intsOf, scalarOf, sliceC, sliceRange, type SliceSpec } from './fold.js';
import { mergeLayer } from './ops_merge_layers.js';
import { constValue, sizes, unsupportedOperand } from './ops_layout.js';
import { normAxis, unsqueeze } from './views.js';
import { port, type DataValue, type Value } from './values.js';

type Handler = (c: Ctx) => Value[];

const INT64_MAX_ISH = 2 ** 62;

/** Take one index of axis `axis` of a data view. */
export function indexData(c: Ctx, v: DataValue, axis: number, index: number): DataValue {
  const ax = normAxis(c.where, axis, v.axes.length);
  const atoms = v.axes[ax].filter((a) => !isUnit(a, c.roles));
  const rest = { ...v, axes: v.axes.filter((_, i) => i !== ax) };
  const dim = dimOf(v.axes[ax]);
  if (dim.s.length === 0 && (index >= dim.k || index < -dim.k))
    formatError(`${c.where}: index ${index} is out of range for an axis of size ${dim.k}`);
  if (atoms.length === 0) return rest;
  if (atoms.length !== 1) formatError(`${c.where}: indexes into an axis that merges several (size ${fmtDim(dim)})`);
  const atom = atoms[0];
  const owner = v.port.owner;
  const rnn = owner.rnn;
  if (c.roles.of(atom) === 'time') {
    if (!rnn || v.port.name !== 'y')
      formatError(
        `${c.where}: selects one time step of a ${owner.className} output; only a recurrent layer's last step (its final state) can be taken`,
      );
    const size = atom.size;
    const norm = index < 0 && size !== null ? index + size : index;
    const isLast = index === -1 || (size !== null && norm === size - 1);
    const isFirst = norm === 0 && !(size === 1);
    // which end of the time axis holds each direction's final state
    const dirFixed = rnn.D ? v.fixed.find((f) => f.atom === rnn.D) : null;
    const backward = rnn.direction === 'reverse' || (rnn.direction === 'bidirectional' && dirFixed?.index === 1);
    if (rnn.direction === 'bidirectional' && !dirFixed) {
      formatError(
        `${c.where}: takes one time step of a bidirectional sequence: its backward half there is not the backward final state ` +
          '(take the final states instead, e.g. PyTorch torch.cat([h_n[-2], h_n[-1]], 1))',
      );
    }
    const atEnd = v.reversed ? isFirst : isLast;
    const atStart = v.reversed ? isLast : isFirst;
    if (backward ? !atStart || size === 1 : !atEnd) {
      formatError(
        `${c.where}: takes step ${index} of a ${backward ? 'backward' : 'forward'} recurrent sequence; only the step holding the final state can be taken`,
      );
    }
    const h =
      owner.ports.get('h') ??
      port(
        owner,
        'h',
        v.port.atoms.filter((a) => a !== atom),
      );
    return { ...rest, port: h, reversed: false };
  }
  if (rnn?.D === atom) {
    if (v.fixed.some((f) => f.atom === atom)) formatError(`${c.where}: indexes the direction axis twice`);
    return { ...rest, fixed: [...v.fixed, { atom, index: index < 0 ? index + 2 : index }] };
  }
  return formatError(
    `${c.where}: selects index ${index} of a ${c.roles.of(atom) ?? 'feature'} axis; ` +
      "only a recurrent layer's final step or one direction of a bidirectional output can be indexed",
  );
}

const gatherOp: Handler = (c) => {
  const axis = c.attrs.int('axis', 0);
  const v = need(c, 0, 'data');
  const iv = need(c, 1, 'indices');
  if (v.kind === 'const' && iv.kind === 'const') return [constValue(gatherC(c.where, v.t, iv.t, normAxis(c.where, axis, v.t.dims.length)))];
  if (iv.kind !== 'const') {
    return formatError(
      `${c.where}: looks up computed indices in ${v.kind === 'const' ? "a constant (an embedding must look up the model's int input directly, on axis 0)" : 'a computed tensor'}`,
    );
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
    axis: normAxis(c.where, axes ? axes[i] : i, Math.max(rank, 1)),
    start: s,
    end: ends[i],
    step: steps ? steps[i] : 1,
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
    if (specs.length !== 1 || specs[0].axis !== v.axis || specs[0].step !== 1)
      formatError(`${c.where}: slices concatenated states other than by whole parts`);
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
  return formatError(
    `${c.where}: slices [${s.start}:${s.end}:${s.step}] of an axis of size ${fmtDim(d)}, which is not a layer output we can follow`,
  );
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
  if (vs.every((v) => v.kind === 'fill') && vs.every((v) => (v as { value: number }).value === (vs[0] as { value: number }).value))
    return [vs[0]];
  if (vs.every((v) => v.kind === 'data')) {
    const parts = vs as DataValue[];
    const axis = normAxis(c.where, axisAttr, parts[0].axes.length);
    const directions = mergeDirections(parts, axis);
    if (directions) return [directions];
    // different layers' features joined: a Concatenate; anything else (PyTorch's h_n) is indexed apart later
    const features = axis === parts[0].axes.length - 1 && parts.every((p) => p.axes.length === parts[0].axes.length && !p.fixed.length);
    return [features && parts.length > 1 ? mergeLayer(c, parts) : { kind: 'stack', axis, parts }];
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
  if (a.axes.length !== b.axes.length || a.axes.some((ax, i) => ax.length !== b.axes[i].length || ax.some((x, k) => x !== b.axes[i][k])))
    return null;
  return { ...a, axes: a.axes.map((ax, i) => (i === axis ? [D, ...ax] : ax)), fixed: a.fixed.filter((f) => f.atom !== D) };
}

export const INDEX_OPS: Record<string, Handler> = {
  Gather: gatherOp,
  Slice: sliceOp,
  Concat: concatOp,
};

export { gatherOp };
