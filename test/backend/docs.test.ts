/**
 * The documentation the code cites exists, and the code cites nothing
 * outside the repository: every docs/*.md named in a comment of src/,
 * assembly/, bench/ or test/ is a file, no comment names the design notes
 * that live outside the repository, and every repository path a docs/ page
 * names exists (a page's worked example of a future layer aside).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUTSIDE = /\b(STYLE|BENCHMARKS|KERNEL_NOTES|DESIGN)\.md\b/;

function files(dir: string, ext: RegExp): string[] {
  return (
    readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && ext.test(e.name))
      .map((e) => relative(ROOT, join(e.parentPath, e.name)))
      // generated code (our build's, and the ONNX schema's, whose comments cite the ONNX project's docs) is not ours to annotate
      .filter((p) => !p.includes('node_modules') && !p.includes('/generated/') && !p.startsWith('src/onnx/proto/'))
  );
}

const code = ['src', 'assembly', 'bench', 'test'].flatMap((d) => files(d, /\.(ts|mjs)$/));
const docs = files('docs', /\.md$/);

describe('docs', () => {
  it('every docs/ page a comment cites exists', () => {
    const missing: string[] = [];
    for (const f of code) {
      for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(/docs\/[\w-]+\.md/g)) {
        if (!existsSync(join(ROOT, m[0]))) missing.push(`${f}: ${m[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no comment cites a design note outside the repository', () => {
    const self = relative(ROOT, fileURLToPath(import.meta.url));
    const cites = code.filter((f) => f !== self && OUTSIDE.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(cites).toEqual([]);
  });

  it('every repository path a page names exists', () => {
    expect(docs.length).toBeGreaterThanOrEqual(5);
    const missing: string[] = [];
    for (const f of docs) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/\b(?:src|assembly|test|bench|build|docs)\/[\w./-]*[\w/]/g)) {
        const p = m[0].replace(/\/$/, '');
        // adding-a-layer.md walks a layer that does not exist yet
        if (p.includes('layer_norm') || p.includes('*')) continue;
        if (!existsSync(join(ROOT, p)) && !existsSync(join(ROOT, 'docs', p))) missing.push(`${f}: ${p}`);
      }
      for (const m of text.matchAll(/\]\(([\w-]+\.md)\)/g)) {
        if (!existsSync(join(ROOT, 'docs', m[1]))) missing.push(`${f}: link ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
