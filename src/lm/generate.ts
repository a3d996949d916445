/**
 * Text generation, one token at a time through model.predictStep: the prompt
 * is fed token by token (each a (1, 1) batch), then every drawn token is fed
 * back. Each step runs every layer over ONE time step from the states the
 * previous step left, so a token costs the same whatever the length of the
 * prefix: nothing is ever re-run.
 *
 *   resetStates -> feed prompt[0..n) -> repeat `length` times:
 *      draw y from the last step's distribution (sampling.ts), feed y
 */
import { checkInt, describe, fail } from '../errors.js';
import type { Model } from '../models/model.js';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { TextVectorizer } from '../text/text_vectorizer.js';
import { checkLanguageModel } from './perplexity.js';
import { checkSampling, distribution, drawFrom, type SamplingOptions } from './sampling.js';
import { OOV_ID, PAD_ID, decodeIds, encodeText, lmLevel, wordGlue, wordsAndPunctuation } from './tokens.js';

export interface GenerateOptions extends SamplingOptions {
  /** text to start from (encoded with the vectorizer), or token ids; must give at least one token */
  prompt: string | ArrayLike<number>;
  /** tokens to generate */
  length: number;
  /** seed of the draws (default: random) */
  seed?: number;
  /** the vocabulary (default: model.vectorizer, saved with the model) */
  vectorizer?: TextVectorizer;
  /** may the out-of-vocabulary id be drawn? (default false; padding never is) */
  allowUnknown?: boolean;
  /**
   * Called with each token as it is drawn (streaming): the token, its id, and
   * the text to append (the token with the space before it, if any), so that
   * prompt + every piece === the returned text.
   */
  onToken?: (token: string, id: number, piece: string) => void;
}

export interface Generation {
  /** the prompt followed by the generated text */
  text: string;
  /** the generated text alone */
  generated: string;
  /** the generated ids */
  ids: Int32Array;
  /** the prompt's ids */
  promptIds: Int32Array;
}

const KEYS = ['prompt', 'length', 'seed', 'vectorizer', 'allowUnknown', 'onToken'];

export function generate(model: Model, opts: GenerateOptions): Generation {
  const where = 'generate';
  const s = checkSampling(where, opts, KEYS);
  checkLanguageModel(model, where);
  const length = checkInt(where, 'length', opts.length, 0);
  const vec = opts.vectorizer ?? model.vectorizer;
  if (opts.seed !== undefined) checkInt(where, 'seed', opts.seed, 0, 2 ** 32 - 1);
  if (opts.allowUnknown !== undefined && typeof opts.allowUnknown !== 'boolean')
    fail('E_ARG', `${where}: allowUnknown must be true or false`);
  if (opts.onToken !== undefined && typeof opts.onToken !== 'function') fail('E_ARG', `${where}: onToken must be a function`);
  let promptIds: Int32Array;
  if (typeof opts.prompt === 'string') {
    if (!(vec instanceof TextVectorizer))
      fail('E_STATE', `${where}: a text prompt needs a vectorizer; pass { vectorizer } or set model.vectorizer`);
    promptIds = encodeText(vec, opts.prompt);
  } else if (opts.prompt && typeof opts.prompt === 'object' && typeof opts.prompt.length === 'number') {
    promptIds = Int32Array.from(opts.prompt);
  } else {
    fail('E_ARG', `${where}: prompt must be a string or an array of token ids, got ${describe(opts.prompt)}`);
  }
  if (promptIds.length === 0) fail('E_ARG', `${where}: the prompt gives no tokens; give at least one character or word`);
  const vocabulary = vec instanceof TextVectorizer ? vec.vocabulary() : null;
  const V = model.layers[model.layers.length - 1].outputShape?.at(-1);
  for (const id of promptIds) {
    if (id === PAD_ID || (V !== undefined && (id < 0 || id >= V)))
      fail('E_ARG', `${where}: prompt id ${id} is not a token id in [1, ${V})`);
  }
  const sampling = { ...s, exclude: [...s.exclude, PAD_ID, ...(opts.allowUnknown ? [] : [OOV_ID])] };
  const rng = new Rng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));

  const step = (id: number): ArrayLike<number> => {
    const out = model.predictStep(new Tensor(Int32Array.of(id), [1, 1]));
    const n = out.data.length; // (1, V) or (1, 1, V)
    return out.data.subarray(n - (V ?? n));
  };
  const chars = vec instanceof TextVectorizer && lmLevel(vec) === 'character';
  const tokenText = (id: number) => (vocabulary ? (vocabulary[id] ?? vocabulary[OOV_ID]) : String(id));
  const glue = (prev: string | null, token: string) => (chars ? '' : vocabulary ? wordGlue(prev, token) : prev === null ? '' : ' ');
  // the token the generated text continues from, for its spacing
  let prev: string | null;
  if (typeof opts.prompt === 'string') prev = chars || /\s$/.test(opts.prompt) ? null : (wordsAndPunctuation(opts.prompt).at(-1) ?? null);
  else prev = tokenText(promptIds[promptIds.length - 1]);
  const promptText = typeof opts.prompt === 'string' ? opts.prompt : decodeOrJoin(promptIds);

  model.resetStates();
  let probs: ArrayLike<number> = new Float32Array(0);
  for (const id of promptIds) probs = step(id);
  const ids = new Int32Array(length);
  let text = promptText;
  for (let i = 0; i < length; i++) {
    const id = drawFrom(distribution(probs, sampling), rng.next());
    ids[i] = id;
    const token = tokenText(id);
    const piece = glue(prev, token) + token;
    text += piece;
    prev = token;
    if (opts.onToken) opts.onToken(token, id, piece);
    if (i + 1 < length) probs = step(id);
  }
  model.resetStates();
  const generated = text.slice(promptText.length).replace(/^ /, '');

  function decodeOrJoin(a: Int32Array): string {
    return vocabulary ? decodeIds(vec!, a, vocabulary) : Array.from(a).join(' ');
  }
  return { text, generated, ids, promptIds };
}
