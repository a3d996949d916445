/**
 * predictStep runs one step at a time with no history but recurrent states:
 * a layer that reads other steps (attention, a product across time steps,
 * learned positions) refuses with E_STATE before any state moves, as
 * Conv1D and pooling do, instead of silently giving other numbers than
 * predict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Tensor, WasmRnnError, input, layers, model } from '../../src/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';

beforeAll(async () => setBackend(await createBackend({ backend: 'js' })));
afterAll(() => setBackend(null as never));

const step = new Tensor(Float32Array.from([0.5, -1, 0.25, 2, 1, 0, -0.5, 0.75]), [2, 1, 4]);

/** A model over (batch, timesteps, 4) floats whose recurrent layer feeds `head`. */
function stepModel(head: (s: SymbolicTensor) => SymbolicTensor) {
  const x = input({ shape: [null, 4] });
  const s = layers.lstm({ units: 4, returnSequences: true }).apply(x) as SymbolicTensor;
  return model({ inputs: x, outputs: head(s), seed: 3 });
}

/** E_STATE naming the layer, thrown before the recurrent state moved. */
function expectRefused(m: ReturnType<typeof stepModel>, layer: RegExp): void {
  let err: unknown;
  try {
    m.predictStep(step);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(WasmRnnError);
  expect((err as WasmRnnError).code).toBe('E_STATE');
  expect((err as Error).message).toMatch(layer);
  expect((err as Error).message).toMatch(/predict on the whole sequence instead/);
}

describe('predictStep refuses layers that read other steps', () => {
  it('Attention and AdditiveAttention, causal or not', () => {
    for (const causal of [false, true]) {
      expectRefused(
        stepModel((s) => layers.attention().apply([s, s], { useCausalMask: causal }) as SymbolicTensor),
        /\(Attention\) attends over the steps/,
      );
      expectRefused(
        stepModel((s) => layers.additiveAttention().apply([s, s], { useCausalMask: causal }) as SymbolicTensor),
        /\(AdditiveAttention\) attends over the steps/,
      );
    }
  });

  it('MultiHeadAttention, causal or not', () => {
    for (const causal of [false, true]) {
      expectRefused(
        stepModel((s) => layers.multiHeadAttention({ numHeads: 2 }).apply([s, s], { useCausalMask: causal }) as SymbolicTensor),
        /\(MultiHeadAttention\) attends over the steps/,
      );
    }
  });

  it('Dot across time steps; a product of each step with a vector steps fine', () => {
    expectRefused(
      stepModel((s) => layers.dot({ axes: 2 }).apply([s, s])),
      /\(Dot\) multiplies across the time steps/,
    );
    expectRefused(
      stepModel((s) => layers.dot({ axes: 1 }).apply([s, s])),
      /\(Dot\) multiplies across the time steps/,
    );
    const x = input({ shape: [null, 4] });
    const s = layers.lstm({ units: 4, returnSequences: true }).apply(x) as SymbolicTensor;
    const v = layers.dense({ units: 4 }).apply(layers.lstm({ units: 3 }).apply(x) as SymbolicTensor);
    const perStep = model({ inputs: x, outputs: layers.dot({ axes: [2, 1] }).apply([s, v]), seed: 3 });
    expect(perStep.predictStep(step).shape).toEqual([2, 1]);
  });

  it('TokenAndPositionEmbedding (a lone step would take position 0 every time)', () => {
    const ids = input({ shape: [null], dtype: 'int32' });
    const e = layers.tokenAndPositionEmbedding({ vocabularySize: 10, sequenceLength: 8, embeddingDim: 2 }).apply(ids);
    const m = model({ inputs: ids, outputs: e, seed: 1 });
    expect(() => m.predictStep(new Tensor(Int32Array.of(3), [1, 1]))).toThrow(
      /predictStep: token_and_position_embedding_\d+ \(TokenAndPositionEmbedding\) adds the embedding of each step's position/,
    );
  });

  it('the refusal comes before any layer moves its state', () => {
    // a stateful LSTM before a refusing layer: predict continues from its state, which the refused call left alone
    const x = input({ shape: [null, 4] });
    const s = layers.lstm({ units: 4, returnSequences: true, stateful: true }).apply(x) as SymbolicTensor;
    const m = model({ inputs: x, outputs: [s, layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal' }).apply(s)], seed: 3 });
    const seq = new Tensor(
      Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)),
      [2, 3, 4],
    );
    const first = Array.from((m.predict(seq) as Tensor[])[0].data);
    m.resetStates();
    expect(() => m.predictStep(step)).toThrow(/reads a window of several steps/);
    expect(Array.from((m.predict(seq) as Tensor[])[0].data)).toEqual(first);
  });
});
