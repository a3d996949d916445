/**
 * Choosing and loading a backend.
 *
 * init() tries, in order: the relaxed-SIMD build (where WebAssembly.validate
 * accepts it), the SIMD build, then the pure-TypeScript twin. A wasm build is
 * used only after a known-answer check: it must compute a small GEMM with
 * lane tails and the gate activations within tolerance of the float64
 * definitions. The choice is never silent: backendName() says what runs, and
 * a backend forced by the caller that cannot load is an error that says why.
 *
 * The .wasm bytes are embedded (deflate-raw compressed, base64) so no fs,
 * fetch or URL is needed; DecompressionStream (every runtime we support)
 * inflates them. The relaxed-SIMD build is embedded as its delta from the
 * SIMD build (src/backend/delta.ts): a twelfth of the bytes.
 * Runtimes that forbid compiling wasm from bytes (Cloudflare Workers) import
 * dist/wasm/*.wasm as a module and pass it as init({ module }).
 *
 * init({ threads }) (src/threads/): the threads build of the same kernels on
 * one shared memory, and a pool of worker threads on it, started once here.
 * Where threads cannot run (no SharedArrayBuffer, a page that is not
 * cross-origin isolated, no workers, the build refused), the usual build
 * runs on one thread and backendNotes() says why; threads() tells how many
 * run.
 */
import { WasmRnnError, describe, fail } from '../errors.js';
import { ABI_VERSION, ACT_SIGMOID, ACT_TANH } from './abi.js';
import { Backend, type BackendName } from './backend.js';
import { applyDelta } from './delta.js';
import { RELAXED_WASM_DELTA, SIMD_WASM } from './generated/wasm-bytes.js';
import type { WasmExports } from './generated/exports.js';
import { importsMemory, sharedMemory, threadsBuild } from './shared.js';
import { WasmKernels } from './wasm.js';
import { threadCount } from '../threads/options.js';
import { threadsUnsupported } from '../threads/support.js';

export type BackendChoice = 'auto' | 'js' | 'wasm' | 'wasm-simd' | 'wasm-relaxed-simd';

export interface InitOptions {
  /** 'auto' (default): best that passes its check. 'wasm': either SIMD build, else an error. */
  backend?: BackendChoice;
  /** A precompiled module (or its bytes) of dist/wasm/*.wasm, for runtimes that cannot compile at run time. */
  module?: WebAssembly.Module | ArrayBuffer | ArrayBufferView;
  /**
   * Threads for training and batch inference: a count, or 'auto' for every
   * core. Default 1. A count above the cores is clamped (noted in
   * backendNotes()); where threads cannot run, one thread runs and
   * backendNotes() says why.
   */
  threads?: number | 'auto';
  /** The thread workers' script, dist/threads/thread.js (default: beside dist/threads/pool.js); for bundlers that move it. */
  threadWorkerUrl?: string | URL;
}

const OPTION_KEYS = ['backend', 'module', 'threads', 'threadWorkerUrl'];

let current: Backend | null = null;
const attempts: string[] = [];

/** Pick and load a backend (see the file header). Returns its name. */
export async function init(options: InitOptions = {}): Promise<BackendName> {
  const backend = await createBackend(options);
  current = backend;
  return backend.name;
}

/** The backend in use, or null before init(). */
export function backendName(): BackendName | null {
  return current ? current.name : null;
}

/** Why the preferred backends were skipped by the last init() (and what happened to its threads since), for diagnostics. */
export function backendNotes(): readonly string[] {
  return [...attempts, ...(current?.pool?.notes ?? [])];
}

/** How many threads the backend init() chose computes on: 1 without init({ threads }) or where threads cannot run. */
export function threads(): number {
  return current?.pool?.size ?? 1;
}

/** The backend models use by default. Throws if init() has not run. */
export function getBackend(): Backend {
  if (!current) {
    fail('E_STATE', 'wasm-rnn is not initialised: call `await init()` once before creating or loading models');
  }
  return current;
}

/** Replace the default backend (tests, benchmarks). */
export function setBackend(b: Backend): void {
  current = b;
}

/** A new, independent backend (its own memory), as init() would choose it. */
export async function createBackend(options: InitOptions = {}): Promise<Backend> {
  if (options === null || typeof options !== 'object') {
    fail('E_ARG', `init: options must be an object, got ${describe(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.includes(k)) fail('E_ARG', `init: unknown option '${k}' (supported: ${OPTION_KEYS.join(', ')})`);
  }
  const choice = options.backend ?? 'auto';
  const allowed: BackendChoice[] = ['auto', 'js', 'wasm', 'wasm-simd', 'wasm-relaxed-simd'];
  if (!allowed.includes(choice)) {
    fail('E_ARG', `init: backend must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(choice)}`);
  }
  const url = options.threadWorkerUrl;
  if (url !== undefined && typeof url !== 'string' && !(url instanceof URL))
    fail('E_ARG', `init: threadWorkerUrl must be a string or a URL, got ${describe(url)}`);
  attempts.length = 0;
  const notes: string[] = [];
  const wanted = await threadCount(options.threads, notes);
  if (wanted === 1 && notes.length && choice !== 'js') {
    // threads asked but one core reported (workerd says 1) or none: where threads
    // cannot run at all, that is the reason to give, not the cores
    const why = await threadsUnsupported();
    if (why) notes.splice(0, notes.length, `threads: ${why}; one thread runs`);
  }
  if (choice === 'js') {
    if (options.module) fail('E_ARG', "init: a module was given but backend 'js' was forced; drop one of the two");
    if (wanted > 1) fail('E_ARG', "init: threads run the WebAssembly kernels, but backend 'js' was forced; drop one of the two");
    return jsBackend();
  }
  attempts.push(...notes);

  const hasWasm = typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
  if (!hasWasm) {
    if (choice !== 'auto') fail('E_BACKEND', `init: backend '${choice}' was requested but this runtime has no WebAssembly`);
    attempts.push('no WebAssembly in this runtime');
    if (wanted > 1) attempts.push('threads: no WebAssembly, so one thread');
    return jsBackend();
  }

  if (wanted > 1) {
    const threaded = await threadedBackend(choice, options, wanted);
    if (threaded) return threaded;
  }

  if (options.module !== undefined) {
    // The caller's module is the only candidate: a failure here is theirs to see.
    const module = await compileGiven(options.module);
    // a threads build given where one thread runs: its memory is shared all the same
    const shared = WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
    const b = await instantiateChecked(module, shared ? { env: { memory: sharedMemory() } } : {});
    if (choice !== 'auto' && choice !== 'wasm' && choice !== b.name) {
      fail('E_BACKEND', `init: the given module is a '${b.name}' build but backend '${choice}' was requested`);
    }
    return b;
  }

  const candidates: Array<[BackendName, () => Promise<Uint8Array>]> = [];
  if (choice === 'auto' || choice === 'wasm' || choice === 'wasm-relaxed-simd') candidates.push(['wasm-relaxed-simd', relaxedBuild]);
  if (choice === 'auto' || choice === 'wasm' || choice === 'wasm-simd') candidates.push(['wasm-simd', simdBuild]);
  for (const [name, load] of candidates) {
    let bytes: Uint8Array;
    try {
      bytes = await load();
    } catch (e) {
      attempts.push(`${name}: cannot inflate the embedded module (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
      attempts.push(`${name}: not supported by this runtime (WebAssembly.validate rejected it)`);
      continue;
    }
    try {
      const module = await compileBytes(bytes);
      return await instantiateChecked(module);
    } catch (e) {
      attempts.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (choice !== 'auto') {
    fail('E_BACKEND', `init: backend '${choice}' could not be loaded: ${attempts.join('; ')}`);
  }
  if (wanted > 1) attempts.push('threads: no WebAssembly build loads here, so one thread');
  return jsBackend();
}

/**
 * The threads build on a shared memory with `wanted` − 1 workers started,
 * or null with the reason in the notes (the caller goes on with one thread).
 */
async function threadedBackend(choice: BackendChoice, options: InitOptions, wanted: number): Promise<Backend | null> {
  const why = await threadsUnsupported();
  if (why) {
    attempts.push(`threads: ${why}; one thread runs`);
    return null;
  }
  const candidates: Array<[string, () => Promise<Uint8Array | WebAssembly.Module>]> = [];
  const m = options.module;
  if (m !== undefined) {
    if (m instanceof WebAssembly.Module) {
      if (!WebAssembly.Module.imports(m).some((i) => i.kind === 'memory')) {
        attempts.push(
          'threads: the given module is a one-thread build (pass dist/wasm/wasm-rnn.threads.simd.wasm, or its bytes, for threads); one thread runs',
        );
        return null;
      }
      candidates.push(['the given module', async () => m]);
    } else if (m instanceof ArrayBuffer || ArrayBuffer.isView(m)) {
      const bytes = m instanceof ArrayBuffer ? new Uint8Array(m) : new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
      candidates.push(['the given module', async () => (importsMemory(bytes) ? bytes : threadsBuild(bytes))]);
    }
  } else {
    if (choice === 'auto' || choice === 'wasm' || choice === 'wasm-relaxed-simd')
      candidates.push(['wasm-relaxed-simd', async () => threadsBuild(await relaxedBuild())]);
    if (choice === 'auto' || choice === 'wasm' || choice === 'wasm-simd')
      candidates.push(['wasm-simd', async () => threadsBuild(await simdBuild())]);
  }
  for (const [name, load] of candidates) {
    let bytes: Uint8Array | null = null;
    let backend: Backend;
    let memory: WebAssembly.Memory;
    let module: WebAssembly.Module;
    try {
      const got = await load();
      if (got instanceof WebAssembly.Module) module = got;
      else {
        bytes = got;
        if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
          attempts.push(`threads: ${name} with threads is not supported by this runtime (WebAssembly.validate rejected it)`);
          continue;
        }
        module = await compileBytes(bytes);
      }
      memory = sharedMemory();
      backend = await instantiateChecked(module, { env: { memory } });
    } catch (e) {
      attempts.push(`threads: ${name}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    try {
      // loaded only here: an app that never asks for threads does not ship the pool
      const { ThreadPool, defaultThreadUrl } = await import('../threads/pool.js');
      backend.pool = await ThreadPool.start({
        workers: wanted - 1,
        module,
        bytes: bytes ?? new Uint8Array(0),
        memory,
        url: options.threadWorkerUrl ?? defaultThreadUrl(),
      });
    } catch (e) {
      attempts.push(`threads: could not start worker threads (${e instanceof Error ? e.message : String(e)}); one thread runs`);
      return null;
    }
    return backend;
  }
  attempts.push('threads: no threads build loads here; one thread runs');
  return null;
}

async function compileGiven(m: InitOptions['module']): Promise<WebAssembly.Module> {
  if (m instanceof WebAssembly.Module) return m;
  if (m instanceof ArrayBuffer || ArrayBuffer.isView(m)) {
    const bytes = m instanceof ArrayBuffer ? new Uint8Array(m) : new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
    return compileBytes(bytes);
  }
  return fail('E_ARG', `init: module must be a WebAssembly.Module, an ArrayBuffer or a typed array, got ${describe(m)}`);
}

async function compileBytes(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/disallowed|code generation|not allowed/i.test(msg)) {
      throw new WasmRnnError(
        'E_BACKEND',
        'init: this runtime forbids compiling WebAssembly from bytes (' +
          msg +
          '). ' +
          "Import the wasm file as a module instead, e.g. `import wasm from 'wasm-rnn/wasm/wasm-rnn.simd.wasm'`, " +
          'and pass it as init({ module: wasm }).',
        { cause: e },
      );
    }
    throw new WasmRnnError('E_BACKEND', `init: the bytes are not a valid wasm-rnn module (${msg})`, { cause: e });
  }
}

async function instantiateChecked(module: WebAssembly.Module, imports: WebAssembly.Imports = {}): Promise<Backend> {
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, imports);
  } catch (e) {
    throw new WasmRnnError('E_BACKEND', `init: the module could not be instantiated (${String(e)})`, { cause: e });
  }
  const x = instance.exports as unknown as WasmExports;
  const version = (x.ABI_VERSION as WebAssembly.Global | undefined)?.value;
  if (version !== ABI_VERSION || !(x.memory instanceof WebAssembly.Memory)) {
    throw new WasmRnnError(
      'E_BACKEND',
      `init: the module is not a wasm-rnn kernel module of ABI ${ABI_VERSION} (found ${describe(version)}); ` +
        'use the .wasm file shipped with this version of the package',
    );
  }
  const backend = new Backend(new WasmKernels(x));
  knownAnswerCheck(backend);
  return backend;
}

/**
 * The pure-TypeScript twin as a backend, loaded on first use: an app whose
 * bundler splits code ships it in a chunk that a runtime running the wasm
 * builds never fetches.
 */
async function jsBackend(): Promise<Backend> {
  let kernels: typeof import('./js.js');
  try {
    kernels = await import('./js.js');
  } catch (e) {
    const before = attempts.length ? ` (wasm skipped: ${attempts.join('; ')})` : '';
    fail(
      'E_BACKEND',
      `init: the pure-TypeScript backend could not be loaded: ${e instanceof Error ? e.message : String(e)}${before}; ` +
        'if a bundler split this package into chunks, serve every chunk it wrote',
    );
  }
  return new Backend(new kernels.JsKernels());
}

/**
 * The kernels must agree with the definitions (sums and functions in
 * float64) on a case with lane tails in every dimension; a wrong SIMD
 * implementation in some engine would otherwise train garbage silently. The
 * reference is computed here, not by the twin, so the check does not load
 * the twin.
 */
function knownAnswerCheck(b: Backend): void {
  const [M, N, K] = [5, 11, 7];
  const a = Array.from({ length: M * K }, (_, i) => ((i * 7) % 13) / 6 - 1);
  const bm = Array.from({ length: K * N }, (_, i) => ((i * 5) % 11) / 5 - 1);
  const s = [-9, -2.5, -1, -0.1, 0, 0.3, 1, 3, 12];
  const A = b.alloc(M * K);
  const B = b.alloc(K * N);
  const C = b.alloc(M * N);
  const S = b.alloc(9);
  const T = b.alloc(9);
  b.write(A, a);
  b.write(B, bm);
  b.gemm('nn', C, A, B, M, N, K);
  b.write(S, s);
  b.activation(T, S, 9, ACT_TANH);
  b.activation(S, S, 9, ACT_SIGMOID);
  const got = new Float32Array(M * N + 18);
  got.set(b.read(C), 0);
  got.set(b.read(S), M * N);
  got.set(b.read(T), M * N + 9);
  for (const buf of [A, B, C, S, T]) b.free(buf);
  // the inputs as the kernels saw them (float32), the sums and functions in float64
  const a32 = Float32Array.from(a);
  const b32 = Float32Array.from(bm);
  const s32 = Float32Array.from(s);
  const want = new Float64Array(M * N + 18);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a32[i * K + k] * b32[k * N + j];
      want[i * N + j] = sum;
    }
  }
  for (let i = 0; i < 9; i++) {
    want[M * N + i] = 1 / (1 + Math.exp(-s32[i]));
    want[M * N + 9 + i] = Math.tanh(s32[i]);
  }
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-5 + 1e-5 * Math.abs(want[i]))) {
      throw new WasmRnnError(
        'E_BACKEND',
        `init: ${b.name} failed its known-answer check at value ${i}: ${got[i]} != ${Math.fround(want[i])}`,
      );
    }
  }
}

/** The bytes of an embedded module (or delta): base64, then deflate-raw. */
export async function embeddedWasm(b64: string): Promise<Uint8Array<ArrayBuffer>> {
  const s = atob(b64);
  const packed = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) packed[i] = s.charCodeAt(i);
  if (typeof DecompressionStream === 'undefined') throw new Error('DecompressionStream is not available in this runtime');
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const simdBuild = (): Promise<Uint8Array<ArrayBuffer>> => embeddedWasm(SIMD_WASM);
const relaxedBuild = async (): Promise<Uint8Array<ArrayBuffer>> =>
  applyDelta(await embeddedWasm(SIMD_WASM), await embeddedWasm(RELAXED_WASM_DELTA));

/** The embedded SIMD and relaxed-SIMD builds, inflated (tests, tools). */
export async function embeddedModules(): Promise<{ simd: Uint8Array<ArrayBuffer>; relaxed: Uint8Array<ArrayBuffer> }> {
  return { simd: await simdBuild(), relaxed: await relaxedBuild() };
}
