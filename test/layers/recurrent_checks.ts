/**
 * Checks shared by the SimpleRNN, GRU and Bidirectional suites: the same
 * model on the twin and on every wasm build (outputs and all gradients), and
 * the invariants every recurrent layer must keep (masked padding changes
 * nothing; a stateful step-by-step run equals the whole sequence).
 */
import { expect } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, layers, tensor, Tensor } from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { Rng, expectClose, randomArray } from '../util.js';

export function floatInput(B: number, T: number, I: number, seed = 1): Tensor {
  return new Tensor(randomArray(new Rng(seed), B * T * I, -1, 1), [B, T, I]);
}

/** Random ids in [1, vocab) with about 30% zeros (padding) after the first step. */
export function maskedIds(rng: Rng, B: number, T: number, vocab: number): Tensor {
  return new Tensor(
    Int32Array.from({ length: B * T }, (_, i) => (i % T !== 0 && rng.next() < 0.3 ? 0 : 1 + rng.int(vocab - 1))),
    [B, T],
  );
}

/**
 * Build `make()` on the twin and on every wasm build with the same seed,
 * predict x, take gradients for random dy; outputs and every gradient (weights
 * and float input) must agree with the twin.
 */
export async function parityAcrossBackends(label: string, make: () => Sequential, x: Tensor, withStates = false): Promise<void> {
  const results: { out: Float32Array[]; grads: Float32Array[] }[] = [];
  for (const name of ['js', 'wasm-simd', 'wasm-relaxed-simd'] as const) {
    setBackend(await createBackend({ backend: name }));
    const rng = new Rng(77);
    const m = make();
    const out = m.predict(x);
    const outs = Array.isArray(out) ? out : [out];
    const dy = outs.map((t) => new Tensor(randomArray(rng, t.data.length), t.shape));
    const g = m.gradients(x, withStates ? dy : dy[0]);
    results.push({
      out: outs.map((t) => t.data as Float32Array),
      grads: [...g.weights, ...(g.input ? [g.input] : [])].map((t) => t.data as Float32Array),
    });
    m.dispose();
  }
  const [want, ...got] = results;
  expect(want.grads.length).toBeGreaterThan(0);
  for (const r of got) {
    r.out.forEach((a, k) => expectClose(a, want.out[k], { atol: 2e-6, rtol: 1e-5, label: `${label} output ${k}` }));
    r.grads.forEach((a, k) => expectClose(a, want.grads[k], { atol: 1e-5, rtol: 1e-4, label: `${label} gradient ${k}` }));
  }
  expect(got.length).toBe(2);
}

/**
 * Pre- or post-padding with masked ids changes nothing: the padded batch's
 * final output equals the unpadded sequence's.
 */
export async function paddingChangesNothing(makeRnn: () => Layer): Promise<void> {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
  const mk = () => new Sequential({ seed: 9, layers: [layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }), makeRnn()] });
  const plain = (mk().predict(tensor([[3, 7, 2]], undefined, 'int32')) as Tensor).data;
  for (const padded of [
    [0, 0, 0, 3, 7, 2],
    [3, 7, 2, 0, 0],
    [0, 3, 0, 7, 2, 0],
  ]) {
    const y = (mk().predict(tensor([padded], undefined, 'int32')) as Tensor).data;
    expectClose(y, plain, { atol: 1e-6, label: `padded ${padded}` });
  }
}

/**
 * A stateful layer fed one step at a time gives the whole-sequence outputs,
 * and resetStates starts over.
 */
export async function steppingEqualsWhole(makeRnn: (o: { stateful: boolean; T: number }) => Layer): Promise<void> {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
  const T = 6;
  const B = 2;
  const I = 3;
  const whole = new Sequential({ seed: 4, layers: [makeRnn({ stateful: false, T })] });
  const x = floatInput(B, T, I, 8);
  const full = whole.predict(x) as Tensor;
  const H = full.shape[2];
  const stepper = new Sequential({ seed: 4, layers: [makeRnn({ stateful: true, T: 1 })] });
  const stepAt = (t: number) => {
    const xt = new Float32Array(B * I);
    for (let b = 0; b < B; b++) xt.set(x.data.subarray((b * T + t) * I, (b * T + t) * I + I) as Float32Array, b * I);
    return stepper.predict(new Tensor(xt, [B, 1, I])) as Tensor;
  };
  for (let t = 0; t < T; t++) {
    const yt = stepAt(t);
    for (let b = 0; b < B; b++) {
      expectClose(yt.data.subarray(b * H, b * H + H), full.data.subarray((b * T + t) * H, (b * T + t) * H + H), {
        atol: 1e-6,
        label: `t=${t} b=${b}`,
      });
    }
  }
  stepper.resetStates();
  const first = stepAt(0);
  expectClose(first.data.subarray(0, H), full.data.subarray(0, H), { atol: 1e-6, label: 'after reset' });
}
