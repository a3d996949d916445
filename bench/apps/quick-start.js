// S1's Quick-start app: the README's Quick start as a page would run it (the
// texts and labels stand in for the app's data). bench/size.bench.ts bundles
// it with the app's own bundler settings; it is measured, never run.
import { init, Sequential, layers, TextVectorizer, tensor, callbacks, loadModel } from 'wasm-rnn';

const trainTexts = ['free money!!! click now', 'lunch at noon?'];
const trainLabels = [1, 0];

await init();

const vec = new TextVectorizer({ maxTokens: 10000, outputSequenceLength: 100, stopWords: 'en', stem: 'porter' });
vec.adapt(trainTexts);

const model = new Sequential({
  seed: 42,
  layers: [
    layers.embedding({ inputDim: 10000, outputDim: 64, maskZero: true }),
    layers.lstm({ units: 128, returnSequences: true }),
    layers.dropout({ rate: 0.5 }),
    layers.lstm({ units: 128 }),
    layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });

await model.fit(vec.transform(trainTexts), tensor(trainLabels.map((y) => [y])), {
  epochs: 5,
  batchSize: 32,
  validationSplit: 0.1,
  callbacks: [callbacks.progressBar(), callbacks.earlyStopping({ patience: 2, restoreBestWeights: true })],
});

model.vectorizer = vec;
model.labels = ['ham', 'spam'];
console.log(model.classify(['free money!!! click now']));

const bytes = model.serialize();
// LOAD: the last two lines; the train-and-classify variant of S1 leaves them out
const again = await loadModel(bytes);
console.log(again.classify(['lunch?']));
