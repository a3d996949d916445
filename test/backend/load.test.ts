/**
 * Loader paths: auto choice, forced backends, a given Module or bytes, bad
 * bytes, a runtime without WebAssembly, one that forbids compiling; and the
 * arena's views staying valid across memory growth.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendName, backendNotes, createBackend, embeddedModules, getBackend, init } from '../../src/backend/load.js';

const { simd: SIMD, relaxed: RELAXED } = await embeddedModules();
import { WasmRnnError } from '../../src/errors.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('init', () => {
  it('auto picks the relaxed build when the runtime validates it, and reports it', async () => {
    expect(await init()).toBe('wasm-relaxed-simd'); // vitest runs Node with relaxed SIMD enabled
    expect(backendName()).toBe('wasm-relaxed-simd');
    expect(getBackend().name).toBe('wasm-relaxed-simd');
  });

  it('auto falls back to the SIMD build when relaxed SIMD does not validate', async () => {
    const validate = WebAssembly.validate;
    const relaxed = RELAXED;
    vi.spyOn(WebAssembly, 'validate').mockImplementation((b) =>
      Buffer.compare(Buffer.from(b as Uint8Array), relaxed) === 0 ? false : validate(b),
    );
    expect(await init()).toBe('wasm-simd');
  });

  it('forces each backend by name', async () => {
    expect(await init({ backend: 'js' })).toBe('js');
    expect(await init({ backend: 'wasm-simd' })).toBe('wasm-simd');
    expect(await init({ backend: 'wasm-relaxed-simd' })).toBe('wasm-relaxed-simd');
    expect(await init({ backend: 'wasm' })).toMatch(/^wasm-/);
  });

  it('accepts a precompiled Module and raw bytes, and names the build it was given', async () => {
    const module = await WebAssembly.compile(SIMD);
    expect(await init({ module })).toBe('wasm-simd');
    expect(await init({ module: RELAXED })).toBe('wasm-relaxed-simd');
    await expect(init({ module, backend: 'wasm-relaxed-simd' })).rejects.toThrow(/given module is a 'wasm-simd' build/);
  });

  it('bad bytes are a clear E_BACKEND error', async () => {
    const err = await init({ module: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) }).catch((e) => e);
    expect(err).toBeInstanceOf(WasmRnnError);
    expect(err.code).toBe('E_BACKEND');
    expect(err.message).toMatch(/not a valid wasm-rnn module/);
    // a valid module that is not ours
    const other = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    await expect(init({ module: other })).rejects.toThrow(/not a wasm-rnn kernel module/);
    await expect(init({ module: 'nope' as unknown as Uint8Array })).rejects.toThrow(/module must be a WebAssembly.Module/);
  });

  it('unknown options and backends are errors, not ignored', async () => {
    await expect(init({ backend: 'gpu' as 'js' })).rejects.toThrow(/backend must be one of/);
    await expect(init({ thread: 4 } as object)).rejects.toThrow(
      /unknown option 'thread' \(supported: backend, module, threads, threadWorkerUrl\)/,
    );
    await expect(init({ backend: 'js', module: new Uint8Array(8) })).rejects.toThrow(/drop one of the two/);
  });

  it('without WebAssembly: auto gives the twin, a forced wasm backend says why it cannot', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    expect(await init()).toBe('js');
    expect(backendName()).toBe('js');
    await expect(init({ backend: 'wasm' })).rejects.toThrow(/this runtime has no WebAssembly/);
  });

  it('without DecompressionStream the embedded builds cannot be inflated: the twin, with the reason noted', async () => {
    vi.stubGlobal('DecompressionStream', undefined);
    expect(await init()).toBe('js');
    expect(backendNotes().join(' ')).toMatch(/DecompressionStream is not available/);
    // a module passed by the caller still works
    expect(await init({ module: SIMD })).toBe('wasm-simd');
  });

  it('a runtime that forbids compiling from bytes is told to import the .wasm as a module', async () => {
    vi.spyOn(WebAssembly, 'compile').mockRejectedValue(
      new WebAssembly.CompileError('WebAssembly.compile(): Wasm code generation disallowed by embedder'),
    );
    const err = await init({ module: SIMD }).catch((e) => e);
    expect(err.code).toBe('E_BACKEND');
    expect(err.message).toMatch(/import the wasm file as a module.*init\(\{ module/i);
    // auto mode falls back to the twin and says why
    expect(await init()).toBe('js');
    await expect(init({ backend: 'wasm' })).rejects.toThrow(/disallowed by embedder/);
  });

  it('a build that computes wrong numbers fails its known-answer check', async () => {
    const realInstantiate = WebAssembly.instantiate;
    vi.spyOn(WebAssembly, 'instantiate').mockImplementation((async (m: WebAssembly.Module, imp: WebAssembly.Imports) => {
      const inst = (await realInstantiate(m, imp)) as unknown as WebAssembly.Instance;
      const x = { ...inst.exports, sigmoid_f32: () => {}, activation_forward_f32: () => {} };
      return { exports: x } as unknown as WebAssembly.Instance;
    }) as typeof WebAssembly.instantiate);
    await expect(init({ backend: 'wasm-simd' })).rejects.toThrow(/failed its known-answer check/);
    expect(await init()).toBe('js');
  });
});

describe('memory growth', () => {
  it.each(['js', 'wasm-simd'] as const)('%s: buffers keep their contents and views are refreshed after growth', async (name) => {
    const be = await createBackend({ backend: name });
    const a = be.alloc(1000);
    be.write(
      a,
      Array.from({ length: 1000 }, (_, i) => i),
    );
    const before = be.arena.stats().heap;
    const big = be.alloc(before * 2); // forces the heap to grow
    expect(be.arena.stats().heap).toBeGreaterThan(before);
    be.fill(big, 1);
    expect(Array.from(be.read(a, 995, 5))).toEqual([995, 996, 997, 998, 999]);
    be.scale(a, a, 2, 1000);
    expect(be.get(a, 999)).toBe(1998);
    be.free(big);
    be.free(a);
  });

  it('freed memory is reused: many alloc/free cycles do not grow the heap', async () => {
    const be = await createBackend({ backend: 'wasm-simd' });
    const first = be.alloc(100_000);
    be.free(first);
    const heap = be.arena.stats().heap;
    for (let i = 0; i < 2000; i++) {
      const x = be.alloc(1 + (i % 97) * 1000);
      const y = be.alloc(50_000);
      be.free(x);
      be.free(y);
    }
    expect(be.arena.stats().heap).toBe(heap);
    expect(be.arena.stats().blocks).toBe(1); // only the GEMM workspace
  });

  it('an allocation beyond 4 GiB is E_MEMORY, not a trap', async () => {
    const be = await createBackend({ backend: 'wasm-simd' });
    const err = (() => {
      try {
        be.alloc(2 ** 31 - 1);
      } catch (e) {
        return e as WasmRnnError;
      }
    })();
    expect(err?.code).toBe('E_MEMORY');
    // the backend still works
    const a = be.alloc(4);
    be.fill(a, 2);
    expect(be.get(a, 3)).toBe(2);
  });

  it('freed buffers and their views are refused by every op', async () => {
    const be = await createBackend({ backend: 'js' });
    const a = be.alloc(8);
    const v = be.view(a, 2, 4);
    be.free(a);
    expect(() => be.fill(v, 0)).toThrow(/was freed/);
    expect(() => be.read(a)).toThrow(/was freed/);
    expect(() => be.view(a, 0, 1)).toThrow(/was freed/);
    expect(() => be.free(v)).toThrow(/cannot free a view/);
  });
});

describe('init, when the twin cannot be loaded', () => {
  afterEach(() => {
    vi.doUnmock('../../src/backend/js.js');
    vi.resetModules();
  });

  it('says so with E_BACKEND and what to serve, and keeps the reasons the wasm builds were skipped', async () => {
    // as when a bundler split the package and the twin's chunk is not served
    vi.resetModules();
    vi.doMock('../../src/backend/js.js', () => {
      throw new Error('Failed to fetch dynamically imported module: /assets/js-1234.js');
    });
    const fresh = await import('../../src/backend/load.js');
    const forced = fresh.init({ backend: 'js' });
    await expect(forced).rejects.toMatchObject({ name: 'WasmRnnError', code: 'E_BACKEND' });
    await expect(forced).rejects.toThrow(
      /the pure-TypeScript backend could not be loaded: .+; if a bundler split this package into chunks, serve every chunk it wrote/,
    );
    vi.stubGlobal('WebAssembly', undefined);
    await expect(fresh.init()).rejects.toThrow(/\(wasm skipped: no WebAssembly in this runtime\)/);
  });
});
