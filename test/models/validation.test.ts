/**
 * Bad input everywhere: each public call gets its typical wrong inputs
 * (wrong shapes and types, NaN, out-of-range ids and labels, empty data,
 * unknown options, calls in the wrong order) and must throw a WasmRnnError
 * with the right code and a message naming the argument — and leave the
 * model exactly as it was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, WasmRnnError, callbacks, layers, optimizers, tensor } from '../../src/index.js';

beforeAll(async () => setBackend(await createBackend({ backend: 'wasm-simd' })));

function classifier() {
  const m = new Sequential({
    seed: 1,
    layers: [
      layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true }),
      layers.lstm({ units: 4 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

const ids = tensor(
  [
    [1, 2, 3],
    [4, 5, 0],
  ],
  undefined,
  'int32',
);
const y = tensor([[1], [0]]);

type Case = [label: string, call: (m: Sequential) => unknown, code: string, message: RegExp];

const cases: Case[] = [
  ['fit: x with the wrong rank', (m) => m.fit(tensor([1, 2, 3]), y), 'E_SHAPE', /x must have shape \(samples, timesteps\)/],
  [
    'fit: token id >= inputDim',
    (m) => m.fit(tensor([[1, 2, 10]], undefined, 'int32'), tensor([[1]])),
    'E_ARG',
    /token id 10 at \[0, 2\].*\[0, 10\)/,
  ],
  ['fit: negative token id', (m) => m.fit(tensor([[1, -2, 3]]), tensor([[1]])), 'E_ARG', /token id -2/],
  ['fit: fractional token id', (m) => m.fit(tensor([[1, 2.5, 3]]), tensor([[1]])), 'E_ARG', /token id 2.5/],
  [
    'fit: labels outside [0,1] for binaryCrossentropy',
    (m) => m.fit(ids, tensor([[2], [0]])),
    'E_ARG',
    /targets must be in \[0, 1\], target 0 is 2/,
  ],
  ['fit: NaN label', (m) => m.fit(ids, tensor([[NaN], [0]])), 'E_ARG', /target 0 is NaN/],
  ['fit: x and y sample counts differ', (m) => m.fit(ids, tensor([[1]])), 'E_SHAPE', /y has 1 samples but x has 2/],
  [
    'fit: y of the wrong width',
    (m) =>
      m.fit(
        ids,
        tensor([
          [1, 0],
          [0, 1],
        ]),
      ),
    'E_SHAPE',
    /y must have shape \(samples, 1\)/,
  ],
  [
    'fit: empty dataset',
    (m) => m.fit(new Tensor(new Int32Array(0), [0, 3]), new Tensor(new Float32Array(0), [0, 1])),
    'E_ARG',
    /x is empty/,
  ],
  ['fit: batchSize 0', (m) => m.fit(ids, y, { batchSize: 0 }), 'E_ARG', /batchSize must be a positive integer, got 0/],
  ['fit: epochs "3"', (m) => m.fit(ids, y, { epochs: '3' as never }), 'E_ARG', /epochs must be an integer >= 1, got "3"/],
  ['fit: unknown option', (m) => m.fit(ids, y, { epoch: 3 } as never), 'E_ARG', /unknown option 'epoch'/],
  ['fit: validationSplit 1.5', (m) => m.fit(ids, y, { validationSplit: 1.5 }), 'E_ARG', /validationSplit must be in \(0, 1\)/],
  [
    'fit: both validationData and validationSplit',
    (m) => m.fit(ids, y, { validationSplit: 0.5, validationData: [ids, y] }),
    'E_ARG',
    /not both/,
  ],
  ['fit: classWeight with a bad class id', (m) => m.fit(ids, y, { classWeight: { 5: 2 } }), 'E_ARG', /classWeight key '5'/],
  ['fit: negative sample weight', (m) => m.fit(ids, y, { sampleWeight: [1, -1] }), 'E_ARG', /sample weights must be finite and >= 0/],
  [
    'fit: earlyStopping on a missing log key',
    (m) => m.fit(ids, y, { callbacks: [callbacks.earlyStopping({ monitor: 'val_loss' })] }),
    'E_ARG',
    /'val_loss' will not be in the logs \(they hold: loss, accuracy\)/,
  ],
  ['fit: a string where x should be', (m) => m.fit('hello' as never, y), 'E_ARG', /x is not a tensor/],
  [
    'fit: ragged nested array',
    (m) =>
      m.fit(
        [
          [1, 2, 3],
          [1, 2],
        ],
        y,
      ),
    'E_ARG',
    /ragged/,
  ],
  ['predict: batchSize -1', (m) => m.predict(ids, { batchSize: -1 }), 'E_ARG', /batchSize must be a positive integer/],
  [
    'predict: float features for an Embedding model',
    (m) => m.predict(tensor([[[0.5]]])),
    'E_SHAPE',
    /x must have shape \(samples, timesteps\)/,
  ],
  ['evaluate: NaN label', (m) => m.evaluate(ids, tensor([[NaN], [1]])), 'E_ARG', /target 0 is NaN/],
  ['trainOnBatch: id out of range', (m) => m.trainOnBatch(tensor([[99, 1, 1]]), tensor([[1]])), 'E_ARG', /token id 99/],
  ['setWeights: wrong count', (m) => m.setWeights([]), 'E_ARG', /expected 6 tensors/],
  [
    'setWeights: wrong shape',
    (m) => m.setWeights(m.getWeights().map((w, i) => (i === 1 ? tensor([1, 2]) : w))),
    'E_SHAPE',
    /weights\[1\] \(kernel\) must have shape \[3,16\]/,
  ],
  [
    'setWeights: NaN weight',
    (m) => m.setWeights(m.getWeights().map((w, i) => (i === 0 ? new Tensor(new Float32Array(w.data.length).fill(NaN), w.shape) : w))),
    'E_ARG',
    /holds NaN/,
  ],
  ['predictStep: more than one step', (m) => m.predictStep(ids), 'E_SHAPE', /one time step/],
  ['gradients: dy of the wrong shape', (m) => m.gradients(ids, tensor([[1, 2]])), 'E_SHAPE', /dy must have the output's shape \[2, 1\]/],
  ['compile: unknown loss', (m) => m.compile({ optimizer: 'adam', loss: 'hinge' as never }), 'E_ARG', /loss must be one of/],
  ['compile: unknown optimizer', (m) => m.compile({ optimizer: 'adamw' as never, loss: 'mse' }), 'E_ARG', /optimizer must be/],
  [
    'compile: unknown metric',
    (m) => m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['auc' as never] }),
    'E_ARG',
    /unknown metric 'auc'/,
  ],
  [
    'compile: softmax loss on a sigmoid head',
    (m) => m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' }),
    'E_ARG',
    /expects probabilities from a softmax last layer/,
  ],
  [
    'compile: negative learning rate',
    (m) => m.compile({ optimizer: optimizers.adam({ learningRate: -1 }), loss: 'mse' }),
    'E_ARG',
    /learningRate must be a positive/,
  ],
  ['serialize: unknown option', (m) => m.serialize({ compress: true } as never), 'E_ARG', /unknown option 'compress'/],
];

describe('every public call rejects bad input clearly and changes nothing', () => {
  for (const [label, call, code, message] of cases) {
    it(label, async () => {
      const m = classifier();
      m.build();
      const before = m.getWeights().map((w) => Array.from(w.data));
      const iterations = m.optimizer?.iterations;
      let err: unknown;
      try {
        await call(m);
      } catch (e) {
        err = e;
      }
      expect(err, 'expected an error').toBeInstanceOf(WasmRnnError);
      expect((err as WasmRnnError).code).toBe(code);
      expect((err as Error).message).toMatch(message);
      expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
      expect(m.optimizer?.iterations).toBe(iterations);
      // and the model still works
      expect((m.predict(ids) as Tensor).shape).toEqual([2, 1]);
    });
  }
});

describe('layer and model construction', () => {
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['lstm units 0', () => layers.lstm({ units: 0 }), /units must be a positive integer of at most 16777216, got 0/],
    ['lstm units "8"', () => layers.lstm({ units: '8' as never }), /units must be a positive integer of at most 16777216, got "8"/],
    [
      'multiHeadAttention numHeads 1e9 (above the stated limit)',
      () => layers.multiHeadAttention({ numHeads: 1e9, keyDim: 2 }),
      /numHeads must be a positive integer of at most 16777216, got 1000000000/,
    ],
    ['lstm unsupported dropout option', () => layers.lstm({ units: 4, dropout: 0.2 } as never), /unknown option 'dropout'/],
    ['lstm unknown activation', () => layers.lstm({ units: 4, activation: 'gelu' as never }), /activation must be one of/],
    [
      'dense softmax as a recurrent activation',
      () => layers.lstm({ units: 4, recurrentActivation: 'softmax' as never }),
      /recurrentActivation must be one of/,
    ],
    ['dropout rate 1', () => layers.dropout({ rate: 1 }), /rate must be a number in \[0, 1\)/],
    ['dropout without rate', () => layers.dropout({} as never), /rate is required/],
    ['embedding without outputDim', () => layers.embedding({ inputDim: 5 } as never), /outputDim must be a positive integer/],
    ['Sequential with a non-layer', () => new Sequential([{} as never]), /expected a layer/],
    ['Sequential unknown option', () => new Sequential({ layer: [] } as never), /unknown option 'layer'/],
    ['Sequential bad seed', () => new Sequential({ seed: -1 }), /seed must be an integer/],
    [
      'a layer after returnState',
      () => new Sequential([layers.lstm({ units: 2, returnState: true, inputShape: [3, 2] }), layers.dense({ units: 1 })]),
      /must be the last layer/,
    ],
    [
      'fit before compile',
      () => new Sequential([layers.dense({ units: 1, inputShape: [2] })]).fit(tensor([[1, 2]]), tensor([[1]])),
      /call compile/,
    ],
    ['predict with no layers', () => new Sequential().predict(tensor([[1]])), /has no layers/],
    [
      'LSTM on 2-D input',
      () => new Sequential([layers.lstm({ units: 2, inputShape: [3] })]).build(),
      /expects input of shape \(batch, timesteps, features\)/,
    ],
  ];
  for (const [label, call, message] of bad) {
    it(label, async () => {
      let err: unknown;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WasmRnnError);
      expect((err as Error).message).toMatch(message);
    });
  }
});
