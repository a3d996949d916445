// Layer normalisation over the last axis (Keras LayerNormalization, axis −1):
//
//   μ = mean(x[r,:]),  σ² = mean((x[r,:] − μ)²),  rstd = 1/√(σ² + ε)
//   y[r,:] = γ ⊙ (x[r,:] − μ)·rstd + β          γ, β (C) optional (scale, center)
//
// The variance is the biased one, in two passes (no E[x²] − μ² cancellation),
// as Keras and TF.js compute it. μ and rstd (R) are kept for the backward:
//
//   x̂ = (x − μ)·rstd,  g = dy ⊙ γ
//   dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂))
//   dγ += Σ_r dy ⊙ x̂,   dβ += Σ_r dy
//
// Dims: R rows (every position but the last axis), C features; all f32.
// Tails (C % 4) go through the scalar path of the same arithmetic.

import { F32 } from './simd';

function horizontalSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** y (R,C) =, mean (R) =, rstd (R) = from x (R,C), gamma (C) or 0, beta (C) or 0. y may alias x. */
export function layer_norm_forward_f32(y: usize, mean: usize, rstd: usize, x: usize, gamma: usize, beta: usize,
  R: i32, C: i32, eps: f32): void {
  const invC: f32 = <f32>1 / <f32>C;
  for (let r = 0; r < R; r++) {
    const xr = x + <usize>r * <usize>C * F32;
    const yr = y + <usize>r * <usize>C * F32;
    let sv = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= C; j += 4) sv = f32x4.add(sv, v128.load(xr + <usize>j * F32));
    let s = horizontalSum(sv);
    for (; j < C; j++) s += load<f32>(xr + <usize>j * F32);
    const mu = s * invC;
    const mv = f32x4.splat(mu);
    let qv = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= C; j += 4) {
      const d = f32x4.sub(v128.load(xr + <usize>j * F32), mv);
      qv = f32x4.add(qv, f32x4.mul(d, d));
    }
    let q = horizontalSum(qv);
    for (; j < C; j++) {
      const d = load<f32>(xr + <usize>j * F32) - mu;
      q += d * d;
    }
    const rs = <f32>1 / sqrt<f32>(q * invC + eps);
    store<f32>(mean + <usize>r * F32, mu);
    store<f32>(rstd + <usize>r * F32, rs);
    const rv = f32x4.splat(rs);
    j = 0;
    for (; j + 4 <= C; j += 4) {
      const o = <usize>j * F32;
      let v = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      if (gamma != 0) v = f32x4.mul(v, v128.load(gamma + o));
      if (beta != 0) v = f32x4.add(v, v128.load(beta + o));
      v128.store(yr + o, v);
    }
    for (; j < C; j++) {
      const o = <usize>j * F32;
      let v = (load<f32>(xr + o) - mu) * rs;
      if (gamma != 0) v *= load<f32>(gamma + o);
      if (beta != 0) v += load<f32>(beta + o);
      store<f32>(yr + o, v);
    }
  }
}

/**
 * dx (R,C) =|+=, dgamma (C) += (or 0), dbeta (C) += (or 0), from dy (R,C) and
 * the forward's x, gamma, mean, rstd. dx may alias dy.
 */
export function layer_norm_backward_f32(dx: usize, dgamma: usize, dbeta: usize, dy: usize, x: usize, gamma: usize,
  mean: usize, rstd: usize, R: i32, C: i32, accumulate: i32): void {
  const invC: f32 = <f32>1 / <f32>C;
  for (let r = 0; r < R; r++) {
    const o = <usize>r * <usize>C * F32;
    const mu = f32x4.splat(load<f32>(mean + <usize>r * F32));
    const rs = load<f32>(rstd + <usize>r * F32);
    const rv = f32x4.splat(rs);
    // mean(g) and mean(g ⊙ x̂); the weight gradients on the way
    let gsum = f32x4.splat(0);
    let gxsum = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= C; j += 4) {
      const p = <usize>j * F32;
      const d = v128.load(dy + o + p);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o + p), mu), rv);
      if (dgamma != 0) v128.store(dgamma + p, f32x4.add(v128.load(dgamma + p), f32x4.mul(d, xh)));
      if (dbeta != 0) v128.store(dbeta + p, f32x4.add(v128.load(dbeta + p), d));
      const g = gamma != 0 ? f32x4.mul(d, v128.load(gamma + p)) : d;
      gsum = f32x4.add(gsum, g);
      gxsum = f32x4.add(gxsum, f32x4.mul(g, xh));
    }
    let gs = horizontalSum(gsum);
    let gx = horizontalSum(gxsum);
    const mu1 = f32x4.extract_lane(mu, 0);
    for (; j < C; j++) {
      const p = <usize>j * F32;
      const d = load<f32>(dy + o + p);
      const xh = (load<f32>(x + o + p) - mu1) * rs;
      if (dgamma != 0) store<f32>(dgamma + p, load<f32>(dgamma + p) + d * xh);
      if (dbeta != 0) store<f32>(dbeta + p, load<f32>(dbeta + p) + d);
      const g = gamma != 0 ? d * load<f32>(gamma + p) : d;
      gs += g;
      gx += g * xh;
    }
    const mg = f32x4.splat(gs * invC);
    const mgx = f32x4.splat(gx * invC);
    j = 0;
    for (; j + 4 <= C; j += 4) {
      const p = <usize>j * F32;
      const d = v128.load(dy + o + p);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o + p), mu), rv);
      const g = gamma != 0 ? f32x4.mul(d, v128.load(gamma + p)) : d;
      let v = f32x4.mul(rv, f32x4.sub(f32x4.sub(g, mg), f32x4.mul(xh, mgx)));
      if (accumulate != 0) v = f32x4.add(v, v128.load(dx + o + p));
      v128.store(dx + o + p, v);
    }
    for (; j < C; j++) {
      const p = <usize>j * F32;
      const d = load<f32>(dy + o + p);
      const xh = (load<f32>(x + o + p) - mu1) * rs;
      const g = gamma != 0 ? d * load<f32>(gamma + p) : d;
      let v = rs * (g - f32x4.extract_lane(mg, 0) - xh * f32x4.extract_lane(mgx, 0));
      if (accumulate != 0) v += load<f32>(dx + o + p);
      store<f32>(dx + o + p, v);
    }
  }
}
