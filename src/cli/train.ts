/**
 * wasm-rnn train: a text classifier from a CSV/TSV/JSONL file, saved with its
 * vectorizer and label names. Progress goes to stderr, the report (on the
 * held-out validation records) to stdout.
 */
import { TextVectorizer } from '../text/text_vectorizer.js';
import { Tensor } from '../tensor.js';
import { callbacks } from '../train/callbacks.js';
import { classificationReport, formatReport } from '../train/report.js';
import { classTargets, predictedClasses, textClassifier, type ClassifierCell } from '../tune/classifier.js';
import { type OptSpec, helpText, parseArgs } from './args.js';
import { type CliIO, classesOf, fmt, readLabelled, splitIndices } from './common.js';
import { checkWritable, writeAtomic } from './io.js';
import { TEXT_OPTS, chooseMaxLen, oovRate, oovReport, vectorizerOptions } from './text_options.js';

export const DATA_OPTS: OptSpec[] = [
  { name: 'data', type: 'string', arg: 'FILE', required: true, help: 'labelled texts: .csv, .tsv or .jsonl' },
  { name: 'text-column', type: 'string', arg: 'NAME', default: 'text', help: 'the column (or JSON field) holding the text' },
  { name: 'label-column', type: 'string', arg: 'NAME', default: 'label', help: 'the column holding the class label' },
];

const SPECS: OptSpec[] = [
  ...DATA_OPTS,
  {
    name: 'model',
    type: 'string',
    choices: ['lstm', 'gru', 'simplernn', 'bilstm', 'stacked'],
    default: 'lstm',
    help: 'recurrent layer; stacked = two LSTM layers',
  },
  { name: 'units', type: 'int', min: 1, default: 64, help: 'units per recurrent layer' },
  { name: 'embedding-dim', type: 'int', min: 1, default: 64, help: 'embedding size' },
  { name: 'dropout', type: 'number', min: 0, max: 0.95, default: 0.2, help: 'dropout before the output layer' },
  { name: 'epochs', type: 'int', min: 1, default: 5, help: 'most epochs (early stopping on the validation loss may end sooner)' },
  { name: 'batch-size', type: 'int', min: 1, default: 32, help: 'texts per batch' },
  { name: 'lr', type: 'number', min: 1e-8, max: 10, default: 0.002, help: 'Adam learning rate' },
  {
    name: 'class-weight',
    type: 'string',
    choices: ['none', 'balanced'],
    default: 'none',
    help: 'balanced: weight each class by n / (classes x its count)',
  },
  ...TEXT_OPTS,
  {
    name: 'validation-split',
    type: 'number',
    min: 0,
    max: 0.9,
    default: 0.1,
    help: 'fraction held out (stratified) for early stopping and the report; 0 = none',
  },
  { name: 'patience', type: 'int', min: 0, default: 2, help: 'epochs without a better validation loss before stopping' },
  { name: 'seed', type: 'int', min: 0, max: 2 ** 32 - 1, default: 42, help: 'seed for the split, the weights and the shuffling' },
  { name: 'out', type: 'string', arg: 'FILE', required: true, help: 'where to save the model (e.g. model.wrnn)' },
  { name: 'quiet', type: 'flag', help: 'no progress bar' },
];

export const TRAIN_HELP = helpText(
  'wasm-rnn train --data FILE --out model.wrnn [options]',
  'Train a recurrent text classifier (2 classes: sigmoid; more: softmax) and save it with its vocabulary, label names and columns. ' +
    'Prints the --max-len it chose and how many validation tokens the vocabulary does not know (a warning above 25%: try --split character for names).',
  SPECS,
);

export async function train(argv: readonly string[], io: CliIO): Promise<number> {
  const { opts, help } = parseArgs('train', argv, SPECS);
  if (help) {
    io.stdout(TRAIN_HELP);
    return 0;
  }
  const o = opts as Record<string, string & number & boolean>;
  const textOptions = vectorizerOptions('train', o);
  checkWritable(o.out, 'model');
  const textCol = o['text-column'];
  const labelCol = o['label-column'];
  const data = readLabelled(o.data, textCol, labelCol);
  const classes = classesOf(data, labelCol);
  const y = data.labels.map((l) => classes.indexOf(l));
  const { train: tr, val } = splitIndices(y, o['validation-split'], o.seed);
  const counts = classes.map((c) => `${c} ${fmt(data.labels.filter((l) => l === c).length)}`).join(', ');
  io.stderr(
    `${data.file}: ${fmt(data.texts.length)} texts, ${classes.length} classes (${counts}); training on ${fmt(tr.length)}, validating on ${fmt(val.length)}\n`,
  );

  const trainTexts = tr.map((i) => data.texts[i]);
  const { maxLen, note } = chooseMaxLen(textOptions, trainTexts, o['max-len']);
  io.stderr(`${note}\n`);
  const vectorizer = new TextVectorizer({ ...textOptions, outputSequenceLength: maxLen, truncating: 'post' });
  vectorizer.adapt(trainTexts);
  if (val.length > 0)
    io.stderr(
      oovReport(
        vectorizer.vocabularySize(),
        oovRate(
          vectorizer,
          val.map((i) => data.texts[i]),
        ),
        o,
        'validation',
      ),
    );
  const cell: ClassifierCell = o.model === 'stacked' ? 'lstm' : (o.model as ClassifierCell);
  const model = textClassifier({
    vocabSize: vectorizer.vocabularySize(),
    classes: classes.length,
    cell,
    layers: o.model === 'stacked' ? 2 : 1,
    units: o.units,
    embeddingDim: o['embedding-dim'],
    dropout: o.dropout,
    learningRate: o.lr,
    seed: o.seed,
  });
  const xs = (idx: number[]) => vectorizer.transform(idx.map((i) => data.texts[i]));
  const ys = (idx: number[]) =>
    classTargets(
      idx.map((i) => y[i]),
      classes.length,
    );
  const cbs = [];
  if (!o.quiet) cbs.push(callbacks.progressBar({ write: (s) => io.stderr(s), inPlace: !!io.isTTY }));
  if (val.length > 0) cbs.push(callbacks.earlyStopping({ monitor: 'val_loss', patience: o.patience, restoreBestWeights: true }));
  const classWeight =
    o['class-weight'] === 'balanced'
      ? Object.fromEntries(classes.map((_, c) => [c, tr.length / (classes.length * Math.max(1, tr.filter((i) => y[i] === c).length))]))
      : undefined;
  const t0 = performance.now();
  const history = await model.fit(xs(tr), ys(tr), {
    epochs: o.epochs,
    batchSize: o['batch-size'],
    validationData: val.length > 0 ? [xs(val), ys(val)] : undefined,
    callbacks: cbs,
    classWeight,
  });
  const secs = (performance.now() - t0) / 1000;

  const evalIdx = val.length > 0 ? val : tr;
  const pred = predictedClasses(model.predict(xs(evalIdx), { batchSize: 128 }) as Tensor);
  const report = classificationReport(
    evalIdx.map((i) => y[i]),
    pred,
    classes,
  );
  io.stdout(`trained ${history.epoch.length} epoch${history.epoch.length === 1 ? '' : 's'} in ${secs.toFixed(1)} s\n\n`);
  io.stdout(
    `${val.length > 0 ? `validation set (${fmt(val.length)} texts held out from training)` : 'training set (no validation split)'}:\n`,
  );
  io.stdout(`${formatReport(report)}\n\n`);

  model.vectorizer = vectorizer;
  model.labels = classes;
  model.metadata = {
    task: 'text-classification',
    textColumn: textCol,
    labelColumn: labelCol,
    accuracy: report.accuracy,
    evaluatedOn: val.length > 0 ? 'validation' : 'training',
  };
  // serialize() saves only the metadata it is given, not model.metadata
  writeAtomic(o.out, model.serialize({ includeOptimizer: false, metadata: model.metadata! }), 'model');
  io.stdout(
    `accuracy ${(report.accuracy * 100).toFixed(2)}%, macro F1 ${report.macro.f1.toFixed(4)}; saved ${o.out} (${fmt(model.countParams())} parameters, classes: ${classes.join(', ')})\n`,
  );
  model.dispose();
  return 0;
}
