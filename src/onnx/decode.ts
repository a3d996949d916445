/**
 * Bytes to an ONNX ModelProto, through @bufbuild/protobuf and the ONNX
 * project's own schema (proto/onnx.proto3). A truncated or corrupted
 * protobuf is an E_FORMAT error, never a crash: the reader checks every
 * length against the bytes it has before it slices, and a recursion too
 * deep for the stack (nested subgraphs) is caught here too.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { argError, formatError } from './core.js';
import { ModelProtoSchema, type ModelProto } from './proto/onnx_pb.js';

export function toBytes(where: string, bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return argError(
    `${where}: expected the bytes of an .onnx file (Uint8Array or ArrayBuffer), got ${bytes === null ? 'null' : typeof bytes}`,
  );
}

export function decodeModel(where: string, bytes: Uint8Array): ModelProto {
  if (bytes.byteLength === 0) formatError(`${where}: the model is empty (0 bytes)`);
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false });
  } catch (e) {
    return formatError(`${where}: not a readable ONNX model: the protobuf is truncated or corrupted (${(e as Error).message})`);
  }
  if (!model.graph) formatError(`${where}: not an ONNX model: it has no graph (is this an .onnx file?)`);
  return model;
}
