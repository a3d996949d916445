/**
 * Constant folding for the few ops exporters apply to constants (gate
 * reordering Slices and Concats when constant folding was off at export,
 * shape arithmetic, zero initial states). One result is capped at 2^24
 * elements and one import's results at 2^26 together, so that a hostile
 * graph cannot make us allocate gigabytes.
 */
import { formatError } from '../core.js';
import { TensorProto_DataType as DT } from '../proto/onnx_pb.js';
import { elementCount, isFloatType, type ConstTensor } from '../tensor_proto.js';

export const MAX_FOLD = 1 << 24;
export const MAX_FOLD_TOTAL = 1 << 26;

/** Elements folded so far in the current import (imports are synchronous: one at a time). */
let folded = 0;

export function resetFoldBudget(): void {
  folded = 0;
}

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function alloc(where: string, type: number, dims: number[]): ConstTensor {
  const n = elementCount(where, dims);
  if (n > MAX_FOLD) formatError(`${where}: a constant of shape [${dims.join(', ')}] is too large to fold (over 2^24 elements)`);
  folded += n;
  if (folded > MAX_FOLD_TOTAL) formatError(`${where}: the graph computes more than 2^26 constant elements; fold its constants at export`);
  return { type, dims, data: isFloatType(type) ? new Float32Array(n) : new Float64Array(n) };
}

export function scalarOf(where: string, t: ConstTensor): number {
  if (t.data.length !== 1) formatError(`${where}: expected a single value, got shape [${t.dims.join(', ')}]`);
  return t.data[0];
}

export function intsOf(where: string, t: ConstTensor): number[] {
  if (t.dims.length > 1) formatError(`${where}: expected a 1-D list of integers, got shape [${t.dims.join(', ')}]`);
  return Array.from(t.data, (x) => {
    if (!Number.isFinite(x) || Math.trunc(x) !== x) formatError(`${where}: expected integers, got ${x}`);
    return x;
  });
}

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/** Visit every output index in row-major order; `src` maps it to a source offset. */
function gatherAll(out: ConstTensor, src: (idx: number[]) => number, from: ConstTensor['data']): ConstTensor {
  const idx = new Array<number>(out.dims.length).fill(0);
  for (let o = 0; o < out.data.length; o++) {
    out.data[o] = from[src(idx)];
    for (let k = idx.length - 1; k >= 0; k--) {
      if (++idx[k] < out.dims[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

export function transposeC(where: string, t: ConstTensor, perm: number[] | null): ConstTensor {
  const r = t.dims.length;
  const p = perm ?? t.dims.map((_, i) => r - 1 - i);
  if (p.length !== r || new Set(p).size !== r || p.some((x) => x < 0 || x >= r))
    formatError(`${where}: perm [${p.join(', ')}] is not a permutation of ${r} axes`);
  const st = strides(t.dims);
  const out = alloc(
    where,
    t.type,
    p.map((i) => t.dims[i]),
  );
  return gatherAll(out, (idx) => idx.reduce((a, v, k) => a + v * st[p[k]], 0), t.data);
}

/** ONNX Reshape: 0 copies the input dimension (unless allowzero), -1 is inferred. */
export function reshapeDims(where: string, inDims: readonly number[], shape: number[], allowzero: boolean): number[] {
  const n = sizeOf(inDims);
  const out = shape.map((d, i) =>
    d === 0 && !allowzero ? (i < inDims.length ? inDims[i] : formatError(`${where}: 0 at axis ${i} has no input axis to copy`)) : d,
  );
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1 || out.some((d) => d < -1)) formatError(`${where}: invalid shape [${shape.join(', ')}]`);
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (minus === 1) {
    if (known === 0 || n % known !== 0) formatError(`${where}: cannot reshape [${inDims.join(', ')}] to [${shape.join(', ')}]`);
    out[out.indexOf(-1)] = n / known;
  } else if (known !== n) {
    formatError(`${where}: cannot reshape [${inDims.join(', ')}] (${n} elements) to [${shape.join(', ')}]`);
  }
  return out;
}

export function reshapeC(where: string, t: ConstTensor, dims: number[]): ConstTensor {
  if (sizeOf(dims) !== t.data.length) formatError(`${where}: cannot reshape [${t.dims.join(', ')}] to [${dims.join(', ')}]`);
  return { type: t.type, dims, data: t.data };
}

export interface SliceSpec {
  axis: number;
  start: number;
  end: number;
  step: number;
}

/** Resolve one axis of a Slice (ONNX clamping rules) to start, step and length. */
export function sliceRange(dim: number, s: SliceSpec): { start: number; step: number; len: number } {
  const { step } = s;
  let start = s.start < 0 ? s.start + dim : s.start;
  let end = s.end < 0 ? s.end + dim : s.end;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
  } else {
    start = Math.min(Math.max(start, 0), dim - 1);
    end = Math.min(Math.max(end, -1), dim - 1);
  }
  const len = Math.max(0, Math.ceil((end - start) / step));
  return { start, step, len };
}

export function sliceC(where: string, t: ConstTensor, specs: SliceSpec[]): ConstTensor {
  const ranges = t.dims.map((d) => ({ start: 0, step: 1, len: d }));
  for (const s of specs) {
    if (s.step === 0) formatError(`${where}: slice step 0`);
    ranges[s.axis] = sliceRange(t.dims[s.axis], s);
  }
  const st = strides(t.dims);
  const out = alloc(
    where,
    t.type,
    ranges.map((r) => r.len),
  );
  return gatherAll(out, (idx) => idx.reduce((a, v, k) => a + (ranges[k].start + v * ranges[k].step) * st[k], 0), t.data);
}

export function gatherC(where: string, t: ConstTensor, indices: ConstTensor, axis: number): ConstTensor {
  const dim = t.dims[axis];
  const ids = Array.from(indices.data, (i) => {
    const j = i < 0 ? i + dim : i;
    if (!Number.isInteger(j) || j < 0 || j >= dim) formatError(`${where}: index ${i} is out of range for an axis of size ${dim}`);
    return j;
  });
  const outDims = [...t.dims.slice(0, axis), ...indices.dims, ...t.dims.slice(axis + 1)];
  const st = strides(t.dims);
  const q = indices.dims.length;
  const out = alloc(where, t.type, outDims);
  return gatherAll(
    out,
    (idx) => {
      let off = 0;
      for (let k = 0; k < axis; k++) off += idx[k] * st[k];
      let flat = 0;
      for (let k = 0; k < q; k++) flat = flat * indices.dims[k] + idx[axis + k];
      off += ids[flat] * st[axis];
      for (let k = axis + 1; k < t.dims.length; k++) off += idx[k + q - 1] * st[k];
      return off;
    },
    t.data,
  );
}

export function concatC(where: string, ts: ConstTensor[], axis: number): ConstTensor {
  const r = ts[0].dims.length;
  for (const t of ts) {
    if (t.dims.length !== r || t.dims.some((d, k) => k !== axis && d !== ts[0].dims[k])) {
      formatError(`${where}: cannot concatenate shapes [${ts.map((x) => x.dims.join(', ')).join('] and [')}] on axis ${axis}`);
    }
  }
  const dims = [...ts[0].dims];
  dims[axis] = ts.reduce((a, t) => a + t.dims[axis], 0);
  const type = ts.some((t) => isFloatType(t.type)) ? DT.FLOAT : ts[0].type;
  const out = alloc(where, type, dims);
  const outer = sizeOf(dims.slice(0, axis));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of ts) {
      const chunk = sizeOf(t.dims.slice(axis));
      out.data.set(t.data.subarray(o * chunk, (o + 1) * chunk), at);
      at += chunk;
    }
  }
  return out;
}

function broadcastDims(where: string, a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) formatError(`${where}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Offset into `t` of the broadcast output index. */
function broadcastSrc(t: ConstTensor, r: number): (idx: number[]) => number {
  const st = strides(t.dims);
  const lead = r - t.dims.length;
  return (idx) => {
    let off = 0;
    for (let k = 0; k < t.dims.length; k++) if (t.dims[k] !== 1) off += idx[lead + k] * st[k];
    return off;
  };
}

export function expandC(where: string, t: ConstTensor, shape: number[]): ConstTensor {
  const dims = broadcastDims(where, t.dims, shape);
  const out = alloc(where, t.type, dims);
  return gatherAll(out, broadcastSrc(t, dims.length), t.data);
}

const BINARY: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => x / y,
};

export function binaryC(where: string, op: string, a: ConstTensor, b: ConstTensor): ConstTensor {
  const f = BINARY[op];
  const dims = broadcastDims(where, a.dims, b.dims);
  const float = isFloatType(a.type) || isFloatType(b.type);
  const out = alloc(where, float ? DT.FLOAT : a.type, dims);
  const sa = broadcastSrc(a, dims.length);
  const sb = broadcastSrc(b, dims.length);
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < out.data.length; o++) {
    let v = f(a.data[sa(idx)], b.data[sb(idx)]);
    if (!float) v = Math.trunc(v); // integer division truncates
    out.data[o] = v;
    for (let k = idx.length - 1; k >= 0; k--) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

export function isBinaryFoldable(op: string): boolean {
  return op in BINARY;
}

export function castC(where: string, t: ConstTensor, to: number): ConstTensor {
  const float = isFloatType(to);
  const out = alloc(where, to, t.dims);
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    out.data[i] = float ? v : to === DT.BOOL ? (v !== 0 ? 1 : 0) : Math.trunc(v);
  }
  return out;
}

export function filled(where: string, type: number, dims: number[], value: number): ConstTensor {
  const out = alloc(where, type, dims);
  out.data.fill(value);
  return out;
}

export function allEqual(t: ConstTensor, value: number): boolean {
  for (let i = 0; i < t.data.length; i++) if (t.data[i] !== value) return false;
  return true;
}
