/**
 * The arena: a first-fit allocator over the heap's slots above `base`.
 *
 * Blocks are aligned to 16 slots (64 bytes, a cache line) so every buffer
 * starts on a v128 boundary. Free blocks are kept sorted by offset and
 * merged with their neighbours, so many models created and disposed in one
 * process reuse the same memory instead of growing it. When nothing fits the
 * heap grows (by at least half its size, to amortise), and the caller's
 * views must be re-derived: HeapMemory.f32()/i32() do that.
 */
import { fail } from '../errors.js';
import type { HeapMemory } from './memory.js';

const ALIGN = 16;

interface Block {
  off: number;
  size: number;
}

export class Arena {
  private readonly mem: HeapMemory;
  private readonly free_: Block[] = [];
  private readonly used = new Map<number, number>();
  private top: number;
  private inUse = 0;
  private peak = 0;

  constructor(mem: HeapMemory) {
    this.mem = mem;
    this.top = roundUp(mem.base, ALIGN);
  }

  /** Offset (in slots) of a new block of at least `length` slots. */
  alloc(length: number): number {
    const size = Math.max(ALIGN, roundUp(length, ALIGN));
    for (let i = 0; i < this.free_.length; i++) {
      const b = this.free_[i];
      if (b.size >= size) {
        const off = b.off;
        if (b.size === size) this.free_.splice(i, 1);
        else {
          b.off += size;
          b.size -= size;
        }
        return this.take(off, size);
      }
    }
    // Nothing free fits: extend the top, merging a free block that ends there.
    let off = this.top;
    const last = this.free_[this.free_.length - 1];
    if (last && last.off + last.size === this.top) {
      off = last.off;
      this.free_.pop();
    }
    const end = off + size;
    if (end > this.mem.size()) {
      try {
        this.mem.grow(Math.max(end, Math.ceil(this.mem.size() * 1.5)));
      } catch {
        this.mem.grow(end); // the generous size failed; try the exact one
      }
    }
    this.top = Math.max(this.top, end);
    return this.take(off, size);
  }

  free(off: number): void {
    const size = this.used.get(off);
    if (size === undefined) fail('E_STATE', `Arena.free: no live block at slot ${off}`);
    this.used.delete(off);
    this.inUse -= size;
    // insert sorted, merge with neighbours
    let i = 0;
    while (i < this.free_.length && this.free_[i].off < off) i++;
    this.free_.splice(i, 0, { off, size });
    const next = this.free_[i + 1];
    if (next && off + size === next.off) {
      this.free_[i].size += next.size;
      this.free_.splice(i + 1, 1);
    }
    const prev = this.free_[i - 1];
    if (prev && prev.off + prev.size === off) {
      prev.size += this.free_[i].size;
      this.free_.splice(i, 1);
    }
  }

  /** Slots currently handed out, the most ever handed out, and the heap size. */
  stats(): { inUse: number; peak: number; heap: number; blocks: number } {
    return { inUse: this.inUse, peak: this.peak, heap: this.mem.size(), blocks: this.used.size };
  }

  private take(off: number, size: number): number {
    this.used.set(off, size);
    this.inUse += size;
    this.peak = Math.max(this.peak, this.inUse);
    return off;
  }
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}
