/**
 * Tensor: a plain shape + typed array, owned by the user. Nothing to dispose.
 * float32 data for activations and weights, int32 for token ids and labels.
 * Row-major (C order): the last dimension varies fastest.
 *
 * tensor() also takes TF.js tensors (anything with `shape` and `dataSync()`),
 * copied, so users moving over pass what they have.
 */
import { WasmRnnError, describe, fail } from './errors.js';

export type DType = 'float32' | 'int32';
export type TypedData = Float32Array | Int32Array;

export class Tensor {
  readonly shape: readonly number[];
  readonly data: TypedData;
  readonly dtype: DType;

  constructor(data: TypedData, shape: readonly number[]) {
    const size = shapeSize(shape, 'Tensor');
    if (data.length !== size) {
      fail('E_SHAPE', `Tensor: data has ${data.length} elements but shape [${shape.join(', ')}] needs ${size}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Int32Array ? 'int32' : 'float32';
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Nested number arrays, like tf.Tensor.arraySync(). */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0];
    return nest(this.data, this.shape, 0, 0) as NestedArray;
  }

  /** TF.js's name for toArray(). */
  arraySync(): NestedArray {
    return this.toArray();
  }

  /** The flat data (TF.js's name): this tensor's own array, not a copy. */
  dataSync(): TypedData {
    return this.data;
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }
}

export type NestedArray = number | NestedArray[];

function nest(data: TypedData, shape: readonly number[], dim: number, offset: number): number[] | NestedArray[] {
  const n = shape[dim];
  if (dim === shape.length - 1) return Array.from(data.subarray(offset, offset + n));
  let stride = 1;
  for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
  const out: NestedArray[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = nest(data, shape, dim + 1, offset + i * stride);
  return out;
}

export function shapeSize(shape: readonly number[], where: string): number {
  if (!Array.isArray(shape)) fail('E_SHAPE', `${where}: shape must be an array of integers, got ${describe(shape)}`);
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      fail('E_SHAPE', `${where}: shape [${shape.join(', ')}] must hold non-negative integers`);
    }
    size *= d;
  }
  if (size > 2 ** 31 - 1) fail('E_SHAPE', `${where}: shape [${shape.join(', ')}] is too large (${size} elements)`);
  return size;
}

/**
 * A TF.js tensor, or anything shaped like one: a shape and the flat values in
 * row-major order. tf.Tensor fits; so does a Tensor of another wasm-rnn copy.
 */
export interface TfjsTensorLike {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number | string | boolean> | Float32Array | Int32Array | Uint8Array;
  readonly dtype?: string;
}

export type TensorLike = Tensor | NestedArray | TypedData | TfjsTensorLike;

/** True for objects with an array `shape` and a `dataSync()` method (tf.Tensor). */
export function isTfjsLike(v: unknown): v is TfjsTensorLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as TfjsTensorLike).shape) &&
    typeof (v as TfjsTensorLike).dataSync === 'function'
  );
}

/** Text where numbers belong: a string, or arrays whose first leaf is one. */
export function holdsText(v: unknown): boolean {
  let cur = v;
  for (let depth = 0; Array.isArray(cur) && cur.length > 0 && depth < 32; depth++) cur = cur[0];
  return typeof cur === 'string' || (isTfjsLike(v) && v.dtype === 'string');
}

/**
 * Build a tensor from nested arrays or a typed array + shape.
 * dtype defaults to the typed array's type, or float32 for plain arrays.
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  const where = 'tensor()';
  if (values instanceof Tensor) {
    if (shape && !sameShape(shape, values.shape)) {
      fail('E_SHAPE', `${where}: shape [${shape.join(', ')}] does not match the tensor's [${values.shape.join(', ')}]`);
    }
    if (dtype && dtype !== values.dtype) return new Tensor(convert(values.data, dtype), values.shape);
    return values;
  }
  if (isTfjsLike(values) && !(values instanceof Tensor)) return fromTfjs(values, shape, dtype);
  if (values instanceof Float32Array || values instanceof Int32Array) {
    const s = shape ?? [values.length];
    const data = dtype && dtype !== (values instanceof Int32Array ? 'int32' : 'float32') ? convert(values, dtype) : values;
    return new Tensor(data, s);
  }
  if (ArrayBuffer.isView(values)) {
    const arr = Array.from(values as unknown as ArrayLike<number>);
    return tensor(arr, shape ?? [arr.length], dtype);
  }
  if (typeof values === 'number') {
    const t = dtype === 'int32' ? Int32Array.of(values) : Float32Array.of(values);
    return new Tensor(t, shape ?? []);
  }
  if (!Array.isArray(values)) {
    fail(
      'E_ARG',
      `${where}: expected nested number arrays, a typed array, a Tensor or a TF.js tensor (shape and dataSync()), got ${describe(values)}`,
    );
  }
  const inferred = inferShape(values);
  const flat: number[] = [];
  flatten(values, inferred, 0, flat);
  const dt: DType = dtype ?? 'float32';
  const data = dt === 'int32' ? Int32Array.from(flat) : Float32Array.from(flat);
  if (shape) {
    if (shapeSize(shape, where) !== data.length) {
      fail('E_SHAPE', `${where}: ${data.length} values do not fill shape [${shape.join(', ')}]`);
    }
    return new Tensor(data, shape);
  }
  return new Tensor(data, inferred);
}

/** A copy of a TF.js tensor's values (dataSync() may hand out its backing store). */
function fromTfjs(t: TfjsTensorLike, shape: readonly number[] | undefined, dtype: DType | undefined): Tensor {
  const where = 'tensor()';
  if (shape && !sameShape(shape, t.shape)) {
    fail('E_SHAPE', `${where}: shape [${shape.join(', ')}] does not match the TF.js tensor's [${t.shape.join(', ')}]`);
  }
  if (t.dtype === 'string')
    fail('E_ARG', `${where}: a TF.js string tensor holds text; turn texts into ids with vectorizer.transform(texts)`);
  if (t.dtype === 'complex64') fail('E_ARG', `${where}: complex64 TF.js tensors are not supported; pass tf.real(t) or t.arraySync()`);
  const values = t.dataSync();
  const dt: DType = dtype ?? (t.dtype === 'int32' || values instanceof Int32Array ? 'int32' : 'float32');
  const out = dt === 'int32' ? new Int32Array(values.length) : new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' && typeof x !== 'boolean')
      fail('E_ARG', `${where}: value ${i} of the TF.js tensor is ${describe(x)}, not a number; call .arraySync() to see its contents`);
    if (dt === 'int32' && !Number.isInteger(Number(x))) fail('E_ARG', `${where}: value ${x} at index ${i} is not an integer (dtype int32)`);
    out[i] = Number(x);
  }
  return new Tensor(out, t.shape);
}

function inferShape(v: NestedArray[]): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flatten(v: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof v !== 'number') {
      throw new WasmRnnError('E_ARG', `tensor(): expected a number at depth ${dim}, got ${describe(v)}`);
    }
    out.push(v);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[dim]) {
    throw new WasmRnnError('E_SHAPE', `tensor(): ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${describe(v)}`);
  }
  for (const x of v) flatten(x, shape, dim + 1, out);
}

function convert(data: TypedData, dtype: DType): TypedData {
  if (dtype === 'float32') return Float32Array.from(data);
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isInteger(x)) fail('E_ARG', `tensor(): value ${x} at index ${i} is not an integer (dtype int32)`);
    out[i] = x;
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
