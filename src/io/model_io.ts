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
import { decodeTopology } from './topology.js';
import { Tensor } from '../tensor.js';
import { optimizerFromConfig } from '../train/optimizers.js';
import { TextVectorizer } from '../text/index.js';
import type { CustomFunctions } from '../text/index.js';
import type { CompileOptions } from '../models/heads.js';
import { decodeContainer } from './artifact.js';
import { FORMAT, FORMAT_VERSION } from './serialize.js';

export interface LoadOptions {
  /** custom standardize/split/stem functions the saved vectorizer used */
  textFunctions?: CustomFunctions;
}

export function deserializeModel(bytes: Uint8Array, opts: LoadOptions = {}): Model {
  const { header: h, data } = decodeContainer(bytes);
  const where = 'loadModel';
  if (h.format !== FORMAT) fail('E_FORMAT', `${where}: not a wasm-rnn model artifact (format ${describe(h.format)})`);
  if (h.formatVersion !== 1 && h.formatVersion !== FORMAT_VERSION) {
    fail(
      'E_FORMAT',
      `${where}: model format version ${describe(h.formatVersion)} is not supported (this library reads 1 and ${FORMAT_VERSION})`,
    );
  }
  const m = obj(h.model, 'model');
  if (!Number.isInteger(m.seed) || (m.seed as number) < 0 || (m.seed as number) >= 2 ** 32)
    fail('E_FORMAT', `${where}: model.seed is not a 32-bit integer`);
  if (m.name !== undefined && typeof m.name !== 'string') fail('E_FORMAT', `${where}: model.name must be a string`);
  const weights = arr(h.weights, 'weights').map((w, i) => {
    const o = obj(w, `weights[${i}]`);
    const shape = arr(o.shape, `weights[${i}].shape`);
    if (
      typeof o.name !== 'string' ||
      shape.some((d) => !Number.isInteger(d) || (d as number) < 0) ||
      !Number.isInteger(o.offset) ||
      (o.offset as number) < 0
    ) {
      fail('E_FORMAT', `${where}: weights[${i}] must be { name, shape, offset } with integer shape and offset`);
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if ((o.offset as number) + size > data.length)
      fail('E_FORMAT', `${where}: weights[${i}] (${o.name}) points past the end of the data block`);
    return { name: o.name as string, shape: shape as number[], data: data.subarray(o.offset as number, (o.offset as number) + size) };
  });

  let model: Model;
  try {
    model = decodeTopology(m, h.formatVersion as number, where);
  } catch (e) {
    if (e instanceof WasmRnnError && e.code !== 'E_FORMAT' && e.code !== 'E_MEMORY')
      throw new WasmRnnError('E_FORMAT', `${where}: the saved topology does not build: ${e.message}`);
    throw e;
  }
  try {
    try {
      model.build(undefined, { initialize: false });
    } catch (e) {
      fail('E_FORMAT', `${where}: the saved topology does not build: ${(e as Error).message}`);
    }
    const slots = model.engine(where).params.slots;
    if (slots.length !== weights.length)
      fail('E_FORMAT', `${where}: the topology has ${slots.length} weights but the artifact holds ${weights.length}`);
    slots.forEach((s, i) => {
      if (s.spec.name !== weights[i].name || s.spec.shape.join(',') !== weights[i].shape.join(',')) {
        fail(
          'E_FORMAT',
          `${where}: weight ${i} is ${weights[i].name} [${weights[i].shape}] but the topology expects ${s.spec.name} [${s.spec.shape}]`,
        );
      }
      const bad = firstNonFinite(weights[i].data);
      if (bad >= 0) fail('E_FORMAT', `${where}: weight ${i} (${weights[i].name}) holds ${weights[i].data[bad]}`);
    });
    if (h.compile !== undefined) {
      const c = obj(h.compile, 'compile');
      const opt = obj(c.optimizer, 'compile.optimizer');
      try {
        if (typeof opt.name !== 'string' || !opt.config || typeof opt.config !== 'object')
          fail('E_FORMAT', 'compile.optimizer must be { name, config }');
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
      if (!Number.isInteger(t.iterations) || (t.iterations as number) < 0)
        fail('E_FORMAT', `${where}: training.iterations must be a non-negative integer`);
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
  if (!v || typeof v !== 'object' || Array.isArray(v))
    fail('E_FORMAT', `loadModel: field '${field}' must be an object, got ${describe(v)}`);
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
