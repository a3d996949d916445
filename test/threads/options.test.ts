/**
 * init({ threads }): every bad value is an E_ARG error; a count above the
 * cores is clamped with a note; where threads cannot run (no
 * SharedArrayBuffer, a page that is not cross-origin isolated, a worker
 * script that does not load, a one-thread module) one thread runs, with the
 * reason in backendNotes(), and quickly: never a hang.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendName, backendNotes, embeddedModules, getBackend, init, threads } from '../../src/backend/load.js';
import { WasmRnnError } from '../../src/errors.js';
import { setCoresForTesting } from '../../src/threads/options.js';
import { threadUrl } from './helpers.js';

afterEach(() => {
  getBackend().pool?.close();
  vi.unstubAllGlobals();
  setCoresForTesting(null);
});

const url = () => ({ threadWorkerUrl: threadUrl() });

describe('init({ threads })', () => {
  it('starts the threads asked for; threads() says how many run', async () => {
    expect(threads()).toBeGreaterThanOrEqual(1);
    await init({ threads: 2, ...url() });
    expect(threads()).toBe(2);
    expect(backendName()).toMatch(/^wasm-/);
    expect(backendNotes()).toEqual([]);
    await init({ threads: 1 });
    expect(threads()).toBe(1);
    expect(getBackend().pool).toBeNull();
    await init();
    expect(threads()).toBe(1);
  });

  it("'auto' uses every core the runtime reports", async () => {
    setCoresForTesting(2);
    await init({ threads: 'auto', ...url() });
    expect(threads()).toBe(2);
  });

  it('more threads than cores are clamped to the cores, with a note', async () => {
    setCoresForTesting(2);
    await init({ threads: 7, ...url() });
    expect(threads()).toBe(2);
    expect(backendNotes().join('\n')).toMatch(/threads: 7 asked, but this machine reports 2 cores: using 2/);
  });

  for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '2', true, null, {}, [2]]) {
    it(`threads: ${JSON.stringify(bad) ?? String(bad)} is an E_ARG error`, async () => {
      const err = await init({ threads: bad as number }).catch((e) => e);
      expect(err).toBeInstanceOf(WasmRnnError);
      expect(err.code).toBe('E_ARG');
      expect(err.message).toMatch(/threads must be a positive integer or 'auto', got/);
    });
  }

  it('threads with the JS twin forced, or a bad script address, are E_ARG errors', async () => {
    await expect(init({ backend: 'js', threads: 2 })).rejects.toThrow(/threads run the WebAssembly kernels, but backend 'js' was forced/);
    await expect(init({ backend: 'js', threads: 1 })).resolves.toBe('js');
    await expect(init({ threads: 2, threadWorkerUrl: 5 as unknown as string })).rejects.toThrow(
      /threadWorkerUrl must be a string or a URL/,
    );
  });
});

describe('where threads cannot run: one thread, and the reason', () => {
  it('without SharedArrayBuffer', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    expect(await init({ threads: 2, ...url() })).toMatch(/^wasm-/);
    expect(threads()).toBe(1);
    expect(backendNotes().join('\n')).toMatch(/threads: SharedArrayBuffer is not available in this runtime; one thread runs/);
  });

  it('where threads cannot run and one core is reported (workerd): the note gives the first reason, not the cores', async () => {
    setCoresForTesting(1);
    vi.stubGlobal('SharedArrayBuffer', undefined);
    await init({ threads: 2, ...url() });
    expect(threads()).toBe(1);
    const notes = backendNotes().join('\n');
    expect(notes).toMatch(/threads: SharedArrayBuffer is not available in this runtime; one thread runs/);
    expect(notes).not.toMatch(/reports 1 core/);
  });

  it('in a page that is not cross-origin isolated: the note names the headers', async () => {
    vi.stubGlobal('document', {});
    vi.stubGlobal('crossOriginIsolated', false);
    await init({ threads: 'auto', ...url() });
    expect(threads()).toBe(1);
    expect(backendNotes().join('\n')).toMatch(
      /not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/,
    );
  });

  it('when the worker script does not load (quickly, not after a timeout)', async () => {
    const t0 = Date.now();
    await init({ threads: 2, threadWorkerUrl: new URL('file:///nonexistent/wasm-rnn/thread.js') });
    expect(threads()).toBe(1);
    expect(backendNotes().join('\n')).toMatch(/threads: could not start worker threads \(.*nonexistent.*\); one thread runs/);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('when the cores are unknown', async () => {
    setCoresForTesting(null);
    vi.stubGlobal('navigator', undefined);
    vi.stubGlobal('process', { ...process, getBuiltinModule: () => ({}) });
    await init({ threads: 'auto', ...url() });
    expect(threads()).toBe(1);
    expect(backendNotes().join('\n')).toMatch(/does not report its cores: one thread/);
  });

  it('with a one-thread module given as a Module; its bytes are made into the threads build', async () => {
    const { simd } = await embeddedModules();
    await init({ module: await WebAssembly.compile(simd), threads: 2, ...url() });
    expect(threads()).toBe(1);
    expect(backendNotes().join('\n')).toMatch(/the given module is a one-thread build/);
    await init({ module: simd, threads: 2, ...url() });
    expect(threads()).toBe(2);
    expect(backendName()).toBe('wasm-simd');
  });
});
