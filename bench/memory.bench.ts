/**
 * M1 (docs/benchmarks.md): memory while training W1 on the default backend.
 *
 * STEPS training steps (quick run 200, --full 1000) of the W1 model on one
 * batch; every SAMPLE_EVERY steps, after global.gc(): process RSS, the JS
 * heap in use, and the wasm heap (the backend's memory, 4-byte slots). The
 * first WARMUP_FRACTION of the steps is warm-up (plans, optimizer state and
 * V8's code are made then); growth is the last sample minus the first sample
 * after warm-up. Training allocates nothing per step by design, so growth
 * beyond the limits below is a leak and fails the bench.
 */
import { createBackend } from '../src/backend/load.js';
import { optimizers } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { table } from './harness.js';
import { ourModel, ourTensor } from './ours.js';
import { SEED, W1, type Workload } from './workloads.js';

const SAMPLE_EVERY = 10;
const WARMUP_FRACTION = 0.1;
const MB = 1024 * 1024;
/** growth limits after warm-up, bytes */
export const LIMITS = { rss: 8 * MB, jsHeap: 4 * MB, wasmHeap: 1 * MB };

export interface MemorySample {
  step: number;
  rss: number;
  jsHeap: number;
  wasmHeap: number;
}

export interface MemoryResults {
  backend: string;
  steps: number;
  warmupSteps: number;
  samples: MemorySample[];
  peak: { rss: number; jsHeap: number; wasmHeap: number };
  growth: { rss: number; jsHeap: number; wasmHeap: number };
  limits: typeof LIMITS;
  stepsPerSecond: number;
  markdown: string;
}

/** M1 on W1 by default; `workload` runs another (M7: W7, 2,000 steps with --full). */
export async function benchMemory(opts: { full?: boolean; log?: (s: string) => void; workload?: Workload } = {}): Promise<MemoryResults> {
  const log = opts.log ?? console.log;
  const w = opts.workload ?? W1;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('M1 needs global.gc(): run node with --expose-gc (npm run bench does)');
  const steps = opts.full ? (w === W1 ? 1000 : 2000) : 200;
  const warmupSteps = Math.max(SAMPLE_EVERY, Math.round(steps * WARMUP_FRACTION));

  const be = await createBackend();
  const model = ourModel(be, {
    seed: SEED,
    layers: w.ours(false),
    inputShape: w.inputShape,
    loss: w.loss,
    optimizer: optimizers.adam({ learningRate: 1e-3 }),
  });
  const b = w.batch(new Rng(SEED + 2), w.B);
  const x = ourTensor(b.x, b.xShape);
  const y = ourTensor(b.y, b.yShape);

  const samples: MemorySample[] = [];
  const sample = (step: number) => {
    gc();
    samples.push({ step, rss: process.memoryUsage.rss(), jsHeap: process.memoryUsage().heapUsed, wasmHeap: be.arena.stats().heap * 4 });
  };
  sample(0);
  const t0 = performance.now();
  let tWarm = t0;
  for (let s = 1; s <= steps; s++) {
    const loss = model.train(x, y);
    if (!Number.isFinite(loss)) throw new Error(`M1 ${w.id}: the loss is ${loss} at step ${s}`);
    if (s === warmupSteps) tWarm = performance.now();
    if (s % SAMPLE_EVERY === 0) sample(s);
  }
  const elapsed = performance.now() - tWarm; // includes the sampling gc()s: not a speed figure
  model.dispose();

  const after = samples.filter((p) => p.step >= warmupSteps);
  const first = after[0];
  const last = after[after.length - 1];
  const peak = {
    rss: Math.max(...samples.map((p) => p.rss)),
    jsHeap: Math.max(...samples.map((p) => p.jsHeap)),
    wasmHeap: Math.max(...samples.map((p) => p.wasmHeap)),
  };
  const growth = { rss: last.rss - first.rss, jsHeap: last.jsHeap - first.jsHeap, wasmHeap: last.wasmHeap - first.wasmHeap };
  const mb = (v: number) => `${(v / MB).toFixed(2)} MB`;
  const md = table(
    [
      `${w === W1 ? 'M1' : `M1 (${w.id})`} memory, ${w.id} on ${be.name}, ${steps} steps`,
      'start',
      'after warm-up (step ' + first.step + ')',
      'end',
      'peak',
      'growth after warm-up',
      'limit',
    ],
    (['rss', 'jsHeap', 'wasmHeap'] as const).map((k) => [
      k === 'rss' ? 'process RSS' : k === 'jsHeap' ? 'JS heap used (after gc)' : 'wasm heap',
      mb(samples[0][k]),
      mb(first[k]),
      mb(last[k]),
      mb(peak[k]),
      mb(growth[k]),
      mb(LIMITS[k]),
    ]),
  );
  const res: MemoryResults = {
    backend: be.name,
    steps,
    warmupSteps,
    samples,
    peak,
    growth,
    limits: LIMITS,
    stepsPerSecond: (steps - warmupSteps) / (elapsed / 1000),
    markdown: `${md}\n\n- Sampled every ${SAMPLE_EVERY} steps after global.gc(); warm-up = the first ${warmupSteps} steps. RSS includes the wasm memory.`,
  };
  log(res.markdown);
  const over = (['rss', 'jsHeap', 'wasmHeap'] as const).filter((k) => growth[k] > LIMITS[k]);
  if (over.length) {
    throw new Error(
      `M1 ${w.id}: memory grows while training (${over.map((k) => `${k} +${mb(growth[k])} > ${mb(LIMITS[k])}`).join(', ')}): a leak`,
    );
  }
  return res;
}
