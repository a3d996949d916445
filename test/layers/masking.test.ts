/**
 * Masking: steps whose features all equal maskValue are skipped by the
 * recurrent layers after it; gradients (float64 twin) and wasm parity; and
 * TF.js agreement on the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, fromTfjs, layers, toTfjs } from '../../src/index.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { loadBackends, upload } from '../backends.js';
import { Rng, expectClose, randomArray } from '../util.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => setBackend(null as never));

/** (B, T, F) with the given steps set to `value` in every feature. */
function padded(B: number, T: number, F: number, maskedSteps: Array<[number, number]>, value = 0, seed = 1): Tensor {
  const x = randomArray(new Rng(seed), B * T * F, -1, 1);
  for (const [b, t] of maskedSteps) x.fill(value, (b * T + t) * F, (b * T + t + 1) * F);
  return new Tensor(x, [B, T, F]);
}

describe('Masking', () => {
  it('masked steps change nothing: padded input == the unpadded sequence (GRU and LSTM)', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    for (const rnn of [() => layers.lstm({ units: 4 }), () => layers.gru({ units: 4 })]) {
      const mk = (T: number) => new Sequential({ seed: 3, layers: [layers.masking({ maskValue: -1, inputShape: [T, 3] }), rnn()] });
      const x = padded(
        1,
        5,
        3,
        [
          [0, 0],
          [0, 1],
        ],
        -1,
      );
      const tail = new Tensor((x.data as Float32Array).slice(2 * 3), [1, 3, 3]);
      expectClose((mk(5).predict(x) as Tensor).data, (mk(3).predict(tail) as Tensor).data, { atol: 1e-6, label: 'padded vs plain' });
    }
  });

  it('gradients through Masking -> LSTM(returnSequences) -> SimpleRNN (float64 twin)', () => {
    useFloat64Twin();
    const m = new Sequential({
      seed: 2,
      layers: [
        layers.masking({ maskValue: 0, inputShape: [4, 3] }),
        layers.lstm({ units: 3, returnSequences: true }),
        layers.simpleRNN({ units: 2 }),
      ],
    });
    // a masked step's input has no derivative: nudging it unmasks the step
    const masked = new Set([0 * 4 + 1, 1 * 4 + 3]);
    gradCheck(
      m,
      padded(2, 4, 3, [
        [0, 1],
        [1, 3],
      ]),
      { skipInput: (i) => masked.has(Math.floor(i / 3)) },
    );
  });

  it('kernels on every wasm build equal the twin', async () => {
    const { js, wasm } = await loadBackends();
    const rng = new Rng(5);
    for (const [N, F] of [
      [1, 1],
      [3, 5],
      [17, 9],
      [33, 64],
    ]) {
      const x = randomArray(rng, N * F);
      for (let n = 0; n < N; n += 2) x.fill(0.5, n * F, (n + 1) * F);
      const s = randomArray(rng, N);
      const run = (be: typeof js) => {
        const [X, Y, M, S, Z] = [
          upload(be, x),
          upload(be, new Float32Array(N * F).fill(NaN)),
          upload(be, new Float32Array(N).fill(NaN)),
          upload(be, s),
          upload(be, new Float32Array(N * F).fill(NaN)),
        ];
        be.maskingForward(Y, M, X, N, F, 0.5);
        be.rowScale(Z, X, S, N, F);
        return [be.read(Y), be.read(M), be.read(Z)];
      };
      const want = run(js);
      expect(
        Array.from(want[1])
          .filter((_, n) => n % 2 === 0)
          .every((v) => v === 0),
      ).toBe(true);
      for (const be of wasm)
        run(be).forEach((a, k) => expectClose(a, want[k], { atol: 0, rtol: 0, label: `${be.name} ${N}x${F} output ${k}` }));
    }
  });

  it('agrees with TF.js Masking on the same weights, both ways', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const theirs = tf.sequential({
      layers: [
        tf.layers.masking({ maskValue: 0, inputShape: [5, 3] }),
        tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true }),
        tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }),
      ],
    });
    let art: tf.io.ModelArtifacts | null = null;
    await theirs.save(
      tf.io.withSaveHandler(async (a) => {
        art = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const ours = fromTfjs(art! as never);
    const x = padded(3, 5, 3, [
      [0, 0],
      [1, 2],
      [2, 4],
    ]);
    const want = (theirs.predict(tf.tensor3d(Array.from(x.data), [3, 5, 3])) as tf.Tensor).dataSync();
    expectClose((ours.predict(x) as Tensor).data, want, { atol: 1e-5, rtol: 1e-5, label: 'Masking -> LSTM' });
    const back = await tf.loadLayersModel(tf.io.fromMemory(toTfjs(ours) as never));
    expectClose((back.predict(tf.tensor3d(Array.from(x.data), [3, 5, 3])) as tf.Tensor).dataSync(), want, {
      atol: 1e-5,
      rtol: 1e-5,
      label: 'exported',
    });
  });

  it('bad options are clear errors', () => {
    expect(() => layers.masking({ maskValue: NaN })).toThrow(/maskValue must be a finite number/);
    expect(() => layers.masking({ value: 0 } as never)).toThrow(/unknown option 'value'/);
    expect(() => new Sequential([layers.masking({ inputShape: [3] })]).build()).toThrow(
      /expects input of shape \(batch, timesteps, features\)/,
    );
  });
});
