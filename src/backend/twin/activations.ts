/**
 * Twin of assembly/activations.ts: float64 Math, one rounding to float32 on
 * store. The accuracy reference for the vectorised approximations.
 */
import { ACT_HARD_SIGMOID, ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../abi.js';

export function act1(act: number, x: number): number {
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
export function actGrad1(act: number, y: number, dy: number): number {
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

// y (R,C) = softmax of each row of x
export function softmaxRows(h: Float32Array, y: number, x: number, R: number, C: number): void {
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

// dx (R,C) =|+= y ⊙ (dy − Σ y·dy)
export function softmaxRowsBackward(h: Float32Array, dx: number, y: number, dy: number, R: number, C: number, accumulate: boolean): void {
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
