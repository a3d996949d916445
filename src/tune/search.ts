/**
 * Hyperparameter search for text classifiers: gridSearch tries every
 * combination of the listed values, randomSearch draws `trials` of them
 * (lists, or ranges { min, max, log, integer }) with a seeded Rng.
 *
 * Each trial is scored by k-fold cross-validation (`folds` >= 2) or one
 * validation split (`validationSplit`, default 0.2); folds and splits are
 * stratified by class and drawn from the seed, the same for every trial.
 * With `groups` (one id per sample, e.g. the document a passage comes from)
 * a group is never split: all its samples land in the same fold, so a score
 * measures how the model does on groups it has not seen.
 * Every fit stops early when val_loss has not improved for `patience` epochs
 * and goes back to its best weights; the trial's score is the chosen metric
 * on the held-out part, averaged over folds. Trials are ranked by it (best
 * first) and, with `retrain` (default), the best parameters are trained
 * again on ALL the data for the mean best epoch count: `result.model`.
 *
 * Models are built by textClassifier (classifier.ts) or by your own
 * `build(params, info)`; every model of one search starts from the same seed,
 * so trials differ only by their parameters.
 */
import { checkInt, checkKeys, checkObject, checkOneOf, describe, fail } from '../errors.js';
import type { Model } from '../models/model.js';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { EarlyStopping } from '../train/callbacks.js';
import { classificationReport } from '../train/report.js';
import { yieldToEventLoop } from '../train/fit.js';
import {
  CLASSIFIER_CELLS,
  CLASSIFIER_DEFAULTS,
  classTargets,
  predictedClasses,
  textClassifier,
  type ClassifierCell,
} from './classifier.js';

export interface Range {
  min: number;
  max: number;
  /** draw uniformly in log space (learning rates) */
  log?: boolean;
  /** round to an integer */
  integer?: boolean;
}

export interface SearchSpace {
  cell?: readonly ClassifierCell[];
  units?: readonly number[] | Range;
  layers?: readonly number[] | Range;
  embeddingDim?: readonly number[] | Range;
  dropout?: readonly number[] | Range;
  learningRate?: readonly number[] | Range;
  batchSize?: readonly number[] | Range;
}

/** One point of the space, every parameter filled in. */
export interface TrialParams {
  cell: ClassifierCell;
  units: number;
  layers: number;
  embeddingDim: number;
  dropout: number;
  learningRate: number;
  batchSize: number;
}

export type SearchMetric = 'accuracy' | 'f1' | 'loss';

export interface SearchOptions {
  /** int32 token ids (N, L), e.g. vectorizer.transform(texts) */
  x: Tensor;
  /** class ids (N) in [0, classes) */
  y: ArrayLike<number>;
  space: SearchSpace;
  /** number of classes (default: max(y) + 1) */
  classes?: number;
  /** embedding inputDim (default: max(x) + 1) */
  vocabSize?: number;
  /** k-fold cross-validation with k = folds (>= 2) */
  folds?: number;
  /** or one stratified validation split of this fraction (default 0.2) */
  validationSplit?: number;
  /** group id per sample: samples of one group always share a fold */
  groups?: ArrayLike<number>;
  /** fit's classWeight, or 'balanced': n / (classes · n_c) from each training part */
  classWeight?: Record<number, number> | 'balanced';
  /** most epochs per fit (default 10) */
  epochs?: number;
  /** early stopping patience on val_loss (default 2) */
  patience?: number;
  /** what ranks trials (default 'accuracy'; 'f1' is macro F1) */
  metric?: SearchMetric;
  seed?: number;
  /** train the best parameters again on all data (default true) */
  retrain?: boolean;
  /** your own model (compiled, with an 'accuracy' metric not required) */
  build?: (params: TrialParams, info: { vocabSize: number; classes: number; seed: number }) => Model;
  /** called after each trial (progress) */
  onTrial?: (trial: TrialResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface TrialResult {
  /** order in which the trial ran (0-based) */
  index: number;
  params: TrialParams;
  /** the ranking metric, mean over folds */
  score: number;
  /** its standard deviation over folds (0 for one split) */
  std: number;
  /** per fold */
  scores: number[];
  accuracy: number;
  f1: number;
  loss: number;
  /** mean epoch with the best val_loss (1-based) */
  epochs: number;
  seconds: number;
}

export interface SearchResult {
  metric: SearchMetric;
  /** best first */
  trials: TrialResult[];
  best: TrialResult;
  /** the best parameters retrained on all data (null with retrain: false) */
  model: Model | null;
  /** 'k-fold (k = 3)' or 'validation split 0.2' */
  validation: string;
}

const KEYS = [
  'x',
  'y',
  'space',
  'classes',
  'vocabSize',
  'folds',
  'validationSplit',
  'groups',
  'classWeight',
  'epochs',
  'patience',
  'metric',
  'seed',
  'retrain',
  'build',
  'onTrial',
  'signal',
];
const SPACE_KEYS = ['cell', 'units', 'layers', 'embeddingDim', 'dropout', 'learningRate', 'batchSize'] as const;
type SpaceKey = (typeof SPACE_KEYS)[number];
const DEFAULTS: TrialParams = { ...CLASSIFIER_DEFAULTS, batchSize: 32 };

/** Every combination of the listed values (ranges are for randomSearch). */
export async function gridSearch(opts: SearchOptions): Promise<SearchResult> {
  const where = 'gridSearch';
  const o = checkObject(where, 'options', opts);
  checkKeys(where, o, KEYS);
  const space = checkSpace(where, opts.space, false);
  let grid: TrialParams[] = [{ ...DEFAULTS }];
  for (const k of SPACE_KEYS) {
    const vals = space[k] as readonly (number | string)[] | undefined;
    if (!vals) continue;
    grid = grid.flatMap((p) => vals.map((v) => ({ ...p, [k]: v })));
  }
  if (grid.length > 10000) fail('E_ARG', `${where}: the grid has ${grid.length} combinations; narrow it or use randomSearch`);
  return runSearch(where, opts, grid);
}

/**
 * `trials` points drawn from the space with the seeded Rng, no point twice
 * (fewer trials when a small discrete space runs out of new points).
 */
export async function randomSearch(opts: SearchOptions & { trials: number }): Promise<SearchResult> {
  const where = 'randomSearch';
  const o = checkObject(where, 'options', opts);
  checkKeys(where, o, [...KEYS, 'trials']);
  const trials = checkInt(where, 'trials', o.trials, 1, 10000);
  const space = checkSpace(where, opts.space, true);
  const rng = new Rng((o.seed as number | undefined) ?? 0);
  const points: TrialParams[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; points.length < trials && attempt < trials * 50; attempt++) {
    const p: TrialParams = { ...DEFAULTS };
    for (const k of SPACE_KEYS) {
      const s = space[k];
      if (s === undefined) continue;
      (p as unknown as Record<string, unknown>)[k] = Array.isArray(s) ? s[rng.int(s.length)] : drawRange(rng, s as Range);
    }
    const key = JSON.stringify(p);
    if (seen.has(key)) continue;
    seen.add(key);
    points.push(p);
  }
  return runSearch(where, opts, points);
}

function drawRange(rng: Rng, r: Range): number {
  const v = r.log ? Math.exp(rng.uniform(Math.log(r.min), Math.log(r.max))) : rng.uniform(r.min, r.max);
  return r.integer ? Math.round(v) : Number(v.toPrecision(3));
}

/** A checked copy of the space (ranges of integer parameters marked integer). */
function checkSpace(where: string, v: unknown, ranges: boolean): SearchSpace {
  const s = { ...checkObject(where, 'space', v) };
  checkKeys(`${where} space`, s, SPACE_KEYS);
  const limits: Record<Exclude<SpaceKey, 'cell'>, [number, number, boolean]> = {
    units: [1, 4096, true],
    layers: [1, 8, true],
    embeddingDim: [1, 4096, true],
    batchSize: [1, 65536, true],
    dropout: [0, 0.99, false],
    learningRate: [1e-8, 10, false],
  };
  for (const [k, val] of Object.entries(s)) {
    if (k === 'cell') {
      if (!Array.isArray(val) || val.length === 0)
        fail('E_ARG', `${where}: space.cell must be a non-empty list of ${CLASSIFIER_CELLS.join(', ')}`);
      for (const c of val) checkOneOf(where, 'space.cell', c, CLASSIFIER_CELLS);
      continue;
    }
    const [lo, hi, integer] = limits[k as Exclude<SpaceKey, 'cell'>];
    const ok = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi && (!integer || Number.isInteger(x));
    const what = `${integer ? 'integers' : 'numbers'} in [${lo}, ${hi}]`;
    if (Array.isArray(val)) {
      if (val.length === 0 || !val.every(ok))
        fail('E_ARG', `${where}: space.${k} must be a non-empty list of ${what}, got ${describe(val)}`);
    } else if (val && typeof val === 'object') {
      if (!ranges) fail('E_ARG', `${where}: space.${k} is a range; gridSearch needs a list of values (ranges are for randomSearch)`);
      const r = val as Range;
      if (!ok(r.min) || !ok(r.max) || r.min > r.max || (r.log && r.min <= 0))
        fail('E_ARG', `${where}: space.${k} range needs min <= max, both ${what}${r.log ? ' and > 0 (log)' : ''}`);
      s[k] = { ...r, integer: integer || r.integer === true };
    } else {
      fail('E_ARG', `${where}: space.${k} must be a list of values${ranges ? ' or a range { min, max, log? }' : ''}, got ${describe(val)}`);
    }
  }
  return s as SearchSpace;
}

async function runSearch(where: string, opts: SearchOptions, points: TrialParams[]): Promise<SearchResult> {
  const x = opts.x;
  if (!(x instanceof Tensor) || x.shape.length !== 2)
    fail('E_ARG', `${where}: x must be an int32 Tensor (samples, length) of token ids, got ${describe(x)}`);
  const N = x.shape[0];
  const yIn = opts.y;
  if (!yIn || typeof yIn.length !== 'number') fail('E_ARG', `${where}: y must be an array of class ids, got ${describe(yIn)}`);
  for (let i = 0; i < yIn.length; i++)
    if (!Number.isInteger(yIn[i])) fail('E_ARG', `${where}: y[${i}] is ${describe(yIn[i])}, not a class id`);
  const y = Int32Array.from(yIn);
  if (y.length !== N) fail('E_SHAPE', `${where}: y has ${y.length} labels but x has ${N} samples`);
  let maxY = 0;
  for (const v of y) {
    if (!(v >= 0)) fail('E_ARG', `${where}: y must hold class ids >= 0`);
    maxY = Math.max(maxY, v);
  }
  const classes = opts.classes === undefined ? maxY + 1 : checkInt(where, 'classes', opts.classes, maxY + 1);
  if (classes < 2 || new Set(y).size < 2) fail('E_ARG', `${where}: y holds one class only; a classifier needs at least 2`);
  let maxX = 0;
  for (const v of x.data) maxX = Math.max(maxX, v);
  const vocabSize = opts.vocabSize === undefined ? maxX + 1 : checkInt(where, 'vocabSize', opts.vocabSize, maxX + 1);
  const epochs = checkInt(where, 'epochs', opts.epochs ?? 10, 1);
  const patience = checkInt(where, 'patience', opts.patience ?? 2, 0);
  const metric = checkOneOf(where, 'metric', opts.metric ?? 'accuracy', ['accuracy', 'f1', 'loss'] as const);
  const seed = checkInt(where, 'seed', opts.seed ?? 0, 0, 2 ** 32 - 1);
  if (opts.folds !== undefined && opts.validationSplit !== undefined) fail('E_ARG', `${where}: give folds or validationSplit, not both`);
  const build =
    opts.build ??
    ((p: TrialParams, info: { vocabSize: number; classes: number; seed: number }) => {
      const { batchSize: _b, ...params } = p;
      return textClassifier({ ...params, ...info });
    });
  if (typeof build !== 'function') fail('E_ARG', `${where}: build must be a function (params, info) => compiled model`);

  const { splits, validation } = validationSplits(where, y, classes, opts, seed);
  const cw = opts.classWeight;
  if (cw !== undefined && cw !== 'balanced' && (cw === null || typeof cw !== 'object'))
    fail('E_ARG', `${where}: classWeight must be { classId: weight } or 'balanced'`);
  const weights = (idx: Int32Array): Record<number, number> | undefined => {
    if (cw !== 'balanced') return cw;
    const count = new Array<number>(classes).fill(0);
    for (const i of idx) count[y[i]]++;
    return Object.fromEntries(count.flatMap((n, c) => (n > 0 ? [[c, idx.length / (classes * n)]] : [])));
  };
  const parts = splits.map((s) => ({
    ...s,
    xt: rows(x, s.train),
    yt: classTargets(pick(y, s.train), classes),
    xv: rows(x, s.val),
    yv: pick(y, s.val),
  }));

  const trials: TrialResult[] = [];
  for (let t = 0; t < points.length; t++) {
    if (opts.signal?.aborted) fail('E_ABORT', `${where}: aborted after ${t} trials`);
    const params = points[t];
    const started = performance.now();
    const per: { accuracy: number; f1: number; loss: number; epoch: number }[] = [];
    for (const part of parts) {
      const model = build(params, { vocabSize, classes, seed });
      try {
        const stop = new EarlyStopping({ monitor: 'val_loss', patience, restoreBestWeights: true });
        const h = await model.fit(part.xt, part.yt, {
          epochs,
          batchSize: params.batchSize,
          validationData: [part.xv, classTargets(part.yv, classes)],
          callbacks: [stop],
          signal: opts.signal,
          classWeight: weights(part.train),
          verbose: 0,
        });
        const vl = h.history.val_loss;
        const loss = Math.min(...vl);
        const pred = predictedClasses(model.predict(part.xv, { batchSize: 128 }) as Tensor);
        const r = classificationReport(part.yv, pred);
        per.push({ accuracy: r.accuracy, f1: r.macro.f1, loss, epoch: vl.indexOf(loss) + 1 });
      } finally {
        model.dispose();
      }
      await yieldToEventLoop();
    }
    const scores = per.map((p) => p[metric]);
    const mean = (f: (p: (typeof per)[number]) => number) => per.reduce((a, p) => a + f(p), 0) / per.length;
    const score = mean((p) => p[metric]);
    const trial: TrialResult = {
      index: t,
      params,
      score,
      scores,
      std: Math.sqrt(scores.reduce((a, s) => a + (s - score) ** 2, 0) / scores.length),
      accuracy: mean((p) => p.accuracy),
      f1: mean((p) => p.f1),
      loss: mean((p) => p.loss),
      epochs: mean((p) => p.epoch),
      seconds: (performance.now() - started) / 1000,
    };
    trials.push(trial);
    opts.onTrial?.(trial, t + 1, points.length);
  }
  const sign = metric === 'loss' ? 1 : -1;
  trials.sort((a, b) => sign * (a.score - b.score) || a.index - b.index);
  const best = trials[0];
  let model: Model | null = null;
  if (opts.retrain ?? true) {
    model = build(best.params, { vocabSize, classes, seed });
    await model.fit(x, classTargets(y, classes), {
      epochs: Math.max(1, Math.round(best.epochs)),
      batchSize: best.params.batchSize,
      signal: opts.signal,
      classWeight: weights(identityOf(N)),
      verbose: 0,
    });
  }
  return { metric, trials, best, model, validation };
}

/**
 * @internal The train/validation index sets every trial uses (exported for
 * tests): stratified folds or one split, whole groups kept together.
 */
export function validationSplits(
  where: string,
  y: Int32Array,
  classes: number,
  opts: Pick<SearchOptions, 'folds' | 'validationSplit' | 'groups'>,
  seed: number,
): { splits: { train: Int32Array; val: Int32Array }[]; validation: string } {
  const N = y.length;
  // the same stratified folds for every trial; with groups, whole groups are
  // dealt (stratified by the class of their first sample) and their samples follow
  const rng = new Rng(seed);
  let unitOf: Int32Array | null = null; // sample -> group index
  let unitY = y;
  if (opts.groups !== undefined) {
    const g = opts.groups;
    if (!g || typeof g.length !== 'number' || g.length !== N) fail('E_SHAPE', `${where}: groups must hold one group id per sample (${N})`);
    const index = new Map<number, number>();
    unitOf = new Int32Array(N);
    const firstY: number[] = [];
    for (let i = 0; i < N; i++) {
      let u = index.get(g[i]);
      if (u === undefined) {
        u = index.size;
        index.set(g[i], u);
        firstY.push(y[i]);
      }
      unitOf[i] = u;
    }
    unitY = Int32Array.from(firstY);
  }
  const perSample = (a: Int32Array) => (unitOf ? Int32Array.from(unitOf, (u) => a[u]) : a);
  let splits: { train: Int32Array; val: Int32Array }[];
  let validation: string;
  if (opts.folds !== undefined) {
    const k = checkInt(where, 'folds', opts.folds, 2, N);
    if (k > unitY.length) fail('E_ARG', `${where}: ${k} folds need at least ${k} ${unitOf ? 'groups' : 'samples'}, got ${unitY.length}`);
    const fold = perSample(stratifiedFolds(unitY, classes, k, rng));
    splits = Array.from({ length: k }, (_, f) => ({ train: indices(fold, (g) => g !== f), val: indices(fold, (g) => g === f) }));
    validation = `${k}-fold cross-validation${unitOf ? ` by group (${unitY.length} groups)` : ''}`;
  } else {
    const frac = opts.validationSplit ?? 0.2;
    if (typeof frac !== 'number' || !(frac > 0 && frac < 1))
      fail('E_ARG', `${where}: validationSplit must be in (0, 1), got ${describe(frac)}`);
    const isVal = perSample(stratifiedSplit(unitY, classes, frac, rng));
    splits = [{ train: indices(isVal, (v) => v === 0), val: indices(isVal, (v) => v === 1) }];
    validation = `validation split ${frac}${unitOf ? ` by group (${unitY.length} groups)` : ''}`;
  }
  for (const s of splits)
    if (s.train.length === 0 || s.val.length === 0) fail('E_ARG', `${where}: ${N} samples are too few for ${validation}`);
  return { splits, validation };
}

/** Fold of each sample: per class, shuffled, dealt round-robin (class proportions kept). */
function stratifiedFolds(y: Int32Array, classes: number, k: number, rng: Rng): Int32Array {
  const fold = new Int32Array(y.length);
  let next = 0;
  for (let c = 0; c < classes; c++) {
    const ids = indices(y, (v) => v === c);
    rng.shuffle(ids);
    for (const i of ids) fold[i] = next++ % k;
  }
  return fold;
}

/** 1 for the validation samples: round(frac * n_c) of each class, drawn at random. */
function stratifiedSplit(y: Int32Array, classes: number, frac: number, rng: Rng): Int32Array {
  const isVal = new Int32Array(y.length);
  for (let c = 0; c < classes; c++) {
    const ids = indices(y, (v) => v === c);
    rng.shuffle(ids);
    const n = ids.length > 1 ? Math.max(1, Math.round(ids.length * frac)) : 0;
    for (let j = 0; j < n; j++) isVal[ids[j]] = 1;
  }
  return isVal;
}

function indices(a: Int32Array, keep: (v: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (keep(a[i])) out.push(i);
  return Int32Array.from(out);
}

function identityOf(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function pick(a: Int32Array, idx: Int32Array): Int32Array {
  return Int32Array.from(idx, (i) => a[i]);
}

function rows(x: Tensor, idx: Int32Array): Tensor {
  const L = x.shape[1];
  const out = new Int32Array(idx.length * L);
  idx.forEach((i, r) => out.set(x.data.subarray(i * L, (i + 1) * L), r * L));
  return new Tensor(out, [idx.length, L]);
}

/** The results as a table, best first: rank, parameters, score ± std, accuracy, macro F1, val loss, epochs, seconds. */
export function formatResults(r: SearchResult): string {
  const head = [
    'rank',
    'cell',
    'units',
    'layers',
    'emb',
    'dropout',
    'lr',
    'batch',
    `${r.metric} (mean ± sd)`,
    'accuracy',
    'macro F1',
    'val loss',
    'epochs',
    'time',
  ];
  const body = r.trials.map((t, i) => [
    String(i + 1),
    t.params.cell,
    String(t.params.units),
    String(t.params.layers),
    String(t.params.embeddingDim),
    String(t.params.dropout),
    String(t.params.learningRate),
    String(t.params.batchSize),
    `${t.score.toFixed(4)} ± ${t.std.toFixed(4)}`,
    t.accuracy.toFixed(4),
    t.f1.toFixed(4),
    t.loss.toFixed(4),
    t.epochs.toFixed(1),
    `${t.seconds.toFixed(1)}s`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}
