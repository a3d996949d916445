/**
 * Every kernel of the table, every wasm build against the twin (the oracle),
 * table-driven: parity_rows.ts lists the calls, parity_harness.ts lays each
 * one out from the kernel table and runs it. Per call:
 *   - outputs (=, +=, = or +=, in-place) agree within the row's tolerance,
 *     and so does the returned value (losses, sums, flags);
 *   - `=` outputs start as NaN and `+=` ones as random values, so a kernel
 *     that accumulates where it should overwrite (or the reverse), or leaves
 *     part of an output unwritten, disagrees with the twin;
 *   - on every backend, `in` buffers are unchanged and nothing outside the
 *     kernel's writable buffers changed (writes through an absent pointer).
 * The twin itself must overwrite every `=` output (no NaN left).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../src/backend/backend.js';
import { KERNEL_NAMES, spec, type KernelName } from '../../src/backend/contract/index.js';
import type { WasmExports } from '../../src/backend/generated/exports.js';
import { JsKernels } from '../../src/backend/js.js';
import { embeddedModules } from '../../src/backend/load.js';
import { WasmKernels } from '../../src/backend/wasm.js';
import { Rng, expectClose } from '../util.js';
import { buffers, makeData, runCall, writtenSlots, type Case, type Data } from './parity_harness.js';
import { ROWS, type Row } from './parity_rows.js';

let js: Backend;
let wasm: Backend[];
beforeAll(async () => {
  // both builds as built, not through init(): its known-answer check would
  // drop a wrong build instead of letting this suite show what is wrong
  js = new Backend(new JsKernels());
  const { simd, relaxed } = await embeddedModules();
  wasm = [];
  for (const bytes of [simd, relaxed]) {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    wasm.push(new Backend(new WasmKernels(instance.exports as unknown as WasmExports)));
  }
});

const DEFAULT_TOL = { atol: 1e-6, rtol: 1e-5 };

/** A backward kernel's inputs from its forward pass on the twin (hseq, gates, ...). */
function fromForward(row: Row, c: Case, data: Data, rng: Rng): void {
  if (!row.forward) return;
  const { kernel, outputs } = row.forward;
  const fd = makeData(kernel, c, rng, row.gens);
  for (const { name, p } of buffers(kernel, c.args)) if (p.role === 'in' && data[name]) fd[name] = data[name];
  // the backward's in-place aliases (ds: 'dw') name buffers the forward does not have
  const r = runCall(js, kernel, { ...c, alias: undefined }, fd);
  for (const n of outputs) data[n] = r.bufs[n];
}

function checkCase(k: KernelName, row: Row, c: Case, i: number): void {
  const rng = new Rng(1000 * KERNEL_NAMES.indexOf(k) + i);
  const data = makeData(k, c, rng, row.gens);
  fromForward(row, c, data, rng);
  const label = `${k} case ${i} ${JSON.stringify(c)}`;
  const want = runCall(js, k, c, data);
  expect(want.strayWrites, `twin ${label}: writes outside its outputs`).toEqual([]);
  expect(want.changedInputs, `twin ${label}: inputs changed`).toEqual([]);
  const compared = buffers(k, c.args).filter(({ name, p }) => p.role !== 'in' && p.role !== 'scratch' && !c.absent?.includes(name));
  for (const { name, p, shape } of compared) {
    if (p.role === 'out' || (p.role === 'outAcc' && !c.args.accumulate)) {
      const v = want.bufs[name];
      const left = writtenSlots(shape, c.args).filter((s) => Number.isNaN(v[s]));
      expect(left.length, `twin ${label}: ${name} has ${left.length} unwritten (NaN) values, e.g. at ${left[0]}`).toBe(0);
    }
  }
  const tol = typeof row.tol === 'function' ? row.tol(c) : (row.tol ?? DEFAULT_TOL);
  for (const be of wasm) {
    const got = runCall(be, k, c, data);
    const where = `${be.name} ${label}`;
    expect(got.strayWrites, `${where}: writes outside its outputs`).toEqual([]);
    expect(got.changedInputs, `${where}: inputs changed`).toEqual([]);
    for (const { name } of compared) expectClose(got.bufs[name], want.bufs[name], { ...tol, label: `${where}: ${name}` });
    if (typeof want.result === 'number') {
      const w = want.result;
      const r = got.result as number;
      expect(Math.abs(r - w), `${where}: returned ${r}, twin ${w}`).toBeLessThanOrEqual(
        (row.rtolResult ?? 1e-6) * Math.max(1, Math.abs(w)),
      );
    } else {
      expect(got.result, `${where}: returned`).toBe(want.result);
    }
  }
}

describe('every kernel: wasm builds against the twin', () => {
  it('every kernel of the table has a parity row, and every row a kernel', () => {
    expect(Object.keys(ROWS).sort()).toEqual([...KERNEL_NAMES].sort());
    for (const k of KERNEL_NAMES) expect(ROWS[k].cases.length, k).toBeGreaterThan(0);
  });

  it('both wasm builds are under test', () => {
    expect(wasm.map((b) => b.name)).toEqual(['wasm-simd', 'wasm-relaxed-simd']);
  });

  for (const k of KERNEL_NAMES) {
    const roles = [...new Set(Object.values(spec(k).params).flatMap((p) => (p.kind === 'buf' ? [p.role] : [])))].join(', ');
    it(`${k} (${ROWS[k].cases.length} calls; ${roles})`, () => {
      ROWS[k].cases.forEach((c, i) => checkCase(k, ROWS[k], c, i));
    });
  }
});
