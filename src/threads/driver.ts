/**
 * Data-parallel steps of one model over the pool's threads (one driver per
 * engine, made on its first step with the threads on).
 *
 * A batch of B rows is cut into S = min(threads, B) slices of consecutive
 * rows, as even as possible, the first ones a row longer: slice 0 is this
 * thread's, slice k the k-th live worker's. A training step:
 *
 *   1. this thread stages the whole batch once, into its own plan (as with
 *      one thread); each worker reads its rows of it (replica.ts);
 *   2. every thread runs forward on its slice; with a masked output, each
 *      counts its valid steps, this thread adds the counts in slice order
 *      and hands back the total; every thread then runs the loss of its
 *      slice scaled for the whole batch (slice_loss.ts) and backward into
 *      its own gradient block;
 *   3. this thread adds the workers' gradient blocks into its own, in slice
 *      order, adds the loss sums in slice order, updates the metrics over
 *      the whole batch, and finishes exactly as one thread does: the
 *      non-finite guards and the optimizer step (Engine.update).
 *
 * So a given thread count computes the same bits run after run, and dropout
 * drops the same elements as one thread (every thread starts from the same
 * Rng state; slice.ts numbers elements from the batch's start): thread
 * counts differ only in how sums are rounded. Evaluation is steps 1-2
 * without backward; prediction is the forwards.
 *
 * Nothing is updated until every slice is done: a worker that fails or
 * stops fails the call with E_BACKEND and leaves the weights as they were.
 * The steps are generators that yield where they wait for workers, so one
 * body serves the blocking calls (trainOnBatch, evaluate, predict) and fit's
 * non-blocking one.
 */
import type { Buf } from '../backend/backend.js';
import { GEMM_WORK } from '../backend/abi.js';
import { Buf as BufClass } from '../backend/memory.js';
import { WasmRnnError } from '../errors.js';
import { sizeOf, type Shape } from '../layers/layer.js';
import type { Dataset, Engine } from '../models/engine.js';
import type { Heads } from '../models/heads.js';
import type { Plan } from '../models/plan.js';
import type { MetricState } from '../train/metrics.js';
import {
  CMD_BUILD,
  CMD_DROP,
  CMD_PREPARE,
  CMD_STEP,
  COUNT,
  DONE,
  GRADS,
  GRADS_LEN,
  MAX_OUTPUTS,
  MID,
  MODE_EVAL,
  MODE_INFER,
  MODE_TRAIN,
  NEED,
  OUT,
  STATUS,
  STATUS_OK,
  STATUS_REGION,
  SUM,
} from './control.js';
import type { ThreadPool } from './pool.js';
import type { BuildSpec } from './replica.js';
import { lossScale, maskCounts, outputRows, sliceLoss, type SliceHead } from './slice_loss.js';
import { graphTopology } from './topology.js';

/** Jobs handed to workers together: worker w's job number is seqs[i]. */
interface Job {
  workers: number[];
  seqs: number[];
}

/** A place a step waits: every worker of `job` at `slot`. */
interface Wait {
  job: Job;
  slot: number;
}

type Step<T> = Generator<Wait, T, void>;

/** This thread's record of a worker's replica. */
interface Remote {
  region: Buf | null;
  grads: Buf | null;
  built: boolean;
  /** what its plan holds: rows, input shapes, and the plan whose staging it reads */
  capacity: number;
  shapes: readonly Shape[] | null;
  plan: Plan | null;
}

/** The model cannot be split (BUILD failed in a worker): run it on one thread. */
class OneThread extends Error {}

export class Parallel {
  private readonly remotes = new Map<number, Remote>();
  private builtFor: Heads | null = null;
  private heads: SliceHead[] = [];
  /** why this model runs on one thread, or null */
  private single: string | null = null;
  private mail: Buf | null = null;
  private host = new Int32Array(256);
  private readonly counts = new Float64Array(MAX_OUTPUTS);
  private readonly sums = new Float64Array(MAX_OUTPUTS);
  /** the workers of the last step: one that stopped since fails the next call, even if its exit was seen first */
  private used: number[] = [];
  private disposed = false;
  /** the job a fit step (stepAsync) is awaiting: dispose() stops it first */
  private inFlight: Job | null = null;

  constructor(
    readonly pool: ThreadPool,
    readonly engine: Engine,
    readonly id: number,
  ) {
    this.single = reasonForOne(engine);
  }

  /** Whether a batch of B rows is split over threads. */
  splits(B: number): boolean {
    // a worker of the last step stopped: the next call comes here, to fail (checkUsed)
    if (this.used.some((w) => !this.pool.live().includes(w))) return true;
    return B >= 2 && this.single === null && !this.disposed && this.pool.size > 1;
  }

  /** Engine.step over the threads (blocking waits). */
  step(B: number, train: boolean, metrics: readonly (MetricState | null)[] | null, weighted: boolean, modelName: string): number {
    const job = this.stepJob(B, train ? MODE_TRAIN : MODE_EVAL, metrics, weighted, modelName);
    try {
      return this.runSync(job);
    } catch (e) {
      if (e instanceof OneThread) return this.engine.step(B, train, metrics, weighted, modelName);
      throw this.named(e, train ? 'training step' : 'evaluation step');
    }
  }

  /** The same step, waiting without blocking this thread (fit). */
  async stepAsync(
    B: number,
    train: boolean,
    metrics: readonly (MetricState | null)[] | null,
    weighted: boolean,
    modelName: string,
  ): Promise<number> {
    const job = this.stepJob(B, train ? MODE_TRAIN : MODE_EVAL, metrics, weighted, modelName);
    try {
      return await this.runAsync(job);
    } catch (e) {
      if (e instanceof OneThread) return this.engine.step(B, train, metrics, weighted, modelName);
      throw this.named(e, train ? 'training step' : 'evaluation step');
    }
  }

  /** Engine.infer over the threads: every output for every sample. */
  infer(ds: Dataset, batchSize: number): Float32Array[] {
    const e = this.engine;
    const g = e.graph;
    const per = g.outputs.map((t) => sizeOf(ds.specs[g.at(t)].shape));
    const result = per.map((k) => new Float32Array(ds.n * k));
    const idx = new Int32Array(ds.n);
    for (let i = 0; i < ds.n; i++) idx[i] = i;
    for (let from = 0; from < ds.n; from += batchSize) {
      const to = Math.min(ds.n, from + batchSize);
      const B = e.stage(ds, idx, from, to);
      if (!this.splits(B)) {
        e.forward(B, false, false);
        per.forEach((k, o) => e.be.readInto(e.output(o).buf, result[o].subarray(from * k, to * k)));
        continue;
      }
      try {
        this.runSync(this.inferJob(B, per, result, from));
      } catch (err) {
        if (err instanceof OneThread) return e.infer(ds, batchSize, false);
        throw this.named(err, 'prediction');
      }
    }
    return result;
  }

  /** Forget the replicas: the workers drop them, their regions go back to the arena. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // fit awaits a step: stop its workers now (the step then fails with E_STATE), then drop the replicas
    if (this.inFlight) this.abandon(this.inFlight);
    this.inFlight = null;
    const be = this.engine.be;
    for (const [w, r] of this.remotes) {
      if (r.region) {
        // a live worker forgets the replica first (it is idle: jobs are synchronous to this thread)
        if (this.pool.live().includes(w)) this.pool.waitSync(w, DONE, this.pool.post(w, CMD_DROP, this.id));
        be.free(r.region);
      }
    }
    this.remotes.clear();
    if (this.mail) be.free(this.mail);
    this.mail = null;
  }

  // ------------------------------------------------------------ running

  private runSync<T>(step: Step<T>): T {
    let job: Job | null = null;
    try {
      for (let r = step.next(); ; r = step.next()) {
        if (r.done) return r.value;
        job = r.value.job;
        for (let i = 0; i < job.workers.length; i++) this.pool.waitSync(job.workers[i], r.value.slot, job.seqs[i]);
      }
    } catch (e) {
      if (job) this.abandon(job);
      throw e;
    }
  }

  private async runAsync<T>(step: Step<T>): Promise<T> {
    let job: Job | null = null;
    try {
      for (let r = step.next(); ; r = step.next()) {
        if (r.done) return r.value;
        const j = (job = this.inFlight = r.value.job);
        const slot = r.value.slot;
        await Promise.all(j.workers.map((w, i) => this.pool.waitAsync(w, slot, j.seqs[i])));
        this.inFlight = null;
        if (this.disposed) throw this.disposedDuringFit();
      }
    } catch (e) {
      this.inFlight = null;
      // dispose() stopped the workers and freed the plan while this step awaited them
      if (this.disposed) throw this.disposedDuringFit();
      if (job) this.abandon(job);
      throw e;
    }
  }

  private disposedDuringFit(): WasmRnnError {
    return new WasmRnnError('E_STATE', `fit: ${this.engine.where} was disposed during fit`);
  }

  /**
   * A step that failed: stop workers at their midpoint and wait for the live
   * ones to finish (they read the staged batch), so the next call starts
   * clean. A worker that does not finish is dropped from the pool.
   */
  private abandon(job: Job): void {
    job.workers.forEach((w, i) => this.pool.go(w, job.seqs[i], true));
    job.workers.forEach((w, i) => {
      try {
        this.pool.waitSync(w, DONE, job.seqs[i]);
      } catch {
        // already out of the pool
      }
    });
  }

  private named(e: unknown, what: string): unknown {
    if (!(e instanceof WasmRnnError) || e.code !== 'E_BACKEND') return e;
    return new WasmRnnError(
      'E_BACKEND',
      `${this.engine.where}: ${what} failed: ${e.message}; the weights are as they were before this step`,
      { cause: e },
    );
  }

  // ------------------------------------------------------------- slices

  /** Rows of each slice of a batch of B: S = min(threads, B), as even as possible. */
  private slices(B: number): number[] {
    const S = Math.min(this.pool.size, B);
    const base = Math.floor(B / S);
    const extra = B % S;
    return Array.from({ length: S }, (_, s) => base + (s < extra ? 1 : 0));
  }

  // --------------------------------------------------------------- steps

  private *stepJob(
    B: number,
    mode: number,
    metrics: readonly (MetricState | null)[] | null,
    weighted: boolean,
    modelName: string,
  ): Step<number> {
    const e = this.engine;
    const be = e.be;
    const heads = e.compiled('fit');
    const p = e.plan!;
    this.checkUsed();
    const rows = this.slices(B);
    const ws = this.pool.live().slice(0, rows.length - 1);
    yield* this.prepare(ws);
    const nOut = heads.configs.length;
    if (weighted) {
      // the workers read their rows' sample weights from the staged buffer
      for (let k = 0; k < nOut; k++) if (heads.configs[k].loss) be.write(p.outputs[k].w, p.outputs[k].hostW);
    }
    const job = this.post(ws, rows, mode, B, weighted);
    const train = mode === MODE_TRAIN;
    const B0 = rows[0];
    e.forward(B0, train);
    const sh = this.heads;
    const totals = this.counts;
    if (maskCounts(be, e, p, sh, B0, totals)) {
      yield { job, slot: MID };
      this.check(job);
      // the batch's valid steps: this slice's, then each worker's, in slice order
      for (const w of ws) for (let k = 0; k < nOut; k++) if (totals[k] >= 0) totals[k] += this.pool.slots[w].f64[COUNT + k];
      job.workers.forEach((w, i) => {
        for (let k = 0; k < nOut; k++) this.pool.slots[w].f64[COUNT + k] = totals[k];
        this.pool.go(w, job.seqs[i], false);
      });
    }
    const sums = this.sums;
    sliceLoss(
      be,
      e,
      p,
      sh,
      B0,
      B,
      totals,
      (k) => p.outputs[k].y,
      (k) => (weighted ? p.outputs[k].w : null),
      sums,
    );
    const params = e.params;
    if (train) {
      be.fill(params.grads, 0, params.size);
      e.backward(B0, heads.seeds(p));
    }
    yield { job, slot: DONE };
    this.check(job);

    // the loss: each output's sums in slice order, times the batch's scale
    let total = 0;
    for (let k = 0; k < nOut; k++) {
      heads.parts[k] = 0;
      const h = sh[k];
      if (!h.loss) continue;
      let sum = sums[k];
      for (const w of ws) sum += this.pool.slots[w].f64[SUM + k];
      const out = e.output(k);
      const C = out.shape[out.shape.length - 1];
      const count = out.mask ? totals[k] : (outputRows(e, k, B0) / B0) * B;
      heads.parts[k] = sum * lossScale(h, C, count);
      total += heads.configs[k].weight * heads.parts[k];
      const m = metrics?.[k];
      if (m) this.updateMetric(m, k, rows, ws);
    }
    e.checkLoss(total, modelName);
    if (!train) return total;
    // the gradient: this thread's block plus each worker's, in slice order
    for (const w of ws) be.add(params.grads, params.grads, this.remotes.get(w)!.grads!, params.size);
    this.used = ws;
    e.update(modelName);
    return total;
  }

  private *inferJob(B: number, per: readonly number[], result: Float32Array[], from: number): Step<void> {
    const e = this.engine;
    this.checkUsed();
    const rows = this.slices(B);
    const ws = this.pool.live().slice(0, rows.length - 1);
    yield* this.prepare(ws);
    const job = this.post(ws, rows, MODE_INFER, B, false);
    e.forward(rows[0], false, false);
    per.forEach((k, o) => e.be.readInto(e.output(o).buf, result[o].subarray(from * k, (from + rows[0]) * k)));
    yield { job, slot: DONE };
    this.check(job);
    this.used = ws;
    let r0 = from + rows[0];
    ws.forEach((w, i) => {
      const n = rows[i + 1];
      const s = this.pool.slots[w].i32;
      per.forEach((k, o) => e.be.readInto(new BufClass(s[OUT + 3 * o], n * k, 'float32'), result[o].subarray(r0 * k, (r0 + n) * k)));
      r0 += n;
    });
  }

  /** Every slice's predictions (and valid steps) of output k into the plan's host arrays, then the metric over the whole batch. */
  private updateMetric(m: MetricState, k: number, rows: readonly number[], ws: readonly number[]): void {
    const e = this.engine;
    const p = e.plan!;
    const o = p.outputs[k];
    const out = e.output(k);
    const C = out.shape[out.shape.length - 1];
    const perRow = outputRows(e, k, rows[0]) / rows[0];
    let r = rows[0] * perRow;
    e.be.readInto(out.buf, o.hostP.subarray(0, r * C));
    ws.forEach((w, i) => {
      const n = rows[i + 1] * perRow;
      const s = this.pool.slots[w].i32;
      e.be.readInto(new BufClass(s[OUT + 3 * k], n * C, 'float32'), o.hostP.subarray(r * C, (r + n) * C));
      if (out.mask) e.be.readInto(new BufClass(s[OUT + 3 * k + 2], n, 'float32'), o.hostValid.subarray(r, r + n));
      r += n;
    });
    m.update(o.hostP, o.hostY, r, out.mask ? o.hostValid : null);
  }

  /** Hand each worker its slice's STEP. */
  private post(ws: readonly number[], rows: readonly number[], mode: number, B: number, weighted: boolean): Job {
    const e = this.engine;
    const m: number[] = [
      mode,
      B,
      weighted ? 1 : 0,
      ...e.rng
        .getState()
        .slice(0, 4)
        .map((v) => v | 0),
    ];
    m.push(e.inputs.length);
    for (let i = 0; i < e.inputs.length; i++) {
      const s = e.values[i].shape;
      m.push(s.length, ...s);
    }
    const layers = e.graph.layers;
    m.push(layers.length, ...layers.map((l) => (l.trainable ? 1 : 0)));
    const mail = this.writeMail(m);
    const job: Job = { workers: [...ws], seqs: [] };
    let b0 = rows[0];
    ws.forEach((w, i) => {
      job.seqs.push(this.pool.post(w, CMD_STEP, this.id, [mail.off], b0, rows[i + 1]));
      b0 += rows[i + 1];
    });
    return job;
  }

  /**
   * A worker of the last step stopped since: this call fails (E_BACKEND,
   * nothing updated), whether or not its exit has been seen yet; the next
   * one runs on the threads left.
   */
  private checkUsed(): void {
    const gone = this.used.find((w) => !this.pool.live().includes(w));
    this.used = [];
    if (gone !== undefined) throw this.pool.lost(gone);
  }

  /** A failed job: the first worker's error, as E_BACKEND. */
  private check(job: Job): void {
    for (const w of job.workers) {
      const msg = this.pool.failure(w);
      if (msg !== null) throw new WasmRnnError('E_BACKEND', `worker thread ${w + 1} failed: ${msg}`);
    }
  }

  // ------------------------------------------------------------ replicas

  /**
   * Make sure each worker of `ws` has a replica whose plan holds this
   * thread's plan's slices and reads its staging: BUILD (again, after
   * compile or a region too small) and PREPARE where needed.
   */
  private *prepare(ws: readonly number[]): Step<void> {
    const e = this.engine;
    const p = e.plan!;
    if (this.builtFor !== e.heads) {
      for (const r of this.remotes.values()) r.built = false;
      this.builtFor = e.heads;
      this.heads = e.heads!.configs.map((c, k) => {
        const t = e.graph.outputs[k];
        const run = e.runs[e.graph.nodes.indexOf(t.node!)];
        return { loss: c.loss?.name ?? null, weight: c.weight, logits: c.loss && run.fusedHead ? run : null };
      });
    }
    const capacity = Math.ceil(p.B / this.pool.size);
    for (;;) {
      const build = ws.filter((w) => !this.remote(w).built);
      if (build.length) yield* this.build(build);
      const todo = ws.filter((w) => {
        const r = this.remote(w);
        return r.plan !== p || r.capacity < capacity || !holds(r.shapes, p.inShapes);
      });
      if (!todo.length) return;
      const mail = this.writeMail(this.staging(p, capacity));
      const job: Job = { workers: todo, seqs: todo.map((w) => this.pool.post(w, CMD_PREPARE, this.id, [mail.off])) };
      yield { job, slot: DONE };
      for (const w of todo) {
        const r = this.remote(w);
        const s = this.pool.slots[w].i32;
        if (s[STATUS] === STATUS_OK) Object.assign(r, { capacity, shapes: p.inShapes, plan: p });
        else if (s[STATUS] === STATUS_REGION) this.growRegion(r, s[NEED]);
        else this.check({ workers: [w], seqs: [] });
      }
    }
  }

  private *build(ws: readonly number[]): Step<void> {
    const e = this.engine;
    const text = new TextEncoder().encode(JSON.stringify(this.buildSpec()));
    const words = new Int32Array(Math.ceil(text.length / 4));
    new Uint8Array(words.buffer).set(text);
    const mail = e.be.alloc(words.length, 'int32');
    try {
      e.be.write(mail, words);
      let todo = [...ws];
      while (todo.length) {
        for (const w of todo) {
          const r = this.remote(w);
          r.region ??= e.be.alloc(this.regionSize());
        }
        const job: Job = {
          workers: todo,
          seqs: todo.map((w) => {
            const g = this.remote(w).region!;
            return this.pool.post(w, CMD_BUILD, this.id, [mail.off, text.length, g.off, g.off + g.length]);
          }),
        };
        yield { job, slot: DONE };
        const again: number[] = [];
        for (const w of todo) {
          const r = this.remote(w);
          const s = this.pool.slots[w].i32;
          if (s[STATUS] === STATUS_OK) {
            Object.assign(r, {
              built: true,
              grads: new BufClass(s[GRADS], s[GRADS_LEN], 'float32'),
              plan: null,
              capacity: 0,
              shapes: null,
            });
          } else if (s[STATUS] === STATUS_REGION) {
            this.growRegion(r, s[NEED]);
            again.push(w);
          } else {
            // the model cannot be rebuilt in a worker (e.g. a layer the artifact format does not know): one thread runs it
            this.single = `a worker thread could not rebuild the model: ${this.pool.failure(w)}`;
            this.pool.notes.push(`threads: ${e.where} runs on one thread: ${this.single}`);
            throw new OneThread();
          }
        }
        todo = again;
      }
    } finally {
      e.be.free(mail);
    }
  }

  private buildSpec(): BuildSpec {
    const e = this.engine;
    const weights: BuildSpec['weights'] = {};
    for (const l of e.graph.layers) {
      const b = l.weightBlock;
      if (b && l.weightSpecs().length) weights[l.name] = [b.buf.off, b.views.map((v) => v.length)];
    }
    return {
      name: e.where,
      topology: graphTopology(e.graph, e.where),
      weights,
      heads: this.heads.map((h) => ({ loss: h.loss, weight: h.weight })),
    };
  }

  /** PREPARE's mail: capacity, per input [offset, isInt, rank, ...dims], per output [targets, sparse, weights]. */
  private staging(p: Plan, capacity: number): number[] {
    const m: number[] = [capacity, p.staged.length];
    p.staged.forEach((b, i) => m.push(b.off, b.dtype === 'int32' ? 1 : 0, p.inShapes[i].length, ...p.inShapes[i]));
    m.push(p.outputs.length);
    for (const o of p.outputs) m.push(o.y.off, o.y.dtype === 'int32' ? 1 : 0, o.w.off);
    return m;
  }

  /** First guess of a worker's region: this thread's plan (it holds the whole batch), a gradient block, a workspace, slack. */
  private regionSize(): number {
    const e = this.engine;
    let plan = 0;
    for (const b of e.plan!.bufs) plan += Math.ceil(Math.max(16, b.length) / 16) * 16;
    return plan + e.params.size + GEMM_WORK + 65536;
  }

  private growRegion(r: Remote, need: number): void {
    const be = this.engine.be;
    const old = r.region!;
    const size = Math.max(2 * old.length, old.length + need);
    be.free(old);
    r.region = be.alloc(size);
    r.built = false;
  }

  private remote(w: number): Remote {
    let r = this.remotes.get(w);
    if (!r) {
      r = { region: null, grads: null, built: false, capacity: 0, shapes: null, plan: null };
      this.remotes.set(w, r);
    }
    return r;
  }

  /** Write int32 mail into the shared memory (one buffer per driver, grown when needed). */
  private writeMail(m: readonly number[]): Buf {
    const be = this.engine.be;
    if (!this.mail || this.mail.length < m.length) {
      if (this.mail) be.free(this.mail);
      this.mail = be.alloc(Math.max(256, m.length * 2), 'int32');
    }
    if (this.host.length < m.length) this.host = new Int32Array(this.mail.length);
    for (let i = 0; i < m.length; i++) this.host[i] = m[i];
    be.write(this.mail, this.host.subarray(0, m.length));
    return this.mail;
  }
}

/** Why a model always runs on one thread, or null. */
function reasonForOne(e: Engine): string | null {
  if (e.graph.outputs.length > MAX_OUTPUTS) return `it has more than ${MAX_OUTPUTS} outputs`;
  const stateful = e.graph.layers.find((l) => (l as { stateful?: boolean }).stateful);
  if (stateful) return `layer '${stateful.name}' is stateful (its state runs across batches row by row)`;
  return null;
}

function holds(have: readonly Shape[] | null, want: readonly Shape[]): boolean {
  if (!have) return false;
  for (let i = 0; i < want.length; i++) for (let d = 0; d < want[i].length; d++) if (want[i][d] > have[i][d]) return false;
  return true;
}

export type { Step };
