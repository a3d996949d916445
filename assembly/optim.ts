// Optimizer updates over one flat parameter vector (all of a model's weights
// are contiguous, so one call updates every layer). Keras formulas; the host
// computes step-dependent factors (Adam's bias-corrected learning rate).
//   w, g, state: (n) f32.  g is read only.

import { F32 } from './simd';

/** Keras SGD. momentum 0: w -= lr·g. Else v = m·v − lr·g; w += v (nesterov: w += m·v − lr·g). */
export function sgd_update_f32(w: usize, g: usize, vel: usize, n: i32, lr: f32, momentum: f32, nesterov: i32): void {
  const lrv = f32x4.splat(lr);
  const mv = f32x4.splat(momentum);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    const gv = v128.load(g + o);
    let wv = v128.load(w + o);
    if (momentum == 0) {
      wv = f32x4.sub(wv, f32x4.mul(lrv, gv));
    } else {
      const v = f32x4.sub(f32x4.mul(mv, v128.load(vel + o)), f32x4.mul(lrv, gv));
      v128.store(vel + o, v);
      wv = nesterov != 0 ? f32x4.add(wv, f32x4.sub(f32x4.mul(mv, v), f32x4.mul(lrv, gv))) : f32x4.add(wv, v);
    }
    v128.store(w + o, wv);
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    const gv = load<f32>(g + o);
    let wv = load<f32>(w + o);
    if (momentum == 0) {
      wv -= lr * gv;
    } else {
      const v = momentum * load<f32>(vel + o) - lr * gv;
      store<f32>(vel + o, v);
      wv = nesterov != 0 ? wv + (momentum * v - lr * gv) : wv + v;
    }
    store<f32>(w + o, wv);
  }
}

/**
 * Adam (Keras): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * w -= lrT · m / (√v + ε), lrT = lr·√(1−β2^t)/(1−β1^t) from the host.
 */
export function adam_update_f32(w: usize, g: usize, m: usize, v: usize, n: i32, lrT: f32, beta1: f32, beta2: f32, eps: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const lr = f32x4.splat(lrT), ev = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    const gv = v128.load(g + o);
    const mv = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, gv));
    const vv = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    v128.store(w + o, f32x4.sub(v128.load(w + o), f32x4.div(f32x4.mul(lr, mv), f32x4.add(f32x4.sqrt(vv), ev))));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    const gv = load<f32>(g + o);
    const mv = beta1 * load<f32>(m + o) + (1 - beta1) * gv;
    const vv = beta2 * load<f32>(v + o) + (1 - beta2) * gv * gv;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(w + o, load<f32>(w + o) - (lrT * mv) / (Mathf.sqrt(vv) + eps));
  }
}

/**
 * RMSprop (Keras 3 / TF.js): a = ρ·a + (1−ρ)·g²; step = lr·g / √(a + ε);
 * momentum 0: w -= step, else mom = μ·mom + step; w -= mom.
 */
export function rmsprop_update_f32(w: usize, g: usize, acc: usize, mom: usize, n: i32, lr: f32, rho: f32, eps: f32, momentum: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i * F32;
    const gv = load<f32>(g + o);
    const a = rho * load<f32>(acc + o) + (1 - rho) * gv * gv;
    store<f32>(acc + o, a);
    let step = (lr * gv) / Mathf.sqrt(a + eps);
    if (momentum != 0) {
      step = momentum * load<f32>(mom + o) + step;
      store<f32>(mom + o, step);
    }
    store<f32>(w + o, load<f32>(w + o) - step);
  }
}

/** Adagrad (Keras 3 / TF.js): a += g²; w -= lr·g / √(a + ε). */
export function adagrad_update_f32(w: usize, g: usize, acc: usize, n: i32, lr: f32, eps: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i * F32;
    const gv = load<f32>(g + o);
    const a = load<f32>(acc + o) + gv * gv;
    store<f32>(acc + o, a);
    store<f32>(w + o, load<f32>(w + o) - (lr * gv) / Mathf.sqrt(a + eps));
  }
}

/** g (n) = clip(g, −c, c) in place. */
export function clip_value_f32(g: usize, n: i32, c: f32): void {
  const hi = f32x4.splat(c), lo = f32x4.splat(-c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(g + o, f32x4.pmin(f32x4.pmax(v128.load(g + o), lo), hi));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(g + o, min(max(load<f32>(g + o), -c), c));
  }
}
