/**
 * The recurrent weight layouts, ONNX <-> Keras (src/onnx/layouts.ts): each
 * gate block lands where the other side keeps that gate, and the two
 * directions of the conversion are inverses. The end-to-end parity tests
 * would catch a wrong order too, but not say which gate.
 */
import { describe, expect, it } from 'vitest';
import {
  KERAS_TO_ONNX,
  kerasKernel,
  kerasPeepholes,
  kerasVector,
  onnxKernel,
  onnxPeepholes,
  onnxVector,
  type Cell,
} from '../../src/onnx/layouts.js';

/** An ONNX (G·H, K) matrix whose entry says its gate, unit and column: gate·100 + h·10 + k. */
function labelled(G: number, H: number, K: number): Float32Array {
  return Float32Array.from({ length: G * H * K }, (_, i) => Math.floor(i / (H * K)) * 100 + (Math.floor(i / K) % H) * 10 + (i % K));
}

describe('ONNX <-> Keras recurrent layouts', () => {
  it('LSTM: ONNX gates i o f c land in Keras blocks i f c o', () => {
    const H = 2;
    const K = 3;
    const keras = kerasKernel(labelled(4, H, K), 'LSTM', H, K);
    // Keras (K, 4H): column g·H + h of row k holds ONNX gate KERAS_TO_ONNX[g]
    const gateAt = (g: number) => Math.floor(keras[0 * 4 * H + g * H] / 100);
    expect([0, 1, 2, 3].map(gateAt)).toEqual([0, 2, 3, 1]); // i <- i, f <- f(2), c <- c(3), o <- o(1)
    expect(keras[2 * 4 * H + 3 * H + 1]).toBe(1 * 100 + 1 * 10 + 2); // row k=2, Keras o, unit 1 <- ONNX o = block 1
  });

  for (const cell of Object.keys(KERAS_TO_ONNX) as Cell[]) {
    it(`${cell}: kernel and bias conversions are inverses`, () => {
      const G = KERAS_TO_ONNX[cell].length;
      const H = 3;
      const K = 5;
      const w = labelled(G, H, K);
      expect(onnxKernel(kerasKernel(w, cell, H, K), cell, H, K)).toEqual(w);
      const b = Float32Array.from({ length: G * H }, (_, i) => i);
      expect(onnxVector(kerasVector(b, cell, H), cell, H)).toEqual(b);
    });
  }

  it('peepholes: ONNX [Pi | Po | Pf] -> ours input, forget, output, and back', () => {
    const p = Float32Array.from([1, 1, 2, 2, 3, 3]); // i, o, f
    const [i, f, o] = kerasPeepholes(p, 2);
    expect([...i, ...f, ...o]).toEqual([1, 1, 3, 3, 2, 2]);
    expect(onnxPeepholes(i, f, o)).toEqual(p);
  });
});
