/**
 * wasm-rnn convert, in-process: a PyTorch ONNX export to our artifact and
 * back to ONNX and to a TF.js model.json + weights; each conversion predicts
 * the same numbers; bad extensions are usage errors (exit 2), bad files one
 * line naming the file (exit 1), and nothing is written when reading fails.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { init, loadModelSync, Tensor, fromTfjs } from '../../src/index.js';
import { fromOnnx } from '../../src/onnx/index.js';

let dir: string;
const p = (f: string) => join(dir, f);
const fixture = (f: string) => new URL(`../onnx/fixtures/${f}`, import.meta.url);

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

beforeAll(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-convert-'));
  writeFileSync(p('tagger.onnx'), readFileSync(fixture('lstm_tagger.onnx')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wasm-rnn convert', () => {
  it('ONNX -> .wrnn -> ONNX and -> TF.js model.json: the same predictions every way', async () => {
    const ref = JSON.parse(readFileSync(fixture('lstm_tagger.json'), 'utf8'));
    const x = new Tensor(Int32Array.from(ref.input.data), ref.input.shape);
    const want = Array.from((fromOnnx(readFileSync(p('tagger.onnx'))).predict(x) as Tensor).data);
    let r = await run('convert', '--from', p('tagger.onnx'), '--to', p('tagger.wrnn'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^wrote .*tagger\.wrnn \([\d,]+ parameters, 3 layers\)\n$/);
    expect(Array.from((loadModelSync(readFileSync(p('tagger.wrnn'))).predict(x) as Tensor).data)).toEqual(want);
    r = await run('convert', '--from', p('tagger.wrnn'), '--to', p('again.onnx'), '--opset', '13');
    expect(r.code, r.err).toBe(0);
    expect(Array.from((fromOnnx(readFileSync(p('again.onnx'))).predict(x) as Tensor).data)).toEqual(want);
    r = await run('convert', '--from', p('tagger.wrnn'), '--to', p('tfjs/model.json'));
    expect(r.code).toBe(1); // the folder does not exist: nothing written
    expect(r.err).toMatch(/tfjs\/model\.json: cannot write the model: the folder .* does not exist/);
    r = await run('convert', '--from', p('again.onnx'), '--to', p('model.json'));
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(readFileSync(p('model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['model.weights.bin']);
    const bin = readFileSync(p('model.weights.bin'));
    const art = {
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    };
    expect(Array.from((fromTfjs(art).predict(x) as Tensor).data)).toEqual(want);
    // and TF.js's layout reads back in
    r = await run('convert', '--from', p('model.json'), '--to', p('back.wrnn'));
    expect(r.code, r.err).toBe(0);
    expect(Array.from((loadModelSync(readFileSync(p('back.wrnn'))).predict(x) as Tensor).data)).toEqual(want);
  });

  it('says what is wrong: exit 2 for the command line, exit 1 naming the file, and writes nothing', async () => {
    let r = await run('convert', '--from', p('tagger.onnx'), '--to', p('out.h5'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--to .*out\.h5: the file name must end in \.wrnn, \.onnx or \.json/);
    r = await run('convert', '--from', p('tagger.onnx'));
    expect(r.code).toBe(2);
    r = await run('convert', '--from', p('missing.onnx'), '--to', p('x.wrnn'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/missing\.onnx: no such model file/);
    writeFileSync(p('broken.onnx'), readFileSync(p('tagger.onnx')).subarray(0, 200));
    r = await run('convert', '--from', p('broken.onnx'), '--to', p('x.wrnn'));
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/broken\.onnx: /);
    writeFileSync(p('notjson.json'), 'nope');
    r = await run('convert', '--from', p('notjson.json'), '--to', p('x.wrnn'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/notjson\.json: is not JSON/);
    expect(readdirSync(dir).filter((f) => f.startsWith('x.') || f.includes('.tmp'))).toEqual([]);
    r = await run('convert', '--from', p('tagger.onnx'), '--to', p('y.onnx'), '--opset', '9');
    expect(r.code).toBe(2);
  });
});
