/**
 * brain.js (`brain.recurrent.LSTM`, 1.6.1) against our LSTM on the one task
 * both can run: a character model trained one sequence at a time.
 *
 * What is measured, exactly:
 *  - the task: N_SEQ fixed random strings of L characters over a 30-letter
 *    alphabet; brain.js adds one start/end token (id 0), so both models see a
 *    31-symbol vocabulary and L + 1 = 65 predictions per string (the next
 *    character after the start token and each character; the last target is
 *    the end token). Throughput is those predictions per second (tokens/s).
 *    brain.js 1.6.1 sizes its input and output to the number of characters
 *    but feeds character i as row i + 1, so the last character would index
 *    past its (V, V) input matrix; its DataFormatter is therefore
 *    given one extra character that never occurs ('~'): 31 rows, all used.
 *  - brain.js: `net.trainPattern(indexes)` per string after `net.train(data,
 *    { iterations: 1 })` set it up (that epoch is the warm-up). Its model is
 *    a one-hot-row "embedding" (V, V) -> LSTM(128) -> (V) softmax; its step is
 *    forward, backward and an RMSProp update (decay 0.999, clip 5, L2 1e-6)
 *    on a per-op closure tape, one string (batch 1) at a time.
 *  - ours: Embedding(31, 31) -> LSTM(128, returnSequences) -> Dense(31,
 *    softmax), sparse categorical cross-entropy, trainOnBatch on one string
 *    (batch 1, T = 65) with RMSprop (lr 0.01, ρ 0.999, ε 1e-8, clipvalue 5).
 *  Not the same algorithm: different initialisation, gate layout, update
 *  details and numerics. No correctness gate can tie brain.js to our twin
 *  (there is no shared weight layout); its errors are checked to be finite.
 *  Our wasm build is gated against our twin as everywhere else.
 */
import brainModule from 'brain.js';
import { createRequire } from 'node:module';
import type { Backend } from '../src/backend/backend.js';
import { layers, optimizers } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { formatNumber, table, time, type Timing } from './harness.js';
import { ourModel as buildOurs, ourTensor, type Ours, type Tensor } from './ours.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz .,!';
const L = 64;
const N_SEQ = 8;
const H = 128;
const SEED = 4321;

interface BrainLstm {
  train(data: string[], o: { iterations: number; log?: boolean }): { error: number };
  trainPattern(input: number[], logErrorRate?: boolean): number | undefined;
  dataFormatter: { toIndexes(s: string): number[]; characters: string[] };
  inputSize: number;
}
const brain = brainModule as unknown as {
  recurrent: { LSTM: new (o: { hiddenLayers: number[]; dataFormatter?: unknown }) => BrainLstm };
  utilities: { DataFormatter: new (values: string[]) => unknown };
};

export interface BrainResults {
  version: string;
  task: string;
  rows: Array<{
    contender: string;
    tokensPerS: number;
    min: number;
    max: number;
    samples: number;
    msPerSequence: Timing;
    vsBrain: number | null;
  }>;
  gate: { predDiff: number; lossDiff: number };
  markdown: string;
}

function strings(): string[] {
  const rng = new Rng(SEED);
  const out: string[] = [];
  for (let k = 0; k < N_SEQ; k++) {
    let s = '';
    for (let i = 0; i < L; i++) s += ALPHABET[rng.int(ALPHABET.length)];
    out.push(s);
  }
  return out;
}

function ourModel(be: Backend, V: number): Ours {
  return buildOurs(be, {
    seed: SEED,
    layers: [
      layers.embedding({ inputDim: V, outputDim: V }),
      layers.lstm({ units: H, returnSequences: true }),
      layers.dense({ units: V, activation: 'softmax' }),
    ],
    inputShape: [L + 1],
    optimizer: optimizers.rmsprop({ learningRate: 0.01, rho: 0.999, epsilon: 1e-8, clipvalue: 5 }),
    loss: 'sparseCategoricalCrossentropy',
  });
}

export async function benchBrain(opts: { wasm: Backend; js: Backend; full?: boolean; log?: (s: string) => void }): Promise<BrainResults> {
  const log = opts.log ?? console.log;
  const full = !!opts.full;
  const data = strings();
  const version = (createRequire(import.meta.url)('brain.js/package.json') as { version: string }).version;

  // brain.js
  const net = new brain.recurrent.LSTM({ hiddenLayers: [H], dataFormatter: new brain.utilities.DataFormatter([ALPHABET, '~']) });
  const first = net.train(data, { iterations: 1, log: false });
  const V = net.inputSize;
  if (V !== ALPHABET.length + 1) throw new Error(`brain.js: expected a vocabulary of ${ALPHABET.length + 1}, got ${V}`);
  const idx = data.map((s) => net.dataFormatter.toIndexes(s));
  let k = 0;
  let lastErr = first.error;
  const tb = await time(
    'brain.js LSTM',
    () => {
      lastErr = net.trainPattern(idx[k++ % N_SEQ], true) ?? NaN;
    },
    { time: full ? 5000 : 2000, warmupTime: 0, warmupIterations: 3, iterations: 10 },
  );
  if (!Number.isFinite(first.error) || !Number.isFinite(lastErr))
    throw new Error(`brain.js: training error is not finite (${first.error}, ${lastErr})`);

  // ours: the same strings as brain.js indexes them (0 = start/end token)
  const xs: Tensor[] = [];
  const ys: Tensor[] = [];
  for (const ix of idx) {
    const x = new Int32Array(L + 1);
    const y = new Int32Array(L + 1);
    for (let i = 0; i < L; i++) {
      x[i + 1] = ix[i] + 1;
      y[i] = ix[i] + 1;
    }
    xs.push(ourTensor(x, [1, L + 1]));
    ys.push(ourTensor(y, [1, L + 1]));
  }

  // gate: our wasm build against our twin, same weights, predictions and 3 steps
  const ref = ourModel(opts.js, V);
  const w0 = ref.getWeights();
  const cand = ourModel(opts.wasm, V);
  cand.setWeights(w0);
  let predDiff = 0;
  const pa = ref.predict(xs[0]);
  const pb = cand.predict(xs[0]);
  for (let i = 0; i < pa.length; i++) predDiff = Math.max(predDiff, Math.abs(pa[i] - pb[i]) || (Number.isNaN(pb[i]) ? Infinity : 0));
  let lossDiff = 0;
  for (let s = 0; s < 3; s++) {
    const a = ref.train(xs[s], ys[s]);
    const b = cand.train(xs[s], ys[s]);
    lossDiff = Math.max(lossDiff, Number.isFinite(b) ? Math.abs(a - b) / (1 + Math.abs(a)) : Infinity);
  }
  ref.dispose();
  cand.dispose();
  log(
    `gate brain-task ${opts.wasm.name}: predictions max |diff| ${predDiff.toExponential(2)}, losses max rel diff ${lossDiff.toExponential(2)}`,
  );
  if (!(predDiff <= 1e-4 && lossDiff <= 1e-4))
    throw new Error(`brain-task: wasm-rnn ${opts.wasm.name} disagrees with the JS twin (${predDiff}, ${lossDiff})`);

  const rows: BrainResults['rows'] = [];
  const tokens = L + 1;
  const add = (contender: string, t: Timing) => {
    rows.push({
      contender,
      tokensPerS: tokens / (t.median / 1000),
      min: tokens / (t.max / 1000),
      max: tokens / (t.min / 1000),
      samples: t.samples,
      msPerSequence: t,
      vsBrain: null,
    });
  };
  add(`brain.js ${version} recurrent.LSTM`, tb);
  for (const be of [opts.wasm, opts.js]) {
    const m = ourModel(be, V);
    m.setWeights(w0);
    let j = 0;
    const t = await time(`ours ${be.name}`, () => m.train(xs[j % N_SEQ], ys[j++ % N_SEQ]), {
      time: full ? 3000 : 1000,
      warmupTime: 0,
      warmupIterations: 5,
      iterations: 10,
    });
    m.dispose();
    add(`wasm-rnn ${be.name}`, t);
  }
  for (const r of rows) r.vsBrain = r.tokensPerS / rows[0].tokensPerS;
  const task =
    `character model, batch 1: ${N_SEQ} random strings of ${L} characters over a ${ALPHABET.length}-letter alphabet ` +
    `(+ start/end token: vocabulary ${V}), LSTM ${H} units, ${tokens} predictions per string`;
  const markdown =
    `${table(
      ['brain.js task: train one string', 'tokens/s (median)', 'min–max', 'n', 'ms per string', 'vs brain.js'],
      rows.map((r) => [
        r.contender,
        r.tokensPerS,
        `${formatNumber(r.min)}–${formatNumber(r.max)}`,
        String(r.samples),
        r.msPerSequence.median,
        `${r.vsBrain!.toFixed(1)}x`,
      ]),
    )}\n\n- Task: ${task}. brain.js: \`trainPattern\` (forward, backward, RMSProp-style update with clipping) on its closure tape; ` +
    `ours: Embedding(${V}, ${V}) -> LSTM(${H}, returnSequences) -> Dense(${V}, softmax), \`trainOnBatch\` with RMSprop ` +
    `(lr 0.01, ρ 0.999, clipvalue 5). Not the same algorithm (initialisation, update details); brain.js cannot load our weights, ` +
    `so only its errors' finiteness is checked; our wasm build matched our twin (predictions ${predDiff.toExponential(1)}, losses ${lossDiff.toExponential(1)}).`;
  log(markdown);
  return { version, task, rows, gate: { predDiff, lossDiff }, markdown };
}
