/**
 * The SimpleRNN kernels (assembly/rnn.ts) as raw ops: a hand-computed case,
 * float64 finite differences of every gradient output on the twin, and the
 * wasm builds against the twin over awkward sizes with the `=` / `+=`
 * contract checked (NaN / random pre-fills, absent outputs left alone).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ACT_HARD_SIGMOID, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../../src/backend/abi.js';
import type { Backend } from '../../src/backend/backend.js';
import { loadBackends } from '../backends.js';
import { expectClose } from '../util.js';
import { opData, opGradCheck, runOp, type OpSpec } from './recurrent_ops.js';

let js: Backend;
let wasm: Backend[];
beforeAll(async () => {
  ({ js, wasm } = await loadBackends());
});

const base: OpSpec = {
  kind: 'rnn', B: 2, T: 3, I: 3, H: 5, goBackwards: false, act: ACT_TANH,
  bias: true, mask: false, dhseq: true, dhT: true, dx: true, dh0: true,
};

describe('simple_rnn kernels', () => {
  it('a hand-computed case: h_t = tanh(x_t·w + h_{t-1}·u + b), forwards and backwards', () => {
    // B=1, T=2, I=1, H=1
    const spec: OpSpec = { ...base, B: 1, T: 2, I: 1, H: 1, dhseq: false };
    const d = opData(spec, 1);
    d.x.set([0.5, -1]);
    d.wx[0] = 0.8;
    d.wh[0] = -0.6;
    d.bias[0] = 0.1;
    d.h0[0] = 0.3;
    for (const goBackwards of [false, true]) {
      const [first, second] = goBackwards ? [1, 0] : [0, 1];
      const h1 = Math.tanh(d.x[first] * 0.8 + 0.3 * -0.6 + 0.1);
      const h2 = Math.tanh(d.x[second] * 0.8 + h1 * -0.6 + 0.1);
      const want = new Float32Array(2);
      want[first] = h1;
      want[second] = h2;
      for (const be of [js, ...wasm]) {
        const r = runOp(be, { ...spec, goBackwards }, d);
        expectClose(r.hseq, want, { atol: 2e-7, label: `${be.name} goBackwards=${goBackwards}` });
        // dL/dh0 for L = dhT·h2
        const dh0 = d.dhT[0] * (1 - h2 * h2) * -0.6 * (1 - h1 * h1) * -0.6;
        expectClose(r.dh0!, [dh0], { atol: 1e-6, label: `${be.name} dh0` });
      }
    }
  });

  it('float64 finite differences: dx, dwx, dwh, dbias, dh0 for every option', () => {
    const cases: Array<[string, Partial<OpSpec>]> = [
      ['defaults', {}],
      ['goBackwards', { goBackwards: true }],
      ['masked', { mask: true }],
      ['masked goBackwards, no bias', { mask: true, goBackwards: true, bias: false }],
      ['sigmoid, only dhseq', { act: ACT_SIGMOID, dhT: false }],
      ['relu, only dhT', { act: ACT_RELU, dhseq: false, mask: true }],
      ['linear', { act: ACT_LINEAR }],
      ['hardSigmoid', { act: ACT_HARD_SIGMOID, goBackwards: true }],
      ['T=1', { T: 1 }],
    ];
    cases.forEach(([label, o], k) => {
      // the twin has no vector lanes: small sizes cover it (tails are the parity test's job)
      const spec = { ...base, I: 2, H: 3, ...o };
      opGradCheck(spec, opData(spec, 10 + k), label);
    });
  });

  it('every wasm build equals the twin over awkward sizes (=, +=, absent outputs untouched)', () => {
    let n = 0;
    for (const H of [1, 3, 4, 5, 8, 9, 16, 17, 33]) {
      for (const [B, T, I] of [[1, 1, 1], [3, 4, 7], [5, 2, 16]]) {
        const spec: OpSpec = {
          ...base, B, T, I, H,
          goBackwards: n % 2 === 1, mask: n % 3 !== 0, bias: n % 4 !== 3,
          act: [ACT_TANH, ACT_SIGMOID, ACT_RELU, ACT_LINEAR][n % 4],
          dhseq: n % 5 !== 4, dhT: n % 5 !== 2, dx: n % 3 !== 2, dh0: n % 2 === 0,
        };
        const d = opData(spec, 100 + n++);
        const want = runOp(js, spec, d);
        expect(want.strayWrites, `twin ${JSON.stringify(spec)}`).toEqual([]);
        for (const be of wasm) {
          const got = runOp(be, spec, d);
          const label = `${be.name} H=${H} B=${B} T=${T} I=${I}`;
          expect(got.strayWrites, label).toEqual([]);
          expectClose(got.hseq, want.hseq, { atol: 1e-6, rtol: 1e-5, label: `${label} hseq` });
          for (const k of ['dx', 'dwx', 'dwh', 'dbias', 'dh0'] as const) {
            expect(!!got[k], `${label} ${k} present`).toBe(!!want[k]);
            if (want[k]) expectClose(got[k]!, want[k]!, { atol: 1e-5, rtol: 1e-4, label: `${label} ${k}` });
          }
        }
      }
    }
  });
});
