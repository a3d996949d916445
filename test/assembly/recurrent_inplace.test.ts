/**
 * The recurrent forwards read wh in place at a few rows and a short
 * sequence (assembly/recurrent.ts whInPlace: B <= 4, T <= 3) and pack it
 * otherwise (at B = 1 into 28-column strips, packRecurrent). Both must give the same bits: the first three steps of a
 * four-step run (packed) equal a three-step run (in place), and a row of a
 * five-row batch (packed) equals the same row run alone (in place).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ACT_SIGMOID, ACT_TANH } from '../../src/backend/abi.js';
import type { Backend } from '../../src/backend/backend.js';
import { loadBackends } from '../backends.js';
import { opData, runOp, type OpData, type OpSpec } from './recurrent_ops.js';

let wasm: Backend[];
beforeAll(async () => {
  ({ wasm } = await loadBackends());
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** d's (B,T,·) step arrays cut to steps [0, T2) and rows [0, B2). */
function cut(s: OpSpec, d: OpData, B2: number, T2: number): OpData {
  const steps = (a: Float32Array, w: number) => {
    const out = new Float32Array(B2 * T2 * w);
    for (let b = 0; b < B2; b++) out.set(a.subarray(b * s.T * w, b * s.T * w + T2 * w), b * T2 * w);
    return out;
  };
  return {
    ...d,
    x: steps(d.x, s.I), mask: steps(d.mask, 1), dhseq: steps(d.dhseq, s.H),
    h0: d.h0.slice(0, B2 * s.H), c0: d.c0.slice(0, B2 * s.H), dhT: d.dhT.slice(0, B2 * s.H), dcT: d.dcT.slice(0, B2 * s.H),
  };
}

describe.each(['lstm', 'gru', 'rnn'] as const)('%s forward: wh in place or packed, same bits', (kind) => {
  it('three steps alone equal the first three of four; one row alone equals its row in a batch of five', () => {
    // H = 30: the RNN's 30 gate columns end 2 past a lane-4 start of the one-row
    // kernel; B = 1 from T = 4 reads wh from 28-column strips (H = 260: two KC blocks)
    for (const H of [5, 30, 32, 37, 260]) for (const resetAfter of kind === 'gru' ? [false, true] : [false]) {
      const spec: OpSpec = {
        kind, B: 5, T: 4, I: 6, H, goBackwards: false, act: ACT_TANH, recAct: ACT_SIGMOID, resetAfter, peep: false,
        bias: true, mask: false, dhseq: true, dhT: true, dx: true, dh0: true,
      };
      const d = opData(spec, 900 + H);
      for (const be of wasm) {
        const full = runOp(be, spec, d).hseq;
        for (const [B2, T2] of [[5, 3], [1, 4], [1, 3], [3, 2]]) {
          const part = runOp(be, { ...spec, B: B2, T: T2 }, cut(spec, d, B2, T2)).hseq;
          const want = bits(cutRows(full, spec.T, H, B2, T2));
          expect(bits(part), `${be.name} ${kind} H=${H} resetAfter=${resetAfter} B=${B2} T=${T2}`).toEqual(want);
        }
      }
    }
  });
});

/** hseq (B,T,H) cut to rows [0, B2) and steps [0, T2). */
function cutRows(h: Float32Array, T: number, H: number, B2: number, T2: number): Float32Array {
  const out = new Float32Array(B2 * T2 * H);
  for (let b = 0; b < B2; b++) out.set(h.subarray(b * T * H, b * T * H + T2 * H), b * T2 * H);
  return out;
}
