/**
 * A model's replica in a worker thread: the same graph rebuilt from its
 * topology, on a backend over the worker's region of the shared memory,
 * with the layers' weights ADOPTED where the main thread keeps them (shared,
 * never copied: the main thread's optimizer updates them in place between
 * steps, and every thread reads them during the next). What the replica owns
 * is its gradient block, its memory plan, and its GEMM workspace, all in its
 * region.
 *
 * A step reads the slice's rows of the batch the main thread staged (inputs,
 * targets, sample weights: views of the main thread's plan, made from the
 * offsets PREPARE sends), runs forward, the slice's loss (slice_loss.ts) and
 * backward into its own gradient block, and reports where its outputs and
 * masks are and its loss sums (control.ts slots).
 */
import type { Buf } from '../backend/backend.js';
import type { WasmExports } from '../backend/generated/exports.js';
import { Buf as BufClass } from '../backend/memory.js';
import { RegionMemory } from '../backend/shared.js';
import { SliceBackend } from '../backend/slice.js';
import { WasmKernels } from '../backend/wasm.js';
import { decodeTopology } from '../io/topology.js';
import { sizeOf, type Layer } from '../layers/layer.js';
import { Engine } from '../models/engine.js';
import { Rng } from '../rng.js';
import type { LossName } from '../train/losses.js';
import { COUNT, GO, MAX_OUTPUTS, MID, MODE_INFER, MODE_TRAIN, OUT, SUM, type Slots } from './control.js';
import { maskCounts, outputRows, sliceLoss, type SliceHead } from './slice_loss.js';

/** What BUILD sends (JSON in the mail): the model, where its weights are, its losses. */
export interface BuildSpec {
  name: string;
  topology: Record<string, unknown>;
  /** per layer name: its weight block's slot offset and its weights' lengths, in weight order */
  weights: Record<string, [number, number[]]>;
  heads: { loss: LossName | null; weight: number }[];
}

/** Where the main thread's staged batch is: what PREPARE sends. */
interface Staging {
  inputs: { off: number; dtype: 'int32' | 'float32' }[];
  outputs: { y: number; sparse: boolean; w: number }[];
}

export class Replica {
  readonly be: SliceBackend;
  readonly engine: Engine;
  private readonly rng = new Rng(0);
  private readonly layers: readonly Layer[];
  private readonly heads: SliceHead[];
  private staging: Staging = { inputs: [], outputs: [] };
  private readonly counts = new Float64Array(MAX_OUTPUTS);
  private readonly sums = new Float64Array(MAX_OUTPUTS);
  private seeds: (Buf | null)[] = [];
  private weighted = false;
  private b0 = 0;
  private Bs = 0;

  constructor(exports: WasmExports, memory: WebAssembly.Memory, start: number, end: number, spec: BuildSpec) {
    this.be = new SliceBackend(new WasmKernels(exports, new RegionMemory(memory, start, end)));
    const model = decodeTopology(spec.topology, 2, `thread replica of ${spec.name}`);
    const graph = model.topology('thread');
    this.layers = graph.layers;
    for (const l of graph.layers) {
      const w = spec.weights[l.name];
      if (!w) continue;
      const root = new BufClass(
        w[0],
        w[1].reduce((a, b) => a + b, 0),
        'float32',
      );
      let at = 0;
      const views = w[1].map((n) => {
        const v = this.be.view(root, at, n);
        at += n;
        return v;
      });
      l.weightBlock = { backend: this.be, buf: root, views, users: 1 };
    }
    this.engine = new Engine(graph, this.be, this.rng, false, spec.name);
    // the losses fused with their output layer, as Model.compile attaches them
    this.heads = spec.heads.map((h, k) => {
      const t = graph.outputs[k];
      const run = this.engine.runs[graph.nodes.indexOf(t.node!)];
      const fused = h.loss !== null && h.loss !== 'meanSquaredError';
      if (fused) run.fusedHead = true;
      return { loss: h.loss, weight: h.weight, logits: fused ? run : null };
    });
  }

  /** The gradient block the main thread adds into its own. */
  get grads(): Buf {
    return this.engine.params.grads;
  }

  /**
   * PREPARE: a plan for slices of up to `capacity` rows with inputs up to
   * `shapes`, and where the main thread stages each batch. Mail (int32):
   * capacity, then per input [offset, isInt, rank, ...dims], then per output
   * [targets offset, sparse, weights offset].
   */
  prepare(m: Int32Array, at: number): void {
    const capacity = m[at++];
    const nIn = m[at++];
    const shapes: number[][] = [];
    const inputs: Staging['inputs'] = [];
    for (let i = 0; i < nIn; i++) {
      inputs.push({ off: m[at++], dtype: m[at++] ? 'int32' : 'float32' });
      const rank = m[at++];
      shapes.push(Array.from(m.subarray(at, at + rank)));
      at += rank;
    }
    const nOut = m[at++];
    const outputs: Staging['outputs'] = [];
    for (let k = 0; k < nOut; k++) outputs.push({ y: m[at++], sparse: m[at++] === 1, w: m[at++] });
    const plan = this.engine.ensurePlan(capacity, shapes);
    this.staging = { inputs, outputs };
    this.seeds = this.heads.map((h, k) => (h.loss ? plan.outputs[k].seed : null));
  }

  /**
   * STEP on rows [b0, b0 + Bs) (the slots' B0, BS). Mail (int32): mode,
   * Btotal, weighted, the model Rng's state (4 words), per input
   * [rank, ...dims] (this batch's per-sample shapes), per layer its
   * trainable flag.
   */
  step(m: Int32Array, at: number, s: Slots, seq: number, b0: number, Bs: number): void {
    const e = this.engine;
    const mode = m[at];
    const Btotal = m[at + 1];
    this.weighted = m[at + 2] === 1;
    // the main thread's Rng before its own forward: every thread draws the same dropout seeds
    this.rng.setState([m[at + 3] >>> 0, m[at + 4] >>> 0, m[at + 5] >>> 0, m[at + 6] >>> 0, NaN]);
    at += 7;
    const nIn = m[at++];
    for (let i = 0; i < nIn; i++) {
      const v = e.values[i];
      const rank = m[at++];
      for (let d = 0; d < rank; d++) v.shape[d] = m[at++];
      const rowLen = sizeOf(v.shape);
      const st = this.staging.inputs[i];
      v.buf = new BufClass(st.off + b0 * rowLen, Bs * rowLen, st.dtype);
      v.mask = null;
    }
    const nLayers = m[at++];
    for (let l = 0; l < nLayers; l++) this.layers[l].trainable = m[at++] === 1;
    this.b0 = b0;
    this.Bs = Bs;
    this.be.rowStart = b0;
    this.be.rows = Bs;
    e.forward(Bs, mode === MODE_TRAIN);
    for (let k = 0; k < this.heads.length; k++) {
      const out = e.output(k);
      s.i32[OUT + 3 * k] = out.buf.off;
      s.i32[OUT + 3 * k + 1] = Bs * sizeOf(out.shape);
      s.i32[OUT + 3 * k + 2] = out.mask ? out.mask.off : 0;
    }
    if (mode === MODE_INFER) return;
    const plan = e.plan!;
    if (maskCounts(this.be, e, plan, this.heads, Bs, this.counts)) {
      for (let k = 0; k < this.heads.length; k++) s.f64[COUNT + k] = this.counts[k];
      s.signal(MID, seq);
      // the main thread adds every slice's counts, then says go (seq) or stop (-seq)
      let go: number;
      while ((go = Atomics.load(s.i32, GO)) !== seq && go !== -seq) Atomics.wait(s.i32, GO, go);
      if (go === -seq) return;
      for (let k = 0; k < this.heads.length; k++) this.counts[k] = s.f64[COUNT + k];
    }
    sliceLoss(this.be, e, plan, this.heads, Bs, Btotal, this.counts, this.targets, this.weights, this.sums);
    for (let k = 0; k < this.heads.length; k++) s.f64[SUM + k] = this.sums[k];
    if (mode !== MODE_TRAIN) return;
    const params = e.params;
    this.be.fill(params.grads, 0, params.size);
    e.backward(Bs, this.seeds);
  }

  /** The slice's rows of output k's staged targets. */
  private readonly targets = (k: number): Buf => {
    const o = this.staging.outputs[k];
    const N = outputRows(this.engine, k, this.Bs);
    const per = o.sparse ? 1 : this.engine.output(k).shape.at(-1)!;
    const r0 = (N / this.Bs) * this.b0;
    return new BufClass(o.y + r0 * per, N * per, o.sparse ? 'int32' : 'float32');
  };

  /** The slice's rows of output k's staged sample weights (null: unweighted). */
  private readonly weights = (k: number): Buf | null => {
    if (!this.weighted) return null;
    const N = outputRows(this.engine, k, this.Bs);
    return new BufClass(this.staging.outputs[k].w + (N / this.Bs) * this.b0, N, 'float32');
  };
}
