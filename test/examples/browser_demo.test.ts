/**
 * `npm run demo` (issue 16, item 10): the browser demo builds from the
 * package's bundles and is served with the content types a module script and
 * a worker need; examples/README.md lists it and examples/browser/README.md
 * says how to run it. (test/runtimes/browser-demo.mjs clicks through the page
 * in Chromium.)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('npm run demo', () => {
  it('builds the demo and serves it over http', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.demo).toBe('node build/build.mjs --if-stale && node examples/browser/build.mjs && node examples/browser/serve.mjs');
    const out = mkdtempSync(join(tmpdir(), 'wasm-rnn-demo-'));
    const server = { proc: null as ReturnType<typeof spawn> | null };
    try {
      execFileSync(process.execPath, [join(root, 'examples/browser/build.mjs'), '--dist', inject('distDir'), '--out', out], {
        stdio: 'pipe',
      });
      const proc = spawn(process.execPath, [join(root, 'examples/browser/serve.mjs'), '--port', '0', '--dir', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      server.proc = proc;
      const url = await new Promise<string>((res, rej) => {
        proc.stdout!.on('data', (d: Buffer) => {
          const m = /the demo is at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)/.exec(String(d));
          if (m) res(m[1]);
        });
        proc.on('exit', (c) => rej(new Error(`serve.mjs exited with ${c}`)));
      });
      for (const [path, type, text] of [
        ['', 'text/html', '<script type="module" src="./app.js">'],
        ['app.js', 'text/javascript', 'from "./wasm-rnn/index.js"'],
        ['wasm-rnn/index.js', 'text/javascript', 'export {'],
        ['wasm-rnn/worker/worker.js', 'text/javascript', '../index.js'],
        ['wasm-rnn/threads/thread.js', 'text/javascript', '../index.js'],
        ['wasm-rnn/threads/pool.js', 'text/javascript', 'ThreadPool'],
        ['data/spam-assassin-sample.tsv', 'text/tab-separated-values', 'spam\t'],
      ]) {
        const r = await fetch(url + path);
        expect(r.status, path).toBe(200);
        expect(r.headers.get('content-type'), path).toContain(type);
        // cross-origin isolation, for init({ threads }) (SharedArrayBuffer)
        expect(r.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
        expect(r.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
        expect(await r.text(), path).toContain(text);
      }
      expect((await fetch(`${url}../../package.json`)).status).not.toBe(200);
    } finally {
      server.proc?.kill();
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('is documented: examples/browser/README.md, listed in examples/README.md and the README', () => {
    const demo = readFileSync(join(root, 'examples/browser/README.md'), 'utf8');
    expect(demo).toMatch(/```sh\nnpm run demo\n```/);
    expect(demo).toContain('http://127.0.0.1:8080/');
    expect(readFileSync(join(root, 'examples/README.md'), 'utf8')).toContain('[`browser/README.md`](browser/README.md)');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('npm run demo');
  });
});
