/**
 * The layout and shape ops exporters emit around our layers: Transpose,
 * Squeeze, Unsqueeze, Reshape, Flatten, Shape, Constant, ConstantOfShape,
 * Expand, Identity, Dropout, Cast, and arithmetic on constants. On
 * constants they fold; on data they move atoms (views.ts). Indexing and
 * joining (Gather, Slice, Concat) are in ops_index.ts.
 */
import { formatError } from '../core.js';
import { TensorProto_DataType as DT } from '../proto/onnx_pb.js';
import { isFloatType, isIntType, typeName, type ConstTensor } from '../tensor_proto.js';
import { numDim, type Dim } from './atoms.js';
import { constInput, dimsInput, intsInput, need, type Ctx } from './context.js';
import { allEqual, binaryC, castC, expandC, filled, reshapeC, reshapeDims, scalarOf, sizeOf, transposeC } from './fold.js';
import { dims, flatten, normAxis, reshape, squeeze, transpose, unsqueeze } from './views.js';
import type { Value } from './values.js';

type Handler = (c: Ctx) => Value[];

export function constValue(t: ConstTensor): Value {
  return { kind: 'const', t };
}

function intConst(values: number[], scalar = false): Value {
  return constValue({ type: DT.INT64, dims: scalar ? [] : [values.length], data: Float64Array.from(values) });
}

/** Sizes as a value: a constant when all known, else a shape value. */
export function sizes(ds: Dim[], scalar = false): Value {
  if (ds.every((d) => d.s.length === 0))
    return intConst(
      ds.map((d) => d.k),
      scalar,
    );
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
  if (v.kind === 'data') {
    // a Conv's output read only by this Transpose: an activation after it may still fold in
    const d = v.port.owner;
    if (d.className === 'Conv1D' && d.tail === c.node.input[0] && c.consumers(c.node.input[0]) === 1) d.tail = c.node.output[0];
    return [transpose(c.where, v, perm)];
  }
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
    return [
      constValue(
        reshapeC(
          c.where,
          v.t,
          v.t.dims.filter((_, i) => !drop.has(i)),
        ),
      ),
    ];
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
    return [
      constValue(
        reshapeC(
          c.where,
          v.t,
          reshapeDims(
            c.where,
            v.t.dims,
            target.map((d) => d.k),
            allowzero,
          ),
        ),
      ),
    ];
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
  if (shape.every((d) => d.s.length === 0))
    return [
      constValue(
        filled(
          c.where,
          type,
          shape.map((d) => d.k),
          value,
        ),
      ),
    ];
  return [{ kind: 'fill', value }];
};

const expandOp: Handler = (c) => {
  const v = need(c, 0, 'input');
  const shape = dimsInput(c, 1, 'shape');
  if (v.kind === 'fill') return [v];
  if (v.kind === 'const') {
    if (shape.every((d) => d.s.length === 0))
      return [
        constValue(
          expandC(
            c.where,
            v.t,
            shape.map((d) => d.k),
          ),
        ),
      ];
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

// ------------------------------------------------------------- arithmetic on constants

const binaryOp: Handler = (c) => {
  const a = need(c, 0, 'A');
  const b = need(c, 1, 'B');
  if (a.kind === 'const' && b.kind === 'const') return [constValue(binaryC(c.where, c.node.opType, a.t, b.t))];
  return formatError(
    `${c.where}: ${c.node.opType} of ${a.kind === 'data' || b.kind === 'data' ? 'a layer output' : 'run-time sizes'} is not a layer we have`,
  );
};

export function unsupportedOperand(c: Ctx, v: Value): never {
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
  Div: binaryOp,
};

/** Add and Mul fold constants here; on data, Add is a Dense bias (ops_layers.ts). */
export const foldBinary = binaryOp;
