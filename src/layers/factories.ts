/**
 * The layer factories, TF.js style: layers.lstm({ units: 64 }). One export
 * each, reached as the `layers` namespace (src/layers/index.ts), so a bundler
 * keeps only the factories an app calls, and the layer classes behind them.
 */
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

import type { Applied, ApplyOptions } from './layer.js';
import type { SymbolicTensor } from './symbolic.js';

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

export const embedding = (o: EmbeddingOptions) => new Embedding(o);
export const lstm = <const O extends LstmOptions>(o: O) => new LSTM(o) as Applies<O> & LSTM;
export const dense = (o: DenseOptions) => new Dense(o);
export const dropout = (o: DropoutOptions) => new Dropout(o);
export const simpleRNN = <const O extends SimpleRnnOptions>(o: O) => new SimpleRNN(o) as Applies<O> & SimpleRNN;
export const gru = <const O extends GruOptions>(o: O) => new GRU(o) as Applies<O> & GRU;
export const bidirectional = <const O extends BidirectionalOptions>(o: O) =>
  new Bidirectional(o) as Applies<BidirectionalOut<O>> & Bidirectional;
export const masking = (o?: MaskingOptions) => new Masking(o);
export const concatenate = (o?: ConcatenateOptions) => new Concatenate(o);
export const add = (o?: MergeOptions) => new ElementwiseMerge('add', o);
export const subtract = (o?: MergeOptions) => new ElementwiseMerge('subtract', o);
export const multiply = (o?: MergeOptions) => new ElementwiseMerge('multiply', o);
export const average = (o?: MergeOptions) => new ElementwiseMerge('average', o);
export const maximum = (o?: MergeOptions) => new ElementwiseMerge('maximum', o);
export const flatten = (o?: { name?: string }) => new Flatten(o);
export const reshape = (o: ReshapeOptions) => new Reshape(o);
export const repeatVector = (o: RepeatVectorOptions) => new RepeatVector(o);
export const timeDistributed = (o: TimeDistributedOptions) => new TimeDistributed(o);
export const activation = (o: ActivationOptions) => new Activation(o);
export const conv1d = (o: Conv1DOptions) => new Conv1D(o);
export const maxPooling1d = (o?: Pooling1DOptions) => new Pooling1D('max', o);
export const averagePooling1d = (o?: Pooling1DOptions) => new Pooling1D('average', o);
export const globalMaxPooling1d = (o?: GlobalPooling1DOptions) => new GlobalPooling1D('max', o);
export const globalAveragePooling1d = (o?: GlobalPooling1DOptions) => new GlobalPooling1D('average', o);
export const attention = (o?: AttentionOptions) => new Attention(o);
export const additiveAttention = (o?: AdditiveAttentionOptions) => new AdditiveAttention(o);
export const multiHeadAttention = (o: MultiHeadAttentionOptions) => new MultiHeadAttention(o);
export const layerNormalization = (o?: LayerNormalizationOptions) => new LayerNormalization(o);
export const tokenAndPositionEmbedding = (o: TokenAndPositionEmbeddingOptions) => new TokenAndPositionEmbedding(o);
export const dot = (o: DotOptions) => new Dot(o);
