/**
 * The five layers of an encoder-decoder and the three models that share them
 * (a layer owns its weights; every model holding it reads and trains the
 * same ones):
 *
 *   training   [source (B,Ts), decoder_input (B,Tt)] -> probs (B,Tt,V)
 *              source_embedding(S,E, maskZero) -> encoder(H, returnState) -> states
 *              target_embedding(V,E, maskZero) -> decoder(H, returnSequences,
 *              initialState = encoder states) -> output dense(V, softmax)
 *   encoder    source (B,Ts) -> states: [h, c] (LSTM) or [h] (GRU), (B,H) each
 *   step       [token (B,1), ...states] -> [probs (B,1,V), ...new states]
 *              one time step per call, states in and out explicitly: a
 *              decoder never re-reads its prefix, and a beam search can
 *              reorder, copy or drop hypotheses between steps (a layer that
 *              carried its state inside could not)
 *
 * The decoder layer has returnState on so that the step model can hand its
 * states back; the training model leaves those outputs unread.
 *
 * reverseSource (the encoder's goBackwards) reads the source last token
 * first, so the first source tokens are the last the encoder saw when the
 * decoder starts, right where the first outputs are made (Sutskever, Vinyals
 * and Le, 2014). On CMUdict, after one minute of training, it lowered the
 * phoneme error rate on 2,000 held-out words from 31% to 24% at the same
 * speed. With post-padding and goBackwards the padded steps come first,
 * masked: the state stays zero until the last real token.
 */
import { fail } from '../errors.js';
import { layers } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import type { Recurrent } from '../layers/recurrent.js';
import { input, type SymbolicTensor } from '../layers/symbolic.js';
import { Model, model } from '../models/model.js';

export type Seq2seqCell = 'lstm' | 'gru';
export const SEQ2SEQ_CELLS: readonly Seq2seqCell[] = ['lstm', 'gru'];

/** Layer names: how a loaded training model's layers are found again. */
export const ROLES = {
  sourceEmbedding: 'source_embedding',
  encoder: 'encoder',
  targetEmbedding: 'target_embedding',
  decoder: 'decoder',
  output: 'output',
} as const;
export const INPUT_NAMES = { source: 'source', decoderInput: 'decoder_input' } as const;

export interface Seq2seqLayers {
  sourceEmbedding: Layer;
  encoder: Recurrent;
  targetEmbedding: Layer;
  decoder: Recurrent;
  output: Layer;
}

export interface Dims {
  sourceVocab: number;
  targetVocab: number;
  embeddingDim: number;
  units: number;
  cell: Seq2seqCell;
  reverseSource: boolean;
}

export function makeLayers(d: Dims): Seq2seqLayers {
  // both factories take the shared recurrent options used here
  const rnn = (d.cell === 'lstm' ? layers.lstm : layers.gru) as typeof layers.lstm;
  return {
    sourceEmbedding: layers.embedding({ inputDim: d.sourceVocab, outputDim: d.embeddingDim, maskZero: true, name: ROLES.sourceEmbedding }),
    encoder: rnn({ units: d.units, returnState: true, goBackwards: d.reverseSource, name: ROLES.encoder }),
    targetEmbedding: layers.embedding({ inputDim: d.targetVocab, outputDim: d.embeddingDim, maskZero: true, name: ROLES.targetEmbedding }),
    decoder: rnn({ units: d.units, returnSequences: true, returnState: true, name: ROLES.decoder }),
    output: layers.dense({ units: d.targetVocab, activation: 'softmax', name: ROLES.output }),
  };
}

/** The layers of a loaded training model, found by name and checked. */
export function layersOf(m: Model, where: string): Seq2seqLayers {
  const get = (name: string, className: string | string[]) => {
    const l = m.layers.find((x) => x.name === name);
    const ok = Array.isArray(className) ? className : [className];
    if (!l || !ok.includes(l.className))
      fail('E_FORMAT', `${where}: the model has no ${ok.join(' or ')} layer named '${name}'; it was not saved by a seq2seq model`);
    return l;
  };
  return {
    sourceEmbedding: get(ROLES.sourceEmbedding, 'Embedding'),
    encoder: get(ROLES.encoder, ['LSTM', 'GRU']) as Recurrent,
    targetEmbedding: get(ROLES.targetEmbedding, 'Embedding'),
    decoder: get(ROLES.decoder, ['LSTM', 'GRU']) as Recurrent,
    output: get(ROLES.output, 'Dense'),
  };
}

const ids = (name: string) => input({ shape: [null], dtype: 'int32', name });
const list = (t: SymbolicTensor | SymbolicTensor[]) => (Array.isArray(t) ? t : [t]);

/** The encoder's final states on a source input. */
function encode(l: Seq2seqLayers, source: SymbolicTensor): SymbolicTensor[] {
  const [, ...states] = list(l.encoder.apply(l.sourceEmbedding.apply(source)));
  return states;
}

/** Decoder outputs [probs, ...states] from decoder inputs and initial states. */
function decode(l: Seq2seqLayers, tokens: SymbolicTensor, states: SymbolicTensor[]): SymbolicTensor[] {
  const [y, ...next] = list(l.decoder.apply(l.targetEmbedding.apply(tokens), { initialState: states }));
  return [l.output.apply(y) as SymbolicTensor, ...next];
}

export function trainingModel(l: Seq2seqLayers, name: string, seed: number | undefined): Model {
  const source = ids(INPUT_NAMES.source);
  const decoderInput = ids(INPUT_NAMES.decoderInput);
  const [probs] = decode(l, decoderInput, encode(l, source));
  return model({ inputs: [source, decoderInput], outputs: probs, name, seed });
}

export function encoderModel(l: Seq2seqLayers, name: string): Model {
  const source = ids(INPUT_NAMES.source);
  return model({ inputs: source, outputs: encode(l, source), name: `${name}_encoder` });
}

export function stepModel(l: Seq2seqLayers, name: string): Model {
  const H = l.decoder.units_;
  const token = ids('token');
  const states = Array.from({ length: l.decoder.nStates }, (_, k) => input({ shape: [H], name: `state_${k}` }));
  return model({ inputs: [token, ...states], outputs: decode(l, token, states), name: `${name}_step` });
}
