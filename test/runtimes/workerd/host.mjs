// Starts the bundled Worker in workerd through Miniflare on 127.0.0.1 and
// prints `URL <address>`; run.mjs then sends it real HTTP requests. Runs on
// Node 22 (Miniflare 4 needs Node >= 22). Ends on SIGTERM or stdin close.
import { Miniflare } from 'miniflare';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
// the modules listed as wrangler lists them (Miniflare's own import scanner
// refuses the bundle's dynamic import() of node: modules, which never run here)
const files = readdirSync(dir).sort((a, b) => (a === 'worker.mjs' ? -1 : b === 'worker.mjs' ? 1 : a.localeCompare(b)));
const modules = files
  .filter((f) => f.endsWith('.mjs') || f.endsWith('.wasm'))
  .map((f) => ({ type: f.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule', path: join(dir, f), contents: readFileSync(join(dir, f)) }));
const mf = new Miniflare({
  modules,
  modulesRoot: dir,
  compatibilityDate: '2025-06-01',
  host: '127.0.0.1',
  port: 0,
});
const url = await mf.ready;
console.log(`URL ${url}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
