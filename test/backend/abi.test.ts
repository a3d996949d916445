/** The wasm module's exported constants equal their TypeScript mirror. */
import { describe, expect, it } from 'vitest';
import { ABI_CONSTANTS } from '../../src/backend/abi.js';
import { RELAXED_WASM, SIMD_WASM } from '../../src/backend/generated/wasm-bytes.js';

describe('ABI mirror', () => {
  it('every constant in src/backend/abi.ts equals the export of assembly/abi.ts', async () => {
    const { instance } = await WebAssembly.instantiate(Buffer.from(SIMD_WASM, 'base64'), {});
    const x = instance.exports as Record<string, unknown>;
    const exported = Object.entries(x).filter(([, v]) => v instanceof WebAssembly.Global).map(([k]) => k).sort();
    // every exported constant is mirrored, except VARIANT which differs by build
    expect(exported.filter((k) => k !== 'VARIANT')).toEqual(Object.keys(ABI_CONSTANTS).sort());
    for (const [k, v] of Object.entries(ABI_CONSTANTS)) {
      expect((x[k] as WebAssembly.Global).value, k).toBe(v);
    }
    expect((x.VARIANT as WebAssembly.Global).value).toBe(0);
  });

  it('the relaxed build names itself', async () => {
    const bytes = Buffer.from(RELAXED_WASM, 'base64');
    // vitest passes --experimental-wasm-relaxed-simd, so Node 20 accepts it too
    expect(WebAssembly.validate(bytes)).toBe(true);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    expect((instance.exports.VARIANT as WebAssembly.Global).value).toBe(1);
  });

  it('the modules import nothing', () => {
    for (const b64 of [SIMD_WASM, RELAXED_WASM]) {
      if (!WebAssembly.validate(Buffer.from(b64, 'base64'))) throw new Error('build does not validate');
      const m = new WebAssembly.Module(Buffer.from(b64, 'base64'));
      expect(WebAssembly.Module.imports(m)).toEqual([]);
    }
  });
});
