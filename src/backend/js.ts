/**
 * The pure-TypeScript twin of every kernel: the fallback where WebAssembly
 * SIMD is missing, the oracle in every parity test, and the "pure-JS version"
 * in every benchmark. The kernels themselves live in twin/, one file per
 * assembly/ file; this class binds them to a heap it grows by copying.
 *
 * Honest code: the loop order a careful JS programmer would pick, typed
 * arrays, no allocation inside kernels. Activations use float64 Math and
 * round once to float32, so the twin is the accuracy reference.
 */
import { WasmRnnError } from '../errors.js';
import { ACT_LINEAR } from './abi.js';
import type { GemmForm, HeapMemory, Kernels } from './backend.js';
import { act1, actGrad1, softmaxRows, softmaxRowsBackward } from './twin/activations.js';
import { dropoutForward } from './twin/dropout.js';
import { maskingForward, rowScale } from './twin/masking.js';
import { biasAdd, columnSum, copyRows, reverseTime } from './twin/elementwise.js';
import { embeddingBackward, embeddingForward, maskFromIds } from './twin/embedding.js';
import { gemm } from './twin/gemm.js';
import { bceLogits, mse, softmaxCe } from './twin/loss.js';
import { lstmBackward, lstmForward } from './twin/lstm.js';
import { simpleRnnBackward, simpleRnnForward } from './twin/rnn.js';
import { gruBackward, gruForward } from './twin/gru.js';
import { bidirectionalMerge, bidirectionalMergeBackward } from './twin/bidirectional.js';
import { adagradUpdate, adamUpdate, clipValue, rmspropUpdate, sgdUpdate } from './twin/optim.js';

/** Largest heap the twin will try to allocate, in slots (4 GiB, as wasm32). */
const MAX_SLOTS = 2 ** 30;

/**
 * The twin's heap. `precision: 'float64'` makes every slot a double (ints
 * stored exactly as doubles): the same kernels then run in float64, which is
 * what the finite-difference gradient checks need. It is a test instrument,
 * not a user-facing mode: the views are typed as float32/int32 arrays because
 * the kernels use nothing but indexing on them.
 */
export class JsMemory implements HeapMemory {
  readonly base = 16;
  readonly precision: 'float32' | 'float64';
  private buffer: ArrayBuffer;
  private f32v!: Float32Array;
  private i32v!: Int32Array;

  constructor(options: { initialSlots?: number; precision?: 'float32' | 'float64' } = {}) {
    this.precision = options.precision ?? 'float32';
    this.buffer = new ArrayBuffer((options.initialSlots ?? 1 << 16) * this.slotBytes());
    this.views();
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
      next = new ArrayBuffer(minSlots * this.slotBytes());
    } catch (e) {
      throw new WasmRnnError('E_MEMORY', `memory: cannot allocate ${minSlots * 4} bytes (${String(e)})`);
    }
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
    this.views();
  }

  f32(): Float32Array {
    return this.f32v;
  }

  i32(): Int32Array {
    return this.i32v;
  }

  private slotBytes(): number {
    return this.precision === 'float64' ? 8 : 4;
  }

  private views(): void {
    if (this.precision === 'float64') {
      const d = new Float64Array(this.buffer);
      this.f32v = d as unknown as Float32Array;
      this.i32v = d as unknown as Int32Array;
    } else {
      this.f32v = new Float32Array(this.buffer);
      this.i32v = new Int32Array(this.buffer);
    }
  }
}

export class JsKernels implements Kernels {
  readonly name = 'js' as const;
  readonly memory: JsMemory;

  constructor(memory = new JsMemory()) {
    this.memory = memory;
  }

  gemm(form: GemmForm, c: number, ldc: number, a: number, lda: number, b: number, ldb: number,
    M: number, N: number, K: number, accumulate: boolean): void {
    gemm(this.memory.f32(), form, c, ldc, a, lda, b, ldb, M, N, K, accumulate);
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
    softmaxRows(this.memory.f32(), y, x, R, C);
  }

  softmaxRowsBackward(dx: number, y: number, dy: number, R: number, C: number, accumulate: boolean): void {
    softmaxRowsBackward(this.memory.f32(), dx, y, dy, R, C, accumulate);
  }

  biasAdd(y: number, x: number, b: number, R: number, C: number): void {
    biasAdd(this.memory.f32(), y, x, b, R, C);
  }

  columnSum(db: number, dy: number, R: number, C: number, accumulate: boolean): void {
    columnSum(this.memory.f32(), db, dy, R, C, accumulate);
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

  copyRows(dst: number, ds: number, src: number, ss: number, R: number, W: number): void {
    copyRows(this.memory.f32(), dst, ds, src, ss, R, W);
  }

  reverseTime(y: number, x: number, B: number, T: number, F: number): void {
    reverseTime(this.memory.f32(), y, x, B, T, F);
  }

  embeddingForward(y: number, ids: number, w: number, N: number, D: number): void {
    embeddingForward(this.memory.f32(), this.memory.i32(), y, ids, w, N, D);
  }

  embeddingBackward(dw: number, dy: number, ids: number, N: number, D: number): void {
    embeddingBackward(this.memory.f32(), this.memory.i32(), dw, dy, ids, N, D);
  }

  maskFromIds(mask: number, ids: number, N: number): void {
    maskFromIds(this.memory.f32(), this.memory.i32(), mask, ids, N);
  }

  maskingForward(y: number, mask: number, x: number, N: number, F: number, value: number): void {
    maskingForward(this.memory.f32(), y, mask, x, N, F, value);
  }

  rowScale(y: number, x: number, s: number, R: number, C: number): void {
    rowScale(this.memory.f32(), y, x, s, R, C);
  }

  dropoutForward(y: number, mask: number, x: number, n: number, rate: number, seed: number): void {
    dropoutForward(this.memory.f32(), y, mask, x, n, rate, seed);
  }

  lstmForward(hseq: number, cseq: number, gates: number, x: number, wx: number, wh: number, bias: number, peep: number,
    h0: number, c0: number, mask: number, B: number, T: number, I: number, H: number, goBackwards: boolean,
    act: number, recAct: number): void {
    lstmForward(this.memory.f32(), hseq, cseq, gates, x, wx, wh, bias, peep, h0, c0, mask, { B, T, I, H, goBackwards, act, recAct });
  }

  lstmBackward(dx: number, dwx: number, dwh: number, dbias: number, dpeep: number, dh0: number, dc0: number,
    dhseq: number, dhT: number, dcT: number, x: number, wx: number, wh: number, peep: number, h0: number, c0: number,
    mask: number, hseq: number, cseq: number, gates: number, B: number, T: number, I: number, H: number,
    goBackwards: boolean, act: number, recAct: number, _whPacked: number, hprev: number, dhBuf: number, dcBuf: number): void {
    lstmBackward(this.memory.f32(), dx, dwx, dwh, dbias, dpeep, dh0, dc0, dhseq, dhT, dcT, x, wx, wh, peep, h0, c0, mask,
      hseq, cseq, gates, { B, T, I, H, goBackwards, act, recAct }, hprev, dhBuf, dcBuf);
  }

  simpleRnnForward(hseq: number, x: number, wx: number, wh: number, bias: number, h0: number, mask: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number): void {
    simpleRnnForward(this.memory.f32(), hseq, x, wx, wh, bias, h0, mask, { B, T, I, H, goBackwards, act });
  }

  simpleRnnBackward(dx: number, dwx: number, dwh: number, dbias: number, dh0: number, dhseq: number, dhT: number,
    x: number, wx: number, wh: number, h0: number, mask: number, hseq: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number,
    _whPacked: number, dz: number, hprev: number, dhBuf: number): void {
    simpleRnnBackward(this.memory.f32(), dx, dwx, dwh, dbias, dh0, dhseq, dhT, x, wx, wh, h0, mask, hseq,
      { B, T, I, H, goBackwards, act }, dz, hprev, dhBuf);
  }

  gruForward(hseq: number, gates: number, aux: number, x: number, wx: number, wh: number, bias: number, h0: number,
    mask: number, B: number, T: number, I: number, H: number, goBackwards: boolean, act: number, recAct: number,
    resetAfter: boolean): void {
    gruForward(this.memory.f32(), hseq, gates, aux, x, wx, wh, bias, h0, mask, { B, T, I, H, goBackwards, act, recAct, resetAfter });
  }

  gruBackward(dx: number, dwx: number, dwh: number, dbias: number, dh0: number, dhseq: number, dhT: number,
    x: number, wx: number, wh: number, h0: number, mask: number, hseq: number, gates: number, aux: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number, recAct: number, resetAfter: boolean,
    _whPacked: number, hprev: number, dhBuf: number): void {
    gruBackward(this.memory.f32(), dx, dwx, dwh, dbias, dh0, dhseq, dhT, x, wx, wh, h0, mask, hseq, gates, aux,
      { B, T, I, H, goBackwards, act, recAct, resetAfter }, hprev, dhBuf);
  }

  bidirectionalMerge(y: number, f: number, b: number, mask: number, R: number, H: number, mode: number): void {
    bidirectionalMerge(this.memory.f32(), y, f, b, mask, R, H, mode);
  }

  bidirectionalMergeBackward(df: number, db: number, dy: number, f: number, b: number, mask: number,
    R: number, H: number, mode: number): void {
    bidirectionalMergeBackward(this.memory.f32(), df, db, dy, f, b, mask, R, H, mode);
  }

  bceLogits(dz: number, z: number, y: number, w: number, N: number, C: number, scale: number): number {
    return bceLogits(this.memory.f32(), dz, z, y, w, N, C, scale);
  }

  softmaxCe(dz: number, z: number, labels: number, w: number, N: number, C: number, sparse: boolean, scale: number): number {
    return softmaxCe(this.memory.f32(), this.memory.i32(), dz, z, labels, w, N, C, sparse, scale);
  }

  mse(dout: number, out: number, y: number, w: number, N: number, C: number, scale: number): number {
    return mse(this.memory.f32(), dout, out, y, w, N, C, scale);
  }

  sgdUpdate(w: number, g: number, vel: number, n: number, lr: number, momentum: number, nesterov: boolean): void {
    sgdUpdate(this.memory.f32(), w, g, vel, n, lr, momentum, nesterov);
  }

  adamUpdate(w: number, g: number, m: number, v: number, n: number, lrT: number, beta1: number, beta2: number, eps: number): void {
    adamUpdate(this.memory.f32(), w, g, m, v, n, lrT, beta1, beta2, eps);
  }

  rmspropUpdate(w: number, g: number, acc: number, mom: number, n: number, lr: number, rho: number, eps: number, momentum: number): void {
    rmspropUpdate(this.memory.f32(), w, g, acc, mom, n, lr, rho, eps, momentum);
  }

  adagradUpdate(w: number, g: number, acc: number, n: number, lr: number, eps: number): void {
    adagradUpdate(this.memory.f32(), w, g, acc, n, lr, eps);
  }

  clipValue(g: number, n: number, c: number): void {
    clipValue(this.memory.f32(), g, n, c);
  }
}
