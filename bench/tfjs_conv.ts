/**
 * The kernel TF.js's wasm backend lacks to train a Conv1D: the filter
 * gradient, Conv2DBackpropFilter (without it a training step throws "Kernel
 * 'Conv2DBackpropFilter' not registered for backend 'wasm'").
 *
 * TF.js runs a Conv1D as a 2-D convolution of x (B, 1, T, C) with a filter
 * (1, K, C, F). Its filter gradient is one matrix product,
 *   dW (K·C, F) = Uᵀ · dY,   U (N, K·C) the unfolded input, N = B·To,
 * which we hand to the backend's own BatchMatMul (XNNPACK). Uᵀ is written
 * directly in its (K·C, N) layout, so the product has no transposed operand
 * (TF.js-wasm's transposed matmuls skip XNNPACK and run ~10x slower: this
 * is the fastest form it has). The unfold is a copy in JS, in the timed step. Only
 * what W6 needs: height 1, dilation 1, 'valid' or 'same' padding, any stride.
 */
import type { tf as TF } from './tfjs.js';

interface Info {
  dataId: object;
  shape: number[];
  dtype: string;
}

interface WasmBackend {
  readSync(id: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string): Info;
  typedArrayFromHeap(t: Info): Float32Array;
  disposeData(id: object): void;
}

type KernelFn = (a: { inputs: Record<string, Info>; backend: WasmBackend; attrs: Record<string, unknown> }) => Info;

export const CONV_FILTER_NOTE =
  'TF.js: a Conv2DBackpropFilter kernel (bench/tfjs_conv.ts) is registered on the wasm backend, which has none ' +
  "(Conv1D training crashes without it): the unfolded input written transposed in JS, then the backend's own BatchMatMul (XNNPACK, no transposed operand).";

export function registerConvFilterGrad(t: typeof TF): void {
  if (t.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  const kernel = (name: string) => t.getKernel(name, 'wasm')!.kernelFunc as unknown as KernelFn;
  const filterGrad: KernelFn = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const [B, H, T, C] = x.shape;
    const [, , To, F] = dy.shape;
    const [fh, K] = attrs.filterShape as number[];
    const [sh, S] = attrs.strides as number[];
    const pad = attrs.pad;
    if (attrs.dataFormat !== 'NHWC' || H !== 1 || fh !== 1 || sh !== 1 || (pad !== 'valid' && pad !== 'same')) {
      throw new Error(
        `bench Conv2DBackpropFilter: only a Conv1D (height 1, 'valid' or 'same') is supported, got x [${x.shape}], filter [${attrs.filterShape}], pad ${JSON.stringify(pad)}`,
      );
    }
    const P = pad === 'valid' ? 0 : Math.floor(Math.max((To - 1) * S + K - T, 0) / 2);
    const N = B * To;
    const KC = K * C;
    // allocate first: a heap growth would detach a view taken before it
    const ut = backend.makeOutput([1, KC, N], 'float32');
    const xs = backend.readSync(x.dataId);
    // x transposed to (C, B·T), so each row of Uᵀ is a contiguous copy
    const BT = B * T;
    const xt = new Float32Array(C * BT);
    for (let r = 0; r < BT; r++) for (let c = 0; c < C; c++) xt[c * BT + r] = xs[r * C + c];
    // Uᵀ (K·C, N): row k·C + c holds x[b, t·S + k − P, c] for every output n = (b, t)
    const u = backend.typedArrayFromHeap(ut);
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < C; c++) {
        const row = (k * C + c) * N;
        for (let b = 0; b < B; b++) {
          const src = c * BT + b * T;
          const dst = row + b * To;
          for (let t = 0; t < To; t++) {
            const i = t * S + k - P;
            u[dst + t] = i >= 0 && i < T ? xt[src + i] : 0;
          }
        }
      }
    }
    const dy3 = kernel('Reshape')({ inputs: { x: dy }, backend, attrs: { shape: [1, N, F] } });
    const dw = kernel('BatchMatMul')({ inputs: { a: ut, b: dy3 }, backend, attrs: { transposeA: false, transposeB: false } });
    const out = kernel('Reshape')({ inputs: { x: dw }, backend, attrs: { shape: attrs.filterShape } });
    for (const i of [ut, dy3, dw]) backend.disposeData(i.dataId);
    return out;
  };
  t.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: filterGrad as never });
}
