/**
 * The GRU kernels (assembly/gru.ts) as raw ops, both resetAfter forms: the
 * forward against a direct transcription of the Keras equations, float64
 * finite differences of every gradient output on the twin, and the wasm
 * builds against the twin over awkward sizes with the `=` / `+=` contract
 * checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ACT_HARD_SIGMOID, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../../src/backend/abi.js';
import type { Backend } from '../../src/backend/backend.js';
import { loadBackends } from '../backends.js';
import { expectClose } from '../util.js';
import { opData, opGradCheck, runOp, type OpData, type OpSpec } from './recurrent_ops.js';

let js: Backend;
let wasm: Backend[];
beforeAll(async () => {
  ({ js, wasm } = await loadBackends());
});

const base: OpSpec = {
  kind: 'gru', B: 2, T: 3, I: 3, H: 5, goBackwards: false, act: ACT_TANH, recAct: ACT_SIGMOID, resetAfter: true,
  bias: true, mask: false, dhseq: true, dhT: true, dx: true, dh0: true,
};

/**
 * Keras GRUCell.call, transcribed one step and one batch row at a time
 * (kernel (I,3H) and recurrent_kernel (H,3H) split into z, r, h blocks).
 */
function kerasGru(s: OpSpec, d: OpData): Float64Array {
  const { B, T, I, H } = s;
  const G = 3 * H;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const out = new Float64Array(B * T * H);
  for (let b = 0; b < B; b++) {
    let h = Array.from(d.h0.subarray(b * H, b * H + H));
    for (let s_ = 0; s_ < T; s_++) {
      const t = s.goBackwards ? T - 1 - s_ : s_;
      if (s.mask && d.mask[b * T + t] === 0) {
        out.set(h, (b * T + t) * H);
        continue;
      }
      const x = d.x.subarray((b * T + t) * I, (b * T + t) * I + I);
      // matrix_x = x·kernel + input_bias
      const mx = Array.from({ length: G }, (_, j) => (s.bias ? d.bias[j] : 0) + x.reduce((a, xi, i) => a + xi * d.wx[i * G + j], 0));
      const hU = (v: number[], j: number) => v.reduce((a, vi, i) => a + vi * d.wh[i * G + j], 0);
      const recBias = (j: number) => (s.bias && s.resetAfter ? d.bias[G + j] : 0);
      const z = h.map((_, j) => sig(mx[j] + hU(h, j) + recBias(j)));
      const r = h.map((_, j) => sig(mx[H + j] + hU(h, H + j) + recBias(H + j)));
      let hh: number[];
      if (s.resetAfter) {
        hh = h.map((_, j) => Math.tanh(mx[2 * H + j] + r[j] * (hU(h, 2 * H + j) + recBias(2 * H + j))));
      } else {
        const rh = h.map((v, j) => r[j] * v);
        hh = h.map((_, j) => Math.tanh(mx[2 * H + j] + hU(rh, 2 * H + j)));
      }
      h = h.map((v, j) => z[j] * v + (1 - z[j]) * hh[j]);
      out.set(h, (b * T + t) * H);
    }
  }
  return out;
}

describe('gru kernels', () => {
  it('the forward equals a transcription of Keras GRUCell (both resetAfter, goBackwards, masks)', () => {
    let k = 0;
    for (const resetAfter of [true, false]) {
      for (const goBackwards of [false, true]) {
        for (const mask of [false, true]) {
          for (const bias of [true, false]) {
            const spec: OpSpec = { ...base, B: 3, T: 4, I: 3, H: 6, resetAfter, goBackwards, mask, bias };
            const d = opData(spec, 50 + k++);
            const want = kerasGru(spec, d);
            for (const be of [js, ...wasm]) {
              const r = runOp(be, spec, d);
              expectClose(r.hseq, want, { atol: 1e-6, label: `${be.name} resetAfter=${resetAfter} goBackwards=${goBackwards} mask=${mask} bias=${bias}` });
            }
          }
        }
      }
    }
  });

  it('float64 finite differences: dx, dwx, dwh, dbias, dh0 for every option', () => {
    const cases: Array<[string, Partial<OpSpec>]> = [];
    for (const resetAfter of [true, false]) {
      cases.push(
        [`resetAfter=${resetAfter}`, { resetAfter }],
        [`resetAfter=${resetAfter} goBackwards masked`, { resetAfter, goBackwards: true, mask: true }],
        [`resetAfter=${resetAfter} no bias, only dhT, T=1`, { resetAfter, bias: false, dhseq: false, T: 1 }],
        [`resetAfter=${resetAfter} relu / hardSigmoid, masked, only dhseq`, { resetAfter, act: ACT_RELU, recAct: ACT_HARD_SIGMOID, mask: true, dhT: false }],
        [`resetAfter=${resetAfter} H=4 linear`, { resetAfter, H: 4, act: ACT_LINEAR }],
      );
    }
    cases.forEach(([label, o], k) => {
      // the twin has no vector lanes: small sizes cover it (tails are the parity test's job)
      const spec = { ...base, I: 2, H: 3, ...o };
      opGradCheck(spec, opData(spec, 20 + k), label);
    });
  });

  it('every wasm build equals the twin over awkward sizes (=, +=, absent outputs untouched)', () => {
    let n = 0;
    for (const H of [1, 3, 4, 5, 8, 9, 16, 17, 33]) {
      for (const [B, T, I] of [[1, 1, 1], [3, 4, 7], [5, 2, 16]]) {
        for (const resetAfter of [true, false]) {
          const spec: OpSpec = {
            ...base, B, T, I, H, resetAfter,
            goBackwards: n % 2 === 1, mask: n % 3 !== 0, bias: n % 4 !== 3,
            act: [ACT_TANH, ACT_RELU, ACT_TANH, ACT_LINEAR][n % 4],
            recAct: n % 5 === 1 ? ACT_HARD_SIGMOID : ACT_SIGMOID,
            dhseq: n % 5 !== 4, dhT: n % 5 !== 2, dx: n % 3 !== 2, dh0: n % 2 === 0,
          };
          const d = opData(spec, 200 + n++);
          const want = runOp(js, spec, d);
          expect(want.strayWrites, `twin ${JSON.stringify(spec)}`).toEqual([]);
          for (const be of wasm) {
            const got = runOp(be, spec, d);
            const label = `${be.name} resetAfter=${resetAfter} H=${H} B=${B} T=${T} I=${I}`;
            expect(got.strayWrites, label).toEqual([]);
            for (const k of ['hseq', 'gates', 'aux', 'dx', 'dwx', 'dwh', 'dbias', 'dh0'] as const) {
              expect(!!got[k], `${label} ${k} present`).toBe(!!want[k]);
              const tol = k === 'hseq' || k === 'gates' || k === 'aux' ? { atol: 1e-6, rtol: 1e-5 } : { atol: 1e-5, rtol: 1e-4 };
              if (want[k]) expectClose(got[k]!, want[k]!, { ...tol, label: `${label} ${k}` });
            }
          }
        }
      }
    }
  });
});
