// Hyperparameter search: a seeded random search over the recurrent cell,
// units, embedding size, dropout, learning rate and batch size of the Brown
// topic classifier (examples/topic-classifier.mjs), scored by macro F1 with
// 3-fold cross-validation in which a document's passages never straddle
// folds, early stopping in every fit; the results table, then the best
// parameters retrained on all training passages and tested on held-out
// documents.
//
//   node examples/tune-topics.mjs [--trials N] [--out path]
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LabelEncoder,
  TextVectorizer,
  classificationReport,
  formatResults,
  init,
  predictedClasses,
  randomSearch,
  saveModel,
} from 'wasm-rnn';
import { brownTopics } from './lib/brown.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const TRIALS = Number(arg('trials', 8));
const OUT = arg('out', join(here, 'out', 'topic-tuned.wrnn'));
const t0 = performance.now();

console.log(`wasm-rnn hyperparameter search · backend: ${await init()}`);
const { train, validation, test } = brownTopics({ words: 80 });
const pool = [...train, ...validation]; // cross-validation makes its own validation folds
const encoder = new LabelEncoder().fit(pool.map((p) => p.label));
const LABELS = encoder.classes.map(String);
const vectorizer = new TextVectorizer({ maxTokens: 10000, minFrequency: 2, outputSequenceLength: 80, stopWords: 'en' });
vectorizer.adapt(pool.map((p) => p.text));
const x = vectorizer.transform(pool.map((p) => p.text));
const y = Array.from(encoder.transform(pool.map((p) => p.label)));
const docIds = new Map();
const groups = pool.map((p) => docIds.get(p.doc) ?? (docIds.set(p.doc, docIds.size), docIds.size - 1));
console.log(
  `${pool.length} passages from ${docIds.size} documents in ${LABELS.length} topics; ${test.length} test passages from other documents\n`,
);

const result = await randomSearch({
  x,
  y,
  groups,
  folds: 3,
  trials: TRIALS,
  seed: 42,
  epochs: 6,
  patience: 1,
  metric: 'f1',
  classWeight: 'balanced',
  space: {
    cell: ['lstm', 'gru'],
    units: [16, 32, 64],
    embeddingDim: [16, 32, 64],
    dropout: [0.2, 0.5],
    learningRate: { min: 1e-3, max: 1e-2, log: true },
    batchSize: [16, 32, 64],
  },
  onTrial: (t, done, total) =>
    console.log(`trial ${done}/${total}: ${JSON.stringify(t.params)} -> macro F1 ${t.score.toFixed(4)} (${t.seconds.toFixed(0)} s)`),
});
console.log(`\n${result.validation}, ranked by macro F1:\n\n${formatResults(result)}\n`);
const epochs = Math.max(1, Math.round(result.best.epochs));
console.log(
  `best: ${JSON.stringify(result.best.params)}; retrained on all ${pool.length} passages for ${epochs} epoch${epochs === 1 ? '' : 's'} (the mean best epoch)\n`,
);

const model = result.model;
const yTest = Array.from(encoder.transform(test.map((p) => p.label)));
const predicted = predictedClasses(model.predict(vectorizer.transform(test.map((p) => p.text)), { batchSize: 128 }));
const report = classificationReport(yTest, Array.from(predicted), LABELS);
console.log(
  `test set (${test.length} passages from held-out documents): accuracy ${(report.accuracy * 100).toFixed(2)}%, macro F1 ${report.macro.f1.toFixed(4)}`,
);

model.vectorizer = vectorizer;
model.labels = LABELS;
mkdirSync(dirname(OUT), { recursive: true });
await saveModel(model, OUT, { includeOptimizer: false, metadata: { tuned: result.best.params, testAccuracy: report.accuracy } });
console.log(`saved ${relative(process.cwd(), OUT)}\n\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
