/**
 * src/seq2seq: encoder-decoder models (sequence to sequence). Re-exports only.
 *
 *   vocab.ts        the two vocabularies and the reserved ids (0 pad, 1 start, 2 end)
 *   models.ts       the layers and the three models sharing them (training, encoder, step)
 *   batches.ts      teacher forcing and length buckets
 *   train.ts        the training loop (trainOnBatch per bucketed batch)
 *   score.ts        log p(target | source), held-out loss
 *   decode.ts       greedy and beam search, one step call per output position
 *   error_rates.ts  edit distance, token and sequence error rates (PER, WER)
 *   seq2seq.ts      seq2seq(), the Seq2seq class, loadSeq2seq()
 */
export { seq2seq, loadSeq2seq, Seq2seq } from './seq2seq.js';
export type { Seq2seqOptions, DecodeOptions, Decoded } from './seq2seq.js';
export type { Seq2seqFitOptions, Seq2seqHistory } from './train.js';
export type { Hypothesis } from './decode.js';
export { SEQ2SEQ_CELLS } from './models.js';
export type { Seq2seqCell } from './models.js';
export { PAD_ID as SEQ2SEQ_PAD_ID, START_ID as SEQ2SEQ_START_ID, END_ID as SEQ2SEQ_END_ID, SeqVocab } from './vocab.js';
export type { SequenceLike } from './vocab.js';
export { editDistance, errorRates } from './error_rates.js';
export type { ErrorRates } from './error_rates.js';
