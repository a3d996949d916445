/**
 * Weight initialisers with Keras's defaults and fan rules, drawing from the
 * model's seeded Rng so the same seed gives the same weights everywhere.
 */
import type { Rng } from '../rng.js';

export type Initializer = (rng: Rng, shape: number[]) => Float32Array;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Keras _compute_fans: 1-D → (n, n); 2-D → (rows, cols). */
function fans(shape: number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = size(shape.slice(0, -2));
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

export const zeros: Initializer = (_rng, shape) => new Float32Array(size(shape));

export const ones: Initializer = (_rng, shape) => new Float32Array(size(shape)).fill(1);

/** Keras RandomUniform(−0.05, 0.05): the Embedding default. */
export function randomUniform(lo = -0.05, hi = 0.05): Initializer {
  return (rng, shape) => {
    const out = new Float32Array(size(shape));
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform(lo, hi);
    return out;
  };
}

/** U(−l, l), l = √(6 / (fan_in + fan_out)). */
export const glorotUniform: Initializer = (rng, shape) => {
  const [fin, fout] = fans(shape);
  return randomUniform(-Math.sqrt(6 / (fin + fout)), Math.sqrt(6 / (fin + fout)))(rng, shape);
};

/**
 * Keras Orthogonal(gain 1) for a 2-D (rows, cols) shape: QR of a normal
 * matrix of shape (max, min), Q's columns made unique by sign(diag(R)), and
 * transposed when rows < cols, so the result has orthonormal rows or columns.
 * Householder-free modified Gram-Schmidt in float64 is exact enough here.
 */
export const orthogonal: Initializer = (rng, shape) => {
  const rows = shape.length >= 2 ? size(shape.slice(0, -1)) : 1;
  const cols = shape[shape.length - 1];
  const n = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  // a: n x k, column-major for Gram-Schmidt
  const a = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) a[j * n + i] = rng.normal();
  for (let j = 0; j < k; j++) {
    const cj = j * n;
    for (let p = 0; p < j; p++) {
      const cp = p * n;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[cp + i] * a[cj + i];
      for (let i = 0; i < n; i++) a[cj + i] -= dot * a[cp + i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[cj + i] * a[cj + i];
    norm = Math.sqrt(norm) || 1;
    // R's diagonal is the (positive) norm: Gram-Schmidt already fixes the signs
    for (let i = 0; i < n; i++) a[cj + i] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // q is n x k; the result is q (rows >= cols) or qᵀ (rows < cols)
      out[r * cols + c] = rows >= cols ? a[c * n + r] : a[r * n + c];
    }
  }
  return out;
};
