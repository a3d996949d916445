/**
 * Dot (Keras): every axes combination of rank-2 and rank-3 inputs against a
 * direct float64 computation on every backend, float64 finite-difference
 * checks of both inputs (plain and normalize), a zero vector under
 * normalize, bad axes. TF.js parity is in test/io/tfjs_attention.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Tensor, input, layers, model } from '../../src/index.js';
import { gradCheck, useFloat64Twin } from '../gradcheck.js';
import { Rng, expectClose, randomArray } from '../util.js';

afterAll(() => setBackend(null as never));

const rand = (shape: number[], seed: number) =>
  new Tensor(
    randomArray(
      new Rng(seed),
      shape.reduce((a, b) => a * b, 1),
      -1,
      1,
    ),
    shape,
  );

/** [x shape, y shape, axes, output shape] per sample */
const CASES: Array<[number[], number[], [number, number], number[]]> = [
  [
    [3, 4],
    [5, 4],
    [2, 2],
    [3, 5],
  ],
  [
    [4, 3],
    [4, 5],
    [1, 1],
    [3, 5],
  ],
  [
    [3, 4],
    [4, 5],
    [2, 1],
    [3, 5],
  ],
  [
    [4, 3],
    [5, 4],
    [1, 2],
    [3, 5],
  ],
  [[4], [4], [1, 1], [1]],
  [[3, 4], [4], [2, 1], [3]],
  [[4], [5, 4], [1, 2], [5]],
  [[4], [4, 5], [1, 1], [5]],
];

/** out[b, i, j] = Σ_k x'[b, i, k] · y'[b, k, j], x' and y' the inputs with the contracted axis moved. */
function reference(x: Tensor, y: Tensor, [ax, ay]: [number, number], normalize: boolean): Float64Array {
  const B = x.shape[0];
  const sx = x.shape.slice(1);
  const sy = y.shape.slice(1);
  const K = sx[ax - 1];
  const mx = sx.length === 1 ? 1 : sx[2 - ax];
  const my = sy.length === 1 ? 1 : sy[2 - ay];
  const at = (t: Tensor, s: number[], a: number, b: number, free: number, k: number) =>
    s.length === 1 ? t.data[b * K + k] : a === 1 ? t.data[(b * K + k) * s[1] + free] : t.data[(b * s[0] + free) * K + k];
  const norm = (t: Tensor, s: number[], a: number, b: number, free: number) => {
    let n = 0;
    for (let k = 0; k < K; k++) n += at(t, s, a, b, free, k) ** 2;
    return normalize ? 1 / Math.sqrt(Math.max(n, 1e-14)) : 1;
  };
  const out = new Float64Array(B * mx * my);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < mx; i++) {
      for (let j = 0; j < my; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += at(x, sx, ax, b, i, k) * at(y, sy, ay, b, j, k);
        out[(b * mx + i) * my + j] = s * norm(x, sx, ax, b, i) * norm(y, sy, ay, b, j);
      }
    }
  }
  return out;
}

describe('Dot', () => {
  for (const [sx, sy, axes, out] of CASES) {
    for (const normalize of [false, true]) {
      it(`(batch, ${sx}) · (batch, ${sy}), axes [${axes}]${normalize ? ', normalize' : ''}: values on every backend, float64 gradients`, async () => {
        const x = rand([3, ...sx], 1);
        const y = rand([3, ...sy], 2);
        const want = reference(x, y, axes, normalize);
        for (const backend of ['js', 'wasm-simd'] as const) {
          setBackend(await createBackend({ backend }));
          const a = input({ shape: sx });
          const b = input({ shape: sy });
          const d = layers.dot({ axes, normalize }).apply([a, b]);
          expect(d.shape).toEqual([null, ...out]);
          const got = model({ inputs: [a, b], outputs: d }).predict([x, y]) as Tensor;
          expectClose(got.data, want, { atol: 1e-6, rtol: 1e-5, label: backend });
        }
        useFloat64Twin();
        const a = input({ shape: sx });
        const b = input({ shape: sy });
        const m = model({ inputs: [a, b], outputs: layers.dot({ axes, normalize }).apply([a, b]) });
        gradCheck(m, [x, y]);
      });
    }
  }

  it('a zero vector under normalize stays finite (Keras clamps the squared norm at 1e-14)', async () => {
    setBackend(await createBackend({ backend: 'wasm-simd' }));
    const a = input({ shape: [3] });
    const b = input({ shape: [3] });
    const m = model({ inputs: [a, b], outputs: layers.dot({ axes: 1, normalize: true }).apply([a, b]) });
    const out = m.predict([new Tensor(new Float32Array(3), [1, 3]), new Tensor(Float32Array.of(1, 2, 3), [1, 3])]) as Tensor;
    expect(Array.from(out.data)).toEqual([0]);
    const g = m.gradients(
      [new Tensor(new Float32Array(3), [1, 3]), new Tensor(Float32Array.of(1, 2, 3), [1, 3])],
      new Tensor(Float32Array.of(1), [1, 1]),
    );
    expect(g.inputs!.every((t) => t!.data.every(Number.isFinite))).toBe(true);
  });

  it('bad axes and shapes fail at build time', () => {
    const a = input({ shape: [3, 4] });
    const b = input({ shape: [5, 6] });
    expect(() => layers.dot({ axes: 0 })).toThrow(/axes must be a non-zero integer or two of them/);
    expect(() => layers.dot({ axes: [1, 2, 3] as never })).toThrow(/axes must be/);
    expect(() => layers.dot({ axes: [2, 2] }).apply([a, b])).toThrow(
      /contracts axis 2 of \(batch, 3, 4\) \(size 4\) with axis 2 of \(batch, 5, 6\) \(size 6\)/,
    );
    expect(() => layers.dot({ axes: 3 }).apply([a, b])).toThrow(/axis 3 is out of range for input 0 of rank 3/);
    expect(() => layers.dot({ axes: 1 }).apply([a, a, a])).toThrow(/Dot takes 2 inputs, got 3/);
    expect(() => layers.dot({ axes: 1 }).apply([input({ shape: [2, 3, 4] }), a])).toThrow(/rank 2 or 3/);
    expect(layers.dot({ axes: -1 }).apply([a, input({ shape: [7, 4] })]).shape).toEqual([null, 3, 7]);
  });
});
