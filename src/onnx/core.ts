/**
 * The one door from src/onnx/ into the library: everything ONNX code uses
 * of the core comes through here, from the public API only. The subpath
 * bundle (dist/onnx.js) keeps this import external, so `wasm-rnn/onnx`
 * shares the core's classes and its one WebAssembly instance with
 * `wasm-rnn` instead of carrying a second copy.
 */
export { Layer, Model, Sequential, SymbolicTensor, Tensor, WasmRnnError, input, layers, model } from '../index.js';
import { WasmRnnError } from '../index.js';

/** A malformed or unsupported ONNX model (code E_FORMAT): what and what to do. */
export function formatError(message: string): never {
  throw new WasmRnnError('E_FORMAT', message);
}

/** A bad call (code E_ARG). */
export function argError(message: string): never {
  throw new WasmRnnError('E_ARG', message);
}
