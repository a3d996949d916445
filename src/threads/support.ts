/**
 * Whether this runtime can run init({ threads }): shared memory, Atomics and
 * a way to start worker threads. The reason it cannot goes to
 * backendNotes(), and one thread runs.
 */
import { nodeBuiltin } from '../node_builtin.js';

/** The headers a page needs for SharedArrayBuffer (cross-origin isolation). */
export const ISOLATION_HEADERS = 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

/** Why threads cannot run here, or null when they can. */
export async function threadsUnsupported(): Promise<string | null> {
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown; Worker?: unknown; Atomics?: unknown };
  if (g.crossOriginIsolated === false && g.document !== undefined) {
    return `the page is not cross-origin isolated, so it has no SharedArrayBuffer: serve it with the headers ${ISOLATION_HEADERS}`;
  }
  if (typeof SharedArrayBuffer !== 'function') {
    return g.document !== undefined || g.crossOriginIsolated === false
      ? `SharedArrayBuffer is not available: serve the page with the headers ${ISOLATION_HEADERS}`
      : 'SharedArrayBuffer is not available in this runtime';
  }
  if (typeof g.Atomics !== 'object') return 'Atomics is not available in this runtime';
  if (typeof g.Worker === 'function') return null;
  if (await nodeBuiltin('worker_threads')) return null;
  return 'this runtime cannot start worker threads (it has neither Worker nor node:worker_threads)';
}
