/**
 * wasm-rnn/onnx: ONNX in and out (a separate entry point, so the protobuf
 * runtime and the ONNX schema stay out of the core bundle).
 *
 *   fromOnnx(bytes)          an ONNX model (PyTorch's torch.onnx.export, ...) as our model
 *   toOnnx(model, options)   our model as ONNX bytes that ONNX Runtime runs
 *   readOnnx(bytes)          the layer graph an ONNX model maps to (what fromOnnx builds)
 *   describeModel(model)     the layer graph of one of our models (what toOnnx writes)
 */
import { argError, type Model } from './core.js';
import { irToModel } from './build.js';
import { toBytes } from './decode.js';
import { describeModel } from './export/describe.js';
import { irToOnnx } from './export/emit.js';
import { EXPORT_OPSETS, type ToOnnxOptions } from './export/options.js';
import type { IrGraph } from './ir.js';
import { onnxToIr, OPSETS } from './import/importer.js';

export type { AxisMeaning, IrDType, IrGraph, IrInput, IrLayer, IrOutput, IrRef, IrWeight } from './ir.js';
export type { ToOnnxOptions } from './export/options.js';

/** The ONNX opsets fromOnnx reads and toOnnx writes. */
export const onnxOpsets = { read: { ...OPSETS }, write: { ...EXPORT_OPSETS } };

/**
 * Read an ONNX model into the layer graph it maps to, without building it:
 * our layers with their configs and Keras-layout weights, and how each
 * ONNX input and output axis relates to ours (`onnxAxes`). Anything we
 * cannot express is one E_FORMAT error listing every such node.
 */
export function readOnnx(bytes: Uint8Array | ArrayBuffer): IrGraph {
  return onnxToIr('readOnnx', toBytes('readOnnx', bytes));
}

export interface FromOnnxOptions {
  /** the model's name (default: the ONNX graph's) */
  name?: string;
  /** seed for what training draws (shuffling, dropout), as Sequential's */
  seed?: number;
}

/**
 * An ONNX model (bytes of an .onnx file) as one of our models, ready to
 * predict, fit and serialize: a Sequential when the graph is a chain of
 * layers, else a functional model. Inputs and outputs are batch-major as
 * everywhere in wasm-rnn; a time-major graph (PyTorch batch_first=False)
 * is transposed at its edges (readOnnx(bytes).inputs[i].onnxAxes says so).
 */
export function fromOnnx(bytes: Uint8Array | ArrayBuffer, options: FromOnnxOptions = {}): Model {
  const where = 'fromOnnx';
  if (options === null || typeof options !== 'object') argError(`${where}: options must be an object`);
  for (const k of Object.keys(options))
    if (k !== 'name' && k !== 'seed') argError(`${where}: unknown option '${k}' (supported: name, seed)`);
  return irToModel(where, onnxToIr(where, toBytes(where, bytes)), options);
}

/** Our model (Sequential or functional) as the bytes of an .onnx file (opset 13 to 21, default 17). */
export function toOnnx(model: Model, options: ToOnnxOptions = {}): Uint8Array {
  if (!model || typeof model !== 'object' || !Array.isArray((model as { layers?: unknown }).layers)) {
    argError(`toOnnx: expected a model, got ${model === null ? 'null' : typeof model}`);
  }
  return irToOnnx('toOnnx', describeModel(model), options);
}

export { describeModel };
