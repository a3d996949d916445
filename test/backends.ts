/**
 * Every backend this runtime can load, for suites that run on each one and
 * parity tests that compare a wasm build with the twin.
 */
import { createBackend } from '../src/backend/load.js';
import type { Backend } from '../src/backend/backend.js';

export async function loadBackends(): Promise<{ js: Backend; wasm: Backend[] }> {
  const js = await createBackend({ backend: 'js' });
  const wasm: Backend[] = [await createBackend({ backend: 'wasm-simd' })];
  try {
    wasm.push(await createBackend({ backend: 'wasm-relaxed-simd' }));
  } catch {
    // this runtime has no relaxed SIMD: the SIMD build alone is tested
  }
  return { js, wasm };
}

/** Copy `data` into a new buffer of `be`. */
export function upload(be: Backend, data: ArrayLike<number>, dtype: 'float32' | 'int32' = 'float32') {
  const b = be.alloc(data.length, dtype);
  be.write(b, data);
  return b;
}
