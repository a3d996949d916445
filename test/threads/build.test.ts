/**
 * The threads build is made at init from the embedded plain build
 * (src/backend/shared.ts): it must be, byte for byte, what asc builds with
 * threads, importMemory and sharedMemory (build/build.mjs builds both), and
 * import exactly one shared memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedModules } from '../../src/backend/load.js';
import { importsMemory, threadsBuild } from '../../src/backend/shared.js';

const gen = join(import.meta.dirname, '../../build/generated');

describe('the threads build', () => {
  it('equals asc\'s threads builds, SIMD and relaxed SIMD', async () => {
    const { simd, relaxed } = await embeddedModules();
    expect(Buffer.compare(Buffer.from(threadsBuild(simd)), readFileSync(join(gen, 'wasm-rnn.threads.simd.wasm')))).toBe(0);
    expect(Buffer.compare(Buffer.from(threadsBuild(relaxed)), readFileSync(join(gen, 'wasm-rnn.threads.relaxed.wasm')))).toBe(0);
  });

  it('imports one shared memory and exports what the plain build exports', async () => {
    const { simd } = await embeddedModules();
    const t = threadsBuild(simd);
    expect(importsMemory(t)).toBe(true);
    expect(importsMemory(simd)).toBe(false);
    const m = new WebAssembly.Module(t);
    expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(m)).toEqual(WebAssembly.Module.exports(new WebAssembly.Module(simd)));
    // a plain module instantiated twice on one shared memory: the kernels run on it
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const a = new WebAssembly.Instance(m, { env: { memory } });
    const b = new WebAssembly.Instance(m, { env: { memory } });
    expect(a.exports.memory).toBe(memory);
    expect(b.exports.memory).toBe(memory);
    expect(() => threadsBuild(t)).toThrow(/already imports something/);
  });
});
