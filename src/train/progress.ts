/**
 * A terminal progress bar as a fit() callback:
 *   Epoch 2/5 [=========>          ] 45/151  loss 0.1234  accuracy 0.9812  412 seq/s  ETA 12s
 * On a TTY the line is redrawn in place (at most ~10 times a second); elsewhere
 * (CI logs, a browser console) one line is printed per epoch.
 */
import type { Callback, FitParams, Logs } from './callbacks.js';

export interface ProgressBarOptions {
  /** where to write; default process.stdout, else console.log */
  write?: (s: string) => void;
  /** redraw in place (default: when writing to a TTY) */
  inPlace?: boolean;
  /** bar width in characters */
  width?: number;
}

export class ProgressBar implements Callback {
  private readonly write: (s: string) => void;
  private readonly inPlace: boolean;
  private readonly width: number;
  private params: FitParams = { epochs: 1, steps: 1, samples: 0, batchSize: 1, initialEpoch: 0, logKeys: [] };
  private epoch = 0;
  private epochStart = 0;
  private seen = 0;
  private lastDraw = 0;

  constructor(opts: ProgressBarOptions = {}) {
    const proc = (globalThis as { process?: { stdout?: { write(s: string): void; isTTY?: boolean } } }).process;
    this.write = opts.write ?? (proc?.stdout ? (s) => proc.stdout!.write(s) : (s) => console.log(s.replace(/\r|\n$/g, '')));
    this.inPlace = opts.inPlace ?? (!opts.write && !!proc?.stdout?.isTTY);
    this.width = opts.width ?? 24;
  }

  setParams(p: FitParams): void {
    this.params = p;
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = now();
    this.seen = 0;
    this.lastDraw = 0;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    this.seen += logs.size ?? 0;
    if (!this.inPlace) return;
    const t = now();
    if (t - this.lastDraw < 100 && batch + 1 < this.params.steps) return;
    this.lastDraw = t;
    this.write(`\r${this.line(batch + 1, logs)}`);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    this.write(`${this.inPlace ? '\r' : ''}${this.line(this.params.steps, logs, true)}\n`);
  }

  private line(done: number, logs: Logs, final = false): string {
    const { epochs, steps, initialEpoch } = this.params;
    const frac = Math.min(1, done / Math.max(1, steps));
    const filled = Math.round(frac * this.width);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (frac < 1 ? '>' : '=') : '') + ' '.repeat(this.width - filled);
    const secs = (now() - this.epochStart) / 1000;
    const rate = secs > 0 ? this.seen / secs : 0;
    const eta = frac > 0 && !final ? secs * (1 / frac - 1) : 0;
    const metrics = Object.entries(logs)
      .filter(([k]) => k !== 'batch' && k !== 'size')
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ');
    const time = final ? `${secs.toFixed(1)}s` : `ETA ${eta.toFixed(0)}s`;
    const total = initialEpoch + epochs;
    return `Epoch ${this.epoch + 1}/${total} [${bar}] ${done}/${steps}  ${metrics}  ${Math.round(rate)} seq/s  ${time}`;
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
