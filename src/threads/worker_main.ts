/**
 * The body of a thread worker (dist/threads/thread.js runs it). One message starts
 * it — { type: 'start', module or bytes, memory, ctl, index } — then it
 * instantiates the threads build on the shared memory, answers 'ready', and
 * serves jobs from its control block (control.ts) until EXIT: blocking in
 * Atomics.wait between jobs, so no message is needed per step.
 *
 *   BUILD    a replica of a model (replica.ts) in a region of the memory
 *   PREPARE  its plan, and where the main thread stages batches
 *   STEP     forward (+ loss, + backward) on a slice of a staged batch
 *   DROP     forget a replica (the main thread frees its region)
 *
 * Every error is caught and reported in the slots (STATUS, the message);
 * a region too small is STATUS_REGION with the slots it needs.
 */
import type { WasmExports } from '../backend/generated/exports.js';
import { RegionFull } from '../backend/shared.js';
import { WasmMemory } from '../backend/wasm.js';
import { WasmRnnError } from '../errors.js';
import { nodeBuiltin } from '../node_builtin.js';
import {
  ARG,
  B0,
  BS,
  CMD,
  CMD_BUILD,
  CMD_DROP,
  CMD_EXIT,
  CMD_PREPARE,
  CMD_STEP,
  DONE,
  GRADS,
  GRADS_LEN,
  MID,
  NEED,
  NOTIFY,
  REPLICA,
  SEQ,
  STATUS,
  STATUS_ERROR,
  STATUS_OK,
  STATUS_REGION,
  Slots,
} from './control.js';
import { Replica, type BuildSpec } from './replica.js';

/** The first message a thread worker gets. */
export interface StartMessage {
  type: 'start';
  module: WebAssembly.Module | null;
  bytes: Uint8Array | null;
  memory: WebAssembly.Memory;
  ctl: SharedArrayBuffer;
  index: number;
}

interface Port {
  post(m: unknown): void;
  listen(f: (m: unknown) => void): void;
}

async function connect(): Promise<Port> {
  // started by node:worker_threads (Node, Deno, Bun): its parent port; else a Web Worker's scope
  const wt = await nodeBuiltin<{ parentPort: { postMessage(m: unknown): void; on(t: 'message', f: (m: unknown) => void): void } | null }>(
    'worker_threads',
  );
  const port = wt?.parentPort;
  if (port) return { post: (m) => port.postMessage(m), listen: (f) => port.on('message', f) };
  const g = globalThis as unknown as {
    postMessage?: (m: unknown) => void;
    addEventListener?: (t: 'message', f: (e: { data: unknown }) => void) => void;
  };
  if (typeof g.postMessage !== 'function' || typeof g.addEventListener !== 'function')
    throw new Error('wasm-rnn thread: no parent port (this file must run as a worker)');
  return { post: (m) => g.postMessage!(m), listen: (f) => g.addEventListener!('message', (e) => f(e.data)) };
}

/** Start serving (dist/threads/thread.js calls this once). */
export async function threadMain(): Promise<void> {
  const port = await connect();
  let started = false;
  port.listen((m) => {
    const msg = m as StartMessage;
    if (msg?.type !== 'start' || started) return;
    started = true;
    start(msg, port).catch((e: unknown) => port.post({ type: 'failed', message: e instanceof Error ? e.message : String(e) }));
  });
  port.post({ type: 'listening' });
}

async function start(msg: StartMessage, port: Port): Promise<void> {
  const module = msg.module instanceof WebAssembly.Module ? msg.module : await WebAssembly.compile(msg.bytes as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(module, { env: { memory: msg.memory } });
  const server = new Server(instance.exports as unknown as WasmExports, msg.memory, new Slots(msg.ctl, msg.index), port);
  port.post({ type: 'ready' });
  server.serve();
}

class Server {
  private readonly replicas = new Map<number, Replica>();
  private readonly raw: WasmMemory;

  constructor(
    private readonly exports: WasmExports,
    private readonly memory: WebAssembly.Memory,
    private readonly s: Slots,
    private readonly port: Port,
  ) {
    this.raw = new WasmMemory(memory, 0);
  }

  serve(): void {
    const i32 = this.s.i32;
    // jobs are numbered from 1: the first may already be posted by the time this
    // thread gets here (the main thread goes on as soon as it reads 'ready')
    let seen = 0;
    for (;;) {
      Atomics.wait(i32, SEQ, seen);
      const seq = Atomics.load(i32, SEQ);
      if (seq === seen) continue;
      seen = seq;
      const cmd = i32[CMD];
      i32[STATUS] = STATUS_OK;
      try {
        this.run(cmd, seq);
      } catch (e) {
        // the region is all the memory a worker has: running out of memory is
        // running out of region (plans re-throw it with their own message)
        if (e instanceof WasmRnnError && e.code === 'E_MEMORY') {
          i32[STATUS] = STATUS_REGION;
          i32[NEED] = e instanceof RegionFull ? e.need : 0;
        } else {
          i32[STATUS] = STATUS_ERROR;
          this.s.setError(e instanceof Error ? e.message : String(e));
        }
        // a main thread waiting for the midpoint must wake too
        if (Atomics.load(i32, MID) !== seq) this.signal(MID, seq);
      }
      this.signal(DONE, seq);
      if (cmd === CMD_EXIT) return;
    }
  }

  private signal(slot: number, seq: number): void {
    this.s.signal(slot, seq);
    // a main thread without Atomics.waitAsync is woken by a message
    if (this.s.i32[NOTIFY]) this.port.post({ type: 'signal' });
  }

  private run(cmd: number, seq: number): void {
    const i32 = this.s.i32;
    const id = i32[REPLICA];
    switch (cmd) {
      case CMD_BUILD: {
        const spec = JSON.parse(this.text(i32[ARG], i32[ARG + 1])) as BuildSpec;
        this.replicas.delete(id);
        const r = new Replica(this.exports, this.memory, i32[ARG + 2], i32[ARG + 3], spec);
        this.replicas.set(id, r);
        i32[GRADS] = r.grads.off;
        i32[GRADS_LEN] = r.grads.length;
        return;
      }
      case CMD_PREPARE:
        return this.replica(id).prepare(this.raw.i32(), i32[ARG]);
      case CMD_STEP:
        return this.replica(id).step(this.raw.i32(), i32[ARG], this.s, seq, i32[B0], i32[BS]);
      case CMD_DROP:
        this.replicas.delete(id);
        return;
      case CMD_EXIT:
        this.replicas.clear();
        return;
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }

  private replica(id: number): Replica {
    const r = this.replicas.get(id);
    if (!r) throw new Error(`no replica ${id} in this thread`);
    return r;
  }

  /** UTF-8 text of `bytes` bytes at slot `off` (the mail). */
  private text(off: number, bytes: number): string {
    const words = this.raw.i32().slice(off, off + Math.ceil(bytes / 4));
    return new TextDecoder().decode(new Uint8Array(words.buffer, 0, bytes));
  }
}
