/**
 * The source has no runtime import cycle: a batch's path goes one way down
 * (fit -> engine -> layers -> backend) and models save themselves without
 * importing the code that rebuilds them. `import type` is erased, so it is
 * not an edge.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Runtime imports of each module under src/ (module -> modules it loads). */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(src, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(join(src, f), 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)([^;]*?)\s+from\s+'(\.[^']+)'/gms)) {
      const names = m[1].trim();
      // import { type A, type B } from '...' loads nothing at run time
      if (
        /^\{[^}]*\}$/.test(names) &&
        names
          .slice(1, -1)
          .split(',')
          .every((n) => n.trim().startsWith('type ') || n.trim() === '')
      )
        continue;
      deps.push(join(dirname(f), m[2]).replace(/\.js$/, '.ts'));
    }
    graph.set(f, deps);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 1) found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.get(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.get(f)) visit(f);
  return found;
}

describe('module structure', () => {
  it('no runtime import cycle anywhere in src/', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('models/model.ts')).toContain('train/fit.ts'); // the scan sees real edges
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('the cycle finder finds a cycle', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c', 'a']]);
  });
});
