/**
 * wasm-rnn predict and wasm-rnn evaluate: a saved classifier on new texts.
 *   predict   one JSON line per text: label, probability, every class's probability
 *   evaluate  accuracy, per-class precision/recall/F1 and the confusion matrix
 */
import type { Model } from '../models/model.js';
import { classificationReport, formatReport } from '../train/report.js';
import { type OptSpec, helpText, parseArgs } from './args.js';
import { type CliIO, fmt, readLabelled } from './common.js';
import { UsageError, UserError, at } from './errors.js';
import { checkWritable, readModel, writeAtomic } from './io.js';

const MODEL: OptSpec = {
  name: 'model',
  type: 'string',
  arg: 'FILE',
  required: true,
  help: 'a classifier saved by wasm-rnn train (or saveModel)',
};
// No fixed defaults: a model made by `wasm-rnn train` or `tune` remembers its columns.
const TEXT_COL: OptSpec = {
  name: 'text-column',
  type: 'string',
  arg: 'NAME',
  help: 'the column holding the text (default: the one the model was trained on, else "text")',
};

const PREDICT_SPECS: OptSpec[] = [
  MODEL,
  { name: 'data', type: 'string', arg: 'FILE', help: 'texts to classify: .csv, .tsv or .jsonl (or give the texts as arguments)' },
  TEXT_COL,
  { name: 'out', type: 'string', arg: 'FILE', help: 'write the JSON lines here instead of stdout' },
  { name: 'batch-size', type: 'int', min: 1, default: 128, help: 'texts per batch' },
];
export const PREDICT_HELP = helpText(
  'wasm-rnn predict --model model.wrnn [--data FILE | TEXT...]',
  'Classify texts. One JSON line per text: {"label", "probability", "probabilities": {class: p}} (and "line" for --data).',
  PREDICT_SPECS,
);

const EVALUATE_SPECS: OptSpec[] = [
  MODEL,
  { name: 'data', type: 'string', arg: 'FILE', required: true, help: 'labelled texts: .csv, .tsv or .jsonl' },
  TEXT_COL,
  {
    name: 'label-column',
    type: 'string',
    arg: 'NAME',
    help: 'the column holding the true label (default: the one the model was trained on, else "label")',
  },
  { name: 'batch-size', type: 'int', min: 1, default: 128, help: 'texts per batch' },
];
export const EVALUATE_HELP = helpText(
  'wasm-rnn evaluate --model model.wrnn --data FILE',
  'Score a classifier on labelled texts: accuracy, per-class precision, recall and F1, the confusion matrix.',
  EVALUATE_SPECS,
);

/** A saved text classifier: a vectorizer, label names, one probability row per text. */
export function readClassifier(file: string): Model & { labels: string[] } {
  const model = readModel(file);
  const out = model.layers[model.layers.length - 1].outputShape!;
  if (out.length !== 1) throw at(file, null, 'is a language model (one prediction per step); use wasm-rnn generate');
  if (!model.vectorizer)
    throw at(
      file,
      null,
      'the model has no vectorizer, so it cannot read text; train it with wasm-rnn train or set model.vectorizer before saving',
    );
  const C = out[0] === 1 ? 2 : out[0];
  if (!model.labels) model.labels = Array.from({ length: C }, (_, i) => String(i));
  return model as Model & { labels: string[] };
}

export async function predict(argv: readonly string[], io: CliIO): Promise<number> {
  const { opts, positional, help } = parseArgs('predict', argv, PREDICT_SPECS, true);
  if (help) {
    io.stdout(PREDICT_HELP);
    return 0;
  }
  const o = opts as Record<string, string & number>;
  if (o.data !== undefined && positional.length > 0)
    throw new UsageError('wasm-rnn predict: give --data FILE or texts as arguments, not both (see wasm-rnn predict --help)');
  if (o.data === undefined && positional.length === 0)
    throw new UsageError('wasm-rnn predict: nothing to classify: give --data FILE or texts as arguments (see wasm-rnn predict --help)');
  if (o.out !== undefined) checkWritable(o.out, 'predictions');
  const model = readClassifier(o.model);
  const data = o.data !== undefined ? readLabelled(o.data, columnOf(model, o['text-column'], 'textColumn'), null) : null;
  const texts = data ? data.texts : positional;
  positional.forEach((t, i) => {
    if (t.trim() === '') throw new UserError(`text argument ${i + 1} is empty`);
  });
  const results = model.classify(texts, { batchSize: o['batch-size'] });
  const lines = results.map((r, i) => {
    const probabilities = Object.fromEntries(model.labels.map((l, c) => [l, round(r.probabilities[c])]));
    const head = data ? { line: data.lines[i] } : { text: texts[i] };
    return JSON.stringify({ ...head, label: r.label, probability: round(r.probability), probabilities });
  });
  const body = lines.join('\n') + '\n';
  if (o.out !== undefined) {
    writeAtomic(o.out, body, 'predictions');
    io.stderr(`wrote ${fmt(lines.length)} predictions to ${o.out}\n`);
  } else io.stdout(body);
  model.dispose();
  return 0;
}

const round = (p: number) => Math.round(p * 1e6) / 1e6;

/** --text-column / --label-column, else the column the model was trained on (saved in its metadata), else the usual name. */
function columnOf(model: Model, given: string | undefined, key: 'textColumn' | 'labelColumn'): string {
  const saved = model.metadata?.[key];
  return given ?? (typeof saved === 'string' ? saved : key === 'textColumn' ? 'text' : 'label');
}

export async function evaluate(argv: readonly string[], io: CliIO): Promise<number> {
  const { opts, help } = parseArgs('evaluate', argv, EVALUATE_SPECS);
  if (help) {
    io.stdout(EVALUATE_HELP);
    return 0;
  }
  const o = opts as Record<string, string & number>;
  const model = readClassifier(o.model);
  const data = readLabelled(o.data, columnOf(model, o['text-column'], 'textColumn'), columnOf(model, o['label-column'], 'labelColumn'));
  const yTrue = data.labels.map((l, i) => {
    const c = model.labels.indexOf(l);
    if (c < 0)
      throw at(data.file, data.lines[i], `label ${JSON.stringify(l)} is not one of the model's classes (${model.labels.join(', ')})`);
    return c;
  });
  const results = model.classify(data.texts, { batchSize: o['batch-size'] });
  const report = classificationReport(
    yTrue,
    results.map((r) => r.index),
    model.labels,
  );
  io.stdout(`${o.model} on ${data.file} (${fmt(data.texts.length)} texts):\n${formatReport(report)}\n\n`);
  io.stdout(`accuracy ${(report.accuracy * 100).toFixed(2)}%, macro F1 ${report.macro.f1.toFixed(4)}\n`);
  model.dispose();
  return 0;
}
