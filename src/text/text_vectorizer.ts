/**
 * TextVectorizer: raw texts -> padded id batches (or bag-of-words rows), the
 * Keras TextVectorization layer plus stop words, stemming and min frequency.
 *
 *   const vec = new TextVectorizer({ maxTokens: 10000, outputSequenceLength: 100 });
 *   vec.adapt(trainTexts);              // learn the vocabulary
 *   const x = vec.transform(texts);     // int32 Tensor (N, 100)
 *
 * Pipeline per text (analyzer.ts): standardize -> split -> drop stop words ->
 * stem -> n-grams. Vocabulary (counter.ts): count descending, ties by first
 * appearance, reserved tokens first (vectorizer_options.ts).
 *
 * Output, N texts, V = vocabularySize(), L = outputSequenceLength:
 *   'int'                         int32   (N, L): id 0 = padding, 1 = OOV;
 *                                 L = longest text of the call when unset
 *   'multiHot' | 'count' | 'tfIdf' float32 (N, V): column 0 = OOV (bag_of_words.ts)
 *
 * Every method validates all its input before it changes anything: a failed
 * adapt() or setVocabulary() leaves the previous vocabulary in place.
 */
import { describe, fail } from '../errors.js';
import { Tensor } from '../tensor.js';
import { type Pipeline, analyze, makePipeline } from './analyzer.js';
import { encodeBag, inverseDocumentFrequency } from './bag_of_words.js';
import { checkStringArray, checkTexts } from './checks.js';
import { TokenCounter, rankTokens } from './counter.js';
import { asFormatError } from './json.js';
import { resolveNgrams } from './ngrams.js';
import { padPlan, writePadded } from './pad.js';
import { resolveSplit } from './split.js';
import { resolveStandardize } from './standardize.js';
import { resolveStem } from './stem.js';
import { resolveStopWords } from './stop_words.js';
import { type CustomFunctions, type TextVectorizerJSON, readVectorizerJSON, writeVectorizerJSON } from './vectorizer_json.js';
import { type TextVectorizerOptions, type VectorizerConfig, reservedTokens, resolveConfig } from './vectorizer_options.js';

interface Vocabulary {
  /** Reserved tokens, then words; the id of a word is its index. */
  readonly words: readonly string[];
  /** Word -> id, reserved tokens excluded (they are never looked up). */
  readonly ids: ReadonlyMap<string, number>;
  /** tfIdf mode: one idf per id. */
  readonly idf: Float32Array | null;
}

export class TextVectorizer {
  private cfg: VectorizerConfig;
  private stopWordList: readonly string[] | null;
  private pipe: Pipeline;
  private vocab: Vocabulary | null = null;

  constructor(options: TextVectorizerOptions = {}) {
    const where = 'TextVectorizer';
    this.cfg = resolveConfig(where, options);
    this.stopWordList = resolveStopWords(where, this.cfg.stopWords);
    this.pipe = buildPipeline(where, this.cfg, this.stopWordList);
  }

  /** Learn the vocabulary (and idf weights in tfIdf mode) from texts, replacing any previous one. */
  adapt(texts: readonly string[]): this {
    const where = 'TextVectorizer.adapt';
    checkTexts(where, 'texts', texts);
    const { cfg } = this;
    const counter = new TokenCounter(cfg.outputMode === 'tfIdf');
    for (let i = 0; i < texts.length; i++) counter.addDocument(analyze(this.pipe, texts[i], where, i));

    const reserved = reservedTokens(cfg);
    const room = cfg.maxTokens === null ? Infinity : cfg.maxTokens - reserved.length;
    // As Keras, a text that contains the reserved tokens does not make them words.
    const ranked = rankTokens(counter, cfg.minFrequency, room, new Set(reserved));
    const words = reserved.slice();
    for (let k = 0; k < ranked.length; k++) words.push(counter.tokens[ranked[k]]);

    let idf: Float32Array | null = null;
    if (counter.docFreq !== null) {
      idf = new Float32Array(words.length);
      let sum = 0;
      for (let k = 0; k < ranked.length; k++) {
        const w = inverseDocumentFrequency(counter.documents, counter.docFreq[ranked[k]]);
        idf[reserved.length + k] = w;
        sum += w;
      }
      // OOV's real idf is unknowable; Keras uses the mean idf of the words.
      idf.fill(ranked.length > 0 ? sum / ranked.length : 0, 0, reserved.length);
    }
    this.vocab = makeVocabulary(words, reserved.length, idf);
    return this;
  }

  /**
   * Texts -> Tensor. 'int': int32 (N, L) ids; other modes: float32 (N, V).
   * Tokens not in the vocabulary get the OOV id.
   */
  transform(texts: readonly string[]): Tensor {
    const where = 'TextVectorizer.transform';
    const vocab = this.ready(where);
    checkTexts(where, 'texts', texts);
    const { cfg } = this;
    if (cfg.outputMode === 'int' && cfg.outputSequenceLength !== null) {
      return this.transformFixed(texts, vocab, cfg.outputSequenceLength, where);
    }
    const oov = cfg.outputMode === 'int' ? 1 : 0;
    const rows = new Array<Int32Array>(texts.length);
    let longest = 0;
    for (let i = 0; i < texts.length; i++) {
      const tokens = analyze(this.pipe, texts[i], where, i);
      const row = new Int32Array(tokens.length);
      for (let k = 0; k < tokens.length; k++) row[k] = vocab.ids.get(tokens[k]) ?? oov;
      rows[i] = row;
      if (row.length > longest) longest = row.length;
    }
    if (cfg.outputMode !== 'int') return encodeBag(cfg.outputMode, rows, vocab.words.length, vocab.idf);

    const L = longest;
    const out = new Int32Array(texts.length * L); // zero-filled: 0 is the padding id
    for (let i = 0; i < rows.length; i++) writePadded(out, i * L, L, rows[i], cfg.padding!, cfg.truncating!);
    return new Tensor(out, [texts.length, L]);
  }

  /** 'int' mode with a fixed length: look up only the tokens that are kept. */
  private transformFixed(texts: readonly string[], vocab: Vocabulary, L: number, where: string): Tensor {
    const { padding, truncating } = this.cfg;
    const out = new Int32Array(texts.length * L); // zero-filled: 0 is the padding id
    for (let i = 0; i < texts.length; i++) {
      const tokens = analyze(this.pipe, texts[i], where, i);
      const { from, to, keep } = padPlan(tokens.length, L, padding!, truncating!);
      const o = i * L + to;
      for (let k = 0; k < keep; k++) out[o + k] = vocab.ids.get(tokens[from + k]) ?? 1;
    }
    return new Tensor(out, [texts.length, L]);
  }

  /** The tokens the pipeline makes of one text (what adapt counts and transform looks up). */
  tokenize(text: string): string[] {
    const where = 'TextVectorizer.tokenize';
    if (typeof text !== 'string') fail('E_ARG', `${where}: text must be a string, got ${describe(text)}`);
    return analyze(this.pipe, text, where, 0);
  }

  /** Id -> token: reserved tokens first ('' and OOV in 'int' mode, OOV otherwise). */
  vocabulary(): string[] {
    return this.ready('TextVectorizer.vocabulary').words.slice();
  }

  /** Number of ids, reserved tokens included: the Embedding inputDim, or the bag width. */
  vocabularySize(): number {
    return this.ready('TextVectorizer.vocabularySize').words.length;
  }

  /** tfIdf mode: the idf weight of each id (a copy); null in other modes. */
  idfWeights(): Float32Array | null {
    const idf = this.ready('TextVectorizer.idfWeights').idf;
    return idf === null ? null : idf.slice();
  }

  /** True once adapt() or setVocabulary() has given a vocabulary. */
  get isAdapted(): boolean {
    return this.vocab !== null;
  }

  /** The options in effect, defaults filled in. */
  getConfig(): VectorizerConfig {
    return { ...this.cfg };
  }

  /**
   * Use a known vocabulary instead of adapt(), as Keras set_vocabulary: the
   * reserved tokens may be given first (exactly, in order) or left out. In
   * tfIdf mode pass one idf weight per entry of `words`; when the reserved
   * tokens are left out, OOV gets the mean weight.
   */
  setVocabulary(words: readonly string[], idfWeights?: ArrayLike<number>): this {
    const where = 'TextVectorizer.setVocabulary';
    checkStringArray(where, 'words', words);
    const { cfg } = this;
    const reserved = reservedTokens(cfg);
    const hasReserved = reserved.every((t, k) => words[k] === t);
    const skip = hasReserved ? reserved.length : 0;

    const seen = new Map<string, number>();
    for (let k = skip; k < words.length; k++) {
      const w = words[k];
      if (w === '') fail('E_ARG', `${where}: words[${k}] is '', the padding token; it may only come first, before '${cfg.oovToken}'`);
      if (w === cfg.oovToken) {
        fail('E_ARG', `${where}: words[${k}] is the OOV token '${w}'; reserved tokens may only come first: ${JSON.stringify(reserved)}`);
      }
      const first = seen.get(w);
      if (first !== undefined) fail('E_ARG', `${where}: words[${k}] repeats words[${first}] (${describe(w)}); tokens must be unique`);
      seen.set(w, k);
    }
    const size = reserved.length + words.length - skip;
    if (cfg.maxTokens !== null && size > cfg.maxTokens) {
      fail('E_ARG', `${where}: the vocabulary has ${size} tokens (with ${reserved.length} reserved), more than maxTokens ${cfg.maxTokens}`);
    }

    let idf: Float32Array | null = null;
    if (cfg.outputMode === 'tfIdf') {
      if (idfWeights === undefined) fail('E_ARG', `${where}: outputMode 'tfIdf' needs idfWeights, one per word`);
      idf = checkIdf(where, idfWeights, words.length, skip === 0 ? reserved.length : 0);
    } else if (idfWeights !== undefined) {
      fail('E_ARG', `${where}: idfWeights only apply to outputMode 'tfIdf', not '${cfg.outputMode}'`);
    }
    this.vocab = makeVocabulary([...reserved, ...words.slice(skip)], reserved.length, idf);
    return this;
  }

  /** Plain JSON (see vectorizer_json.ts); JSON.stringify(vec) calls this. */
  toJSON(): TextVectorizerJSON {
    const v = this.vocab;
    return writeVectorizerJSON(this.cfg, this.stopWordList, v === null ? null : v.words, v === null ? null : v.idf);
  }

  /**
   * Rebuild a vectorizer from toJSON() output (the object or its JSON text).
   * Options saved as "custom" functions must be passed again in `custom`.
   * A malformed document is a WasmRnnError 'E_FORMAT' naming the field.
   */
  static fromJSON(json: unknown, custom: CustomFunctions = {}): TextVectorizer {
    const where = 'TextVectorizer.fromJSON';
    const doc = readVectorizerJSON(where, json, custom);
    const savedStopWords = doc.options.stopWords;
    // Build without the language code, then install the saved snapshot of its list.
    const vec = asFormatError(where, 'config', () => newVectorizer({ ...doc.options, stopWords: null }));
    const stopWords = Array.isArray(savedStopWords) ? Object.freeze([...savedStopWords]) : (savedStopWords ?? null);
    vec.cfg = { ...vec.cfg, stopWords };
    vec.stopWordList = doc.stopWordList ?? (Array.isArray(stopWords) ? stopWords : null);
    vec.pipe = asFormatError(where, 'config', () => buildPipeline(where, vec.cfg, vec.stopWordList));
    if (doc.vocabulary !== null) {
      const words = doc.vocabulary;
      const reserved = reservedTokens(vec.cfg);
      if (!reserved.every((t, k) => words[k] === t)) {
        fail('E_FORMAT', `${where}: vocabulary must start with the reserved tokens ${JSON.stringify(reserved)}`);
      }
      asFormatError(where, 'vocabulary', () => vec.setVocabulary(words, doc.idfWeights ?? undefined));
    }
    return vec;
  }

  private ready(where: string): Vocabulary {
    if (this.vocab === null) fail('E_STATE', `${where}: no vocabulary yet; call adapt(texts) or setVocabulary(words) first`);
    return this.vocab;
  }
}

function buildPipeline(where: string, cfg: VectorizerConfig, stopWordList: readonly string[] | null): Pipeline {
  return makePipeline({
    standardize: resolveStandardize(where, cfg.standardize),
    split: resolveSplit(where, cfg.split),
    stopWords: stopWordList,
    stem: resolveStem(where, cfg.stem),
    ngramWidths: resolveNgrams(where, cfg.ngrams),
    custom: {
      standardize: typeof cfg.standardize === 'function',
      split: typeof cfg.split === 'function',
      stem: typeof cfg.stem === 'function',
    },
  });
}

function makeVocabulary(words: string[], reserved: number, idf: Float32Array | null): Vocabulary {
  const ids = new Map<string, number>();
  for (let id = reserved; id < words.length; id++) ids.set(words[id], id);
  return { words: Object.freeze(words), ids, idf };
}

/** idf weights as float32, `front` mean-valued entries prepended for the reserved tokens. */
function checkIdf(where: string, w: ArrayLike<number>, n: number, front: number): Float32Array {
  if (w === null || typeof w !== 'object' || typeof w.length !== 'number') {
    fail('E_ARG', `${where}: idfWeights must be an array of numbers, got ${describe(w)}`);
  }
  if (w.length !== n) fail('E_ARG', `${where}: idfWeights has ${w.length} entries but words has ${n}`);
  const out = new Float32Array(front + n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const x = w[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      fail('E_ARG', `${where}: idfWeights[${k}] must be a finite number >= 0, got ${describe(x)}`);
    }
    out[front + k] = x;
    sum += x;
  }
  out.fill(n > 0 ? sum / n : 0, 0, front);
  return out;
}

// Outside the class body on purpose: a class that names itself inside its body
// is bundled as `class _X` and would report constructor.name '_X'.
function newVectorizer(options: TextVectorizerOptions): TextVectorizer {
  return new TextVectorizer(options);
}
