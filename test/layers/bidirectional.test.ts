/**
 * Bidirectional: float64 finite-difference gradient checks on the twin for
 * every merge mode, wrapped layer and option; a hand check that its output is
 * the merge of a forward model and a time-reversed goBackwards model built
 * separately with the same weights (masks included); Keras conventions
 * (weight order, zero outputs at masked steps); errors; then the wasm builds
 * against the twin.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, layers, tensor, Tensor, WasmRnnError } from '../../src/index.js';
import type { BidirectionalOptions } from '../../src/layers/bidirectional.js';
import type { Recurrent } from '../../src/layers/recurrent.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose } from '../util.js';
import { floatInput, maskedIds, parityAcrossBackends } from './recurrent_checks.js';

afterAll(() => setBackend(null as never));

type Mode = NonNullable<BidirectionalOptions['mergeMode']>;
const MODES: Mode[] = ['concat', 'sum', 'mul', 'ave'];

const wrapped: Array<[string, (o: { returnSequences: boolean; units?: number }) => Recurrent]> = [
  ['LSTM', (o) => layers.lstm({ units: 3, ...o })],
  ['GRU', (o) => layers.gru({ units: 3, ...o })],
  ['GRU resetAfter=false', (o) => layers.gru({ units: 3, resetAfter: false, ...o })],
  ['SimpleRNN', (o) => layers.simpleRNN({ units: 3, ...o })],
];

function biModel(I: number, T: number, layer: Recurrent, mergeMode: Mode, seed = 3): Sequential {
  return new Sequential({ seed, layers: [layers.bidirectional({ layer, mergeMode, inputShape: [T, I] })] });
}

describe('Bidirectional gradients (float64 twin, centred differences)', () => {
  for (const T of [1, 2, 5]) {
    for (const mergeMode of MODES) {
      for (const returnSequences of [true, false]) {
        it(`LSTM, ${mergeMode}, returnSequences=${returnSequences}, T=${T}`, () => {
          useFloat64Twin();
          gradCheck(biModel(3, T, layers.lstm({ units: 3, returnSequences }), mergeMode), floatInput(2, T, 3), { maxPerWeight: 15 });
        });
      }
    }
  }

  for (const [name, make] of wrapped.slice(1)) {
    it(`${name} wrapped, concat and mul, T=4, units not a multiple of 4`, () => {
      for (const mergeMode of ['concat', 'mul'] as const) {
        useFloat64Twin();
        gradCheck(biModel(3, 4, make({ returnSequences: true, units: 5 }), mergeMode), floatInput(2, 4, 3), { maxPerWeight: 15 });
      }
    });
  }

  it('masked steps (Embedding maskZero) through stacked Bidirectional layers, every merge mode', () => {
    for (const mergeMode of MODES) {
      useFloat64Twin();
      const m = new Sequential({
        seed: 5,
        layers: [
          layers.embedding({ inputDim: 7, outputDim: 4, maskZero: true, inputLength: 5 }),
          layers.bidirectional({ layer: layers.gru({ units: 3, returnSequences: true }), mergeMode }),
          layers.bidirectional({ layer: layers.lstm({ units: 2 }), mergeMode }),
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
        { maxPerWeight: 12 },
      );
    }
  });

  it('masked sequence output (zeros at masked steps) feeding a Dense per step', () => {
    useFloat64Twin();
    const m = new Sequential({
      seed: 6,
      layers: [
        layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, inputLength: 4 }),
        layers.bidirectional({ layer: layers.simpleRNN({ units: 2, returnSequences: true }), mergeMode: 'ave' }),
        layers.dense({ units: 2 }),
      ],
    });
    gradCheck(
      m,
      tensor(
        [
          [0, 3, 4, 0],
          [2, 0, 6, 1],
        ],
        undefined,
        'int32',
      ),
    );
  });
});

/**
 * Ours against two plain models (Embedding + the wrapped layer, forward and
 * goBackwards) given the same weights; the backward one's sequence reversed.
 */
function halves(returnSequences: boolean, mergeMode: Mode, make: (o: { returnSequences: boolean; goBackwards?: boolean }) => Recurrent) {
  const T = 5;
  const emb = () => layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputLength: T });
  const bi = new Sequential({ seed: 21, layers: [emb(), layers.bidirectional({ layer: make({ returnSequences }), mergeMode })] });
  const fw = new Sequential({ seed: 1, layers: [emb(), make({ returnSequences })] });
  const bw = new Sequential({ seed: 2, layers: [emb(), make({ returnSequences, goBackwards: true })] });
  const w = bi.getWeights();
  const n = (w.length - 1) / 2;
  fw.setWeights([w[0], ...w.slice(1, 1 + n)]);
  bw.setWeights([w[0], ...w.slice(1 + n)]);
  const x = tensor(
    [
      [0, 0, 3, 4, 5],
      [2, 0, 6, 0, 1],
      [7, 8, 1, 0, 0],
    ],
    undefined,
    'int32',
  );
  const y = bi.predict(x) as Tensor;
  const f = fw.predict(x) as Tensor;
  const b = bw.predict(x) as Tensor;
  const H = f.shape[f.shape.length - 1];
  const rows = returnSequences ? 3 * T : 3;
  const want = new Float32Array(y.data.length);
  const W = mergeMode === 'concat' ? 2 * H : H;
  for (let r = 0; r < rows; r++) {
    // the backward model's sequence comes in processing order: reverse it back
    const rb = returnSequences ? Math.floor(r / T) * T + (T - 1 - (r % T)) : r;
    const masked = returnSequences && x.data[r] === 0;
    for (let j = 0; j < H; j++) {
      const fv = f.data[r * H + j];
      const bv = b.data[rb * H + j];
      if (masked) continue; // Keras: zero output at masked steps
      if (mergeMode === 'concat') {
        want[r * W + j] = fv;
        want[r * W + H + j] = bv;
      } else {
        want[r * W + j] = mergeMode === 'sum' ? fv + bv : mergeMode === 'mul' ? fv * bv : (fv + bv) / 2;
      }
    }
  }
  expect(y.shape).toEqual(returnSequences ? [3, T, W] : [3, W]);
  expectClose(y.data, want, { atol: 1e-6, label: `${mergeMode} returnSequences=${returnSequences}` });
}

describe('Bidirectional semantics', () => {
  it('output = merge(forward model, reversed goBackwards model) with copied weights, masks included', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    for (const [, make] of wrapped) {
      for (const mergeMode of MODES) {
        for (const returnSequences of [true, false]) halves(returnSequences, mergeMode, make);
      }
    }
  });

  it('weights in Keras order (forward layer then backward layer), names and config', () => {
    useFloat64Twin();
    const inner = layers.gru({ units: 4, name: 'g', resetAfter: false });
    const bi = layers.bidirectional({ layer: inner, name: 'bi' });
    const m = new Sequential({ seed: 1, layers: [bi] });
    m.build([6, 2]);
    expect(m.engine('test').params.slots.map((s) => `${s.spec.name} ${s.spec.shape}`)).toEqual([
      'kernel 2,12',
      'recurrent_kernel 4,12',
      'bias 12',
      'kernel 2,12',
      'recurrent_kernel 4,12',
      'bias 12',
    ]);
    expect(bi.forwardLayer.name).toBe('forward_g');
    expect(bi.backwardLayer.name).toBe('backward_g');
    expect(bi.backwardLayer.goBackwards).toBe(true);
    expect(bi.forwardLayer.goBackwards).toBe(false);
    expect(bi.getConfig()).toEqual({ layer: { className: 'GRU', config: inner.getConfig() }, mergeMode: 'concat', name: 'bi' });
    expect(bi.outputShape).toEqual([8]);
    // the two directions start from different weights
    const w = m.getWeights();
    expect(Array.from(w[0].data)).not.toEqual(Array.from(w[3].data));
  });

  it('stateful: both copies carry their state; resetStates clears both', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const m = new Sequential({
      seed: 4,
      layers: [layers.bidirectional({ layer: layers.lstm({ units: 3, stateful: true }), inputShape: [3, 2] })],
    });
    const x = floatInput(2, 3, 2, 5);
    const a = (m.predict(x) as Tensor).data;
    const b = (m.predict(x) as Tensor).data;
    expect(Array.from(a)).not.toEqual(Array.from(b));
    m.resetStates();
    expectClose((m.predict(x) as Tensor).data, a, { atol: 0, label: 'after resetStates' });
  });

  it('errors: mergeMode unknown, a non-recurrent layer, unknown options, predictStep', async () => {
    const E = WasmRnnError;
    expect(() => layers.bidirectional({ layer: layers.lstm({ units: 2 }), mergeMode: 'max' as never })).toThrow(
      /mergeMode must be one of.*or null/,
    );
    expect(() => layers.bidirectional({ layer: layers.dense({ units: 2 }) as never })).toThrow(/recurrent layer.*Dense/);
    expect(() => layers.bidirectional({} as never)).toThrow(E);
    for (const bad of ['backwardLayer', 'weights', 'merge_mode']) {
      expect(() => layers.bidirectional({ layer: layers.lstm({ units: 2 }), [bad]: 1 } as never)).toThrow(
        new RegExp(`layers\\.bidirectional.*${bad}`),
      );
    }
    setBackend(await createBackend({ backend: 'js' }));
    const m = new Sequential({
      seed: 1,
      layers: [layers.embedding({ inputDim: 5, outputDim: 2 }), layers.bidirectional({ layer: layers.lstm({ units: 2 }) })],
    });
    expect(() => m.predictStep(tensor([[1]], undefined, 'int32'))).toThrow(/Bidirectional.*step by step/);
  });
});

describe('Bidirectional on every wasm build equals the twin', () => {
  const cases: Array<[string, number, Mode, boolean, number, number, number, boolean]> = [
    // label, wrapped index, mode, returnSequences, units, B, T, masked
    ['LSTM concat H=5 masked', 0, 'concat', true, 5, 4, 6, true],
    ['GRU mul H=17', 1, 'mul', true, 17, 3, 5, false],
    ['GRU(resetAfter=false) ave H=9 masked, final states', 2, 'ave', false, 9, 7, 4, true],
    ['SimpleRNN sum H=33 masked', 3, 'sum', true, 33, 5, 3, true],
  ];
  for (const [label, k, mergeMode, returnSequences, units, B, T, masked] of cases) {
    it(label, async () => {
      const I = 6;
      const rng = new Rng(B * 100 + T);
      const x = masked ? maskedIds(rng, B, T, 11) : floatInput(B, T, I, B + T);
      const make = () =>
        new Sequential({
          seed: 11,
          layers: [
            ...(masked ? [layers.embedding({ inputDim: 11, outputDim: I, maskZero: true, inputLength: T })] : []),
            layers.bidirectional({
              layer: wrapped[k][1]({ returnSequences, units }),
              mergeMode,
              ...(masked ? {} : { inputShape: [T, I] }),
            }),
          ],
        });
      await parityAcrossBackends(label, make, x);
    });
  }
});
