// fitInWorker on Node (worker_threads), against the built bundle: the
// worker is dist/worker/worker.js importing the library's modules, so this needs
// `npm run build` and runs with the runtime tests (test/runtimes/run.mjs),
// not under vitest:   node --test test/worker/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as lib from '../../dist/index.js';

const { fitInWorker, init, layers, Sequential, tensor, WasmRnnError } = lib;
const T = 10;
const V = 16;

/** x (n, T) ids in [1, V), y (n, 1): 1 when low ids outnumber high ones. */
function data(n, seed) {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = new Int32Array(n * T);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let low = 0;
    for (let t = 0; t < T; t++) {
      const id = 1 + Math.floor(r() * (V - 1));
      x[i * T + t] = id;
      low += id < 8 ? 1 : -1;
    }
    y[i] = low > 0 ? 1 : 0;
  }
  return { x: tensor(x, [n, T], 'int32'), y: tensor(y, [n, 1], 'float32') };
}

function model(seed = 7) {
  const m = new Sequential({
    seed,
    layers: [
      layers.embedding({ inputDim: V, outputDim: 8, maskZero: true }),
      layers.lstm({ units: 12 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

const train = data(64, 42);
const probe = data(8, 7);
const bits = (t) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));

await init({ backend: 'wasm-simd' });

test('the worker trains to the same bits as fit() in this thread, and reports progress with an ETA', async () => {
  const here = model();
  const hist = await here.fit(train.x, train.y, { epochs: 3, batchSize: 16 });

  const events = [];
  const batchHook = [];
  const epochHook = [];
  const orig = model();
  orig.build();
  const before = orig.getWeightsFlat().slice();
  const res = await fitInWorker(orig, train.x, train.y, {
    epochs: 3,
    batchSize: 16,
    onProgress: (p) => events.push(p),
    onBatchEnd: (b, logs) => batchHook.push([b, logs.loss]),
    onEpochEnd: (e, logs) => epochHook.push([e, logs.loss]),
  });
  assert.equal(res.worker, 'worker_threads');
  assert.equal(res.backend, 'wasm-simd');
  assert.deepEqual(bits(res.model.predict(probe.x)), bits(here.predict(probe.x)));
  assert.deepEqual(Array.from(res.model.getWeightsFlat()), Array.from(here.getWeightsFlat()));
  assert.deepEqual(res.history.history.loss, hist.history.loss);
  assert.deepEqual(res.history.loss, hist.history.loss);
  // the caller's model is untouched
  assert.deepEqual(Array.from(orig.getWeightsFlat()), Array.from(before));

  // 3 epochs x 4 batches, plus one event per epoch
  assert.equal(events.filter((p) => p.phase === 'batch').length, 12);
  assert.equal(events.filter((p) => p.phase === 'epoch').length, 3);
  assert.equal(batchHook.length, 12);
  assert.deepEqual(
    epochHook.map(([e]) => e),
    [0, 1, 2],
  );
  assert.deepEqual(
    epochHook.map(([, l]) => l),
    hist.history.loss,
  );
  const last = events.at(-1);
  assert.equal(last.fraction, 1);
  assert.equal(last.etaMs, 0);
  assert.equal(last.step, 12);
  assert.equal(last.steps, 12);
  for (const p of events) {
    assert.ok(Number.isFinite(p.loss) && p.loss > 0, `loss ${p.loss}`);
    assert.ok(p.logs.accuracy >= 0 && p.logs.accuracy <= 1, 'accuracy in the logs');
    assert.ok(p.elapsedMs >= 0);
    assert.ok(p.step === 0 || Number.isFinite(p.etaMs));
  }
  // batch events count up monotonically
  const steps = events.filter((p) => p.phase === 'batch').map((p) => p.step);
  assert.deepEqual(
    steps,
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  here.dispose();
  orig.dispose();
  res.model.dispose();
});

test('training resumes exactly: 2 epochs in a worker, then 1 more, equal 3 in this thread', async () => {
  const here = model(11);
  await here.fit(train.x, train.y, { epochs: 3, batchSize: 16 });
  const a = await fitInWorker(model(11), train.x, train.y, { epochs: 2, batchSize: 16 });
  const b = await fitInWorker(a.model, train.x, train.y, { epochs: 1, batchSize: 16, initialEpoch: 2 });
  assert.deepEqual(bits(b.model.predict(probe.x)), bits(here.predict(probe.x)));
  assert.deepEqual(b.history.epoch, [2]);
});

test('validationSplit: progress counts only the training batches; val_ metrics arrive on epoch events', async () => {
  const events = [];
  const res = await fitInWorker(model(), train.x, train.y, {
    epochs: 2,
    batchSize: 16,
    validationSplit: 0.25,
    onProgress: (p) => events.push(p),
  });
  // 48 training samples -> 3 batches per epoch
  assert.equal(events.filter((p) => p.phase === 'batch').length, 6);
  assert.equal(events.at(-1).steps, 6);
  const epochEvents = events.filter((p) => p.phase === 'epoch');
  assert.ok(epochEvents.every((p) => Number.isFinite(p.logs.val_loss) && Number.isFinite(p.logs.val_accuracy)));
  assert.equal(res.history.history.val_loss.length, 2);
});

test('abort: the worker stops, the promise rejects with E_ABORT, and no progress follows', async () => {
  const big = data(4000, 3);
  const ac = new AbortController();
  let events = 0;
  let afterAbort = 0;
  const t0 = Date.now();
  const p = fitInWorker(model(), big.x, big.y, {
    epochs: 50,
    batchSize: 8,
    signal: ac.signal,
    // no termination by timeout: the rejection must come from the worker's own E_ABORT
    abortGraceMs: 60_000,
    onProgress: () => {
      events++;
      if (ac.signal.aborted) afterAbort++;
      if (events === 3) ac.abort(new Error('user cancelled'));
    },
  });
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof WasmRnnError);
    assert.equal(e.code, 'E_ABORT');
    assert.match(e.message, /user cancelled/);
    return true;
  });
  const took = Date.now() - t0;
  // 50 epochs x 500 batches would take minutes: fit() in the worker stopped at the abort
  assert.ok(took < 10_000, `took ${took} ms`);
  await new Promise((r) => setTimeout(r, 300));
  // batches the worker ran before it saw the message are not reported either
  assert.equal(afterAbort, 0, 'progress reported after the abort');
  assert.equal(events, 3);
  // the worker thread is gone: no Worker handle keeps the process alive
  const active = process.getActiveResourcesInfo().filter((r) => /Worker|MessagePort/.test(r));
  assert.deepEqual(active, []);
});

test('an already aborted signal rejects at once, without a worker', async () => {
  const ac = new AbortController();
  ac.abort('nope');
  await assert.rejects(fitInWorker(model(), train.x, train.y, { signal: ac.signal }), (e) => e.code === 'E_ABORT');
});

test('errors: bad arguments throw before a worker starts; errors inside the worker keep their code', async () => {
  const uncompiled = new Sequential({
    layers: [layers.embedding({ inputDim: V, outputDim: 4 }), layers.lstm({ units: 4 }), layers.dense({ units: 1 })],
  });
  await assert.rejects(fitInWorker(uncompiled, train.x, train.y), (e) => e.code === 'E_STATE' && /compile/.test(e.message));
  await assert.rejects(
    fitInWorker(model(), train.x, train.y, { epoch: 3 }),
    (e) => e.code === 'E_ARG' && /unknown option 'epoch'/.test(e.message),
  );
  await assert.rejects(fitInWorker(model(), train.x, train.y, { onProgress: 5 }), (e) => e.code === 'E_ARG');
  await assert.rejects(fitInWorker(model(), train.x, 'labels'), (e) => e.code === 'E_ARG');
  // 64 samples of x but 8 labels: fit() in the worker refuses it
  await assert.rejects(fitInWorker(model(), train.x, probe.y, { epochs: 1 }), (e) => {
    assert.ok(e instanceof WasmRnnError);
    assert.ok(['E_SHAPE', 'E_ARG'].includes(e.code), e.code);
    return true;
  });
  // a worker script that does not exist
  await assert.rejects(
    fitInWorker(model(), train.x, train.y, { workerUrl: new URL('./no-such-worker.js', import.meta.url) }),
    (e) => e.code === 'E_STATE' && /worker failed/.test(e.message),
  );
});

test('the JS twin in the worker when the caller runs the JS twin', async () => {
  await init({ backend: 'js' });
  try {
    const here = model(5);
    await here.fit(train.x, train.y, { epochs: 1, batchSize: 32 });
    const res = await fitInWorker(model(5), train.x, train.y, { epochs: 1, batchSize: 32 });
    assert.equal(res.backend, 'js');
    assert.deepEqual(bits(res.model.predict(probe.x)), bits(here.predict(probe.x)));
  } finally {
    await init({ backend: 'wasm-simd' });
  }
});
