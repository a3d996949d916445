/**
 * src/backend/ has no import cycle (type-only imports included): each file
 * has one job and the jobs form layers (memory <- contract <- kernels <-
 * checks <- buffers <- backend; twins and wasm beside them; load on top).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../src/backend/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** file -> the src/backend files it imports (relative specifiers that stay inside). */
function graph(files: string[]): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps = [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)'/gms)]
      .map((m) => resolve(dirname(f), m[1].replace(/\.js$/, '.ts')))
      .filter((p) => p.startsWith(ROOT) && !p.includes('/generated/'));
    g.set(f, deps);
  }
  return g;
}

/** One cycle as a list of files, or null. */
function findCycle(g: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const d of g.get(f) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of g.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

describe('src/backend imports', () => {
  it('form no cycle', () => {
    const g = graph(sources(ROOT));
    expect(g.size).toBeGreaterThan(20);
    expect(findCycle(g)?.map((f) => relative(ROOT, f)) ?? null).toBeNull();
  });

  it('the cycle finder finds a cycle', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', []],
    ]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
  });
});
