/** Layer factories, TF.js style: layers.lstm({ units: 64 }). */
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

/** apply typed from the options: one tensor, or several with returnState. */
interface Applies<O> {
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[], opts?: ApplyOptions): Applied<O>;
}
/** Bidirectional returns several tensors with returnState on the wrapped layer or mergeMode null. */
type BidirectionalOut<O> = O extends { mergeMode: null }
  ? { returnState: true }
  : O extends { layer: Applies<{ returnState: true }> }
    ? { returnState: true }
    : object;

export const layers = {
  embedding: (o: EmbeddingOptions) => new Embedding(o),
  lstm: <const O extends LstmOptions>(o: O) => new LSTM(o) as Applies<O> & LSTM,
  dense: (o: DenseOptions) => new Dense(o),
  dropout: (o: DropoutOptions) => new Dropout(o),
  simpleRNN: <const O extends SimpleRnnOptions>(o: O) => new SimpleRNN(o) as Applies<O> & SimpleRNN,
  gru: <const O extends GruOptions>(o: O) => new GRU(o) as Applies<O> & GRU,
  bidirectional: <const O extends BidirectionalOptions>(o: O) => new Bidirectional(o) as Applies<BidirectionalOut<O>> & Bidirectional,
  masking: (o?: MaskingOptions) => new Masking(o),
  concatenate: (o?: ConcatenateOptions) => new Concatenate(o),
  add: (o?: MergeOptions) => new ElementwiseMerge('add', o),
  subtract: (o?: MergeOptions) => new ElementwiseMerge('subtract', o),
  multiply: (o?: MergeOptions) => new ElementwiseMerge('multiply', o),
  average: (o?: MergeOptions) => new ElementwiseMerge('average', o),
  maximum: (o?: MergeOptions) => new ElementwiseMerge('maximum', o),
  flatten: (o?: { name?: string }) => new Flatten(o),
  reshape: (o: ReshapeOptions) => new Reshape(o),
  repeatVector: (o: RepeatVectorOptions) => new RepeatVector(o),
  timeDistributed: (o: TimeDistributedOptions) => new TimeDistributed(o),
  activation: (o: ActivationOptions) => new Activation(o),
  conv1d: (o: Conv1DOptions) => new Conv1D(o),
  maxPooling1d: (o?: Pooling1DOptions) => new Pooling1D('max', o),
  averagePooling1d: (o?: Pooling1DOptions) => new Pooling1D('average', o),
  globalMaxPooling1d: (o?: GlobalPooling1DOptions) => new GlobalPooling1D('max', o),
  globalAveragePooling1d: (o?: GlobalPooling1DOptions) => new GlobalPooling1D('average', o),
  attention: (o?: AttentionOptions) => new Attention(o),
  additiveAttention: (o?: AdditiveAttentionOptions) => new AdditiveAttention(o),
  multiHeadAttention: (o: MultiHeadAttentionOptions) => new MultiHeadAttention(o),
  layerNormalization: (o?: LayerNormalizationOptions) => new LayerNormalization(o),
  tokenAndPositionEmbedding: (o: TokenAndPositionEmbeddingOptions) => new TokenAndPositionEmbedding(o),
  dot: (o: DotOptions) => new Dot(o),
};

export { Dense, Dropout, Embedding, LSTM };
export type { DenseOptions, DropoutOptions, EmbeddingOptions, LstmOptions };
export { SimpleRNN, GRU, Bidirectional };
export type { SimpleRnnOptions, GruOptions, BidirectionalOptions };
export { Masking };
export type { MaskingOptions };
export { Layer } from './layer.js';
import type { Applied, ApplyOptions } from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
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
