// Builds the demo into examples/browser/dist/ (git-ignored):
//   app.js               src/app.js + src/chart.js, bundled by esbuild; 'wasm-rnn' stays external
//   wasm-rnn/            the package's modules from dist/ (so the page and the worker share them):
//                        index.js, worker/worker.js (fitInWorker finds it beside worker/fit_in_worker.js),
//                        threads/thread.js (init({ threads }) finds it beside threads/pool.js)
//   index.html, data/    as they are
//
//   npm run demo     builds the package (when stale), this demo, and serves it (serve.mjs)
//   or: npm run build && node examples/browser/build.mjs, then serve examples/browser/dist/
//   over http (a worker needs http, not file://)
//
//   --dist DIR   take the package's bundles from DIR instead of dist/ (tests)
//   --out DIR    write the demo to DIR instead of examples/browser/dist/
import { cpSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? resolve(process.argv[i + 1]) : null;
};
const pkgDist = arg('--dist') ?? join(root, 'dist');
const out = arg('--out') ?? join(here, 'dist');
for (const f of ['index.js', 'worker/worker.js', 'threads/thread.js']) {
  if (!existsSync(join(pkgDist, f))) throw new Error(`${join(pkgDist, f)} is missing: run \`npm run build\` in the repository first`);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'wasm-rnn'), { recursive: true });

const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(here, 'src/app.js')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
  plugins: [
    {
      name: 'wasm-rnn-external',
      setup(b) {
        b.onResolve({ filter: /^wasm-rnn$/ }, () => ({ path: './wasm-rnn/index.js', external: true }));
      },
    },
  ],
});
// the modules and their maps; not the CLI, wasm-rnn/onnx, the types or the .wasm files (embedded in the modules)
const skip = /^(cli|onnx)\.js|^(types|wasm)[/\\]/;
for (const f of readdirSync(pkgDist, { recursive: true, encoding: 'utf8' })) {
  if (/\.js(\.map)?$/.test(f) && !skip.test(f)) cpSync(join(pkgDist, f), join(out, 'wasm-rnn', f));
}
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
cpSync(join(here, 'data'), join(out, 'data'), { recursive: true });
console.log(`built ${out}`);
