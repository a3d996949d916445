/**
 * The relaxed-SIMD build is embedded as a delta from the SIMD build
 * (build/delta.mjs makes it, src/backend/delta.ts applies it): what init
 * loads must be asc's builds byte for byte, and the delta must round-trip
 * any pair of byte strings, related or not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeDelta } from '../../build/delta.mjs';
import { applyDelta } from '../../src/backend/delta.js';
import { embeddedModules } from '../../src/backend/load.js';
import { Rng } from '../util.js';

const gen = join(import.meta.dirname, '../../build/generated');

describe('the embedded builds', () => {
  it("are asc's SIMD and relaxed-SIMD builds byte for byte", async () => {
    const { simd, relaxed } = await embeddedModules();
    expect(Buffer.from(simd).equals(readFileSync(join(gen, 'wasm-rnn.simd.wasm')))).toBe(true);
    expect(Buffer.from(relaxed).equals(readFileSync(join(gen, 'wasm-rnn.relaxed.wasm')))).toBe(true);
    expect(Buffer.from(relaxed).equals(Buffer.from(simd))).toBe(false);
  });
});

/** `source` with random edits: bytes replaced, runs inserted and deleted, blocks moved. */
function edited(rng: Rng, source: Uint8Array, edits: number): Uint8Array {
  let b = Array.from(source);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rng.next() * (b.length + 1));
    const n = 1 + Math.floor(rng.next() * 40);
    const kind = Math.floor(rng.next() * 4);
    if (kind === 0) for (let i = at; i < Math.min(b.length, at + n); i++) b[i] = Math.floor(rng.next() * 256);
    else if (kind === 1) b.splice(at, 0, ...Array.from({ length: n }, () => Math.floor(rng.next() * 256)));
    else if (kind === 2) b.splice(at, n);
    else b = [...b.slice(at, at + n), ...b.slice(0, at), ...b.slice(at + n)];
  }
  return new Uint8Array(b);
}

describe('a delta', () => {
  it('turns the source into the target: edited copies, unrelated bytes, empty ends', () => {
    const rng = new Rng(7);
    const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 256));
    // few distinct bytes, so 6-byte keys repeat and matches compete
    const repetitive = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 3));
    const cases: [Uint8Array, Uint8Array][] = [
      [new Uint8Array(0), new Uint8Array(0)],
      [random(100), new Uint8Array(0)],
      [new Uint8Array(0), random(100)],
      [random(1000), random(1000)],
    ];
    for (const n of [5, 6, 7, 64, 3000]) {
      const s = random(n);
      cases.push([s, s], [s, edited(rng, s, 1)], [s, edited(rng, s, 20)]);
      const r = repetitive(n);
      cases.push([r, edited(rng, r, 10)]);
    }
    for (const [source, target] of cases) {
      const delta = encodeDelta(source, target);
      expect(Buffer.from(applyDelta(source, delta)).equals(Buffer.from(target)), `${source.length} -> ${target.length}`).toBe(true);
    }
  });

  it('is small for a lightly edited copy', () => {
    const rng = new Rng(3);
    const s = Uint8Array.from({ length: 20000 }, () => Math.floor(rng.next() * 256));
    expect(encodeDelta(s, edited(rng, s, 10)).length).toBeLessThan(600);
  });

  it('that does not fit its source, or is cut short, is refused', () => {
    const rng = new Rng(5);
    const s = Uint8Array.from({ length: 500 }, () => Math.floor(rng.next() * 256));
    const delta = encodeDelta(s, edited(rng, s, 3));
    expect(() => applyDelta(s.subarray(0, 100), delta)).toThrow(/does not fit its source/);
    expect(() => applyDelta(s, delta.subarray(0, delta.length - 3))).toThrow(/ends early|does not fit/);
    expect(() => applyDelta(s, new Uint8Array([...delta, 0]))).toThrow(/does not fit its source/);
  });
});
