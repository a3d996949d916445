/**
 * A stand-in for GlobalAveragePooling1D, used by W7 and the Transformer
 * tests until the pooling layers land (they belong to the conv branch;
 * this file is deleted then and W7 switches to layers.globalAveragePooling1d):
 *
 *   y[b,:] = (1/T) Σ_t x[b,t,:]          x (B,T,F) -> y (B,F)
 *
 * Forward and backward are one batched GEMM each against a row of T values
 * 1/T per batch entry: y[b] (1,F) = a (1,T) · x[b] (T,F) and dx[b] (T,F) =
 * aᵀ (T,1) · dy[b] (1,F). Masks are not supported (W7 has none): a masked input is an error.
 * It is not registered for artifacts.
 */
import type { Buf, KernelArgs } from '../src/backend/backend.js';
import { fail } from '../src/errors.js';
import { gemmArgs } from '../src/layers/batched_product.js';
import { Layer, LayerRun, type PlanAlloc, type RunContext, type Shape, type TensorSpec, type Value, type WeightSpec } from '../src/layers/layer.js';
import type { SymbolicTensor } from '../src/layers/symbolic.js';

export class GlobalAveragePooling1DStandIn extends Layer<SymbolicTensor> {
  readonly className = 'GlobalAveragePooling1D';

  constructor(name?: string) {
    super(name, 'global_average_pooling1d');
  }

  protected build(): void {}

  computeOutputs([x]: readonly TensorSpec[]): TensorSpec[] {
    if (x.dtype !== 'float32' || x.shape.length !== 2) fail('E_SHAPE', `${this.name}: expects float32 (batch, timesteps, features), got (batch, ${x.shape.join(', ')})`);
    if (x.masked) fail('E_ARG', `${this.name}: the stand-in pooling does not support masks`);
    return [{ shape: [x.shape[1]], dtype: 'float32', masked: false }];
  }

  weightSpecs(): WeightSpec[] {
    return [];
  }

  createRun(): LayerRun {
    return new PoolRun();
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

class PoolRun extends LayerRun {
  private y!: Buf;
  private dx!: Buf;
  private a!: Buf;
  private g!: KernelArgs<'batchedGemm'>;
  private B = 0;
  private T = 0;
  private F = 0;

  plan(alloc: PlanAlloc, B: number, [x]: readonly Shape[]): void {
    this.y = alloc(B * x[1]);
    this.dx = alloc(B * x[0] * x[1]);
    this.a = alloc(B * x[0]);
    this.g = gemmArgs(this.y);
  }

  /** c[b] (M,F) = op(a[b]) (M,K) · b[b] (K,F); a[b] is (1,T), or its transpose. */
  private run(ctx: RunContext, c: Buf, b: Buf, M: number, K: number, transA: boolean): void {
    const g = this.g;
    const { T, F } = this;
    g.form = transA ? 'tn' : 'nn';
    g.c = c;
    g.ldc = F;
    g.sc1 = M * F;
    g.a = this.a;
    g.lda = T;
    g.sa1 = T;
    g.b = b;
    g.ldb = F;
    g.sb1 = K * F;
    g.P = this.B;
    g.M = M;
    g.N = F;
    g.K = K;
    ctx.backend.run('batchedGemm', g);
  }

  forward(ctx: RunContext, [x]: readonly Value[], [out]: Value[]): void {
    const [T, F] = x.shape;
    this.B = ctx.B;
    this.T = T;
    this.F = F;
    ctx.backend.fill(this.a, 1 / T, ctx.B * T);
    this.run(ctx, this.y, x.buf, 1, T, false);
    out.buf = this.y;
    out.mask = null;
    out.shape[0] = F;
  }

  backward(ctx: RunContext, [dy]: readonly (Buf | null)[], need: readonly boolean[], dIns: (Buf | null)[]): void {
    dIns[0] = null;
    if (!dy || !need[0]) return;
    this.run(ctx, this.dx, dy, this.T, 1, true);
    dIns[0] = this.dx;
  }
}
