/**
 * TensorFlow.js layers-model format, both ways, in the exact shape TF.js
 * uses for tf.io.withSaveHandler / tf.io.fromMemory:
 *   { modelTopology, weightSpecs, weightData }
 * modelTopology is Keras's model JSON (snake_case configs): a Sequential, or
 * a functional Model whose graph is a single chain. Keras models converted
 * with tensorflowjs_converter (model_config wrapper, InputLayer,
 * TimeDistributed(Dense), Keras 3 spellings) load too.
 *
 * Import is strict: an option that would change the math and that we do not
 * implement (dropout inside an RNN, regularizers, constraints, time_major,
 * quantized weights, ...) is listed in one E_FORMAT error rather than
 * silently ignored. Options that cannot change the result of a model whose
 * weights are given (initialisers, implementation, unroll, trainable, dtype)
 * are accepted.
 */
import { describe, fail } from '../errors.js';
import { Embedding } from '../layers/embedding.js';
import type { Layer } from '../layers/layer.js';
import { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor.js';
import { layerFromJSON, type LayerJSON } from './registry.js';

export interface WeightSpecJSON {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface TfjsArtifacts {
  modelTopology: unknown;
  weightSpecs?: WeightSpecJSON[];
  weightData?: ArrayBuffer | ArrayBuffer[] | ArrayBufferView;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

type KerasLayer = { class_name: string; config: Record<string, unknown>; name?: string; inbound_nodes?: unknown };

const ACT_IN: Record<string, string> = {
  linear: 'linear', sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', softmax: 'softmax',
  hard_sigmoid: 'hardSigmoid', hardSigmoid: 'hardSigmoid',
};
const ACT_OUT: Record<string, string> = { hardSigmoid: 'hard_sigmoid' };

/** Keys that cannot change a loaded model's results: accepted and dropped. */
const HARMLESS = new Set([
  'name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'input_shape', 'batch_size', 'input_dtype',
  'kernel_initializer', 'recurrent_initializer', 'bias_initializer', 'embeddings_initializer',
  'unit_forget_bias', 'implementation', 'unroll', 'seed', 'sparse', 'ragged', 'module', 'registered_name',
  'build_config', 'input_length', 'lora_rank', 'lora_alpha', 'quantization_config',
]);
/** Keys that must be null/absent/zero (we do not implement them). */
const MUST_BE_OFF = ['kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer', 'activity_regularizer',
  'embeddings_regularizer', 'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'embeddings_constraint',
  'dropout', 'recurrent_dropout', 'noise_shape', 'time_major', 'use_cudnn'];

/** Build our model from TF.js / Keras artifacts. */
export function fromTfjs(artifacts: TfjsArtifacts): Sequential {
  const where = 'fromTfjs';
  if (!artifacts || typeof artifacts !== 'object') fail('E_FORMAT', `${where}: expected { modelTopology, weightSpecs, weightData }, got ${describe(artifacts)}`);
  let topo = artifacts.modelTopology;
  if (typeof topo === 'string') {
    try {
      topo = JSON.parse(topo);
    } catch (e) {
      fail('E_FORMAT', `${where}: modelTopology is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!topo || typeof topo !== 'object') fail('E_FORMAT', `${where}: modelTopology must be an object, got ${describe(topo)}`);
  const t = topo as Record<string, unknown>;
  const root = (t.model_config ?? t) as Record<string, unknown>;
  const { kerasLayers, inputShape: declared } = linearLayers(root, where);

  const problems: string[] = [];
  const ours: LayerJSON[] = [];
  let inputShape = declared;
  for (const kl of kerasLayers) {
    if (kl.class_name === 'InputLayer') {
      inputShape = shapeOf(kl.config.batch_input_shape ?? kl.config.batch_shape) ?? inputShape;
      continue;
    }
    inputShape ??= shapeOf(kl.config.batch_input_shape ?? kl.config.batch_shape);
    const j = convertLayer(kl, problems);
    if (j) ours.push(j);
  }
  if (problems.length) fail('E_FORMAT', `${where}: unsupported model features:\n  - ${problems.join('\n  - ')}`);
  if (ours.length === 0) fail('E_FORMAT', `${where}: the model has no layers`);

  const layers = ours.map((j, i) => layerFromJSON(j, `${where}: layer ${i}`));
  const model = new Sequential({ name: typeof root.config === 'object' ? ((root.config as Record<string, unknown>).name as string | undefined) : undefined, layers });
  try {
    const first = layers[0];
    const shape = inputShape ?? (first instanceof Embedding ? [-1] : null);
    if (!shape) fail('E_FORMAT', `${where}: the input shape is not in the topology (no batch_input_shape / InputLayer)`);
    try {
      model.build(shape, { initialize: false });
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

/** The layer chain of a Sequential or a single-chain functional model. */
function linearLayers(root: Record<string, unknown>, where: string): { kerasLayers: KerasLayer[]; inputShape: number[] | null } {
  const cls = root.class_name;
  const config = root.config as Record<string, unknown> | unknown[] | undefined;
  if (cls === 'Sequential') {
    const list = Array.isArray(config) ? config : (config as Record<string, unknown> | undefined)?.layers;
    if (!Array.isArray(list)) fail('E_FORMAT', `${where}: Sequential topology has no layer list`);
    return { kerasLayers: list.map((l) => kerasLayer(l, where)), inputShape: null };
  }
  if (cls === 'Model' || cls === 'Functional') {
    const c = config as Record<string, unknown>;
    const list = c?.layers;
    if (!Array.isArray(list)) fail('E_FORMAT', `${where}: functional topology has no layer list`);
    const layers = list.map((l) => kerasLayer(l, where));
    // every layer but the input must take exactly the previous one
    for (let i = 1; i < layers.length; i++) {
      const inbound = inboundNames(layers[i].inbound_nodes);
      const prev = layers[i - 1].name ?? (layers[i - 1].config.name as string);
      if (inbound.length !== 1 || inbound[0] !== prev) {
        fail('E_FORMAT', `${where}: only a single chain of layers is supported; layer '${layers[i].name}' takes [${inbound.join(', ')}], not just '${prev}'`);
      }
    }
    return { kerasLayers: layers, inputShape: null };
  }
  return fail('E_FORMAT', `${where}: model class ${describe(cls)} is not supported (Sequential, or a functional Model that is one chain of layers)`);
}

function kerasLayer(v: unknown, where: string): KerasLayer {
  if (!v || typeof v !== 'object' || typeof (v as KerasLayer).class_name !== 'string' || typeof (v as KerasLayer).config !== 'object') {
    fail('E_FORMAT', `${where}: a layer entry must be { class_name, config }, got ${describe(v)}`);
  }
  return v as KerasLayer;
}

/** Names of the layers feeding this one (Keras 2 and Keras 3 node formats). */
function inboundNames(nodes: unknown): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      // Keras 2: [[name, nodeIndex, tensorIndex, kwargs], ...]
      if (typeof v[0] === 'string' && typeof v[1] === 'number') names.push(v[0]);
      else v.forEach(walk);
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // Keras 3: { args: [{ class_name: '__keras_tensor__', config: { keras_history: [name, i, j] } }] }
      const hist = (o.config as Record<string, unknown> | undefined)?.keras_history;
      if (Array.isArray(hist) && typeof hist[0] === 'string') names.push(hist[0]);
      else if (o.args) walk(o.args);
    }
  };
  walk(nodes);
  return names;
}

function shapeOf(v: unknown): number[] | null {
  if (!Array.isArray(v) || v.length < 2) return null;
  return v.slice(1).map((d) => (d === null ? -1 : Number(d)));
}

/** One Keras layer JSON to ours; problems are collected, not thrown one by one. */
function convertLayer(kl: KerasLayer, problems: string[]): LayerJSON | null {
  const c = kl.config;
  const name = (c.name as string | undefined) ?? kl.name;
  const where = `${kl.class_name} '${name}'`;
  const used = new Set<string>(['name']);
  const take = (key: string): unknown => {
    used.add(key);
    return c[key];
  };
  const act = (key: string, dflt: string): string => {
    const v = take(key);
    if (v === undefined || v === null) return dflt;
    const s = typeof v === 'string' ? v : (v as { class_name?: string })?.class_name ?? (v as { config?: { name?: string } })?.config?.name;
    const mapped = typeof s === 'string' ? ACT_IN[s] : undefined;
    if (!mapped) problems.push(`${where}: activation ${describe(v)}`);
    return mapped ?? dflt;
  };
  const finish = (className: string, config: Record<string, unknown>): LayerJSON => {
    for (const k of MUST_BE_OFF) {
      used.add(k);
      const v = c[k];
      if (v !== undefined && v !== null && v !== 0 && v !== false) problems.push(`${where}: ${k} = ${JSON.stringify(v)}`);
    }
    for (const k of Object.keys(c)) {
      if (!used.has(k) && !HARMLESS.has(k)) problems.push(`${where}: option '${k}'`);
    }
    return { className, config: { ...config, ...(name ? { name } : {}) } };
  };
  const recurrent = () => ({
    units: take('units'),
    activation: act('activation', 'tanh'),
    useBias: take('use_bias') ?? true,
    returnSequences: take('return_sequences') ?? false,
    returnState: take('return_state') ?? false,
    goBackwards: take('go_backwards') ?? false,
    stateful: take('stateful') ?? false,
  });
  switch (kl.class_name) {
    case 'Embedding':
      return finish('Embedding', { inputDim: take('input_dim'), outputDim: take('output_dim'), maskZero: take('mask_zero') ?? false });
    case 'Dense':
      return finish('Dense', { units: take('units'), activation: act('activation', 'linear'), useBias: take('use_bias') ?? true });
    case 'Dropout':
      used.add('rate');
      return finish('Dropout', { rate: c.rate });
    case 'Masking':
      return finish('Masking', { maskValue: take('mask_value') ?? 0 });
    case 'LSTM':
      return finish('LSTM', { ...recurrent(), recurrentActivation: act('recurrent_activation', 'sigmoid') });
    case 'GRU':
      return finish('GRU', { ...recurrent(), recurrentActivation: act('recurrent_activation', 'sigmoid'), resetAfter: take('reset_after') ?? false });
    case 'SimpleRNN':
      return finish('SimpleRNN', recurrent());
    case 'Bidirectional': {
      const inner = kerasLayer(take('layer'), `${where}`);
      used.add('backward_layer'); // Keras writes the mirrored layer it derives; we derive it the same way
      const innerJson = convertLayer(inner, problems);
      const mode = take('merge_mode') ?? 'concat';
      if (!['concat', 'sum', 'mul', 'ave'].includes(mode as string)) problems.push(`${where}: merge_mode ${describe(mode)}`);
      return innerJson ? finish('Bidirectional', { layer: innerJson, mergeMode: mode }) : null;
    }
    case 'TimeDistributed': {
      const inner = kerasLayer(take('layer'), where);
      if (inner.class_name !== 'Dense') {
        problems.push(`${where}: only TimeDistributed(Dense) is supported, not TimeDistributed(${inner.class_name})`);
        return null;
      }
      const j = convertLayer(inner, problems);
      return j ? finish('Dense', { ...j.config }) : null;
    }
    default:
      problems.push(`${where}: layer type ${kl.class_name}`);
      return null;
  }
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

function readWeights(a: TfjsArtifacts, model: Sequential, where: string): Tensor[] {
  const specs = a.weightSpecs;
  if (!Array.isArray(specs)) fail('E_FORMAT', `${where}: weightSpecs must be an array`);
  const buf = concatBuffers(a.weightData);
  const slots = model.engine(where).params.slots;
  if (specs.length !== slots.length) {
    fail('E_FORMAT', `${where}: the topology has ${slots.length} weights but weightSpecs lists ${specs.length}`);
  }
  const view = new DataView(buf);
  let at = 0;
  const tensors = specs.map((s, i) => {
    if (!s || typeof s.name !== 'string' || !Array.isArray(s.shape)) fail('E_FORMAT', `${where}: weightSpecs[${i}] must be { name, shape, dtype }`);
    if (s.quantization) fail('E_FORMAT', `${where}: weight ${s.name} is quantized; re-export it as float32`);
    if (s.dtype !== 'float32') fail('E_FORMAT', `${where}: weight ${s.name} has dtype ${s.dtype}; only float32 weights are supported`);
    const slot = slots[i];
    const suffix = s.name.split('/').pop();
    if (suffix !== slot.spec.name || s.shape.join(',') !== slot.spec.shape.join(',')) {
      fail('E_FORMAT', `${where}: weight ${i} is ${s.name} [${s.shape}] but the model expects ${slot.spec.name} [${slot.spec.shape}]`);
    }
    const n = s.shape.reduce((x: number, y: number) => x * y, 1);
    if (at + 4 * n > buf.byteLength) fail('E_FORMAT', `${where}: weightData ends before weight ${s.name} (truncated)`);
    const data = new Float32Array(n);
    for (let k = 0; k < n; k++) data[k] = view.getFloat32(at + 4 * k, true);
    at += 4 * n;
    return new Tensor(data, s.shape);
  });
  if (at !== buf.byteLength) fail('E_FORMAT', `${where}: weightData has ${buf.byteLength - at} bytes beyond the listed weights`);
  return tensors;
}

// ------------------------------------------------------------------ export

/** Our model as TF.js artifacts that tf.loadLayersModel(tf.io.fromMemory(...)) accepts. */
export function toTfjs(model: Sequential): Required<Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs' | 'format' | 'generatedBy' | 'convertedBy'>> & { weightData: ArrayBuffer } {
  model.build();
  const spec = { shape: model.inputs[0].spec.shape };
  const problems: string[] = [];
  const kerasLayers = model.layers.map((l, i) => {
    const k = toKeras(l, problems);
    if (i === 0) k.config.batch_input_shape = [null, ...spec.shape.map((d) => (d < 0 ? null : d))];
    return k;
  });
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
    modelTopology: { class_name: 'Sequential', config: { name: model.name, layers: kerasLayers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weightSpecs,
    weightData: data,
    format: 'layers-model',
    generatedBy: 'wasm-rnn',
    convertedBy: null,
  };
}

function bidiPrefixes(l: Layer): [string, string] {
  const inner = (l.getConfig().layer as LayerJSON | Layer | undefined);
  const innerName = inner && 'className' in inner && typeof (inner as LayerJSON).config === 'object'
    ? ((inner as LayerJSON).config.name as string) : (inner as Layer | undefined)?.name ?? 'layer';
  return [`forward_${innerName}`, `backward_${innerName}`];
}

function toKeras(l: Layer, problems: string[]): KerasLayer {
  const c = l.getConfig();
  const act = (a: unknown) => ACT_OUT[a as string] ?? a;
  const rnn = () => ({
    units: c.units, activation: act(c.activation), use_bias: c.useBias,
    return_sequences: c.returnSequences, return_state: c.returnState, go_backwards: c.goBackwards, stateful: c.stateful,
    dropout: 0, recurrent_dropout: 0,
  });
  switch (l.className) {
    case 'Embedding':
      return { class_name: 'Embedding', config: { name: l.name, input_dim: c.inputDim, output_dim: c.outputDim, mask_zero: c.maskZero } };
    case 'Dense':
      return { class_name: 'Dense', config: { name: l.name, units: c.units, activation: act(c.activation), use_bias: c.useBias } };
    case 'Dropout':
      return { class_name: 'Dropout', config: { name: l.name, rate: c.rate } };
    case 'Masking':
      return { class_name: 'Masking', config: { name: l.name, mask_value: c.maskValue } };
    case 'LSTM':
      if (c.peephole) problems.push(`${l.name}: peephole LSTM (TF.js has no peephole cell)`);
      return { class_name: 'LSTM', config: { name: l.name, ...rnn(), recurrent_activation: act(c.recurrentActivation), unit_forget_bias: c.unitForgetBias } };
    case 'GRU':
      if (c.resetAfter) problems.push(`${l.name}: GRU with resetAfter: true (TF.js supports resetAfter: false only)`);
      return { class_name: 'GRU', config: { name: l.name, ...rnn(), recurrent_activation: act(c.recurrentActivation), reset_after: false } };
    case 'SimpleRNN':
      return { class_name: 'SimpleRNN', config: { name: l.name, ...rnn() } };
    case 'Bidirectional': {
      const inner = c.layer as LayerJSON;
      const innerLayer = layerFromJSON(inner, 'toTfjs');
      return { class_name: 'Bidirectional', config: { name: l.name, merge_mode: c.mergeMode, layer: toKeras(innerLayer, problems) } };
    }
    default:
      problems.push(`${l.name}: layer type ${l.className}`);
      return { class_name: l.className, config: {} };
  }
}
