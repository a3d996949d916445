// Serves the built demo (examples/browser/dist/, made by build.mjs) on
// http://127.0.0.1:8080/ until Ctrl-C. A Web Worker and module scripts need
// http with the right content types, which file:// does not give.
//
// Every response carries the two headers that make the page cross-origin
// isolated: only then does a browser give it SharedArrayBuffer, which
// init({ threads }) needs to train on every core. Without them (try
// --no-isolation) the demo trains on one thread, and says so.
//
//   node examples/browser/serve.mjs [--port N] [--dir DIR] [--no-isolation]     (--port 0: any free port)
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const base = resolve(arg('--dir', join(here, 'dist')));
const port = Number(arg('--port', process.env.PORT ?? 8080));
if (!existsSync(join(base, 'index.html'))) {
  console.error(`${base}/index.html is missing: build the demo first (npm run demo does both)`);
  process.exit(1);
}

const ISOLATION = process.argv.includes('--no-isolation')
  ? {}
  : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.css': 'text/css',
  '.json': 'application/json',
};

const server = createServer((req, res) => {
  let file = normalize(join(base, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (file !== base && !file.startsWith(base + sep)) return res.writeHead(403).end();
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...ISOLATION });
  res.end(readFileSync(file));
});
server.on('error', (e) => {
  console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: try --port 8081 (or PORT=8081 npm run demo)` : e.message);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`the demo is at http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
});
