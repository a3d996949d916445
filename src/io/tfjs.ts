/**
 * TensorFlow.js layers-model format, both ways, in the exact shape TF.js
 * uses for tf.io.withSaveHandler / tf.io.fromMemory:
 *   { modelTopology, weightSpecs, weightData }
 * modelTopology is Keras's model JSON (snake_case configs): a Sequential
 * (imported as our Sequential) or a functional Model (imported as our
 * Model: several inputs and outputs, shared layers, initial states; see
 * keras_graph.ts). Keras models converted with tensorflowjs_converter
 * (model_config wrapper, InputLayer, TimeDistributed, Keras 3 spellings)
 * load too.
 *
 * Import is strict (keras_layers.ts): what would change the math and is not
 * implemented is listed in one E_FORMAT error. Weights are matched to layers
 * by name (the first part of TF.js's weight names is the layer's name), in
 * each layer's Keras order.
 */
import { describe, fail } from '../errors.js';
import { Embedding } from '../layers/embedding.js';
import type { Model } from '../models/model.js';
import { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor.js';
import { kerasFromModel, modelFromKeras } from './keras_graph.js';
import { bidiPrefixes, convertLayer, kerasLayer, shapeOf, toKeras, type KerasLayer } from './keras_layers.js';
import type { LayerJSON } from './layer_json.js';
import { layerFromJSON } from './registry.js';

export interface WeightSpecJSON {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** TF.js's tf.io.ModelArtifacts (what tf.io.withSaveHandler hands over) fits this type. */
export interface TfjsArtifacts {
  modelTopology?: unknown;
  weightSpecs?: WeightSpecJSON[];
  weightData?: ArrayBuffer | ArrayBuffer[] | ArrayBufferView;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** Build our model from TF.js / Keras artifacts. */
export function fromTfjs(artifacts: TfjsArtifacts): Model {
  const where = 'fromTfjs';
  if (!artifacts || typeof artifacts !== 'object')
    fail('E_FORMAT', `${where}: expected { modelTopology, weightSpecs, weightData }, got ${describe(artifacts)}`);
  let topo = artifacts.modelTopology;
  if (topo === undefined || topo === null)
    fail('E_FORMAT', `${where}: the artifacts have no modelTopology (a weights-only save?); save the model with its topology`);
  if (typeof topo === 'string') {
    try {
      topo = JSON.parse(topo);
    } catch (e) {
      fail('E_FORMAT', `${where}: modelTopology is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!topo || typeof topo !== 'object' || topo instanceof ArrayBuffer)
    fail('E_FORMAT', `${where}: modelTopology must be a JSON object, got ${describe(topo)}`);
  const t = topo as Record<string, unknown>;
  const root = (t.model_config ?? t) as Record<string, unknown>;
  const cls = root.class_name;
  let model: Model;
  if (cls === 'Sequential') model = sequentialFromKeras(root, where);
  else if (cls === 'Model' || cls === 'Functional') {
    if (!root.config || typeof root.config !== 'object') fail('E_FORMAT', `${where}: functional topology has no config`);
    model = modelFromKeras(root.config as Record<string, unknown>, where);
  } else return fail('E_FORMAT', `${where}: model class ${describe(cls)} is not supported (Sequential, or a functional Model)`);
  try {
    try {
      model.build(undefined, { initialize: false });
    } catch (e) {
      fail('E_FORMAT', `${where}: the topology does not build: ${(e as Error).message}`);
    }
    model.setWeights(readWeights(artifacts, model, where));
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

function sequentialFromKeras(root: Record<string, unknown>, where: string): Sequential {
  const kerasLayers = sequentialLayers(root, where);
  const problems: string[] = [];
  const ours: { j: LayerJSON; trainable: boolean }[] = [];
  let inputShape: number[] | null = null;
  for (const kl of kerasLayers) {
    if (kl.class_name === 'InputLayer') {
      inputShape = shapeOf(kl.config.batch_input_shape ?? kl.config.batch_shape) ?? inputShape;
      continue;
    }
    inputShape ??= shapeOf(kl.config.batch_input_shape ?? kl.config.batch_shape);
    const j = convertLayer(kl, problems);
    if (j) ours.push({ j, trainable: kl.config.trainable !== false });
  }
  if (problems.length) fail('E_FORMAT', `${where}: unsupported model features:\n  - ${problems.join('\n  - ')}`);
  if (ours.length === 0) fail('E_FORMAT', `${where}: the model has no layers`);
  const layers = ours.map(({ j, trainable }, i) => {
    const l = layerFromJSON(j, `${where}: layer ${i}`);
    l.trainable = trainable;
    return l;
  });
  const config = root.config;
  const model = new Sequential({
    name:
      config && typeof config === 'object' && !Array.isArray(config)
        ? ((config as Record<string, unknown>).name as string | undefined)
        : undefined,
    layers,
  });
  const shape = inputShape ?? (layers[0] instanceof Embedding ? [-1] : null);
  if (!shape) fail('E_FORMAT', `${where}: the input shape is not in the topology (no batch_input_shape / InputLayer)`);
  try {
    model.build(shape, { initialize: false });
  } catch (e) {
    model.dispose();
    fail('E_FORMAT', `${where}: the topology does not build: ${(e as Error).message}`);
  }
  return model;
}

/** The layer list of a Sequential topology (Keras 2 / 3 and TF.js spellings). */
function sequentialLayers(root: Record<string, unknown>, where: string): KerasLayer[] {
  const config = root.config as Record<string, unknown> | unknown[] | undefined;
  const list = Array.isArray(config) ? config : (config as Record<string, unknown> | undefined)?.layers;
  if (!Array.isArray(list)) fail('E_FORMAT', `${where}: Sequential topology has no layer list`);
  return list.map((l) => kerasLayer(l, where));
}

function concatBuffers(d: TfjsArtifacts['weightData']): ArrayBuffer {
  if (d instanceof ArrayBuffer) return d;
  if (ArrayBuffer.isView(d)) return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
  if (Array.isArray(d) && d.every((b) => b instanceof ArrayBuffer)) {
    const total = d.reduce((a, b) => a + b.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const b of d) {
      out.set(new Uint8Array(b), at);
      at += b.byteLength;
    }
    return out.buffer;
  }
  return fail('E_FORMAT', `fromTfjs: weightData must be an ArrayBuffer (or an array of them), got ${describe(d)}`);
}

function readWeights(a: TfjsArtifacts, model: Model, where: string): Tensor[] {
  const specs = a.weightSpecs;
  if (!Array.isArray(specs)) fail('E_FORMAT', `${where}: weightSpecs must be an array`);
  const buf = concatBuffers(a.weightData);
  const params = model.engine(where).params;
  const slots = params.slots;
  if (specs.length !== slots.length) {
    fail('E_FORMAT', `${where}: the topology has ${slots.length} weights but weightSpecs lists ${specs.length}`);
  }
  // where each weight's bytes start, in weightSpecs order
  let at = 0;
  const placed = specs.map((s, i) => {
    if (!s || typeof s.name !== 'string' || !Array.isArray(s.shape) || s.shape.some((d) => !Number.isInteger(d) || d < 0))
      fail('E_FORMAT', `${where}: weightSpecs[${i}] must be { name, shape, dtype }`);
    if (s.quantization) fail('E_FORMAT', `${where}: weight ${s.name} is quantized; re-export it as float32`);
    if (s.dtype !== 'float32') fail('E_FORMAT', `${where}: weight ${s.name} has dtype ${s.dtype}; only float32 weights are supported`);
    const n = s.shape.reduce((x: number, y: number) => x * y, 1);
    const p = { spec: s, index: i, byte: at, n };
    at += 4 * n;
    return p;
  });
  // TF.js names weights <layer>/.../<weight>: take each layer's in order; a
  // topology whose names do not say (older converters) is taken in list order
  const byLayer = new Map<string, typeof placed>();
  for (const p of placed) {
    const key = p.spec.name.split('/')[0];
    byLayer.set(key, [...(byLayer.get(key) ?? []), p]);
  }
  const named = model.layers.every((l) => (byLayer.get(l.name)?.length ?? 0) === params.byLayer.get(l)!.length);
  const order = named ? model.layers.flatMap((l) => byLayer.get(l.name) ?? []) : placed;
  slots.forEach((slot, i) => {
    const { spec: s, index } = order[i];
    if (s.name.split('/').pop() !== slot.spec.name || s.shape.join(',') !== slot.spec.shape.join(',')) {
      fail('E_FORMAT', `${where}: weight ${index} is ${s.name} [${s.shape}] but the model expects ${slot.spec.name} [${slot.spec.shape}]`);
    }
  });
  if (at > buf.byteLength)
    fail(
      'E_FORMAT',
      `${where}: weightData ends before weight ${placed.find((p) => p.byte + 4 * p.n > buf.byteLength)!.spec.name} (truncated)`,
    );
  if (at !== buf.byteLength) fail('E_FORMAT', `${where}: weightData has ${buf.byteLength - at} bytes beyond the listed weights`);
  const view = new DataView(buf);
  return slots.map((_, i) => {
    const { spec: s, byte, n } = order[i];
    const data = new Float32Array(n);
    for (let k = 0; k < n; k++) data[k] = view.getFloat32(byte + 4 * k, true);
    return new Tensor(data, s.shape);
  });
}

// ------------------------------------------------------------------ export

/** Our model as TF.js artifacts that tf.loadLayersModel(tf.io.fromMemory(...)) accepts. */
export function toTfjs(
  model: Model,
): Required<Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs' | 'format' | 'generatedBy' | 'convertedBy'>> & { weightData: ArrayBuffer } {
  model.build();
  const problems: string[] = [];
  let topology: Record<string, unknown>;
  if (model instanceof Sequential) {
    const shape = model.inputs[0].spec.shape;
    const kerasLayers = model.layers.map((l, i) => {
      const k = toKeras(l, problems);
      if (!l.trainable) k.config.trainable = false;
      if (i === 0) k.config.batch_input_shape = [null, ...shape.map((d) => (d < 0 ? null : d))];
      return k;
    });
    topology = { class_name: 'Sequential', config: { name: model.name, layers: kerasLayers } };
  } else {
    topology = kerasFromModel(model, problems);
  }
  maskProblems(model, problems);
  if (problems.length) fail('E_ARG', `toTfjs: TF.js cannot represent:\n  - ${problems.join('\n  - ')}`);
  const weights = model.getWeights();
  const weightSpecs: WeightSpecJSON[] = [];
  const byLayer = model.engine('toTfjs').params.byLayer;
  model.layers.forEach((l) => {
    const prefix = l.className === 'Bidirectional' ? bidiPrefixes(l) : null;
    const slots = byLayer.get(l)!;
    slots.forEach((s, k) => {
      const p = prefix ? `${l.name}/${prefix[k < slots.length / 2 ? 0 : 1]}` : l.name;
      weightSpecs.push({ name: `${p}/${s.spec.name}`, shape: s.spec.shape, dtype: 'float32' });
    });
  });
  const total = weights.reduce((a, w) => a + w.data.length, 0);
  const data = new ArrayBuffer(total * 4);
  const view = new DataView(data);
  let at = 0;
  for (const w of weights) {
    for (let i = 0; i < w.data.length; i++) view.setFloat32(at + 4 * i, w.data[i], true);
    at += 4 * w.data.length;
  }
  return {
    modelTopology: { ...topology, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weightSpecs,
    weightData: data,
    format: 'layers-model',
    generatedBy: 'wasm-rnn',
    convertedBy: null,
  };
}

/**
 * Layers that take a mask here but not in TF.js: it runs them on every step,
 * so a padded step counts as data (Conv1D reads its embedding, not zeros;
 * the poolings take it into maxima and means) and predictions would differ.
 */
const MASK_DIFFERS = new Set(['Conv1D', 'MaxPooling1D', 'AveragePooling1D', 'GlobalMaxPooling1D', 'GlobalAveragePooling1D']);

/** Each such layer a mask reaches (from embedding maskZero or Masking, through the layers that pass it on). */
function maskProblems(model: Model, problems: string[]): void {
  const seen = new Set<string>();
  for (const n of model.topology('toTfjs').nodes) {
    const l = n.layer;
    if (!MASK_DIFFERS.has(l.className) || !n.inputs[0]?.spec.masked || seen.has(l.name)) continue;
    seen.add(l.name);
    problems.push(
      `${l.name}: a mask reaches this ${l.className} (embedding maskZero or masking upstream); TF.js ignores the mask there, so padded steps would count as data and its predictions would differ`,
    );
  }
}
