/**
 * model.serialize() and loadModel(): one self-contained, versioned artifact
 * holding the topology, the weights, the compile settings, and optionally
 * the TextVectorizer, the label names, and the optimizer + Rng state that let
 * training resume exactly where it stopped.
 *
 * The header (artifact.ts) is JSON:
 *   { format: 'wasm-rnn-model', formatVersion: 2,
 *     model: a Sequential: { className: 'Sequential', name, seed, inputShape, layers: [layer] }
 *            a functional Model: { className: 'Model', name, seed, layers: [layer],
 *              inputs: [{ name, shape, dtype }], nodes: [{ layer, inputs: [ref], nStates, mask, training }],
 *              outputs: [ref] }   (a ref is [node, output], node -1 for a model input;
 *              layer = { className, config, trainable? })
 *     (version 1, still read: { name, seed, inputShape, layers } — a Sequential)
 *     weights: [{ name, shape, offset }],          offsets into the data block
 *     compile?: { optimizer: { name, config }, loss: { name, fromLogits }, metrics },
 *     training?: { iterations, state: [{ offset, length }], rng: number[] },
 *     vectorizer?: TextVectorizer JSON, labels?: string[], metadata?: object }
 * Loading checks every field, builds the model, checks every weight's name
 * and shape against the rebuilt topology, and only then writes the weights;
 * on any failure the partly built model is disposed and an E_FORMAT error
 * names what was wrong.
 */
import { describe, fail, WasmRnnError } from '../errors.js';
import type { Model } from '../models/model.js';
import { decodeTopology, encodeTopology } from './topology.js';
import { Tensor } from '../tensor.js';
import { optimizerFromConfig } from '../train/optimizers.js';
import { TextVectorizer } from '../text/index.js';
import type { CustomFunctions } from '../text/index.js';
import type { CompileOptions } from '../models/heads.js';
import { decodeContainer, encodeContainer } from './artifact.js';

export const FORMAT = 'wasm-rnn-model';
export const FORMAT_VERSION = 2;

export interface SerializeOptions {
  /** optimizer state and Rng state, to resume training exactly (default true when compiled) */
  includeOptimizer?: boolean;
  /** free-form JSON stored with the model */
  metadata?: Record<string, unknown>;
}

export interface LoadOptions {
  /** custom standardize/split/stem functions the saved vectorizer used */
  textFunctions?: CustomFunctions;
}

export function serializeModel(model: Model, opts: SerializeOptions = {}): Uint8Array {
  if (opts === null || typeof opts !== 'object') fail('E_ARG', `serialize: options must be an object, got ${describe(opts)}`);
  for (const k of Object.keys(opts)) {
    if (k !== 'includeOptimizer' && k !== 'metadata') fail('E_ARG', `serialize: unknown option '${k}' (supported: includeOptimizer, metadata)`);
  }
  const engine = model.engine('serialize');
  const be = model.backend;
  // every float goes straight from the arena into one data block (no interim copies)
  const c = model.compileConfig;
  const withTraining = !!c && opts.includeOptimizer !== false;
  const optState = withTraining ? c!.optimizer.getState(be) : [];
  const slots = engine.params.slots;
  const total = slots.reduce((n, s) => n + s.w.length, 0) + optState.reduce((n, a) => n + a.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  const weights = slots.map((s) => {
    be.readInto(s.w, data.subarray(offset, offset + s.w.length));
    const w = { name: s.spec.name, shape: s.spec.shape, offset };
    offset += s.w.length;
    return w;
  });
  const header: Record<string, unknown> = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    model: { name: model.name, seed: model.seed, ...encodeTopology(model) },
    weights,
  };
  if (c) {
    const one = c.heads.length === 1;
    header.compile = {
      optimizer: { name: c.optimizer.name, config: c.optimizer.getConfig() },
      loss: one ? c.heads[0].loss : c.heads.map((h) => h.loss),
      metrics: one ? c.heads[0].metrics : c.heads.map((h) => h.metrics),
      ...(c.heads.some((h) => h.weight !== 1) ? { lossWeights: c.heads.map((h) => h.weight) } : {}),
    };
    if (withTraining) {
      const state = optState.map((a) => {
        data.set(a, offset);
        offset += a.length;
        return { offset: offset - a.length, length: a.length };
      });
      header.training = { iterations: c.optimizer.iterations, state, rng: model.rng.getState().map((v) => (Number.isNaN(v) ? null : v)) };
    }
  } else if (opts.includeOptimizer === true) {
    fail('E_STATE', 'serialize: includeOptimizer needs a compiled model');
  }
  if (model.vectorizer) header.vectorizer = model.vectorizer.toJSON();
  if (model.labels) header.labels = model.labels;
  if (opts.metadata !== undefined) {
    if (!opts.metadata || typeof opts.metadata !== 'object') fail('E_ARG', 'serialize: metadata must be a JSON object');
    header.metadata = JSON.parse(JSON.stringify(opts.metadata));
  }
  return encodeContainer(header, data);
}

export function deserializeModel(bytes: Uint8Array, opts: LoadOptions = {}): Model {
  const { header: h, data } = decodeContainer(bytes);
  const where = 'loadModel';
  if (h.format !== FORMAT) fail('E_FORMAT', `${where}: not a wasm-rnn model artifact (format ${describe(h.format)})`);
  if (h.formatVersion !== 1 && h.formatVersion !== FORMAT_VERSION) {
    fail('E_FORMAT', `${where}: model format version ${describe(h.formatVersion)} is not supported (this library reads 1 and ${FORMAT_VERSION})`);
  }
  const m = obj(h.model, 'model');
  if (!Number.isInteger(m.seed) || (m.seed as number) < 0 || (m.seed as number) >= 2 ** 32) fail('E_FORMAT', `${where}: model.seed is not a 32-bit integer`);
  if (m.name !== undefined && typeof m.name !== 'string') fail('E_FORMAT', `${where}: model.name must be a string`);
  const weights = arr(h.weights, 'weights').map((w, i) => {
    const o = obj(w, `weights[${i}]`);
    const shape = arr(o.shape, `weights[${i}].shape`);
    if (typeof o.name !== 'string' || shape.some((d) => !Number.isInteger(d) || (d as number) < 0) || !Number.isInteger(o.offset) || (o.offset as number) < 0) {
      fail('E_FORMAT', `${where}: weights[${i}] must be { name, shape, offset } with integer shape and offset`);
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if ((o.offset as number) + size > data.length) fail('E_FORMAT', `${where}: weights[${i}] (${o.name}) points past the end of the data block`);
    return { name: o.name as string, shape: shape as number[], data: data.subarray(o.offset as number, (o.offset as number) + size) };
  });

  let model: Model;
  try {
    model = decodeTopology(m, h.formatVersion as number, where);
  } catch (e) {
    if (e instanceof WasmRnnError && e.code !== 'E_FORMAT' && e.code !== 'E_MEMORY') throw new WasmRnnError('E_FORMAT', `${where}: the saved topology does not build: ${e.message}`);
    throw e;
  }
  try {
    try {
      model.build(undefined, { initialize: false });
    } catch (e) {
      fail('E_FORMAT', `${where}: the saved topology does not build: ${(e as Error).message}`);
    }
    const slots = model.engine(where).params.slots;
    if (slots.length !== weights.length) fail('E_FORMAT', `${where}: the topology has ${slots.length} weights but the artifact holds ${weights.length}`);
    slots.forEach((s, i) => {
      if (s.spec.name !== weights[i].name || s.spec.shape.join(',') !== weights[i].shape.join(',')) {
        fail('E_FORMAT', `${where}: weight ${i} is ${weights[i].name} [${weights[i].shape}] but the topology expects ${s.spec.name} [${s.spec.shape}]`);
      }
      const bad = firstNonFinite(weights[i].data);
      if (bad >= 0) fail('E_FORMAT', `${where}: weight ${i} (${weights[i].name}) holds ${weights[i].data[bad]}`);
    });
    if (h.compile !== undefined) {
      const c = obj(h.compile, 'compile');
      const opt = obj(c.optimizer, 'compile.optimizer');
      try {
        if (typeof opt.name !== 'string' || !opt.config || typeof opt.config !== 'object') fail('E_FORMAT', 'compile.optimizer must be { name, config }');
        model.compile({
          optimizer: optimizerFromConfig(opt.name, opt.config as Record<string, unknown>),
          loss: c.loss as CompileOptions['loss'],
          metrics: c.metrics as CompileOptions['metrics'],
          ...(c.lossWeights !== undefined ? { lossWeights: c.lossWeights as number[] } : {}),
        });
      } catch (e) {
        fail('E_FORMAT', `${where}: compile settings are invalid: ${(e as Error).message}`);
      }
    }
    model.setWeights(weights.map((w) => new Tensor(w.data, w.shape)));
    if (h.training !== undefined) {
      const t = obj(h.training, 'training');
      const opt = model.optimizer;
      if (!opt) fail('E_FORMAT', `${where}: training state without compile settings`);
      const state = arr(t.state, 'training.state').map((s, i) => {
        const o = obj(s, `training.state[${i}]`);
        const [off, len] = [o.offset as number, o.length as number];
        if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > data.length) {
          fail('E_FORMAT', `${where}: training.state[${i}] points outside the data block`);
        }
        return data.slice(off, off + len);
      });
      if (!Number.isInteger(t.iterations) || (t.iterations as number) < 0) fail('E_FORMAT', `${where}: training.iterations must be a non-negative integer`);
      opt.attach(model.backend, model.countParams());
      opt.setState(model.backend, state, t.iterations as number);
      const rng = arr(t.rng, 'training.rng').map((v) => (v === null ? NaN : v)) as number[];
      try {
        model.rng.setState(rng);
      } catch (e) {
        fail('E_FORMAT', `${where}: training.rng: ${(e as Error).message}`);
      }
    }
    if (h.vectorizer !== undefined) {
      try {
        model.vectorizer = TextVectorizer.fromJSON(h.vectorizer, opts.textFunctions);
      } catch (e) {
        fail('E_FORMAT', `${where}: vectorizer: ${(e as Error).message}`);
      }
    }
    if (h.labels !== undefined) {
      const labels = arr(h.labels, 'labels');
      if (labels.some((l) => typeof l !== 'string')) fail('E_FORMAT', `${where}: labels must be strings`);
      model.labels = labels as string[];
    }
    if (h.metadata !== undefined) model.metadata = obj(h.metadata, 'metadata');
    return model;
  } catch (e) {
    model.dispose();
    if (e instanceof WasmRnnError && e.code !== 'E_MEMORY') {
      throw e.code === 'E_FORMAT' ? e : new WasmRnnError('E_FORMAT', `${where}: ${e.message}`);
    }
    throw e;
  }
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail('E_FORMAT', `loadModel: field '${field}' must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) fail('E_FORMAT', `loadModel: field '${field}' must be an array, got ${describe(v)}`);
  return v;
}

/** Index of the first NaN/±Inf, or -1. */
function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) return i;
  return -1;
}
