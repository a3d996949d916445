/**
 * The WebAssembly backend: the only file that sees pointers and views of the
 * module's memory, and the one place a kernel's argument object is
 * flattened into the export's positional call (in the table's order:
 * contract/).
 *
 * Memory layout: [0, heap_base) is the module's static data; the arena
 * (arena.ts) owns everything above, in 4-byte slots. Pointers are bytes:
 * slot offset << 2.
 *
 * memory.grow detaches every view of the old buffer. WasmMemory re-derives
 * its views whenever the buffer it holds is no longer memory.buffer, so a
 * caller that asks f32()/i32() after any call that may grow always gets a
 * live view.
 */
import { WasmRnnError } from '../errors.js';
import { KERNEL_NAMES, exportNames, selector, spec, wasmParams, type KernelName } from './contract/index.js';
import type { KernelSpec } from './contract/params.js';
import type { WasmExports } from './generated/exports.js';
import type { BackendName, KernelFns, Kernels } from './kernels.js';
import type { Buf, HeapMemory } from './memory.js';

const PAGE = 65536;
/** wasm32 can address 4 GiB: 65536 pages. */
const MAX_PAGES = 65536;

export class WasmMemory implements HeapMemory {
  readonly base: number;
  private readonly memory: WebAssembly.Memory;
  private buffer: ArrayBuffer;
  private f32v: Float32Array;
  private i32v: Int32Array;

  constructor(memory: WebAssembly.Memory, heapBaseBytes: number) {
    this.memory = memory;
    this.base = Math.ceil(heapBaseBytes / 4);
    this.buffer = memory.buffer;
    this.f32v = new Float32Array(this.buffer);
    this.i32v = new Int32Array(this.buffer);
  }

  size(): number {
    return this.memory.buffer.byteLength >>> 2;
  }

  grow(minSlots: number): void {
    const have = this.memory.buffer.byteLength;
    const want = minSlots * 4;
    if (want <= have) return;
    const pages = Math.ceil((want - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) {
      throw new WasmRnnError('E_MEMORY', `memory: ${want} bytes requested, WebAssembly memory is limited to 4 GiB`);
    }
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new WasmRnnError('E_MEMORY', `memory: could not grow WebAssembly memory to ${want} bytes (${String(e)})`);
    }
    this.refresh();
  }

  f32(): Float32Array {
    if (this.buffer !== this.memory.buffer) this.refresh();
    return this.f32v;
  }

  i32(): Int32Array {
    if (this.buffer !== this.memory.buffer) this.refresh();
    return this.i32v;
  }

  private refresh(): void {
    this.buffer = this.memory.buffer;
    this.f32v = new Float32Array(this.buffer);
    this.i32v = new Int32Array(this.buffer);
  }
}

type Export = (...args: number[]) => number | void;

// how one argument becomes one wasm parameter
const PTR = 0; // Buf or null -> byte address (0 = absent)
const NUM = 1; // dimension or scalar -> as is
const FLAG = 2; // boolean -> i32 1 / 0
const WORK = 3; // the backend's GEMM workspace -> byte address

/**
 * The kernel method for one table entry: the export(s) bound once, then per
 * call every argument converted into a reused parameter array (no garbage
 * per call) in the export's order.
 */
function bind(x: WasmExports, s: KernelSpec): (a: Record<string, unknown>, work: Buf) => unknown {
  const params = wasmParams(s);
  const names = params.map(([n]) => n);
  const kinds = params.map(([, p]) => (p.kind === 'buf' ? PTR : p.kind === 'bool' ? FLAG : p.kind === 'work' ? WORK : NUM));
  const fns = new Map<string, Export>();
  for (const [option, name] of exportNames(s)) {
    const f = (x as unknown as Record<string, Export | undefined>)[name];
    if (typeof f !== 'function') throw new WasmRnnError('E_BACKEND', `init: the module has no export ${name}`);
    fns.set(option, f);
  }
  const sel = selector(s)?.[0] ?? null;
  const only = sel === null ? fns.get('')! : null;
  const bool = s.returns === 'bool';
  const slots: number[] = new Array(names.length).fill(0);
  return (a, work) => {
    for (let i = 0; i < names.length; i++) {
      const v = a[names[i]];
      switch (kinds[i]) {
        case PTR:
          slots[i] = v == null ? 0 : (v as Buf).off << 2;
          break;
        case FLAG:
          slots[i] = v ? 1 : 0;
          break;
        case WORK:
          slots[i] = work.off << 2;
          break;
        default:
          slots[i] = v as number;
      }
    }
    const f = only ?? fns.get(a[sel!] as string)!;
    const r = f.apply(null, slots);
    return bool ? r !== 0 : r;
  };
}

// the kernel methods are made in the constructor, one per table entry
export interface WasmKernels extends KernelFns {}

export class WasmKernels implements Kernels {
  readonly name: BackendName;
  readonly memory: WasmMemory;

  /** `memory`: the heap these kernels allocate in (default: the module's memory above its static data; a worker thread passes its region). */
  constructor(exports: WasmExports, memory?: WasmMemory) {
    this.name = exports.VARIANT.value === 1 ? 'wasm-relaxed-simd' : 'wasm-simd';
    this.memory = memory ?? new WasmMemory(exports.memory, exports.heap_base() >>> 0);
    const self = this as unknown as Record<KernelName, unknown>;
    for (const k of KERNEL_NAMES) self[k] = bind(exports, spec(k));
  }
}
