/**
 * What npm ships, as built by build/bundle.mjs (test/build/global_setup.ts
 * builds it once): readable in a stack trace (issue 16, item 1), with source
 * maps to src/, every class under its own name; the stemmer and stop words
 * bundled in (so they are not runtime dependencies, item 11); the stop-word
 * subpaths register with the library the app imports; a Rollup app keeps
 * only what it reaches; prepack builds before npm pack.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { rollupApp } from '../../build/rollup_app.mjs';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every .js file under the built dist, relative to it. */
function distFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .sort();
}

describe('a readable dist', () => {
  it("keeps every exported class's name, so logs say Tensor { ... } and Sequential", async () => {
    const lib = await import(pathToFileURL(join(inject('distDir'), 'index.js')).href);
    const classes = Object.entries(lib).filter(([, v]) => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v)));
    expect(classes.map(([k]) => k)).toEqual(
      expect.arrayContaining(['Sequential', 'Tensor', 'TextVectorizer', 'Tokenizer', 'LabelEncoder', 'WasmRnnError', 'Layer']),
    );
    for (const [name, cls] of classes) expect((cls as { name: string }).name, name).toBe(name);
    const { inspect } = await import('node:util');
    expect(inspect(lib.tensor([1, 2]))).toMatch(/^Tensor \{/);
    await lib.init();
    const m = new lib.Sequential([lib.layers.dense({ units: 1, inputShape: [2] })]);
    expect(m.constructor.name).toBe('Sequential');
    expect(m.layers[0].constructor.name).toBe('Dense');
  });

  it('an uncaught error prints a few lines, not the bundle; with source maps it points into src/', () => {
    const script = `import { tensor } from ${JSON.stringify(pathToFileURL(join(inject('distDir'), 'index.js')).href)}; tensor('abc');`;
    const plain = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/WasmRnnError: tensor\(\): expected nested number arrays/);
    expect(plain.stderr.length).toBeLessThan(2000); // was ~96 KB: Node prints the source line of the throw
    expect(plain.stderr).toMatch(/at tensor \(.*\/tensor\.js:\d+:\d+\)/);
    const mapped = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(mapped.stderr).toMatch(/src\/tensor\.ts:\d+:\d+/);
  });

  it('ships source maps with our sources, and no line of code longer than the embedded wasm', () => {
    const dir = inject('distDir');
    const files = distFiles(dir);
    expect(files).toEqual(expect.arrayContaining(['index.js', 'tensor.js', 'worker/worker.js', 'threads/thread.js', 'cli.js', 'onnx.js']));
    for (const f of files) {
      const js = readFileSync(join(dir, f), 'utf8');
      const base = f.slice(f.lastIndexOf('/') + 1);
      expect(js, f).toMatch(new RegExp(`//# sourceMappingURL=${base.replace('.', '\\.')}\\.map\\n?$`));
      const map = JSON.parse(readFileSync(join(dir, `${f}.map`), 'utf8'));
      const tensorSrc = map.sources.findIndex((s: string) => s.endsWith('/src/tensor.ts'));
      if (f === 'tensor.js') expect(map.sourcesContent[tensorSrc]).toContain('export class Tensor');
      if (f === 'cli.js') expect(tensorSrc).toBeGreaterThan(0); // lines only: the sources travel in the modules' maps
      expect(
        map.sources.filter((s: string) => s.startsWith('/')),
        f,
      ).toEqual([]); // no machine paths
      // only the base64 wasm strings (the SIMD build, the relaxed build's delta from it) are long,
      // and lines of bundled packages (cli.js bundles @bufbuild/protobuf and the ONNX schema for wasm-rnn convert): no line of ours
      const lineSources = sourcesByLine(map);
      const ours = (i: number) => [...(lineSources[i] ?? [])].some((k) => !map.sources[k].includes('node_modules/'));
      // the ONNX schema is embedded as one base64 descriptor string, like the wasm
      const data = /^var (SIMD_WASM|RELAXED_WASM_DELTA) = "|^var file_onnx_proto3 = \/\* @__PURE__ \*\/ fileDesc\("/;
      const long = js.split('\n').filter((l, i) => l.length > 400 && !data.test(l) && ours(i));
      expect(
        long.map((l) => l.slice(0, 80)),
        f,
      ).toEqual([]);
    }
  });
});

describe('tree shaking', () => {
  /**
   * An app bundled by Rollup (what Vite builds with) from the built dist: the
   * code loaded up front (the entry chunk and the chunks it imports) and the
   * code of every chunk.
   */
  async function bundle(app: string): Promise<{ initial: string; all: string }> {
    const { code, initial } = await rollupApp(join(inject('distDir'), 'index.js'), app);
    const text = (names: Iterable<string>) => [...names].map((n) => code.get(n)!).join('\n');
    return { initial: text(initial), all: text(code.keys()) };
  }
  const app = (layer: string) =>
    `import { init, Sequential, layers } from 'wasm-rnn';\nawait init();\n` +
    `globalThis.m = new Sequential({ layers: [layers.embedding({ inputDim: 9, outputDim: 4 }), ${layer}, layers.dense({ units: 1 })] });`;

  it('an app ships the layers it builds, not every layer; the thread pool and the JS twin wait in chunks of their own until init needs them', async () => {
    const gruApp = await bundle(app('layers.gru({ units: 4 })'));
    const lstmApp = await bundle(app('layers.lstm({ units: 4 })'));
    const [gru, lstm] = [gruApp.all, lstmApp.all];
    expect(gru).toMatch(/\bGRU = class\b/);
    expect(gru).not.toMatch(/\bLSTM = class\b/);
    expect(lstm).toMatch(/\bLSTM = class\b/);
    expect(lstm).not.toMatch(/\bGRU = class\b/);
    for (const { initial, all } of [gruApp, lstmApp]) {
      expect(all).not.toMatch(/\b(MultiHeadAttention|Conv1D|Bidirectional|TokenAndPositionEmbedding) = class\b/);
      // nor the interop, language-model, tuning or seq2seq code a classifier never calls
      expect(all).not.toMatch(/\b(function (toTfjs|modelFromKeras|languageModel|gridSearch|textClassifier|seq2seq)|Seq2seq = class)\b/);
      // the pool sits in a chunk of its own, loaded by init({ threads }) alone
      expect(all).toMatch(/\bThreadPool = class\b/);
      expect(initial).not.toMatch(/\bThreadPool = class\b/);
      // so does the pure-TypeScript twin, loaded by init only where no wasm build runs
      expect(all).toMatch(/\bJsKernels = class\b/);
      expect(initial).not.toMatch(/\bJsKernels = class\b/);
      expect(initial).toMatch(/\bSequential = class\b/);
    }
  });
});

describe('dependencies', () => {
  it('stemmer and stopword are bundled, so they are devDependencies', () => {
    const dir = inject('distDir');
    for (const f of distFiles(dir)) {
      const js = readFileSync(join(dir, f), 'utf8');
      expect(js, f).not.toMatch(/^\s*(import|export)\b[^\n]*["'](stemmer|stopword)[/"']|import\(\s*["'](stemmer|stopword)/m);
    }
    expect(pkg.dependencies ?? {}).not.toHaveProperty('stemmer');
    expect(pkg.dependencies ?? {}).not.toHaveProperty('stopword');
    expect(pkg.devDependencies).toHaveProperty('stemmer');
    expect(pkg.devDependencies).toHaveProperty('stopword');
  });
});

describe('stop words beyond en and zh', () => {
  it("wasm-rnn/stopwords/de exports the list and makes 'de' known to the library the app imports", async () => {
    const dir = inject('distDir');
    const lib = await import(pathToFileURL(join(dir, 'index.js')).href);
    expect(() => new lib.TextVectorizer({ stopWords: 'de' })).toThrow(
      /stopWords 'de' is not loaded: add import de from 'wasm-rnn\/stopwords\/de'/,
    );
    const de = (await import(pathToFileURL(join(dir, 'text/stopwords/de.js')).href)).default;
    expect(de).toContain('und');
    expect(new lib.TextVectorizer({ stopWords: 'de' }).tokenize('der Hund und die Katze')).toEqual(['hund', 'katze']);
    expect(new lib.TextVectorizer({ stopWords: de }).tokenize('der Hund und die Katze')).toEqual(['hund', 'katze']);
    expect(lib.STOP_WORD_LANGUAGES).toContain('deu');
    // German is in its subpath module alone (and in the CLI, which loads every list)
    const withGerman = distFiles(dir).filter((f) => /"und"/.test(readFileSync(join(dir, f), 'utf8')));
    expect(withGerman.sort()).toEqual(['cli.js', 'node/stopwords/de.js', 'text/stopwords/de.js']);
    expect(pkg.exports['./stopwords/*']).toEqual({
      types: './dist/types/text/stopwords/*.d.ts',
      node: './dist/node/stopwords/*.js',
      default: './dist/text/stopwords/*.js',
    });
    expect(pkg.sideEffects).toContain('./dist/text/stopwords/*.js');
  });
});

describe('Node, Deno and Bun: one file (the "node" export condition)', () => {
  it('every entry point has a single-file twin in dist/node/ that imports dist/node/index.js and nothing else of ours', () => {
    const dir = inject('distDir');
    expect(pkg.exports['.']).toEqual({ types: './dist/types/index.d.ts', node: './dist/node/index.js', default: './dist/index.js' });
    expect(pkg.exports['./onnx']).toEqual({
      types: './dist/types/onnx/index.d.ts',
      node: './dist/node/onnx.js',
      default: './dist/onnx.js',
    });
    expect(pkg.exports['./stopwords/*'].node).toBe('./dist/node/stopwords/*.js');
    const relativeImports = (f: string) => [
      ...new Set([...readFileSync(join(dir, f), 'utf8').matchAll(/^(?:import|export)\b[^;]*?from\s*"(\.[^"]*)"/gm)].map((m) => m[1])),
    ];
    expect(relativeImports('node/index.js')).toEqual([]);
    for (const f of ['node/onnx.js', 'node/worker.js', 'node/thread.js']) expect(relativeImports(f), f).toEqual(['./index.js']);
    const lists = readdirSync(join(dir, 'node/stopwords')).filter((f) => f.endsWith('.js'));
    expect(lists.length).toBeGreaterThanOrEqual(8);
    for (const f of lists) expect(relativeImports(`node/stopwords/${f}`), f).toEqual(['../index.js']);
    for (const f of ['index.js', 'onnx.js', 'worker.js', 'thread.js'])
      expect(pkg.sideEffects.includes(`./dist/node/${f}`), f).toBe(['worker.js', 'thread.js'].includes(f));
  });

  it("wasm-rnn/stopwords/de registers with the single-file library, and fitInWorker's and the threads' scripts sit beside it", async () => {
    const dir = inject('distDir');
    const lib = await import(pathToFileURL(join(dir, 'node/index.js')).href);
    expect(() => new lib.TextVectorizer({ stopWords: 'nl' })).toThrow(/stopWords 'nl' is not loaded/);
    await import(pathToFileURL(join(dir, 'node/stopwords/nl.js')).href);
    expect(new lib.TextVectorizer({ stopWords: 'nl' }).tokenize('de hond en de kat')).toEqual(['hond', 'kat']);
    // defaultWorkerUrl / defaultThreadUrl resolve './worker.js' and './thread.js' against this file
    expect(readFileSync(join(dir, 'node/index.js'), 'utf8')).toMatch(/new URL\("\.\/worker\.js", import\.meta\.url\)/);
    expect(readFileSync(join(dir, 'node/index.js'), 'utf8')).toMatch(/new URL\("\.\/thread\.js", import\.meta\.url\)/);
  });
});

describe('npm pack', () => {
  it('builds first (prepack), so an unbuilt clone cannot ship an empty package', () => {
    expect(pkg.scripts.prepack).toBe('node build/build.mjs');
    expect(pkg.files).toContain('dist');
    // and the build refuses to finish without the files the package promises
    expect(readFileSync(join(root, 'build/build.mjs'), 'utf8')).toMatch(/is missing or empty/);
  });
});

/** Per generated line, the indices of the sources its mappings point into (decoded from the source map's VLQ). */
function sourcesByLine(map: { mappings: string }): Set<number>[] {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out: Set<number>[] = [];
  let source = 0;
  map.mappings.split(';').forEach((line, i) => {
    const set = new Set<number>();
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const vals: number[] = [];
      let v = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        v += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          vals.push(v & 1 ? -(v >>> 1) : v >>> 1);
          v = 0;
          shift = 0;
        }
      }
      if (vals.length >= 4) {
        source += vals[1];
        set.add(source);
      }
    }
    out[i] = set;
  });
  return out;
}
