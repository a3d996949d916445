/**
 * Recurrent weight layouts, ONNX <-> Keras, written once for import and export.
 *
 *   ONNX  W (D, G·H, I), R (D, G·H, H): per direction, gate blocks of H rows,
 *         x·Wᵀ;  B (D, 2·G·H) = [Wb | Rb];  LSTM P (D, 3H) = [Pi | Po | Pf]
 *   Keras kernel (I, G·H), recurrent_kernel (H, G·H): gate blocks of H
 *         columns, x·kernel;  one bias (G·H), or GRU resetAfter (2, G·H)
 *         = [input bias; recurrent bias]; peepholes i, f, o as three (H)
 *
 * Gate orders: LSTM ONNX i o f c, Keras i f c o; GRU z r h in both;
 * SimpleRNN one gate. KERAS_TO_ONNX[cell][g] is where Keras gate g sits
 * among ONNX's gate blocks.
 */

export const KERAS_TO_ONNX = {
  LSTM: [0, 2, 3, 1],
  GRU: [0, 1, 2],
  SimpleRNN: [0],
} as const;

export type Cell = keyof typeof KERAS_TO_ONNX;

export function gateCount(cell: Cell): number {
  return KERAS_TO_ONNX[cell].length;
}

/** ONNX (G·H, K) for one direction -> Keras (K, G·H), where K is I or H. */
export function kerasKernel(w: Float32Array, cell: Cell, H: number, K: number): Float32Array {
  const perm = KERAS_TO_ONNX[cell];
  const G = perm.length;
  const out = new Float32Array(K * G * H);
  for (let g = 0; g < G; g++) {
    const src = perm[g] * H;
    for (let h = 0; h < H; h++) {
      const row = (src + h) * K;
      for (let k = 0; k < K; k++) out[k * G * H + g * H + h] = w[row + k];
    }
  }
  return out;
}

/** Keras (K, G·H) -> ONNX (G·H, K) for one direction. */
export function onnxKernel(kernel: Float32Array, cell: Cell, H: number, K: number): Float32Array {
  const perm = KERAS_TO_ONNX[cell];
  const G = perm.length;
  const out = new Float32Array(K * G * H);
  for (let g = 0; g < G; g++) {
    const dst = perm[g] * H;
    for (let h = 0; h < H; h++) {
      const row = (dst + h) * K;
      for (let k = 0; k < K; k++) out[row + k] = kernel[k * G * H + g * H + h];
    }
  }
  return out;
}

/** A (G·H) vector in ONNX gate order -> Keras gate order. */
export function kerasVector(b: Float32Array, cell: Cell, H: number): Float32Array {
  const perm = KERAS_TO_ONNX[cell];
  const out = new Float32Array(perm.length * H);
  perm.forEach((src, g) => out.set(b.subarray(src * H, (src + 1) * H), g * H));
  return out;
}

/** A (G·H) vector in Keras gate order -> ONNX gate order. */
export function onnxVector(b: Float32Array, cell: Cell, H: number): Float32Array {
  const perm = KERAS_TO_ONNX[cell];
  const out = new Float32Array(perm.length * H);
  perm.forEach((dst, g) => out.set(b.subarray(g * H, (g + 1) * H), dst * H));
  return out;
}

/** ONNX peepholes [Pi | Po | Pf] -> ours, in weight order: input, forget, output. */
export function kerasPeepholes(p: Float32Array, H: number): [Float32Array, Float32Array, Float32Array] {
  return [p.slice(0, H), p.slice(2 * H, 3 * H), p.slice(H, 2 * H)];
}

/** Ours (input, forget, output) -> ONNX [Pi | Po | Pf]. */
export function onnxPeepholes(pi: Float32Array, pf: Float32Array, po: Float32Array): Float32Array {
  const H = pi.length;
  const out = new Float32Array(3 * H);
  out.set(pi, 0);
  out.set(po, H);
  out.set(pf, 2 * H);
  return out;
}

export function add(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** Keras activation names <-> ONNX recurrent activation names (with the alpha/beta they need). */
export const RECURRENT_ACTIVATIONS: Record<string, { onnx: string; alpha?: number; beta?: number }> = {
  sigmoid: { onnx: 'Sigmoid' },
  tanh: { onnx: 'Tanh' },
  relu: { onnx: 'Relu' },
  hardSigmoid: { onnx: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  linear: { onnx: 'Affine', alpha: 1, beta: 0 },
};
