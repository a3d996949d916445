/**
 * SimpleRNN: float64 finite-difference gradient checks on the twin for every
 * option (every weight, the input, T in {1, 2, 5}), masking and state
 * invariants, Keras weights and options, then the wasm builds' forward and
 * backward against the twin.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backend/load.js';
import { Sequential, layers, tensor, Tensor, WasmRnnError } from '../../src/index.js';
import type { SimpleRnnOptions } from '../../src/layers/simple_rnn.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose } from '../util.js';
import { floatInput, maskedIds, paddingChangesNothing, parityAcrossBackends, steppingEqualsWhole } from './recurrent_checks.js';

afterAll(() => setBackend(null as never));

function rnnModel(I: number, T: number, o: Partial<SimpleRnnOptions>, seed = 3): Sequential {
  return new Sequential({ seed, layers: [layers.simpleRNN({ units: 3, inputShape: [T, I], ...o })] });
}

describe('SimpleRNN gradients (float64 twin, centred differences)', () => {
  const configs: Array<[string, Partial<SimpleRnnOptions>]> = [
    ['defaults', {}],
    ['returnSequences', { returnSequences: true }],
    ['goBackwards', { goBackwards: true }],
    ['goBackwards + returnSequences', { goBackwards: true, returnSequences: true }],
    ['no bias', { useBias: false }],
    ['relu', { activation: 'relu', returnSequences: true }],
    ['sigmoid', { activation: 'sigmoid' }],
    ['units not a multiple of 4', { units: 5, returnSequences: true }],
  ];
  for (const T of [1, 2, 5]) {
    for (const [label, o] of configs) {
      it(`${label}, T=${T}`, () => {
        useFloat64Twin();
        gradCheck(rnnModel(4, T, o), floatInput(2, T, 4));
      });
    }
  }

  it('returnState: gradients through the final h output too', () => {
    useFloat64Twin();
    gradCheck(rnnModel(3, 4, { returnState: true, returnSequences: true }), floatInput(2, 4, 3), { stateDy: true });
    gradCheck(rnnModel(3, 4, { returnState: true, goBackwards: true }), floatInput(2, 4, 3), { stateDy: true });
  });

  it('masked steps (Embedding maskZero), with and without goBackwards', () => {
    for (const goBackwards of [false, true]) {
      useFloat64Twin();
      const m = new Sequential({
        seed: 5,
        layers: [
          layers.embedding({ inputDim: 7, outputDim: 4, maskZero: true, inputLength: 5 }),
          layers.simpleRNN({ units: 3, returnSequences: true, goBackwards }),
          layers.simpleRNN({ units: 2 }),
        ],
      });
      gradCheck(
        m,
        tensor(
          [
            [0, 0, 3, 4, 5],
            [2, 0, 6, 0, 1],
          ],
          undefined,
          'int32',
        ),
        { maxPerWeight: 20 },
      );
    }
  });
});

describe('SimpleRNN semantics', () => {
  it('Keras weights: kernel (I,H), recurrent_kernel (H,H) orthogonal, bias (H) zeros; h_t = tanh(x·W + h·U + b)', () => {
    useFloat64Twin();
    const m = rnnModel(2, 3, { units: 4, returnSequences: true });
    const [w, u, b] = m.getWeights();
    expect([w.shape, u.shape, b.shape]).toEqual([[2, 4], [4, 4], [4]]);
    expect(Array.from(b.data)).toEqual([0, 0, 0, 0]);
    // orthogonal: U·Uᵀ = 1
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += u.data[i * 4 + k] * u.data[j * 4 + k];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 6);
      }
    const bias = Float32Array.from([0.1, -0.2, 0.3, 0]);
    m.setWeights([w, u, new Tensor(bias, [4])]);
    const x = floatInput(1, 3, 2, 4);
    const y = (m.predict(x) as Tensor).data;
    let h = [0, 0, 0, 0];
    for (let t = 0; t < 3; t++) {
      h = h.map((_, j) =>
        Math.tanh(
          bias[j] + x.data[t * 2] * w.data[j] + x.data[t * 2 + 1] * w.data[4 + j] + h.reduce((a, hk, k) => a + hk * u.data[k * 4 + j], 0),
        ),
      );
      expectClose(y.subarray(t * 4, t * 4 + 4), h, { atol: 1e-7, label: `t=${t}` });
    }
  });

  it('masked padding changes nothing (pre, post and inner padding; both directions)', async () => {
    await paddingChangesNothing(() => layers.simpleRNN({ units: 5 }));
    await paddingChangesNothing(() => layers.simpleRNN({ units: 5, goBackwards: true }));
  });

  it('step-by-step stateful run == the whole sequence', async () => {
    await steppingEqualsWhole(({ stateful, T }) => layers.simpleRNN({ units: 5, returnSequences: true, stateful, inputShape: [T, 3] }));
  });

  it('unknown or unsupported options are errors that name them', () => {
    for (const bad of ['dropout', 'recurrentDropout', 'kernelInitializer', 'unroll']) {
      expect(() => layers.simpleRNN({ units: 2, [bad]: 0.1 } as unknown as SimpleRnnOptions)).toThrow(
        new RegExp(`layers\\.simpleRNN.*${bad}`),
      );
    }
    expect(() => layers.simpleRNN({ units: 0 })).toThrow(WasmRnnError);
    expect(() => layers.simpleRNN({ units: 2, activation: 'softmax' as never })).toThrow(/activation/);
  });
});

describe('SimpleRNN on every wasm build equals the twin', () => {
  const cases: Array<[string, Partial<SimpleRnnOptions>, number, number, number, boolean]> = [
    // label, options, B, T, I, masked
    ['H=1 I=1', { units: 1 }, 1, 1, 1, false],
    ['H=3 odd tails', { units: 3, returnSequences: true }, 3, 4, 5, false],
    ['H=5 goBackwards relu', { units: 5, goBackwards: true, returnSequences: true, activation: 'relu' }, 5, 7, 3, false],
    ['H=16 masked', { units: 16, returnSequences: true }, 4, 9, 8, true],
    ['H=17 masked goBackwards', { units: 17, goBackwards: true }, 7, 5, 9, true],
    ['H=33 returnState', { units: 33, returnState: true }, 9, 3, 17, false],
    ['H=64 B=33', { units: 64, returnSequences: true }, 33, 4, 16, true],
  ];
  for (const [label, o, B, T, I, masked] of cases) {
    it(label, async () => {
      const rng = new Rng(B * 100 + T);
      const x = masked ? maskedIds(rng, B, T, 11) : floatInput(B, T, I, B + T);
      const make = () =>
        new Sequential({
          seed: 11,
          layers: [
            ...(masked ? [layers.embedding({ inputDim: 11, outputDim: I, maskZero: true, inputLength: T })] : []),
            layers.simpleRNN({ ...(masked ? {} : { inputShape: [T, I] }), units: 3, ...o }),
          ],
        });
      await parityAcrossBackends(label, make, x, !!o.returnState);
    });
  }
});
