/**
 * src/text: from raw text in any language to padded id batches, saved with
 * the model. Re-exports only; each file says what it does.
 *
 *   TextVectorizer   Keras TextVectorization + stop words, stemming (text_vectorizer.ts)
 *   Tokenizer        Keras's legacy Tokenizer, same JSON format (tokenizer.ts)
 *   padSequences     Keras pad_sequences (pad.ts)
 *   LabelEncoder     scikit-learn's LabelEncoder (label_encoder.ts)
 */
export { TextVectorizer } from './text_vectorizer.js';
export type { TextVectorizerOptions, VectorizerConfig, OutputMode } from './vectorizer_options.js';
export type { TextVectorizerJSON, CustomFunctions } from './vectorizer_json.js';
export type { StandardizeOption, StandardizeFn } from './standardize.js';
export type { SplitOption, SplitFn } from './split.js';
export type { StemOption, StemFn } from './stem.js';
export { STOP_WORD_LANGUAGES, registerStopWords } from './stop_words.js';
export { Tokenizer, KERAS_FILTERS } from './tokenizer.js';
export type { TokenizerOptions, TokenizerInput } from './tokenizer.js';
export type { KerasTokenizerJSON } from './tokenizer_json.js';
export { padSequences } from './pad.js';
export type { PadSequencesOptions } from './pad.js';
export type { Side } from './checks.js';
export { LabelEncoder } from './label_encoder.js';
export type { Label, LabelEncoderJSON } from './label_encoder.js';
