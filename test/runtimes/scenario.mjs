// The one test body every runtime runs (Node, Deno, Bun, Chromium, workerd).
// Plain ESM with no imports: the caller passes the 'wasm-rnn' module it
// imported, so each runtime loads the package its own way.
//
// scenario(lib, initOptions) does what a user does: init, train a small
// LSTM classifier for a few steps with a fixed seed, predict, serialize,
// load, predict again. It returns plain numbers; the runner compares them
// with Node 20's (|a - b| <= 1e-6 on the SIMD build).

/** Data: N id sequences of length T over a vocabulary of V ids (0 = padding). */
export const N = 64;
export const T = 10;
export const V = 16;
export const SEED = 1234;

/** A tiny LCG so the data never depends on the library's own RNG. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * x (N, T) int32 ids, y (N, 1) float32 labels. Label 1 when ids 1..7 outnumber
 * ids 8..15; a quarter of the rows end in padding so masking is exercised.
 */
export function makeData(n = N, seed = 42) {
  const r = lcg(seed);
  const x = new Int32Array(n * T);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const len = i % 4 === 0 ? 4 + Math.floor(r() * (T - 4)) : T;
    let low = 0;
    for (let t = 0; t < len; t++) {
      const id = 1 + Math.floor(r() * (V - 1));
      x[i * T + t] = id;
      if (id < 8) low++;
      else low--;
    }
    y[i] = low > 0 ? 1 : 0;
  }
  return { x, y };
}

export function buildModel(lib, seed = SEED) {
  const { Sequential, layers } = lib;
  const model = new Sequential({
    seed,
    layers: [
      layers.embedding({ inputDim: V, outputDim: 8, maskZero: true }),
      layers.lstm({ units: 12 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

export const FIT = { epochs: 3, batchSize: 16 };

/** FNV-1a over bytes: a short fingerprint of the artifact (information only). */
function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function bitwiseEqual(a, b) {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

/**
 * Run the whole user path once on the backend `initOptions` selects.
 * Returns { backend, notes, batchLoss, epochLogs, pred, predAfterLoad,
 * identicalAfterLoad, weights, artifactBytes, artifactFnv, ms }.
 */
export async function scenario(lib, initOptions) {
  const t0 = Date.now();
  const backend = await lib.init(initOptions);
  if (lib.backendName() !== backend) throw new Error(`backendName() says ${lib.backendName()} but init() returned ${backend}`);
  const { x, y } = makeData();
  const xs = lib.tensor(x, [N, T], 'int32');
  const ys = lib.tensor(y, [N, 1], 'float32');
  const test = makeData(8, 7);
  const xt = lib.tensor(test.x, [8, T], 'int32');

  const model = buildModel(lib);
  const batchLoss = [];
  const epochLogs = [];
  await model.fit(xs, ys, {
    ...FIT,
    callbacks: [
      {
        onBatchEnd: (_b, logs) => batchLoss.push(logs.loss),
        onEpochEnd: (_e, logs) => epochLogs.push({ loss: logs.loss, acc: logs.acc ?? logs.accuracy }),
      },
    ],
  });
  const pred = model.predict(xt).data;
  const bytes = model.serialize();
  const loaded = await lib.loadModel(bytes);
  const predAfterLoad = loaded.predict(xt).data;
  const weights = model.getWeightsFlat();
  const out = {
    backend,
    threads: typeof lib.threads === 'function' ? lib.threads() : 1,
    notes: lib.backendNotes(),
    batchLoss,
    epochLogs,
    pred: Array.from(pred),
    predAfterLoad: Array.from(predAfterLoad),
    identicalAfterLoad: bitwiseEqual(pred, predAfterLoad),
    weights: Array.from(weights),
    artifactBytes: bytes.length,
    artifactFnv: fnv1a(bytes),
    ms: Date.now() - t0,
  };
  model.dispose();
  loaded.dispose();
  return out;
}

/**
 * Train the same model with fitInWorker (a Web Worker or worker_threads,
 * whichever the runtime has) and compare with the in-thread result `ref`
 * from scenario() on the same backend: same seed and backend give the same
 * bits. Returns { kind, progressEvents, identical, maxDiff, ms }.
 */
export async function workerScenario(lib, ref) {
  if (typeof lib.fitInWorker !== 'function') return { skipped: 'this build has no fitInWorker' };
  const t0 = Date.now();
  const { x, y } = makeData();
  const test = makeData(8, 7);
  const model = buildModel(lib);
  let progressEvents = 0;
  let lastEta = null;
  const {
    model: trained,
    history,
    worker,
  } = await lib.fitInWorker(model, lib.tensor(x, [N, T], 'int32'), lib.tensor(y, [N, 1], 'float32'), {
    ...FIT,
    onProgress: (p) => {
      progressEvents++;
      lastEta = p.etaMs;
    },
  });
  const pred = trained.predict(lib.tensor(test.x, [8, T], 'int32')).data;
  let maxDiff = 0;
  for (let i = 0; i < pred.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pred[i] - ref.pred[i]));
  const out = {
    kind: worker,
    progressEvents,
    lastEta,
    epochs: history.epoch.length,
    identical: maxDiff === 0,
    maxDiff,
    ms: Date.now() - t0,
  };
  model.dispose();
  trained.dispose();
  return out;
}

/** Which runtime this is, and its version. */
export function runtimeInfo() {
  const g = globalThis;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return { runtime: 'workerd', version: '' };
  if (g.Deno?.version) return { runtime: 'deno', version: g.Deno.version.deno };
  if (g.Bun?.version) return { runtime: 'bun', version: g.Bun.version };
  if (g.process?.versions?.node && !g.navigator?.userAgent?.includes('Cloudflare'))
    return { runtime: 'node', version: g.process.versions.node };
  if (g.navigator?.userAgent) return { runtime: 'browser', version: g.navigator.userAgent };
  return { runtime: 'unknown', version: '' };
}

/**
 * Everything one runtime reports: the default init() (what a user gets),
 * the plain SIMD build forced (the determinism check), the JS twin forced,
 * the SIMD build on 2 threads, and fitInWorker where the runtime has workers.
 */
export async function probe(lib, { module, worker = true } = {}) {
  const info = runtimeInfo();
  const res = { ...info, modes: {} };
  const withModule = (o) => (module ? { ...o, module } : o);
  const run = async (name, opts) => {
    try {
      res.modes[name] = await scenario(lib, opts);
    } catch (e) {
      res.modes[name] = { error: `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? String(e)}` };
    }
  };
  await run('auto', withModule({}));
  if (module) {
    // the caller's module is the SIMD build: forcing 'wasm-simd' checks that
    await run('simd', withModule({ backend: 'wasm-simd' }));
  } else {
    await run('simd', { backend: 'wasm-simd' });
  }
  await run('js', { backend: 'js' });
  // init({ threads: 2 }) on the plain SIMD build: Node 20's threads run is the reference; where threads
  // cannot run (a page without cross-origin isolation, workerd) one thread runs and backendNotes() says why
  await run('threads', withModule({ backend: 'wasm-simd', threads: 2 }));
  if (worker && !res.modes.auto.error) {
    try {
      await lib.init({});
      res.worker = await workerScenario(lib, res.modes.auto);
    } catch (e) {
      res.worker = { error: `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? String(e)}` };
    }
  }
  return res;
}
