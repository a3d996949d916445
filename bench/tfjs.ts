/**
 * TensorFlow.js as a bench contender: its `cpu` and `wasm` backends in this
 * process, one thread (TF.js never enables wasm threads in Node), and the
 * one kernel we add so both can train an Embedding.
 *
 * UnsortedSegmentSum (the gradient of gather, i.e. of Embedding): the wasm
 * backend has no such kernel (training crashes), and the cpu backend's loops
 * over every segment with an equal/multiply/sum over the whole input, O(V·N):
 * ~200 s and 8 GB per W1 step at V = 10000. We register the same small O(N)
 * scatter-add on both backends (replacing the cpu one) and say so in the
 * report. It reads its inputs with readSync and writes one output tensor,
 * exactly what a TF.js kernel does; its cost is in the timed step.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { CONV_FILTER_NOTE, registerConvFilterGrad } from './tfjs_conv.js';

export type TfBackend = 'cpu' | 'wasm';

export interface TfInfo {
  version: string;
  /** the wasm backend loaded its SIMD build */
  wasmSimd: boolean;
  wasmThreads: number;
  notes: string[];
}

/** out (S, R) = Σ over i with ids[i] = s of x (N, R)[i]; ids outside [0, S) are dropped, as TF does. */
export function scatterAdd(x: ArrayLike<number>, ids: ArrayLike<number>, S: number, R: number): Float32Array {
  const out = new Float32Array(S * R);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= S) continue;
    const o = s * R;
    const xi = i * R;
    for (let j = 0; j < R; j++) out[o + j] += x[xi + j];
  }
  return out;
}

interface KernelArgs {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  attrs: { numSegments: number };
  backend: {
    readSync(id: unknown): ArrayLike<number>;
    makeTensorInfo?(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
    makeOutput?(shape: number[], dtype: string): tf.TensorInfo;
    typedArrayFromHeap?(t: tf.TensorInfo): Float32Array;
  };
}

function segmentSumKernel(backendName: TfBackend) {
  return (args: unknown): tf.TensorInfo => {
    const { inputs, attrs, backend } = args as KernelArgs;
    const { x, segmentIds } = inputs;
    const S = attrs.numSegments;
    const rowShape = x.shape.slice(segmentIds.shape.length);
    const R = rowShape.reduce((a, b) => a * b, 1);
    const out = scatterAdd(backend.readSync(x.dataId), backend.readSync(segmentIds.dataId), S, R);
    const shape = [S, ...rowShape];
    if (backendName === 'cpu') return backend.makeTensorInfo!(shape, 'float32', out);
    const t = backend.makeOutput!(shape, 'float32');
    backend.typedArrayFromHeap!(t).set(out);
    return t;
  };
}

let loaded: TfInfo | null = null;

/** Load TF.js once: both backends, the segment-sum kernel on each. */
export async function loadTf(): Promise<TfInfo> {
  if (loaded) return loaded;
  await import('@tensorflow/tfjs-backend-wasm'); // registers 'wasm'
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // the Node default, made explicit
  const notes: string[] = [];
  const hadWasm = !!tf.getKernel('UnsortedSegmentSum', 'wasm');
  const hadCpu = !!tf.getKernel('UnsortedSegmentSum', 'cpu');
  if (hadCpu) tf.unregisterKernel('UnsortedSegmentSum', 'cpu');
  if (hadWasm) tf.unregisterKernel('UnsortedSegmentSum', 'wasm');
  for (const b of ['cpu', 'wasm'] as const)
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: b, kernelFunc: segmentSumKernel(b) as tf.KernelFunc });
  notes.push(
    `TF.js: an O(N) scatter-add UnsortedSegmentSum kernel (bench/tfjs.ts) is registered on the wasm backend ` +
      `(${hadWasm ? 'replacing its own' : 'which has none: Embedding training crashes without it'}) and on the cpu backend ` +
      `(${hadCpu ? 'replacing its own O(vocab·N) kernel, unusable at vocab 10000: ~200 s and 8 GB per W1 step' : 'which has none'}).`,
  );
  registerConvFilterGrad(tf);
  notes.push(CONV_FILTER_NOTE);
  await tf.setBackend('wasm');
  await tf.ready();
  const wasmSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const wasmThreads = getThreadsCount();
  await tf.setBackend('cpu');
  await tf.ready();
  loaded = { version: tf.version.tfjs, wasmSimd, wasmThreads, notes };
  return loaded;
}

export async function useTf(backend: TfBackend): Promise<typeof tf> {
  await loadTf();
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
  if (tf.getBackend() !== backend) throw new Error(`TF.js: could not switch to its ${backend} backend`);
  return tf;
}

export { tf };
