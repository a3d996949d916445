/**
 * Layer classes by their Keras class name, to rebuild a model from its saved
 * topology. A layer's getConfig() holds exactly the options its factory
 * takes, so `factory(config)` rebuilds it; nested layers (Bidirectional's
 * `layer`) are saved as { className, config } and rebuilt first.
 */
import { describe, fail } from '../errors.js';
import * as factories from '../layers/factories.js';
import type { Layer } from '../layers/layer.js';
import type { LayerJSON } from './layer_json.js';

type Factory = (config: Record<string, unknown>) => Layer;

/** Keras class name -> factory name in `layers`. */
const FACTORIES: Record<string, keyof typeof factories> = {
  Embedding: 'embedding',
  LSTM: 'lstm',
  GRU: 'gru',
  SimpleRNN: 'simpleRNN',
  Dense: 'dense',
  Dropout: 'dropout',
  Bidirectional: 'bidirectional',
  Masking: 'masking',
  Concatenate: 'concatenate',
  Add: 'add',
  Subtract: 'subtract',
  Multiply: 'multiply',
  Average: 'average',
  Flatten: 'flatten',
  Reshape: 'reshape',
  RepeatVector: 'repeatVector',
  TimeDistributed: 'timeDistributed',
  Activation: 'activation',
  Maximum: 'maximum',
  Conv1D: 'conv1d',
  MaxPooling1D: 'maxPooling1d',
  AveragePooling1D: 'averagePooling1d',
  GlobalMaxPooling1D: 'globalMaxPooling1d',
  GlobalAveragePooling1D: 'globalAveragePooling1d',
  Attention: 'attention',
  AdditiveAttention: 'additiveAttention',
  MultiHeadAttention: 'multiHeadAttention',
  LayerNormalization: 'layerNormalization',
  TokenAndPositionEmbedding: 'tokenAndPositionEmbedding',
  Dot: 'dot',
};

export function layerFromJSON(j: unknown, where: string): Layer {
  if (!j || typeof j !== 'object') fail('E_FORMAT', `${where}: a layer entry must be { className, config }, got ${describe(j)}`);
  const { className, config } = j as Partial<LayerJSON>;
  const factoryName = typeof className === 'string' ? FACTORIES[className] : undefined;
  const factory = factoryName ? (factories[factoryName] as Factory) : undefined;
  if (!factory) {
    fail('E_FORMAT', `${where}: unknown layer class ${describe(className)} (supported: ${Object.keys(FACTORIES).join(', ')})`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) fail('E_FORMAT', `${where}: layer ${className} has no config object`);
  const c = { ...config };
  if (c.layer && typeof c.layer === 'object' && 'className' in (c.layer as object))
    c.layer = layerFromJSON(c.layer, `${where} (wrapped layer)`);
  try {
    return factory(c);
  } catch (e) {
    fail('E_FORMAT', `${where}: cannot rebuild ${className}: ${(e as Error).message}`);
  }
}
