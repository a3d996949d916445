// L2 normalisation along one axis (Keras Dot with normalize=True):
//
//   x viewed as (O, N, I): the axis is N, with stride I (I = 1: the last axis)
//   inv[o,i] = 1/√max(Σ_n x[o,n,i]², ε²),  ε = 1e-7 (Keras's epsilon; the
//              clamp keeps a zero vector finite, as keras.ops.normalize does)
//   y[o,n,i] = x[o,n,i] · inv[o,i]
//
// Backward, y = x·inv: where the clamp is off, dx = inv · (dy − y · Σ_n y ⊙ dy);
// where it is on, inv is a constant and dx = inv · dy.
//
// The forward runs on vectors: along n when I = 1, else along i (four
// columns at a time), tails through the scalar path. The backward is scalar:
// Dot's normalisation is far from any hot path. All f32.

import { F32 } from './simd';

const EPS2: f32 = 1e-14;

function horizontalSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Σ_n x[n·I]² of one column (I > 1) or row (I = 1). */
function sumSquares(x: usize, N: i32, I: i32): f32 {
  if (I == 1) {
    let sv = f32x4.splat(0);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const v = v128.load(x + <usize>n * F32);
      sv = f32x4.add(sv, f32x4.mul(v, v));
    }
    let s = horizontalSum(sv);
    for (; n < N; n++) {
      const v = load<f32>(x + <usize>n * F32);
      s += v * v;
    }
    return s;
  }
  let s: f32 = 0;
  for (let n = 0; n < N; n++) {
    const v = load<f32>(x + <usize>n * <usize>I * F32);
    s += v * v;
  }
  return s;
}

/** y (O,N,I) = x · inv, inv (O,I) = 1/√max(Σ_n x², ε²). y may alias x. */
export function l2_normalize_f32(y: usize, inv: usize, x: usize, O: i32, N: i32, I: i32): void {
  const slab = <usize>N * <usize>I * F32;
  for (let o = 0; o < O; o++) {
    const xo = x + <usize>o * slab;
    const yo = y + <usize>o * slab;
    if (I == 1) {
      const r = <f32>1 / sqrt<f32>(max(sumSquares(xo, N, 1), EPS2));
      store<f32>(inv + <usize>o * F32, r);
      const rv = f32x4.splat(r);
      let n = 0;
      for (; n + 4 <= N; n += 4) v128.store(yo + <usize>n * F32, f32x4.mul(v128.load(xo + <usize>n * F32), rv));
      for (; n < N; n++) store<f32>(yo + <usize>n * F32, load<f32>(xo + <usize>n * F32) * r);
      continue;
    }
    // columns: four at a time along i
    const io = inv + <usize>o * <usize>I * F32;
    let i = 0;
    for (; i + 4 <= I; i += 4) {
      let sv = f32x4.splat(0);
      for (let n = 0; n < N; n++) {
        const v = v128.load(xo + (<usize>n * <usize>I + <usize>i) * F32);
        sv = f32x4.add(sv, f32x4.mul(v, v));
      }
      const rv = f32x4.div(f32x4.splat(1), f32x4.sqrt(f32x4.pmax(sv, f32x4.splat(EPS2))));
      v128.store(io + <usize>i * F32, rv);
      for (let n = 0; n < N; n++) {
        const p = (<usize>n * <usize>I + <usize>i) * F32;
        v128.store(yo + p, f32x4.mul(v128.load(xo + p), rv));
      }
    }
    for (; i < I; i++) {
      const r = <f32>1 / sqrt<f32>(max(sumSquares(xo + <usize>i * F32, N, I), EPS2));
      store<f32>(io + <usize>i * F32, r);
      for (let n = 0; n < N; n++) {
        const p = (<usize>n * <usize>I + <usize>i) * F32;
        store<f32>(yo + p, load<f32>(xo + p) * r);
      }
    }
  }
}

/** One vector (n = 0..N−1, stride I): dx =|+= inv·(dy − y·Σ y⊙dy), or inv·dy where the clamp is on. */
function vectorBackward(dx: usize, dy: usize, x: usize, r: f32, N: i32, I: i32, accumulate: bool): void {
  const stride = <usize>I * F32;
  const clamped = sumSquares(x, N, I) < EPS2;
  let dot: f32 = 0;
  if (!clamped) for (let n = 0; n < N; n++) dot += load<f32>(x + <usize>n * stride) * r * load<f32>(dy + <usize>n * stride);
  for (let n = 0; n < N; n++) {
    const p = <usize>n * stride;
    let v = r * (load<f32>(dy + p) - load<f32>(x + p) * r * dot);
    if (accumulate) v += load<f32>(dx + p);
    store<f32>(dx + p, v);
  }
}

/** dx (O,N,I) =|+= the gradient of l2_normalize_f32 from dy (O,N,I), its x and inv (O,I). dx may alias dy. */
export function l2_normalize_backward_f32(dx: usize, dy: usize, x: usize, inv: usize, O: i32, N: i32, I: i32, accumulate: i32): void {
  const slab = <usize>N * <usize>I * F32;
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      const p = <usize>o * slab + <usize>i * F32;
      const r = load<f32>(inv + (<usize>o * <usize>I + <usize>i) * F32);
      vectorBackward(dx + p, dy + p, x + p, r, N, I, accumulate != 0);
    }
  }
}
