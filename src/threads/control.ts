/**
 * The control block: one SharedArrayBuffer through which the main thread
 * hands jobs to its worker threads and they answer, with Atomics instead of
 * a postMessage per step (a worker thread blocks in Atomics.wait between
 * jobs; its event loop is not needed after start).
 *
 * One block per worker: BLOCK_I32 int32 slots, then BLOCK_F64 float64 slots.
 * A job is numbered (seq, per worker, from 1): the main thread fills the
 * arguments, stores seq into SEQ and notifies; the worker answers by storing
 * seq into DONE. A training step with masked outputs has a midpoint: the
 * worker stores seq into MID once its valid-step counts are written and
 * waits for the main thread to store seq (go on) or -seq (stop) into GO.
 *
 * Variable-length data (topology JSON, per-step shapes) does not fit here:
 * it travels in a mail buffer in the shared wasm memory, named by ARG slots.
 */

/** int32 slots of a worker's block */
export const SEQ = 0;
export const DONE = 1;
export const MID = 2;
export const GO = 3;
export const CMD = 4;
export const STATUS = 5;
/** slots a region needs (STATUS_REGION) */
export const NEED = 6;
export const REPLICA = 7;
/** the slice: first row, rows */
export const B0 = 8;
export const BS = 9;
/** command arguments */
export const ARG = 10;
export const N_ARGS = 20;
/** per output after a forward: [buffer offset, length, mask offset (0: none)] */
export const OUT = 32;
/** the replica's gradient block after BUILD: offset, length */
export const GRADS = 96;
export const GRADS_LEN = 97;
/** 1: the main thread has no Atomics.waitAsync, so post { type: 'signal' } after each MID and DONE */
export const NOTIFY = 98;
/** an error message, UTF-8, packed four bytes a slot */
export const ERR_LEN = 128;
export const ERR = 129;
export const ERR_SLOTS = 255;
export const BLOCK_I32 = 384;

/** float64 slots of a worker's block: per output, the loss sum and the valid-step count */
export const SUM = 0;
export const COUNT = 16;
export const BLOCK_F64 = 32;

/** Most outputs a model may have to be split over threads (one thread runs it otherwise). */
export const MAX_OUTPUTS = 16;

export const CMD_BUILD = 1;
export const CMD_PREPARE = 2;
export const CMD_STEP = 3;
export const CMD_DROP = 4;
export const CMD_EXIT = 5;

export const STATUS_OK = 0;
export const STATUS_ERROR = 1;
/** the replica does not fit its region: NEED says how much would */
export const STATUS_REGION = 2;

/** What a step computes. */
export const MODE_TRAIN = 1;
export const MODE_EVAL = 2;
export const MODE_INFER = 3;

/** One worker's slots, as either side sees them. */
export class Slots {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  private readonly bytes: Uint8Array;

  constructor(sab: SharedArrayBuffer, worker: number) {
    const at = worker * (BLOCK_I32 * 4 + BLOCK_F64 * 8);
    this.i32 = new Int32Array(sab, at, BLOCK_I32);
    this.f64 = new Float64Array(sab, at + BLOCK_I32 * 4, BLOCK_F64);
    this.bytes = new Uint8Array(sab, at + ERR * 4, ERR_SLOTS * 4);
  }

  /** Bytes of a control block for `workers` workers. */
  static size(workers: number): number {
    return Math.max(1, workers) * (BLOCK_I32 * 4 + BLOCK_F64 * 8);
  }

  /** Store `v` into slot i and wake whoever waits on it. */
  signal(i: number, v: number): void {
    Atomics.store(this.i32, i, v);
    Atomics.notify(this.i32, i);
  }

  setError(message: string): void {
    const b = new TextEncoder().encode(message);
    const n = Math.min(b.length, this.bytes.length);
    this.bytes.set(b.subarray(0, n));
    this.i32[ERR_LEN] = n;
  }

  error(): string {
    const n = this.i32[ERR_LEN];
    // TextDecoder refuses views of shared memory: copy first
    return new TextDecoder().decode(this.bytes.slice(0, n));
  }
}

/**
 * Whether this thread may block in Atomics.wait: every worker and the main
 * thread of Node, Deno and Bun may; a browser page's main thread may not.
 */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
