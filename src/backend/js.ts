/**
 * The pure-TypeScript twin of every kernel: the fallback where WebAssembly
 * SIMD is missing, the oracle in every parity test, and the "pure-JS version"
 * in every benchmark. Honest code: the loop order a careful JS programmer
 * would pick (i-k-j for NN so the inner loop streams rows), typed arrays, no
 * allocation inside kernels. It addresses the same slot offsets as the wasm
 * kernels, over an ArrayBuffer it grows by copying.
 *
 * Activations use float64 Math and round once to float32, so the twin is the
 * accuracy reference for the vectorised approximations.
 */
import { WasmRnnError } from '../errors.js';
import { ACT_HARD_SIGMOID, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH } from './abi.js';
import type { GemmForm, HeapMemory, Kernels } from './backend.js';

/** Largest heap the twin will try to allocate, in slots (4 GiB, as wasm32). */
const MAX_SLOTS = 2 ** 30;

export class JsMemory implements HeapMemory {
  readonly base = 16;
  private buffer: ArrayBuffer;
  private f32v: Float32Array;
  private i32v: Int32Array;

  constructor(initialSlots = 1 << 16) {
    this.buffer = new ArrayBuffer(initialSlots * 4);
    this.f32v = new Float32Array(this.buffer);
    this.i32v = new Int32Array(this.buffer);
  }

  size(): number {
    return this.f32v.length;
  }

  grow(minSlots: number): void {
    if (minSlots <= this.size()) return;
    if (minSlots > MAX_SLOTS) {
      throw new WasmRnnError('E_MEMORY', `memory: ${minSlots * 4} bytes requested, the limit is ${MAX_SLOTS * 4}`);
    }
    let next: ArrayBuffer;
    try {
      next = new ArrayBuffer(minSlots * 4);
    } catch (e) {
      throw new WasmRnnError('E_MEMORY', `memory: cannot allocate ${minSlots * 4} bytes (${String(e)})`);
    }
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
    this.f32v = new Float32Array(next);
    this.i32v = new Int32Array(next);
  }

  f32(): Float32Array {
    return this.f32v;
  }

  i32(): Int32Array {
    return this.i32v;
  }
}

function act1(act: number, x: number): number {
  switch (act) {
    case ACT_SIGMOID:
      return 1 / (1 + Math.exp(-x));
    case ACT_TANH:
      return Math.tanh(x);
    case ACT_RELU:
      return x > 0 ? x : 0;
    case ACT_HARD_SIGMOID: {
      const y = 0.2 * x + 0.5;
      return y < 0 ? 0 : y > 1 ? 1 : y;
    }
    default:
      return x;
  }
}

/** dy · act'(x) expressed through y = act(x). */
function actGrad1(act: number, y: number, dy: number): number {
  switch (act) {
    case ACT_SIGMOID:
      return dy * y * (1 - y);
    case ACT_TANH:
      return dy * (1 - y * y);
    case ACT_RELU:
      return y > 0 ? dy : 0;
    case ACT_HARD_SIGMOID:
      return y > 0 && y < 1 ? 0.2 * dy : 0;
    default:
      return dy;
  }
}

export class JsKernels implements Kernels {
  readonly name = 'js' as const;
  readonly memory: JsMemory;

  constructor(memory = new JsMemory()) {
    this.memory = memory;
  }

  // C (M,N) =|+= op(A)·op(B)
  gemm(form: GemmForm, c: number, ldc: number, a: number, lda: number, b: number, ldb: number,
    M: number, N: number, K: number, accumulate: boolean): void {
    const h = this.memory.f32();
    if (!accumulate) {
      for (let i = 0; i < M; i++) h.fill(0, c + i * ldc, c + i * ldc + N);
    }
    if (form === 'nn') {
      // i-k-j: the inner loop walks a row of B and a row of C
      for (let i = 0; i < M; i++) {
        const ci = c + i * ldc;
        for (let k = 0; k < K; k++) {
          const aik = h[a + i * lda + k];
          const bk = b + k * ldb;
          for (let j = 0; j < N; j++) h[ci + j] += aik * h[bk + j];
        }
      }
    } else if (form === 'nt') {
      // B stored (N,K): C[i,j] is a dot product of two contiguous rows
      for (let i = 0; i < M; i++) {
        const ai = a + i * lda;
        for (let j = 0; j < N; j++) {
          const bj = b + j * ldb;
          let s = 0;
          for (let k = 0; k < K; k++) s += h[ai + k] * h[bj + k];
          h[c + i * ldc + j] += s;
        }
      }
    } else {
      // A stored (K,M): k-i-j, rank-1 updates streaming rows of B and C
      for (let k = 0; k < K; k++) {
        const ak = a + k * lda;
        const bk = b + k * ldb;
        for (let i = 0; i < M; i++) {
          const aki = h[ak + i];
          const ci = c + i * ldc;
          for (let j = 0; j < N; j++) h[ci + j] += aki * h[bk + j];
        }
      }
    }
  }

  activation(y: number, x: number, n: number, act: number): void {
    const h = this.memory.f32();
    if (act === ACT_LINEAR) {
      if (y !== x) h.copyWithin(y, x, x + n);
      return;
    }
    for (let i = 0; i < n; i++) h[y + i] = act1(act, h[x + i]);
  }

  activationBackward(dx: number, y: number, dy: number, n: number, act: number, accumulate: boolean): void {
    const h = this.memory.f32();
    for (let i = 0; i < n; i++) {
      const g = actGrad1(act, h[y + i], h[dy + i]);
      h[dx + i] = accumulate ? h[dx + i] + g : g;
    }
  }

  softmaxRows(y: number, x: number, R: number, C: number): void {
    const h = this.memory.f32();
    for (let r = 0; r < R; r++) {
      const xr = x + r * C;
      const yr = y + r * C;
      let m = -Infinity;
      for (let j = 0; j < C; j++) m = Math.max(m, h[xr + j]);
      let s = 0;
      for (let j = 0; j < C; j++) {
        const e = Math.exp(h[xr + j] - m);
        h[yr + j] = e;
        s += e;
      }
      for (let j = 0; j < C; j++) h[yr + j] /= s;
    }
  }

  softmaxRowsBackward(dx: number, y: number, dy: number, R: number, C: number, accumulate: boolean): void {
    const h = this.memory.f32();
    for (let r = 0; r < R; r++) {
      const o = r * C;
      let dot = 0;
      for (let j = 0; j < C; j++) dot += h[y + o + j] * h[dy + o + j];
      for (let j = 0; j < C; j++) {
        const g = h[y + o + j] * (h[dy + o + j] - dot);
        h[dx + o + j] = accumulate ? h[dx + o + j] + g : g;
      }
    }
  }

  biasAdd(y: number, x: number, b: number, R: number, C: number): void {
    const h = this.memory.f32();
    for (let r = 0; r < R; r++) {
      for (let j = 0; j < C; j++) h[y + r * C + j] = h[x + r * C + j] + h[b + j];
    }
  }

  columnSum(db: number, dy: number, R: number, C: number, accumulate: boolean): void {
    const h = this.memory.f32();
    if (!accumulate) h.fill(0, db, db + C);
    for (let r = 0; r < R; r++) {
      for (let j = 0; j < C; j++) h[db + j] += h[dy + r * C + j];
    }
  }

  axpy(y: number, x: number, alpha: number, n: number): void {
    const h = this.memory.f32();
    for (let i = 0; i < n; i++) h[y + i] += alpha * h[x + i];
  }

  scale(y: number, x: number, alpha: number, n: number): void {
    const h = this.memory.f32();
    for (let i = 0; i < n; i++) h[y + i] = alpha * h[x + i];
  }

  mul(y: number, a: number, b: number, n: number, accumulate: boolean): void {
    const h = this.memory.f32();
    for (let i = 0; i < n; i++) {
      const v = h[a + i] * h[b + i];
      h[y + i] = accumulate ? h[y + i] + v : v;
    }
  }

  add(y: number, a: number, b: number, n: number): void {
    const h = this.memory.f32();
    for (let i = 0; i < n; i++) h[y + i] = h[a + i] + h[b + i];
  }

  fill(y: number, value: number, n: number): void {
    this.memory.f32().fill(value, y, y + n);
  }

  copy(y: number, x: number, n: number): void {
    this.memory.f32().copyWithin(y, x, x + n);
  }

  sumSquares(x: number, n: number): number {
    const h = this.memory.f32();
    let s = 0;
    for (let i = 0; i < n; i++) s += h[x + i] * h[x + i];
    return s;
  }

  hasNonFinite(x: number, n: number): boolean {
    const h = this.memory.f32();
    for (let i = 0; i < n; i++) if (!Number.isFinite(h[x + i])) return true;
    return false;
  }
}
