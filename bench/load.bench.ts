/**
 * Model load time: `model.serialize()` bytes -> `loadModelSync(bytes)` for
 * the W1 and W4 models on the default backend (topology, build, weights;
 * with and without the optimizer state), against TF.js loading the same
 * model from memory (`tf.loadLayersModel(tf.io.fromMemory(...))`) on its wasm
 * backend.
 *
 * Check first: the loaded model's predictions must equal the saved model's
 * bit for bit (ours) or within 1e-4 of ours (TF.js, same weights).
 * Each timed call loads a model and disposes it (dispose is cheap: it hands
 * the memory back to the arena), so memory stays flat across samples.
 */
import type { Backend } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/load.js';
import { optimizers } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { formatNumber, table, time, type Timing } from './harness.js';
import { tfModelOf } from './contenders.js';
import { loadOurs, ourModel, ourTensor, type Ours } from './ours.js';
import { tf, useTf } from './tfjs.js';
import { SEED, W1, W4, type Workload } from './workloads.js';

export interface LoadRow {
  model: string;
  contender: string;
  bytes: number;
  load: Timing;
}

export interface LoadResults {
  backend: string;
  rows: LoadRow[];
  markdown: string;
}

type ModelArtifacts = tf.io.ModelArtifacts;

function workloadModel(be: Backend, w: Workload): Ours {
  return ourModel(be, {
    seed: SEED,
    layers: w.ours(false),
    inputShape: w.inputShape,
    loss: w.loss,
    optimizer: optimizers.adam({ learningRate: 1e-3 }),
  });
}

export async function benchLoad(opts: { full?: boolean; log?: (s: string) => void } = {}): Promise<LoadResults> {
  const log = opts.log ?? console.log;
  const be = await createBackend();
  const rows: LoadRow[] = [];
  const tOpts = { time: opts.full ? 2000 : 500, warmupTime: 0, warmupIterations: 3, iterations: 10 };

  for (const w of [W1, W4]) {
    const m = workloadModel(be, w);
    const b = w.batch(new Rng(SEED + 2), 4);
    const x = ourTensor(b.x, b.xShape);
    m.train(x, ourTensor(b.y, b.yShape)); // so there is optimizer state to save
    const want = m.predict(x);
    const weights = m.getWeights();
    for (const includeOptimizer of [false, true]) {
      const bytes = m.serialize(includeOptimizer);
      const back = loadOurs(be, bytes);
      const got = back.predict(x);
      back.dispose();
      for (let i = 0; i < want.length; i++) {
        if (!Object.is(got[i], want[i]))
          throw new Error(`load ${w.id}: the loaded model predicts ${got[i]} where the saved one predicts ${want[i]} (index ${i})`);
      }
      const t = await time(`load ${w.id}`, () => loadOurs(be, bytes).dispose(), tOpts);
      rows.push({
        model: w.id,
        contender: `wasm-rnn ${be.name}${includeOptimizer ? ', with optimizer state' : ''}`,
        bytes: bytes.length,
        load: t,
      });
    }
    m.dispose();

    // TF.js wasm, the same weights, from memory
    const t = await useTf('wasm');
    const tm = tfModelOf(t, w, false);
    const ws = weights.map((v) => t.tensor(v.data, [...v.shape]));
    tm.setWeights(ws);
    t.dispose(ws);
    let artifacts: ModelArtifacts | null = null;
    await tm.save(
      t.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    tm.dispose();
    const art = artifacts as unknown as ModelArtifacts & { weightData: ArrayBuffer };
    const check = await t.loadLayersModel(t.io.fromMemory(art));
    const xt = t.tensor(b.x, b.xShape, 'int32');
    const pt = check.predict(xt) as ReturnType<typeof t.tensor>;
    const got = pt.dataSync();
    t.dispose([xt, pt]);
    check.dispose();
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]) || (Number.isNaN(got[i]) ? Infinity : 0));
    if (!(diff <= 1e-4)) throw new Error(`load ${w.id}: TF.js's loaded model differs from ours by ${diff}`);
    const tt = await time(`tfjs load ${w.id}`, async () => (await t.loadLayersModel(t.io.fromMemory(art))).dispose(), tOpts);
    const bytes = JSON.stringify(art.modelTopology).length + art.weightData.byteLength + JSON.stringify(art.weightSpecs).length;
    rows.push({ model: w.id, contender: 'tfjs wasm (fromMemory)', bytes, load: tt });
  }

  const markdown =
    `${table(
      ['model load (bytes in memory -> ready model)', 'contender', 'artifact size', 'load ms (median)', 'min–max'],
      rows.map((r) => [
        r.model,
        r.contender,
        `${(r.bytes / 1024).toFixed(0)} KiB`,
        r.load.median,
        `${formatNumber(r.load.min)}–${formatNumber(r.load.max)}`,
      ]),
    )}\n\n- Ours: \`loadModelSync(model.serialize())\` then dispose, per call; predictions of the loaded model equal the saved model's bit for bit. ` +
    'TF.js: `tf.loadLayersModel(tf.io.fromMemory(artifacts))` then dispose (topology JSON + weight specs + weight data), predictions within 1e-4 of ours; ' +
    'TF.js skips the initialisers of a model whose weights it loads (fastInit).';
  log(markdown);
  return { backend: be.name, rows, markdown };
}
