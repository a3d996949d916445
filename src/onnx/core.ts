/**
 * The one door from src/onnx/ into the library: everything ONNX code uses
 * of the core comes through here, from the public API only. The subpath
 * bundle (dist/onnx.js) keeps this import external, so `wasm-rnn/onnx`
 * shares the core's classes and its one WebAssembly instance with
 * `wasm-rnn` instead of carrying a second copy.
 */
export { Layer, Sequential, Tensor, WasmRnnError, layers } from '../index.js';
import { WasmRnnError, type Layer, type Tensor } from '../index.js';

/** A malformed or unsupported ONNX model (code E_FORMAT): what and what to do. */
export function formatError(message: string): never {
  throw new WasmRnnError('E_FORMAT', message);
}

/** A bad call (code E_ARG). */
export function argError(message: string): never {
  throw new WasmRnnError('E_ARG', message);
}

/** The planned functional API (TF.js names), as build.ts uses it. */
export interface FunctionalApi {
  input(o: { shape: (number | null)[]; dtype?: string; name?: string }): unknown;
  model(o: { inputs: unknown[]; outputs: unknown[]; name?: string }): { layers: Layer[]; setWeights(w: Tensor[]): void };
}

/**
 * The functional API once the library has it: wire it here when the graph
 * engine lands (`import { input, model } from '../index.js'`, then
 * `{ input, model }`). Until then graphs that are not a chain are refused.
 * (A static import, not a namespace lookup: the bundle must stay
 * tree-shakable.)
 */
export const functionalApi: FunctionalApi | null = null;
