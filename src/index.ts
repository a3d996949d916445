// wasm-rnn public API: re-exports only.
export { init, backendName, backendNotes, createBackend } from './backend/load.js';
export type { InitOptions, BackendChoice } from './backend/load.js';
export type { BackendName } from './backend/backend.js';
export { Tensor, tensor } from './tensor.js';
export type { DType, NestedArray, TensorLike } from './tensor.js';
export { WasmRnnError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { setSeed } from './random.js';
export { layers, Layer } from './layers/index.js';
export type { DenseOptions, DropoutOptions, EmbeddingOptions, LstmOptions } from './layers/index.js';
export { Sequential } from './models/sequential.js';
export type { SequentialOptions, CompileOptions } from './models/sequential.js';
export type { FitOptions, History } from './train/fit.js';
export { optimizers } from './train/optimizers.js';
export { losses } from './train/losses.js';
export { callbacks } from './train/callbacks.js';
export type { Callback, Logs } from './train/callbacks.js';
