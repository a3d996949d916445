// Builds the demo into examples/browser/dist/ (git-ignored):
//   app.js               src/app.js + src/chart.js, bundled by esbuild; 'wasm-rnn' stays external
//   wasm-rnn/index.js    the package's dist/index.js  (so the page and the worker share one file)
//   wasm-rnn/worker.js   the package's dist/worker.js (fitInWorker finds it beside index.js)
//   index.html, data/    as they are
//
//   npm run build && node examples/browser/build.mjs
//   then serve examples/browser/dist/ over http (a worker needs http, not file://)
import { cpSync, copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const out = join(here, 'dist');
for (const f of ['index.js', 'worker.js']) {
  if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` in the repository first`);
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
copyFileSync(join(root, 'dist/index.js'), join(out, 'wasm-rnn/index.js'));
copyFileSync(join(root, 'dist/worker.js'), join(out, 'wasm-rnn/worker.js'));
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
cpSync(join(here, 'data'), join(out, 'data'), { recursive: true });
console.log(`built ${out}`);
