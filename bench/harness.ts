/**
 * Shared bench plumbing: timing through tinybench (warm-up first, then the
 * median of the samples with min and max), the environment block every
 * report starts with, and result collection for bench/results/latest.json.
 */
import { Bench } from 'tinybench';

export interface Timing {
  /** milliseconds per call */
  median: number;
  min: number;
  max: number;
  samples: number;
}

export interface TimeOptions {
  /** minimum total time of the timed samples, ms */
  time?: number;
  /** minimum warm-up time, ms */
  warmupTime?: number;
  /** minimum warm-up calls (default 3) */
  warmupIterations?: number;
  /** minimum timed samples */
  iterations?: number;
}

/**
 * Time `fn` after a warm-up (V8's optimising tier arrives after a few calls).
 * tinybench runs until both the time and the iteration minimum are reached,
 * so { time: 0, iterations: 3 } is exactly three samples (slow contenders).
 */
export async function time(name: string, fn: () => unknown, opts: TimeOptions = {}): Promise<Timing> {
  const bench = new Bench({
    time: opts.time ?? 600,
    warmupTime: opts.warmupTime ?? 200,
    warmupIterations: opts.warmupIterations ?? 3,
    iterations: opts.iterations ?? 5,
  });
  bench.add(name, fn);
  await bench.run();
  const r = bench.tasks[0].result as unknown as {
    state: string;
    error?: unknown;
    latency: { p50: number; min: number; max: number; samplesCount: number };
  };
  if (r.state !== 'completed') throw new Error(`bench ${name} failed: ${String(r.error)}`);
  return { median: r.latency.p50, min: r.latency.min, max: r.latency.max, samples: r.latency.samplesCount };
}

export interface Environment {
  runtime: string;
  version: string;
  cpu: string;
  cores: number;
  date: string;
  flags: string[];
}

export async function environment(): Promise<Environment> {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  let cpu = 'unknown';
  let cores = 0;
  try {
    const os = await import('node:os');
    cpu = os.cpus()[0]?.model ?? 'unknown';
    cores = os.cpus().length;
  } catch {
    // not Node
  }
  return {
    runtime: 'node',
    version: proc?.version ?? 'unknown',
    cpu,
    cores,
    date: new Date().toISOString(),
    flags: proc?.execArgv ?? [],
  };
}

/** Markdown table from rows of cells. */
export function table(header: string[], rows: (string | number)[][]): string {
  const fmt = (c: string | number) => (typeof c === 'number' ? formatNumber(c) : c);
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map(fmt).join(' | ')} |`);
  return lines.join('\n');
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}
