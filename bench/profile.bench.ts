/**
 * Where a training step's time goes (`--only=profile`, not in the default
 * run): the per-kernel split of W1-W4 on our default backend, and TF.js
 * wasm's per-kernel split of the same step from tf.profile(). This is the
 * profile a missed target's closing note needs (issue 6): measured, not
 * guessed.
 *
 * Ours: every Kernels method of the backend is wrapped with a timer for
 * PROFILE_STEPS steps after a warm-up; "outside kernels" is the step time
 * not spent in any kernel call (the JS layers, staging, checks). The
 * wrappers cost ~0.1 µs per call, a few hundred calls per step.
 * TF.js: tf.profile() of one trainOnBatch after a warm-up; kernelTimeMs as
 * TF.js reports it (its wasm backend times each kernel on the CPU).
 */
import type { Backend } from '../src/backend/backend.js';
import { KERNEL_NAMES } from '../src/backend/contract/index.js';
import { createBackend } from '../src/backend/load.js';
import { Rng } from '../src/rng.js';
import { table } from './harness.js';
import { oursContender, tfContender } from './contenders.js';
import { SEED, WORKLOADS, type Workload } from './workloads.js';
import { useTf } from './tfjs.js';

const PROFILE_STEPS = 5;
const TOP = 6;

export interface ProfileRow {
  workload: string;
  contender: string;
  stepMs: number;
  /** [kernel, ms per step, share of the step] */
  split: Array<[string, number, number]>;
}

export interface ProfileResults {
  rows: ProfileRow[];
  markdown: string;
}

/** Wrap every kernel method of `be` (one per kernel-table entry) with a timer; returns the totals (ms) and an undo. */
function instrument(be: Backend): { totals: Map<string, number>; undo: () => void } {
  const k = be.kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
  const totals = new Map<string, number>();
  const originals = new Map(KERNEL_NAMES.map((n) => [n, k[n]]));
  for (const [n, f] of originals) {
    k[n] = (...a: unknown[]) => {
      const t0 = performance.now();
      try {
        return f(...a);
      } finally {
        totals.set(n, (totals.get(n) ?? 0) + performance.now() - t0);
      }
    };
  }
  return { totals, undo: () => originals.forEach((f, n) => (k[n] = f)) };
}

async function profileOurs(be: Backend, w: Workload): Promise<ProfileRow> {
  const c = oursContender(be, false);
  const model = await c.build(w, null);
  const s = model.stage(w.batch(new Rng(SEED + 2), w.B));
  for (let i = 0; i < 3; i++) await s.train();
  const { totals, undo } = instrument(be);
  const t0 = performance.now();
  for (let i = 0; i < PROFILE_STEPS; i++) await s.train();
  const stepMs = (performance.now() - t0) / PROFILE_STEPS;
  undo();
  model.dispose();
  const split: Array<[string, number, number]> = [...totals].map(([n, ms]) => [n, ms / PROFILE_STEPS, ms / PROFILE_STEPS / stepMs]);
  const inKernels = split.reduce((a, r) => a + r[1], 0);
  split.sort((a, b) => b[1] - a[1]);
  const top = split.slice(0, TOP);
  const rest = split.slice(TOP).reduce((a, r) => a + r[1], 0);
  top.push(['other kernels', rest, rest / stepMs], ['outside kernels', stepMs - inKernels, (stepMs - inKernels) / stepMs]);
  return { workload: w.id, contender: `wasm-rnn ${be.name}`, stepMs, split: top };
}

async function profileTf(w: Workload, weights: Parameters<ReturnType<typeof tfContender>['build']>[1]): Promise<ProfileRow> {
  const c = tfContender('wasm', false);
  const model = await c.build(w, weights);
  const s = model.stage(w.batch(new Rng(SEED + 2), w.B));
  for (let i = 0; i < 2; i++) await s.train();
  const t = await useTf('wasm');
  const t0 = performance.now();
  const info = await t.profile(async () => {
    await s.train();
  });
  const stepMs = performance.now() - t0;
  s.dispose();
  model.dispose();
  const totals = new Map<string, number>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    totals.set(k.name, (totals.get(k.name) ?? 0) + ms);
  }
  const split: Array<[string, number, number]> = [...totals].map(([n, ms]) => [n, ms, ms / stepMs]);
  const inKernels = split.reduce((a, r) => a + r[1], 0);
  split.sort((a, b) => b[1] - a[1]);
  const top = split.slice(0, TOP);
  const rest = split.slice(TOP).reduce((a, r) => a + r[1], 0);
  top.push(['other kernels', rest, rest / stepMs], ['outside kernels (incl. profiler)', stepMs - inKernels, (stepMs - inKernels) / stepMs]);
  return { workload: w.id, contender: 'tfjs wasm', stepMs, split: top };
}

export async function benchProfile(opts: { only?: string[]; log?: (s: string) => void } = {}): Promise<ProfileResults> {
  const log = opts.log ?? console.log;
  const be = await createBackend();
  const js = await createBackend({ backend: 'js' });
  const rows: ProfileRow[] = [];
  for (const w of WORKLOADS) {
    if (opts.only && !opts.only.includes(w.id)) continue;
    rows.push(await profileOurs(be, w));
    const ref = await oursContender(js, true).build(w, null);
    const weights = ref.getWeights!();
    ref.dispose();
    rows.push(await profileTf(w, weights));
    log(`profiled ${w.id}`);
  }
  const markdown = table(
    ['profile of one training step', 'contender', 'ms per step', 'where the time goes (ms per step, share)'],
    rows.map((r) => [
      r.workload,
      r.contender,
      r.stepMs,
      r.split.map(([n, ms, f]) => `${n} ${ms.toFixed(1)} (${(f * 100).toFixed(0)}%)`).join('; '),
    ]),
  );
  log(markdown);
  return { rows, markdown };
}
