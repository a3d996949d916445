/**
 * The kernel table (src/backend/contract/) against the wasm exports, both
 * ways: every table entry names an export whose parameters have the entry's
 * names, types and order (from the typings asc generates), every exported
 * function belongs to an entry, and the instantiated exports take as many
 * arguments. Then the table's own consistency: shape strings over the
 * entry's dimensions, a twin and a wasm method for every entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNELS, KERNEL_NAMES, exportNames, spec, wasmParams, type KernelSpec } from '../../src/backend/contract/index.js';
import { JsKernels } from '../../src/backend/js.js';
import { embeddedModules } from '../../src/backend/load.js';
import { shapeCount } from '../../src/backend/shape.js';
import { WasmKernels } from '../../src/backend/wasm.js';
import type { WasmExports } from '../../src/backend/generated/exports.js';
import { compareWithExports, generatedExports } from './exports.js';

const exports = generatedExports();

/**
 * Each entry's shape line, read from the table's source: the doc comment
 * right above `name: kernel(` (or a helper that makes one), by entry name.
 * A comment, not a field, so that it ships in no bundle.
 */
function entryDocs(): Map<string, string> {
  const dir = join(import.meta.dirname, '../../src/backend/contract');
  const docs = new Map<string, string>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const m of src.matchAll(/\/\*\*((?:[^*]|\*(?!\/))*)\*\/\n\s*(\w+): \w+\(/g)) {
      docs.set(m[2], m[1].replace(/\s*\n\s*\*\s?/g, ' ').trim());
    }
  }
  return docs;
}
/** Exports that are not kernels: the heap base the host allocates above. */
const NOT_KERNELS = ['heap_base'];

describe('kernel table vs wasm exports', () => {
  it('the generated typings were parsed (every function with its parameter types)', () => {
    expect(exports.size).toBeGreaterThan(40);
    const lstm = exports.get('lstm_backward_f32')!;
    expect(lstm.params).toHaveLength(32);
    expect(lstm.params[0]).toEqual({ name: 'dx', type: 'usize' });
    for (const e of exports.values()) for (const p of e.params) expect(p.type, `${e.name}.${p.name}`).not.toBe('?');
  });

  it("every entry: its export takes the entry's parameters, same names, types and order", () => {
    const problems = KERNEL_NAMES.flatMap((k) => compareWithExports(k, spec(k), exports));
    expect(problems).toEqual([]);
  });

  it('every exported function is a kernel of the table', () => {
    const claimed = new Set(KERNEL_NAMES.flatMap((k) => exportNames(spec(k)).map(([, n]) => n)));
    const unclaimed = [...exports.keys()].filter((n) => !claimed.has(n) && !NOT_KERNELS.includes(n));
    expect(unclaimed).toEqual([]);
  });

  it('the comparison sees a swapped, a renamed, a retyped and a missing parameter', () => {
    const lstm = spec('lstmForward');
    const entries = Object.entries(lstm.params);
    const variant = (f: (e: typeof entries) => typeof entries): KernelSpec => ({ ...lstm, params: Object.fromEntries(f(entries.slice())) });
    const swapped = variant((e) => [e[1], e[0], ...e.slice(2)]);
    const renamed = variant((e) => e.map(([n, p]) => [n === 'gates' ? 'gate' : n, p]));
    const retyped = variant((e) => e.map(([n, p]) => [n, n === 'act' ? { kind: 'f32' } : p]));
    const missing = variant((e) => e.filter(([n]) => n !== 'recAct'));
    for (const [label, s] of [
      ['swapped', swapped],
      ['renamed', renamed],
      ['retyped', retyped],
      ['missing', missing],
    ] as const) {
      expect(compareWithExports('lstmForward', s, exports), label).toHaveLength(1);
    }
    expect(compareWithExports('x', { ...lstm, wasm: 'lstm_sideways_f32' }, exports)).toEqual(['x: no export lstm_sideways_f32']);
    expect(compareWithExports('x', { ...lstm, returns: 'f64' }, exports)).toHaveLength(1);
  });

  it('the instantiated exports take as many arguments as the table lists (both builds)', async () => {
    const { simd, relaxed } = await embeddedModules();
    for (const bytes of [simd, relaxed]) {
      const { instance } = await WebAssembly.instantiate(bytes, {});
      const x = instance.exports as Record<string, unknown>;
      for (const k of KERNEL_NAMES) {
        for (const [, name] of exportNames(spec(k))) {
          expect((x[name] as (...a: number[]) => unknown).length, name).toBe(wasmParams(spec(k)).length);
        }
      }
    }
  });
});

describe('kernel table consistency', () => {
  it("every shape string parses and uses only the entry's dimensions", () => {
    for (const k of KERNEL_NAMES) {
      const s = spec(k);
      const dims: Record<string, unknown> = {};
      for (const [n, p] of Object.entries(s.params)) {
        if (p.kind === 'dim') dims[n] = 3;
        if (p.kind === 'bool') dims[n] = false;
        if (p.kind === 'select') dims[n] = p.options[0];
        if (p.kind === 'i32') dims[n] = 0;
      }
      for (const [n, p] of Object.entries(s.params)) {
        if (p.kind !== 'buf') continue;
        for (const flag of [false, true]) {
          const a = {
            ...dims,
            ...Object.fromEntries(
              Object.entries(dims)
                .filter(([, v]) => typeof v === 'boolean')
                .map(([d]) => [d, flag]),
            ),
          };
          const shape = typeof p.shape === 'function' ? p.shape(a) : p.shape;
          expect(shapeCount(shape, a), `${k}.${n} '${shape}'`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('every entry has a shape line (the doc comment above it), and recurrent dims are >= 1', () => {
    const docs = entryDocs();
    for (const k of KERNEL_NAMES) {
      expect(docs.get(k)?.length ?? 0, `${k}: no /** shape line */ above its entry in src/backend/contract/`).toBeGreaterThan(10);
      for (const [n, p] of Object.entries(spec(k).params)) {
        if (p.kind === 'dim' && /^(lstm|gru|simpleRnn)/.test(k) && 'BTIH'.includes(n)) expect(p.min, `${k}.${n}`).toBe(1);
      }
    }
  });

  it('the twin and the wasm backend have a method for every entry, and nothing else', async () => {
    const { simd } = await embeddedModules();
    const { instance } = await WebAssembly.instantiate(simd, {});
    const kernels = [new JsKernels(), new WasmKernels(instance.exports as unknown as WasmExports)];
    for (const be of kernels) {
      const methods = Object.keys(be).filter((n) => typeof (be as unknown as Record<string, unknown>)[n] === 'function');
      expect(methods.sort(), be.name).toEqual([...KERNEL_NAMES].sort());
    }
    expect(Object.keys(KERNELS)).toEqual(KERNEL_NAMES);
  });
});
