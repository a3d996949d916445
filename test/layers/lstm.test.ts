/**
 * LSTM: float64 finite-difference gradient checks on the twin for every
 * option (every weight, the input, T in {1, 2, 5}), masking and state
 * invariants, then the wasm builds' forward and backward against the twin.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, layers, tensor, Tensor } from '../../src/index.js';
import type { LstmOptions } from '../../src/layers/lstm.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';

afterAll(() => setBackend(null as never));

function floatInput(B: number, T: number, I: number, seed = 1): Tensor {
  return new Tensor(randomArray(new Rng(seed), B * T * I, -1, 1), [B, T, I]);
}

function lstmModel(I: number, T: number, o: Partial<LstmOptions>, seed = 3): Sequential {
  return new Sequential({ seed, layers: [layers.lstm({ units: 3, inputShape: [T, I], ...o })] });
}

describe('LSTM gradients (float64 twin, centred differences)', () => {
  const configs: Array<[string, Partial<LstmOptions>]> = [
    ['defaults', {}],
    ['returnSequences', { returnSequences: true }],
    ['goBackwards', { goBackwards: true }],
    ['goBackwards + returnSequences', { goBackwards: true, returnSequences: true }],
    ['peephole', { peephole: true, returnSequences: true }],
    ['no bias, no unitForgetBias', { useBias: false, unitForgetBias: false }],
    ['hardSigmoid / relu', { recurrentActivation: 'hardSigmoid', activation: 'relu', returnSequences: true }],
    ['units not a multiple of 4', { units: 5, returnSequences: true, peephole: true }],
  ];
  for (const T of [1, 2, 5]) {
    for (const [label, o] of configs) {
      it(`${label}, T=${T}`, () => {
        useFloat64Twin();
        gradCheck(lstmModel(4, T, o), floatInput(2, T, 4));
      });
    }
  }

  it('returnState: gradients through the final h and c outputs', () => {
    useFloat64Twin();
    const m = lstmModel(3, 4, { returnState: true });
    gradCheck(m, floatInput(2, 4, 3), { stateDy: true });
  });

  it('masked steps (Embedding maskZero) with goBackwards and peepholes', () => {
    for (const goBackwards of [false, true]) {
      useFloat64Twin();
      const m = new Sequential({
        seed: 5,
        layers: [
          layers.embedding({ inputDim: 7, outputDim: 4, maskZero: true, inputLength: 5 }),
          layers.lstm({ units: 3, returnSequences: true, goBackwards, peephole: true }),
          layers.lstm({ units: 2 }),
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

describe('LSTM invariants', () => {
  it('masked padding changes nothing: pre-padded input == the unpadded sequence', async () => {
    setBackend(await createBackend({ backend: 'js' }));
    const mk = () =>
      new Sequential({ seed: 9, layers: [layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }), layers.lstm({ units: 5 })] });
    const a = mk();
    const b = mk();
    const padded = a.predict(tensor([[0, 0, 0, 3, 7, 2]], undefined, 'int32')) as Tensor;
    const plain = b.predict(tensor([[3, 7, 2]], undefined, 'int32')) as Tensor;
    expectClose(padded.data, plain.data, { atol: 1e-6, label: 'padded vs plain' });
  });

  it('step-by-step stateful run == the whole sequence', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const T = 6;
    const whole = new Sequential({ seed: 4, layers: [layers.lstm({ units: 5, returnSequences: true, inputShape: [T, 3] })] });
    const x = floatInput(2, T, 3, 8);
    const full = whole.predict(x) as Tensor;
    const stepper = new Sequential({
      seed: 4,
      layers: [layers.lstm({ units: 5, returnSequences: true, stateful: true, inputShape: [1, 3] })],
    });
    for (let t = 0; t < T; t++) {
      const xt = new Float32Array(2 * 3);
      for (let b = 0; b < 2; b++) xt.set(x.data.subarray((b * T + t) * 3, (b * T + t) * 3 + 3) as Float32Array, b * 3);
      const yt = stepper.predict(new Tensor(xt, [2, 1, 3])) as Tensor;
      for (let b = 0; b < 2; b++) {
        expectClose(yt.data.subarray(b * 5, b * 5 + 5), full.data.subarray((b * T + t) * 5, (b * T + t) * 5 + 5), {
          atol: 1e-6,
          label: `t=${t} b=${b}`,
        });
      }
    }
    // resetStates starts over: the first step again
    stepper.resetStates();
    const first = stepper.predict(
      new Tensor(Float32Array.from([0, 1, 2, 3, 4, 5].map((i) => x.data[Math.floor(i / 3) * T * 3 + (i % 3)])), [2, 1, 3]),
    ) as Tensor;
    expectClose(first.data.subarray(0, 5), full.data.subarray(0, 5), { atol: 1e-6, label: 'after reset' });
  });

  it('predictStep continues a non-stateful model from its last state', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const m = new Sequential({
      seed: 2,
      layers: [
        layers.embedding({ inputDim: 12, outputDim: 4 }),
        layers.lstm({ units: 6, returnSequences: true }),
        layers.dense({ units: 12, activation: 'softmax' }),
      ],
    });
    const seq = [3, 1, 4, 1, 5];
    const full = m.predict(tensor([seq], undefined, 'int32')) as Tensor;
    m.resetStates();
    for (let t = 0; t < seq.length; t++) {
      const p = m.predictStep(tensor([[seq[t]]], undefined, 'int32'));
      expectClose(p.data, full.data.subarray(t * 12, t * 12 + 12), { atol: 1e-6, label: `step ${t}` });
    }
  });
});

describe('LSTM on every wasm build equals the twin', () => {
  const cases: Array<[string, Partial<LstmOptions>, number, number, number, boolean]> = [
    // label, options, B, T, I, masked
    ['H=1 I=1', { units: 1 }, 1, 1, 1, false],
    ['H=3 odd tails', { units: 3, returnSequences: true }, 3, 4, 5, false],
    ['H=5 peephole goBackwards', { units: 5, peephole: true, goBackwards: true, returnSequences: true }, 5, 7, 3, false],
    ['H=16 masked', { units: 16, returnSequences: true }, 4, 9, 8, true],
    ['H=17 masked goBackwards hardSigmoid', { units: 17, goBackwards: true, recurrentActivation: 'hardSigmoid' }, 7, 5, 9, true],
    ['H=33 returnState', { units: 33, returnState: true }, 9, 3, 17, false],
    ['H=64 B=33', { units: 64, returnSequences: true, peephole: true }, 33, 4, 16, true],
  ];
  for (const [label, o, B, T, I, masked] of cases) {
    it(label, async () => {
      const results: { out: Float32Array[]; grads: Float32Array[] }[] = [];
      for (const name of ['js', 'wasm-simd', 'wasm-relaxed-simd'] as const) {
        setBackend(await createBackend({ backend: name }));
        const rng = new Rng(B * 100 + T);
        const first = masked ? layers.embedding({ inputDim: 11, outputDim: I, maskZero: true, inputLength: T }) : null;
        const m = new Sequential({
          seed: 11,
          layers: [...(first ? [first] : []), layers.lstm({ ...(first ? {} : { inputShape: [T, I] }), units: 3, ...o })],
        });
        const x = masked
          ? new Tensor(
              Int32Array.from({ length: B * T }, () => (rng.next() < 0.3 ? 0 : 1 + rng.int(10))),
              [B, T],
            )
          : new Tensor(randomArray(rng, B * T * I, -2, 2), [B, T, I]);
        const out = m.predict(x);
        const outs = Array.isArray(out) ? out : [out];
        const dy = outs.map((t) => new Tensor(randomArray(rng, t.data.length), t.shape));
        const g = m.gradients(x, o.returnState ? dy : dy[0]);
        results.push({
          out: outs.map((t) => t.data as Float32Array),
          grads: [...g.weights, ...(g.input ? [g.input] : [])].map((t) => t.data as Float32Array),
        });
      }
      const [want, ...got] = results;
      for (const r of got) {
        r.out.forEach((a, k) => expectClose(a, want.out[k], { atol: 2e-6, rtol: 1e-5, label: `${label} output ${k}` }));
        r.grads.forEach((a, k) => expectClose(a, want.grads[k], { atol: 1e-5, rtol: 1e-4, label: `${label} gradient ${k}` }));
      }
      expect(got.length).toBe(2);
    });
  }
});
