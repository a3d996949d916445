/**
 * S1 (docs/benchmarks.md): the bytes a browser user ships, raw and gzip (each
 * file gzipped on its own at level 9, as a server would send it).
 *
 *  - wasm-rnn, the headline: a browser app that trains a text classifier,
 *    bundled and minified by the app's own bundler (esbuild, tree-shaken)
 *    from dist/index.js, its seven imports kept (the row measured since the
 *    first S1). dist/ is readable on purpose (not minified, names kept, for
 *    stack traces), so minifying is the app's bundler's job.
 *  - the README's Quick start as an app (bench/apps/quick-start.js), bundled
 *    by esbuild (one file) and by Rollup (what Vite builds with; code split,
 *    each chunk minified by esbuild as Vite does): what the page loads up
 *    front and all its chunks; and the same app without loadModel. dist/ is
 *    one module per source file and `layers` a module namespace, so Rollup
 *    drops the layers an app never builds; esbuild keeps a re-exported
 *    namespace whole.
 *  - where the headline app's bytes go, by source folder (the same app
 *    bundled from src/, whose sizes match within a few hundred bytes).
 *  - dist's library modules as shipped (readable; they embed both wasm
 *    builds), with and without their source maps (fetched only by devtools),
 *    bundled and minified whole (what a CDN user who minifies but does not
 *    tree-shake gets), and with dist/wasm/*.wasm (the same builds as files,
 *    for runtimes that must import wasm as a module). Needs `npm run build`;
 *    a missing dist fails, a dist older than src/ or assembly/ is flagged.
 *  - TF.js 4.22 browser bundles from node_modules: core + layers + cpu backend;
 *    core + layers + wasm backend (its JS + the SIMD .wasm, the one a SIMD
 *    browser loads); and all of them (@tensorflow/tfjs's pieces + the wasm
 *    backend).
 *  - brain.js's browser bundle (browser.min.js).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { table } from './harness.js';

export interface SizeRow {
  name: string;
  files: string[];
  raw: number;
  gzip: number;
}

export interface SizeResults {
  rows: SizeRow[];
  stale: string | null;
  /** ours (everything) over TF.js core + layers + wasm backend, raw and gzip */
  ratio: { raw: number; gzip: number };
  /** the same for dist/index.js bundled and minified whole */
  ratioBundle: { raw: number; gzip: number };
  /** the same for a browser app bundled (tree-shaken, minified) from dist/index.js: the headline */
  ratioApp: { raw: number; gzip: number };
  /** the same for the Quick-start app bundled by Rollup: loaded up front, and all chunks */
  ratioQuickStart: { initial: { raw: number; gzip: number }; all: { raw: number; gzip: number } };
  /** the app's minified bytes by source folder */
  breakdown: { part: string; raw: number }[];
  markdown: string;
}

const KiB = 1024;

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The library's modules in dist/ (not the CLI, wasm-rnn/onnx, the stop-word subpaths or dist/node/'s bundles), relative to root. */
function libraryModules(root: string, ext: '.js' | '.js.map'): string[] {
  return readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext) && !/^(cli|onnx)\.js|^(types|wasm|node)[/\\]|^text[/\\]stopwords[/\\]/.test(f))
    .sort()
    .map((f) => `dist/${f}`);
}

function measure(root: string, name: string, files: string[]): SizeRow {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const p = join(root, f);
    if (!existsSync(p)) throw new Error(`S1: ${f} is missing (npm install?)`);
    const b = readFileSync(p);
    raw += b.length;
    gzip += gzipSync(b, { level: 9 }).length;
  }
  return { name, files, raw, gzip };
}

export async function benchSize(opts: { root?: string; log?: (s: string) => void } = {}): Promise<SizeResults> {
  const log = opts.log ?? console.log;
  const root = opts.root ?? process.cwd();
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'index.js')) || !existsSync(join(dist, 'wasm'))) {
    throw new Error('S1: dist/index.js or dist/wasm/ is missing: run `npm run build` first, then the bench');
  }
  const built = statSync(join(dist, 'index.js')).mtimeMs;
  const src = Math.max(newest(join(root, 'src')), newest(join(root, 'assembly')));
  const stale =
    src > built
      ? `dist/ is older than src/ or assembly/ (by ${((src - built) / 1000).toFixed(0)} s): run \`npm run build\` for current sizes`
      : null;
  if (stale) log(`S1 warning: ${stale}`);

  const wasmFiles = readdirSync(join(dist, 'wasm'))
    .filter((f) => f.endsWith('.wasm'))
    .sort()
    .map((f) => `dist/wasm/${f}`);
  const tf = (p: string) => `node_modules/@tensorflow/${p}`;
  const core = [tf('tfjs-core/dist/tf-core.min.js'), tf('tfjs-layers/dist/tf-layers.min.js')];
  const cpu = [tf('tfjs-backend-cpu/dist/tf-backend-cpu.min.js')];
  const wasm = [tf('tfjs-backend-wasm/dist/tf-backend-wasm.min.js'), tf('tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')];
  const app = await appBundle(root);
  const quickStart = readFileSync(join(root, 'bench/apps/quick-start.js'), 'utf8');
  const withoutLoad = quickStart.replace(/, loadModel \}/, ' }').replace(/\/\/ LOAD:[^]*$/, '');
  const quick = await rollupApp(root, 'the Quick-start app', quickStart);
  const quickNoLoad = await rollupApp(root, 'the Quick-start app without loadModel', withoutLoad);
  const minified = await minifiedWhole(root);
  const modules = libraryModules(root, '.js');
  const shipped = measure(root, `wasm-rnn: dist's ${modules.length} library modules + ${wasmFiles.length} .wasm files`, [
    ...modules,
    ...wasmFiles,
  ]);
  const tfWasm = measure(root, 'TF.js: core + layers + wasm backend (JS + SIMD .wasm)', [...core, ...wasm]);
  const rows = [
    app,
    await esbuildApp(root, 'wasm-rnn: the Quick-start app, esbuild (one file)', quickStart),
    quick.initial,
    quick.all,
    await esbuildApp(root, 'wasm-rnn: the Quick-start app without loadModel, esbuild', withoutLoad),
    quickNoLoad.initial,
    measure(root, `wasm-rnn: dist's ${modules.length} library modules as shipped (readable, embed the wasm builds)`, modules),
    measure(root, 'wasm-rnn: the same + their source maps', [...modules, ...libraryModules(root, '.js.map')]),
    minified,
    shipped,
    measure(root, 'TF.js: core + layers + cpu backend', [...core, ...cpu]),
    tfWasm,
    measure(root, 'TF.js: core + layers + cpu + wasm backend (JS + SIMD .wasm)', [...core, ...cpu, ...wasm]),
    measure(root, 'brain.js: browser.min.js', ['node_modules/brain.js/browser.min.js']),
  ];
  const over = (r: SizeRow) => ({ raw: r.raw / tfWasm.raw, gzip: r.gzip / tfWasm.gzip });
  const ratio = over(shipped);
  const ratioBundle = over(minified);
  const ratioApp = over(app);
  const ratioQuickStart = { initial: over(quick.initial), all: over(quick.all) };
  const md = table(
    ['S1 shipped bytes', 'raw', 'gzip', 'gzip relative to the text-classifier app'],
    rows.map((r) => [r.name, `${(r.raw / KiB).toFixed(1)} KiB`, `${(r.gzip / KiB).toFixed(1)} KiB`, `${(r.gzip / app.gzip).toFixed(1)}x`]),
  );
  const breakdown = await appBreakdown(root);
  const total = breakdown.reduce((a, b) => a + b.raw, 0);
  const parts = breakdown.map((b) => `${b.part} ${(b.raw / KiB).toFixed(1)} KiB (${((b.raw / total) * 100).toFixed(0)}%)`).join(', ');
  const pct = (r: { raw: number; gzip: number }) => `${(r.raw * 100).toFixed(1)}% raw, ${(r.gzip * 100).toFixed(1)}% gzip`;
  const markdown =
    `${md}\n\n- Against TF.js core + layers + wasm backend (target: < 10%): a browser text-classifier app (${APP_IMPORTS.join(', ')}; ` +
    `bundled and minified by esbuild from dist/index.js, unused exports dropped) ${pct(ratioApp)}; ` +
    `the Quick-start app bundled by Rollup ${pct(ratioQuickStart.initial)} loaded up front, ${pct(ratioQuickStart.all)} in all its chunks; ` +
    `dist/index.js bundled and minified whole ${pct(ratioBundle)}; the library modules as shipped with the .wasm files ${pct(ratio)}. ` +
    `Each file (each chunk) gzipped separately, level 9.` +
    `\n- Where the headline app's minified bytes go: ${parts}.` +
    `\n- Not counted: dist/cli.js, dist/onnx.js (wasm-rnn/onnx), dist/text/stopwords/ (optional entry points, loaded only when used) and dist/node/ (the same library as single files, for Node, Deno and Bun).` +
    `${stale ? `\n- WARNING: ${stale}.` : ''}`;
  log(markdown);
  return { rows, stale, ratio, ratioBundle, ratioApp, ratioQuickStart, breakdown, markdown };
}

/** What an app that trains and runs a text classifier in the browser imports. */
const APP_IMPORTS = ['init', 'Sequential', 'layers', 'TextVectorizer', 'optimizers', 'callbacks', 'loadModel'];

/** The headline app's bundle: esbuild, browser platform, minified, tree-shaken from dist/index.js. */
function appBundle(root: string): Promise<SizeRow> {
  return esbuildApp(
    root,
    `wasm-rnn: a browser text-classifier app (esbuild, minified, ${APP_IMPORTS.length} imports)`,
    `import { ${APP_IMPORTS.join(', ')} } from 'wasm-rnn';\nglobalThis.app = { ${APP_IMPORTS.join(', ')} };`,
  );
}

/** An app (source text importing 'wasm-rnn') bundled by esbuild from dist/index.js into one minified file. */
async function esbuildApp(root: string, name: string, source: string): Promise<SizeRow> {
  const { build } = await import('esbuild');
  const r = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    alias: { 'wasm-rnn': './dist/index.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = r.outputFiles[0].contents;
  return { name, files: ['(esbuild output)'], raw: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/**
 * An app bundled by Rollup from dist/index.js, code split (a dynamic import()
 * becomes a chunk of its own), each chunk minified by esbuild: the chunks the
 * page loads up front (the entry and what it imports statically), and all.
 */
async function rollupApp(root: string, what: string, source: string): Promise<{ initial: SizeRow; all: SizeRow }> {
  const { rollupApp: bundle } = await import('../build/rollup_app.mjs');
  const { transform } = await import('esbuild');
  const { code: output, initial } = await bundle(join(root, 'dist/index.js'), source);
  const chunks = new Map<string, { raw: number; gzip: number }>();
  for (const [name, code] of output) {
    const min = (await transform(code, { minify: true, format: 'esm', target: 'es2022' })).code;
    chunks.set(name, { raw: Buffer.byteLength(min), gzip: gzipSync(min, { level: 9 }).length });
  }
  const sum = (name: string, files: string[]): SizeRow => ({
    name,
    files: ['(Rollup output)'],
    raw: files.reduce((a, f) => a + chunks.get(f)!.raw, 0),
    gzip: files.reduce((a, f) => a + chunks.get(f)!.gzip, 0),
  });
  return {
    initial: sum(`wasm-rnn: ${what}, Rollup: loaded up front (${initial.size} of ${chunks.size} chunks)`, [...initial]),
    all: sum(`wasm-rnn: ${what}, Rollup: all ${chunks.size} chunks`, [...chunks.keys()]),
  };
}

/** dist/index.js bundled and minified as a whole: an app that re-exports everything keeps every export. */
function minifiedWhole(root: string): Promise<SizeRow> {
  return esbuildApp(root, 'wasm-rnn: dist/index.js bundled and minified whole (no tree shaking)', "export * from 'wasm-rnn';");
}

/** The app's minified bytes by source folder: the same app bundled from src/ with dist's settings. */
async function appBreakdown(root: string): Promise<{ part: string; raw: number }[]> {
  const { build } = await import('esbuild');
  const { stopwordListsPlugin } = await import('../build/bundle.mjs');
  const r = await build({
    stdin: {
      contents: `import { ${APP_IMPORTS.join(', ')} } from './src/index.ts';\nglobalThis.app = { ${APP_IMPORTS.join(', ')} };`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    metafile: true,
    plugins: [stopwordListsPlugin(root)],
  });
  const by = new Map<string, number>();
  for (const [file, v] of Object.entries(Object.values(r.metafile!.outputs)[0].inputs)) {
    const part = file.includes('wasm-bytes')
      ? 'embedded wasm (SIMD build + relaxed delta, base64)'
      : file.startsWith('stopword-lists:')
        ? 'stop-word lists (en, zh)'
        : file.includes('node_modules/')
          ? file.replace(/^.*node_modules\/([^/]+).*$/, '$1')
          : file.startsWith('src/')
            ? `src/${file.split('/').length > 2 ? file.split('/')[1] + '/' : file.split('/')[1]}`
            : file;
    by.set(part, (by.get(part) ?? 0) + v.bytesInOutput);
  }
  return [...by.entries()].map(([part, raw]) => ({ part, raw })).sort((a, b) => b.raw - a.raw);
}
