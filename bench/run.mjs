// `npm run bench [-- --full] [-- --only kernels,text,...]`: bundle the
// TypeScript benches with esbuild and run them in this Node, with relaxed
// SIMD enabled so both wasm builds are measured.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench/results/.bench.mjs');
mkdirSync(dirname(out), { recursive: true });
await build({
  entryPoints: [join(root, 'bench/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'es2022',
  outfile: out,
  packages: 'external',
  logLevel: 'warning',
});
// the threads suite's worker script (init({ threads })): the library and its thread body in one file beside the bench
await build({
  entryPoints: [join(root, 'src/threads/thread.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'es2022',
  outfile: join(dirname(out), '.thread.mjs'),
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--expose-gc', out, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
