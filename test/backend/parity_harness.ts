/**
 * The machinery of the table-driven parity suite (parity.test.ts): one call
 * of any kernel, laid out from the kernel table alone.
 *
 * For a case (the dims, scalars and flags of one call), every buffer
 * parameter of the table entry gets a buffer of its shape string's size:
 *   in, inout, acc      random data (or the row's generator)
 *   out, scratch        NaN, so a `=` output that is not fully written, or
 *                       one accumulated into by mistake, shows
 *   outAcc              random when the call accumulates, else NaN
 * The call runs through Backend.run (the table's checks first). Afterwards
 * every buffer is read back, and the whole heap outside the buffers the
 * kernel may write (and the GEMM workspace) is compared with a snapshot:
 * an `in` buffer changed, or a write through an absent (0) pointer, fails.
 */
import { spec, type KernelName, type KernelSpec } from '../../src/backend/contract/index.js';
import type { BufParam, Role } from '../../src/backend/contract/params.js';
import type { Backend, Buf } from '../../src/backend/backend.js';
import { shapeCount, shapeRows } from '../../src/backend/shape.js';
import { Rng } from '../util.js';

export type Scalars = Record<string, number | boolean | string>;

export interface Case {
  /** dims, scalars, flags and the select value of one call */
  args: Scalars;
  /** optional buffers passed as null */
  absent?: string[];
  /** buffer -> the buffer it shares (y: 'x' runs y = f(x) in place) */
  alias?: Record<string, string>;
}

export type Data = Record<string, Float32Array | Int32Array>;
export type Gen = (rng: Rng, n: number, a: Scalars) => ArrayLike<number>;

export interface CallResult {
  bufs: Record<string, Float32Array | Int32Array>;
  result: unknown;
  /** heap slots outside the writable buffers that changed, as "slot: before -> after" */
  strayWrites: string[];
  /** `in` buffers that changed */
  changedInputs: string[];
}

/** The buffer parameters of a kernel, [name, param, shape, dtype] for this call. */
export function buffers(k: KernelName, a: Scalars): Array<{ name: string; p: BufParam; shape: string; dtype: 'f32' | 'i32' }> {
  const s: KernelSpec = spec(k);
  return Object.entries(s.params)
    .filter((e): e is [string, BufParam] => e[1].kind === 'buf')
    .map(([name, p]) => {
      const shape = typeof p.shape === 'function' ? p.shape(a) : p.shape;
      const dt = typeof p.dtype === 'function' ? p.dtype(a) : p.dtype;
      return { name, p, shape, dtype: dt === 'i32' ? 'i32' : 'f32' };
    });
}

function prefilled(role: Role, a: Scalars): 'random' | 'nan' {
  if (role === 'out' || role === 'scratch') return 'nan';
  if (role === 'outAcc') return a.accumulate ? 'random' : 'nan';
  return 'random';
}

/** The contents every buffer of the call starts with. */
export function makeData(k: KernelName, c: Case, rng: Rng, gens: Record<string, Gen> = {}): Data {
  const d: Data = {};
  for (const { name, p, shape, dtype } of buffers(k, c.args)) {
    if (c.alias?.[name]) continue;
    const n = shapeCount(shape, c.args);
    const g = gens[name];
    if (dtype === 'i32') {
      if (!g) throw new Error(`${k}.${name}: an int32 buffer needs a generator`);
      d[name] = Int32Array.from(g(rng, n, c.args));
    } else if (g && p.role !== 'out' && p.role !== 'scratch') {
      d[name] = Float32Array.from(g(rng, n, c.args));
    } else if (prefilled(p.role, c.args) === 'nan') {
      d[name] = new Float32Array(n).fill(NaN);
    } else {
      d[name] = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    }
  }
  return d;
}

const bits = (a: Float32Array | Int32Array) => new Int32Array(a.buffer, a.byteOffset, a.length);

/** Run kernel `k` on `be` with buffers holding `data`; read everything back. */
export function runCall(be: Backend, k: KernelName, c: Case, data: Data): CallResult {
  const args: Record<string, unknown> = { ...c.args };
  const made: Array<{ name: string; buf: Buf; writable: boolean }> = [];
  const bufs = buffers(k, c.args);
  for (const { name, p, dtype } of bufs) {
    if (c.absent?.includes(name)) {
      if (!p.optional) throw new Error(`${k}.${name} is not optional`);
      args[name] = null;
      continue;
    }
    if (c.alias?.[name]) continue;
    const src = data[name];
    const buf = be.alloc(Math.max(1, src.length), dtype === 'i32' ? 'int32' : 'float32');
    be.write(buf, src);
    args[name] = buf;
    made.push({ name, buf, writable: p.role !== 'in' });
  }
  for (const [name, other] of Object.entries(c.alias ?? {})) {
    args[name] = args[other];
    const m = made.find((x) => x.name === other)!;
    m.writable = true;
  }
  const mem = be.kernels.memory;
  const before = new Int32Array(mem.f32().buffer.slice(0));
  const result = be.run(k, args as never);
  const after = new Int32Array(mem.f32().buffer);
  // the slots the kernel may write: its non-`in` buffers and the workspace
  const work = (be as unknown as { work: Buf }).work;
  const writable = made.filter((m) => m.writable).map((m) => [m.buf.off, m.buf.off + m.buf.length]);
  writable.push([work.off, work.off + work.length]);
  writable.sort((p, q) => p[0] - q[0]);
  const strayWrites: string[] = [];
  let w = 0;
  for (let i = 0; i < before.length && strayWrites.length < 5; i++) {
    while (w < writable.length && writable[w][1] <= i) w++;
    if (w < writable.length && writable[w][0] <= i) {
      i = writable[w][1] - 1;
      continue;
    }
    if (before[i] !== after[i]) strayWrites.push(`${i}: ${before[i]} -> ${after[i]}`);
  }
  const out: CallResult = { bufs: {}, result, strayWrites, changedInputs: [] };
  for (const { name, buf } of made) {
    out.bufs[name] = be.read(buf).slice(0, data[name].length);
    const role = bufs.find((b) => b.name === name)!.p.role;
    const aliased = Object.values(c.alias ?? {}).includes(name);
    if (role === 'in' && !aliased) {
      const got = bits(out.bufs[name]);
      const want = bits(data[name]);
      if (got.some((v, i) => v !== want[i])) out.changedInputs.push(name);
    }
  }
  for (const [name, other] of Object.entries(c.alias ?? {})) out.bufs[name] = out.bufs[other];
  for (const { buf } of made) be.free(buf);
  return out;
}

/** The slots of a buffer the kernel writes (every row of a strided shape, none of its gaps). */
export function writtenSlots(shape: string, a: Scalars): number[] {
  const { rows, cols, stride } = shapeRows(shape, a);
  const s: number[] = [];
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) s.push(r * stride + j);
  return s;
}
