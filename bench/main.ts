/**
 * The bench entry: runs the selected suites in one process, prints the
 * environment and every table, and writes bench/results/latest.json and
 * bench/results/latest.md (the markdown README.md includes) when every suite
 * ran; a partial run (--only, --workloads) writes bench/results/partial.*.
 *
 *   npm run bench                          every suite, quick (~5 min on 2 quiet cores)
 *   npm run bench -- --full                more samples; 1000 M1 steps
 *   npm run bench -- --only=models,size    size, memory, kernels, models, brain, text, load, profile
 *   npm run bench -- --only=models --workloads=W1,W4
 *   npm run bench -- --only=models --gates-only    correctness gates, no timing
 *   npm run bench -- --only=models --workloads=W1,W5 --rounds=3   contenders timed in turn, best of 3
 *   npm run bench -- --no-torch            leave native PyTorch out where it is installed
 *   npm run bench -- --only=profile [--workloads=W4]  per-kernel split of a training step, ours and TF.js wasm
 *   npm run bench -- --only=memory-w7 --full    memory over 2,000 W7 training steps (optional suite)
 *   npm run bench -- --threads 2 [--workloads=W1,W5]  W1-W5 on 2 threads against 1, alternated (the threads suite alone)
 *
 * A suite whose correctness gate fails (or that cannot run) stops the bench
 * with a non-zero exit and leaves the previous results in place.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createBackend } from '../src/backend/load.js';
import { benchBrain } from './brain.bench.js';
import { environment } from './harness.js';
import { benchKernels } from './kernels.bench.js';
import { benchLoad } from './load.bench.js';
import { benchMemory } from './memory.bench.js';
import { benchModels } from './models.bench.js';
import { benchProfile } from './profile.bench.js';
import { benchSize } from './size.bench.js';
import { benchText } from './text.bench.js';
import { benchThreads } from './threads.bench.js';
import { W7 } from './workloads.js';

const SUITES = ['size', 'memory', 'kernels', 'models', 'brain', 'text', 'load', 'profile', 'memory-w7', 'threads'] as const;
/** not in the default run */
const OPTIONAL: readonly string[] = ['profile', 'memory-w7', 'threads'];
type Suite = (typeof SUITES)[number];

const args = process.argv.slice(2);
const full = args.includes('--full');
const arg = (name: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ??
  (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : '');
const threadsArg = arg('threads');
// --threads N alone runs the threads suite; with --only it joins the suites named
const onlyArg = arg('only') || (threadsArg ? 'threads' : '');
const only = new Set<string>(onlyArg ? onlyArg.split(',') : SUITES.filter((s) => !OPTIONAL.includes(s)));
if (threadsArg) only.add('threads');
const threadCount = threadsArg ? Number(threadsArg) : 2;
if (!Number.isInteger(threadCount) || threadCount < 2) {
  console.error(`--threads must be an integer >= 2, got ${threadsArg}`);
  process.exit(2);
}
if (only.has('models')) only.add('brain');
for (const s of only) {
  if (!(SUITES as readonly string[]).includes(s)) {
    console.error(`unknown suite '${s}' (have: ${SUITES.join(', ')})`);
    process.exit(2);
  }
}
const workloads = arg('workloads') ? arg('workloads').split(',') : undefined;
const gatesOnly = args.includes('--gates-only');
const rounds = arg('rounds') ? Number(arg('rounds')) : undefined;
const noTorch = args.includes('--no-torch');

const env = await environment();
const wasmDefault = await createBackend();
let relaxed = true;
try {
  await createBackend({ backend: 'wasm-relaxed-simd' });
} catch {
  relaxed = false;
}
const setup = {
  ...env,
  mode: full ? 'full' : 'quick',
  defaultBackend: wasmDefault.name,
  simd: wasmDefault.name === 'wasm-relaxed-simd' ? 'relaxed SIMD' : wasmDefault.name === 'wasm-simd' ? 'SIMD' : 'none (JS twin)',
  relaxedSimdAvailable: relaxed,
};
const headline = `${env.runtime} ${env.version} · ${env.cpu} · ${env.cores} cores · wasm-rnn default backend ${setup.defaultBackend} · ${setup.mode} run · ${env.date}`;
console.log(`# wasm-rnn benchmarks\n${headline}\nflags: ${env.flags.join(' ') || '(none)'}\n`);

const results: Record<string, unknown> = { environment: setup };
const sections: string[] = [];
const started = performance.now();

async function run<T extends { markdown: string }>(suite: Suite, title: string, fn: () => Promise<T>): Promise<void> {
  if (!only.has(suite)) return;
  const t0 = performance.now();
  console.log(`\n# ${title}\n`);
  let r: T;
  try {
    r = await fn();
  } catch (e) {
    console.error(`\n!!! BENCH FAILED in '${suite}': ${e instanceof Error ? e.message : String(e)}\n`);
    if (e instanceof Error && e.stack) console.error(e.stack);
    console.error('No results were written (bench/results/latest.* keep the previous run).');
    process.exit(1);
  }
  const s = (performance.now() - t0) / 1000;
  results[suite] = { ...r, seconds: s };
  sections.push(`### ${title}\n\n${r.markdown}`);
  console.log(`\n(${suite}: ${s.toFixed(0)} s)`);
}

const log = (s: string) => console.log(s);
// size first: it fails in a second when dist/ is missing, before minutes of timing
await run('size', 'S1 shipped size', () => benchSize({ log }));
// M1 early, so the process's RSS is not yet full of the other suites' leftovers (TF.js's tensors, corpora)
await run('memory', 'M1 memory while training W1', () => benchMemory({ full, log }));
await run('kernels', 'K1 GEMM and K2 gates', () => benchKernels({ full }));
await run('models', 'W1-W5 models, side by side', () => benchModels({ full, log, only: workloads, gatesOnly, rounds, noTorch }));
await run('brain', 'brain.js comparison (character model, batch 1)', async () => {
  const js = await createBackend({ backend: 'js' });
  return benchBrain({ wasm: wasmDefault, js, full, log });
});
await run('text', 'Text preprocessing throughput', () => benchText({ runs: full ? 5 : 1, quick: !full, log }));
await run('load', 'Model load time', () => benchLoad({ full, log }));
await run('profile', 'Where a training step goes', () => benchProfile({ only: workloads, log }));
await run('memory-w7', 'M1 memory while training W7 (2,000 steps with --full)', () => benchMemory({ full, log, workload: W7 }));
// the worker script: bench/run.mjs bundles src/threads/thread.ts beside this bundle
await run('threads', `W1-W5 on ${threadCount} threads against 1`, () =>
  benchThreads({ threads: threadCount, url: new URL('./.thread.mjs', import.meta.url), full, only: workloads, log }),
);

const total = (performance.now() - started) / 1000;
results.seconds = total;
console.log(`\nall suites: ${total.toFixed(0)} s`);
if (gatesOnly) {
  console.log('gates only: bench/results/latest.* left as they were');
  process.exit(0);
}
// latest.* (what README.md includes) only from a run of every suite; a
// partial run (--only, --workloads) writes partial.* instead
const name = onlyArg || workloads ? 'partial' : 'latest';
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/${name}.json`, JSON.stringify(results, null, 2) + '\n');
writeFileSync(
  `bench/results/${name}.md`,
  `<!-- generated by \`npm run bench\` (bench/main.ts); numbers from one process, ratios side by side -->\n${headline}\n\n${sections.join('\n\n')}\n`,
);
console.log(`wrote bench/results/${name}.json and bench/results/${name}.md`);
