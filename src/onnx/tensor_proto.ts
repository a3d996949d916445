/**
 * ONNX TensorProto <-> plain typed arrays, with every size checked before
 * anything is allocated: dimensions must be in [0, 2^31), and the data
 * present must be exactly what the shape and type need (raw_data bytes or
 * the typed repeated field). Weights in external files are refused with a
 * message that says how to embed them.
 *
 * Floats become Float32Array; integer and boolean types become Float64Array
 * (int64 beyond 2^53 loses precision, which only ever matters for the
 * "to the end" sentinels of Slice, where it does not).
 */
import { create } from '@bufbuild/protobuf';
import { formatError } from './core.js';
import { TensorProtoSchema, TensorProto_DataLocation, TensorProto_DataType as DT, type TensorProto } from './proto/onnx_pb.js';

export interface ConstTensor {
  /** ONNX element type (TensorProto.DataType) */
  type: number;
  dims: number[];
  data: Float32Array | Float64Array;
}

/** Largest dimension we accept (ONNX runtimes index with int32 too). */
export const MAX_DIM = 2 ** 31 - 1;

const INT_TYPES: Record<number, number> = {
  [DT.INT8]: 1,
  [DT.UINT8]: 1,
  [DT.INT16]: 2,
  [DT.UINT16]: 2,
  [DT.INT32]: 4,
  [DT.UINT32]: 4,
  [DT.INT64]: 8,
  [DT.UINT64]: 8,
  [DT.BOOL]: 1,
};

export function isFloatType(t: number): boolean {
  return t === DT.FLOAT || t === DT.DOUBLE;
}

export function isIntType(t: number): boolean {
  return t in INT_TYPES;
}

export function typeName(t: number): string {
  return DT[t] ?? `type ${t}`;
}

/** Number of elements of `dims`, checked: each in [0, 2^31), the product too. */
export function elementCount(where: string, dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > MAX_DIM) formatError(`${where}: dimension ${d} is out of range [0, 2^31)`);
    n *= d;
    if (n > MAX_DIM) formatError(`${where}: shape [${dims.join(', ')}] has more than 2^31 elements`);
  }
  return n;
}

export function dimsOf(where: string, t: TensorProto): number[] {
  return t.dims.map((d) => {
    if (d < 0n || d > BigInt(MAX_DIM)) formatError(`${where}: dimension ${d} is out of range [0, 2^31)`);
    return Number(d);
  });
}

export function readTensor(where: string, t: TensorProto): ConstTensor {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
    const loc = t.externalData.find((e) => e.key === 'location')?.value;
    formatError(
      `${where}: the tensor's data is in an external file${loc ? ` ('${loc}')` : ''}, which we cannot read; ` +
        'save the model with its weights inside (Python: onnx.save(onnx.load(path), out, save_as_external_data=False))',
    );
  }
  if (t.segment) formatError(`${where}: segmented tensors are not supported`);
  const dims = dimsOf(where, t);
  const n = elementCount(where, dims);
  const type = t.dataType;
  const float = isFloatType(type);
  if (!float && !isIntType(type)) {
    formatError(
      `${where}: element type ${typeName(type)} is not supported (float32, float64 and integer types are; convert float16 models to float32)`,
    );
  }
  const size = type === DT.DOUBLE ? 8 : type === DT.FLOAT ? 4 : INT_TYPES[type];
  if (t.rawData.byteLength > 0) {
    if (t.rawData.byteLength !== n * size) {
      formatError(
        `${where}: raw_data holds ${t.rawData.byteLength} bytes, but shape [${dims.join(', ')}] of ${typeName(type)} needs ${n * size}`,
      );
    }
    return { type, dims, data: fromRaw(t.rawData, type, n) };
  }
  const field = typedField(t, type);
  if (field.length !== n) {
    formatError(`${where}: holds ${field.length} values, but shape [${dims.join(', ')}] needs ${n}`);
  }
  const data = float ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Number(field[i]);
  return { type, dims, data };
}

function typedField(t: TensorProto, type: number): ArrayLike<number | bigint> {
  switch (type) {
    case DT.FLOAT:
      return t.floatData;
    case DT.DOUBLE:
      return t.doubleData;
    case DT.INT64:
      return t.int64Data;
    case DT.UINT32:
    case DT.UINT64:
      return t.uint64Data;
    default:
      return t.int32Data; // int8/16/32, uint8/16, bool
  }
}

function fromRaw(raw: Uint8Array, type: number, n: number): Float32Array | Float64Array {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (type === DT.FLOAT) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
    return out;
  }
  if (type === DT.DOUBLE) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true);
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (type) {
      case DT.INT64:
        out[i] = Number(v.getBigInt64(8 * i, true));
        break;
      case DT.UINT64:
        out[i] = Number(v.getBigUint64(8 * i, true));
        break;
      case DT.INT32:
        out[i] = v.getInt32(4 * i, true);
        break;
      case DT.UINT32:
        out[i] = v.getUint32(4 * i, true);
        break;
      case DT.INT16:
        out[i] = v.getInt16(2 * i, true);
        break;
      case DT.UINT16:
        out[i] = v.getUint16(2 * i, true);
        break;
      case DT.INT8:
        out[i] = v.getInt8(i);
        break;
      default:
        out[i] = v.getUint8(i); // uint8, bool
    }
  }
  return out;
}

// ------------------------------------------------------------------ writing

/** A float32 initializer, little-endian raw_data (what every exporter writes). */
export function floatTensor(name: string, dims: readonly number[], data: ArrayLike<number>): TensorProto {
  const raw = new Uint8Array(4 * data.length);
  const v = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) v.setFloat32(4 * i, data[i], true);
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: DT.FLOAT, rawData: raw });
}

/** An int64 tensor (shapes, axes, indices). */
export function int64Tensor(name: string, dims: readonly number[], data: readonly (number | bigint)[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: DT.INT64, int64Data: data.map((x) => BigInt(x)) });
}

/** An int32 tensor. */
export function int32Tensor(name: string, dims: readonly number[], data: readonly number[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: DT.INT32, int32Data: [...data] });
}
