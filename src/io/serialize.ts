/**
 * model.serialize(): the artifact's writing half (model_io.ts reads it; the
 * layout is described there). Kept apart from the reader so that models
 * can save themselves without importing the code that rebuilds models.
 */
import { describe, fail } from '../errors.js';
import type { Model } from '../models/model.js';
import { encodeContainer } from './artifact.js';
import { encodeTopology } from './topology_out.js';

export const FORMAT = 'wasm-rnn-model';
export const FORMAT_VERSION = 2;

export interface SerializeOptions {
  /** optimizer state and Rng state, to resume training exactly (default true when compiled) */
  includeOptimizer?: boolean;
  /** free-form JSON stored with the model (default: model.metadata) */
  metadata?: Record<string, unknown>;
}

export function serializeModel(model: Model, opts: SerializeOptions = {}): Uint8Array {
  if (opts === null || typeof opts !== 'object') fail('E_ARG', `serialize: options must be an object, got ${describe(opts)}`);
  for (const k of Object.keys(opts)) {
    if (k !== 'includeOptimizer' && k !== 'metadata')
      fail('E_ARG', `serialize: unknown option '${k}' (supported: includeOptimizer, metadata)`);
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
  // the option, else what was set on the model (model.metadata)
  const metadata = opts.metadata !== undefined ? opts.metadata : (model.metadata ?? undefined);
  if (metadata !== undefined) {
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) fail('E_ARG', 'serialize: metadata must be a JSON object');
    header.metadata = JSON.parse(JSON.stringify(metadata));
  }
  return encodeContainer(header, data);
}
