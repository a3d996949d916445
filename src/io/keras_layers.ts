/**
 * One Keras layer's JSON (snake_case, as TF.js and tensorflowjs_converter
 * write it) to our layer JSON and back. Import is strict: an option that
 * would change the math and that we do not implement is collected into the
 * caller's problem list (one E_FORMAT error names them all) rather than
 * silently ignored; options that cannot change a model whose weights are
 * given (initialisers, implementation, unroll, dtype) are accepted.
 */
import { describe, fail } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { LayerJSON } from './layer_json.js';
import { layerFromJSON } from './registry.js';

export type KerasLayer = { class_name: string; config: Record<string, unknown>; name?: string; inbound_nodes?: unknown };

const ACT_IN: Record<string, string> = {
  linear: 'linear',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  softmax: 'softmax',
  hard_sigmoid: 'hardSigmoid',
  hardSigmoid: 'hardSigmoid',
};
const ACT_OUT: Record<string, string> = { hardSigmoid: 'hard_sigmoid' };

/** Keys that cannot change a loaded model's results: accepted and dropped. */
const HARMLESS = new Set([
  'name',
  'trainable',
  'dtype',
  'batch_input_shape',
  'batch_shape',
  'input_shape',
  'batch_size',
  'input_dtype',
  'kernel_initializer',
  'recurrent_initializer',
  'bias_initializer',
  'embeddings_initializer',
  'unit_forget_bias',
  'implementation',
  'unroll',
  'seed',
  'sparse',
  'ragged',
  'module',
  'registered_name',
  'build_config',
  'input_length',
  'lora_rank',
  'lora_alpha',
  'quantization_config',
]);
/** Keys that must be null/absent/zero (we do not implement them). */
const MUST_BE_OFF = [
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'embeddings_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
  'embeddings_constraint',
  'dropout',
  'recurrent_dropout',
  'noise_shape',
  'time_major',
  'use_cudnn',
];

/** One Keras layer JSON to ours; problems are collected, not thrown one by one. */
export function convertLayer(kl: KerasLayer, problems: string[]): LayerJSON | null {
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
    const s =
      typeof v === 'string' ? v : ((v as { class_name?: string })?.class_name ?? (v as { config?: { name?: string } })?.config?.name);
    const mapped = typeof s === 'string' ? ACT_IN[s] : undefined;
    if (!mapped) problems.push(`${where}: activation ${describe(v)}`);
    return mapped ?? dflt;
  };
  // windowed layers: only channels last (batch, steps, channels), the Keras default
  const channelsLast = () => {
    const f = take('data_format');
    if (f !== undefined && f !== null && f !== 'channels_last' && f !== 'channelsLast')
      problems.push(`${where}: data_format ${describe(f)}`);
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
  const recurrent = () => {
    // Keras 3: true only inside Bidirectional (where we zero masked steps anyway)
    if (take('zero_output_for_mask') === true)
      problems.push(`${where}: zero_output_for_mask = true (masked steps repeat the previous output here)`);
    return {
      units: take('units'),
      activation: act('activation', 'tanh'),
      useBias: take('use_bias') ?? true,
      returnSequences: take('return_sequences') ?? false,
      returnState: take('return_state') ?? false,
      goBackwards: take('go_backwards') ?? false,
      stateful: take('stateful') ?? false,
    };
  };
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
      return finish('GRU', {
        ...recurrent(),
        recurrentActivation: act('recurrent_activation', 'sigmoid'),
        resetAfter: take('reset_after') ?? false,
      });
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
      const j = convertLayer(inner, problems);
      if (!j) return null;
      // our Dense already acts on the last axis of any input: the same layer, with the wrapper's weights
      if (inner.class_name === 'Dense') return finish('Dense', { ...j.config });
      return finish('TimeDistributed', { layer: j });
    }
    case 'Concatenate':
      return finish('Concatenate', { axis: take('axis') ?? -1 });
    case 'Add':
    case 'Subtract':
    case 'Multiply':
    case 'Average':
      return finish(kl.class_name, {});
    case 'Flatten': {
      const f = take('data_format');
      if (f !== undefined && f !== null && f !== 'channels_last') problems.push(`${where}: data_format ${describe(f)}`);
      return finish('Flatten', {});
    }
    case 'Reshape':
      return finish('Reshape', { targetShape: take('target_shape') });
    case 'RepeatVector':
      return finish('RepeatVector', { n: take('n') });
    case 'Activation':
      return finish('Activation', { activation: act('activation', 'linear') });
    case 'Maximum':
      return finish('Maximum', {});
    case 'Conv1D': {
      channelsLast();
      const groups = take('groups');
      if (groups !== undefined && groups !== null && groups !== 1) problems.push(`${where}: groups = ${JSON.stringify(groups)}`);
      return finish('Conv1D', {
        filters: take('filters'),
        kernelSize: take('kernel_size'),
        strides: take('strides') ?? 1,
        padding: take('padding') ?? 'valid',
        dilationRate: take('dilation_rate') ?? 1,
        activation: act('activation', 'linear'),
        useBias: take('use_bias') ?? true,
      });
    }
    case 'MaxPooling1D':
    case 'AveragePooling1D':
      channelsLast();
      return finish(kl.class_name, {
        poolSize: take('pool_size') ?? 2,
        strides: take('strides') ?? null,
        padding: take('padding') ?? 'valid',
      });
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling1D':
      channelsLast();
      if (take('keepdims') === true) problems.push(`${where}: keepdims = true`);
      return finish(kl.class_name, {});
    case 'LayerNormalization': {
      // initialisers cannot change loaded weights; regularisers and constraints must be off
      for (const k of ['beta_initializer', 'gamma_initializer']) take(k);
      for (const k of ['beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint']) {
        const v = take(k);
        if (v !== undefined && v !== null) problems.push(`${where}: ${k} = ${JSON.stringify(v)}`);
      }
      if (take('rms_scaling') === true) problems.push(`${where}: rms_scaling = true`);
      return finish('LayerNormalization', {
        axis: take('axis') ?? -1,
        epsilon: take('epsilon') ?? 1e-3,
        center: take('center') ?? true,
        scale: take('scale') ?? true,
      });
    }
    case 'Dot':
      return finish('Dot', { axes: take('axes'), normalize: take('normalize') ?? false });
    default:
      problems.push(`${where}: layer type ${kl.class_name}`);
      return null;
  }
}

/** Layers of ours that TF.js has no class for: the reason, for toTfjs's error. */
const NO_TFJS: Record<string, string> = {
  Attention: ' (TF.js has no Attention layer; the wasm-rnn artifact stores it)',
  AdditiveAttention: ' (TF.js has no AdditiveAttention layer; the wasm-rnn artifact stores it)',
  MultiHeadAttention: ' (TF.js has no MultiHeadAttention layer; the wasm-rnn artifact stores it)',
  TokenAndPositionEmbedding: ' (a KerasHub layer TF.js does not have; the wasm-rnn artifact stores it)',
};

export function bidiPrefixes(l: Layer): [string, string] {
  const inner = l.getConfig().layer as LayerJSON | Layer | undefined;
  const innerName =
    inner && 'className' in inner && typeof (inner as LayerJSON).config === 'object'
      ? ((inner as LayerJSON).config.name as string)
      : ((inner as Layer | undefined)?.name ?? 'layer');
  return [`forward_${innerName}`, `backward_${innerName}`];
}

export function toKeras(l: Layer, problems: string[]): KerasLayer {
  const c = l.getConfig();
  const act = (a: unknown) => ACT_OUT[a as string] ?? a;
  const rnn = () => ({
    units: c.units,
    activation: act(c.activation),
    use_bias: c.useBias,
    return_sequences: c.returnSequences,
    return_state: c.returnState,
    go_backwards: c.goBackwards,
    stateful: c.stateful,
    dropout: 0,
    recurrent_dropout: 0,
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
      return {
        class_name: 'LSTM',
        config: { name: l.name, ...rnn(), recurrent_activation: act(c.recurrentActivation), unit_forget_bias: c.unitForgetBias },
      };
    case 'GRU':
      if (c.resetAfter) problems.push(`${l.name}: GRU with resetAfter: true (TF.js supports resetAfter: false only)`);
      return {
        class_name: 'GRU',
        config: { name: l.name, ...rnn(), recurrent_activation: act(c.recurrentActivation), reset_after: false },
      };
    case 'SimpleRNN':
      return { class_name: 'SimpleRNN', config: { name: l.name, ...rnn() } };
    case 'Bidirectional': {
      const inner = c.layer as LayerJSON;
      const innerLayer = layerFromJSON(inner, 'toTfjs');
      return { class_name: 'Bidirectional', config: { name: l.name, merge_mode: c.mergeMode, layer: toKeras(innerLayer, problems) } };
    }
    case 'Concatenate':
      return { class_name: 'Concatenate', config: { name: l.name, axis: c.axis } };
    case 'Add':
    case 'Multiply':
    case 'Average':
    case 'Maximum':
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling1D':
      return { class_name: l.className, config: { name: l.name } };
    case 'Conv1D':
      // TF.js loads it but predict throws ("CAUSAL padding ... not implemented yet")
      if (c.padding === 'causal')
        problems.push(`${l.name}: Conv1D with padding 'causal' (TF.js cannot run causal padding; its predict throws)`);
      return {
        class_name: 'Conv1D',
        config: {
          name: l.name,
          filters: c.filters,
          kernel_size: [c.kernelSize],
          strides: [c.strides],
          padding: c.padding,
          dilation_rate: [c.dilationRate],
          activation: act(c.activation),
          use_bias: c.useBias,
        },
      };
    case 'MaxPooling1D':
    case 'AveragePooling1D':
      return { class_name: l.className, config: { name: l.name, pool_size: [c.poolSize], strides: [c.strides], padding: c.padding } };
    case 'Flatten':
      return { class_name: 'Flatten', config: { name: l.name } };
    case 'Reshape':
      return { class_name: 'Reshape', config: { name: l.name, target_shape: c.targetShape } };
    case 'RepeatVector':
      return { class_name: 'RepeatVector', config: { name: l.name, n: c.n } };
    case 'Activation':
      return { class_name: 'Activation', config: { name: l.name, activation: act(c.activation) } };
    case 'LayerNormalization':
      return {
        class_name: 'LayerNormalization',
        config: { name: l.name, axis: c.axis, epsilon: c.epsilon, center: c.center, scale: c.scale },
      };
    case 'Dot':
      return { class_name: 'Dot', config: { name: l.name, axes: c.axes, normalize: c.normalize } };
    case 'TimeDistributed': {
      const inner = layerFromJSON(c.layer, 'toTfjs');
      return { class_name: 'TimeDistributed', config: { name: l.name, layer: toKeras(inner, problems) } };
    }
    default:
      problems.push(
        `${l.name}: layer type ${l.className}${l.className === 'Subtract' ? ' (TF.js has no Subtract layer)' : (NO_TFJS[l.className] ?? '')}`,
      );
      return { class_name: l.className, config: {} };
  }
}

export function kerasLayer(v: unknown, where: string): KerasLayer {
  if (!v || typeof v !== 'object' || typeof (v as KerasLayer).class_name !== 'string' || typeof (v as KerasLayer).config !== 'object') {
    fail('E_FORMAT', `${where}: a layer entry must be { class_name, config }, got ${describe(v)}`);
  }
  return v as KerasLayer;
}

/** Keras's per-sample input shape from batch_input_shape / batch_shape (null = any length -> -1). */
export function shapeOf(v: unknown): number[] | null {
  if (!Array.isArray(v) || v.length < 2) return null;
  return v.slice(1).map((d) => (d === null ? -1 : Number(d)));
}
