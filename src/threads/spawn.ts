/**
 * Starting one thread worker: node:worker_threads where the runtime has it
 * (Node, Deno, Bun), else a module Web Worker (browsers). Both behind one
 * face. An idle thread must not keep a program from exiting: node workers
 * are unref'd (a page has no exit to hold up).
 */
import { nodeBuiltin } from '../node_builtin.js';

export interface ThreadHandle {
  kind: 'web-worker' | 'worker_threads';
  post(m: unknown): void;
  terminate(): void;
}

export interface ThreadListeners {
  message(m: unknown): void;
  /** the worker stopped, or its script failed to load */
  exit(reason: string): void;
}

interface WebWorkerLike {
  postMessage(m: unknown): void;
  terminate(): void;
  addEventListener(
    t: 'message' | 'error' | 'messageerror',
    f: (e: { data?: unknown; message?: string; preventDefault?: () => void }) => void,
  ): void;
}

interface NodeWorkerLike {
  postMessage(m: unknown): void;
  terminate(): Promise<number>;
  unref(): void;
  on(t: 'message' | 'error' | 'exit' | 'messageerror', f: (v: unknown) => void): void;
}

export async function spawnThread(url: string | URL, on: ThreadListeners): Promise<ThreadHandle> {
  // node:worker_threads first where it exists (Node, Deno, Bun): its workers
  // can be unref'd, and a Deno Web Worker would keep the process running
  const wt = await nodeBuiltin<{ Worker: new (u: string | URL) => NodeWorkerLike }>('worker_threads');
  if (wt) {
    const w = new wt.Worker(typeof url === 'string' && !/^[a-z]+:/i.test(url) ? url : new URL(url));
    w.on('message', (m) => on.message(m));
    w.on('error', (e) => on.exit(e instanceof Error ? e.message : String(e)));
    w.on('messageerror', () => on.exit('a message from the thread could not be read'));
    w.on('exit', (code) => on.exit(`it exited (code ${String(code)})`));
    w.unref();
    return {
      kind: 'worker_threads',
      post: (m) => w.postMessage(m),
      terminate: () => {
        void w.terminate();
      },
    };
  }
  const WebWorker = (globalThis as { Worker?: new (u: string | URL, o: { type: 'module'; name?: string }) => WebWorkerLike }).Worker;
  if (typeof WebWorker !== 'function') throw new Error('this runtime has neither node:worker_threads nor Worker');
  const w = new WebWorker(url, { type: 'module', name: 'wasm-rnn thread' });
  w.addEventListener('message', (e) => on.message(e.data));
  w.addEventListener('error', (e) => {
    e.preventDefault?.();
    on.exit(e.message || 'the thread script failed to load or threw');
  });
  w.addEventListener('messageerror', () => on.exit('a message from the thread could not be read'));
  return { kind: 'web-worker', post: (m) => w.postMessage(m), terminate: () => w.terminate() };
}
