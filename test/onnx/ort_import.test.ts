/**
 * Imports checked against ONNX Runtime (onnxruntime-web, in Node): the
 * graphs PyTorch never writes (GRU linear_before_reset = 0 with recurrent
 * biases, bidirectional LSTM peepholes, reverse direction, hard-sigmoid
 * gates, Gemm with alpha and beta, constant zero states, full
 * sequence_lens), and every PyTorch fixture too (ORT and PyTorch agree,
 * and we agree with both).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Tensor } from '../../src/index.js';
import { fromOnnx, readOnnx } from '../../src/onnx/index.js';
import { maxAbsDiff, randomArray, Rng } from '../util.js';
import { fixtureBytes, handWrittenFixtures, reference, runOrt, toBatchMajor, torchFixtures } from './helpers.js';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

describe('fromOnnx against ONNX Runtime', () => {
  for (const name of handWrittenFixtures()) {
    it(`${name} matches ONNX Runtime within 1e-5`, async () => {
      const bytes = fixtureBytes(name);
      const ir = readOnnx(bytes);
      const input = ir.inputs[0];
      expect(input.onnxAxes).toEqual(['batch', 'time', 'features']);
      const [T, F] = input.shape;
      const B = name === 'onnx_rnn_constant_states' ? 2 : 3; // that graph has a static batch of 2
      const steps = T > 0 ? T : 6;
      const x = randomArray(new Rng(5), B * steps * F);
      const ort = await runOrt(bytes, { [input.name]: { data: x, dims: [B, steps, F] } });
      const model = fromOnnx(bytes);
      const y = model.predict(new Tensor(x, [B, steps, F])) as Tensor;
      const out = ir.outputs[0];
      const want = toBatchMajor(ort[out.name].data, ort[out.name].dims, out.onnxAxes);
      expect(y.shape).toEqual(want.shape);
      const diff = maxAbsDiff(y.data, want.data);
      console.log(`${name}: ${model.layers.map((l) => l.className).join(' > ')}; max |ours - ORT| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(1e-5);
      model.dispose();
    });
  }

  for (const name of torchFixtures()) {
    it(`${name}: ONNX Runtime agrees with PyTorch and with us`, async () => {
      const bytes = fixtureBytes(name);
      const ref = reference(name);
      const ir = readOnnx(bytes);
      const input = ir.inputs[0];
      const data = ref.input.dtype === 'int64' ? BigInt64Array.from(ref.input.data, (v) => BigInt(v)) : Float32Array.from(ref.input.data);
      const ort = await runOrt(bytes, { [input.name]: { data, dims: ref.input.shape } });
      const o = ort[ir.outputs[0].name];
      expect(maxAbsDiff(o.data, ref.output.data)).toBeLessThanOrEqual(1e-5);
      const model = fromOnnx(bytes);
      const x = toBatchMajor(ref.input.data, ref.input.shape, input.onnxAxes);
      const out = model.predict(
        ref.input.dtype === 'int64' ? new Tensor(Int32Array.from(x.data), x.shape) : new Tensor(Float32Array.from(x.data), x.shape),
      );
      const y = Array.isArray(out) ? out[0] : out;
      const want = toBatchMajor(o.data, o.dims, ir.outputs[0].onnxAxes);
      const diff = maxAbsDiff(y.data, want.data);
      console.log(`${name}: max |ours - ORT| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(1e-5);
      model.dispose();
    });
  }
});
