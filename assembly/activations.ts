// Elementwise activations and their derivatives, f32, vectorised.
//
//   y = f(x)                       sigmoid_f32, tanh_f32, relu_f32, hard_sigmoid_f32
//   dx (=|+=) dy · f'(x), from y   *_backward_f32 (derivative from the output)
//   softmax over the last axis     softmax_rows_f32
//
// Tails (n % 4) go through the same vector code on a splatted scalar, so a
// value gets the same bits wherever it sits in the array.
//
// exp: clamp, Cody-Waite range reduction x = n·ln2 + r (|r| <= ln2/2), the
// Cephes expf degree-5 polynomial for e^r, then 2^n from the exponent bits.
// Measured max abs error against float64 Math on a 4M-point grid over
// [-20, 20], both builds: sigmoid 8.9e-8, tanh 8.9e-8 (the test asserts a
// documented bound of 2e-7). tanh(x) near 0 is computed as a difference from
// 1, so its *relative* error there reaches 1.4e-5 while the absolute error
// stays below 9e-8.

import { madd, F32 } from './simd';
import { ACT_LINEAR, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_HARD_SIGMOID } from './abi';

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const MAGIC: f32 = 12582912.0; // 1.5 * 2^23: adding it rounds to an integer
const EXP_HI: f32 = 88.3; // keeps 2^n finite (n <= 127)
const EXP_LO: f32 = -87.3; // keeps 2^n normal (n >= -126)

// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  // n = round(x / ln2) by the magic-number trick (cheaper than nearest/trunc_sat in V8).
  const t = madd(x, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const n = f32x4.sub(t, f32x4.splat(MAGIC));
  let r = madd(n, f32x4.splat(-LN2_HI), x);
  r = madd(n, f32x4.splat(-LN2_LO), r);
  // e^r ~ 1 + r + r^2 · P(r)   (Cephes expf)
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const er = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1));
  // 2^n: the integer n sits in the low mantissa bits of t.
  const ni = i32x4.sub(t, i32x4.splat(0x4b400000));
  const pow2n = i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23);
  return f32x4.mul(er, pow2n);
}

// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  // 1 / (1 + e^-x): e^-x saturates at e^87.3 for x << 0, giving ~1e-38.
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expv(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  // tanh|x| = (1 - e^-2|x|) / (1 + e^-2|x|), sign restored from x.
  const ax = f32x4.abs(x);
  const e = expv(f32x4.mul(ax, f32x4.splat(-2)));
  const t = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  const sign = v128.and(x, i32x4.splat(0x80000000));
  return v128.or(t, sign);
}

// @ts-ignore: decorator
@inline export function reluv(x: v128): v128 {
  return f32x4.pmax(x, f32x4.splat(0));
}

// Keras 2 / TF.js hard sigmoid: clip(0.2·x + 0.5, 0, 1).
// @ts-ignore: decorator
@inline export function hardSigmoidv(x: v128): v128 {
  const y = madd(x, f32x4.splat(0.2), f32x4.splat(0.5));
  return f32x4.pmin(f32x4.pmax(y, f32x4.splat(0)), f32x4.splat(1));
}

/**
 * Apply activation `act` (ACT_*) to one vector. sigmoid and tanh, the gates'
 * activations, are inlined; the rest go through one out-of-line function to
 * keep the module small.
 */
// @ts-ignore: decorator
@inline export function activatev(act: i32, x: v128): v128 {
  if (act == ACT_SIGMOID) return sigmoidv(x);
  if (act == ACT_TANH) return tanhv(x);
  return activateRare(act, x);
}

function activateRare(act: i32, x: v128): v128 {
  if (act == ACT_RELU) return reluv(x);
  if (act == ACT_HARD_SIGMOID) return hardSigmoidv(x);
  return x;
}

/** dy · f'(x) expressed through y = f(x). */
// @ts-ignore: decorator
@inline export function activationGradv(act: i32, y: v128, dy: v128): v128 {
  if (act == ACT_SIGMOID) return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(f32x4.splat(1), y)));
  if (act == ACT_TANH) return f32x4.mul(dy, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
  if (act == ACT_RELU) return v128.and(dy, f32x4.gt(y, f32x4.splat(0)));
  if (act == ACT_HARD_SIGMOID) {
    // slope 0.2 strictly inside (0, 1), zero where clipped
    const inside = v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, f32x4.splat(1)));
    return v128.and(f32x4.mul(dy, f32x4.splat(0.2)), inside);
  }
  return dy;
}

/** Scalar through the vector path: identical bits to a lane of the vector loop. */
// @ts-ignore: decorator
@inline export function activate1(act: i32, x: f32): f32 {
  return f32x4.extract_lane(activatev(act, f32x4.splat(x)), 0);
}

/** y (n) = act(x (n)). In place (y == x) is fine. */
export function activate(y: usize, x: usize, n: i32, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(y + o, activatev(act, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(y + o, activate1(act, load<f32>(x + o)));
  }
}

/** dx (n) =|+= dy (n) · act'(from y (n)). dx may alias dy. */
export function activationBackward(dx: usize, y: usize, dy: usize, n: i32, act: i32, accumulate: bool): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    let g = activationGradv(act, v128.load(y + o), v128.load(dy + o));
    if (accumulate) g = f32x4.add(g, v128.load(dx + o));
    v128.store(dx + o, g);
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    let g = f32x4.extract_lane(activationGradv(act, f32x4.splat(load<f32>(y + o)), f32x4.splat(load<f32>(dy + o))), 0);
    if (accumulate) g += load<f32>(dx + o);
    store<f32>(dx + o, g);
  }
}

/** y (R,C) = softmax over each row of x (R,C); max-subtracted for stability. y may alias x. */
export function softmaxRows(y: usize, x: usize, R: i32, C: i32): void {
  for (let r = 0; r < R; r++) {
    const xr = x + <usize>r * <usize>C * F32;
    const yr = y + <usize>r * <usize>C * F32;
    let m: f32 = -Infinity;
    for (let j = 0; j < C; j++) m = max(m, load<f32>(xr + <usize>j * F32));
    const mv = f32x4.splat(m);
    let sv = f32x4.splat(0);
    let s: f32 = 0;
    let j = 0;
    for (; j + 4 <= C; j += 4) {
      const e = expv(f32x4.sub(v128.load(xr + <usize>j * F32), mv));
      v128.store(yr + <usize>j * F32, e);
      sv = f32x4.add(sv, e);
    }
    for (; j < C; j++) {
      const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(xr + <usize>j * F32) - m)), 0);
      store<f32>(yr + <usize>j * F32, e);
      s += e;
    }
    s += f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) + f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3);
    const inv = f32x4.splat(<f32>1 / s);
    j = 0;
    for (; j + 4 <= C; j += 4) v128.store(yr + <usize>j * F32, f32x4.mul(v128.load(yr + <usize>j * F32), inv));
    for (; j < C; j++) store<f32>(yr + <usize>j * F32, load<f32>(yr + <usize>j * F32) * (<f32>1 / s));
  }
}

// ----------------------------------------------------------------- exports

// y (n) = f(x (n))
export function sigmoid_f32(y: usize, x: usize, n: i32): void { activate(y, x, n, ACT_SIGMOID); }
export function tanh_f32(y: usize, x: usize, n: i32): void { activate(y, x, n, ACT_TANH); }
export function relu_f32(y: usize, x: usize, n: i32): void { activate(y, x, n, ACT_RELU); }
export function hard_sigmoid_f32(y: usize, x: usize, n: i32): void { activate(y, x, n, ACT_HARD_SIGMOID); }

/** y (n) = act(x (n)) for any ACT_* id except softmax. */
export function activation_forward_f32(y: usize, x: usize, n: i32, act: i32): void {
  if (act == ACT_LINEAR) { if (y != x) memory.copy(y, x, <usize>n * F32); return; }
  activate(y, x, n, act);
}

/** dx (n) =|+= dy (n) · act'(x), with y = act(x) (n). */
export function activation_backward_f32(dx: usize, y: usize, dy: usize, n: i32, act: i32, accumulate: i32): void {
  activationBackward(dx, y, dy, n, act, accumulate != 0);
}

// y (R,C) = softmax(x (R,C)) along C
export function softmax_rows_f32(y: usize, x: usize, R: i32, C: i32): void { softmaxRows(y, x, R, C); }

/**
 * dx (R,C) =|+= softmax Jacobianᵀ · dy, from y = softmax(x):
 * dx_j = y_j (dy_j - Σ_k y_k dy_k).
 */
export function softmax_rows_backward_f32(dx: usize, y: usize, dy: usize, R: i32, C: i32, accumulate: i32): void {
  for (let r = 0; r < R; r++) {
    const o = <usize>r * <usize>C * F32;
    let dot: f32 = 0;
    for (let j = 0; j < C; j++) dot += load<f32>(y + o + <usize>j * F32) * load<f32>(dy + o + <usize>j * F32);
    for (let j = 0; j < C; j++) {
      const p = o + <usize>j * F32;
      let g = load<f32>(y + p) * (load<f32>(dy + p) - dot);
      if (accumulate != 0) g += load<f32>(dx + p);
      store<f32>(dx + p, g);
    }
  }
}
