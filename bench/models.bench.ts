/**
 * W1-W5 of BENCHMARKS.md: whole-model training and inference, wasm-rnn
 * (each wasm build and the pure-JS twin) against TensorFlow.js (cpu and
 * wasm backends), side by side in one process.
 *
 * Per workload:
 *   1. the reference: our JS twin builds the model from a fixed seed; its
 *      weights W0 are given to every contender (Keras layout on both sides).
 *   2. the gate, per contender, before any timing:
 *      - the model that will be timed predicts a small fixed batch (GATE_B
 *        sequences, full length; batch sizes GATE_B and 1): within PRED_TOL
 *        of the twin's predictions;
 *      - GATE_STEPS plain SGD steps from W0 on that batch: the losses (steps
 *        2+ follow the gradients) within LOSS_TOL of the twin's. SGD, not
 *        Adam: TF.js's Adam adds epsilon to sqrt(v̂) where Keras (and we)
 *        add it to sqrt(v), so at step 1 its epsilon is in effect ~32x
 *        larger (1/sqrt(1 − β2)): a real difference of formula that changes
 *        the updates of tiny gradients, measured at ~1e-4 in the W1 loss
 *        after two steps; a tolerance that wide would hide gradient bugs.
 *        Our wasm builds also repeat the twin's Adam steps (same formula:
 *        they must agree);
 *      W2's dropout draws from different RNGs in TF.js, so its training
 *      gate runs the same stack with rate 0. A contender that fails throws:
 *      no number is printed for a wrong model.
 *   3. timing: trainOnBatch (Adam, lr 1e-3) on one full batch of random data
 *      from a fixed seed, warm-up first, median with min and max. Slow
 *      contenders (the twin, TF.js cpu: seconds per step) take few samples in
 *      the quick run.
 *
 * Throughput is sequences/s (tokens/s for W4). Model FLOP utilisation counts
 * the matmul FLOPs of forward + backward analytically (flops* below) over
 * the one-core 128-bit SIMD peak, PEAK_GFLOPS.
 */
import type { Backend } from '../src/backend/backend.js';
import { createBackend, setBackend } from '../src/backend/load.js';
import { Layer, layers, optimizers, Sequential, Tensor, tensor } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { formatNumber, table, time, type Timing, type TimeOptions } from './harness.js';
import { loadTf, tf, useTf, type TfBackend, type TfInfo } from './tfjs.js';

/** One core's 128-bit SIMD f32 peak here (KERNEL_NOTES.md), GFLOP/s. */
export const PEAK_GFLOPS = 65;
export const SEED = 1234;
const GATE_B = 4;
const GATE_STEPS = 3;
/** SGD learning rate of the training gate: each step must move the loss by > GATE_MOVE (20x LOSS_TOL), without overshooting */
const GATE_SGD_LR = 0.2;
const GATE_MOVE = 2e-4;
/** max |prediction - twin's| */
const PRED_TOL = 1e-4;
/** max |loss - twin's| / (1 + |twin's|) */
const LOSS_TOL = 1e-5;

// ------------------------------------------------------------------ FLOPs

/**
 * Matmul FLOPs of one recurrent layer, forward + backward, over N = B·T rows
 * with G = gates·H columns: forward x·Wx and h·Wh (2NG(I+H)); backward dWx,
 * dWh, dh through time (2NG(I+2H)) and dx when the layer below needs it
 * (2NGI; not for a first layer fed with data).
 */
export function flopsRecurrent(N: number, I: number, H: number, G: number, needDx: boolean): number {
  return 2 * N * G * (I + H) + 2 * N * G * (I + 2 * H + (needDx ? I : 0));
}

/** Dense over N rows, I -> U: forward, dW, and dx when needed. */
export function flopsDense(N: number, I: number, U: number, needDx: boolean): number {
  return 2 * N * I * U * (needDx ? 3 : 2);
}

// -------------------------------------------------------------- workloads

/** One batch as host arrays; TF.js may want another target shape. */
export interface HostBatch {
  B: number;
  x: Int32Array | Float32Array;
  xShape: number[];
  y: Int32Array | Float32Array;
  yShape: number[];
  yShapeTf: number[];
}

type TfLayer = NonNullable<NonNullable<Parameters<typeof tf.sequential>[0]>['layers']>[number];
type LossName = 'binaryCrossentropy' | 'sparseCategoricalCrossentropy';

export interface Workload {
  id: string;
  title: string;
  unit: 'sequences/s' | 'tokens/s';
  B: number;
  T: number;
  /** per-sample input shape, for Sequential.build */
  inputShape: number[];
  loss: LossName;
  /** our layers; `gate`: the training-gate variant (dropout off) */
  ours(gate: boolean): Layer[];
  /** the same stack in TF.js (initialisers zero: the weights are copied in) */
  tfjs(t: typeof tf, gate: boolean): TfLayer[];
  batch(rng: Rng, B: number): HostBatch;
  /** throughput items (sequences or tokens) in a batch of B */
  items(B: number): number;
  /** matmul FLOPs of one training step at batch B */
  flops(B: number): number;
}

const z = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;

function idsBatch(rng: Rng, B: number, T: number, V: number, lo: number): { x: Int32Array; xShape: number[] } {
  const x = new Int32Array(B * T);
  for (let i = 0; i < x.length; i++) x[i] = lo + rng.int(V - lo);
  return { x, xShape: [B, T] };
}

function binaryTargets(rng: Rng, B: number): Pick<HostBatch, 'y' | 'yShape' | 'yShapeTf'> {
  const y = new Float32Array(B);
  for (let i = 0; i < B; i++) y[i] = rng.int(2);
  return { y, yShape: [B, 1], yShapeTf: [B, 1] };
}

/** Embedding(10000, 64) -> <rnn>(128) -> Dense(1, sigmoid), length 100. */
function sentiment(id: string, title: string, rnn: 'lstm' | 'simpleRNN'): Workload {
  const V = 10000;
  const D = 64;
  const H = 128;
  const T = 100;
  const gates = rnn === 'lstm' ? 4 : 1;
  return {
    id,
    title,
    unit: 'sequences/s',
    B: 32,
    T,
    inputShape: [T],
    loss: 'binaryCrossentropy',
    ours: () => [
      layers.embedding({ inputDim: V, outputDim: D }),
      rnn === 'lstm' ? layers.lstm({ units: H }) : layers.simpleRNN({ units: H }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
    tfjs: (t) => [
      t.layers.embedding({ inputDim: V, outputDim: D, inputLength: T, embeddingsInitializer: 'zeros' }),
      rnn === 'lstm'
        ? t.layers.lstm({ units: H, recurrentActivation: 'sigmoid', ...z })
        : t.layers.simpleRNN({ units: H, ...z }),
      t.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' }),
    ],
    batch: (rng, B) => ({ B, ...idsBatch(rng, B, T, V, 1), ...binaryTargets(rng, B) }),
    items: (B) => B,
    flops: (B) => flopsRecurrent(B * T, D, H, gates * H, true) + flopsDense(B, H, 1, true),
  };
}

export const W1 = sentiment('W1', 'W1 sentiment LSTM, training', 'lstm');

export const W2: Workload = {
  id: 'W2',
  title: 'W2 stacked LSTM, training',
  unit: 'sequences/s',
  B: 32,
  T: 100,
  inputShape: [100, 32],
  loss: 'binaryCrossentropy',
  ours: (gate) => [
    layers.lstm({ units: 128, returnSequences: true }),
    layers.dropout({ rate: gate ? 0 : 0.5 }),
    layers.lstm({ units: 128 }),
    layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
  tfjs: (t, gate) => [
    t.layers.lstm({ units: 128, returnSequences: true, inputShape: [100, 32], recurrentActivation: 'sigmoid', ...z }),
    t.layers.dropout({ rate: gate ? 0 : 0.5 }),
    t.layers.lstm({ units: 128, recurrentActivation: 'sigmoid', ...z }),
    t.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' }),
  ],
  batch: (rng, B) => {
    const x = new Float32Array(B * 100 * 32);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
    return { B, x, xShape: [B, 100, 32], ...binaryTargets(rng, B) };
  },
  items: (B) => B,
  flops: (B) => flopsRecurrent(B * 100, 32, 128, 512, false) + flopsRecurrent(B * 100, 128, 128, 512, true) + flopsDense(B, 128, 1, true),
};

export const W3 = sentiment('W3', 'W3 SimpleRNN, training', 'simpleRNN');

/** Embedding(96, 32) -> LSTM(256, returnSequences) -> Dense(96, softmax) per step, length 64. */
export const W4: Workload = {
  id: 'W4',
  title: 'W4 character LM, training',
  unit: 'tokens/s',
  B: 32,
  T: 64,
  inputShape: [64],
  loss: 'sparseCategoricalCrossentropy',
  ours: () => [
    layers.embedding({ inputDim: 96, outputDim: 32 }),
    layers.lstm({ units: 256, returnSequences: true }),
    layers.dense({ units: 96, activation: 'softmax' }),
  ],
  tfjs: (t) => [
    t.layers.embedding({ inputDim: 96, outputDim: 32, inputLength: 64, embeddingsInitializer: 'zeros' }),
    t.layers.lstm({ units: 256, returnSequences: true, recurrentActivation: 'sigmoid', ...z }),
    t.layers.dense({ units: 96, activation: 'softmax', kernelInitializer: 'zeros' }),
  ],
  batch: (rng, B) => {
    // a (B, T+1) stream of characters: x is its first T, y the next character
    const T = 64;
    const s = idsBatch(rng, B, T + 1, 96, 0).x;
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      x.set(s.subarray(b * (T + 1), b * (T + 1) + T), b * T);
      y.set(s.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
    }
    return { B, x, xShape: [B, T], y, yShape: [B, T], yShapeTf: [B, T, 1] };
  },
  items: (B) => B * 64,
  flops: (B) => flopsRecurrent(B * 64, 32, 256, 1024, true) + flopsDense(B * 64, 256, 96, true),
};

export const WORKLOADS = [W1, W2, W3, W4];

// ------------------------------------------------------------ contenders

/** A batch staged for one model (tensors made outside the timed region). */
interface Staged {
  train(): Promise<number>;
  predict(batchSize: number): Promise<Float32Array>;
  dispose(): void;
}

interface Model {
  stage(h: HostBatch): Staged;
  dispose(): void;
  /** ours only */
  model?: Sequential;
}

export interface BuildOptions {
  /** the training-gate variant of the stack (dropout off) */
  gate?: boolean;
  /** 'adam' (lr 1e-3, what is timed) or 'sgd' (GATE_SGD_LR) */
  optimizer?: 'adam' | 'sgd';
}

export interface Contender {
  name: string;
  /** ours: a wasm-rnn backend */
  ours: boolean;
  /** seconds per training step: few samples in the quick run */
  slow: boolean;
  build(w: Workload, weights: Tensor[] | null, o?: BuildOptions): Promise<Model>;
}

/** wasm-rnn on backend `be`. With weights null, the model keeps its seeded initial weights. */
export function oursContender(be: Backend, slow: boolean): Contender {
  return {
    name: `wasm-rnn ${be.name}`,
    ours: true,
    slow,
    async build(w, weights, o = {}) {
      setBackend(be);
      const m = new Sequential({ seed: SEED, layers: w.ours(!!o.gate) });
      m.build(w.inputShape); // fixes the model to `be`; compile after build attaches the optimizer
      const optimizer = o.optimizer === 'sgd' ? optimizers.sgd({ learningRate: GATE_SGD_LR }) : optimizers.adam({ learningRate: 1e-3 });
      m.compile({ optimizer, loss: w.loss });
      if (weights) m.setWeights(weights);
      return {
        stage(h) {
          const x = tensor(h.x, h.xShape);
          const y = tensor(h.y, h.yShape);
          return {
            train: async () => m.trainOnBatch(x, y),
            predict: async (batchSize) => (m.predict(x, { batchSize }) as Tensor).data as Float32Array,
            dispose() {},
          };
        },
        dispose: () => m.dispose(),
        model: m,
      };
    },
  };
}

/** TF.js on one backend, with our weights copied in. */
export function tfContender(backend: TfBackend, slow: boolean): Contender {
  return {
    name: `tfjs ${backend}`,
    ours: false,
    slow,
    async build(w, weights, o = {}) {
      const t = await useTf(backend);
      const m = t.sequential({ layers: w.tfjs(t, !!o.gate) });
      if (!weights) throw new Error('tfjs contender needs weights');
      const ws = weights.map((x) => t.tensor(x.data, [...x.shape]));
      m.setWeights(ws);
      t.dispose(ws);
      m.compile({ optimizer: o.optimizer === 'sgd' ? t.train.sgd(GATE_SGD_LR) : t.train.adam(1e-3), loss: w.loss });
      const on = async () => {
        if (t.getBackend() !== backend) await useTf(backend);
      };
      return {
        stage(h) {
          const x = t.tensor(h.x, h.xShape, h.x instanceof Int32Array ? 'int32' : 'float32');
          const y = t.tensor(h.y, h.yShapeTf, 'float32');
          return {
            train: async () => {
              await on();
              const r = await m.trainOnBatch(x, y);
              return Array.isArray(r) ? r[0] : r;
            },
            predict: async (batchSize) => {
              await on();
              const p = m.predict(x, { batchSize }) as ReturnType<typeof t.tensor>;
              const d = p.dataSync() as Float32Array;
              p.dispose();
              return d;
            },
            dispose: () => t.dispose([x, y]),
          };
        },
        dispose: () => {
          m.optimizer?.dispose();
          m.dispose();
        },
      };
    },
  };
}

// ---------------------------------------------------------------- results

export interface GateRow {
  workload: string;
  contender: string;
  /** max |prediction - twin| over batch sizes GATE_B and 1 */
  predDiff: number;
  /** max relative loss difference over GATE_STEPS SGD steps */
  lossDiff: number;
  losses: number[];
  /** ours only: the same over GATE_STEPS Adam steps */
  adamDiff: number | null;
  ok: boolean;
}

export interface ModelRow {
  workload: string;
  metric: string;
  contender: string;
  unit: string;
  /** higher is better, except for latency (ms) */
  median: number;
  min: number;
  max: number;
  samples: number;
  /** ms per call */
  timing: Timing;
  /** speed-up over TF.js wasm (throughput ratio, or latency ratio inverted) */
  vsTfWasm: number | null;
  vsTwin: number | null;
  gflops: number | null;
  mfu: number | null;
}

export interface ModelResults {
  tfjs: TfInfo;
  backends: string[];
  defaultBackend: string;
  gates: GateRow[];
  rows: ModelRow[];
  targets: Array<{ target: string; want: string; got: string; met: boolean | null }>;
  notes: string[];
  /** workloads on which TF.js cpu was not timed (quick run) */
  skipped: string[];
  markdown: string;
}

// ------------------------------------------------------------------- run

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

interface Reference {
  weights: Tensor[];
  preds: Float32Array[];
  sgd: number[];
  adam: number[];
}

async function gatePredictions(model: Model, gate: HostBatch): Promise<Float32Array[]> {
  const s = model.stage(gate);
  const out = [await s.predict(GATE_B), await s.predict(1)];
  s.dispose();
  return out;
}

/** Losses of GATE_STEPS training steps from `weights` on the gate batch, on a fresh gate-variant model. */
async function gateLosses(c: Contender, w: Workload, weights: Tensor[] | null, gate: HostBatch, optimizer: 'sgd' | 'adam'): Promise<number[]> {
  const model = await c.build(w, weights, { gate: true, optimizer });
  try {
    const s = model.stage(gate);
    const losses: number[] = [];
    for (let i = 0; i < GATE_STEPS; i++) losses.push(await s.train());
    s.dispose();
    return losses;
  } finally {
    model.dispose();
  }
}

function lossDiff(got: number[], want: number[]): number {
  return Math.max(...got.map((l, i) => (Number.isFinite(l) ? Math.abs(l - want[i]) / (1 + Math.abs(want[i])) : Infinity)));
}

export interface ModelBenchOptions {
  full?: boolean;
  log?: (s: string) => void;
  /** workload ids to run (default all) */
  only?: string[];
  /** run the correctness gates only, no timing */
  gatesOnly?: boolean;
}

export async function benchModels(opts: ModelBenchOptions = {}): Promise<ModelResults> {
  const log = opts.log ?? console.log;
  const full = !!opts.full;
  const tfInfo = await loadTf();
  const js = await createBackend({ backend: 'js' });
  const wasm: Backend[] = [await createBackend({ backend: 'wasm-simd' })];
  try {
    wasm.push(await createBackend({ backend: 'wasm-relaxed-simd' }));
  } catch {
    log('(relaxed SIMD not available in this runtime: skipped)');
  }
  const defaultBackend = (await createBackend()).name;
  const twin = oursContender(js, true);
  const contenders: Contender[] = [...wasm.map((b) => oursContender(b, false)), twin, tfContender('wasm', false), tfContender('cpu', true)];
  const res: ModelResults = {
    tfjs: tfInfo,
    backends: wasm.map((b) => b.name),
    defaultBackend,
    gates: [],
    rows: [],
    targets: [],
    notes: [...tfInfo.notes],
    skipped: [],
    markdown: '',
  };
  log(`TF.js ${tfInfo.version}: wasm backend ${tfInfo.wasmSimd ? 'SIMD' : 'no SIMD'}, ${tfInfo.wasmThreads} thread(s); ${tfInfo.notes.join(' ')}`);

  // Samples per contender class. Quick: the slow ones (seconds per step) take
  // two samples, their warm-up being the gate's training steps just before
  // (the same code at batch GATE_B; the twin's reference run for the twin);
  // TF.js wasm (~1-2 s per step) one more warm-up call and five samples.
  const trainOpts = (c: Contender): TimeOptions => {
    if (c.slow) return full ? { time: 0, warmupTime: 0, warmupIterations: 2, iterations: 5 } : { time: 0, warmupTime: 0, warmupIterations: 0, iterations: 2 };
    if (!c.ours) return full ? { time: 10000, warmupTime: 0, warmupIterations: 3, iterations: 10 } : { time: 0, warmupTime: 0, warmupIterations: 1, iterations: 5 };
    return full ? { time: 5000, warmupTime: 1000, warmupIterations: 3, iterations: 10 } : { time: 1500, warmupTime: 300, warmupIterations: 3, iterations: 5 };
  };
  // W5 batch 256: the 60 batch-1 calls before it have warmed the same forward
  // code, so a slow contender's single quick sample needs no warm-up call.
  const b256Opts = (c: Contender): TimeOptions => {
    if (c.slow) return full ? { time: 0, warmupTime: 0, warmupIterations: 1, iterations: 3 } : { time: 0, warmupTime: 0, warmupIterations: 0, iterations: 1 };
    return { time: full ? 3000 : 1000, warmupTime: 0, warmupIterations: 2, iterations: 5 };
  };

  const wanted = (id: string) => !opts.only || opts.only.includes(id) || (id === 'W1' && opts.only.includes('W5'));
  for (const w of WORKLOADS) {
    if (!wanted(w.id)) continue;
    log(`\n## ${w.title}: batch ${w.B}, length ${w.T}, ${formatNumber(w.flops(w.B) / 1e9)} GFLOP (matmul) per step`);
    const gate = w.batch(new Rng(SEED + 1), GATE_B);
    const batch = w.batch(new Rng(SEED + 2), w.B);
    const inf = w === W1 ? { b1: w.batch(new Rng(SEED + 3), 1), b256: w.batch(new Rng(SEED + 4), 256) } : null;

    // 1. the reference: the twin, from the seed
    const refModel = await twin.build(w, null);
    const weights = refModel.model!.getWeights();
    const ref: Reference = {
      weights,
      preds: await gatePredictions(refModel, gate),
      sgd: await gateLosses(twin, w, weights, gate, 'sgd'),
      adam: await gateLosses(twin, w, weights, gate, 'adam'),
    };
    refModel.dispose();
    res.gates.push({ workload: w.id, contender: twin.name, predDiff: 0, lossDiff: 0, losses: ref.sgd, adamDiff: 0, ok: true });
    log(`gate ${w.id} reference (${twin.name}): SGD losses ${ref.sgd.map((l) => l.toFixed(5)).join(', ')}; Adam ${ref.adam.map((l) => l.toFixed(5)).join(', ')}`);
    // a gate is only as sensitive as the steps are large: each must move the loss
    for (const [opt, l] of [['SGD', ref.sgd], ['Adam', ref.adam]] as const) {
      if (!l.every(Number.isFinite) || l.some((v, i) => i > 0 && !(Math.abs(v - l[i - 1]) > GATE_MOVE))) {
        throw new Error(`${w.id}: the twin's ${opt} gate losses ${l.join(', ')} are not finite or do not move by > ${GATE_MOVE} per step: the gate would be blind`);
      }
    }

    const rows: ModelRow[] = [];
    for (const c of contenders) {
      if (!full && c.name === 'tfjs cpu' && w !== W1) {
        log(`${w.id} tfjs cpu: only with --full`);
        res.skipped.push(w.id);
        continue;
      }
      const started = performance.now();
      const model = await c.build(w, ref.weights);
      try {
        // 2. the gate
        if (c !== twin) {
          const preds = await gatePredictions(model, gate);
          const predDiff = Math.max(...preds.map((p, i) => maxAbsDiff(p, ref.preds[i])));
          const losses = await gateLosses(c, w, ref.weights, gate, 'sgd');
          const sgdDiff = lossDiff(losses, ref.sgd);
          const adamDiff = c.ours ? lossDiff(await gateLosses(c, w, ref.weights, gate, 'adam'), ref.adam) : null;
          const ok = predDiff <= PRED_TOL && sgdDiff <= LOSS_TOL && (adamDiff === null || adamDiff <= LOSS_TOL);
          res.gates.push({ workload: w.id, contender: c.name, predDiff, lossDiff: sgdDiff, losses, adamDiff, ok });
          log(`gate ${w.id} ${c.name}: predictions max |diff| ${predDiff.toExponential(2)}, SGD losses max rel diff ${sgdDiff.toExponential(2)}` +
            `${adamDiff === null ? '' : `, Adam ${adamDiff.toExponential(2)}`} ${ok ? 'ok' : 'FAILED'}`);
          if (!ok) {
            throw new Error(`${w.id} ${c.name}: wrong result against the JS twin (predictions max |diff| ${predDiff}, limit ${PRED_TOL}; ` +
              `SGD losses ${losses.join(', ')} vs ${ref.sgd.join(', ')}${adamDiff === null ? '' : `; Adam max rel diff ${adamDiff}`}, limit ${LOSS_TOL}); ` +
              'no timing for a wrong model');
          }
        }
        if (opts.gatesOnly) continue;
        // 3. timing
        const s = model.stage(batch);
        const t = await time(`${w.id} ${c.name}`, () => s.train(), trainOpts(c));
        s.dispose();
        const items = w.items(w.B);
        const flop = w.flops(w.B);
        rows.push(row(w.id, w.title.replace(/^W\d /, ''), c.name, w.unit, t, (ms) => items / (ms / 1000), flop));
        log(`${w.id} ${c.name}: ${formatNumber(items / (t.median / 1000))} ${w.unit} (${formatNumber(t.median)} ms/step, n=${t.samples})`);

        // W5: inference with the W1 model
        if (inf) {
          const s1 = model.stage(inf.b1);
          const t1 = await time(`W5 b1 ${c.name}`, () => s1.predict(1), { time: c.slow ? 0 : 500, warmupTime: 0, warmupIterations: 10, iterations: 50 });
          s1.dispose();
          rows.push(row('W5', 'batch-1 latency', c.name, 'ms', t1, (ms) => ms, null));
          const s256 = model.stage(inf.b256);
          const t256 = await time(`W5 b256 ${c.name}`, () => s256.predict(256), b256Opts(c));
          s256.dispose();
          rows.push(row('W5', 'batch-256 throughput', c.name, 'sequences/s', t256, (ms) => 256 / (ms / 1000), null));
          log(`W5 ${c.name}: batch-1 ${formatNumber(t1.median)} ms (n=${t1.samples}), batch-256 ${formatNumber(256 / (t256.median / 1000))} seq/s (n=${t256.samples})`);
        }
      } finally {
        model.dispose();
      }
      log(`  (${c.name}: ${((performance.now() - started) / 1000).toFixed(1)} s with its gate)`);
    }
    ratios(rows);
    res.rows.push(...rows);
  }

  res.targets = targets(res.rows, defaultBackend);
  res.markdown = markdown(res);
  log(`\n${res.markdown}`);
  return res;
}

function row(workload: string, metric: string, contender: string, unit: string, t: Timing, conv: (ms: number) => number, flop: number | null): ModelRow {
  const latency = unit === 'ms';
  const gflops = flop === null ? null : flop / (t.median / 1000) / 1e9;
  return {
    workload,
    metric,
    contender,
    unit,
    median: conv(t.median),
    min: latency ? t.min : conv(t.max),
    max: latency ? t.max : conv(t.min),
    samples: t.samples,
    timing: t,
    vsTfWasm: null,
    vsTwin: null,
    gflops,
    mfu: gflops === null ? null : gflops / PEAK_GFLOPS,
  };
}

/** Speed-ups within one workload metric: throughput ratios, latency inverted. */
function ratios(rows: ModelRow[]): void {
  for (const r of rows) {
    const peer = (name: string) => rows.find((o) => o.workload === r.workload && o.metric === r.metric && o.contender === name);
    const speedup = (o: ModelRow | undefined) => (o ? (r.unit === 'ms' ? o.median / r.median : r.median / o.median) : null);
    r.vsTfWasm = speedup(peer('tfjs wasm'));
    r.vsTwin = speedup(peer('wasm-rnn js'));
  }
}

/** Issue 6's targets (one thread, same run), for the default backend. */
function targets(rows: ModelRow[], be: string): ModelResults['targets'] {
  const ours = `wasm-rnn ${be}`;
  const get = (w: string, m: string) => rows.find((r) => r.workload === w && r.contender === ours && (m === '' || r.metric === m));
  const out: ModelResults['targets'] = [];
  const add = (target: string, want: number, got: number | null | undefined) => {
    out.push({ target, want: `>= ${want}x`, got: got == null ? '—' : `${got.toFixed(1)}x`, met: got == null ? null : got >= want });
  };
  add('W1 vs TF.js wasm', 13, get('W1', '')?.vsTfWasm);
  add('W2 vs TF.js wasm', 15, get('W2', '')?.vsTfWasm);
  add('W3 vs TF.js wasm', 8, get('W3', '')?.vsTfWasm);
  add('W4 vs TF.js wasm', 15, get('W4', '')?.vsTfWasm);
  add('W5 batch-1 latency vs TF.js wasm', 6, get('W5', 'batch-1 latency')?.vsTfWasm);
  add('W1 vs our JS twin', 15, get('W1', '')?.vsTwin);
  return out;
}

const x = (v: number | null) => (v === null ? '—' : `${v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(1) : v.toPrecision(1)}x`);

function markdown(r: ModelResults): string {
  const body = r.rows.map((o) => [
    `${o.workload} ${o.metric}`,
    o.contender,
    `${formatNumber(o.median)} ${o.unit === 'ms' ? 'ms' : o.unit}`,
    `${formatNumber(o.min)}–${formatNumber(o.max)}`,
    String(o.samples),
    x(o.vsTfWasm),
    x(o.vsTwin),
    o.mfu === null ? '—' : `${(o.mfu * 100).toFixed(o.mfu < 0.01 ? 2 : 1)}% (${formatNumber(o.gflops!)} GFLOP/s)`,
  ]);
  const main = table(['workload', 'contender', 'median', 'min–max', 'n', 'vs TF.js wasm', 'vs JS twin', `MFU (of ${PEAK_GFLOPS} GFLOP/s)`], body);
  const gates = table(
    ['gate', 'contender', 'predictions: max abs diff', 'SGD losses: max rel diff', 'Adam losses: max rel diff', 'result'],
    r.gates.filter((g) => g.contender !== 'wasm-rnn js').map((g) => [g.workload, g.contender, g.predDiff.toExponential(1), g.lossDiff.toExponential(1),
      g.adamDiff === null ? '— (formula differs)' : g.adamDiff.toExponential(1), g.ok ? 'pass' : 'FAIL']),
  );
  const tg = table(['target (issue 6)', 'want', `got (wasm-rnn ${r.defaultBackend})`, 'met'], r.targets.map((t) => [t.target, t.want, t.got, t.met === null ? '—' : t.met ? 'yes' : 'no']));
  const notes = [
    `TF.js ${r.tfjs.version}: wasm backend ${r.tfjs.wasmSimd ? 'SIMD' : 'without SIMD'}, ${r.tfjs.wasmThreads} thread; cpu backend plain JS.`,
    ...r.notes,
    `Gates (before timing): predictions of a ${GATE_B}-sequence batch (batch sizes ${GATE_B} and 1) within ${PRED_TOL} of our JS twin with the same weights; ` +
      `the losses of ${GATE_STEPS} SGD steps (lr ${GATE_SGD_LR}) from those weights within ${LOSS_TOL} relative (W2 with dropout rate 0); ` +
      `our wasm builds also match the twin's ${GATE_STEPS} Adam steps. TF.js's Adam puts epsilon outside the bias correction ` +
      `(ε added to sqrt(v̂), Keras adds it to sqrt(v)), so its Adam trajectory differs slightly by formula and is not gated.`,
    `MFU: matmul FLOPs of forward + backward counted analytically (no dx for a first layer fed with data) over ${PEAK_GFLOPS} GFLOP/s, one core's 128-bit SIMD peak.`,
    `Slow contenders (JS twin, TF.js cpu) are timed with few samples (n) in the quick run, warmed up by their gate's training steps ` +
      `(the same code at batch ${GATE_B}); \`--full\` gives them two warm-up steps and five samples.`,
    ...(r.skipped.length ? [`TF.js cpu was not timed on ${r.skipped.join(', ')} in this quick run (\`--full\` times it everywhere).`] : []),
  ];
  return `${main}\n\n${gates}\n\n${tg}\n\n${notes.map((n) => `- ${n}`).join('\n')}`;
}
