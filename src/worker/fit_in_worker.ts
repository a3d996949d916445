/**
 * fitInWorker: train a compiled model off the caller's thread, so a page
 * never freezes and a server keeps answering while a model trains.
 *
 *   const { model: trained, history } = await fitInWorker(model, x, y, {
 *     epochs: 5, batchSize: 32, signal,
 *     onProgress: (p) => bar.value = p.fraction,      // loss, logs, etaMs ...
 *   });
 *
 * How: the model goes to a worker as its artifact (model.serialize(), with
 * optimizer and Rng state), the worker runs the ordinary fit() on the same
 * modules, posts progress after every batch and epoch, and sends the trained
 * artifact back; the caller gets it through loadModel(). Same seed and
 * backend give the same bits as fit() in the calling thread. The caller's
 * model is left as it was.
 *
 * The worker: a Web Worker where the runtime has one (browsers, Deno, Bun),
 * else node:worker_threads (Node). Its script is dist/worker/worker.js, found
 * beside this module through import.meta.url; pass workerUrl when a bundler
 * moved it.
 *
 * Cancellation: an AbortSignal. On abort no more progress is reported, the
 * worker is told to stop (fit() checks between batches), then terminated;
 * the promise rejects with
 * WasmRnnError code 'E_ABORT'. A worker that does not answer within
 * abortGraceMs is terminated all the same.
 */
import { nodeBuiltin } from '../node_builtin.js';
import { getBackend, type InitOptions } from '../backend/load.js';
import type { BackendName } from '../backend/backend.js';
import { describe, fail, WasmRnnError, type ErrorCode } from '../errors.js';
import { loadModel } from '../io/load.js';
import { toData } from '../models/data.js';
import type { Model } from '../models/model.js';
import type { History } from '../train/fit.js';
import type { Logs } from '../train/callbacks.js';
import type { FitProgress, HostMessage, PlainTensor, WorkerFitOptions, WorkerMessage } from './protocol.js';

export type { FitProgress } from './protocol.js';

export interface FitInWorkerOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: [unknown, unknown] | [unknown, unknown, unknown];
  classWeight?: Record<number, number>;
  sampleWeight?: unknown;
  initialEpoch?: number;
  /** aborts training: the worker stops and the promise rejects with E_ABORT */
  signal?: AbortSignal;
  /** after every batch and every epoch: loss, logs, fraction done, ETA */
  onProgress?: (p: FitProgress) => void;
  /** Keras-style hooks, called in the caller's thread */
  onBatchEnd?: (batch: number, logs: Logs) => void;
  onEpochEnd?: (epoch: number, logs: Logs) => void;
  /** the worker script (default: dist/worker/worker.js, beside this module) */
  workerUrl?: string | URL;
  /**
   * how the worker picks its backend (default: the backend the caller runs,
   * e.g. { backend: 'wasm-simd' }); { threads: 'auto' } trains on every core
   * (the worker starts its own thread workers)
   */
  init?: InitOptions;
  /** how long an aborted worker may take to stop before it is terminated (default 2000 ms) */
  abortGraceMs?: number;
}

export interface FitInWorkerResult {
  /** the trained model, loaded in the caller's thread (a new model) */
  model: Model;
  history: History;
  /** which kind of worker ran it */
  worker: 'web-worker' | 'worker_threads';
  /** the backend the worker trained on */
  backend: BackendName;
  /** the threads it trained on (pass init: { threads } to use more than one) */
  threads: number;
}

const KEYS = [
  'epochs',
  'batchSize',
  'shuffle',
  'validationSplit',
  'validationData',
  'classWeight',
  'sampleWeight',
  'initialEpoch',
  'signal',
  'onProgress',
  'onBatchEnd',
  'onEpochEnd',
  'workerUrl',
  'init',
  'abortGraceMs',
];

/** The two worker APIs behind one face. */
interface WorkerHandle {
  kind: FitInWorkerResult['worker'];
  post(m: HostMessage): void;
  terminate(): void;
}

interface Listeners {
  message(m: WorkerMessage): void;
  /** the worker died or its script failed to load */
  failure(message: string): void;
}

interface WebWorkerLike {
  postMessage(m: unknown): void;
  terminate(): void;
  addEventListener(t: 'message' | 'error' | 'messageerror', f: (e: { data?: unknown; message?: string }) => void): void;
}

interface NodeWorkerLike {
  postMessage(m: unknown): void;
  terminate(): Promise<number>;
  on(t: 'message' | 'error' | 'exit' | 'messageerror', f: (v: unknown) => void): void;
}

function defaultWorkerUrl(): URL {
  // dist/worker/fit_in_worker.js and dist/worker/worker.js sit side by side
  return new URL('./worker.js', import.meta.url);
}

async function spawn(url: string | URL, on: Listeners): Promise<WorkerHandle> {
  const WebWorker = (globalThis as { Worker?: new (u: string | URL, o: { type: 'module'; name?: string }) => WebWorkerLike }).Worker;
  if (typeof WebWorker === 'function') {
    const w = new WebWorker(url, { type: 'module', name: 'wasm-rnn fit' });
    w.addEventListener('message', (e) => on.message(e.data as WorkerMessage));
    w.addEventListener('error', (e) => on.failure(e.message || 'the worker script failed to load or threw'));
    w.addEventListener('messageerror', () => on.failure('a message from the worker could not be read'));
    return { kind: 'web-worker', post: (m) => w.postMessage(m), terminate: () => w.terminate() };
  }
  const wt = await nodeBuiltin<{ Worker: new (u: string | URL) => NodeWorkerLike }>('worker_threads');
  if (!wt)
    return fail('E_STATE', 'fitInWorker: this runtime has neither Web Workers nor node:worker_threads; train with model.fit() instead');
  const w = new wt.Worker(typeof url === 'string' && !/^[a-z]+:/i.test(url) ? url : new URL(url));
  let done = false;
  w.on('message', (m) => on.message(m as WorkerMessage));
  w.on('error', (e) => on.failure(e instanceof Error ? e.message : String(e)));
  w.on('messageerror', () => on.failure('a message from the worker could not be read'));
  w.on('exit', (code) => {
    if (!done) on.failure(`the worker exited (code ${String(code)}) before it finished`);
  });
  return {
    kind: 'worker_threads',
    post: (m) => w.postMessage(m),
    terminate: () => {
      done = true;
      void w.terminate();
    },
  };
}

function plain(v: unknown, where: string, name: string): PlainTensor {
  const d = toData(v, where, name);
  return { data: d.data, shape: d.shape };
}

/** Train `model` in a worker (see the file header). Resolves with a new, trained model. */
export async function fitInWorker(model: Model, x: unknown, y: unknown, opts: FitInWorkerOptions = {}): Promise<FitInWorkerResult> {
  const where = 'fitInWorker';
  if (opts === null || typeof opts !== 'object') fail('E_ARG', `${where}: options must be an object, got ${describe(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!KEYS.includes(k)) fail('E_ARG', `${where}: unknown option '${k}' (supported: ${KEYS.join(', ')})`);
  }
  for (const k of ['onProgress', 'onBatchEnd', 'onEpochEnd'] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== 'function')
      fail('E_ARG', `${where}: ${k} must be a function, got ${describe(opts[k])}`);
  }
  const signal = opts.signal;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean')) {
    fail('E_ARG', `${where}: signal must be an AbortSignal, got ${describe(signal)}`);
  }
  if (!model || typeof (model as Partial<Model>).serialize !== 'function') {
    fail('E_ARG', `${where}: expected a Model model, got ${describe(model)}`);
  }
  if (!model.compileConfig) fail('E_STATE', `${where}: compile the model first (model.compile({ optimizer, loss }))`);
  const grace = opts.abortGraceMs ?? 2000;
  if (typeof grace !== 'number' || !(grace >= 0)) fail('E_ARG', `${where}: abortGraceMs must be a number >= 0, got ${describe(grace)}`);

  // everything is validated and copied here, in the caller's thread, so a
  // bad argument throws before a worker starts
  const fit: WorkerFitOptions = {
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    shuffle: opts.shuffle,
    validationSplit: opts.validationSplit,
    classWeight: opts.classWeight,
    initialEpoch: opts.initialEpoch,
  };
  if (opts.validationData !== undefined) {
    const vd = opts.validationData as unknown[];
    if (!Array.isArray(vd) || vd.length < 2 || vd.length > 3)
      fail('E_ARG', `${where}: validationData must be [xVal, yVal] or [xVal, yVal, sampleWeight]`);
    fit.validationData = vd.map((v, i) => plain(v, where, `validationData[${i}]`));
  }
  if (opts.sampleWeight !== undefined) fit.sampleWeight = plain(opts.sampleWeight, where, 'sampleWeight');
  const xs = plain(x, where, 'x');
  const ys = plain(y, where, 'y');
  const backend = getBackend().name;
  const initOptions: InitOptions = opts.init ?? { backend };
  const artifact = model.serialize();
  if (signal?.aborted) throw abortError(signal);

  return new Promise<FitInWorkerResult>((resolve, reject) => {
    let handle: WorkerHandle | null = null;
    let settled = false;
    let graceTimer: ReturnType<typeof setTimeout> | null = null;
    const finish = (err: Error | null, value?: FitInWorkerResult): void => {
      if (settled) return;
      settled = true;
      if (graceTimer !== null) clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      handle?.terminate();
      if (err) reject(err);
      else resolve(value!);
    };
    let aborting = false;
    const onAbort = (): void => {
      if (settled) return;
      aborting = true;
      if (!handle) return finish(abortError(signal!));
      handle.post({ type: 'abort', reason: String(signal!.reason ?? 'aborted') });
      // the worker answers with E_ABORT within a batch; if it does not, stop it anyway
      graceTimer = setTimeout(() => finish(abortError(signal!)), grace);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const listeners: Listeners = {
      message: (m) => {
        if (settled) return;
        switch (m.type) {
          case 'ready':
            handle!.post({ type: 'fit', artifact, x: xs, y: ys, fit, init: initOptions });
            return;
          case 'progress': {
            // batches the worker finished before it saw the abort are not reported
            if (aborting) return;
            const p = m.p;
            try {
              if (p.phase === 'batch') opts.onBatchEnd?.(p.batch, p.logs);
              else opts.onEpochEnd?.(p.epoch, p.logs);
              opts.onProgress?.(p);
            } catch (e) {
              // a throwing callback ends training, as it would in fit()
              finish(e instanceof Error ? e : new Error(String(e)));
            }
            return;
          }
          case 'done':
            // loaded in the caller's thread, on the caller's backend
            loadModel(m.artifact).then(
              (trained) => {
                const history: History = { epoch: m.history.epoch, history: m.history.history };
                for (const [k, v] of Object.entries(m.history.history)) history[k] = v;
                finish(null, { model: trained, history, worker: handle!.kind, backend: m.backend, threads: m.threads ?? 1 });
              },
              (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
            );
            return;
          case 'error':
            if (m.code === 'E_ABORT' || signal?.aborted)
              return finish(signal ? abortError(signal) : new WasmRnnError('E_ABORT', m.message));
            return finish(
              m.code
                ? new WasmRnnError(m.code as ErrorCode, m.message)
                : new WasmRnnError('E_STATE', `${where}: the worker failed: ${m.name}: ${m.message}`),
            );
        }
      },
      failure: (message) => finish(new WasmRnnError('E_STATE', `${where}: the worker failed: ${message}`)),
    };
    spawn(opts.workerUrl ?? defaultWorkerUrl(), listeners).then(
      (h) => {
        handle = h;
        if (settled) h.terminate();
      },
      (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
    );
  });
}

function abortError(signal: AbortSignal): WasmRnnError {
  return new WasmRnnError('E_ABORT', `fitInWorker: aborted (${String(signal.reason ?? 'signal')}); the worker was stopped`);
}
