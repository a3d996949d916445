// Softmax of attention scores over the keys, fused with the score scale and
// Keras's masks. Rows are (b, h, i): batch row, head, query step.
//
//   z[b,h,i,j] = scale · g · s[b,h,i,j]        g = gain[0] (a trainable scalar), or 1
//   w[b,h,i,:] = softmax of z over the allowed j, 0 at the others
//   allowed(b,i,j) = kmask[b,j] ≠ 0 ∧ qmask[b,i] ≠ 0 ∧ amask[b,i,j] ≠ 0 ∧ (¬causal ∨ j ≤ i)
//
// Each mask is optional (pointer 0). A row with no allowed key is all 0
// (Keras 3's masked Softmax, used by MultiHeadAttention), or with
// emptyUniform all 1/Tk (Keras's Attention subtracts 1e9 from masked scores,
// which leaves float32 softmax exactly uniform); either way it does not
// depend on s, and the backward gives it no gradient.
//
// Dims: B batch, H heads, Tq query steps, Tk key steps. s, w, ds, dw are
// (B,H,Tq,Tk); kmask (B,Tk); qmask (B,Tq); amask (B,Tq,Tk); all f32.
// Masked lanes take −inf before the max, and their exponentials are zeroed
// by the same lane mask (expv clamps −inf to e^−87, not 0).

import { expv } from './activations';
import { F32 } from './simd';

/** Lanes j..j+3 of row i allowed, as an all-ones / all-zeros lane mask. */
// @ts-ignore: decorator
@inline function allowedv(km: usize, am: usize, causal: bool, i: i32, j: i32): v128 {
  let m = i32x4.splat(-1);
  const o = <usize>j * F32;
  if (km != 0) m = v128.and(m, f32x4.ne(v128.load(km + o), f32x4.splat(0)));
  if (am != 0) m = v128.and(m, f32x4.ne(v128.load(am + o), f32x4.splat(0)));
  if (causal) m = v128.and(m, i32x4.le_s(i32x4.add(i32x4.splat(j), i32x4(0, 1, 2, 3)), i32x4.splat(i)));
  return m;
}

/** Key j of row i allowed. */
// @ts-ignore: decorator
@inline function allowed1(km: usize, am: usize, causal: bool, i: i32, j: i32): bool {
  const o = <usize>j * F32;
  if (km != 0 && load<f32>(km + o) == 0) return false;
  if (am != 0 && load<f32>(am + o) == 0) return false;
  return !causal || j <= i;
}

/** Whether row i has an allowed key (the row's kmask, amask; qmask is checked by the caller). */
function anyAllowed(km: usize, am: usize, causal: bool, i: i32, Tk: i32): bool {
  if (km == 0 && am == 0) return Tk > 0;
  const n = causal ? min(Tk, i + 1) : Tk;
  for (let j = 0; j < n; j++) if (allowed1(km, am, false, i, j)) return true;
  return false;
}

function horizontalSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** One row: w (Tk) = masked softmax of z = k·s (Tk); false when nothing is allowed (w untouched). */
function rowForward(w: usize, s: usize, km: usize, am: usize, causal: bool, i: i32, Tk: i32, k: f32): bool {
  const kv = f32x4.splat(k);
  const ninf = f32x4.splat(-Infinity);
  // max of the allowed z
  let mv = ninf;
  let j = 0;
  for (; j + 4 <= Tk; j += 4) {
    const z = f32x4.mul(v128.load(s + <usize>j * F32), kv);
    mv = f32x4.pmax(mv, v128.bitselect(z, ninf, allowedv(km, am, causal, i, j)));
  }
  let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; j < Tk; j++) if (allowed1(km, am, causal, i, j)) m = max(m, k * load<f32>(s + <usize>j * F32));
  if (m == -Infinity) return false;
  // e = exp(z − max) where allowed, 0 elsewhere
  const mm = f32x4.splat(m);
  let sv = f32x4.splat(0);
  j = 0;
  for (; j + 4 <= Tk; j += 4) {
    const o = <usize>j * F32;
    const e = v128.and(expv(f32x4.sub(f32x4.mul(v128.load(s + o), kv), mm)), allowedv(km, am, causal, i, j));
    v128.store(w + o, e);
    sv = f32x4.add(sv, e);
  }
  let sum = horizontalSum(sv);
  for (; j < Tk; j++) {
    const o = <usize>j * F32;
    let e: f32 = 0;
    if (allowed1(km, am, causal, i, j)) e = f32x4.extract_lane(expv(f32x4.splat(k * load<f32>(s + o) - m)), 0);
    store<f32>(w + o, e);
    sum += e;
  }
  const inv = <f32>1 / sum;
  const iv = f32x4.splat(inv);
  j = 0;
  for (; j + 4 <= Tk; j += 4) v128.store(w + <usize>j * F32, f32x4.mul(v128.load(w + <usize>j * F32), iv));
  for (; j < Tk; j++) store<f32>(w + <usize>j * F32, load<f32>(w + <usize>j * F32) * inv);
  return true;
}

/**
 * w (B,H,Tq,Tk) = masked softmax of scale·g·s (B,H,Tq,Tk) over the last axis.
 * w may alias s.
 */
export function masked_softmax_f32(w: usize, s: usize, gain: usize, kmask: usize, qmask: usize, amask: usize,
  B: i32, H: i32, Tq: i32, Tk: i32, scale: f32, causal: i32, emptyUniform: i32): void {
  const k = gain != 0 ? scale * load<f32>(gain) : scale;
  const rowBytes = <usize>Tk * F32;
  const empty: f32 = emptyUniform != 0 ? <f32>1 / <f32>Tk : 0;
  for (let b = 0; b < B; b++) {
    const km = kmask != 0 ? kmask + <usize>b * rowBytes : 0;
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Tq; i++) {
        const o = ((<usize>b * <usize>H + <usize>h) * <usize>Tq + <usize>i) * rowBytes;
        const am = amask != 0 ? amask + (<usize>b * <usize>Tq + <usize>i) * rowBytes : 0;
        const open = qmask == 0 || load<f32>(qmask + (<usize>b * <usize>Tq + <usize>i) * F32) != 0;
        if (!open || !rowForward(w + o, s + o, km, am, causal != 0, i, Tk, k)) {
          for (let j = 0; j < Tk; j++) store<f32>(w + o + <usize>j * F32, empty);
        }
      }
    }
  }
}

/**
 * ds (B,H,Tq,Tk) =|+= scale·g · w ⊙ (dw − Σ_j w·dw) per row, 0 on rows with no
 * allowed key; dgain (1) += scale · Σ w ⊙ (dw − Σ_j w·dw) ⊙ s (needs s and
 * gain). w from the forward, dw = dL/dw. ds may alias dw.
 */
export function masked_softmax_backward_f32(ds: usize, dgain: usize, w: usize, dw: usize, s: usize, gain: usize,
  kmask: usize, qmask: usize, amask: usize, B: i32, H: i32, Tq: i32, Tk: i32, scale: f32, causal: i32, accumulate: i32): void {
  const g: f32 = gain != 0 ? load<f32>(gain) : 1;
  const kv = f32x4.splat(scale * g);
  const rowBytes = <usize>Tk * F32;
  let dg: f64 = 0;
  for (let b = 0; b < B; b++) {
    const km = kmask != 0 ? kmask + <usize>b * rowBytes : 0;
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Tq; i++) {
        const o = ((<usize>b * <usize>H + <usize>h) * <usize>Tq + <usize>i) * rowBytes;
        const am = amask != 0 ? amask + (<usize>b * <usize>Tq + <usize>i) * rowBytes : 0;
        const open = (qmask == 0 || load<f32>(qmask + (<usize>b * <usize>Tq + <usize>i) * F32) != 0) && anyAllowed(km, am, causal != 0, i, Tk);
        if (!open) {
          // the forward is constant here
          if (accumulate == 0) memory.fill(ds + o, 0, rowBytes);
          continue;
        }
        // dot = Σ w·dw
        let dv = f32x4.splat(0);
        let j = 0;
        for (; j + 4 <= Tk; j += 4) dv = f32x4.add(dv, f32x4.mul(v128.load(w + o + <usize>j * F32), v128.load(dw + o + <usize>j * F32)));
        let dot = horizontalSum(dv);
        for (; j < Tk; j++) dot += load<f32>(w + o + <usize>j * F32) * load<f32>(dw + o + <usize>j * F32);
        // dz = w ⊙ (dw − dot); ds = k·dz; dgain gathers dz·s
        const dotv = f32x4.splat(dot);
        let gv = f32x4.splat(0);
        j = 0;
        for (; j + 4 <= Tk; j += 4) {
          const p = o + <usize>j * F32;
          const dz = f32x4.mul(v128.load(w + p), f32x4.sub(v128.load(dw + p), dotv));
          if (dgain != 0) gv = f32x4.add(gv, f32x4.mul(dz, v128.load(s + p)));
          let v = f32x4.mul(dz, kv);
          if (accumulate != 0) v = f32x4.add(v, v128.load(ds + p));
          v128.store(ds + p, v);
        }
        let gs = horizontalSum(gv);
        for (; j < Tk; j++) {
          const p = o + <usize>j * F32;
          const dz = load<f32>(w + p) * (load<f32>(dw + p) - dot);
          if (dgain != 0) gs += dz * load<f32>(s + p);
          let v = dz * f32x4.extract_lane(kv, 0);
          if (accumulate != 0) v += load<f32>(ds + p);
          store<f32>(ds + p, v);
        }
        dg += <f64>gs;
      }
    }
  }
  if (dgain != 0) store<f32>(dgain, load<f32>(dgain) + <f32>(dg * <f64>scale));
}
