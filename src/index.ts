// wasm-rnn public API: re-exports only.
export { init, backendName, backendNotes, createBackend, threads } from './backend/load.js';
export type { InitOptions, BackendChoice } from './backend/load.js';
export type { BackendName } from './backend/backend.js';
export { Tensor, tensor } from './tensor.js';
export type { DType, NestedArray, TensorLike } from './tensor.js';
export { WasmRnnError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { setSeed } from './random.js';
export { layers, Layer } from './layers/index.js';
export type { DenseOptions, DropoutOptions, EmbeddingOptions, LstmOptions } from './layers/index.js';
export type { SimpleRnnOptions, GruOptions, BidirectionalOptions, MaskingOptions } from './layers/index.js';
export { Sequential } from './models/sequential.js';
export type { SequentialOptions } from './models/sequential.js';
export { Model, model } from './models/model.js';
export type { ModelArgs, ModelInput, ModelTarget } from './models/model.js';
export type { Gradients } from './models/gradients.js';
export type { CompileOptions, LossLike, MetricLike, OptimizerLike } from './models/heads.js';
export { input, SymbolicTensor } from './layers/symbolic.js';
export type { InputOptions } from './layers/symbolic.js';
export type { ApplyOptions } from './layers/layer.js';
export type { FitOptions, History } from './train/fit.js';
export { optimizers } from './train/optimizers.js';
export { losses } from './train/losses.js';
export { callbacks } from './train/callbacks.js';
export type { Callback, Logs, ReduceLROnPlateauOptions, EarlyStoppingOptions } from './train/callbacks.js';
export { loadModel, loadModelSync, saveModel } from './io/load.js';
export type { LoadOptions } from './io/model_io.js';
export type { SerializeOptions } from './io/serialize.js';
export * from './text/index.js';
export { fromTfjs, toTfjs } from './io/tfjs.js';
export type { TfjsArtifacts, WeightSpecJSON } from './io/tfjs.js';
export { fitInWorker } from './worker/fit_in_worker.js';
export type { FitInWorkerOptions, FitInWorkerResult, FitProgress } from './worker/fit_in_worker.js';
export { classificationReport, formatReport } from './train/report.js';
export type { ClassificationReport, ClassReport } from './train/report.js';
export type { Classification } from './models/classify.js';
export type { ProgressBarOptions } from './train/progress.js';
export type { FitParams } from './train/callbacks.js';
export * from './lm/index.js';
export * from './tune/index.js';
export {
  saveModelToIndexedDB,
  loadModelFromIndexedDB,
  listIndexedDBModels,
  deleteModelFromIndexedDB,
  downloadModel,
} from './io/browser.js';
export * from './seq2seq/index.js';
/** @internal The body of a thread worker (dist/threads/thread.js). */
export { threadMain } from './threads/worker_main.js';
