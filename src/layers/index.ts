/** The layers: the `layers` factories and the classes behind them. */
import { Dense, type DenseOptions } from './dense.js';
import { Dropout, type DropoutOptions } from './dropout.js';
import { Embedding, type EmbeddingOptions } from './embedding.js';
import { LSTM, type LstmOptions } from './lstm.js';
import { SimpleRNN, type SimpleRnnOptions } from './simple_rnn.js';
import { GRU, type GruOptions } from './gru.js';
import { Bidirectional, type BidirectionalOptions } from './bidirectional.js';
import { Masking, type MaskingOptions } from './masking.js';
import { Concatenate, ElementwiseMerge, type ConcatenateOptions, type MergeOptions } from './merge.js';
import { Flatten, Reshape, RepeatVector, type ReshapeOptions, type RepeatVectorOptions } from './reshape.js';
import { TimeDistributed, type TimeDistributedOptions } from './time_distributed.js';
import { Activation, type ActivationOptions } from './activation.js';
import { Conv1D, type Conv1DOptions } from './conv1d.js';
import { GlobalPooling1D, Pooling1D, type GlobalPooling1DOptions, type Pooling1DOptions } from './pooling.js';
import { Attention, type AttentionOptions } from './attention.js';
import { AdditiveAttention, type AdditiveAttentionOptions } from './additive_attention.js';
import { MultiHeadAttention, type MultiHeadAttentionOptions } from './multi_head_attention.js';
import { LayerNormalization, type LayerNormalizationOptions } from './layer_normalization.js';
import { TokenAndPositionEmbedding, type TokenAndPositionEmbeddingOptions } from './token_and_position_embedding.js';
import { Dot, type DotOptions } from './dot.js';

/**
 * The factories as a module namespace rather than an object literal: bundlers
 * (Rollup, Rolldown, webpack) drop the factories an app never calls.
 */
export * as layers from './factories.js';

export { Dense, Dropout, Embedding, LSTM };
export type { DenseOptions, DropoutOptions, EmbeddingOptions, LstmOptions };
export { SimpleRNN, GRU, Bidirectional };
export type { SimpleRnnOptions, GruOptions, BidirectionalOptions };
export { Masking };
export type { MaskingOptions };
export { Layer } from './layer.js';
export { Concatenate, ElementwiseMerge, Flatten, Reshape, RepeatVector, TimeDistributed, Activation };
export type { ConcatenateOptions, MergeOptions, ReshapeOptions, RepeatVectorOptions, TimeDistributedOptions, ActivationOptions };
export { Conv1D, Pooling1D, GlobalPooling1D };
export type { Conv1DOptions, Pooling1DOptions, GlobalPooling1DOptions };
export { Attention, AdditiveAttention, MultiHeadAttention, LayerNormalization, TokenAndPositionEmbedding, Dot };
export type {
  AttentionOptions,
  AdditiveAttentionOptions,
  MultiHeadAttentionOptions,
  LayerNormalizationOptions,
  TokenAndPositionEmbeddingOptions,
  DotOptions,
};
