/**
 * W1-W5 of docs/benchmarks.md: whole-model training and inference, wasm-rnn
 * (each wasm build and the pure-JS twin) against TensorFlow.js (cpu and wasm
 * backends), ONNX Runtime Web (W5) and native PyTorch where installed (W1,
 * W4, W5; native.ts), side by side in one process.
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
import { ortContender, ortInfo, torchContender, torchInfoLine } from './native.js';
import { bestOfRounds, markdown, ratios, row, targets, type ModelResults, type ModelRow } from './report.js';
import { loadTf } from './tfjs.js';
import { SEED, W1, W5, WORKLOADS, type InferenceWorkload, type Workload } from './workloads.js';

export interface ModelBenchOptions {
  full?: boolean;
  log?: (s: string) => void;
  /** workload ids to run (default all) */
  only?: string[];
  /** run the correctness gates only, no timing */
  gatesOnly?: boolean;
  /**
   * timing rounds: every fast contender is timed once per round, in turn
   * (A B C A B C ...), and reports its best round; slow ones round 1 only.
   * Default 1 (quick), 3 with full.
   */
  rounds?: number;
  /** leave out native PyTorch even where it is installed */
  noTorch?: boolean;
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
  if (c.slow)
    return full
      ? { time: 0, warmupTime: 0, warmupIterations: 2, iterations: 5 }
      : { time: 0, warmupTime: 0, warmupIterations: 0, iterations: 2 };
  if (!c.ours)
    return full
      ? { time: 10000, warmupTime: 0, warmupIterations: 3, iterations: 10 }
      : { time: 0, warmupTime: 0, warmupIterations: 1, iterations: 5 };
  return full
    ? { time: 5000, warmupTime: 1000, warmupIterations: 3, iterations: 10 }
    : { time: 1500, warmupTime: 300, warmupIterations: 3, iterations: 5 };
}

/**
 * Inference: batch 1 takes 50+ samples after 10 warm-up calls; the 60 batch-1
 * calls before batch 256 have warmed the same forward code, so a slow
 * contender's single quick batch-256 sample needs no warm-up call.
 */
function inferOpts(c: Contender, B: number, full: boolean): TimeOptions {
  if (B === 1) return { time: c.slow ? 0 : 500, warmupTime: 0, warmupIterations: 10, iterations: 50 };
  if (c.slow)
    return full
      ? { time: 0, warmupTime: 0, warmupIterations: 1, iterations: 3 }
      : { time: 0, warmupTime: 0, warmupIterations: 0, iterations: 1 };
  return { time: full ? 3000 : 1000, warmupTime: 0, warmupIterations: 2, iterations: 5 };
}

/** Time one contender on one workload (its model already gated); returns its rows. */
async function timeContender(
  c: Contender,
  w: Workload | InferenceWorkload,
  model: Awaited<ReturnType<Contender['build']>>,
  full: boolean,
  log: (s: string) => void,
): Promise<ModelRow[]> {
  if (isInference(w)) {
    const rows: ModelRow[] = [];
    for (const r of w.runs) {
      const s = model.stage(w.model.batch(new Rng(SEED + r.seed), r.B));
      const o = inferOpts(c, r.B, full);
      const t = s.time ? await s.time('predict', r.B, o) : await time(`${w.id} b${r.B} ${c.name}`, () => s.predict(r.B), o);
      s.dispose();
      rows.push(row(w.id, r.metric, c.name, r.unit, t, r.unit === 'ms' ? (ms) => ms : (ms) => r.B / (ms / 1000), null));
    }
    log(`${w.id} ${c.name}: ${rows.map((r) => `${r.metric} ${formatNumber(r.median)} ${r.unit} (n=${r.samples})`).join(', ')}`);
    return rows;
  }
  const s = model.stage(w.batch(new Rng(SEED + 2), w.B));
  const o = trainOpts(c, full);
  const t = s.time ? await s.time('train', w.B, o) : await time(`${w.id} ${c.name}`, () => s.train(), o);
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
  const contenders: Contender[] = [
    ...wasm.map((b) => oursContender(b, false)),
    twin,
    tfContender('wasm', false),
    tfContender('cpu', true),
    ortContender(js),
  ];
  const rounds = Math.max(1, Math.floor(opts.rounds ?? (full ? 3 : 1)));
  const notes: string[] = [ortInfo()];
  const torch = opts.noTorch ? { contender: null, reason: '--no-torch' } : await torchContender();
  if (torch.contender) {
    contenders.push(torch.contender);
    notes.push(torchInfoLine(torch.info));
  } else {
    notes.push(`PyTorch not run: ${torch.reason}.`);
  }
  if (rounds > 1)
    notes.push(
      `Fast contenders timed in ${rounds} alternating rounds (A B C A B C ...); each row is its best round, 'rounds' lists every round's median.`,
    );
  for (const n of notes) log(n);
  const res: ModelResults = {
    tfjs: tfInfo,
    backends: wasm.map((b) => b.name),
    defaultBackend,
    gates: [],
    rows: [],
    targets: [],
    notes: [...tfInfo.notes, ...notes],
    skipped: [],
    markdown: '',
  };
  log(
    `TF.js ${tfInfo.version}: wasm backend ${tfInfo.wasmSimd ? 'SIMD' : 'no SIMD'}, ${tfInfo.wasmThreads} thread(s); ${tfInfo.notes.join(' ')}`,
  );

  for (const w of RUNS) {
    if (opts.only && !opts.only.includes(w.id)) continue;
    const training = !isInference(w);
    const model = training ? w : w.model;
    log(
      `\n## ${w.title}: ` +
        (training
          ? `batch ${w.B}, length ${w.T}, ${formatNumber(w.flops(w.B) / 1e9)} GFLOP (matmul) per step`
          : w.runs.map((r) => `batch ${r.B}`).join(' and ') + `, length ${model.T}`),
    );
    const gateBatch = model.batch(new Rng(SEED + 1), GATE_B);
    const ref = await reference(twin, model, gateBatch, training, log);
    res.gates.push({
      workload: w.id,
      contender: twin.name,
      predDiff: 0,
      lossDiff: training ? 0 : null,
      losses: ref.sgd,
      adamDiff: training ? 0 : null,
      ok: true,
    });

    // every contender's model is built and gated first, then timed in rounds
    const built: Array<{ c: Contender; m: Awaited<ReturnType<Contender['build']>> }> = [];
    const perRound: ModelRow[][] = [];
    try {
      for (const c of contenders) {
        if (c.workloads && !c.workloads.includes(w.id)) continue;
        if (!full && c.name === 'tfjs cpu' && w !== W1 && w !== W5) {
          log(`${w.id} tfjs cpu: only with --full`);
          res.skipped.push(w.id);
          continue;
        }
        const m = await c.build(model, ref.weights);
        built.push({ c, m });
        if (c !== twin) res.gates.push(await gate(c, m, model, w.id, gateBatch, ref, training, log));
      }
      for (let r = 0; r < rounds && !opts.gatesOnly; r++) {
        if (rounds > 1) log(`${w.id} round ${r + 1} of ${rounds}`);
        for (const { c, m } of built) {
          if (r > 0 && c.slow) continue;
          const started = performance.now();
          perRound.push(await timeContender(c, w, m, full, log));
          if (r === 0) log(`  (${c.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
        }
      }
    } finally {
      for (const { m } of built) m.dispose();
    }
    const rows = bestOfRounds(perRound);
    ratios(rows);
    res.rows.push(...rows);
  }

  if (torch.contender) torch.close();
  res.targets = targets(res.rows, defaultBackend);
  res.markdown = markdown(res);
  log(`\n${res.markdown}`);
  return res;
}
