// Losses: each returns Σ_n w_n · loss_n (f64) and writes the gradient with
// respect to the layer's pre-activation (logits) or output, times `scale`.
// The host sets scale = 1 / (number of averaged elements) as Keras does, and
// folds sample weights, class weights and masks into w (0 = no weights).
//
// Cross-entropies work on logits (stable log-sum-exp); the model fuses them
// with the sigmoid / softmax of its last layer, so the gradient is simply
// (p − y)·w·scale and probabilities never hit log(0).

import { F32 } from './simd';
import { expv } from './activations';

// @ts-ignore: decorator
@inline function weight(w: usize, n: i32): f32 {
  return w == 0 ? 1 : load<f32>(w + <usize>n * F32);
}

// @ts-ignore: decorator
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(expv(f32x4.splat(x)), 0);
}

/**
 * Binary cross-entropy from logits z (N,C) and targets y (N,C) in [0,1];
 * w (N) per row. dz (N,C) = w·(σ(z) − y)·scale.
 * loss = max(z,0) − z·y + log(1 + e^{−|z|}).
 */
export function bce_logits_f32(dz: usize, z: usize, y: usize, w: usize, N: i32, C: i32, scale: f32): f64 {
  let total: f64 = 0;
  for (let n = 0; n < N; n++) {
    const wn = weight(w, n);
    for (let c = 0; c < C; c++) {
      const o = (<usize>n * <usize>C + <usize>c) * F32;
      const zv = load<f32>(z + o);
      const yv = load<f32>(y + o);
      const e = exp1(-Mathf.abs(zv));
      const l = <f64>max(zv, 0) - <f64>zv * <f64>yv + Math.log1p(<f64>e);
      total += <f64>wn * l;
      // σ(z) from the same e^{−|z|}: no overflow on either side
      const p: f32 = zv >= 0 ? <f32>1 / (<f32>1 + e) : e / (<f32>1 + e);
      store<f32>(dz + o, wn * (p - yv) * scale);
    }
  }
  return total;
}

/**
 * Softmax cross-entropy from logits z (N,C). Targets: sparse = 1 → labels
 * (N) i32 class ids; sparse = 0 → y (N,C) f32 distributions. w (N) per row.
 * dz (N,C) = w·(softmax(z) − y)·scale.  loss = logΣe^z − Σ y·z.
 */
export function softmax_ce_f32(dz: usize, z: usize, labels: usize, w: usize, N: i32, C: i32, sparse: i32, scale: f32): f64 {
  let total: f64 = 0;
  for (let n = 0; n < N; n++) {
    const zr = z + <usize>n * <usize>C * F32;
    const dr = dz + <usize>n * <usize>C * F32;
    let m: f32 = -Infinity;
    for (let c = 0; c < C; c++) m = max(m, load<f32>(zr + <usize>c * F32));
    let s: f32 = 0;
    for (let c = 0; c < C; c++) {
      const e = exp1(load<f32>(zr + <usize>c * F32) - m);
      store<f32>(dr + <usize>c * F32, e);
      s += e;
    }
    const lse = <f64>m + Math.log(<f64>s);
    const wn = weight(w, n);
    const k = wn * scale;
    let yz: f64 = 0;
    if (sparse != 0) {
      const label = load<i32>(labels + <usize>n * 4);
      yz = <f64>load<f32>(zr + <usize>label * F32);
      for (let c = 0; c < C; c++) {
        const o = <usize>c * F32;
        store<f32>(dr + o, k * (load<f32>(dr + o) / s - (c == label ? <f32>1 : <f32>0)));
      }
    } else {
      const yr = labels + <usize>n * <usize>C * F32;
      let ysum: f64 = 0;
      for (let c = 0; c < C; c++) {
        const o = <usize>c * F32;
        const yv = load<f32>(yr + o);
        yz += <f64>yv * <f64>load<f32>(zr + o);
        ysum += <f64>yv;
        store<f32>(dr + o, k * (load<f32>(dr + o) / s - yv));
      }
      total += <f64>wn * (ysum * lse - yz);
      continue;
    }
    total += <f64>wn * (lse - yz);
  }
  return total;
}

/** Squared error: out (N,C), targets y (N,C), w (N). dout = 2·w·(out − y)·scale. */
export function mse_f32(dout: usize, out: usize, y: usize, w: usize, N: i32, C: i32, scale: f32): f64 {
  let total: f64 = 0;
  for (let n = 0; n < N; n++) {
    const wn = weight(w, n);
    let rowSum: f64 = 0;
    for (let c = 0; c < C; c++) {
      const o = (<usize>n * <usize>C + <usize>c) * F32;
      const d = load<f32>(out + o) - load<f32>(y + o);
      rowSum += <f64>d * <f64>d;
      store<f32>(dout + o, <f32>2 * wn * d * scale);
    }
    total += <f64>wn * rowSum;
  }
  return total;
}
