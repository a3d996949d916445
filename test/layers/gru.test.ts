/**
 * GRU, both resetAfter forms: float64 finite-difference gradient checks on
 * the twin for every option (every weight, the input, T in {1, 2, 5}),
 * masking and state invariants, Keras weights, defaults and options, then the
 * wasm builds' forward and backward against the twin.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backend/load.js';
import { Sequential, layers, tensor, Tensor, WasmRnnError } from '../../src/index.js';
import type { GruOptions } from '../../src/layers/gru.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose } from '../util.js';
import { floatInput, maskedIds, paddingChangesNothing, parityAcrossBackends, steppingEqualsWhole } from './recurrent_checks.js';

afterAll(() => setBackend(null as never));

function gruModel(I: number, T: number, o: Partial<GruOptions>, seed = 3): Sequential {
  return new Sequential({ seed, layers: [layers.gru({ units: 3, inputShape: [T, I], ...o })] });
}

/** Non-zero biases, so that the input and recurrent bias paths are exercised. */
function randomizeBias(m: Sequential, seed: number): void {
  const rng = new Rng(seed);
  m.setWeights(
    m.getWeights().map((w, k) =>
      k === 2
        ? new Tensor(
            Float32Array.from(w.data, () => rng.uniform(-0.5, 0.5)),
            w.shape,
          )
        : w,
    ),
  );
}

describe('GRU gradients (float64 twin, centred differences)', () => {
  const configs: Array<[string, Partial<GruOptions>]> = [
    ['defaults', {}],
    ['returnSequences', { returnSequences: true }],
    ['goBackwards', { goBackwards: true }],
    ['goBackwards + returnSequences', { goBackwards: true, returnSequences: true }],
    ['no bias', { useBias: false }],
    ['hardSigmoid / relu', { recurrentActivation: 'hardSigmoid', activation: 'relu', returnSequences: true }],
    ['units not a multiple of 4', { units: 5, returnSequences: true }],
  ];
  for (const resetAfter of [true, false]) {
    for (const T of [1, 2, 5]) {
      for (const [label, o] of configs) {
        it(`resetAfter=${resetAfter}: ${label}, T=${T}`, () => {
          useFloat64Twin();
          const m = gruModel(4, T, { resetAfter, ...o });
          if (o.useBias !== false) randomizeBias(m, T);
          gradCheck(m, floatInput(2, T, 4));
        });
      }
    }
  }

  it('returnState: gradients through the final h output too', () => {
    for (const resetAfter of [true, false]) {
      useFloat64Twin();
      gradCheck(gruModel(3, 4, { resetAfter, returnState: true, returnSequences: true }), floatInput(2, 4, 3), { stateDy: true });
    }
  });

  it('masked steps (Embedding maskZero), both resetAfter, with and without goBackwards', () => {
    for (const resetAfter of [true, false]) {
      for (const goBackwards of [false, true]) {
        useFloat64Twin();
        const m = new Sequential({
          seed: 5,
          layers: [
            layers.embedding({ inputDim: 7, outputDim: 4, maskZero: true, inputLength: 5 }),
            layers.gru({ units: 3, returnSequences: true, goBackwards, resetAfter }),
            layers.gru({ units: 2, resetAfter }),
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
    }
  });
});

describe('GRU semantics', () => {
  it('Keras weights and defaults: kernel (I,3H), recurrent_kernel (H,3H), bias (2,3H) for resetAfter (the default) else (3H)', () => {
    useFloat64Twin();
    const g = layers.gru({ units: 4 });
    expect(g.resetAfter).toBe(true);
    expect(g.recurrentActivation).toBe('sigmoid');
    expect(g.activation).toBe('tanh');
    expect(g.getConfig()).toMatchObject({ resetAfter: true, recurrentActivation: 'sigmoid', activation: 'tanh' });
    const shapes = (m: Sequential) => m.getWeights().map((w) => w.shape);
    expect(shapes(gruModel(2, 3, { units: 4 }))).toEqual([
      [2, 12],
      [4, 12],
      [2, 12],
    ]);
    expect(shapes(gruModel(2, 3, { units: 4, resetAfter: false }))).toEqual([[2, 12], [4, 12], [12]]);
    expect(shapes(gruModel(2, 3, { units: 4, useBias: false }))).toEqual([
      [2, 12],
      [4, 12],
    ]);
    const [, u, b] = gruModel(2, 3, { units: 4 }).getWeights();
    expect(Array.from(b.data).every((v) => v === 0)).toBe(true);
    // orthogonal (H, 3H): orthonormal rows
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let k = 0; k < 12; k++) s += u.data[i * 12 + k] * u.data[i * 12 + k];
      expect(s).toBeCloseTo(1, 6);
    }
  });

  it('the recurrent bias (resetAfter) acts on all three gates: one hand-computed step', () => {
    useFloat64Twin();
    // I = 1, H = 1, T = 1, h0 = 0: h = (1-z)·hh with z = σ(x·Wz + bz + b'z),
    // hh = tanh(x·Wh + bh + r·b'h), r = σ(x·Wr + br + b'r)
    const m = gruModel(1, 1, { units: 1 });
    const W = [0.5, -0.4, 0.9];
    const bIn = [0.1, 0.2, -0.3];
    const bRec = [-0.2, 0.3, 0.7];
    m.setWeights([
      new Tensor(Float32Array.from(W), [1, 3]),
      new Tensor(Float32Array.from([1, 1, 1]), [1, 3]),
      new Tensor(Float32Array.from([...bIn, ...bRec]), [2, 3]),
    ]);
    const x = 0.8;
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const z = sig(x * W[0] + bIn[0] + bRec[0]);
    const r = sig(x * W[1] + bIn[1] + bRec[1]);
    const hh = Math.tanh(x * W[2] + bIn[2] + r * bRec[2]);
    const y = (m.predict(new Tensor(Float32Array.from([x]), [1, 1, 1])) as Tensor).data;
    expectClose(y, [(1 - z) * hh], { atol: 1e-7, label: 'h' });
  });

  it('masked padding changes nothing (pre, post and inner padding; both directions, both resetAfter)', async () => {
    for (const resetAfter of [true, false]) {
      await paddingChangesNothing(() => layers.gru({ units: 5, resetAfter }));
      await paddingChangesNothing(() => layers.gru({ units: 5, resetAfter, goBackwards: true }));
    }
  });

  it('step-by-step stateful run == the whole sequence (both resetAfter)', async () => {
    for (const resetAfter of [true, false]) {
      await steppingEqualsWhole(({ stateful, T }) =>
        layers.gru({ units: 5, resetAfter, returnSequences: true, stateful, inputShape: [T, 3] }),
      );
    }
  });

  it('unknown or unsupported options are errors that name them', () => {
    for (const bad of ['dropout', 'recurrentDropout', 'kernelInitializer', 'implementation', 'reset_after']) {
      expect(() => layers.gru({ units: 2, [bad]: 1 } as unknown as GruOptions)).toThrow(new RegExp(`layers\\.gru.*${bad}`));
    }
    expect(() => layers.gru({ units: 2, resetAfter: 1 as never })).toThrow(/resetAfter/);
    expect(() => layers.gru({ units: 2, recurrentActivation: 'swish' as never })).toThrow(WasmRnnError);
  });
});

describe('GRU on every wasm build equals the twin', () => {
  const cases: Array<[string, Partial<GruOptions>, number, number, number, boolean]> = [
    // label, options, B, T, I, masked
    ['H=1 I=1', { units: 1 }, 1, 1, 1, false],
    ['H=3 odd tails', { units: 3, returnSequences: true }, 3, 4, 5, false],
    ['H=5 goBackwards resetAfter=false', { units: 5, goBackwards: true, returnSequences: true, resetAfter: false }, 5, 7, 3, false],
    ['H=16 masked', { units: 16, returnSequences: true }, 4, 9, 8, true],
    [
      'H=17 masked goBackwards hardSigmoid resetAfter=false',
      { units: 17, goBackwards: true, recurrentActivation: 'hardSigmoid', resetAfter: false },
      7,
      5,
      9,
      true,
    ],
    ['H=33 returnState', { units: 33, returnState: true }, 9, 3, 17, false],
    ['H=64 B=33 masked resetAfter=false', { units: 64, returnSequences: true, resetAfter: false }, 33, 4, 16, true],
    ['H=65 no bias', { units: 65, useBias: false, returnSequences: true }, 3, 3, 4, false],
  ];
  for (const [label, o, B, T, I, masked] of cases) {
    it(label, async () => {
      const rng = new Rng(B * 100 + T);
      const x = masked ? maskedIds(rng, B, T, 11) : floatInput(B, T, I, B + T);
      const make = () => {
        const m = new Sequential({
          seed: 11,
          layers: [
            ...(masked ? [layers.embedding({ inputDim: 11, outputDim: I, maskZero: true, inputLength: T })] : []),
            layers.gru({ ...(masked ? {} : { inputShape: [T, I] }), units: 3, ...o }),
          ],
        });
        if (o.useBias !== false) randomizeBias(m, 3);
        return m;
      };
      await parityAcrossBackends(label, make, x, !!o.returnState);
    });
  }
});
