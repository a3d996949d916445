/**
 * The pure-TypeScript twin of every kernel: the fallback where WebAssembly
 * SIMD is missing, the oracle in every parity test, and the "pure-JS version"
 * in every benchmark. The kernels themselves live in twin/, one file per
 * assembly/ file, each taking the heap and the kernel's argument object;
 * this class binds them to a heap it grows by copying.
 *
 * Honest code: the loop order a careful JS programmer would pick, typed
 * arrays, no allocation in loops. Activations use float64 Math and
 * round once to float32, so the twin is the accuracy reference.
 */
import { WasmRnnError } from '../errors.js';
import { KERNEL_NAMES, type KernelName } from './contract/index.js';
import type { KernelFn, KernelFns, Kernels } from './kernels.js';
import type { HeapMemory } from './memory.js';
import * as activations from './twin/activations.js';
import * as bidirectional from './twin/bidirectional.js';
import * as conv from './twin/conv.js';
import * as dropout from './twin/dropout.js';
import * as elementwise from './twin/elementwise.js';
import * as embedding from './twin/embedding.js';
import * as gemm from './twin/gemm.js';
import * as gru from './twin/gru.js';
import * as loss from './twin/loss.js';
import * as lstm from './twin/lstm.js';
import * as masking from './twin/masking.js';
import * as maximum from './twin/maximum.js';
import * as optim from './twin/optim.js';
import * as pooling from './twin/pooling.js';
import * as rnn from './twin/rnn.js';
import * as additiveScore from './twin/additive_score.js';
import * as batchedGemm from './twin/batched_gemm.js';
import * as l2Normalize from './twin/l2_normalize.js';
import * as layerNorm from './twin/layer_norm.js';
import * as softmaxMasked from './twin/softmax_masked.js';

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

/** A twin kernel: the heap and the kernel's argument object. */
type Twin<K extends KernelName> = (m: HeapMemory, a: Parameters<KernelFn<K>>[0]) => ReturnType<KernelFn<K>>;

/** Every kernel's twin, by kernel name; the type makes a missing one a compile error. */
const TWINS: { [K in KernelName]: Twin<K> } = {
  gemm: gemm.gemm,
  sigmoid: activations.sigmoid,
  tanh: activations.tanh,
  relu: activations.relu,
  hardSigmoid: activations.hardSigmoid,
  activation: activations.activation,
  activationBackward: activations.activationBackward,
  softmaxRows: activations.softmaxRows,
  softmaxRowsBackward: activations.softmaxRowsBackward,
  biasAdd: elementwise.biasAdd,
  columnSum: elementwise.columnSum,
  axpy: elementwise.axpy,
  scale: elementwise.scale,
  mul: elementwise.mul,
  add: elementwise.add,
  fill: elementwise.fill,
  copy: elementwise.copy,
  sumSquares: elementwise.sumSquares,
  hasNonFinite: elementwise.hasNonFinite,
  copyRows: elementwise.copyRows,
  reverseTime: elementwise.reverseTime,
  embeddingForward: embedding.embeddingForward,
  embeddingBackward: embedding.embeddingBackward,
  maskFromIds: embedding.maskFromIds,
  dropoutForward: dropout.dropoutForward,
  maskingForward: masking.maskingForward,
  rowScale: masking.rowScale,
  lstmForward: lstm.lstmForward,
  lstmBackward: lstm.lstmBackward,
  simpleRnnForward: rnn.simpleRnnForward,
  simpleRnnBackward: rnn.simpleRnnBackward,
  gruForward: gru.gruForward,
  gruBackward: gru.gruBackward,
  bidirectionalMerge: bidirectional.bidirectionalMerge,
  bidirectionalMergeBackward: bidirectional.bidirectionalMergeBackward,
  conv1dForward: conv.conv1dForward,
  conv1dBackward: conv.conv1dBackward,
  maxPool1dForward: pooling.maxPool1dForward,
  maxPool1dBackward: pooling.maxPool1dBackward,
  avgPool1dForward: pooling.avgPool1dForward,
  avgPool1dBackward: pooling.avgPool1dBackward,
  windowMask: pooling.windowMask,
  maximumForward: maximum.maximumForward,
  maximumBackward: maximum.maximumBackward,
  bceLogits: loss.bceLogits,
  softmaxCe: loss.softmaxCe,
  mse: loss.mse,
  sgdUpdate: optim.sgdUpdate,
  adamUpdate: optim.adamUpdate,
  rmspropUpdate: optim.rmspropUpdate,
  adagradUpdate: optim.adagradUpdate,
  clipValue: optim.clipValue,
  batchedGemm: batchedGemm.batchedGemm,
  maskedSoftmax: softmaxMasked.maskedSoftmax,
  maskedSoftmaxBackward: softmaxMasked.maskedSoftmaxBackward,
  additiveScore: additiveScore.additiveScore,
  additiveScoreBackward: additiveScore.additiveScoreBackward,
  layerNormForward: layerNorm.layerNormForward,
  layerNormBackward: layerNorm.layerNormBackward,
  l2Normalize: l2Normalize.l2Normalize,
  l2NormalizeBackward: l2Normalize.l2NormalizeBackward,
};

// the kernel methods are made in the constructor, one per table entry
export interface JsKernels extends KernelFns {}

export class JsKernels implements Kernels {
  readonly name = 'js' as const;
  readonly memory: JsMemory;

  constructor(memory = new JsMemory()) {
    this.memory = memory;
    const self = this as unknown as Record<KernelName, unknown>;
    for (const k of KERNEL_NAMES) {
      const twin = TWINS[k] as (m: HeapMemory, a: unknown) => unknown;
      self[k] = (a: unknown) => twin(memory, a);
    }
  }
}
