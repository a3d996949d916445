/**
 * The published declarations, as a TypeScript user meets them: they are
 * emitted the way the build emits them (internal members stripped), then a
 * file of user code (user_code.ts) is compiled against them. Its
 * `@ts-expect-error` lines must each be an error, so typos in losses,
 * optimizers and metrics, data of the wrong kind, and reaching into
 * internals all fail to type-check.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): string {
  try {
    execFileSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

describe('published types', () => {
  it('user code type-checks against dist/types, and every expected error is one', () => {
    const types = join(dir, 'types');
    expect(run(['-p', 'build/tsconfig.dts.json', '--outDir', types])).toBe('');
    const model = readFileSync(join(types, 'models/model.d.ts'), 'utf8');
    expect(model).toMatch(/predictOne\(/);
    expect(model).not.toMatch(/\bengine\(|\brng\b|@internal/);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022', 'DOM'],
          types: [],
          skipLibCheck: false,
          baseUrl: '.',
          paths: { 'wasm-rnn': [join(types, 'index.d.ts')] },
        },
        files: [join(root, 'test/types/user_code.ts')],
      }),
    );
    expect(run(['-p', join(dir, 'tsconfig.json')])).toBe('');
  }, 120_000);
});
