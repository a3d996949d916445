/**
 * The worker threads of one backend, started once by init({ threads }) and
 * reused by every model on that backend: n threads are the calling thread
 * plus n − 1 workers. Each worker instantiates the threads build on the
 * backend's shared memory (the compiled module is posted to it) and then
 * serves jobs through its control-block slots (control.ts).
 *
 * Waiting for a worker: Atomics.wait where this thread may block (Node,
 * Deno, Bun, any worker); a browser page's main thread may not, so there
 * synchronous calls spin on Atomics.load, and fit() awaits
 * Atomics.waitAsync (or a message from the worker where that is missing).
 *
 * A worker that stops (its 'exit' or 'error' event) is out of the pool: the
 * call waiting for it fails with E_BACKEND, and later calls use the threads
 * left (the note is in backendNotes()). A synchronous wait cannot see that
 * event (it arrives on this thread's event loop): it gives up after
 * `stallMs` without an answer. fit()'s wait gives up after `stallMs` too; its
 * timer is also what keeps Node's event loop alive while it waits
 * (Atomics.waitAsync holds no handle, and the workers are unref'd).
 */
import { WasmRnnError } from '../errors.js';
import type { Engine } from '../models/engine.js';
import { ARG, BS, B0, CMD, CMD_EXIT, GO, N_ARGS, NOTIFY, REPLICA, SEQ, STATUS, STATUS_ERROR, Slots, canBlock } from './control.js';
import { Parallel } from './driver.js';
import { spawnThread, type ThreadHandle } from './spawn.js';

/** How long a worker may take to start (its script, the module, the memory). */
const START_MS = 30_000;

export interface PoolOptions {
  /** worker threads to start (the calling thread is one more) */
  workers: number;
  module: WebAssembly.Module;
  /** the module's bytes, for runtimes that cannot post a compiled module */
  bytes: Uint8Array;
  memory: WebAssembly.Memory;
  /** the worker script (dist/threads/thread.js) */
  url: string | URL;
}

/** The worker script beside this module: dist/threads/thread.js next to dist/threads/pool.js. */
export function defaultThreadUrl(): URL {
  return new URL('./thread.js', import.meta.url);
}

export class ThreadPool {
  readonly slots: Slots[];
  /** what happened to the pool after it started (a worker that stopped) */
  readonly notes: string[] = [];
  /** this thread may block in Atomics.wait */
  readonly blocking = canBlock();
  readonly hasWaitAsync = typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function';
  /** a synchronous wait gives up after this long without an answer */
  stallMs = 60_000;
  private readonly alive: boolean[];
  private readonly seqs: number[];
  private readonly deaths: { promise: Promise<never>; reject: (e: Error) => void; reason: string | null }[];
  private wakers: (() => void)[] = [];
  private closed = false;
  private replicas = 0;

  private constructor(
    private readonly handles: ThreadHandle[],
    readonly sab: SharedArrayBuffer,
  ) {
    this.slots = handles.map((_, w) => new Slots(sab, w));
    this.alive = handles.map(() => true);
    this.seqs = handles.map(() => 0);
    this.deaths = handles.map(() => {
      let reject!: (e: Error) => void;
      const promise = new Promise<never>((_, r) => (reject = r));
      promise.catch(() => {}); // nobody may be waiting when a worker stops
      return { promise, reject, reason: null };
    });
    for (const s of this.slots) s.i32[NOTIFY] = this.hasWaitAsync ? 0 : 1;
  }

  /** Start `workers` workers; rejects (and stops those started) when one cannot start. */
  static async start(o: PoolOptions): Promise<ThreadPool> {
    const sab = new SharedArrayBuffer(Slots.size(o.workers));
    const handles: ThreadHandle[] = [];
    let pool: ThreadPool | null = null;
    const ready: Promise<void>[] = [];
    try {
      for (let w = 0; w < o.workers; w++) {
        let settle!: { ok: () => void; bad: (e: Error) => void };
        ready.push(new Promise<void>((ok, bad) => (settle = { ok, bad })));
        const h = await spawnThread(o.url, {
          message: (m) => {
            const msg = m as { type?: string; message?: string };
            if (msg?.type === 'listening') post(h, o, sab, w, settle.bad);
            else if (msg?.type === 'ready') settle.ok();
            else if (msg?.type === 'failed') settle.bad(new Error(msg.message ?? 'the thread could not start'));
            else if (msg?.type === 'signal') pool?.wake();
          },
          exit: (reason) => {
            settle.bad(new Error(`a thread worker stopped while starting: ${reason} (its script: ${String(o.url)})`));
            pool?.died(w, reason);
          },
        });
        handles.push(h);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, bad) => {
        timer = setTimeout(
          () => bad(new Error(`the thread workers did not start within ${START_MS / 1000} s (their script: ${String(o.url)})`)),
          START_MS,
        );
      });
      try {
        await Promise.race([Promise.all(ready), late]);
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      for (const h of handles) h.terminate();
      throw e;
    }
    pool = new ThreadPool(handles, sab);
    return pool;
  }

  /** Threads that compute: this one and every live worker. */
  get size(): number {
    return 1 + this.alive.filter(Boolean).length;
  }

  /** Live workers, in order (slice k + 1 goes to the k-th). */
  live(): number[] {
    const out: number[] = [];
    this.alive.forEach((a, w) => a && !this.closed && out.push(w));
    return out;
  }

  /** A driver for one model's engine (its replicas live in every worker). */
  attach(engine: Engine): Parallel {
    return new Parallel(this, engine, ++this.replicas);
  }

  /** Hand worker w a job; returns its number. */
  post(w: number, cmd: number, replica: number, args: readonly number[] = [], b0 = 0, bs = 0): number {
    if (!this.alive[w]) throw this.lost(w);
    const i32 = this.slots[w].i32;
    i32[CMD] = cmd;
    i32[REPLICA] = replica;
    i32[STATUS] = 0;
    i32[B0] = b0;
    i32[BS] = bs;
    for (let i = 0; i < Math.min(args.length, N_ARGS); i++) i32[ARG + i] = args[i];
    const seq = ++this.seqs[w];
    this.slots[w].signal(SEQ, seq);
    return seq;
  }

  /** Let worker w past its midpoint (seq) or stop it there (-seq). */
  go(w: number, seq: number, stop: boolean): void {
    this.slots[w].signal(GO, stop ? -seq : seq);
  }

  /** Block until worker w's `slot` reaches seq. */
  waitSync(w: number, slot: number, seq: number): void {
    const i32 = this.slots[w].i32;
    const until = now() + this.stallMs;
    for (;;) {
      const v = Atomics.load(i32, slot);
      if (v >= seq) return;
      if (!this.alive[w]) throw this.lost(w);
      if (now() > until) {
        this.died(w, `no answer within ${this.stallMs / 1000} s`);
        throw this.lost(w);
      }
      if (this.blocking) Atomics.wait(i32, slot, v, 50);
    }
  }

  /** Wait, without blocking this thread, until worker w's `slot` reaches seq (giving up after stallMs, as waitSync). */
  async waitAsync(w: number, slot: number, seq: number): Promise<void> {
    const i32 = this.slots[w].i32;
    // the timer also holds the event loop: Atomics.waitAsync does not, and the
    // workers are unref'd, so without it Node could exit mid-fit
    const stall = setTimeout(() => this.died(w, `no answer within ${this.stallMs / 1000} s`), this.stallMs);
    try {
      await this.untilAsync(w, i32, slot, seq);
    } finally {
      clearTimeout(stall);
    }
  }

  private async untilAsync(w: number, i32: Int32Array, slot: number, seq: number): Promise<void> {
    for (;;) {
      if (!this.alive[w]) throw this.lost(w);
      const signalled = this.hasWaitAsync ? null : this.nextSignal();
      const v = Atomics.load(i32, slot);
      if (v >= seq) return;
      let wake: Promise<unknown>;
      if (signalled) wake = signalled;
      else {
        const r = (
          Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<unknown> | string } }
        ).waitAsync(i32, slot, v);
        if (!r.async) continue;
        wake = r.value as Promise<unknown>;
      }
      await Promise.race([wake, this.deaths[w].promise]);
    }
  }

  /** Worker w's error message, when its last job failed. */
  failure(w: number): string | null {
    const s = this.slots[w];
    return s.i32[STATUS] === STATUS_ERROR ? s.error() : null;
  }

  /** Stop every worker. The backend goes on with one thread. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.alive.forEach((a, w) => {
      if (a) this.post(w, CMD_EXIT, 0);
    });
    for (const h of this.handles) h.terminate();
    // a wait still pending (fit mid-step) fails now, rather than at its stall timeout
    this.alive.forEach((a, w) => {
      if (!a) return;
      this.alive[w] = false;
      this.deaths[w].reject(this.lost(w));
    });
    this.wake();
  }

  /** @internal Stop worker w as if it had crashed (tests). */
  kill(w: number): void {
    this.handles[w].terminate();
  }

  /** A worker stopped: out of the pool from now on. */
  died(w: number, reason: string): void {
    if (!this.alive[w]) return;
    this.alive[w] = false;
    const d = this.deaths[w];
    d.reason = reason;
    if (!this.closed)
      this.notes.push(`threads: worker thread ${w + 1} stopped (${reason}); ${this.size} thread${this.size > 1 ? 's' : ''} left`);
    d.reject(this.lost(w));
    this.wake();
  }

  /** The error of a call that needs worker w after it stopped. */
  lost(w: number): WasmRnnError {
    const why = this.deaths[w].reason ?? (this.closed ? 'the threads were closed' : 'it stopped');
    return new WasmRnnError('E_BACKEND', `worker thread ${w + 1} stopped (${why})`);
  }

  private nextSignal(): Promise<void> {
    return new Promise((r) => this.wakers.push(r));
  }

  private wake(): void {
    const ws = this.wakers;
    this.wakers = [];
    for (const f of ws) f();
  }
}

/** The start message: the compiled module where the runtime can post one, else its bytes. */
function post(h: ThreadHandle, o: PoolOptions, ctl: SharedArrayBuffer, index: number, bad: (e: Error) => void): void {
  const msg = { type: 'start', module: o.module as WebAssembly.Module | null, bytes: o.bytes, memory: o.memory, ctl, index };
  try {
    h.post(msg);
  } catch {
    try {
      h.post({ ...msg, module: null });
    } catch (e) {
      bad(new Error(`the shared memory cannot be sent to a worker (${e instanceof Error ? e.message : String(e)})`));
    }
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
