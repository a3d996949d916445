/**
 * Real models from PyTorch: every fixture made by fixtures/make_fixtures.py
 * (torch.onnx.export of nn.Embedding + nn.LSTM / nn.GRU / nn.RNN, stacked,
 * bidirectional, batch_first or not, + nn.Linear) imports, and its
 * predictions match PyTorch's within 1e-5.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Tensor } from '../../src/index.js';
import { fromOnnx, readOnnx } from '../../src/onnx/index.js';
import { maxAbsDiff } from '../util.js';
import { fixtureBytes, reference, toBatchMajor, torchFixtures } from './helpers.js';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

describe('fromOnnx on PyTorch exports', () => {
  for (const name of torchFixtures()) {
    it(`${name} matches PyTorch within 1e-5`, () => {
      const bytes = fixtureBytes(name);
      const ref = reference(name);
      const ir = readOnnx(bytes);
      const model = fromOnnx(bytes);
      const x = toBatchMajor(ref.input.data, ref.input.shape, ir.inputs[0].onnxAxes);
      const input =
        ref.input.dtype === 'int64' ? new Tensor(Int32Array.from(x.data), x.shape) : new Tensor(Float32Array.from(x.data), x.shape);
      const out = model.predict(input);
      const y = Array.isArray(out) ? out[0] : out; // a functional model (conv_max_mean) gives a list
      const want = toBatchMajor(ref.output.data, ref.output.shape, ir.outputs[0].onnxAxes);
      expect(y.data.length).toBe(want.data.length);
      const diff = maxAbsDiff(y.data, want.data);
      console.log(`${name}: ${model.layers.map((l) => l.className).join(' > ')}; max |ours - PyTorch| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(1e-5);
      model.dispose();
    });
  }
});
