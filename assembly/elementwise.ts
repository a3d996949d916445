// Small elementwise and reduction kernels the layers and optimizers need.
// Pointers are byte addresses of f32 arrays; dims count elements.

import { F32 } from './simd';

/** y (R,C) (=|+=) x (R,C) + b (C) broadcast over rows. y may alias x. */
export function bias_add_f32(y: usize, x: usize, b: usize, R: i32, C: i32): void {
  for (let r = 0; r < R; r++) {
    const o = <usize>r * <usize>C * F32;
    let j = 0;
    for (; j + 4 <= C; j += 4) {
      const q = <usize>j * F32;
      v128.store(y + o + q, f32x4.add(v128.load(x + o + q), v128.load(b + q)));
    }
    for (; j < C; j++) {
      const q = <usize>j * F32;
      store<f32>(y + o + q, load<f32>(x + o + q) + load<f32>(b + q));
    }
  }
}

/** db (C) (=|+=) Σ_r dy (R,C): the bias gradient, column sums. */
export function column_sum_f32(db: usize, dy: usize, R: i32, C: i32, accumulate: i32): void {
  if (accumulate == 0) memory.fill(db, 0, <usize>C * F32);
  for (let r = 0; r < R; r++) {
    const o = <usize>r * <usize>C * F32;
    let j = 0;
    for (; j + 4 <= C; j += 4) {
      const q = <usize>j * F32;
      v128.store(db + q, f32x4.add(v128.load(db + q), v128.load(dy + o + q)));
    }
    for (; j < C; j++) {
      const q = <usize>j * F32;
      store<f32>(db + q, load<f32>(db + q) + load<f32>(dy + o + q));
    }
  }
}

/** y (n) += alpha · x (n) */
export function axpy_f32(y: usize, x: usize, alpha: f32, n: i32): void {
  const av = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** y (n) = alpha · x (n). y may alias x. */
export function scale_f32(y: usize, x: usize, alpha: f32, n: i32): void {
  const av = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(y + o, f32x4.mul(av, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(y + o, alpha * load<f32>(x + o));
  }
}

/** y (n) (=|+=) a (n) · b (n), elementwise. */
export function mul_f32(y: usize, a: usize, b: usize, n: i32, accumulate: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    let v = f32x4.mul(v128.load(a + o), v128.load(b + o));
    if (accumulate != 0) v = f32x4.add(v, v128.load(y + o));
    v128.store(y + o, v);
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    let v = load<f32>(a + o) * load<f32>(b + o);
    if (accumulate != 0) v += load<f32>(y + o);
    store<f32>(y + o, v);
  }
}

/** y (n) = a (n) + b (n). */
export function add_f32(y: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(y + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(y + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** y (n) = value. */
export function fill_f32(y: usize, value: f32, n: i32): void {
  if (value == 0 && reinterpret<u32>(value) == 0) {
    memory.fill(y, 0, <usize>n * F32); // +0.0 is all zero bits: the engine's memset
    return;
  }
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + <usize>i * F32, v);
  for (; i < n; i++) store<f32>(y + <usize>i * F32, value);
}

/** y (n) = x (n). Regions may overlap. */
export function copy_f32(y: usize, x: usize, n: i32): void {
  memory.copy(y, x, <usize>n * F32);
}

/** Σ x (n)², accumulated in f64 (global-norm clipping must not overflow). */
export function sum_squares_f32(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + <usize>i * F32);
    s += v * v;
  }
  return s;
}

/** 1 if any of x (n) is NaN or ±Inf, else 0. */
export function has_non_finite_f32(x: usize, n: i32): i32 {
  let bad = i32x4.splat(0);
  const expMask = i32x4.splat(0x7f800000);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    // exponent bits all set <=> Inf or NaN
    const e = v128.and(v128.load(x + <usize>i * F32), expMask);
    bad = v128.or(bad, i32x4.eq(e, expMask));
  }
  if (v128.any_true(bad)) return 1;
  for (; i < n; i++) {
    if ((load<u32>(x + <usize>i * F32) & 0x7f800000) == 0x7f800000) return 1;
  }
  return 0;
}

/** dst rows (R, W) with row stride ds = src rows with row stride ss (strides in elements). */
export function copy_rows_f32(dst: usize, ds: i32, src: usize, ss: i32, R: i32, W: i32): void {
  for (let r = 0; r < R; r++) {
    memory.copy(dst + <usize>r * <usize>ds * F32, src + <usize>r * <usize>ss * F32, <usize>W * F32);
  }
}

/** y (B,T,F)[b,t] = x (B,T,F)[b,T-1-t]. y must not alias x. */
export function reverse_time_f32(y: usize, x: usize, B: i32, T: i32, F: i32): void {
  const rowBytes = <usize>F * F32;
  for (let b = 0; b < B; b++) {
    const base = <usize>b * <usize>T;
    for (let t = 0; t < T; t++) {
      memory.copy(y + (base + <usize>t) * rowBytes, x + (base + <usize>(T - 1 - t)) * rowBytes, rowBytes);
    }
  }
}
