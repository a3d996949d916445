// Additive (Bahdanau) attention scores, and Luong attention's "concat" score:
//
//   s[b,i,j] = Σ_d v[d] · tanh(α · (q[b,i,d] + k[b,j,d]))
//
// v (D) is AdditiveAttention's `scale` weight, or 1 without it; α (1) is
// Attention's scalar `scale` in score_mode 'concat', or 1. Dims: B batch,
// Tq query steps, Tk key steps, D features; q (B,Tq,D), k (B,Tk,D),
// s (B,Tq,Tk), all f32. The vector loop runs over d (four features a lane).
//
// The backward recomputes tanh rather than keeping the (B,Tq,Tk,D) tensor
// of the forward: tanh costs ~1 ns an element here, the tensor 4 bytes of
// memory traffic each way and B·Tq·Tk·D of memory.
//   u = α(q + k), t = tanh(u), g = ds · v · (1 − t²)
//   dq[b,i] += α Σ_j g     dk[b,j] += α Σ_i g     dv += Σ ds · t     dα += Σ g · (q + k)

import { tanhv } from './activations';
import { F32 } from './simd';

function horizontalSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** s (B,Tq,Tk) = Σ_d v ⊙ tanh(α(q + k)); v (D) and alpha (1) may be absent (1). */
export function additive_score_f32(s: usize, q: usize, k: usize, v: usize, alpha: usize,
  B: i32, Tq: i32, Tk: i32, D: i32): void {
  const a: f32 = alpha != 0 ? load<f32>(alpha) : 1;
  const av = f32x4.splat(a);
  const rowBytes = <usize>D * F32;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const qi = q + (<usize>b * <usize>Tq + <usize>i) * rowBytes;
      const si = s + (<usize>b * <usize>Tq + <usize>i) * <usize>Tk * F32;
      for (let j = 0; j < Tk; j++) {
        const kj = k + (<usize>b * <usize>Tk + <usize>j) * rowBytes;
        let acc = f32x4.splat(0);
        let d = 0;
        for (; d + 4 <= D; d += 4) {
          const o = <usize>d * F32;
          let t = tanhv(f32x4.mul(av, f32x4.add(v128.load(qi + o), v128.load(kj + o))));
          if (v != 0) t = f32x4.mul(t, v128.load(v + o));
          acc = f32x4.add(acc, t);
        }
        let sum = horizontalSum(acc);
        for (; d < D; d++) {
          const o = <usize>d * F32;
          let t = f32x4.extract_lane(tanhv(f32x4.splat(a * (load<f32>(qi + o) + load<f32>(kj + o)))), 0);
          if (v != 0) t *= load<f32>(v + o);
          sum += t;
        }
        store<f32>(si + <usize>j * F32, sum);
      }
    }
  }
}

/**
 * dq (B,Tq,D) =|+=, dk (B,Tk,D) =|+=, dv (D) +=, dalpha (1) += from ds (B,Tq,Tk)
 * and the forward's q, k, v, alpha. dv and dalpha may be absent.
 */
export function additive_score_backward_f32(dq: usize, dk: usize, dv: usize, dalpha: usize, ds: usize,
  q: usize, k: usize, v: usize, alpha: usize, B: i32, Tq: i32, Tk: i32, D: i32, accumulate: i32): void {
  const a: f32 = alpha != 0 ? load<f32>(alpha) : 1;
  const av = f32x4.splat(a);
  const one = f32x4.splat(1);
  const rowBytes = <usize>D * F32;
  if (accumulate == 0) {
    memory.fill(dq, 0, <usize>B * <usize>Tq * rowBytes);
    memory.fill(dk, 0, <usize>B * <usize>Tk * rowBytes);
  }
  let da: f64 = 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const qi = q + (<usize>b * <usize>Tq + <usize>i) * rowBytes;
      const dqi = dq + (<usize>b * <usize>Tq + <usize>i) * rowBytes;
      const dsi = ds + (<usize>b * <usize>Tq + <usize>i) * <usize>Tk * F32;
      for (let j = 0; j < Tk; j++) {
        const kj = k + (<usize>b * <usize>Tk + <usize>j) * rowBytes;
        const dkj = dk + (<usize>b * <usize>Tk + <usize>j) * rowBytes;
        const gs = load<f32>(dsi + <usize>j * F32);
        const gv = f32x4.splat(gs);
        let dav = f32x4.splat(0);
        let d = 0;
        for (; d + 4 <= D; d += 4) {
          const o = <usize>d * F32;
          const x = f32x4.add(v128.load(qi + o), v128.load(kj + o));
          const t = tanhv(f32x4.mul(av, x));
          if (dv != 0) v128.store(dv + o, f32x4.add(v128.load(dv + o), f32x4.mul(gv, t)));
          let g = f32x4.mul(gv, f32x4.sub(one, f32x4.mul(t, t)));
          if (v != 0) g = f32x4.mul(g, v128.load(v + o));
          dav = f32x4.add(dav, f32x4.mul(g, x));
          const ga = f32x4.mul(g, av);
          v128.store(dqi + o, f32x4.add(v128.load(dqi + o), ga));
          v128.store(dkj + o, f32x4.add(v128.load(dkj + o), ga));
        }
        let dsum = horizontalSum(dav);
        for (; d < D; d++) {
          const o = <usize>d * F32;
          const x = load<f32>(qi + o) + load<f32>(kj + o);
          const t = f32x4.extract_lane(tanhv(f32x4.splat(a * x)), 0);
          if (dv != 0) store<f32>(dv + o, load<f32>(dv + o) + gs * t);
          let g = gs * (1 - t * t);
          if (v != 0) g *= load<f32>(v + o);
          dsum += g * x;
          store<f32>(dqi + o, load<f32>(dqi + o) + g * a);
          store<f32>(dkj + o, load<f32>(dkj + o) + g * a);
        }
        da += <f64>dsum;
      }
    }
  }
  if (dalpha != 0) store<f32>(dalpha, load<f32>(dalpha) + <f32>da);
}
