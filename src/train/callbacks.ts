/**
 * Training callbacks, Keras/TF.js style. Any object with some of the hooks
 * below works; setting `model.stopTraining = true` from a hook ends fit()
 * after the current batch.
 */
import { describe, fail } from '../errors.js';
import { options } from '../layers/options.js';
import { ProgressBar, type ProgressBarOptions } from './progress.js';

export type Logs = Record<string, number>;

/** What fit() tells callbacks before training starts. */
export interface FitParams {
  epochs: number;
  /** batches per epoch */
  steps: number;
  samples: number;
  batchSize: number;
  initialEpoch: number;
  /** the keys every epoch's logs will hold: loss, metrics, and val_* with validation */
  logKeys: string[];
}

export interface Callback {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** Called by fit() before onTrainBegin. */
  setParams?(params: FitParams): void;
  /** @internal set by fit */
  setModel?(model: TrainableModel): void;
}

/** What callbacks may touch on the model. */
export interface TrainableModel {
  stopTraining: boolean;
  getWeightsFlat(): Float32Array;
  setWeightsFlat(w: Float32Array): void;
  /** the compiled optimizer (its learningRate may be changed between batches) */
  readonly optimizer: { learningRate: number } | null;
}

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: 'auto' | 'min' | 'max';
  baseline?: number;
  restoreBestWeights?: boolean;
}

/** Stop when `monitor` (default 'val_loss') has not improved by minDelta for `patience` epochs. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  private readonly sign: number;
  private readonly baseline: number | null;
  private model: TrainableModel | null = null;
  private best = Infinity;
  private wait = 0;
  private bestWeights: Float32Array | null = null;
  stoppedEpoch = -1;

  constructor(opts: EarlyStoppingOptions = {}) {
    const where = 'callbacks.earlyStopping';
    const o = options(where, opts, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights']);
    this.monitor = (o.monitor as string | undefined) ?? 'val_loss';
    if (typeof this.monitor !== 'string') fail('E_ARG', `${where}: monitor must be a string such as 'val_loss'`);
    this.minDelta = Math.abs(num(where, 'minDelta', o.minDelta, 0));
    this.patience = num(where, 'patience', o.patience, 0);
    if (!Number.isInteger(this.patience) || this.patience < 0) fail('E_ARG', `${where}: patience must be a non-negative integer`);
    const mode = (o.mode as string | undefined) ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) fail('E_ARG', `${where}: mode must be 'auto', 'min' or 'max', got ${describe(mode)}`);
    const max = mode === 'max' || (mode === 'auto' && /acc|precision|recall|auc/.test(this.monitor));
    this.sign = max ? -1 : 1; // internally everything is minimised
    this.baseline = o.baseline === undefined ? null : num(where, 'baseline', o.baseline, 0);
    if (o.restoreBestWeights !== undefined && typeof o.restoreBestWeights !== 'boolean') {
      fail('E_ARG', `${where}: restoreBestWeights must be true or false`);
    }
    this.restoreBestWeights = o.restoreBestWeights === true;
  }

  setModel(model: TrainableModel): void {
    this.model = model;
  }

  /** Checked before the first batch, so a typo cannot cost a training run. */
  setParams(p: FitParams): void {
    if (!p.logKeys.includes(this.monitor)) {
      fail(
        'E_ARG',
        `earlyStopping: monitored value '${this.monitor}' will not be in the logs (they hold: ${p.logKeys.join(', ')}); ` +
          'pass validationData or validationSplit to monitor val_* values',
      );
    }
  }

  onTrainBegin(): void {
    this.best = this.baseline === null ? Infinity : this.sign * this.baseline;
    this.wait = 0;
    this.bestWeights = null;
    this.stoppedEpoch = -1;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const v = logs[this.monitor];
    if (v === undefined) {
      fail(
        'E_ARG',
        `earlyStopping: monitored value '${this.monitor}' is not in the logs (have: ${Object.keys(logs).join(', ')}); ` +
          'pass validationData or validationSplit to monitor val_* values',
      );
    }
    const s = this.sign * v;
    if (s < this.best - this.minDelta) {
      this.best = s;
      this.wait = 0;
      if (this.restoreBestWeights && this.model) this.bestWeights = this.model.getWeightsFlat();
      return;
    }
    this.wait++;
    if (this.wait >= this.patience && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.bestWeights) this.model.setWeightsFlat(this.bestWeights);
    }
  }
}

/** Stop (and throw, with the weights from before the bad step kept) when the loss becomes NaN or infinite. */
export class TerminateOnNaN implements Callback {
  /** fit() sees this callback and stops instead of throwing; nothing to do per event. */
  onTrainBegin(): void {}
}

function num(where: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('E_ARG', `${where}: ${name} must be a finite number, got ${describe(v)}`);
  return v;
}

/** Keras's LearningRateScheduler: before each epoch, learningRate = schedule(epoch, learningRate). */
export class LearningRateScheduler implements Callback {
  private model: TrainableModel | null = null;

  constructor(private readonly schedule: (epoch: number, learningRate: number) => number) {
    if (typeof schedule !== 'function')
      fail(
        'E_ARG',
        `callbacks.learningRateScheduler: expected a function (epoch, learningRate) => learningRate, got ${describe(schedule)}`,
      );
  }

  setModel(model: TrainableModel): void {
    this.model = model;
  }

  onEpochBegin(epoch: number): void {
    const opt = this.model?.optimizer;
    if (!opt) return;
    const lr = this.schedule(epoch, opt.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
      fail(
        'E_ARG',
        `learningRateScheduler: the schedule returned ${describe(lr)} for epoch ${epoch}; it must return a positive finite number`,
      );
    }
    opt.learningRate = lr;
  }
}

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** the learning rate is multiplied by this (default 0.1) */
  factor?: number;
  patience?: number;
  minDelta?: number;
  /** epochs to wait after a reduction before counting again */
  cooldown?: number;
  /** the learning rate never goes below this */
  minLr?: number;
  mode?: 'auto' | 'min' | 'max';
}

/** Keras's ReduceLROnPlateau: multiply the learning rate by `factor` when `monitor` stops improving for `patience` epochs. */
export class ReduceLROnPlateau implements Callback {
  readonly monitor: string;
  private readonly factor: number;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly cooldown: number;
  private readonly minLr: number;
  private readonly sign: number;
  private model: TrainableModel | null = null;
  private best = Infinity;
  private wait = 0;
  private cooling = 0;

  constructor(opts: ReduceLROnPlateauOptions = {}) {
    const where = 'callbacks.reduceLROnPlateau';
    const o = options(where, opts, ['monitor', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'mode']);
    this.monitor = (o.monitor as string | undefined) ?? 'val_loss';
    if (typeof this.monitor !== 'string') fail('E_ARG', `${where}: monitor must be a string such as 'val_loss'`);
    this.factor = num(where, 'factor', o.factor, 0.1);
    if (!(this.factor > 0 && this.factor < 1)) fail('E_ARG', `${where}: factor must be in (0, 1), got ${describe(o.factor)}`);
    this.patience = num(where, 'patience', o.patience, 10);
    this.cooldown = num(where, 'cooldown', o.cooldown, 0);
    for (const [k, v] of [
      ['patience', this.patience],
      ['cooldown', this.cooldown],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) fail('E_ARG', `${where}: ${k} must be a non-negative integer`);
    }
    this.minDelta = Math.abs(num(where, 'minDelta', o.minDelta, 1e-4));
    this.minLr = num(where, 'minLr', o.minLr, 0);
    const mode = (o.mode as string | undefined) ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) fail('E_ARG', `${where}: mode must be 'auto', 'min' or 'max', got ${describe(mode)}`);
    this.sign = mode === 'max' || (mode === 'auto' && /acc|precision|recall|auc/.test(this.monitor)) ? -1 : 1;
  }

  setModel(model: TrainableModel): void {
    this.model = model;
  }

  setParams(p: FitParams): void {
    if (!p.logKeys.includes(this.monitor)) {
      fail(
        'E_ARG',
        `reduceLROnPlateau: monitored value '${this.monitor}' will not be in the logs (they hold: ${p.logKeys.join(', ')}); ` +
          'pass validationData or validationSplit to monitor val_* values',
      );
    }
  }

  onTrainBegin(): void {
    this.best = Infinity;
    this.wait = 0;
    this.cooling = 0;
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const opt = this.model?.optimizer;
    const v = logs[this.monitor];
    if (!opt || v === undefined) return;
    if (this.cooling > 0) this.cooling--;
    const s = this.sign * v;
    if (s < this.best - this.minDelta) {
      this.best = s;
      this.wait = 0;
      return;
    }
    if (this.cooling > 0) return;
    if (++this.wait >= this.patience && opt.learningRate > this.minLr) {
      opt.learningRate = Math.max(this.minLr, opt.learningRate * this.factor);
      this.cooling = this.cooldown;
      this.wait = 0;
    }
  }
}

export const callbacks = {
  earlyStopping: (o?: EarlyStoppingOptions) => new EarlyStopping(o),
  learningRateScheduler: (schedule: (epoch: number, learningRate: number) => number) => new LearningRateScheduler(schedule),
  reduceLROnPlateau: (o?: ReduceLROnPlateauOptions) => new ReduceLROnPlateau(o),
  terminateOnNaN: () => new TerminateOnNaN(),
  progressBar: (o?: ProgressBarOptions) => new ProgressBar(o),
};
