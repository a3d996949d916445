/**
 * wasm-rnn convert: a model from one format to another, by file extension:
 *
 *   .wrnn   our artifact (loadModel / serialize)
 *   .onnx   ONNX (fromOnnx / toOnnx; PyTorch's torch.onnx.export writes it)
 *   .json   a TF.js layers model: model.json beside its weight files
 *           (tensorflowjs_converter writes them; we write weights.bin)
 *
 * Reading finishes before anything is written, and the outputs are written
 * atomically, so a failed conversion leaves no partial file.
 */
import { basename, dirname, join } from 'node:path';
import type { Model } from '../models/model.js';
import { fromTfjs, toTfjs, type TfjsArtifacts } from '../io/tfjs.js';
import { fromOnnx, toOnnx } from '../onnx/index.js';
import { type OptSpec, helpText, parseArgs, usageError } from './args.js';
import type { CliIO } from './common.js';
import { at } from './errors.js';
import { readBytes, readModel, writeAtomic, checkWritable } from './io.js';
import { decodeUtf8 } from './tabular.js';

const FORMATS = ['.wrnn', '.onnx', '.json'] as const;

const SPECS: OptSpec[] = [
  {
    name: 'from',
    type: 'string',
    arg: 'FILE',
    required: true,
    help: 'the model: .wrnn (wasm-rnn), .onnx (e.g. from torch.onnx.export) or model.json (TF.js layers model)',
  },
  {
    name: 'to',
    type: 'string',
    arg: 'FILE',
    required: true,
    help: 'where to write it: .wrnn, .onnx or .json (TF.js: model.json and weights.bin beside it)',
  },
  { name: 'opset', type: 'int', min: 13, max: 21, default: 17, help: 'ONNX opset of an .onnx output' },
];

export const CONVERT_HELP = helpText(
  'wasm-rnn convert --from model.onnx|model.json|model.wrnn --to model.wrnn|model.onnx|model.json [--opset N]',
  'Convert a model between wasm-rnn, ONNX and TF.js formats (by file extension).',
  SPECS,
);

function formatOf(file: string, option: string): (typeof FORMATS)[number] {
  const ext = FORMATS.find((e) => file.toLowerCase().endsWith(e));
  if (!ext) throw usageError('convert', `--${option} ${file}: the file name must end in .wrnn, .onnx or .json (it says which format)`);
  return ext;
}

export async function convert(argv: readonly string[], io: CliIO): Promise<number> {
  const { opts, help } = parseArgs('convert', argv, SPECS);
  if (help) {
    io.stdout(CONVERT_HELP);
    return 0;
  }
  const o = opts as { from: string; to: string; opset: number };
  const from = formatOf(o.from, 'from');
  const to = formatOf(o.to, 'to');
  checkWritable(o.to, 'model');
  const model = read(o.from, from);
  try {
    if (to === '.wrnn') writeAtomic(o.to, model.serialize({ includeOptimizer: false }), 'model');
    else if (to === '.onnx') writeAtomic(o.to, toOnnx(model, { opset: o.opset }), 'model');
    else writeTfjs(o.to, model);
    io.stdout(`wrote ${o.to} (${model.countParams().toLocaleString('en-US')} parameters, ${model.layers.length} layers)\n`);
  } finally {
    model.dispose();
  }
  return 0;
}

function read(file: string, format: (typeof FORMATS)[number]): Model {
  if (format === '.wrnn') return readModel(file);
  const bytes = readBytes(file, 'model file');
  try {
    if (format === '.onnx') return fromOnnx(bytes);
    return fromTfjs(readTfjs(file, bytes));
  } catch (e) {
    const m = (e as Error).message;
    throw at(file, null, m.replace(/^(fromOnnx|fromTfjs): /, ''));
  }
}

/** model.json and the weight files its manifest names (in its folder), as TF.js artifacts. */
function readTfjs(file: string, bytes: Uint8Array): TfjsArtifacts {
  let json: { modelTopology?: unknown; weightsManifest?: { paths: string[]; weights: TfjsArtifacts['weightSpecs'] }[] };
  try {
    json = JSON.parse(decodeUtf8(file, bytes));
  } catch (e) {
    throw at(file, null, `is not JSON (${(e as Error).message})`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw at(file, null, 'has no weightsManifest: it is not a TF.js layers model.json');
  const shards: ArrayBuffer[] = [];
  const weightSpecs: NonNullable<TfjsArtifacts['weightSpecs']> = [];
  for (const group of manifest) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights))
      throw at(file, null, 'weightsManifest entries must be { paths, weights }');
    for (const p of group.paths) {
      if (typeof p !== 'string' || p.includes('..') || p.startsWith('/'))
        throw at(file, null, `weight file ${JSON.stringify(p)} must be a name in the model's folder`);
      const b = readBytes(join(dirname(file), p), 'weight file');
      shards.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    }
    weightSpecs.push(...group.weights!);
  }
  return { modelTopology: json.modelTopology, weightSpecs, weightData: shards };
}

/** model.json plus weights.bin beside it, as tensorflowjs_converter lays them out. */
function writeTfjs(file: string, model: Model): void {
  const art = toTfjs(model);
  const bin = `${basename(file).replace(/\.json$/i, '')}.weights.bin`;
  const json = {
    format: art.format,
    generatedBy: art.generatedBy,
    convertedBy: art.convertedBy,
    modelTopology: art.modelTopology,
    weightsManifest: [{ paths: [bin], weights: art.weightSpecs }],
  };
  writeAtomic(join(dirname(file), bin), new Uint8Array(art.weightData), 'weights');
  writeAtomic(file, JSON.stringify(json), 'model');
}
