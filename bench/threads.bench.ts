/**
 * `--threads N`: W1-W5 on N threads (init({ threads: N })) against one
 * thread, side by side in one process (docs/benchmarks.md, "Threads").
 *
 * Both contenders run the default wasm build; the N-thread one is the same
 * kernels on a shared memory with N − 1 worker threads. Per workload:
 *
 *   1. the gate: both models start from the same weights; predictions at the
 *      gate batch and batch 1, and GATE_STEPS Adam steps, must agree within
 *      float rounding (a batch split over threads sums in another order);
 *      dropout (W2) drops the same elements on any thread count, so W2 is
 *      gated with it on;
 *   2. the timing, alternated (1, N, 1, N, ...) for ROUNDS rounds, because
 *      this machine is shared and its speed drifts: each round is a median
 *      of a few calls after warm-up; the report gives each contender's best
 *      round and the range, and the speed-up of best over best.
 *
 * The load average is printed with every round: on a machine others use,
 * the N threads compete for the same cores and a speed-up is understated.
 * CPU time per step (process.cpuUsage, every thread of this process) is
 * reported too: N threads that do no extra work take as much CPU per step as
 * one, whatever the load; its ratio is the parallel overhead.
 */
import { loadavg } from 'node:os';
import type { Backend } from '../src/backend/backend.js';
import { backendNotes, createBackend } from '../src/backend/load.js';
import { Rng } from '../src/rng.js';
import { oursContender, type Contender, type Model } from './contenders.js';
import { GATE_B, GATE_STEPS, gatePredictions, maxAbsDiff } from './gates.js';
import { formatNumber, table, time } from './harness.js';
import type { Tensor } from './ours.js';
import { SEED, W1, W5, WORKLOADS, type HostBatch, type Workload } from './workloads.js';

const ROUNDS_QUICK = 3;
const ROUNDS_FULL = 6;
/** gate tolerances: float rounding of sums split over threads, after a few Adam steps */
const PRED_TOL = 1e-5;
const LOSS_TOL = 1e-5;

export interface ThreadsOptions {
  threads: number;
  /** the worker script (a bundle of src/threads/thread.ts) */
  url: URL;
  full?: boolean;
  only?: string[];
  log?: (s: string) => void;
}

export interface ThreadsRow {
  workload: string;
  metric: string;
  unit: string;
  /** per contender: its rounds' medians in the unit, best first */
  one: number[];
  many: number[];
  /** best over best (throughput ratio; for latency, 1 thread's ms over N's) */
  speedup: number;
  /** CPU ms per call, summed over every thread, median of the rounds */
  cpuOne: number;
  cpuMany: number;
  load: number[];
}

export interface ThreadsResults {
  threads: number;
  backend: string;
  gates: Array<{ workload: string; predDiff: number; lossDiff: number | null }>;
  rows: ThreadsRow[];
  loadBefore: number[];
  loadAfter: number[];
  markdown: string;
}

const fmtLoad = (l: number[]) => l.map((v) => v.toFixed(1)).join(' ');

export async function benchThreads(o: ThreadsOptions): Promise<ThreadsResults> {
  const log = o.log ?? console.log;
  const N = o.threads;
  const one = await createBackend();
  const many = await createBackend({ threads: N, threadWorkerUrl: o.url });
  if ((many.pool?.size ?? 1) !== N) {
    throw new Error(
      `--threads ${N}: the backend runs ${many.pool?.size ?? 1} thread(s): ${backendNotes().join('; ') || 'no reason given'}`,
    );
  }
  const loadBefore = loadavg();
  log(`threads: ${N} (${many.name}, ${N - 1} worker thread${N > 2 ? 's' : ''}) vs 1 (${one.name}); load average ${fmtLoad(loadBefore)}`);
  const c1 = oursContender(one, false);
  const cN = oursContender(many, false);
  cN.name = `wasm-rnn ${many.name} ×${N}`;
  const rounds = o.full ? ROUNDS_FULL : ROUNDS_QUICK;
  const res: ThreadsResults = { threads: N, backend: many.name, gates: [], rows: [], loadBefore, loadAfter: [], markdown: '' };
  try {
    for (const w of [W1, W5, ...WORKLOADS.filter((x) => x !== W1)]) {
      if (o.only && !o.only.includes(w.id)) continue;
      const training = 'flops' in w;
      const model: Workload = training ? (w as Workload) : W5.model;
      const m1 = await c1.build(model, null);
      const weights = m1.getWeights!();
      const mN = await cN.build(model, weights);
      try {
        res.gates.push(await gateThreads(c1, cN, model, w.id, weights, m1, mN, training, log));
        if (training) res.rows.push(await timeTraining(model, m1, mN, rounds, log));
        else for (const r of W5.runs) res.rows.push(await timeInference(w.id, r, m1, mN, rounds, log));
      } finally {
        m1.dispose();
        mN.dispose();
      }
    }
  } finally {
    many.pool?.close();
  }
  res.loadAfter = loadavg();
  res.markdown = markdown(res);
  log(`\n${res.markdown}`);
  return res;
}

/** The N-thread model computes the 1-thread model's numbers (within rounding). */
async function gateThreads(
  c1: Contender,
  cN: Contender,
  w: Workload,
  id: string,
  weights: Tensor[],
  m1: Model,
  mN: Model,
  training: boolean,
  log: (s: string) => void,
): Promise<ThreadsResults['gates'][number]> {
  const batch = w.batch(new Rng(SEED + 1), GATE_B);
  const [p1, pN] = [await gatePredictions(m1, batch), await gatePredictions(mN, batch)];
  const predDiff = Math.max(...p1.map((p, i) => maxAbsDiff(p, pN[i])));
  let lossDiff: number | null = null;
  if (training) {
    const losses = async (c: Contender) => {
      const m = await c.build(w, weights);
      const s = m.stage(batch);
      const l: number[] = [];
      for (let i = 0; i < GATE_STEPS; i++) l.push(await s.train());
      m.dispose();
      return l;
    };
    const [l1, lN] = [await losses(c1), await losses(cN)];
    lossDiff = Math.max(...l1.map((l, i) => Math.abs(l - lN[i]) / (1 + Math.abs(l))));
  }
  const ok = predDiff <= PRED_TOL && (lossDiff === null || lossDiff <= LOSS_TOL);
  log(
    `gate ${id} ${cN.name} vs 1 thread: predictions max |diff| ${predDiff.toExponential(2)}${lossDiff === null ? '' : `, Adam losses max rel diff ${lossDiff.toExponential(2)}`} ${ok ? 'ok' : 'FAILED'}`,
  );
  if (!ok)
    throw new Error(
      `${id}: ${cN.name} disagrees with one thread (predictions ${predDiff}, losses ${lossDiff}); no timing for a wrong model`,
    );
  return { workload: id, predDiff, lossDiff };
}

/** One round: a median of a few calls after warm-up, and the CPU time per call. */
async function round(fn: () => Promise<unknown>, iterations: number): Promise<{ ms: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t = await time('round', fn, { time: 0, warmupTime: 0, warmupIterations: 2, iterations });
  const c = process.cpuUsage(c0);
  return { ms: t.median, cpu: (c.user + c.system) / 1000 / (iterations + 2) };
}

async function alternate(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  rounds: number,
  iterations: number,
  log: (s: string) => void,
  what: string,
) {
  const ra: { ms: number; cpu: number }[] = [];
  const rb: { ms: number; cpu: number }[] = [];
  const load: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ra.push(await round(a, iterations));
    rb.push(await round(b, iterations));
    load.push(loadavg()[0]);
    log(
      `  ${what} round ${r + 1}: 1 thread ${formatNumber(ra[r].ms)} ms, N threads ${formatNumber(rb[r].ms)} ms (load ${load[r].toFixed(1)})`,
    );
  }
  return { ra, rb, load };
}

const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];

async function timeTraining(w: Workload, m1: Model, mN: Model, rounds: number, log: (s: string) => void): Promise<ThreadsRow> {
  const batch: HostBatch = w.batch(new Rng(SEED + 2), w.B);
  const [s1, sN] = [m1.stage(batch), mN.stage(batch)];
  const { ra, rb, load } = await alternate(
    () => s1.train(),
    () => sN.train(),
    rounds,
    4,
    log,
    w.id,
  );
  s1.dispose();
  sN.dispose();
  const items = w.items(w.B);
  const thr = (ms: number) => items / (ms / 1000);
  const one = ra.map((r) => thr(r.ms)).sort((x, y) => y - x);
  const many = rb.map((r) => thr(r.ms)).sort((x, y) => y - x);
  return {
    workload: w.id,
    metric: w.title.replace(/^W\d /, ''),
    unit: w.unit,
    one,
    many,
    speedup: many[0] / one[0],
    cpuOne: median(ra.map((r) => r.cpu)),
    cpuMany: median(rb.map((r) => r.cpu)),
    load,
  };
}

async function timeInference(
  id: string,
  r: (typeof W5.runs)[number],
  m1: Model,
  mN: Model,
  rounds: number,
  log: (s: string) => void,
): Promise<ThreadsRow> {
  const batch = W5.model.batch(new Rng(SEED + r.seed), r.B);
  const [s1, sN] = [m1.stage(batch), mN.stage(batch)];
  const { ra, rb, load } = await alternate(
    () => s1.predict(r.B),
    () => sN.predict(r.B),
    rounds,
    r.B === 1 ? 50 : 4,
    log,
    `${id} batch ${r.B}`,
  );
  s1.dispose();
  sN.dispose();
  const latency = r.unit === 'ms';
  const conv = (ms: number) => (latency ? ms : r.B / (ms / 1000));
  const order = (v: number[]) => v.sort((x, y) => (latency ? x - y : y - x));
  const one = order(ra.map((x) => conv(x.ms)));
  const many = order(rb.map((x) => conv(x.ms)));
  return {
    workload: id,
    metric: r.metric,
    unit: r.unit,
    one,
    many,
    speedup: latency ? one[0] / many[0] : many[0] / one[0],
    cpuOne: median(ra.map((x) => x.cpu)),
    cpuMany: median(rb.map((x) => x.cpu)),
    load,
  };
}

function markdown(r: ThreadsResults): string {
  const N = r.threads;
  const cell = (v: number[], unit: string) =>
    `${formatNumber(v[0])} ${unit} (${formatNumber(Math.min(...v))}-${formatNumber(Math.max(...v))})`;
  const md = table(
    [
      'workload',
      'metric',
      '1 thread: best (range)',
      `${N} threads: best (range)`,
      `speed-up ×${N}`,
      'CPU ms per call, 1 / N threads',
      'load during',
    ],
    r.rows.map((x) => [
      x.workload,
      x.metric,
      cell(x.one, x.unit),
      cell(x.many, x.unit),
      `${x.speedup.toFixed(2)}x`,
      `${formatNumber(x.cpuOne)} / ${formatNumber(x.cpuMany)}`,
      fmtLoad([Math.min(...x.load), Math.max(...x.load)]).replace(' ', '-'),
    ]),
  );
  const gates = r.gates
    .map((g) => `${g.workload} ${g.predDiff.toExponential(1)}${g.lossDiff === null ? '' : ` / ${g.lossDiff.toExponential(1)}`}`)
    .join(', ');
  return (
    `${md}\n\n- ${r.backend}, ${N} threads (this thread + ${N - 1} workers on one shared memory) against one thread, alternated round by round; ` +
    `load average ${fmtLoad(r.loadBefore)} before, ${fmtLoad(r.loadAfter)} after (cores shared with other work understate the speed-up).\n` +
    `- Gates (max |prediction diff| / max rel. Adam loss diff vs one thread): ${gates}.\n` +
    '- CPU ms per call counts every thread of the process: its growth from 1 to N threads is the cost of splitting (duplicated per-call work, the sums, the waits).'
  );
}
