/**
 * Buffers on the kernels' heap: the arena that hands out `Buf`s, and the
 * only way host code reads or writes their contents. Backend (backend.ts)
 * adds the checked kernel calls on top.
 *
 * Every read and write goes through the heap's current view (re-derived
 * after memory.grow detaches the old one), so a Buf stays valid across any
 * number of allocations.
 */
import { fail } from '../errors.js';
import { Arena } from './arena.js';
import { live } from './checks.js';
import type { Kernels } from './kernels.js';
import { Buf, type BufType } from './memory.js';

export class Buffers {
  readonly kernels: Kernels;
  readonly arena: Arena;

  constructor(kernels: Kernels) {
    this.kernels = kernels;
    this.arena = new Arena(kernels.memory);
  }

  /** A new buffer of `length` slots (contents unspecified). */
  alloc(length: number, dtype: BufType = 'float32'): Buf {
    if (!Number.isInteger(length) || length < 0) {
      fail('E_ARG', `Backend.alloc: length must be a non-negative integer, got ${length}`);
    }
    return new Buf(this.arena.alloc(length), length, dtype);
  }

  /** A zero-filled buffer (+0.0 and integer 0 are the same bits). */
  zeros(length: number, dtype: BufType = 'float32'): Buf {
    const b = this.alloc(length, dtype);
    this.kernels.memory.i32().fill(0, b.off, b.off + length);
    return b;
  }

  free(buf: Buf): void {
    if (buf.root) fail('E_ARG', 'Backend.free: cannot free a view; free the buffer it was made from');
    if (!buf.alive) return;
    buf.alive = false;
    this.arena.free(buf.off);
  }

  /** A sub-range [start, start+length) of `buf`, reinterpreted as `dtype`. */
  view(buf: Buf, start: number, length: number, dtype: BufType = buf.dtype): Buf {
    live('view', 'buf', buf);
    if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > buf.length) {
      fail('E_SHAPE', `Backend.view: range [${start}, ${start + length}) is outside the buffer of ${buf.length}`);
    }
    return new Buf(buf.off + start, length, dtype, buf.root ?? buf);
  }

  /** Copy `src` into buf[start...]. Values are converted to the buffer's type. */
  write(buf: Buf, src: ArrayLike<number>, start = 0): void {
    live('write', 'buf', buf);
    if (start < 0 || start + src.length > buf.length) {
      fail('E_SHAPE', `Backend.write: ${src.length} values at ${start} do not fit a buffer of ${buf.length}`);
    }
    this.viewOf(buf.dtype).set(src, buf.off + start);
  }

  /** A copy of buf[start, start+length) as a typed array the caller owns. */
  read(buf: Buf, start = 0, length = buf.length - start): Float32Array | Int32Array {
    live('read', 'buf', buf);
    if (start < 0 || length < 0 || start + length > buf.length) {
      fail('E_SHAPE', `Backend.read: range [${start}, ${start + length}) is outside the buffer of ${buf.length}`);
    }
    const o = buf.off + start;
    return this.viewOf(buf.dtype).slice(o, o + length);
  }

  /** Read into a caller's array (no allocation). */
  readInto(buf: Buf, out: Float32Array | Int32Array, start = 0): void {
    live('readInto', 'buf', buf);
    if (start < 0 || start + out.length > buf.length) {
      fail('E_SHAPE', `Backend.readInto: ${out.length} values at ${start} exceed the buffer of ${buf.length}`);
    }
    const view = this.viewOf(out instanceof Int32Array ? 'int32' : 'float32');
    out.set(view.subarray(buf.off + start, buf.off + start + out.length));
  }

  /** Scalar read, for tests and small bookkeeping. */
  get(buf: Buf, i: number): number {
    live('get', 'buf', buf);
    if (!(i >= 0 && i < buf.length)) fail('E_SHAPE', `Backend.get: index ${i} is outside the buffer of ${buf.length}`);
    return this.viewOf(buf.dtype)[buf.off + i];
  }

  private viewOf(dtype: BufType): Float32Array | Int32Array {
    return dtype === 'int32' ? this.kernels.memory.i32() : this.kernels.memory.f32();
  }
}
