/**
 * The threads build is made at init from the embedded plain build
 * (src/backend/shared.ts): it must be what asc builds with threads,
 * importMemory and sharedMemory (build/build.mjs builds both) — the same
 * code, exports and every other section byte for byte, and the same memory
 * image once instantiated (asc lays the data out as one segment when the
 * memory is imported, since it cannot assume the gaps are zero; the plain
 * build keeps its segments apart) — and import exactly one shared memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedModules } from '../../src/backend/load.js';
import { MAX_PAGES, importsMemory, sections, threadsBuild } from '../../src/backend/shared.js';

const gen = join(import.meta.dirname, '../../build/generated');

describe('the threads build', () => {
  it("equals asc's threads builds, SIMD and relaxed SIMD", async () => {
    const { simd, relaxed } = await embeddedModules();
    for (const [plain, file] of [
      [simd, 'wasm-rnn.threads.simd.wasm'],
      [relaxed, 'wasm-rnn.threads.relaxed.wasm'],
    ] as const) {
      const ours = threadsBuild(plain);
      const asc = new Uint8Array(readFileSync(join(gen, file)));
      expect(beyondData(ours), file).toEqual(beyondData(asc));
      expect(memoryImage(ours), file).toEqual(memoryImage(asc));
    }
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

const SECTION_DATA = 11;
const SECTION_DATA_COUNT = 12;

/** Every section but the data and the data count, as [id, hex bytes]. */
function beyondData(bytes: Uint8Array): [number, string][] {
  return [...sections(bytes)]
    .filter(([id]) => id !== SECTION_DATA && id !== SECTION_DATA_COUNT)
    .map(([id, from, to]) => [id, Buffer.from(bytes.subarray(from, to)).toString('hex')]);
}

/** The first page of a fresh shared memory once the module is instantiated on it (its data written). */
function memoryImage(bytes: Uint8Array<ArrayBuffer>): Uint8Array {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return new Uint8Array(memory.buffer.slice(0, 65536));
}
