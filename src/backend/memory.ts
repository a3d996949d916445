/**
 * The heap the kernels address and the handles layers hold on it.
 *
 * Memory is one linear heap of 4-byte slots: the wasm module's memory, or an
 * ArrayBuffer for the twin. A `Buf` names a range of it by slot offset and
 * length; only src/backend turns a Buf into a pointer or a typed-array view
 * (docs/architecture.md, "The memory plan").
 */

export type BufType = 'float32' | 'int32';

/** The heap the kernels address: 4-byte slots, views re-derived after growth. */
export interface HeapMemory {
  /** First slot the arena may use (the wasm module's static data lies below). */
  readonly base: number;
  /** Current size in slots. */
  size(): number;
  /** Grow to at least `minSlots`; throws WasmRnnError('E_MEMORY') when it cannot. */
  grow(minSlots: number): void;
  /** Current views: valid until the next grow(). */
  f32(): Float32Array;
  i32(): Int32Array;
}

/**
 * A handle to a range of the arena: `off` and `length` count 4-byte slots.
 * Views made by Backend.view share their root's lifetime.
 */
export class Buf {
  /** @internal */ alive = true;
  constructor(
    readonly off: number,
    readonly length: number,
    readonly dtype: BufType,
    /** @internal */ readonly root: Buf | null = null,
  ) {}

  get live(): boolean {
    return this.root ? this.root.alive : this.alive;
  }
}

/** Slot offset of an optional buffer: 0 means absent to every kernel. */
export function off(b: Buf | null | undefined): number {
  return b ? b.off : 0;
}
