/**
 * src/lm: character- and word-level language models. Re-exports only.
 *
 *   tokens.ts      vocabulary (a TextVectorizer saved with the model), encode, decode
 *   data.ts        next-token pairs: independent windows or stateful batches
 *   train.ts       languageModel() builder, fitLanguageModel()
 *   perplexity.ts  held-out perplexity
 *   sampling.ts    temperature, top-k, top-p
 *   generate.ts    generation through predictStep, O(1) per token
 */
export { lmVocabulary, lmLevel, encodeText, decodeIds, wordsAndPunctuation, PAD_ID, OOV_ID, LM_LEVELS } from './tokens.js';
export type { LmLevel, LmVocabularyOptions } from './tokens.js';
export { lmWindows, statefulBatches } from './data.js';
export type { LmPairs, LmBatches } from './data.js';
export { languageModel, fitLanguageModel, LM_CELLS } from './train.js';
export type { LanguageModelOptions, FitLanguageModelOptions, LmHistory, LmCell } from './train.js';
export { perplexity } from './perplexity.js';
export type { PerplexityOptions, PerplexityResult } from './perplexity.js';
export { samplingDistribution, sampleToken } from './sampling.js';
export type { SamplingOptions } from './sampling.js';
export { generate } from './generate.js';
export type { GenerateOptions, Generation } from './generate.js';
