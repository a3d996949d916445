/**
 * The model benchmarks' results: one row per (workload, metric, contender)
 * with its timing, speed-ups over TF.js wasm, our twin, ONNX Runtime Web and
 * native PyTorch, and model FLOP utilisation; the targets of issues 6 and 14;
 * and the markdown report.
 */
import { formatNumber, table, type Timing } from './harness.js';
import { GATE_B, GATE_STEPS, LOSS_TOL, PRED_TOL, type GateRow } from './gates.js';
import { GATE_SGD_LR, ORT_NAME, TORCH_NAME } from './contenders.js';
import type { TfInfo } from './tfjs.js';

/** One core's 128-bit SIMD f32 peak here (docs/kernel-notes.md), GFLOP/s. */
export const PEAK_GFLOPS = 65;

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
  /** speed-ups over ONNX Runtime Web and native PyTorch (native.ts), where they ran */
  vsOrtWeb: number | null;
  vsTorch: number | null;
  /** every timing round's median, in round order (one entry: a single round) */
  rounds: number[];
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

/** A result row from a timing: `conv` turns ms per call into the unit; `flop` per call, or null. */
export function row(
  workload: string,
  metric: string,
  contender: string,
  unit: string,
  t: Timing,
  conv: (ms: number) => number,
  flop: number | null,
): ModelRow {
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
    vsOrtWeb: null,
    vsTorch: null,
    rounds: [conv(t.median)],
    gflops,
    mfu: gflops === null ? null : gflops / PEAK_GFLOPS,
  };
}

/** Speed-ups within one workload metric: throughput ratios, latency inverted. */
export function ratios(rows: ModelRow[]): void {
  for (const r of rows) {
    const peer = (name: string) => rows.find((o) => o.workload === r.workload && o.metric === r.metric && o.contender === name);
    const speedup = (o: ModelRow | undefined) => (o ? (r.unit === 'ms' ? o.median / r.median : r.median / o.median) : null);
    r.vsTfWasm = speedup(peer('tfjs wasm'));
    r.vsTwin = speedup(peer('wasm-rnn js'));
    r.vsOrtWeb = speedup(peer(ORT_NAME));
    r.vsTorch = speedup(peer(TORCH_NAME));
  }
}

/**
 * Rows of several timing rounds (the same contenders and metrics, timed in
 * turn) as one row per (workload, metric, contender): its best round, with
 * every round's median kept in `rounds`.
 */
export function bestOfRounds(rounds: ModelRow[][]): ModelRow[] {
  const out: ModelRow[] = [];
  for (const r of rounds.flat()) {
    const i = out.findIndex((o) => o.workload === r.workload && o.metric === r.metric && o.contender === r.contender);
    if (i < 0) {
      out.push({ ...r, rounds: [r.median] });
      continue;
    }
    const prev = out[i];
    const better = r.unit === 'ms' ? r.median < prev.median : r.median > prev.median;
    out[i] = { ...(better ? r : prev), rounds: [...prev.rounds, r.median] };
  }
  return out;
}

/** Issues 6 and 14's targets (one thread, same run), for the default backend. */
export function targets(rows: ModelRow[], be: string): ModelResults['targets'] {
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
  add('W7 vs TF.js wasm', 10, get('W7', '')?.vsTfWasm);
  const mfu = get('W7', '')?.mfu;
  out.push({
    target: 'W7 MFU',
    want: '>= 40%',
    got: mfu == null ? '—' : `${(mfu * 100).toFixed(1)}%`,
    met: mfu == null ? null : mfu >= 0.4,
  });
  // issue 14: the contenders users would pick instead
  add('W1 vs native PyTorch (1 thread)', 1, get('W1', '')?.vsTorch);
  add('W4 vs native PyTorch (1 thread)', 1, get('W4', '')?.vsTorch);
  add('W5 batch-1 latency vs ONNX Runtime Web', 1.3, get('W5', 'batch-1 latency')?.vsOrtWeb);
  add('W5 batch-256 throughput vs ONNX Runtime Web', 1.5, get('W5', 'batch-256 throughput')?.vsOrtWeb);
  return out;
}

const x = (v: number | null) => (v === null ? '—' : `${v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(1) : v.toPrecision(1)}x`);
const exp = (v: number | null, none: string) => (v === null ? none : v.toExponential(1));

export function markdown(r: ModelResults): string {
  const body = r.rows.map((o) => [
    `${o.workload} ${o.metric}`,
    o.contender,
    `${formatNumber(o.median)} ${o.unit === 'ms' ? 'ms' : o.unit}`,
    `${formatNumber(o.min)}–${formatNumber(o.max)}`,
    String(o.samples),
    x(o.vsTfWasm),
    x(o.vsTwin),
    x(o.vsOrtWeb),
    x(o.vsTorch),
    o.rounds.length > 1 ? o.rounds.map(formatNumber).join(', ') : '—',
    o.mfu === null ? '—' : `${(o.mfu * 100).toFixed(o.mfu < 0.01 ? 2 : 1)}% (${formatNumber(o.gflops!)} GFLOP/s)`,
  ]);
  const main = table(
    [
      'workload',
      'contender',
      'median',
      'min–max',
      'n',
      'vs TF.js wasm',
      'vs JS twin',
      'vs ORT-web',
      'vs PyTorch',
      'rounds (medians)',
      `MFU (of ${PEAK_GFLOPS} GFLOP/s)`,
    ],
    body,
  );
  const gates = table(
    ['gate', 'contender', 'predictions: max abs diff', 'SGD losses: max rel diff', 'Adam losses: max rel diff', 'result'],
    r.gates
      .filter((g) => g.contender !== 'wasm-rnn js')
      .map((g) => [
        g.workload,
        g.contender,
        g.predDiff.toExponential(1),
        exp(g.lossDiff, '— (inference)'),
        exp(g.adamDiff, g.lossDiff === null ? '— (inference)' : '— (formula differs)'),
        g.ok ? 'pass' : 'FAIL',
      ]),
  );
  const tg = table(
    ['target (issues 6, 14)', 'want', `got (wasm-rnn ${r.defaultBackend})`, 'met'],
    r.targets.map((t) => [t.target, t.want, t.got, t.met === null ? '—' : t.met ? 'yes' : 'no']),
  );
  const notes = [
    `TF.js ${r.tfjs.version}: wasm backend ${r.tfjs.wasmSimd ? 'SIMD' : 'without SIMD'}, ${r.tfjs.wasmThreads} thread; cpu backend plain JS.`,
    ...r.notes,
    `Gates (before timing): predictions of a ${GATE_B}-sequence batch (batch sizes ${GATE_B} and 1) within ${PRED_TOL} of our JS twin with the same weights; ` +
      `the losses of ${GATE_STEPS} SGD steps (lr ${GATE_SGD_LR}) from those weights within ${LOSS_TOL} relative (W2 with dropout rate 0); ` +
      `our wasm builds also match the twin's ${GATE_STEPS} Adam steps. TF.js's Adam puts epsilon outside the bias correction ` +
      `(ε added to sqrt(v̂), Keras adds it to sqrt(v)), so its Adam trajectory differs slightly by formula and is not gated. ` +
      'W5 (inference) gates the predictions of the model it times.',
    `MFU: matmul FLOPs of forward + backward counted analytically (no dx for a first layer fed with data) over ${PEAK_GFLOPS} GFLOP/s, one core's 128-bit SIMD peak.`,
    `Slow contenders (JS twin, TF.js cpu) are timed with few samples (n) in the quick run, warmed up by their gate's training steps ` +
      `(the same code at batch ${GATE_B}); \`--full\` gives them two warm-up steps and five samples.`,
    ...(r.skipped.length ? [`TF.js cpu was not timed on ${r.skipped.join(', ')} in this quick run (\`--full\` times it everywhere).`] : []),
  ];
  return `${main}\n\n${gates}\n\n${tg}\n\n${notes.map((n) => `- ${n}`).join('\n')}`;
}
