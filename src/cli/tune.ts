/**
 * wasm-rnn tune: grid or random search over classifier hyperparameters on a
 * labelled data file; prints the ranked results table, can write it as CSV,
 * and saves the best model retrained on all the data.
 *
 * Values are comma lists (--units 32,64); for --search random a numeric
 * option may also be a range MIN:MAX, drawn log-uniformly for --lr and
 * uniformly otherwise (integers where the option is one).
 */
import { TextVectorizer } from '../text/text_vectorizer.js';
import { CLASSIFIER_CELLS, type ClassifierCell } from '../tune/classifier.js';
import { type Range, type SearchSpace, formatResults, gridSearch, randomSearch } from '../tune/search.js';
import { type OptSpec, helpText, parseArgs, usageError } from './args.js';
import { type CliIO, classesOf, fmt, labelled, splitIndices } from './common.js';
import { checkWritable, readBytes, writeAtomic } from './io.js';
import { column, parseTable } from './tabular.js';
import { TEXT_OPTS, chooseMaxLen, oovRate, oovReport, vectorizerOptions } from './text_options.js';
import { DATA_OPTS } from './train.js';

const SPACE_OPTS: [string, keyof SearchSpace, boolean][] = [
  // option, space key, integer
  ['units', 'units', true],
  ['layers', 'layers', true],
  ['embedding-dim', 'embeddingDim', true],
  ['dropout', 'dropout', false],
  ['lr', 'learningRate', false],
  ['batch-size', 'batchSize', true],
];

const SPECS: OptSpec[] = [
  ...DATA_OPTS,
  { name: 'search', type: 'string', choices: ['grid', 'random'], default: 'grid', help: 'every combination, or --trials random draws' },
  { name: 'trials', type: 'int', min: 1, default: 10, help: 'random search: number of draws' },
  { name: 'model', type: 'list', arg: 'LIST', help: `cells to try: ${CLASSIFIER_CELLS.join(',')} (default lstm)` },
  { name: 'units', type: 'list', arg: 'LIST', help: 'units per recurrent layer, e.g. 32,64 (default 64)' },
  { name: 'layers', type: 'list', arg: 'LIST', help: 'stacked recurrent layers, e.g. 1,2 (default 1)' },
  { name: 'embedding-dim', type: 'list', arg: 'LIST', help: 'embedding sizes (default 64)' },
  { name: 'dropout', type: 'list', arg: 'LIST', help: 'dropout rates (default 0.2)' },
  { name: 'lr', type: 'list', arg: 'LIST', help: 'learning rates, e.g. 0.001,0.003 or 1e-4:1e-2 for random search (default 0.002)' },
  { name: 'batch-size', type: 'list', arg: 'LIST', help: 'batch sizes (default 32)' },
  { name: 'folds', type: 'int', min: 2, help: 'k-fold cross-validation (instead of --validation-split)' },
  { name: 'validation-split', type: 'number', min: 0.01, max: 0.9, help: 'one stratified validation split (default 0.2 without --folds)' },
  { name: 'group-column', type: 'string', arg: 'NAME', help: 'records with the same value here (e.g. a document id) always share a fold' },
  { name: 'epochs', type: 'int', min: 1, default: 5, help: 'most epochs per fit' },
  { name: 'patience', type: 'int', min: 0, default: 2, help: 'early stopping patience on the validation loss' },
  {
    name: 'metric',
    type: 'string',
    choices: ['accuracy', 'f1', 'loss'],
    default: 'accuracy',
    help: 'what ranks the trials (f1 = macro F1)',
  },
  ...TEXT_OPTS,
  { name: 'seed', type: 'int', min: 0, max: 2 ** 32 - 1, default: 42, help: 'seed of the folds, the draws and the weights' },
  { name: 'out', type: 'string', arg: 'FILE', help: 'save the best model, retrained on all the data' },
  { name: 'results', type: 'string', arg: 'FILE', help: 'write every trial as CSV' },
];

export const TUNE_HELP = helpText(
  'wasm-rnn tune --data FILE [--units 32,64 --lr 0.001,0.003 ...] [--folds K | --validation-split F] [--out best.wrnn]',
  'Search classifier hyperparameters by grid or random search with early stopping and cross-validation; rank the trials; save the best model. ' +
    'Prints the --max-len it chose and an out-of-vocabulary estimate on a held-out tenth (a warning above 25%).',
  SPECS,
);

function values(name: string, list: string[], integer: boolean, random: boolean): number[] | Range {
  if (list.length === 1 && list[0].includes(':')) {
    if (!random) throw usageError('tune', `--${name}: ranges (MIN:MAX) need --search random; list the values for a grid`);
    const [a, b] = list[0].split(':').map(Number);
    if (!Number.isFinite(a) || !Number.isFinite(b) || a > b)
      throw usageError('tune', `--${name}: expected a range MIN:MAX with MIN <= MAX, got ${JSON.stringify(list[0])}`);
    return { min: a, max: b, log: name === 'lr', integer };
  }
  return list.map((s) => {
    const v = Number(s);
    if (s === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw usageError('tune', `--${name}: expected a comma list of ${integer ? 'integers' : 'numbers'}, got ${JSON.stringify(s)}`);
    }
    return v;
  });
}

export async function tune(argv: readonly string[], io: CliIO): Promise<number> {
  const { opts, help } = parseArgs('tune', argv, SPECS);
  if (help) {
    io.stdout(TUNE_HELP);
    return 0;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- values checked by parseArgs against SPECS
  const o = opts as Record<string, any>;
  const random = o.search === 'random';
  const space: SearchSpace = {};
  for (const [name, key, integer] of SPACE_OPTS) {
    if (o[name] !== undefined) (space as Record<string, unknown>)[key] = values(name, o[name], integer, random);
  }
  if (o.model !== undefined) {
    for (const c of o.model)
      if (!(CLASSIFIER_CELLS as readonly string[]).includes(c))
        throw usageError('tune', `--model: unknown cell ${JSON.stringify(c)} (have: ${CLASSIFIER_CELLS.join(', ')})`);
    space.cell = o.model as ClassifierCell[];
  }
  if (o.folds !== undefined && o['validation-split'] !== undefined)
    throw usageError('tune', 'give --folds or --validation-split, not both');
  const textOptions = vectorizerOptions('tune', o);
  if (o.out !== undefined) checkWritable(o.out, 'model');
  if (o.results !== undefined) checkWritable(o.results, 'results');

  const table = parseTable(o.data, readBytes(o.data, 'data file'));
  const data = labelled(table, o['text-column'], o['label-column']);
  const classes = classesOf(data, o['label-column']);
  const y = data.labels.map((l) => classes.indexOf(l));
  let groups: number[] | undefined;
  if (o['group-column'] !== undefined) {
    const ids = new Map<string, number>();
    groups = column(table, o['group-column'], 'group').map((g) => ids.get(g) ?? (ids.set(g, ids.size), ids.size - 1));
  }
  io.stderr(`${data.file}: ${fmt(data.texts.length)} texts, ${classes.length} classes\n`);
  const { maxLen, note } = chooseMaxLen(textOptions, data.texts, o['max-len']);
  io.stderr(`${note}\n`);
  // The vocabulary is learnt from all the texts (labels are not used), so no
  // trial sees an unknown token; how many a new text would bring is estimated
  // on a held-out tenth, as train measures it on its validation split.
  const probeSplit = splitIndices(y, 0.1, o.seed);
  const probe = new TextVectorizer(textOptions).adapt(probeSplit.train.map((i) => data.texts[i]));
  const vectorizer = new TextVectorizer({ ...textOptions, outputSequenceLength: maxLen });
  vectorizer.adapt(data.texts);
  if (probeSplit.val.length > 0)
    io.stderr(
      oovReport(
        vectorizer.vocabularySize(),
        oovRate(
          probe,
          probeSplit.val.map((i) => data.texts[i]),
        ),
        o,
        'held-out (a tenth, vocabulary from the rest)',
      ),
    );
  const x = vectorizer.transform(data.texts);
  const common = {
    x,
    y,
    space,
    classes: classes.length,
    vocabSize: vectorizer.vocabularySize(),
    epochs: o.epochs,
    patience: o.patience,
    metric: o.metric as 'accuracy' | 'f1' | 'loss',
    seed: o.seed,
    retrain: o.out !== undefined,
    ...(o.folds !== undefined ? { folds: o.folds } : { validationSplit: o['validation-split'] ?? 0.2 }),
    ...(groups ? { groups } : {}),
    onTrial: (t: { params: object; score: number; seconds: number }, done: number, total: number) =>
      io.stderr(`trial ${done}/${total}: ${JSON.stringify(t.params)} -> ${o.metric} ${t.score.toFixed(4)} (${t.seconds.toFixed(1)} s)\n`),
  };
  const result = random ? await randomSearch({ ...common, trials: o.trials }) : await gridSearch(common);
  io.stdout(
    `${random ? 'random' : 'grid'} search, ${result.trials.length} trials, ${result.validation}, ranked by ${result.metric}:\n\n${formatResults(result)}\n\n`,
  );
  io.stdout(`best: ${JSON.stringify(result.best.params)}\n`);
  if (o.results !== undefined) {
    const head = [
      'rank',
      'cell',
      'units',
      'layers',
      'embedding_dim',
      'dropout',
      'learning_rate',
      'batch_size',
      result.metric,
      'std',
      'accuracy',
      'macro_f1',
      'val_loss',
      'epochs',
      'seconds',
    ];
    const rows = result.trials.map((t, i) =>
      [
        i + 1,
        t.params.cell,
        t.params.units,
        t.params.layers,
        t.params.embeddingDim,
        t.params.dropout,
        t.params.learningRate,
        t.params.batchSize,
        t.score,
        t.std,
        t.accuracy,
        t.f1,
        t.loss,
        t.epochs,
        t.seconds.toFixed(2),
      ].join(','),
    );
    writeAtomic(o.results, [head.join(','), ...rows].join('\n') + '\n', 'results');
    io.stdout(`wrote ${o.results}\n`);
  }
  if (result.model && o.out !== undefined) {
    result.model.vectorizer = vectorizer;
    result.model.labels = classes;
    result.model.metadata = {
      task: 'text-classification',
      textColumn: o['text-column'],
      labelColumn: o['label-column'],
      tuned: result.best.params,
      [result.metric]: result.best.score,
      validation: result.validation,
    };
    // serialize() saves only the metadata it is given, not model.metadata
    writeAtomic(o.out, result.model.serialize({ includeOptimizer: false, metadata: result.model.metadata! }), 'model');
    const epochs = Math.max(1, Math.round(result.best.epochs));
    io.stdout(
      `saved ${o.out}: the best parameters retrained on all ${fmt(data.texts.length)} texts for ${epochs} epoch${epochs === 1 ? '' : 's'} (the mean best epoch)\n`,
    );
    result.model.dispose();
  }
  return 0;
}
