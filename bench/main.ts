/**
 * The bench entry: runs the selected suites in one process, prints the
 * environment and every table, and writes bench/results/latest.json and
 * bench/results/latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { environment } from './harness.js';
import { benchKernels } from './kernels.bench.js';

const args = process.argv.slice(2);
const full = args.includes('--full');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : '');
const only = new Set(onlyArg ? onlyArg.split(',') : ['kernels']);

const env = await environment();
console.log(`# wasm-rnn benchmarks\n${env.runtime} ${env.version} · ${env.cpu} · ${env.cores} cores · ${env.date}\n`);
const results: Record<string, unknown> = { environment: env };
const sections: string[] = [];

if (only.has('kernels')) {
  const k = await benchKernels({ full });
  results.kernels = k;
  sections.push(`### Kernels\n\n${k.markdown}`);
}

mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', JSON.stringify(results, null, 2) + '\n');
writeFileSync('bench/results/latest.md', `${env.runtime} ${env.version} · ${env.cpu}\n\n${sections.join('\n\n')}\n`);
