/** Layer factories, TF.js style: layers.lstm({ units: 64 }). */
import { Dense, type DenseOptions } from './dense.js';
import { Dropout, type DropoutOptions } from './dropout.js';
import { Embedding, type EmbeddingOptions } from './embedding.js';
import { LSTM, type LstmOptions } from './lstm.js';
import { SimpleRNN, type SimpleRnnOptions } from './simple_rnn.js';
import { GRU, type GruOptions } from './gru.js';
import { Bidirectional, type BidirectionalOptions } from './bidirectional.js';
import { Masking, type MaskingOptions } from './masking.js';

export const layers = {
  embedding: (o: EmbeddingOptions) => new Embedding(o),
  lstm: (o: LstmOptions) => new LSTM(o),
  dense: (o: DenseOptions) => new Dense(o),
  dropout: (o: DropoutOptions) => new Dropout(o),
  simpleRNN: (o: SimpleRnnOptions) => new SimpleRNN(o),
  gru: (o: GruOptions) => new GRU(o),
  bidirectional: (o: BidirectionalOptions) => new Bidirectional(o),
  masking: (o?: MaskingOptions) => new Masking(o),
};

export { Dense, Dropout, Embedding, LSTM };
export type { DenseOptions, DropoutOptions, EmbeddingOptions, LstmOptions };
export { SimpleRNN, GRU, Bidirectional };
export type { SimpleRnnOptions, GruOptions, BidirectionalOptions };
export { Masking };
export type { MaskingOptions };
export { Layer } from './layer.js';
