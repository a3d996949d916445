/**
 * Training a stateful recurrent layer (truncated BPTT over a long text): the
 * backward pass must see the state the forward pass started from, not the
 * carried state the forward pass has already overwritten with its final step.
 * From a zero carried state a stateful layer's gradients therefore equal a
 * stateless layer's, and after carrying a state they differ from them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, layers } from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { Rng, expectClose } from '../util.js';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

const B = 2;
const T = 4;
const F = 3;
const cells: [string, (stateful: boolean) => Layer][] = [
  ['lstm', (stateful) => layers.lstm({ units: 5, returnSequences: true, stateful, inputShape: [T, F] })],
  ['lstm (peephole)', (stateful) => layers.lstm({ units: 5, returnSequences: true, stateful, peephole: true, inputShape: [T, F] })],
  ['gru', (stateful) => layers.gru({ units: 5, returnSequences: true, stateful, inputShape: [T, F] })],
  ['simpleRNN', (stateful) => layers.simpleRNN({ units: 5, returnSequences: true, stateful, inputShape: [T, F] })],
];

describe('stateful training', () => {
  for (const [name, make] of cells) {
    it(`${name}: from a zero state, stateful gradients == stateless gradients`, () => {
      const rng = new Rng(7);
      const x = new Tensor(
        Float32Array.from({ length: B * T * F }, () => rng.uniform(-1, 1)),
        [B, T, F],
      );
      const dy = new Tensor(
        Float32Array.from({ length: B * T * 5 }, () => rng.uniform(-1, 1)),
        [B, T, 5],
      );
      const plain = new Sequential({ seed: 3, layers: [make(false)] });
      const stateful = new Sequential({ seed: 3, layers: [make(true)] });
      stateful.setWeights(plain.getWeights());
      const want = plain.gradients(x, dy);
      stateful.resetStates();
      const got = stateful.gradients(x, dy);
      got.weights.forEach((g, i) => expectClose(g.data, want.weights[i].data, { atol: 1e-5, rtol: 1e-4, label: `${name} weight ${i}` }));
      expectClose(got.input!.data, want.input!.data, { atol: 1e-5, rtol: 1e-4, label: `${name} input` });
      // the carried state now holds the end of x: the next call starts from it
      const carried = stateful.gradients(x, dy);
      expect(carried.weights[1].data).not.toEqual(want.weights[1].data);
    });
  }
});
