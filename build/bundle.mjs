// The esbuild settings of every file in dist/, written once: build.mjs makes
// dist/ with them, and the tests build the same bundles into a temporary
// folder (so a test of "the built bin" runs what npm ships, not a variant).
//
// Readable on purpose: no minification and no keepNames. An uncaught error
// then shows a short source line (minified, Node printed a 100 KB line) and
// real class names (`Tensor {`, `Sequential`). keepNames is not used because
// its `__name(...)` calls are side effects to a user's bundler: measured, they
// stop tree shaking and grew a text-classifier app from 172 to 226 KiB.
// Unminified identifiers keep names anyway (`var Tensor = class {` names the
// class); test/build/dist.test.ts checks every exported class's name.
// Minifying is the user's bundler's job; bench/size.bench.ts measures what it
// ships. Each bundle gets an external source map (sources included) so stack
// traces and devtools lead to src/.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Subpath modules: one stop-word list each (`wasm-rnn/stopwords/de`). */
export function stopWordEntries(root) {
  return readdirSync(join(root, 'src/text/stopwords'))
    .filter((f) => /^[a-z]{2}\.ts$/.test(f))
    .map((f) => f.slice(0, 2))
    .sort();
}

/** A plugin that leaves `spec` as an import of `target` (relative to the output file). */
const external = (name, filter, target) => ({
  name,
  setup(b) {
    b.onResolve({ filter }, () => ({ path: target, external: true }));
  },
});

/**
 * The `stopword` package's lists as plain `export const xxx = [...]`. Its own
 * ESM file builds a few lists by spreading others at the top level, which a
 * bundler must keep as side effects (~1.5 KB in every bundle); literals tree-
 * shake to exactly the lists imported.
 */
export const stopwordListsPlugin = (root) => ({
  name: 'stopword-lists',
  setup(b) {
    const file = join(root, 'node_modules/stopword/dist/stopword.esm.mjs');
    b.onResolve({ filter: /^stopword\/dist\/stopword\.esm\.mjs$/ }, (a) => ({ path: a.path, namespace: 'stopword-lists' }));
    b.onLoad({ filter: /.*/, namespace: 'stopword-lists' }, async () => {
      const lists = await import(pathToFileURL(file).href);
      const code = Object.entries(lists)
        .filter(([, v]) => Array.isArray(v) && v.every((w) => typeof w === 'string'))
        .map(([k, v]) => `export const ${k} = ${JSON.stringify(v, null, 1)};`);
      return { contents: `// the stopword package's lists, as literals\n${code.join('\n')}\n`, loader: 'js' };
    });
  },
});

/**
 * Every dist bundle: [entry, output file, extra esbuild options], paths
 * relative to the repository root and to `out`.
 */
export function bundles(root) {
  return [
    ['src/index.ts', 'index.js', {}],
    // the training worker for fitInWorker imports the bundle above
    // ('../index.js' stays external as './index.js'), so both threads run one copy
    ['src/worker/worker.ts', 'worker.js', { plugins: [external('worker-imports-bundle', /^\.\.\/index\.js$/, './index.js')] }],
    // init({ threads })'s worker threads, likewise: the same bundle in every thread
    ['src/threads/thread.ts', 'thread.js', { plugins: [external('thread-imports-bundle', /^\.\.\/index\.js$/, './index.js')] }],
    // wasm-rnn/onnx: ONNX in and out, with its protobuf runtime and schema,
    // loaded only by users who import it. The core ('../index.js', imported by
    // src/onnx/core.ts alone) stays external as './index.js', so both entry
    // points share one copy of the library, its classes and its wasm instance
    ['src/onnx/index.ts', 'onnx.js', { plugins: [external('onnx-imports-bundle', /^\.\.\/index\.js$/, './index.js')] }],
    // the `wasm-rnn` command line (package.json "bin"): one self-contained Node
    // script, the library bundled in, so it runs without resolving the package
    // (its map names src/ files and lines without copying them: the library's
    // map already carries the sources, and this one would double the install)
    ['src/cli/bin.ts', 'cli.js', { platform: 'node', banner: { js: '#!/usr/bin/env node' }, sourcesContent: false }],
    // stop-word lists other than en/zh, kept out of the main bundle; each
    // registers with dist/index.js ('../index.js' from dist/stopwords/)
    ...stopWordEntries(root).map((code) => [
      `src/text/stopwords/${code}.ts`,
      `stopwords/${code}.js`,
      { plugins: [external('stopwords-import-bundle', /^\.\.\/index\.js$/, '../index.js')] },
    ]),
  ];
}

/** Build one bundle of `bundles(root)` into `outDir`. */
export async function buildBundle(root, outDir, [entry, out, extra]) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    // es2022: without it esbuild may emit Uint8Array.fromBase64, missing in Node 20-24
    target: 'es2022',
    sourcemap: 'linked',
    sourcesContent: true,
    legalComments: 'eof',
    outfile: join(outDir, out),
    logLevel: 'warning',
    // node_modules may be a symlink: name its files by the path a user sees
    preserveSymlinks: true,
    ...extra,
    plugins: [stopwordListsPlugin(root), ...(extra.plugins ?? [])],
  });
  dropListSources(join(outDir, `${out}.map`));
  return result;
}

/**
 * The map keeps our sources; the generated list module (every language,
 * ~250 KB) is replaced by a note: a source with neither content nor file
 * makes bundlers such as Vite warn about the map.
 */
function dropListSources(mapFile) {
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  if (!map.sourcesContent) return;
  const note =
    '// Generated at build time from the stopword package: one `export const xxx = [...]` per language list (build/bundle.mjs).\n';
  map.sourcesContent = map.sourcesContent.map((c, i) => (map.sources[i].startsWith('stopword-lists:') ? note : c));
  writeFileSync(mapFile, JSON.stringify(map));
}

/** Build every bundle into `outDir`. */
export async function buildAll(root, outDir) {
  for (const b of bundles(root)) await buildBundle(root, outDir, b);
}
