/**
 * wasm-rnn generate: text from a saved language model, one token per step
 * (temperature, top-k, top-p, seed), and wasm-rnn train-lm to make one from a
 * plain-text file.
 */
import { decodeUtf8 } from './tabular.js';
import { encodeText, lmVocabulary, LM_LEVELS } from '../lm/tokens.js';
import { generate as generateText } from '../lm/generate.js';
import { fitLanguageModel, languageModel, LM_CELLS, type LmCell } from '../lm/train.js';
import { perplexity } from '../lm/perplexity.js';
import type { Model } from '../models/model.js';
import { callbacks } from '../train/callbacks.js';
import { type OptSpec, helpText, parseArgs } from './args.js';
import { type CliIO, fmt } from './common.js';
import { UserError, at } from './errors.js';
import { checkWritable, readBytes, readModel, writeAtomic } from './io.js';

const GENERATE_SPECS: OptSpec[] = [
  {
    name: 'model',
    type: 'string',
    arg: 'FILE',
    required: true,
    help: 'a language model (wasm-rnn train-lm, or fitLanguageModel + saveModel)',
  },
  { name: 'prompt', type: 'string', arg: 'TEXT', required: true, help: 'the text to continue' },
  { name: 'length', type: 'int', min: 0, max: 1e6, default: 200, help: 'tokens (characters or words) to generate' },
  { name: 'temperature', type: 'number', min: 0, max: 100, default: 1, help: '0 = always the most likely token; < 1 safer, > 1 wilder' },
  { name: 'top-k', type: 'int', min: 0, default: 0, help: 'draw from the k most likely tokens only (0 = all)' },
  {
    name: 'top-p',
    type: 'number',
    min: 1e-9,
    max: 1,
    default: 1,
    help: 'nucleus: draw from the most likely tokens that make up this probability (1 = all)',
  },
  { name: 'seed', type: 'int', min: 0, max: 2 ** 32 - 1, help: 'seed of the draws (default: random)' },
];
export const GENERATE_HELP = helpText(
  'wasm-rnn generate --model lm.wrnn --prompt "..." [--length N --temperature T --top-k K --top-p P --seed S]',
  'Continue a prompt with a language model, one token per step (the prompt is read once; each new token costs the same).',
  GENERATE_SPECS,
);

/** A language model: per-step softmax output and a vocabulary. */
export function readLanguageModel(file: string): Model {
  const model = readModel(file);
  const out = model.layers[model.layers.length - 1].outputShape!;
  if (out.length !== 2) throw at(file, null, 'is a classifier, not a language model; use wasm-rnn predict');
  if (!model.vectorizer) throw at(file, null, 'the language model has no vocabulary (vectorizer); set model.vectorizer before saving');
  return model;
}

export async function generate(argv: readonly string[], io: CliIO): Promise<number> {
  const { opts, help } = parseArgs('generate', argv, GENERATE_SPECS);
  if (help) {
    io.stdout(GENERATE_HELP);
    return 0;
  }
  const o = opts as Record<string, string & number>;
  const model = readLanguageModel(o.model);
  if (encodeText(model.vectorizer!, o.prompt).length === 0)
    throw new UserError('--prompt: the prompt has no tokens; give at least one character or word');
  // streamed: the prompt, then each token as it is drawn
  io.stdout(o.prompt);
  generateText(model, {
    prompt: o.prompt,
    length: o.length,
    temperature: o.temperature,
    topK: o['top-k'],
    topP: o['top-p'],
    seed: o.seed,
    onToken: (_token, _id, piece) => io.stdout(piece),
  });
  io.stdout('\n');
  model.dispose();
  return 0;
}

const TRAIN_LM_SPECS: OptSpec[] = [
  { name: 'text', type: 'string', arg: 'FILE', required: true, help: 'a plain UTF-8 text file to learn from' },
  { name: 'level', type: 'string', choices: LM_LEVELS, default: 'character', help: 'tokens: characters or words (and punctuation marks)' },
  { name: 'cell', type: 'string', choices: LM_CELLS, default: 'lstm', help: 'recurrent layer' },
  { name: 'units', type: 'int', min: 1, default: 256, help: 'units per recurrent layer' },
  { name: 'layers', type: 'int', min: 1, max: 8, default: 1, help: 'stacked recurrent layers' },
  { name: 'embedding-dim', type: 'int', min: 1, default: 32, help: 'embedding size' },
  { name: 'dropout', type: 'number', min: 0, max: 0.95, default: 0, help: 'dropout after each recurrent layer' },
  { name: 'max-tokens', type: 'int', min: 3, help: 'vocabulary size (default: every token seen at least --min-frequency times)' },
  { name: 'min-frequency', type: 'int', min: 1, default: 1, help: 'drop rarer tokens (they become [UNK])' },
  { name: 'epochs', type: 'int', min: 1, default: 5, help: 'passes over the text' },
  { name: 'batch-size', type: 'int', min: 1, default: 32, help: 'streams read side by side' },
  { name: 'seq-len', type: 'int', min: 1, default: 100, help: 'tokens per training window (backpropagation length)' },
  { name: 'lr', type: 'number', min: 1e-8, max: 10, default: 0.003, help: 'Adam learning rate' },
  {
    name: 'validation-split',
    type: 'number',
    min: 0,
    max: 0.5,
    default: 0.1,
    help: 'the last fraction of the text, held out for perplexity',
  },
  { name: 'seed', type: 'int', min: 0, max: 2 ** 32 - 1, default: 42, help: 'seed of the weights' },
  { name: 'out', type: 'string', arg: 'FILE', required: true, help: 'where to save the language model' },
  { name: 'quiet', type: 'flag', help: 'no progress bar' },
];
export const TRAIN_LM_HELP = helpText(
  'wasm-rnn train-lm --text FILE --out lm.wrnn [options]',
  'Train a character- or word-level language model on a text (stateful batches: the state runs on across windows) and report held-out perplexity.',
  TRAIN_LM_SPECS,
);

export async function trainLm(argv: readonly string[], io: CliIO): Promise<number> {
  const { opts, help } = parseArgs('train-lm', argv, TRAIN_LM_SPECS);
  if (help) {
    io.stdout(TRAIN_LM_HELP);
    return 0;
  }
  const o = opts as Record<string, string & number & boolean>;
  checkWritable(o.out, 'model');
  const text = decodeUtf8(o.text, readBytes(o.text, 'text file'));
  if (text.trim() === '') throw at(o.text, null, 'the text file is empty');
  const cut = Math.floor(text.length * (1 - o['validation-split']));
  const trainText = text.slice(0, cut);
  const vocab = lmVocabulary(trainText, {
    level: o.level as 'character' | 'word',
    maxTokens: o['max-tokens'],
    minFrequency: o['min-frequency'],
  });
  const ids = encodeText(vocab, trainText);
  const valIds = cut < text.length ? encodeText(vocab, text.slice(cut)) : null;
  const B = o['batch-size'];
  const T = o['seq-len'];
  if (ids.length < B * T + 1) {
    throw at(
      o.text,
      null,
      `${fmt(ids.length)} training tokens are too few for --batch-size ${B} x --seq-len ${T} (need ${fmt(B * T + 1)}); lower them or give more text`,
    );
  }
  io.stderr(
    `${o.text}: ${fmt(ids.length)} ${o.level} tokens to train, ${fmt(valIds?.length ?? 0)} held out; vocabulary ${fmt(vocab.vocabularySize())}\n`,
  );
  const model = languageModel({
    vocabSize: vocab.vocabularySize(),
    cell: o.cell as LmCell,
    units: o.units,
    layers: o.layers,
    embeddingDim: o['embedding-dim'],
    dropout: o.dropout,
    learningRate: o.lr,
    seed: o.seed,
  });
  model.vectorizer = vocab;
  const cbs = o.quiet ? [] : [callbacks.progressBar({ write: (s) => io.stderr(s), inPlace: !!io.isTTY })];
  await fitLanguageModel(model, ids, {
    epochs: o.epochs,
    batchSize: B,
    length: T,
    validationIds: valIds && valIds.length > 1 ? valIds : undefined,
    callbacks: cbs,
  });
  if (valIds && valIds.length > 1) {
    const r = perplexity(model, valIds, { length: T, batchSize: B });
    io.stdout(
      `held-out perplexity ${r.perplexity.toFixed(3)} (${r.bitsPerToken.toFixed(3)} bits per ${o.level === 'word' ? 'word' : 'character'}, ${fmt(r.tokens)} tokens)\n`,
    );
    model.metadata = { task: 'language-model', level: o.level, heldOutPerplexity: r.perplexity };
  } else model.metadata = { task: 'language-model', level: o.level };
  // serialize() saves only the metadata it is given, not model.metadata
  writeAtomic(o.out, model.serialize({ includeOptimizer: false, metadata: model.metadata! }), 'model');
  io.stdout(`saved ${o.out} (${fmt(model.countParams())} parameters)\n`);
  model.dispose();
  return 0;
}
