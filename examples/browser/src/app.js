// The demo page: labelled texts -> TextVectorizer -> LSTM trained with
// fitInWorker (a Web Worker, so the page never freezes) -> classify as you
// type. 'wasm-rnn' is the package's own dist/index.js (build.mjs copies its
// modules beside this bundle); fitInWorker finds dist/worker/worker.js there.
import { fitInWorker, init, layers, optimizers, Sequential, tensor, TextVectorizer } from 'wasm-rnn';
import { TrainingChart } from './chart.js';

const $ = (id) => document.getElementById(id);
const el = {
  backend: $('backend'),
  texts: $('texts'),
  loadSample: $('load-sample'),
  file: $('file'),
  dataInfo: $('data-info'),
  epochs: $('epochs'),
  units: $('units'),
  maxlen: $('maxlen'),
  train: $('train'),
  cancel: $('cancel'),
  alive: $('ui-alive'),
  progress: $('progress'),
  status: $('status'),
  chart: $('chart'),
  input: $('input'),
  examples: $('examples'),
  verdict: $('verdict'),
};
const chart = new TrainingChart(el.chart);
const SEED = 42;

/** What the page is doing, for people (the status line) and for the Playwright test. */
const demo = (window.__demo = {
  state: 'loading',
  backend: null,
  isolated: false,
  threads: null,
  progress: [],
  history: null,
  frames: 0,
  framesWhileTraining: 0,
  verdict: null,
  error: null,
});

// ------------------------------------------------------------------ data

/** "label<TAB>text" (or "label,text") per line -> { texts, labels, names } with exactly two label names. */
function parse(raw) {
  const rows = [];
  for (const line of raw.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^\s*([^\t,]+?)\s*[\t,]\s*(.+)$/.exec(line);
    if (!m) throw new Error(`line ${rows.length + 1}: expected "label<TAB>text", got "${line.slice(0, 40)}"`);
    rows.push([m[1], m[2]]);
  }
  const names = [...new Set(rows.map((r) => r[0]))].sort();
  if (names.length !== 2) throw new Error(`need exactly two labels, found ${names.length}: ${names.slice(0, 5).join(', ')}`);
  // class 1 = the "positive" one: spam, positive, ... else the second in sort order
  const pos = names.find((n) => /^(spam|pos|positive|1|yes|true)$/i.test(n)) ?? names[1];
  const ordered = [names.find((n) => n !== pos), pos];
  return { texts: rows.map((r) => r[1]), labels: rows.map((r) => (r[0] === pos ? 1 : 0)), names: ordered };
}

/** Seeded Fisher-Yates: validationSplit takes the last 20%, so mix the classes first. */
function shuffle(n, seed) {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

function describeData() {
  try {
    const d = parse(el.texts.value);
    const pos = d.labels.filter(Boolean).length;
    el.dataInfo.textContent = `${d.texts.length} texts: ${d.texts.length - pos} ${d.names[0]}, ${pos} ${d.names[1]}`;
    el.train.disabled = demo.state === 'training';
    if (demo.state === 'ready' || demo.state === 'loading') el.status.textContent = 'Ready to train.';
    return d;
  } catch (e) {
    el.dataInfo.textContent = el.texts.value.trim() ? String(e.message) : '';
    el.train.disabled = true;
    return null;
  }
}

el.texts.addEventListener('input', describeData);
el.loadSample.addEventListener('click', async () => {
  const res = await fetch('./data/spam-assassin-sample.tsv');
  el.texts.value = await res.text();
  describeData();
});
el.file.addEventListener('change', async () => {
  const f = el.file.files?.[0];
  if (f) {
    el.texts.value = await f.text();
    describeData();
  }
});

// ----------------------------------------------------------------- train

let model = null;
let vectorizer = null;
let names = ['0', '1'];
let controller = null;

const fmtTime = (ms) => (!Number.isFinite(ms) ? '…' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

async function train() {
  const d = describeData();
  if (!d) return;
  const epochs = Number(el.epochs.value) || 5;
  const units = Number(el.units.value) || 32;
  const maxlen = Number(el.maxlen.value) || 64;
  demo.state = 'training';
  demo.progress = [];
  demo.framesWhileTraining = 0;
  el.train.disabled = true;
  el.cancel.disabled = false;
  el.progress.value = 0;
  el.status.textContent = 'Building the vocabulary…';

  const order = shuffle(d.texts.length, SEED);
  const texts = order.map((i) => d.texts[i]);
  const y = tensor(new Float32Array(order.map((i) => d.labels[i])), [texts.length, 1]);
  const vec = new TextVectorizer({ maxTokens: 4000, outputSequenceLength: maxlen, stopWords: 'en' });
  vec.adapt(texts);
  const x = vec.transform(texts);
  const m = new Sequential({
    seed: SEED,
    layers: [
      layers.embedding({ inputDim: vec.vocabularySize(), outputDim: 32, maskZero: true }),
      layers.lstm({ units }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });

  const batchSize = 16;
  const nTrain = Math.floor(texts.length * 0.8);
  chart.reset(epochs, Math.ceil(nTrain / batchSize));
  controller = new AbortController();
  const t0 = performance.now();
  try {
    const res = await fitInWorker(m, x, y, {
      epochs,
      batchSize,
      validationSplit: 0.2,
      // every core, where the page is cross-origin isolated (see the README: two headers); one thread elsewhere
      init: { threads: 'auto' },
      signal: controller.signal,
      onProgress: (p) => {
        demo.progress.push({ phase: p.phase, step: p.step, loss: p.loss });
        el.progress.value = p.fraction;
        if (p.phase === 'batch') {
          chart.addBatch(p.step, p.loss, p.logs.accuracy);
          el.status.textContent = `epoch ${p.epoch + 1}/${p.epochs} · batch ${p.batch + 1}/${p.batches} · loss ${p.loss.toFixed(4)} · acc ${(100 * p.logs.accuracy).toFixed(1)}% · ETA ${fmtTime(p.etaMs)}`;
        } else {
          chart.addEpoch(p.step, p.logs.val_loss, p.logs.val_accuracy);
        }
      },
    });
    model?.dispose();
    model = res.model;
    vectorizer = vec;
    names = d.names;
    model.vectorizer = vec;
    model.labels = names;
    demo.history = res.history.history;
    const last = (k) => res.history.history[k].at(-1);
    demo.threads = res.threads;
    el.status.textContent = `Done in ${fmtTime(performance.now() - t0)} on ${res.backend} (${res.worker}, ${res.threads} thread${res.threads > 1 ? 's' : ''}) · validation accuracy ${(100 * last('val_accuracy')).toFixed(1)}% · loss ${last('loss').toFixed(4)}`;
    demo.state = 'done';
    el.input.disabled = false;
    el.input.focus();
    classify();
  } catch (e) {
    if (e.code === 'E_ABORT') {
      demo.state = 'cancelled';
      el.status.textContent = `Cancelled after ${demo.progress.filter((p) => p.phase === 'batch').length} batches; the worker was stopped.`;
    } else {
      demo.state = 'error';
      demo.error = String(e.message ?? e);
      el.status.textContent = `Error: ${demo.error}`;
    }
  } finally {
    m.dispose();
    el.train.disabled = false;
    el.cancel.disabled = true;
    controller = null;
  }
}

el.train.addEventListener('click', train);
el.cancel.addEventListener('click', () => controller?.abort('cancelled by the user'));

// the page keeps drawing while the worker trains: count the frames
function tick() {
  demo.frames++;
  if (demo.state === 'training') {
    demo.framesWhileTraining++;
    el.alive.textContent = `page alive: ${demo.framesWhileTraining} frames drawn while training`;
  }
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

// -------------------------------------------------------- classify as you type

const EXAMPLES = [
  'URGENT: you have won a FREE vacation! Click here to claim your prize now',
  'Re: the build fails on my machine, can you send me your config file?',
  'Lowest mortgage rates in years, refinance today, no credit check',
  'Are we still meeting for lunch on Thursday? I can bring the slides',
];
for (const t of EXAMPLES) {
  const b = document.createElement('button');
  b.className = 'secondary';
  b.textContent = t.length > 44 ? `${t.slice(0, 42)}…` : t;
  b.title = t;
  b.addEventListener('click', () => {
    if (el.input.disabled) return;
    el.input.value = t;
    classify();
  });
  el.examples.appendChild(b);
}

function classify() {
  if (!model || !vectorizer) return;
  const text = el.input.value.trim();
  if (!text) {
    el.verdict.innerHTML = '';
    demo.verdict = null;
    return;
  }
  const p = model.predict(vectorizer.transform([text])).data[0];
  const label = p >= 0.5 ? names[1] : names[0];
  const color = /spam|neg/i.test(label) ? 'var(--spam)' : 'var(--ham)';
  demo.verdict = { text, label, p };
  el.verdict.innerHTML = '';
  const head = document.createElement('div');
  head.innerHTML = `<span class="label" style="color:${color}"></span> <span class="hint"></span>`;
  head.children[0].textContent = label;
  head.children[1].textContent = `P(${names[1]}) = ${(100 * p).toFixed(1)}%`;
  const bar = document.createElement('div');
  bar.className = 'bar';
  bar.innerHTML = `<div style="width:${(100 * p).toFixed(1)}%;background:${p >= 0.5 ? 'var(--spam)' : 'var(--ham)'}"></div>`;
  el.verdict.append(head, bar);
}

let typing = 0;
el.input.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(classify, 40);
});

// ------------------------------------------------------------------- start

init().then(
  (backend) => {
    demo.backend = backend;
    // threads need SharedArrayBuffer, which a page has only when cross-origin isolated (COOP + COEP headers)
    demo.isolated = globalThis.crossOriginIsolated === true;
    const cores = navigator.hardwareConcurrency || 1;
    el.backend.textContent = `backend: ${backend} · ${demo.isolated ? `training on ${cores} thread${cores > 1 ? 's' : ''}` : 'training on 1 thread'}`;
    el.backend.title = demo.isolated
      ? "The page is cross-origin isolated: training uses every core (init({ threads: 'auto' }) in the worker)."
      : 'The page is not cross-origin isolated, so there is no SharedArrayBuffer and training runs on one thread. Serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp to train on every core.';
    demo.state = 'ready';
    describeData();
  },
  (e) => {
    el.backend.textContent = 'backend: failed';
    el.status.textContent = `init() failed: ${e.message}`;
    demo.state = 'error';
  },
);
