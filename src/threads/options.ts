/**
 * init({ threads }): how many threads were asked for, checked, and how many
 * this machine can use.
 *
 *   undefined / 1   one thread (the default)
 *   'auto'          every core the runtime reports
 *   n >= 2          n threads, clamped to the cores the runtime reports
 *                   (more threads than cores only share them: slower, and
 *                   more memory); the clamp is noted in backendNotes()
 *
 * Anything else (0, -1, 1.5, NaN, '2', true) is an E_ARG error.
 */
import { describe, fail } from '../errors.js';
import { nodeBuiltin } from '../node_builtin.js';

let coresOverride: number | null = null;

/** Pretend the machine has `n` cores (tests on small machines); null undoes it. */
export function setCoresForTesting(n: number | null): void {
  coresOverride = n;
}

/** The cores the runtime reports (navigator.hardwareConcurrency, else Node's os), or null. */
export async function cores(): Promise<number | null> {
  if (coresOverride !== null) return coresOverride;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const hc = nav?.hardwareConcurrency;
  if (typeof hc === 'number' && hc >= 1) return Math.floor(hc);
  const os = await nodeBuiltin<{ availableParallelism?: () => number; cpus?: () => unknown[] }>('os');
  const n = os?.availableParallelism?.() ?? os?.cpus?.().length;
  return typeof n === 'number' && n >= 1 ? n : null;
}

/** The threads to start for `v`, notes saying what was changed and why. */
export async function threadCount(v: unknown, notes: string[]): Promise<number> {
  if (v === undefined || v === 1) return 1;
  if (v !== 'auto' && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
    fail('E_ARG', `init: threads must be a positive integer or 'auto', got ${describe(v)}`);
  }
  const have = await cores();
  if (have === null) {
    notes.push(`threads: ${v === 'auto' ? "'auto'" : v} asked, but this runtime does not report its cores: one thread`);
    return 1;
  }
  if (v === 'auto') return have;
  if (v > have) {
    notes.push(`threads: ${v} asked, but this machine reports ${have} core${have > 1 ? 's' : ''}: using ${have}`);
    return have;
  }
  return v;
}
