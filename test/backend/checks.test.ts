/**
 * Bad arguments to any kernel give a WasmRnnError that names the op, the
 * argument and the expected shape, from the kernel table alone: for every
 * kernel, one valid call (a parity case) is broken one way at a time
 * (a buffer one element short, freed, of the wrong dtype, missing; a
 * dimension that is not an integer). Then shape strings and need() directly.
 */
import { describe, expect, it } from 'vitest';
import { Backend, type Buf } from '../../src/backend/backend.js';
import { need } from '../../src/backend/checks.js';
import { KERNEL_NAMES, spec, type KernelName } from '../../src/backend/contract/index.js';
import { JsKernels } from '../../src/backend/js.js';
import { describeShape, shapeCount } from '../../src/backend/shape.js';
import { WasmRnnError } from '../../src/errors.js';
import { Rng } from '../util.js';
import { buffers, makeData } from './parity_harness.js';
import { ROWS } from './parity_rows.js';

const be = new Backend(new JsKernels());

/** The first parity case of kernel k that is not in place, as a ready argument object. */
function validCall(k: KernelName): { args: Record<string, unknown>; bufs: Record<string, Buf> } {
  const c = ROWS[k].cases.find((x) => !x.alias)!;
  const data = makeData(k, c, new Rng(1), ROWS[k].gens);
  const args: Record<string, unknown> = { ...c.args };
  const bufs: Record<string, Buf> = {};
  for (const { name, dtype } of buffers(k, c.args)) {
    if (c.absent?.includes(name)) {
      args[name] = null;
      continue;
    }
    const b = be.alloc(Math.max(1, data[name].length), dtype === 'i32' ? 'int32' : 'float32');
    be.write(b, data[name]);
    args[name] = bufs[name] = b;
  }
  return { args, bufs };
}

function error(f: () => unknown): WasmRnnError {
  try {
    f();
  } catch (e) {
    if (e instanceof WasmRnnError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('kernel argument checks, every kernel', () => {
  for (const k of KERNEL_NAMES) {
    it(k, () => {
      const run = (a: Record<string, unknown>) => be.run(k, a as never);
      const { args, bufs } = validCall(k);
      run(args); // the valid call passes
      const free = new Set(Object.values(bufs));
      for (const { name, p, shape, dtype } of buffers(k, args as never)) {
        const b = bufs[name];
        if (!b) continue;
        const count = shapeCount(shape, args);
        if (count > 0) {
          // one element short: E_SHAPE naming op, argument, shape and count
          const short = be.view(b, 0, count - 1);
          const e = error(() => run({ ...args, [name]: short }));
          expect(e.code, `${k}.${name}`).toBe('E_SHAPE');
          expect(e.message).toBe(
            `${k}: argument ${name} needs ${describeShape(shape, args)} = ${count} elements, got a buffer of ${count - 1}`,
          );
        }
        // the wrong dtype
        if (p.dtype !== 'any') {
          const other = be.view(b, 0, b.length, dtype === 'i32' ? 'float32' : 'int32');
          expect(error(() => run({ ...args, [name]: other })).message).toMatch(
            new RegExp(`^${k}: argument ${name} must be a ${dtype === 'i32' ? 'int32' : 'float32'} buffer`),
          );
        }
        // missing, when required
        if (!p.optional) expect(error(() => run({ ...args, [name]: null })).message).toBe(`${k}: argument ${name} must be a Buf, got null`);
      }
      for (const [name, d] of Object.entries(spec(k).params)) {
        if (d.kind !== 'dim') continue;
        const e = error(() => run({ ...args, [name]: 1.5 }));
        expect(e.code).toBe('E_SHAPE');
        expect(e.message).toBe(`${k}: dimension ${name} must be an integer >= ${d.min}, got 1.5`);
      }
      // a freed buffer: E_STATE
      const [first] = Object.entries(bufs);
      if (first) {
        be.free(first[1]);
        free.delete(first[1]);
        expect(error(() => run(args))).toMatchObject({
          code: 'E_STATE',
          message: `${k}: argument ${first[0]} was freed (model disposed?)`,
        });
      }
      for (const b of free) be.free(b);
    });
  }
});

describe('shape strings', () => {
  const a = { B: 2, T: 5, I: 3, H: 4, M: 3, N: 2, ldc: 7, R: 0, W: 4 };
  it('count and words', () => {
    expect([shapeCount('B,T,I', a), describeShape('B,T,I', a)]).toEqual([30, '(B,T,I) = (2,5,3)']);
    expect([shapeCount('2,B,H', a), describeShape('2,B,H', a)]).toEqual([16, '(2,B,H) = (2,2,4)']);
    expect([shapeCount('4H', a), describeShape('4H', a)]).toEqual([16, '(4H) = (16)']);
    expect([shapeCount('M,N:ldc', a), describeShape('M,N:ldc', a)]).toEqual([16, '(M,N) = (3,2) with row stride ldc = 7']);
    expect(shapeCount('R,W:ldc', a)).toBe(0);
    expect(describeShape('packed(H,4H)', a)).toBe('packed(H,4H) = packed(4,16)');
    expect(shapeCount('packed(H,4H)', a)).toBe(Math.max(4 * 16, 16 * 8));
  });

  it('a bad shape string or an unknown dimension is a library bug, said so', () => {
    expect(() => shapeCount('B,,T', a)).toThrow(/kernel table: bad shape string 'B,,T'/);
    expect(() => shapeCount('B,X', a)).toThrow(/'X' is not a dimension of the call/);
    expect(() => shapeCount('nope(H)', a)).toThrow(/no size function 'nope'/);
  });

  it("need(op, a, 'dx', 'B,T,I') derives count and message from the one string", () => {
    const dx = be.alloc(29);
    expect(() => need('lstmBackward', { ...a, dx }, 'dx', 'B,T,I')).toThrow(
      'lstmBackward: argument dx needs (B,T,I) = (2,5,3) = 30 elements, got a buffer of 29',
    );
    expect(() => need('lstmBackward', { ...a, dx }, 'dx', 'B,T,I', 'i32')).toThrow(
      'lstmBackward: argument dx must be a int32 buffer, got float32',
    );
    need('lstmBackward', { ...a, dx, T: 4 }, 'dx', 'B,T,I');
    be.free(dx);
  });
});
