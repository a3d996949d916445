/**
 * The messages between fitInWorker (the caller's thread) and the training
 * worker (worker.ts). Everything is structured-clone data: the model travels
 * as its serialized artifact (topology, weights, compile settings, optimizer
 * and Rng state), tensors as { data, shape }.
 *
 *   worker -> host   { type: 'ready' }           listening (the host waits for it)
 *   host -> worker   { type: 'fit', ... }        once, to start
 *   host -> worker   { type: 'abort', reason }   on the caller's AbortSignal
 *   worker -> host   { type: 'progress', p }     after every batch and epoch
 *   worker -> host   { type: 'done', ... }       the trained artifact + history
 *   worker -> host   { type: 'error', ... }      a WasmRnnError's code + message
 */
import type { ErrorCode } from '../errors.js';
import type { InitOptions } from '../backend/load.js';
import type { BackendName } from '../backend/backend.js';
import type { Logs } from '../train/callbacks.js';

/** A tensor as plain data (Tensor instances lose their class in postMessage). */
export interface PlainTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}

/** fit() options that cross the thread boundary (callbacks and signal stay behind). */
export interface WorkerFitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: PlainTensor[];
  classWeight?: Record<number, number>;
  sampleWeight?: PlainTensor;
  initialEpoch?: number;
}

export interface FitMessage {
  type: 'fit';
  artifact: Uint8Array;
  x: PlainTensor;
  y: PlainTensor;
  fit: WorkerFitOptions;
  init: InitOptions;
}

export interface AbortMessage {
  type: 'abort';
  reason: string;
}

/** One progress event: after every batch ('batch') and after every epoch ('epoch'). */
export interface FitProgress {
  phase: 'batch' | 'epoch';
  /** 0-based epoch index (as in Keras callbacks) */
  epoch: number;
  /** the last epoch index + 1 (initialEpoch + epochs) */
  epochs: number;
  /** 0-based batch index within the epoch; the last one on 'epoch' events */
  batch: number;
  /** batches per epoch */
  batches: number;
  /** batches done so far in this fit, and in all */
  step: number;
  steps: number;
  /** step / steps, in [0, 1] */
  fraction: number;
  /** this batch's loss ('batch') or the epoch's mean loss ('epoch') */
  loss: number;
  /** the logs a callback would get: loss, metrics, and val_* on 'epoch' events */
  logs: Logs;
  elapsedMs: number;
  /** estimated time left: elapsed / step * (steps - step) */
  etaMs: number;
  /** the backend the worker trains on */
  backend: BackendName;
  /** the threads it trains on (init: { threads }) */
  threads: number;
}

export interface ProgressMessage {
  type: 'progress';
  p: FitProgress;
}

export interface DoneMessage {
  type: 'done';
  artifact: Uint8Array;
  history: { epoch: number[]; history: Record<string, number[]> };
  backend: BackendName;
  threads: number;
}

export interface ErrorMessage {
  type: 'error';
  code: ErrorCode | null;
  name: string;
  message: string;
}

export type HostMessage = FitMessage | AbortMessage;
export interface ReadyMessage {
  type: 'ready';
}

export type WorkerMessage = ReadyMessage | ProgressMessage | DoneMessage | ErrorMessage;
