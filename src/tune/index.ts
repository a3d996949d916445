/**
 * src/tune: hyperparameter search for text classifiers. Re-exports only.
 *
 *   classifier.ts  textClassifier(): the model `wasm-rnn train` builds and the tuners vary
 *   search.ts      gridSearch, randomSearch, formatResults
 */
export { textClassifier, classTargets, predictedClasses, CLASSIFIER_CELLS, CLASSIFIER_DEFAULTS } from './classifier.js';
export type { ClassifierCell, ClassifierParams, TextClassifierOptions } from './classifier.js';
export { gridSearch, randomSearch, formatResults } from './search.js';
export type { SearchSpace, SearchOptions, SearchResult, SearchMetric, TrialParams, TrialResult, Range } from './search.js';
