/**
 * One memory plan per model: every node's activations and scratch (taken by
 * its run), a staging buffer per model input, a gradient seed per output,
 * the targets and weights of every loss, and a gradient accumulator for each
 * tensor that more than one node reads. Sized for a batch capacity and each
 * input's largest shape seen; re-made only when a call needs more, so the
 * training loop allocates nothing.
 */
import type { Backend, Buf } from '../backend/backend.js';
import { WasmRnnError } from '../errors.js';
import { sizeOf, type LayerRun, type Shape, type TensorSpec } from '../layers/layer.js';
import type { Graph } from './graph.js';

/** Per output: where its loss reads targets and weights, and where its gradient starts. */
export interface OutputBufs {
  seed: Buf;
  y: Buf;
  w: Buf;
  hostY: Float32Array | Int32Array;
  hostW: Float32Array;
  hostP: Float32Array;
  hostValid: Float32Array;
}

export class Plan {
  readonly bufs: Buf[] = [];
  readonly staged: Buf[] = [];
  readonly hostX: (Float32Array | Int32Array)[] = [];
  readonly outputs: OutputBufs[] = [];
  /** per tensor: the buffer its gradients are summed in (tensors read more than once), else null */
  readonly acc: (Buf | null)[];

  constructor(
    readonly B: number,
    /** per model input, the largest per-sample shape this plan holds */
    readonly inShapes: readonly Shape[],
    be: Backend,
    graph: Graph,
    runs: readonly LayerRun[],
    ids: readonly boolean[],
    /** per output, whether its targets are class ids */
    sparse: readonly boolean[],
    /** per tensor, how many gradient contributions it can receive */
    fanIn: readonly number[],
    where: string,
  ) {
    const alloc = (n: number, dtype: 'float32' | 'int32' = 'float32') => {
      const b = be.alloc(Math.max(1, n), dtype);
      this.bufs.push(b);
      return b;
    };
    try {
      const specs: TensorSpec[] = graph.concrete(inShapes);
      const cap = (i: number) => B * sizeOf(specs[i].shape);
      graph.nodes.forEach((_, k) =>
        runs[k].plan(
          alloc,
          B,
          graph.nodeIn[k].map((i) => specs[i].shape),
          be,
        ),
      );
      graph.inputs.forEach((_, i) => {
        this.staged.push(alloc(cap(i), ids[i] ? 'int32' : 'float32'));
        this.hostX.push(ids[i] ? new Int32Array(cap(i)) : new Float32Array(cap(i)));
      });
      graph.outputs.forEach((t, k) => {
        const i = graph.at(t);
        const shape = specs[i].shape;
        const rows = cap(i) / shape[shape.length - 1];
        const n = cap(i);
        this.outputs.push({
          seed: alloc(n),
          y: alloc(sparse[k] ? rows : n, sparse[k] ? 'int32' : 'float32'),
          w: alloc(rows),
          hostY: sparse[k] ? new Int32Array(rows) : new Float32Array(n),
          hostW: new Float32Array(rows),
          hostP: new Float32Array(n),
          hostValid: new Float32Array(rows),
        });
      });
      this.acc = fanIn.map((f, i) => (f > 1 ? alloc(cap(i)) : null));
    } catch (e) {
      this.free(be);
      if (e instanceof WasmRnnError && e.code === 'E_MEMORY') {
        throw new WasmRnnError(
          'E_MEMORY',
          `${where}: not enough memory for batches of ${B} with inputs of shape ${inShapes.map((s) => `[${s}]`).join(', ')} (${e.message}); use a smaller batch size or sequence length`,
        );
      }
      throw e;
    }
  }

  /** Whether batches of B with inputs of these shapes fit. */
  holds(B: number, inShapes: readonly Shape[]): boolean {
    if (B > this.B) return false;
    for (let i = 0; i < inShapes.length; i++) {
      const a = inShapes[i];
      const c = this.inShapes[i];
      for (let d = 0; d < a.length; d++) if (a[d] > c[d]) return false;
    }
    return true;
  }

  free(be: Backend): void {
    for (const b of this.bufs) be.free(b);
    this.bufs.length = 0;
  }
}
