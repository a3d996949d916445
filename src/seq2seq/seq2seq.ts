/**
 * seq2seq(): an encoder-decoder for sequence transduction (letters to
 * phonemes, one word form to another, short translations) in a few lines:
 *
 *   const s = seq2seq({ sourceVocab: letters, targetVocab: phonemes, units: 256, seed: 42 });
 *   await s.fit(words, pronunciations, { epochs: 5 });
 *   s.decode(['HELLO'], { beamWidth: 4 })[0].tokens   // e.g. ['HH', 'AH', 'L', 'OW']
 *
 * The encoder reads the source and hands its final states to the decoder,
 * which starts from them (no attention). Three models share one set of
 * layers (models.ts): `model` trains with teacher forcing (batches.ts,
 * train.ts), `encoder` and `decoderStep` decode one token per call
 * (decode.ts). Reserved ids (vocab.ts): source 0 = padding; target 0 =
 * padding, 1 = start, 2 = end.
 *
 * Every option and every sequence is checked before anything runs; a failed
 * call leaves the model as it was.
 */
import { WasmRnnError, checkInt, checkKeys, checkNumber, checkObject, checkOneOf, describe, fail } from '../errors.js';
import { loadModelSync } from '../io/load.js';
import type { SerializeOptions } from '../io/serialize.js';
import type { Model } from '../models/model.js';
import { bool } from '../layers/options.js';
import { optimizers } from '../train/optimizers.js';
import { Decoder, type Hypothesis } from './decode.js';
import {
  encoderModel,
  layersOf,
  makeLayers,
  SEQ2SEQ_CELLS,
  stepModel,
  trainingModel,
  type Seq2seqCell,
  type Seq2seqLayers,
} from './models.js';
import { crossEntropy, logProbabilities } from './score.js';
import { fitSeq2seq, fitSettings, type Seq2seqFitOptions, type Seq2seqHistory } from './train.js';
import { SeqVocab, type SequenceLike } from './vocab.js';

export interface Seq2seqOptions {
  /** source vocabulary: its tokens (ids 1..), or the number of ids, padding 0 included */
  sourceVocab: number | readonly string[];
  /** target vocabulary: its tokens (ids 3..), or the number of ids, padding 0 / start 1 / end 2 included */
  targetVocab: number | readonly string[];
  /** embedding size, both sides (default 32) */
  embeddingDim?: number;
  /** units of the encoder and of the decoder (default 128) */
  units?: number;
  /** recurrent cell of both (default 'lstm') */
  cell?: Seq2seqCell;
  /** the encoder reads the source last token first (default true; see models.ts) */
  reverseSource?: boolean;
  /** Adam's learning rate (default 0.003) */
  learningRate?: number;
  /** clip the global gradient norm (default 5; 0 = off) */
  clipnorm?: number;
  seed?: number;
  name?: string;
}

export interface DecodeOptions {
  /** hypotheses kept per source; 1 (default) = greedy */
  beamWidth?: number;
  /** most output tokens per source, the end token not counted (default 64) */
  maxLength?: number;
  /** rank by logProb / length^lengthPenalty (default 0: by logProb) */
  lengthPenalty?: number;
  /** sources decoded side by side (default 256) */
  batchSize?: number;
}

export interface Decoded extends Hypothesis {
  /** the output as tokens (null when the target vocabulary was given as a size) */
  tokens: string[] | null;
}

/** What a saved seq2seq model records beside its training model (metadata.seq2seq). */
interface Seq2seqConfig {
  version: 1;
  sourceVocab: number | string[];
  targetVocab: number | string[];
  embeddingDim: number;
  units: number;
  cell: Seq2seqCell;
  reverseSource: boolean;
  learningRate: number;
  clipnorm: number;
}

const OPTION_KEYS = [
  'sourceVocab',
  'targetVocab',
  'embeddingDim',
  'units',
  'cell',
  'reverseSource',
  'learningRate',
  'clipnorm',
  'seed',
  'name',
];
const DECODE_KEYS = ['beamWidth', 'maxLength', 'lengthPenalty', 'batchSize'];
let seq2seqIds = 0;

export class Seq2seq {
  /** the training model: [source, decoder_input] -> per-step softmax (compiled) */
  readonly model: Model;
  /** source -> the encoder's final states */
  readonly encoder: Model;
  /** [token (B,1), ...states] -> [probs (B,1,V), ...states]: one decoder step */
  readonly decoderStep: Model;
  readonly sourceVocab: SeqVocab;
  readonly targetVocab: SeqVocab;
  private readonly search: Decoder;
  private readonly config: Seq2seqConfig;

  /** @internal use seq2seq() or loadSeq2seq() */
  constructor(config: Seq2seqConfig, layers: Seq2seqLayers, training: Model) {
    this.config = config;
    this.sourceVocab = SeqVocab.from('seq2seq', 'sourceVocab', 'source', config.sourceVocab);
    this.targetVocab = SeqVocab.from('seq2seq', 'targetVocab', 'target', config.targetVocab);
    this.model = training;
    // the training model creates every weight; the other two share them
    training.build();
    this.encoder = encoderModel(layers, training.name);
    this.decoderStep = stepModel(layers, training.name);
    this.search = new Decoder(this.encoder, this.decoderStep);
  }

  /** @internal the rows of every decoder step call so far, in order (tests count them) */
  get stepCalls(): number[] {
    return this.search.calls;
  }

  get cell(): Seq2seqCell {
    return this.config.cell;
  }

  get units(): number {
    return this.config.units;
  }

  /** Train with teacher forcing; see train.ts. Sources and targets: arrays of sequences (ids, tokens, or strings of one-character tokens). */
  async fit(source: readonly SequenceLike[], target: readonly SequenceLike[], opts: Seq2seqFitOptions = {}): Promise<Seq2seqHistory> {
    const where = 'seq2seq.fit';
    const s = fitSettings(where, opts);
    const [src, tgt] = this.pairs(where, source, target, 'source', 'target');
    let val = null;
    if (opts.validationData !== undefined) {
      const vd = opts.validationData;
      if (!Array.isArray(vd) || vd.length !== 2) fail('E_ARG', `${where}: validationData must be [sources, targets], got ${describe(vd)}`);
      const [vs, vt] = this.pairs(where, vd[0], vd[1], 'validationData[0]', 'validationData[1]');
      val = { source: vs, target: vt };
    }
    return fitSeq2seq(this.model, { source: src, target: tgt, val }, s);
  }

  /** The likeliest output for every source: greedy (beamWidth 1) or beam search; see decode.ts. */
  decode(source: readonly SequenceLike[], opts: DecodeOptions = {}): Decoded[] {
    const where = 'seq2seq.decode';
    const o = checkObject(where, 'options', opts ?? {});
    checkKeys(where, o, DECODE_KEYS);
    const settings = {
      beamWidth: checkInt(where, 'beamWidth', o.beamWidth ?? 1, 1, 1024),
      maxLength: checkInt(where, 'maxLength', o.maxLength ?? 64, 1, 1 << 16),
      lengthPenalty: checkNumber(where, 'lengthPenalty', o.lengthPenalty ?? 0, 0, 10),
      batchSize: checkInt(where, 'batchSize', o.batchSize ?? 256, 1),
    };
    const src = this.sourceVocab.encodeAll(where, source, 'source');
    return this.search.decode(src, settings).map((h) => ({ ...h, tokens: this.targetVocab.decode(h.ids) }));
  }

  /** log p(target_i | source_i) under the model, end token included (float64). */
  logProbability(source: readonly SequenceLike[], target: readonly SequenceLike[], opts: { batchSize?: number } = {}): Float64Array {
    const where = 'seq2seq.logProbability';
    const batchSize = this.batchOption(where, opts);
    const [src, tgt] = this.pairs(where, source, target, 'source', 'target');
    return logProbabilities(this.model, src, tgt, batchSize);
  }

  /** Mean negative log-likelihood per target token (end tokens included) and its perplexity. */
  evaluate(
    source: readonly SequenceLike[],
    target: readonly SequenceLike[],
    opts: { batchSize?: number } = {},
  ): { loss: number; perplexity: number; tokens: number } {
    const where = 'seq2seq.evaluate';
    const batchSize = this.batchOption(where, opts);
    const [src, tgt] = this.pairs(where, source, target, 'source', 'target');
    const { loss, tokens } = crossEntropy(logProbabilities(this.model, src, tgt, batchSize), tgt);
    return { loss, perplexity: Math.exp(loss), tokens };
  }

  /** One artifact: the training model (weights, optimizer state unless told otherwise) and this configuration; loadSeq2seq() reads it. */
  serialize(opts: SerializeOptions = {}): Uint8Array {
    const where = 'seq2seq.serialize';
    const o = checkObject(where, 'options', opts ?? {});
    checkKeys(where, o, ['includeOptimizer', 'metadata']);
    if (o.metadata !== undefined && (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata)))
      fail('E_ARG', `${where}: metadata must be an object`);
    const metadata = { ...(o.metadata as Record<string, unknown> | undefined), seq2seq: this.config };
    return this.model.serialize({
      ...(o.includeOptimizer === undefined ? {} : { includeOptimizer: o.includeOptimizer as boolean }),
      metadata,
    });
  }

  /** Give the memory of all three models back. */
  dispose(): void {
    this.decoderStep.dispose();
    this.encoder.dispose();
    this.model.dispose();
  }

  private batchOption(where: string, opts: unknown): number {
    const o = checkObject(where, 'options', opts ?? {});
    checkKeys(where, o, ['batchSize']);
    return checkInt(where, 'batchSize', o.batchSize ?? 64, 1);
  }

  /** Sources and targets checked against the vocabularies, one target per source. */
  private pairs(where: string, source: unknown, target: unknown, sName: string, tName: string): [Int32Array[], Int32Array[]] {
    const src = this.sourceVocab.encodeAll(where, source, sName);
    const tgt = this.targetVocab.encodeAll(where, target, tName);
    if (src.length !== tgt.length) fail('E_ARG', `${where}: ${sName} has ${src.length} sequences but ${tName} has ${tgt.length}`);
    return [src, tgt];
  }
}

/** A new, compiled encoder-decoder (see the header). */
export function seq2seq(opts: Seq2seqOptions): Seq2seq {
  const where = 'seq2seq';
  const o = checkObject(where, 'options', opts);
  checkKeys(where, o, OPTION_KEYS);
  if (o.sourceVocab === undefined || o.targetVocab === undefined) fail('E_ARG', `${where}: sourceVocab and targetVocab are required`);
  const source = SeqVocab.from(where, 'sourceVocab', 'source', o.sourceVocab);
  const target = SeqVocab.from(where, 'targetVocab', 'target', o.targetVocab);
  const config: Seq2seqConfig = {
    version: 1,
    sourceVocab: source.toJSON(),
    targetVocab: target.toJSON(),
    embeddingDim: checkInt(where, 'embeddingDim', o.embeddingDim ?? 32, 1, 1 << 16),
    units: checkInt(where, 'units', o.units ?? 128, 1, 1 << 16),
    cell: checkOneOf(where, 'cell', o.cell ?? 'lstm', SEQ2SEQ_CELLS),
    reverseSource: bool(where, 'reverseSource', o.reverseSource, true),
    learningRate: positive(where, 'learningRate', o.learningRate ?? 3e-3),
    clipnorm: checkNumber(where, 'clipnorm', o.clipnorm ?? 5, 0),
  };
  if (o.seed !== undefined) checkInt(where, 'seed', o.seed, 0, 2 ** 32 - 1);
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0))
    fail('E_ARG', `${where}: name must be a non-empty string, got ${describe(o.name)}`);
  const layers = makeLayers({
    sourceVocab: source.size,
    targetVocab: target.size,
    embeddingDim: config.embeddingDim,
    units: config.units,
    cell: config.cell,
    reverseSource: config.reverseSource,
  });
  const training = trainingModel(layers, (o.name as string | undefined) ?? `seq2seq_${++seq2seqIds}`, o.seed as number | undefined);
  compile(training, config);
  return new Seq2seq(config, layers, training);
}

function compile(m: Model, c: Seq2seqConfig): void {
  const optimizer = optimizers.adam(
    c.clipnorm > 0 ? { learningRate: c.learningRate, globalClipnorm: c.clipnorm } : { learningRate: c.learningRate },
  );
  m.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
}

function positive(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0))
    fail('E_ARG', `${where}: ${name} must be a positive number, got ${describe(v)}`);
  return v;
}

/** A seq2seq model from seq2seq.serialize(): weights, vocabularies and (when saved) the optimizer state to resume training. */
export function loadSeq2seq(bytes: Uint8Array | ArrayBuffer): Seq2seq {
  const where = 'loadSeq2seq';
  const m = loadModelSync(bytes);
  try {
    const c = m.metadata?.seq2seq as Seq2seqConfig | undefined;
    if (!c || typeof c !== 'object' || c.version !== 1)
      fail(
        'E_FORMAT',
        `${where}: the artifact holds a model but no seq2seq configuration (metadata.seq2seq); save it with seq2seq.serialize()`,
      );
    const layers = layersOf(m, where);
    let s: Seq2seq;
    try {
      if (!m.compileConfig) compile(m, c);
      s = new Seq2seq(c, layers, m);
    } catch (e) {
      if (e instanceof WasmRnnError && e.code === 'E_ARG')
        throw new WasmRnnError('E_FORMAT', `${where}: the saved seq2seq configuration is malformed: ${e.message}`);
      throw e;
    }
    if (
      s.sourceVocab.size !== (layers.sourceEmbedding as unknown as { inputDim: number }).inputDim ||
      s.targetVocab.size !== layers.output.units
    ) {
      fail('E_FORMAT', `${where}: the saved vocabularies do not match the model's embedding and output sizes`);
    }
    return s;
  } catch (e) {
    m.dispose();
    throw e;
  }
}
