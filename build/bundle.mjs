// The esbuild settings of every file in dist/, written once: build.mjs makes
// dist/ with them, and the tests build the same modules and bundles into a
// temporary folder (so a test of "the built bin" runs what npm ships, not a
// variant).
//
// Readable on purpose: no minification and no keepNames. An uncaught error
// then shows a short source line (minified, Node printed a 100 KB line) and
// real class names (`Tensor {`, `Sequential`). keepNames is not used because
// its `__name(...)` calls are side effects to a user's bundler: measured, they
// stop tree shaking and grew a text-classifier app from 172 to 226 KiB.
// Unminified identifiers keep names anyway (`var Tensor = class {` names the
// class); test/build/dist.test.ts checks every exported class's name.
// Minifying is the user's bundler's job; bench/size.bench.ts measures what it
// ships. Each module and bundle gets an external source map (sources
// included) so stack traces and devtools lead to src/.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

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
 * The library as modules: one dist file per src/ file (all but cli/ and
 * onnx/, which ship as bundles), so an app's bundler keeps only the modules
 * and exports it reaches: `layers` is a module namespace, and a Rollup,
 * Rolldown or webpack app drops the layers it never builds; a single-file
 * dist would tie them together. Relative imports stay imports; the packages
 * a module imports (stemmer, the stop-word lists) are inlined into it, so
 * dist/ has no run-time dependency. Entry points that run on their own: the
 * worker for fitInWorker (worker/worker.js, found beside
 * worker/fit_in_worker.js), the threads' script (threads/thread.js, beside
 * threads/pool.js) and the stop-word subpaths (text/stopwords/de.js ...).
 */
export function moduleEntries(root) {
  const walk = (dir) =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [`${dir}/${e.name}`] : [],
    );
  return walk('src')
    .filter((f) => !f.startsWith('src/cli/') && !f.startsWith('src/onnx/'))
    .sort();
}

const relativeImportsStay = {
  name: 'relative-imports-stay',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (a) => (a.kind === 'entry-point' ? undefined : { path: a.path, external: true }));
  },
};

/** Build the library's modules (moduleEntries) into `outDir`, mirroring src/. */
export async function buildModules(root, outDir) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    ...common(root),
    entryPoints: moduleEntries(root).map((f) => join(root, f)),
    outbase: join(root, 'src'),
    outdir: outDir,
    metafile: true,
    plugins: [relativeImportsStay, stopwordListsPlugin(root)],
  });
  for (const out of Object.keys(result.metafile.outputs)) if (out.endsWith('.map')) dropListSources(join(root, out));
  return result;
}

/** The stop-word subpath modules (`wasm-rnn/stopwords/de` ...): their language codes. */
export function stopWordCodes(root) {
  return readdirSync(join(root, 'src/text/stopwords'))
    .filter((f) => /^[a-z]{2}\.ts$/.test(f))
    .map((f) => f.slice(0, 2))
    .sort();
}

/**
 * The dist bundles beside the modules: [entry, output file, extra esbuild
 * options], paths relative to the repository root and to `out`.
 */
export function bundles(root) {
  // Node, Deno and Bun (the "node" export condition) get the library as one
  // file in dist/node/: Node's ES module loader takes ~0.4 ms a module, so
  // the ~180 modules took 101-111 ms to import against 35-38 ms for one file
  // (Node 20 and 24). Each subpath there is a bundle too, importing
  // dist/node/index.js, so a program holds one copy of the library whatever
  // it imports. Their maps name src/ files and lines only (the modules' maps
  // carry the sources).
  const toNodeIndex = (from) => ({ plugins: [external('imports-node-bundle', /^\.\.\/index\.js$/, from)], sourcesContent: false });
  const nodeBundles = [
    ['src/index.ts', 'node/index.js', { sourcesContent: false }],
    ['src/worker/worker.ts', 'node/worker.js', toNodeIndex('./index.js')],
    ['src/threads/thread.ts', 'node/thread.js', toNodeIndex('./index.js')],
    ['src/onnx/index.ts', 'node/onnx.js', toNodeIndex('./index.js')],
    ...stopWordCodes(root).map((code) => [`src/text/stopwords/${code}.ts`, `node/stopwords/${code}.js`, toNodeIndex('../index.js')]),
  ];
  return [
    ...nodeBundles,
    // wasm-rnn/onnx: ONNX in and out, with its protobuf runtime and schema,
    // loaded only by users who import it. The core ('../index.js', imported by
    // src/onnx/core.ts alone) stays external as './index.js', so both entry
    // points share one copy of the library, its classes and its wasm instance
    ['src/onnx/index.ts', 'onnx.js', { plugins: [external('onnx-imports-bundle', /^\.\.\/index\.js$/, './index.js')] }],
    // the `wasm-rnn` command line (package.json "bin"): one self-contained Node
    // script, the library bundled in, so it runs without resolving the package
    // (its map names src/ files and lines without copying them: the library's
    // maps already carry the sources, and this one would double the install)
    ['src/cli/bin.ts', 'cli.js', { platform: 'node', banner: { js: '#!/usr/bin/env node' }, sourcesContent: false }],
  ];
}

/** Settings shared by the modules and the bundles. */
function common(root) {
  return {
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    // es2022: without it esbuild may emit Uint8Array.fromBase64, missing in Node 20-24
    target: 'es2022',
    sourcemap: 'linked',
    sourcesContent: true,
    legalComments: 'eof',
    logLevel: 'warning',
    // node_modules may be a symlink: name its files by the path a user sees
    preserveSymlinks: true,
  };
}

/** Build one bundle of `bundles(root)` into `outDir`. */
export async function buildBundle(root, outDir, [entry, out, extra]) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    ...common(root),
    entryPoints: [join(root, entry)],
    outfile: join(outDir, out),
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

/** Build the modules and every bundle into `outDir`. */
export async function buildAll(root, outDir) {
  await buildModules(root, outDir);
  for (const b of bundles(root)) await buildBundle(root, outDir, b);
}
