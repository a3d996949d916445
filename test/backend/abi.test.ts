/** The wasm module's exported constants equal their TypeScript mirror. */
import { describe, expect, it } from 'vitest';
import { ABI_CONSTANTS } from '../../src/backend/abi.js';
import { embeddedModules } from '../../src/backend/load.js';

const { simd: SIMD, relaxed: RELAXED } = await embeddedModules();

describe('ABI mirror', () => {
  it('every constant in src/backend/abi.ts equals the export of assembly/abi.ts', async () => {
    const { instance } = await WebAssembly.instantiate(SIMD, {});
    const x = instance.exports as Record<string, unknown>;
    const exported = Object.entries(x)
      .filter(([, v]) => v instanceof WebAssembly.Global)
      .map(([k]) => k)
      .sort();
    // every exported constant is mirrored, except VARIANT which differs by build
    expect(exported.filter((k) => k !== 'VARIANT')).toEqual(Object.keys(ABI_CONSTANTS).sort());
    for (const [k, v] of Object.entries(ABI_CONSTANTS)) {
      expect((x[k] as WebAssembly.Global).value, k).toBe(v);
    }
    expect((x.VARIANT as WebAssembly.Global).value).toBe(0);
  });

  it('the relaxed build names itself', async () => {
    const bytes = RELAXED;
    // vitest passes --experimental-wasm-relaxed-simd, so Node 20 accepts it too
    expect(WebAssembly.validate(bytes)).toBe(true);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    expect((instance.exports.VARIANT as WebAssembly.Global).value).toBe(1);
  });

  it('the modules import nothing', () => {
    for (const bytes of [SIMD, RELAXED]) {
      if (!WebAssembly.validate(bytes)) throw new Error('build does not validate');
      const m = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(m)).toEqual([]);
    }
  });
});
