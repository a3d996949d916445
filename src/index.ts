// wasm-rnn public API: re-exports only.
export { init, backendName, backendNotes, createBackend } from './backend/load.js';
export type { InitOptions, BackendChoice } from './backend/load.js';
export type { BackendName } from './backend/backend.js';
export { Tensor, tensor } from './tensor.js';
export type { DType, NestedArray, TensorLike } from './tensor.js';
export { WasmRnnError } from './errors.js';
export type { ErrorCode } from './errors.js';
