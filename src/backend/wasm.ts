/**
 * The WebAssembly backend: the only file that sees pointers and views of the
 * module's memory.
 *
 * Memory layout: [0, heap_base) is the module's static data; the arena
 * (arena.ts) owns everything above, in 4-byte slots. Pointers are bytes:
 * slot offset << 2.
 *
 * memory.grow detaches every view of the old buffer. WasmMemory re-derives
 * its views whenever the buffer it holds is no longer memory.buffer, so a
 * caller that asks f32()/i32() after any call that may grow always gets a
 * live view.
 */
import { WasmRnnError } from '../errors.js';
import type { BackendName, GemmForm, HeapMemory, Kernels } from './backend.js';
import type { WasmExports } from './generated/exports.js';

const PAGE = 65536;
/** wasm32 can address 4 GiB: 65536 pages. */
const MAX_PAGES = 65536;

export class WasmMemory implements HeapMemory {
  readonly base: number;
  private readonly memory: WebAssembly.Memory;
  private buffer: ArrayBuffer;
  private f32v: Float32Array;
  private i32v: Int32Array;

  constructor(memory: WebAssembly.Memory, heapBaseBytes: number) {
    this.memory = memory;
    this.base = Math.ceil(heapBaseBytes / 4);
    this.buffer = memory.buffer;
    this.f32v = new Float32Array(this.buffer);
    this.i32v = new Int32Array(this.buffer);
  }

  size(): number {
    return this.memory.buffer.byteLength >>> 2;
  }

  grow(minSlots: number): void {
    const have = this.memory.buffer.byteLength;
    const want = minSlots * 4;
    if (want <= have) return;
    const pages = Math.ceil((want - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) {
      throw new WasmRnnError('E_MEMORY', `memory: ${want} bytes requested, WebAssembly memory is limited to 4 GiB`);
    }
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new WasmRnnError('E_MEMORY', `memory: could not grow WebAssembly memory to ${want} bytes (${String(e)})`);
    }
    this.refresh();
  }

  f32(): Float32Array {
    if (this.buffer !== this.memory.buffer) this.refresh();
    return this.f32v;
  }

  i32(): Int32Array {
    if (this.buffer !== this.memory.buffer) this.refresh();
    return this.i32v;
  }

  private refresh(): void {
    this.buffer = this.memory.buffer;
    this.f32v = new Float32Array(this.buffer);
    this.i32v = new Int32Array(this.buffer);
  }
}

export class WasmKernels implements Kernels {
  readonly name: BackendName;
  readonly memory: WasmMemory;
  private readonly x: WasmExports;

  constructor(exports: WasmExports) {
    this.x = exports;
    this.name = exports.VARIANT.value === 1 ? 'wasm-relaxed-simd' : 'wasm-simd';
    this.memory = new WasmMemory(exports.memory, exports.heap_base() >>> 0);
  }

  gemm(form: GemmForm, c: number, ldc: number, a: number, lda: number, b: number, ldb: number,
    M: number, N: number, K: number, accumulate: boolean, work: number): void {
    const f = form === 'nn' ? this.x.gemm_nn_f32 : form === 'nt' ? this.x.gemm_nt_f32 : this.x.gemm_tn_f32;
    f(c << 2, ldc, a << 2, lda, b << 2, ldb, M, N, K, accumulate ? 1 : 0, work << 2);
  }

  activation(y: number, x: number, n: number, act: number): void {
    this.x.activation_forward_f32(y << 2, x << 2, n, act);
  }

  activationBackward(dx: number, y: number, dy: number, n: number, act: number, accumulate: boolean): void {
    this.x.activation_backward_f32(dx << 2, y << 2, dy << 2, n, act, accumulate ? 1 : 0);
  }

  softmaxRows(y: number, x: number, R: number, C: number): void {
    this.x.softmax_rows_f32(y << 2, x << 2, R, C);
  }

  softmaxRowsBackward(dx: number, y: number, dy: number, R: number, C: number, accumulate: boolean): void {
    this.x.softmax_rows_backward_f32(dx << 2, y << 2, dy << 2, R, C, accumulate ? 1 : 0);
  }

  biasAdd(y: number, x: number, b: number, R: number, C: number): void {
    this.x.bias_add_f32(y << 2, x << 2, b << 2, R, C);
  }

  columnSum(db: number, dy: number, R: number, C: number, accumulate: boolean): void {
    this.x.column_sum_f32(db << 2, dy << 2, R, C, accumulate ? 1 : 0);
  }

  axpy(y: number, x: number, alpha: number, n: number): void {
    this.x.axpy_f32(y << 2, x << 2, alpha, n);
  }

  scale(y: number, x: number, alpha: number, n: number): void {
    this.x.scale_f32(y << 2, x << 2, alpha, n);
  }

  mul(y: number, a: number, b: number, n: number, accumulate: boolean): void {
    this.x.mul_f32(y << 2, a << 2, b << 2, n, accumulate ? 1 : 0);
  }

  add(y: number, a: number, b: number, n: number): void {
    this.x.add_f32(y << 2, a << 2, b << 2, n);
  }

  fill(y: number, value: number, n: number): void {
    this.x.fill_f32(y << 2, value, n);
  }

  copy(y: number, x: number, n: number): void {
    this.x.copy_f32(y << 2, x << 2, n);
  }

  sumSquares(x: number, n: number): number {
    return this.x.sum_squares_f32(x << 2, n);
  }

  hasNonFinite(x: number, n: number): boolean {
    return this.x.has_non_finite_f32(x << 2, n) !== 0;
  }
  copyRows(dst: number, ds: number, src: number, ss: number, R: number, W: number): void {
    this.x.copy_rows_f32(dst << 2, ds, src << 2, ss, R, W);
  }

  reverseTime(y: number, x: number, B: number, T: number, F: number): void {
    this.x.reverse_time_f32(y << 2, x << 2, B, T, F);
  }

  embeddingForward(y: number, ids: number, w: number, N: number, D: number): void {
    this.x.embedding_forward_f32(y << 2, ids << 2, w << 2, N, D);
  }

  embeddingBackward(dw: number, dy: number, ids: number, N: number, D: number): void {
    this.x.embedding_backward_f32(dw << 2, dy << 2, ids << 2, N, D);
  }

  maskFromIds(mask: number, ids: number, N: number): void {
    this.x.mask_from_ids_f32(mask << 2, ids << 2, N);
  }

  maskingForward(y: number, mask: number, x: number, N: number, F: number, value: number): void {
    this.x.masking_forward_f32(y << 2, mask << 2, x << 2, N, F, value);
  }

  rowScale(y: number, x: number, s: number, R: number, C: number): void {
    this.x.row_scale_f32(y << 2, x << 2, s << 2, R, C);
  }

  dropoutForward(y: number, mask: number, x: number, n: number, rate: number, seed: number): void {
    this.x.dropout_forward_f32(y << 2, mask << 2, x << 2, n, rate, seed | 0);
  }

  lstmForward(hseq: number, cseq: number, gates: number, x: number, wx: number, wh: number, bias: number, peep: number,
    h0: number, c0: number, mask: number, B: number, T: number, I: number, H: number, goBackwards: boolean,
    act: number, recAct: number, whPacked: number, work: number): void {
    this.x.lstm_forward_f32(hseq << 2, cseq << 2, gates << 2, x << 2, wx << 2, wh << 2, bias << 2, peep << 2,
      h0 << 2, c0 << 2, mask << 2, B, T, I, H, goBackwards ? 1 : 0, act, recAct, whPacked << 2, work << 2);
  }

  lstmBackward(dx: number, dwx: number, dwh: number, dbias: number, dpeep: number, dh0: number, dc0: number,
    dhseq: number, dhT: number, dcT: number, x: number, wx: number, wh: number, peep: number, h0: number, c0: number,
    mask: number, hseq: number, cseq: number, gates: number, B: number, T: number, I: number, H: number,
    goBackwards: boolean, act: number, recAct: number, whPacked: number, hprev: number, dhBuf: number, dcBuf: number,
    work: number): void {
    this.x.lstm_backward_f32(dx << 2, dwx << 2, dwh << 2, dbias << 2, dpeep << 2, dh0 << 2, dc0 << 2,
      dhseq << 2, dhT << 2, dcT << 2, x << 2, wx << 2, wh << 2, peep << 2, h0 << 2, c0 << 2, mask << 2,
      hseq << 2, cseq << 2, gates << 2, B, T, I, H, goBackwards ? 1 : 0, act, recAct,
      whPacked << 2, hprev << 2, dhBuf << 2, dcBuf << 2, work << 2);
  }

  simpleRnnForward(hseq: number, x: number, wx: number, wh: number, bias: number, h0: number, mask: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number, whPacked: number, work: number): void {
    this.x.simple_rnn_forward_f32(hseq << 2, x << 2, wx << 2, wh << 2, bias << 2, h0 << 2, mask << 2,
      B, T, I, H, goBackwards ? 1 : 0, act, whPacked << 2, work << 2);
  }

  simpleRnnBackward(dx: number, dwx: number, dwh: number, dbias: number, dh0: number, dhseq: number, dhT: number,
    x: number, wx: number, wh: number, h0: number, mask: number, hseq: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number,
    whPacked: number, dz: number, hprev: number, dhBuf: number, work: number): void {
    this.x.simple_rnn_backward_f32(dx << 2, dwx << 2, dwh << 2, dbias << 2, dh0 << 2, dhseq << 2, dhT << 2,
      x << 2, wx << 2, wh << 2, h0 << 2, mask << 2, hseq << 2, B, T, I, H, goBackwards ? 1 : 0, act,
      whPacked << 2, dz << 2, hprev << 2, dhBuf << 2, work << 2);
  }

  gruForward(hseq: number, gates: number, aux: number, x: number, wx: number, wh: number, bias: number, h0: number,
    mask: number, B: number, T: number, I: number, H: number, goBackwards: boolean, act: number, recAct: number,
    resetAfter: boolean, whPacked: number, work: number): void {
    this.x.gru_forward_f32(hseq << 2, gates << 2, aux << 2, x << 2, wx << 2, wh << 2, bias << 2, h0 << 2, mask << 2,
      B, T, I, H, goBackwards ? 1 : 0, act, recAct, resetAfter ? 1 : 0, whPacked << 2, work << 2);
  }

  gruBackward(dx: number, dwx: number, dwh: number, dbias: number, dh0: number, dhseq: number, dhT: number,
    x: number, wx: number, wh: number, h0: number, mask: number, hseq: number, gates: number, aux: number,
    B: number, T: number, I: number, H: number, goBackwards: boolean, act: number, recAct: number, resetAfter: boolean,
    whPacked: number, hprev: number, dhBuf: number, work: number): void {
    this.x.gru_backward_f32(dx << 2, dwx << 2, dwh << 2, dbias << 2, dh0 << 2, dhseq << 2, dhT << 2,
      x << 2, wx << 2, wh << 2, h0 << 2, mask << 2, hseq << 2, gates << 2, aux << 2,
      B, T, I, H, goBackwards ? 1 : 0, act, recAct, resetAfter ? 1 : 0, whPacked << 2, hprev << 2, dhBuf << 2, work << 2);
  }

  bidirectionalMerge(y: number, f: number, b: number, mask: number, R: number, H: number, mode: number): void {
    this.x.bidirectional_merge_f32(y << 2, f << 2, b << 2, mask << 2, R, H, mode);
  }

  bidirectionalMergeBackward(df: number, db: number, dy: number, f: number, b: number, mask: number,
    R: number, H: number, mode: number): void {
    this.x.bidirectional_merge_backward_f32(df << 2, db << 2, dy << 2, f << 2, b << 2, mask << 2, R, H, mode);
  }

  bceLogits(dz: number, z: number, y: number, w: number, N: number, C: number, scale: number): number {
    return this.x.bce_logits_f32(dz << 2, z << 2, y << 2, w << 2, N, C, scale);
  }

  softmaxCe(dz: number, z: number, labels: number, w: number, N: number, C: number, sparse: boolean, scale: number): number {
    return this.x.softmax_ce_f32(dz << 2, z << 2, labels << 2, w << 2, N, C, sparse ? 1 : 0, scale);
  }

  mse(dout: number, out: number, y: number, w: number, N: number, C: number, scale: number): number {
    return this.x.mse_f32(dout << 2, out << 2, y << 2, w << 2, N, C, scale);
  }

  sgdUpdate(w: number, g: number, vel: number, n: number, lr: number, momentum: number, nesterov: boolean): void {
    this.x.sgd_update_f32(w << 2, g << 2, vel << 2, n, lr, momentum, nesterov ? 1 : 0);
  }

  adamUpdate(w: number, g: number, m: number, v: number, n: number, lrT: number, beta1: number, beta2: number, eps: number): void {
    this.x.adam_update_f32(w << 2, g << 2, m << 2, v << 2, n, lrT, beta1, beta2, eps);
  }

  rmspropUpdate(w: number, g: number, acc: number, mom: number, n: number, lr: number, rho: number, eps: number, momentum: number): void {
    this.x.rmsprop_update_f32(w << 2, g << 2, acc << 2, mom << 2, n, lr, rho, eps, momentum);
  }

  adagradUpdate(w: number, g: number, acc: number, n: number, lr: number, eps: number): void {
    this.x.adagrad_update_f32(w << 2, g << 2, acc << 2, n, lr, eps);
  }

  clipValue(g: number, n: number, c: number): void {
    this.x.clip_value_f32(g << 2, n, c);
  }
}
