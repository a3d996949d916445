/**
 * The LSTM kernels (assembly/lstm.ts) as raw ops: the forward against a
 * direct transcription of Keras LSTMCell (and TF's PeepholeLSTMCell),
 * float64 finite differences of every gradient output on the twin (dx, dwx,
 * dwh, dbias, dpeep, dh0, dc0), and the wasm builds against the twin over
 * awkward sizes with the `=` / `+=` contract checked.
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
  kind: 'lstm', B: 2, T: 3, I: 3, H: 5, goBackwards: false, act: ACT_TANH, recAct: ACT_SIGMOID, peep: false,
  bias: true, mask: false, dhseq: true, dhT: true, dx: true, dh0: true,
};

/**
 * Keras LSTMCell.call, one step and one batch row at a time: z = x·kernel +
 * h·recurrent_kernel + bias split into i, f, c, o; with peepholes i and f
 * also see c_{t-1} and o sees c_t. Returns hseq and cseq in input order.
 */
function kerasLstm(s: OpSpec, d: OpData): { h: Float64Array; c: Float64Array } {
  const { B, T, I, H } = s;
  const G = 4 * H;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const hs = new Float64Array(B * T * H);
  const cs = new Float64Array(B * T * H);
  for (let b = 0; b < B; b++) {
    let h = Array.from(d.h0.subarray(b * H, b * H + H));
    let c = Array.from(d.c0.subarray(b * H, b * H + H));
    for (let s_ = 0; s_ < T; s_++) {
      const t = s.goBackwards ? T - 1 - s_ : s_;
      const at = (b * T + t) * H;
      if (s.mask && d.mask[b * T + t] === 0) {
        hs.set(h, at);
        cs.set(c, at);
        continue;
      }
      const x = d.x.subarray((b * T + t) * I, (b * T + t) * I + I);
      const z = Array.from({ length: G }, (_, j) => (s.bias ? d.bias[j] : 0)
        + x.reduce((a, xi, i) => a + xi * d.wx[i * G + j], 0)
        + h.reduce((a, hi, i) => a + hi * d.wh[i * G + j], 0));
      const p = (k: number, j: number) => (s.peep ? d.peep[k * H + j] : 0);
      const ig = c.map((cp, j) => sig(z[j] + p(0, j) * cp));
      const fg = c.map((cp, j) => sig(z[H + j] + p(1, j) * cp));
      const g = c.map((_, j) => Math.tanh(z[2 * H + j]));
      c = c.map((cp, j) => fg[j] * cp + ig[j] * g[j]);
      const og = c.map((cv, j) => sig(z[3 * H + j] + p(2, j) * cv));
      h = c.map((cv, j) => og[j] * Math.tanh(cv));
      hs.set(h, at);
      cs.set(c, at);
    }
  }
  return { h: hs, c: cs };
}

describe('lstm kernels', () => {
  it('the forward equals a transcription of Keras LSTMCell (peepholes, goBackwards, masks, no bias)', () => {
    let k = 0;
    for (const peep of [false, true]) {
      for (const goBackwards of [false, true]) {
        for (const mask of [false, true]) {
          for (const bias of [true, false]) {
            const spec: OpSpec = { ...base, B: 3, T: 4, I: 3, H: 6, peep, goBackwards, mask, bias };
            const d = opData(spec, 70 + k++);
            const want = kerasLstm(spec, d);
            for (const be of [js, ...wasm]) {
              const r = runOp(be, spec, d);
              const label = `${be.name} peep=${peep} goBackwards=${goBackwards} mask=${mask} bias=${bias}`;
              expectClose(r.hseq, want.h, { atol: 1e-6, label: `${label} h` });
              expectClose(r.cseq!, want.c, { atol: 2e-6, label: `${label} c` });
            }
          }
        }
      }
    }
  });

  it('float64 finite differences: dx, dwx, dwh, dbias, dpeep, dh0, dc0 for every option', () => {
    const cases: Array<[string, Partial<OpSpec>]> = [
      ['defaults', {}],
      ['peepholes', { peep: true }],
      ['peepholes, goBackwards, masked', { peep: true, goBackwards: true, mask: true }],
      ['no bias, only dhT and dcT, T=1', { bias: false, dhseq: false, T: 1 }],
      ['relu / hardSigmoid, masked, only dhseq', { act: ACT_RELU, recAct: ACT_HARD_SIGMOID, mask: true, dhT: false }],
      ['linear, H=4', { act: ACT_LINEAR, H: 4, peep: true }],
    ];
    cases.forEach(([label, o], k) => {
      // the twin has no vector lanes: small sizes cover it (tails are the parity test's job)
      const spec = { ...base, I: 2, H: 3, ...o };
      opGradCheck(spec, opData(spec, 30 + k), label);
    });
  });

  it('every wasm build equals the twin over awkward sizes (=, +=, absent outputs untouched)', () => {
    let n = 0;
    for (const H of [1, 3, 4, 5, 8, 9, 16, 17, 33]) {
      for (const [B, T, I] of [[1, 1, 1], [3, 4, 7], [5, 2, 16]]) {
        const spec: OpSpec = {
          ...base, B, T, I, H, peep: n % 3 === 1,
          goBackwards: n % 2 === 1, mask: n % 3 !== 0, bias: n % 4 !== 3,
          act: [ACT_TANH, ACT_RELU, ACT_TANH, ACT_LINEAR][n % 4],
          recAct: n % 5 === 1 ? ACT_HARD_SIGMOID : ACT_SIGMOID,
          dhseq: n % 5 !== 4, dhT: n % 5 !== 2, dx: n % 3 !== 2, dh0: n % 2 === 0,
        };
        const d = opData(spec, 300 + n++);
        const want = runOp(js, spec, d);
        expect(want.strayWrites, `twin ${JSON.stringify(spec)}`).toEqual([]);
        for (const be of wasm) {
          const got = runOp(be, spec, d);
          const label = `${be.name} H=${H} B=${B} T=${T} I=${I} peep=${spec.peep}`;
          expect(got.strayWrites, label).toEqual([]);
          for (const k of ['hseq', 'cseq', 'gates', 'dx', 'dwx', 'dwh', 'dbias', 'dpeep', 'dh0', 'dc0'] as const) {
            expect(!!got[k], `${label} ${k} present`).toBe(!!want[k]);
            const tol = k === 'hseq' || k === 'cseq' || k === 'gates' ? { atol: 1e-6, rtol: 1e-5 } : { atol: 1e-5, rtol: 1e-4 };
            if (want[k]) expectClose(got[k]!, want[k]!, { ...tol, label: `${label} ${k}` });
          }
        }
      }
    }
  });
});
