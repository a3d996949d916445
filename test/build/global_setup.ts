/**
 * Builds dist/'s modules and bundles once per test run, with build/bundle.mjs
 * (the very settings `npm run build` uses), into a temporary folder; tests get
 * its path with inject('distDir'). So the CLI is tested as the built bin users
 * run and the library as the files they import, without a full build before
 * `npm test`.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildAll } from '../../build/bundle.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    distDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = join(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-dist-'));
  await buildAll(root, dir);
  chmodSync(join(dir, 'cli.js'), 0o755);
  project.provide('distDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
