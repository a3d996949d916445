/**
 * W1-W5 of docs/benchmarks.md: whole-model training and inference, wasm-rnn
 * (each wasm build and the pure-JS twin) against TensorFlow.js (cpu and wasm
 * backends), side by side in one process.
 *
 * Per workload (workloads.ts): the twin's reference and every contender's
 * gate first (gates.ts), then the timing:
 *   - training (W1-W4): trainOnBatch (Adam, lr 1e-3) on one full batch of
 *     random data from a fixed seed, warm-up first, median with min and max;
 *   - inference (W5): predict at batch 1 (latency) then batch 256
 *     (throughput) with W1's model.
 * Slow contenders (the twin, TF.js cpu: seconds per step) take few samples in
 * the quick run. Throughput is sequences/s (tokens/s for W4); model FLOP
 * utilisation counts the matmul FLOPs of forward + backward analytically
 * over the one-core SIMD peak (report.ts).
 */
import type { Backend } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/load.js';
import { Rng } from '../src/rng.js';
import { oursContender, tfContender, type Contender } from './contenders.js';
import { GATE_B, gate, reference } from './gates.js';
import { formatNumber, time, type TimeOptions } from './harness.js';
import { markdown, ratios, row, targets, type ModelResults, type ModelRow } from './report.js';
import { loadTf } from './tfjs.js';
import { SEED, W1, W5, WORKLOADS, type InferenceWorkload, type Workload } from './workloads.js';

export interface ModelBenchOptions {
  full?: boolean;
  log?: (s: string) => void;
  /** workload ids to run (default all) */
  only?: string[];
  /** run the correctness gates only, no timing */
  gatesOnly?: boolean;
}

/** The report order: W5 right after the model it runs. */
const RUNS: Array<Workload | InferenceWorkload> = [W1, W5, ...WORKLOADS.filter((w) => w !== W1)];

const isInference = (w: Workload | InferenceWorkload): w is InferenceWorkload => 'runs' in w;

/**
 * Samples per contender class. Quick: the slow ones (seconds per step) take
 * two samples, their warm-up being the gate's training steps just before (the
 * same code at batch GATE_B; the twin's reference run for the twin); TF.js
 * wasm (~1-2 s per step) one more warm-up call and five samples.
 */
function trainOpts(c: Contender, full: boolean): TimeOptions {
  if (c.slow) return full ? { time: 0, warmupTime: 0, warmupIterations: 2, iterations: 5 } : { time: 0, warmupTime: 0, warmupIterations: 0, iterations: 2 };
  if (!c.ours) return full ? { time: 10000, warmupTime: 0, warmupIterations: 3, iterations: 10 } : { time: 0, warmupTime: 0, warmupIterations: 1, iterations: 5 };
  return full ? { time: 5000, warmupTime: 1000, warmupIterations: 3, iterations: 10 } : { time: 1500, warmupTime: 300, warmupIterations: 3, iterations: 5 };
}

/**
 * Inference: batch 1 takes 50+ samples after 10 warm-up calls; the 60 batch-1
 * calls before batch 256 have warmed the same forward code, so a slow
 * contender's single quick batch-256 sample needs no warm-up call.
 */
function inferOpts(c: Contender, B: number, full: boolean): TimeOptions {
  if (B === 1) return { time: c.slow ? 0 : 500, warmupTime: 0, warmupIterations: 10, iterations: 50 };
  if (c.slow) return full ? { time: 0, warmupTime: 0, warmupIterations: 1, iterations: 3 } : { time: 0, warmupTime: 0, warmupIterations: 0, iterations: 1 };
  return { time: full ? 3000 : 1000, warmupTime: 0, warmupIterations: 2, iterations: 5 };
}

/** Time one contender on one workload (its model already gated); returns its rows. */
async function timeContender(c: Contender, w: Workload | InferenceWorkload, model: Awaited<ReturnType<Contender['build']>>,
  full: boolean, log: (s: string) => void): Promise<ModelRow[]> {
  if (isInference(w)) {
    const rows: ModelRow[] = [];
    for (const r of w.runs) {
      const s = model.stage(w.model.batch(new Rng(SEED + r.seed), r.B));
      const t = await time(`${w.id} b${r.B} ${c.name}`, () => s.predict(r.B), inferOpts(c, r.B, full));
      s.dispose();
      rows.push(row(w.id, r.metric, c.name, r.unit, t, r.unit === 'ms' ? (ms) => ms : (ms) => r.B / (ms / 1000), null));
    }
    log(`${w.id} ${c.name}: ${rows.map((r) => `${r.metric} ${formatNumber(r.median)} ${r.unit} (n=${r.samples})`).join(', ')}`);
    return rows;
  }
  const s = model.stage(w.batch(new Rng(SEED + 2), w.B));
  const t = await time(`${w.id} ${c.name}`, () => s.train(), trainOpts(c, full));
  s.dispose();
  const items = w.items(w.B);
  log(`${w.id} ${c.name}: ${formatNumber(items / (t.median / 1000))} ${w.unit} (${formatNumber(t.median)} ms/step, n=${t.samples})`);
  return [row(w.id, w.title.replace(/^W\d /, ''), c.name, w.unit, t, (ms) => items / (ms / 1000), w.flops(w.B))];
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

  for (const w of RUNS) {
    if (opts.only && !opts.only.includes(w.id)) continue;
    const training = !isInference(w);
    const model = training ? w : w.model;
    log(`\n## ${w.title}: ` + (training
      ? `batch ${w.B}, length ${w.T}, ${formatNumber(w.flops(w.B) / 1e9)} GFLOP (matmul) per step`
      : w.runs.map((r) => `batch ${r.B}`).join(' and ') + `, length ${model.T}`));
    const gateBatch = model.batch(new Rng(SEED + 1), GATE_B);
    const ref = await reference(twin, model, gateBatch, training, log);
    res.gates.push({ workload: w.id, contender: twin.name, predDiff: 0, lossDiff: training ? 0 : null, losses: ref.sgd, adamDiff: training ? 0 : null, ok: true });

    const rows: ModelRow[] = [];
    for (const c of contenders) {
      if (!full && c.name === 'tfjs cpu' && w !== W1 && w !== W5) {
        log(`${w.id} tfjs cpu: only with --full`);
        res.skipped.push(w.id);
        continue;
      }
      const started = performance.now();
      const m = await c.build(model, ref.weights);
      try {
        if (c !== twin) res.gates.push(await gate(c, m, model, w.id, gateBatch, ref, training, log));
        if (!opts.gatesOnly) rows.push(...(await timeContender(c, w, m, full, log)));
      } finally {
        m.dispose();
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
