/**
 * S1 (docs/benchmarks.md): the bytes a browser user ships, raw and gzip (each
 * file gzipped on its own at level 9, as a server would send it).
 *
 *  - wasm-rnn, the headline: a browser app that trains a text classifier,
 *    bundled and minified by the app's own bundler (esbuild, tree-shaken)
 *    from dist/index.js. dist/ is readable on purpose (not minified, names
 *    kept, for stack traces), so minifying is the app's bundler's job.
 *  - where that app's bytes go, by source folder (the same app bundled from
 *    src/, whose sizes match within a few hundred bytes).
 *  - dist/index.js as shipped (readable; it embeds both wasm builds), with
 *    and without its source map (fetched only by devtools), minified whole
 *    (what a CDN user who minifies but does not tree-shake gets), and with
 *    dist/wasm/*.wasm (the same builds as files, for runtimes that must
 *    import wasm as a module). Needs `npm run build`; a missing dist fails, a
 *    dist older than src/ or assembly/ is flagged.
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
  /** the same for dist/index.js alone, minified whole */
  ratioBundle: { raw: number; gzip: number };
  /** the same for a browser app bundled (tree-shaken, minified) from dist/index.js: the headline */
  ratioApp: { raw: number; gzip: number };
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
  const minified = await minifiedWhole(root);
  const rows = [
    app,
    measure(root, 'wasm-rnn: dist/index.js as shipped (readable, embeds its wasm builds)', ['dist/index.js']),
    measure(root, 'wasm-rnn: dist/index.js + its source map', ['dist/index.js', 'dist/index.js.map']),
    minified,
    measure(root, `wasm-rnn: dist/index.js + ${wasmFiles.length} .wasm files`, ['dist/index.js', ...wasmFiles]),
    measure(root, 'TF.js: core + layers + cpu backend', [...core, ...cpu]),
    measure(root, 'TF.js: core + layers + wasm backend (JS + SIMD .wasm)', [...core, ...wasm]),
    measure(root, 'TF.js: core + layers + cpu + wasm backend (JS + SIMD .wasm)', [...core, ...cpu, ...wasm]),
    measure(root, 'brain.js: browser.min.js', ['node_modules/brain.js/browser.min.js']),
  ];
  const ours = rows[4];
  const tfWasm = rows[6];
  const ratio = { raw: ours.raw / tfWasm.raw, gzip: ours.gzip / tfWasm.gzip };
  const ratioBundle = { raw: minified.raw / tfWasm.raw, gzip: minified.gzip / tfWasm.gzip };
  const ratioApp = { raw: app.raw / tfWasm.raw, gzip: app.gzip / tfWasm.gzip };
  const md = table(
    ['S1 shipped bytes', 'raw', 'gzip', 'gzip relative to the text-classifier app'],
    rows.map((r) => [r.name, `${(r.raw / KiB).toFixed(1)} KiB`, `${(r.gzip / KiB).toFixed(1)} KiB`, `${(r.gzip / app.gzip).toFixed(1)}x`]),
  );
  const breakdown = await appBreakdown(root);
  const total = breakdown.reduce((a, b) => a + b.raw, 0);
  const parts = breakdown.map((b) => `${b.part} ${(b.raw / KiB).toFixed(1)} KiB (${((b.raw / total) * 100).toFixed(0)}%)`).join(', ');
  const other = readdirSync(dist).filter((f) => f.endsWith('.js') && f !== 'index.js');
  const pct = (r: { raw: number; gzip: number }) => `${(r.raw * 100).toFixed(1)}% raw, ${(r.gzip * 100).toFixed(1)}% gzip`;
  const markdown =
    `${md}\n\n- Against TF.js core + layers + wasm backend (target: < 10%): a browser text-classifier app (${APP_IMPORTS.join(', ')}; ` +
    `bundled and minified by esbuild from dist/index.js, unused exports dropped) ${pct(ratioApp)}; dist/index.js minified whole ${pct(ratioBundle)}; ` +
    `dist/index.js as shipped with its .wasm files ${pct(ratio)}. Each file gzipped separately, level 9.` +
    `\n- Where the app's minified bytes go: ${parts}.` +
    `${other.length ? `\n- Not counted: ${other.map((f) => `dist/${f}`).join(', ')} and dist/stopwords/ (optional entry points, loaded only when used).` : ''}` +
    `${stale ? `\n- WARNING: ${stale}.` : ''}`;
  log(markdown);
  return { rows, stale, ratio, ratioBundle, ratioApp, breakdown, markdown };
}

/** What an app that trains and runs a text classifier in the browser imports. */
const APP_IMPORTS = ['init', 'Sequential', 'layers', 'TextVectorizer', 'optimizers', 'callbacks', 'loadModel'];

/** The app's bundle: esbuild, browser platform, minified, tree-shaken from dist/index.js. */
async function appBundle(root: string): Promise<SizeRow> {
  const { build } = await import('esbuild');
  const r = await build({
    stdin: {
      contents: `import { ${APP_IMPORTS.join(', ')} } from './dist/index.js';\nglobalThis.app = { ${APP_IMPORTS.join(', ')} };`,
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = r.outputFiles[0].contents;
  return {
    name: `wasm-rnn: a browser text-classifier app (esbuild, minified, ${APP_IMPORTS.length} imports)`,
    files: ['(esbuild output)'],
    raw: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
  };
}

/** dist/index.js minified as a whole (every export kept). */
async function minifiedWhole(root: string): Promise<SizeRow> {
  const { build } = await import('esbuild');
  const r = await build({
    entryPoints: [join(root, 'dist/index.js')],
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = r.outputFiles[0].contents;
  return {
    name: 'wasm-rnn: dist/index.js minified whole (no tree shaking)',
    files: ['(esbuild output)'],
    raw: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
  };
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
