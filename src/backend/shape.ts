/**
 * Shape strings: one string gives a buffer's element count and the words of
 * the error when a buffer is too small.
 *
 *   'B,T,4H'        the product of the terms; a term is an integer, a
 *                   dimension (an argument's name) or both: 4H = 4·H
 *   'M,N:ldc'       M rows of N with row stride ldc: (M−1)·ldc + N slots
 *   'packed(H,4H)'  a size function of packing.ts over the terms
 *
 * Dimensions are read from the call's argument object, so
 * need('lstmForward', a, 'dx', 'B,T,I') checks a.dx against a.B·a.T·a.I and
 * says "lstmForward: argument dx needs (B,T,I) = (2,5,3) = 30 elements, got
 * a buffer of 24".
 */
import { WasmRnnError } from '../errors.js';
import { gruPackedSize, packedSize } from './packing.js';

interface Term {
  coef: number;
  dim: string | null;
}

interface Shape {
  text: string;
  terms: Term[];
  /** row stride dimension of a 'rows,cols:stride' shape */
  stride: string | null;
  /** size function of a 'fn(...)' shape */
  fn: ((...v: number[]) => number) | null;
  fnName: string;
  /** the element count for a call: no allocation, it runs on every kernel call */
  count: (a: Record<string, unknown>) => number;
}

const SIZE_FUNCTIONS: Record<string, (...v: number[]) => number> = {
  packed: (H, G) => packedSize(H, G),
  gruPacked: (H) => gruPackedSize(H),
};

const parsed = new Map<string, Shape>();

function bad(text: string, why: string): never {
  // a table entry is wrong: a bug of this library, not of the caller
  throw new WasmRnnError('E_STATE', `kernel table: bad shape string '${text}': ${why}`);
}

/** The parsed form of a shape string (cached: the table holds a few dozen). */
export function parseShape(text: string): Shape {
  let s = parsed.get(text);
  if (s) return s;
  let body = text;
  let fn: Shape['fn'] = null;
  let fnName = '';
  let stride: string | null = null;
  const call = /^(\w+)\((.*)\)$/.exec(text);
  if (call) {
    fnName = call[1];
    fn = SIZE_FUNCTIONS[fnName] ?? bad(text, `no size function '${fnName}'`);
    body = call[2];
  } else if (text.includes(':')) {
    [body, stride] = text.split(':');
    if (!/^[A-Za-z]\w*$/.test(stride)) bad(text, 'the stride must be a dimension name');
  }
  const terms = body.split(',').map((t) => {
    const m = /^(\d*)([A-Za-z]\w*)?$/.exec(t.trim());
    if (!m || (m[1] === '' && !m[2])) bad(text, `'${t}' is not a term`);
    return { coef: m[1] === '' ? 1 : Number(m[1]), dim: m[2] ?? null };
  });
  if (stride && terms.length !== 2) bad(text, 'a strided shape has two terms, rows and columns');
  s = { text, terms, stride, fn, fnName, count: () => 0 };
  s.count = counter(s);
  parsed.set(text, s);
  return s;
}

/** The count of a parsed shape as one closure over its terms. */
function counter(s: Shape): (a: Record<string, unknown>) => number {
  const { terms, stride, fn } = s;
  const term = (t: Term, a: Record<string, unknown>) => t.coef * (t.dim === null ? 1 : dimOf(s, a, t.dim));
  if (fn) return (a) => fn(...terms.map((t) => term(t, a)));
  if (stride) {
    const [r, c] = terms;
    return (a) => {
      const rows = term(r, a);
      const cols = term(c, a);
      return rows === 0 || cols === 0 ? 0 : (rows - 1) * dimOf(s, a, stride) + cols;
    };
  }
  return (a) => {
    let p = 1;
    for (let i = 0; i < terms.length; i++) p *= term(terms[i], a);
    return p;
  };
}

function dimOf(s: Shape, a: Record<string, unknown>, name: string): number {
  const v = a[name];
  if (typeof v !== 'number') bad(s.text, `'${name}' is not a dimension of the call`);
  return v;
}

/**
 * The count of `shape` as a function of the call's dims already read into
 * `vals` (in the order of `dims`): the checker reads each dim once per call
 * and every buffer's count is then arithmetic. Null when the shape names
 * something that is not in `dims` (the caller falls back to shapeCount).
 */
export function compileShape(shape: string, dims: readonly string[]): ((vals: Float64Array) => number) | null {
  const s = parseShape(shape);
  const at = s.terms.map((t) => (t.dim === null ? -1 : dims.indexOf(t.dim)));
  if (at.some((i, k) => i < 0 && s.terms[k].dim !== null)) return null;
  const coefs = s.terms.map((t) => t.coef);
  const term = (k: number, v: Float64Array) => coefs[k] * (at[k] < 0 ? 1 : v[at[k]]);
  if (s.fn) {
    const fn = s.fn;
    return (v) => fn(...coefs.map((_, k) => term(k, v)));
  }
  if (s.stride) {
    const st = dims.indexOf(s.stride);
    if (st < 0) return null;
    return (v) => {
      const rows = term(0, v);
      const cols = term(1, v);
      return rows === 0 || cols === 0 ? 0 : (rows - 1) * v[st] + cols;
    };
  }
  const coef = coefs.reduce((p, c) => p * c, 1);
  const idx = Int32Array.from(at.filter((i) => i >= 0));
  return (v) => {
    let p = coef;
    for (let i = 0; i < idx.length; i++) p *= v[idx[i]];
    return p;
  };
}

/** The value of every term of `shape` for the call `a`. */
export function shapeValues(shape: string, a: Record<string, unknown>): number[] {
  const s = parseShape(shape);
  return s.terms.map((t) => t.coef * (t.dim === null ? 1 : dimOf(s, a, t.dim)));
}

/** Slots a buffer of `shape` spans for the call `a`. */
export function shapeCount(shape: string, a: Record<string, unknown>): number {
  return parseShape(shape).count(a);
}

/** The shape in words: '(B,T,I) = (2,5,3)', 'packed(H,4H) = packed(4,16)', '(M,N) = (2,3) with row stride ldc = 5'. */
export function describeShape(shape: string, a: Record<string, unknown>): string {
  const s = parseShape(shape);
  const v = shapeValues(shape, a);
  const names = s.terms.map((t) => `${t.coef === 1 && t.dim ? '' : t.coef}${t.dim ?? ''}`).join(',');
  const symbolic = names !== v.join(',');
  const args = symbolic ? `(${names}) = (${v.join(',')})` : `(${names})`;
  if (s.fn) return `${s.fnName}(${names}) = ${s.fnName}(${v.join(',')})`;
  return s.stride ? `${args} with row stride ${s.stride} = ${dimOf(s, a, s.stride)}` : args;
}

/** Row r of a strided shape starts here; every row is contiguous. For tests: which slots a kernel writes. */
export function shapeRows(shape: string, a: Record<string, unknown>): { rows: number; cols: number; stride: number } {
  const s = parseShape(shape);
  const v = shapeValues(shape, a);
  if (s.stride) return { rows: v[0], cols: v[1], stride: dimOf(s, a, s.stride) };
  const n = shapeCount(shape, a);
  return { rows: 1, cols: n, stride: n };
}
