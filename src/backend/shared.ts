/**
 * Shared memory for init({ threads }): the threads build of the kernels, the
 * one WebAssembly.Memory every thread's instance imports, and the region of
 * it a worker thread allocates from.
 *
 * The threads build is the plain build with one change: its memory is
 * imported as `env.memory` (shared, up to 65536 pages) instead of declared.
 * asc compiles the same code either way (build/build.mjs builds both; a test
 * checks them equal), so only the plain builds are embedded and the threads
 * module is made from them here, by swapping the memory section (id 5) for
 * an import section (id 2).
 *
 * Layout: the main thread's arena owns the whole memory, as it does without
 * threads; each worker gets one block of it (a region, slot offsets
 * [start, end)) and runs an arena of its own inside that block.
 */
import { WasmRnnError } from '../errors.js';
import { WasmMemory } from './wasm.js';

/** wasm32 addresses 4 GiB: 65536 pages of 64 KiB, the threads build's declared maximum. */
export const MAX_PAGES = 65536;

// env.memory, a shared memory of at least 1 page and at most MAX_PAGES:
// count 1, "env", "memory", kind memory (2), limits flags 3 (has max, shared), min 1, max 65536 (LEB128)
const IMPORT_SECTION = new Uint8Array([1, 3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 3, 1, 0x80, 0x80, 0x04]);
const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;

/** The threads build of a plain kernel build: its memory section replaced by the shared-memory import. */
export function threadsBuild(plain: Uint8Array): Uint8Array<ArrayBuffer> {
  const out: number[] = Array.from(plain.subarray(0, 8));
  let imported = false;
  const addImport = (): void => {
    out.push(SECTION_IMPORT, ...leb(IMPORT_SECTION.length), ...IMPORT_SECTION);
    imported = true;
  };
  for (const [id, from, to] of sections(plain)) {
    if (id === SECTION_IMPORT)
      throw new WasmRnnError('E_BACKEND', 'init: the kernel build already imports something; it is not a plain build');
    // known sections come in id order (custom sections, id 0, may sit anywhere)
    if (!imported && id !== 0 && id > SECTION_IMPORT) addImport();
    if (id !== SECTION_MEMORY) for (let i = from; i < to; i++) out.push(plain[i]);
  }
  if (!imported) addImport();
  return new Uint8Array(out);
}

/** Whether a module's bytes import something (of our builds, only the threads builds do: their memory). */
export function importsMemory(bytes: Uint8Array): boolean {
  for (const [id] of sections(bytes)) if (id === SECTION_IMPORT) return true;
  return false;
}

/** Each section of a module: [id, first byte (its id), end]. */
export function* sections(bytes: Uint8Array): Generator<[number, number, number]> {
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    let p = at + 1;
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    yield [id, at, p + size];
    at = p + size;
  }
}

function leb(n: number): number[] {
  const bytes: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    bytes.push(b);
  } while (n);
  return bytes;
}

/**
 * A shared memory for the threads build. The maximum is reserved address
 * space, not memory; where an engine refuses 4 GiB (32-bit, some phones) a
 * smaller ceiling is tried.
 */
export function sharedMemory(): WebAssembly.Memory {
  let last: unknown = null;
  for (const maximum of [MAX_PAGES, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: 1, maximum, shared: true });
    } catch (e) {
      last = e;
    }
  }
  throw new WasmRnnError('E_BACKEND', `init: this runtime cannot make a shared WebAssembly.Memory (${String(last)})`);
}

/**
 * The part [start, end) of a shared memory that one worker thread allocates
 * from: its arena starts at `start` and cannot grow past `end` (the main
 * thread owns growth). Running out is a RegionFull error the worker reports
 * so that the main thread can hand it a bigger region.
 */
export class RegionMemory extends WasmMemory {
  constructor(
    memory: WebAssembly.Memory,
    start: number,
    readonly end: number,
  ) {
    super(memory, start * 4);
  }

  override size(): number {
    return this.end;
  }

  override grow(minSlots: number): void {
    if (minSlots > this.end) throw new RegionFull(minSlots - this.base);
  }
}

/** A worker's region is too small; `need` slots would do for what was asked. */
export class RegionFull extends WasmRnnError {
  constructor(readonly need: number) {
    super('E_MEMORY', `thread region: ${need} slots needed`);
  }
}
