// A Cloudflare Worker that uses wasm-rnn the way workerd allows: the .wasm
// imported as a module (workerd forbids compiling wasm from bytes at run
// time) and passed to init({ module }). Bundled by run.mjs with esbuild, as
// wrangler would, the .wasm files kept as CompiledWasm modules.
//
//   GET  /probe        scenario.mjs on the SIMD module, the relaxed module and the JS twin
//   GET  /init-auto    init() with no module: what a user who forgets the module gets
//   POST /init-bytes   init({ module: <the request body> }): bytes, where compiling is forbidden
//   POST /train        train the scenario's model (SIMD module) and keep it
//   POST /predict      { x: number[][] } -> { backend, pred: number[] } from the kept model
import * as lib from 'wasm-rnn';
import simd from 'wasm-rnn/wasm/wasm-rnn.simd.wasm';
import relaxed from 'wasm-rnn/wasm/wasm-rnn.relaxed.wasm';
import { buildModel, FIT, makeData, N, probe, scenario, T } from '../scenario.mjs';

let model = null;

const json = (v, status = 200) => new Response(JSON.stringify(v), { status, headers: { 'content-type': 'application/json' } });
const err = (e) => ({ code: e?.code ?? null, name: e?.name ?? 'Error', message: e?.message ?? String(e) });

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === '/probe') {
        const res = await probe(lib, { module: simd, worker: false });
        try {
          res.modes.relaxed = await scenario(lib, { module: relaxed });
        } catch (e) {
          res.modes.relaxed = { error: `${e?.code ?? e?.name}: ${e?.message ?? e}` };
        }
        return json(res);
      }
      if (pathname === '/init-auto') {
        const backend = await lib.init();
        return json({ backend, notes: lib.backendNotes() });
      }
      if (pathname === '/init-bytes' && request.method === 'POST') {
        const bytes = new Uint8Array(await request.arrayBuffer());
        try {
          const backend = await lib.init({ module: bytes });
          return json({ backend });
        } catch (e) {
          return json({ error: err(e) });
        }
      }
      if (pathname === '/train' && request.method === 'POST') {
        const backend = await lib.init({ module: simd });
        const { x, y } = makeData();
        model?.dispose();
        model = buildModel(lib);
        const h = await model.fit(lib.tensor(x, [N, T], 'int32'), lib.tensor(y, [N, 1], 'float32'), FIT);
        return json({ backend, loss: h.history.loss });
      }
      if (pathname === '/predict' && request.method === 'POST') {
        if (!model) return json({ error: { message: 'POST /train first' } }, 409);
        const { x } = await request.json();
        const p = model.predict(x);
        return json({ backend: lib.backendName(), pred: Array.from(p.data) });
      }
      return json({ error: { message: `no route ${request.method} ${pathname}` } }, 404);
    } catch (e) {
      return json({ error: err(e) }, 500);
    }
  },
};
