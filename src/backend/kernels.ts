/**
 * The raw kernel interface, implemented twice: the pure-TypeScript twin
 * (js.ts) and the WebAssembly exports (wasm.ts).
 *
 * One method per entry of the kernel table (contract/), taking that
 * kernel's argument object: Bufs by name for every buffer (null = absent),
 * dimensions, scalars and flags, exactly the fields the table lists. The
 * second argument is the GEMM workspace the backend owns (the twin needs
 * none). Kernels never allocate and never validate: Backend (backend.ts)
 * checks every call against the table first.
 */
import type { KernelArgs, KernelName, KernelResult } from './contract/index.js';
import type { Buf, HeapMemory } from './memory.js';

export type BackendName = 'js' | 'wasm-simd' | 'wasm-relaxed-simd';
export type GemmForm = 'nn' | 'nt' | 'tn';

export type KernelFn<K extends KernelName> = (a: KernelArgs<K>, work: Buf) => KernelResult<K>;

export type KernelFns = { readonly [K in KernelName]: KernelFn<K> };

export interface Kernels extends KernelFns {
  readonly name: BackendName;
  readonly memory: HeapMemory;
}

export type { KernelArgs, KernelName, KernelResult } from './contract/index.js';
