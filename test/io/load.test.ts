/**
 * src/io/load.ts + foreign.ts: a Keras .h5, a Keras 3 .keras, a TF.js
 * model.json or a folder given to loadModel is named, with how to bring it
 * here (tensorflowjs_converter, then fromTfjs) instead of "wrong magic number".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WasmRnnError } from '../../src/errors.js';
import { loadModel, loadModelSync } from '../../src/io/load.js';
import { expectError } from '../text/expect_error.js';

const HDF5 = Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(40).fill(0)]);
const TFJS = new TextEncoder().encode(
  JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential' }, weightsManifest: [] }),
);

describe('foreign model files', () => {
  it('loadModelSync names HDF5, zip and model.json bytes and says how to convert', () => {
    expectError(
      () => loadModelSync(HDF5),
      'E_FORMAT',
      /^loadModel: not a wasm-rnn artifact \(wrong magic number\): it is a Keras HDF5 \(\.h5\) file; convert it: tensorflowjs_converter --input_format keras model\.h5 tfjs_model\/ .*then fromTfjs\(\{ modelTopology, weightSpecs, weightData \}\)/,
    );
    expectError(
      () => loadModelSync(ZIP.buffer),
      'E_FORMAT',
      /it is a zip archive \(a Keras 3 \.keras file\?\); in Python save it as HDF5 \(model\.save\('model\.h5'\)\), then convert it: tensorflowjs_converter/,
    );
    expectError(() => loadModelSync(TFJS), 'E_FORMAT', /it is a TF\.js model\.json; import it with fromTfjs/);
  });

  it('loadModel does the same for bytes and paths, and names a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-load-'));
    try {
      writeFileSync(join(dir, 'model.h5'), HDF5);
      await expect(loadModel(join(dir, 'model.h5'))).rejects.toThrow(/Keras HDF5 \(\.h5\) file; convert it/);
      await expect(loadModel(ZIP)).rejects.toThrow(/Keras 3 \.keras file/);
      const e = await loadModel(dir).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(WasmRnnError);
      expect((e as WasmRnnError).message).toMatch(
        /cannot read .*: it is a folder \(a TensorFlow SavedModel\? convert it with tensorflowjs_converter, then use fromTfjs\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves other bytes to the artifact reader', () => {
    expectError(
      () => loadModelSync(new TextEncoder().encode('this is not a model at all')),
      'E_FORMAT',
      /not a wasm-rnn artifact \(wrong magic number\)/,
    );
  });
});
