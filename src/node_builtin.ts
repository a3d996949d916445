/**
 * A Node built-in module (fs/promises, worker_threads) without a static
 * import, so browser bundlers (webpack, Vite) never try to resolve 'node:*'.
 * process.getBuiltinModule (Node >= 20.16, Deno 2, Bun) needs no import at
 * all; the dynamic import fallback assembles its specifier at run time so a
 * minifier cannot fold it back into a literal. Returns null where neither
 * works (browsers, edge runtimes).
 */
export async function nodeBuiltin<T>(name: 'fs/promises' | 'worker_threads' | 'os'): Promise<T | null> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const builtin = proc?.getBuiltinModule?.(`node:${name}`);
  if (builtin) return builtin as T;
  try {
    const spec = ['node:', name].join('');
    return (await import(/* @vite-ignore */ spec)) as T;
  } catch {
    return null;
  }
}
