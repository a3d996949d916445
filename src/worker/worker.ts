/**
 * The training worker: dist/worker/worker.js. It imports the same modules
 * as the caller (dist/index.js and what it imports), so the kernels, the
 * artifact format and the fit loop are the very same code.
 *
 * One job per worker: receive { type: 'fit' }, init the backend the caller
 * asked for, load the artifact, fit with progress messages, reply with the
 * trained artifact (optimizer and Rng state included, so training can go on)
 * or with the error. An { type: 'abort' } message aborts fit() between
 * batches; fit() yields to the event loop while it trains, so the message is
 * seen within one batch.
 *
 * Runs as a Web Worker (browsers, Deno, Bun) or under node:worker_threads,
 * whichever global scope it finds.
 */
import { nodeBuiltin } from '../node_builtin.js';
import { init, loadModel, Tensor, threads, WasmRnnError } from '../index.js';
import type { Logs } from '../train/callbacks.js';
import type { FitMessage, FitProgress, HostMessage, PlainTensor, WorkerMessage } from './protocol.js';

interface Port {
  post(m: WorkerMessage): void;
  listen(f: (m: HostMessage) => void): void;
}

interface WebScope {
  postMessage(m: unknown): void;
  addEventListener(type: 'message', f: (e: { data: unknown }) => void): void;
}

interface NodePort {
  postMessage(m: unknown): void;
  on(type: 'message', f: (m: unknown) => void): void;
}

async function connect(): Promise<Port> {
  const g = globalThis as unknown as Partial<WebScope>;
  // a dedicated worker's global scope has postMessage and addEventListener;
  // a node:worker_threads worker has neither and talks through parentPort
  if (typeof g.postMessage === 'function' && typeof g.addEventListener === 'function') {
    const scope = g as WebScope;
    return {
      post: (m) => scope.postMessage(m),
      listen: (f) => scope.addEventListener('message', (e) => f(e.data as HostMessage)),
    };
  }
  const wt = await nodeBuiltin<{ parentPort: NodePort | null }>('worker_threads');
  const port = wt?.parentPort;
  if (!port) throw new Error('wasm-rnn worker: no parent port (this file must run as a worker)');
  return {
    post: (m) => port.postMessage(m),
    listen: (f) => port.on('message', (m) => f(m as HostMessage)),
  };
}

const tensorOf = (t: PlainTensor): Tensor => new Tensor(t.data, t.shape);

async function train(msg: FitMessage, signal: AbortSignal, post: (m: WorkerMessage) => void): Promise<void> {
  const backend = await init(msg.init);
  const model = await loadModel(msg.artifact);
  const f = msg.fit;
  const initialEpoch = f.initialEpoch ?? 0;
  const epochs = f.epochs ?? 1;
  const batchSize = f.batchSize ?? 32;
  // batches per epoch, the way fit() splits: validationSplit keeps the first floor(n * (1 - split)) samples
  const n = msg.x.shape[0];
  const nTrain = f.validationSplit !== undefined ? Math.floor(n * (1 - f.validationSplit)) : n;
  const batches = Math.max(1, Math.ceil(nTrain / batchSize));
  const steps = epochs * batches;
  let step = 0;
  let epochNow = initialEpoch;
  const t0 = performance.now();
  const progress = (phase: FitProgress['phase'], batch: number, logs: Logs): void => {
    const elapsedMs = performance.now() - t0;
    const p: FitProgress = {
      phase,
      epoch: epochNow,
      epochs: initialEpoch + epochs,
      batch,
      batches,
      step,
      steps,
      fraction: Math.min(1, step / steps),
      loss: logs.loss,
      logs: { ...logs },
      elapsedMs,
      etaMs: step > 0 ? (elapsedMs / step) * Math.max(0, steps - step) : NaN,
      backend,
      threads: threads(),
    };
    post({ type: 'progress', p });
  };
  const history = await model.fit(tensorOf(msg.x), tensorOf(msg.y), {
    epochs,
    batchSize,
    shuffle: f.shuffle,
    validationSplit: f.validationSplit,
    validationData: f.validationData?.map(tensorOf) as [Tensor, Tensor] | undefined,
    classWeight: f.classWeight,
    sampleWeight: f.sampleWeight ? tensorOf(f.sampleWeight) : undefined,
    initialEpoch,
    signal,
    callbacks: {
      onEpochBegin: (e) => {
        epochNow = e;
      },
      onBatchEnd: (b, logs) => {
        step++;
        progress('batch', b, logs);
      },
      onEpochEnd: (_e, logs) => progress('epoch', batches - 1, logs),
    },
  });
  const artifact = model.serialize();
  model.dispose();
  post({ type: 'done', artifact, history: { epoch: history.epoch, history: history.history }, backend, threads: threads() });
}

const port = await connect();
const controller = new AbortController();
let started = false;
port.listen((msg) => {
  if (msg.type === 'abort') {
    controller.abort(msg.reason);
    return;
  }
  if (msg.type !== 'fit' || started) return;
  started = true;
  train(msg, controller.signal, port.post).catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    port.post({ type: 'error', code: e instanceof WasmRnnError ? e.code : null, name: err.name, message: err.message });
  });
});
port.post({ type: 'ready' });
