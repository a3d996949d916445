/**
 * The backend's argument checks, driven by the kernel table: every
 * dimension is an integer in range, every buffer is a live Buf of the right
 * dtype that holds its shape string's element count, then the entry's own
 * preconditions. Messages name the op, the argument and the expected shape,
 * with code E_ARG (wrong kind of value), E_SHAPE (wrong size) or E_STATE
 * (a freed buffer).
 */
import { describe, fail } from '../errors.js';
import { spec, type KernelName } from './contract/index.js';
import type { BufParam, DType, DimParam, KernelSpec } from './contract/params.js';
import { Buf, type BufType } from './memory.js';
import { compileShape, describeShape, shapeCount } from './shape.js';

type Args = Record<string, unknown>;

const BUF_TYPES: Record<Exclude<DType, 'any'>, BufType> = { f32: 'float32', i32: 'int32' };

/** Throws unless `buf` is a live Buf (E_STATE when it was freed). */
export function live(op: string, name: string, buf: Buf): void {
  if (!buf.live) fail('E_STATE', `${op}: argument ${name} was freed (model disposed?)`);
}

/**
 * Throws unless `buf` is a live buffer of `dtype` holding at least `count`
 * slots; `shape` says in words what the count is.
 */
export function needCount(op: string, name: string, buf: unknown, count: number, shape: string, dtype: DType = 'f32'): void {
  isBuf(op, name, buf, dtype);
  if (buf.length < count) tooSmall(op, name, buf, count, shape);
}

/** need(op, a, 'dx', 'B,T,I'): a.dx holds the shape's element count over a's dimensions (shape.ts). */
export function need(op: string, a: Args, name: string, shape: string, dtype: DType = 'f32'): void {
  const buf = a[name];
  isBuf(op, name, buf, dtype);
  const count = shapeCount(shape, a);
  // the words are made only for the error: this runs on every kernel call
  if (buf.length < count) tooSmall(op, name, buf, count, describeShape(shape, a));
}

function isBuf(op: string, name: string, buf: unknown, dtype: DType): asserts buf is Buf {
  if (!(buf instanceof Buf)) fail('E_ARG', `${op}: argument ${name} must be a Buf, got ${describe(buf)}`);
  live(op, name, buf);
  if (dtype !== 'any' && buf.dtype !== BUF_TYPES[dtype]) {
    fail('E_ARG', `${op}: argument ${name} must be a ${BUF_TYPES[dtype]} buffer, got ${buf.dtype}`);
  }
}

function tooSmall(op: string, name: string, buf: Buf, count: number, shape: string): never {
  return fail('E_SHAPE', `${op}: argument ${name} needs ${shape} = ${count} elements, got a buffer of ${buf.length}`);
}

/** Throws unless dimension `name` is an integer in [min, 2^31). */
export function checkDim(op: string, name: string, v: unknown, min = 0): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 0x7fffffff) {
    fail('E_SHAPE', `${op}: dimension ${name} must be an integer >= ${min}, got ${v}`);
  }
}

/** A buffer parameter, ready for the per-call check. */
interface BufCheck {
  name: string;
  p: BufParam;
  /** the count from the dims read this call, or null: a shape chosen per call (shapeCount) */
  count: ((vals: Float64Array) => number) | null;
}

/** A kernel's parameters, prepared once: the checker runs on every kernel call. */
interface Plan {
  dims: string[];
  mins: number[];
  /** the dims of the current call, in the order of `dims` */
  vals: Float64Array;
  bufs: BufCheck[];
  spec: KernelSpec;
}

const plans = new Map<string, Plan>();

function plan(k: KernelName): Plan {
  let p = plans.get(k);
  if (!p) {
    const s = spec(k);
    const entries = Object.entries(s.params);
    const dims = entries.filter((e): e is [string, DimParam] => e[1].kind === 'dim');
    const names = dims.map(([n]) => n);
    p = {
      dims: names,
      mins: dims.map(([, d]) => d.min),
      vals: new Float64Array(dims.length),
      bufs: entries
        .filter((e): e is [string, BufParam] => e[1].kind === 'buf')
        .map(([name, b]) => ({ name, p: b, count: typeof b.shape === 'string' ? compileShape(b.shape, names) : null })),
      spec: s,
    };
    plans.set(k, p);
  }
  return p;
}

/** Every check of kernel `k` on the argument object `a`; the op in messages is `k`. */
export function checkArgs(k: KernelName, a: Args): void {
  if (a === null || typeof a !== 'object') fail('E_ARG', `${k}: arguments must be an object, got ${describe(a)}`);
  const p = plan(k);
  const { dims, mins, vals, bufs } = p;
  for (let i = 0; i < dims.length; i++) {
    const v = a[dims[i]];
    checkDim(k, dims[i], v, mins[i]);
    vals[i] = v as number;
  }
  for (let i = 0; i < bufs.length; i++) {
    const { name, p: b, count } = bufs[i];
    const v = a[name];
    if (v == null && b.optional) continue;
    const shape = typeof b.shape === 'function' ? b.shape(a) : b.shape;
    const dtype = typeof b.dtype === 'function' ? b.dtype(a) : b.dtype;
    isBuf(k, name, v, dtype);
    const n = count ? count(vals) : shapeCount(shape, a);
    if (v.length < n) tooSmall(k, name, v, n, describeShape(shape, a));
  }
  p.spec.check?.(k, a as never);
}
