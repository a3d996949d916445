// GRU over a whole sequence: one call forward, one call backward (BPTT).
//
// Dims: B batch, T time, I input, H units, G = 3H. Keras layout and gate
// order (z, r, h) in every G axis:
//   wx (I,G) kernel, wh (H,G) recurrent kernel,
//   bias (G)                                    resetAfter = false
//   bias (2,G) = [input bias b; recurrent b']   resetAfter = true
// Activations are batch-major as in Keras: x (B,T,I), hseq (B,T,H),
// gates (B,T,G), aux (B,T,H). Step t of batch row b lives at row b*T + t.
//
//   z = σ(x W_z + b_z + h U_z [+ b'_z])      (σ the recurrent activation,
//   r = σ(x W_r + b_r + h U_r [+ b'_r])       act the activation)
//   resetAfter = false (TF.js's only mode):  hh = act(x W_h + b_h + (r⊙h) U_h)
//   resetAfter = true (Keras 2/3 default):   hh = act(x W_h + b_h + r⊙(h U_h + b'_h))
//   h_t = z⊙h_{t-1} + (1−z)⊙hh               (h = h_{t-1} above)
//
// gates keeps the activated z, r, hh for the backward pass; aux keeps r⊙h_{t-1}
// (resetAfter = false) or h_{t-1}·U_h + b'_h (resetAfter = true).
//
// goBackwards processes t = T-1 .. 0; every output is stored at the index of
// the input step it came from, and "previous" means the previously processed
// step (t+1). Masked steps (mask[b,t] == 0) copy h through unchanged.
// A pointer of 0 means "absent" (no bias, no mask, no dx, ...).
//
// The input projection for all steps is one big GEMM; inside the time loop
// run only the recurrent GEMMs, on U_zr (H,2H) and U_h (H,H) packed once per
// call: h·U_zr, then (resetAfter) h·U_h or (not resetAfter) (r⊙h)·U_h, which
// needs r first. Backward mirrors it: one GEMM per step through Uᵀ
// (resetAfter), or two (the reset gate's gradient needs (dhh·U_hᵀ) first).

import { GEMM_NR } from './abi';
import { F32 } from './simd';
import { activationGradv } from './activations';
import { gemm, gemmPackedB, packBFull } from './gemm';
import { bias_add_f32, column_sum_f32 } from './elementwise';
import { activatek, isMasked, packRecurrent, previousStates, recurrentGemm, row, whInPlace } from './recurrent';


// @ts-ignore: decorator
@inline function ld(p: usize, scalar: bool): v128 {
  return scalar ? f32x4.splat(load<f32>(p)) : v128.load(p);
}

// @ts-ignore: decorator
@inline function st(p: usize, v: v128, scalar: bool): void {
  if (scalar) store<f32>(p, f32x4.extract_lane(v, 0));
  else v128.store(p, v);
}

/**
 * n rounded up to whole GEMM_NR-wide panels: the row length of a packed B
 * (assembly/gemm.ts). GEMM_NR is a power of two, so a mask does it.
 */
// @ts-ignore: decorator
@inline function panelWidth(n: i32): usize {
  return <usize>((n + GEMM_NR - 1) & ~(GEMM_NR - 1));
}

// ------------------------------------------------------------------ forward

/**
 * The gates z and r for lanes [o4, o4+4) of one batch row (one lane when
 * `scalar`: tails go through the same vector math). g holds pre-activations
 * on entry, z and r activated on exit; aux becomes r⊙h_{t-1} (not resetAfter)
 * or gets b'_h added (resetAfter).
 */
// @ts-ignore: decorator
@inline function gatesForwardLanes(
  g: usize, a: usize, hp: usize, brec: usize,
  hb: usize, o4: usize, recAct: i32, resetAfter: bool, scalar: bool,
): void {
  // z then r through one copy of the activation code (it is inlined: size)
  for (let k: usize = 0; k < 2; k++) {
    const p = g + k * hb + o4;
    let v = ld(p, scalar);
    if (brec != 0) v = f32x4.add(v, ld(brec + k * hb + o4, scalar));
    st(p, activatek(recAct, v), scalar);
  }
  if (!resetAfter) st(a + o4, f32x4.mul(ld(g + hb + o4, scalar), ld(hp + o4, scalar)), scalar);
  else if (brec != 0) st(a + o4, f32x4.add(ld(a + o4, scalar), ld(brec + 2 * hb + o4, scalar)), scalar);
}

/**
 * The candidate and the new state for lanes [o4, o4+4): g's h block holds the
 * candidate's pre-activation without the reset term (resetAfter) or with it
 * (not resetAfter); on exit it holds hh.
 */
// @ts-ignore: decorator
@inline function candidateForwardLanes(
  g: usize, a: usize, h: usize, hp: usize,
  hb: usize, o4: usize, act: i32, resetAfter: bool, scalar: bool,
): void {
  const z = ld(g + o4, scalar);
  let ah = ld(g + 2 * hb + o4, scalar);
  if (resetAfter) ah = f32x4.add(ah, f32x4.mul(ld(g + hb + o4, scalar), ld(a + o4, scalar)));
  const hh = activatek(act, ah);
  const hpv = ld(hp + o4, scalar);
  // h_t = z⊙h_{t-1} + (1−z)⊙hh
  const hn = f32x4.add(f32x4.mul(z, hpv), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh));
  st(g + 2 * hb + o4, hh, scalar);
  st(h + o4, hn, scalar);
}

/** gatesForwardLanes over one row; tails one lane at a time through the same math. */
function gatesForwardRow(g: usize, a: usize, hp: usize, brec: usize, H: i32, recAct: i32, resetAfter: bool): void {
  const hb = <usize>H * F32;
  const vecEnd = H & ~3;
  for (let j = 0; j < vecEnd; j += 4) gatesForwardLanes(g, a, hp, brec, hb, <usize>j * F32, recAct, resetAfter, false);
  for (let j = vecEnd; j < H; j++) gatesForwardLane1(g, a, hp, brec, hb, <usize>j * F32, recAct, resetAfter);
}

/** One tail lane: the same (inlined) math, kept out of line so it is emitted once. */
function gatesForwardLane1(g: usize, a: usize, hp: usize, brec: usize, hb: usize, o: usize, recAct: i32, resetAfter: bool): void {
  gatesForwardLanes(g, a, hp, brec, hb, o, recAct, resetAfter, true);
}

/** candidateForwardLanes over one row. */
function candidateForwardRow(g: usize, a: usize, h: usize, hp: usize, H: i32, act: i32, resetAfter: bool): void {
  const hb = <usize>H * F32;
  const vecEnd = H & ~3;
  for (let j = 0; j < vecEnd; j += 4) candidateForwardLanes(g, a, h, hp, hb, <usize>j * F32, act, resetAfter, false);
  for (let j = vecEnd; j < H; j++) candidateForwardLane1(g, a, h, hp, hb, <usize>j * F32, act, resetAfter);
}

function candidateForwardLane1(g: usize, a: usize, h: usize, hp: usize, hb: usize, o: usize, act: i32, resetAfter: bool): void {
  candidateForwardLanes(g, a, h, hp, hb, o, act, resetAfter, true);
}

/**
 * hseq (B,T,H), gates (B,T,G), aux (B,T,H) = GRU over x (B,T,I).
 * h0 (B,H) initial state. mask (B,T) f32 or 0. bias may be 0.
 * whPacked: gru packed size (H·(panelWidth(2H) + panelWidth(H)) here; the
 * backward needs 3H·panelWidth(H)) f32 scratch, panelWidth(n) = n rounded up
 * to a multiple of GEMM_NR. work: GEMM_WORK f32.
 */
export function gru_forward_f32(
  hseq: usize, gates: usize, aux: usize,
  x: usize, wx: usize, wh: usize, bias: usize, h0: usize, mask: usize,
  B: i32, T: i32, I: i32, H: i32, goBackwards: i32, act: i32, recAct: i32, resetAfter: i32,
  whPacked: usize, work: usize,
): void {
  const G = 3 * H;
  const after = resetAfter != 0;
  const hb = <usize>H * F32;
  // input projection for every step at once: (B*T, I)·(I, G), plus the input bias
  gemm(gates, G, x, I, false, wx, G, false, B * T, G, I, false, work);
  if (bias != 0) bias_add_f32(gates, gates, bias, B * T, G);
  const brec = after && bias != 0 ? bias + <usize>G * F32 : 0;
  // U_zr = wh[:, 0:2H] and U_h = wh[:, 2H:3H], packed one after the other
  const whH = whPacked + <usize>H * panelWidth(2 * H) * F32;
  const inPlace = whInPlace(B, T);
  if (!inPlace) {
    packRecurrent(whPacked, wh, G, H, 2 * H, B);
    packRecurrent(whH, wh + 2 * hb, G, H, H, B);
  }
  for (let s = 0; s < T; s++) {
    const t = goBackwards != 0 ? T - 1 - s : s;
    const tp = goBackwards != 0 ? t + 1 : t - 1;
    const first = s == 0;
    const hp0 = first ? h0 : row(hseq, 0, tp, T, H);
    const ldh = first ? H : T * H;
    const g0 = row(gates, 0, t, T, G);
    const a0 = row(aux, 0, t, T, H);
    // z, r pre-activations += h_{t-1}·U_zr; resetAfter: aux = h_{t-1}·U_h
    recurrentGemm(g0, T * G, hp0, ldh, inPlace, wh, G, whPacked, B, 2 * H, H, true, work);
    if (after) recurrentGemm(a0, T * H, hp0, ldh, inPlace, wh + 2 * hb, G, whH, B, H, H, false, work);
    for (let b = 0; b < B; b++) {
      const g = row(gates, b, t, T, G);
      const a = row(aux, b, t, T, H);
      if (isMasked(mask, b, t, T)) {
        // (r⊙h) of a masked row must not feed the GEMMs garbage
        if (!after) memory.fill(a, 0, hb);
        continue;
      }
      gatesForwardRow(g, a, first ? h0 + <usize>b * hb : row(hseq, b, tp, T, H), brec, H, recAct, after);
    }
    // not resetAfter: candidate pre-activation += (r⊙h_{t-1})·U_h
    if (!after) recurrentGemm(g0 + 2 * hb, T * G, a0, T * H, inPlace, wh + 2 * hb, G, whH, B, H, H, true, work);
    for (let b = 0; b < B; b++) {
      const h = row(hseq, b, t, T, H);
      const hp = first ? h0 + <usize>b * hb : row(hseq, b, tp, T, H);
      if (isMasked(mask, b, t, T)) {
        memory.copy(h, hp, hb);
        continue;
      }
      candidateForwardRow(row(gates, b, t, T, G), row(aux, b, t, T, H), h, hp, H, act, after);
    }
  }
}

// ----------------------------------------------------------------- backward

/**
 * Backward cell math for lanes [o4, o4+4) of one row, everything that needs
 * no GEMM. On entry g holds z, r, hh, dh dL/dh_t. On exit dn (dL/dh_{t-1})
 * = dh⊙z, g's z block dL/dz (pre-activation), and
 *   resetAfter:     g = [dz, dr, daux] (the recurrent side), a = dhh
 *   not resetAfter: g's h block = dhh (r still in g's r block for the next pass)
 * where dhh is dL/d(candidate pre-activation), daux dL/d(h·U_h + b'_h).
 */
// @ts-ignore: decorator
@inline function cellBackwardLanes(
  g: usize, a: usize, hp: usize, dh: usize, dn: usize,
  hb: usize, o4: usize, act: i32, recAct: i32, resetAfter: bool, scalar: bool,
): void {
  const z = ld(g + o4, scalar);
  const hh = ld(g + 2 * hb + o4, scalar);
  const hpv = ld(hp + o4, scalar);
  const dhv = ld(dh + o4, scalar);
  // h = z⊙h_{t-1} + (1−z)⊙hh
  const dz = activationGradv(recAct, z, f32x4.mul(dhv, f32x4.sub(hpv, hh)));
  const dhh = activationGradv(act, hh, f32x4.mul(dhv, f32x4.sub(f32x4.splat(1), z)));
  st(dn + o4, f32x4.mul(dhv, z), scalar);
  st(g + o4, dz, scalar);
  if (resetAfter) {
    // hh = act(... + r⊙aux)
    const r = ld(g + hb + o4, scalar);
    const dr = activationGradv(recAct, r, f32x4.mul(dhh, ld(a + o4, scalar)));
    st(g + hb + o4, dr, scalar);
    st(g + 2 * hb + o4, f32x4.mul(dhh, r), scalar);
    st(a + o4, dhh, scalar);
  } else {
    st(g + 2 * hb + o4, dhh, scalar);
  }
}

/**
 * Not resetAfter, after daux = dhh·U_hᵀ: the reset gate through
 * aux = r⊙h_{t-1}. g's r block becomes dL/dr; dn += daux⊙r.
 */
// @ts-ignore: decorator
@inline function resetBackwardLanes(
  g: usize, hp: usize, da: usize, dn: usize,
  hb: usize, o4: usize, recAct: i32, scalar: bool,
): void {
  const r = ld(g + hb + o4, scalar);
  const dav = ld(da + o4, scalar);
  st(g + hb + o4, activationGradv(recAct, r, f32x4.mul(dav, ld(hp + o4, scalar))), scalar);
  st(dn + o4, f32x4.add(ld(dn + o4, scalar), f32x4.mul(dav, r)), scalar);
}

/** cellBackwardLanes over one row; tails lane by lane (g is updated in place: no lane twice). */
function cellBackwardRow(g: usize, a: usize, hp: usize, dh: usize, dn: usize, H: i32, act: i32, recAct: i32, resetAfter: bool): void {
  const hb = <usize>H * F32;
  const vecEnd = H & ~3;
  for (let j = 0; j < vecEnd; j += 4) cellBackwardLanes(g, a, hp, dh, dn, hb, <usize>j * F32, act, recAct, resetAfter, false);
  for (let j = vecEnd; j < H; j++) cellBackwardLane1(g, a, hp, dh, dn, hb, <usize>j * F32, act, recAct, resetAfter);
}

function cellBackwardLane1(g: usize, a: usize, hp: usize, dh: usize, dn: usize, hb: usize, o: usize, act: i32, recAct: i32, resetAfter: bool): void {
  cellBackwardLanes(g, a, hp, dh, dn, hb, o, act, recAct, resetAfter, true);
}

/** resetBackwardLanes over one row. */
function resetBackwardRow(g: usize, hp: usize, da: usize, dn: usize, H: i32, recAct: i32): void {
  const hb = <usize>H * F32;
  const vecEnd = H & ~3;
  for (let j = 0; j < vecEnd; j += 4) resetBackwardLanes(g, hp, da, dn, hb, <usize>j * F32, recAct, false);
  for (let j = vecEnd; j < H; j++) resetBackwardLane1(g, hp, da, dn, hb, <usize>j * F32, recAct);
}

function resetBackwardLane1(g: usize, hp: usize, da: usize, dn: usize, hb: usize, o: usize, recAct: i32): void {
  resetBackwardLanes(g, hp, da, dn, hb, o, recAct, true);
}

/** db (C) += Σ_r src[r·ld + j]: column sums of a strided block. */
function columnSumStrided(db: usize, src: usize, R: i32, C: i32, ld: i32): void {
  for (let r = 0; r < R; r++) {
    const o = <usize>r * <usize>ld * F32;
    let j = 0;
    for (; j + 4 <= C; j += 4) {
      const q = <usize>j * F32;
      v128.store(db + q, f32x4.add(v128.load(db + q), v128.load(src + o + q)));
    }
    for (; j < C; j++) {
      const q = <usize>j * F32;
      store<f32>(db + q, load<f32>(db + q) + load<f32>(src + o + q));
    }
  }
}

/**
 * Backward through time. Inputs: dhseq (B,T,H) = dL/d(output at each step)
 * or 0; dhT (B,H) = dL/d(final state) or 0; the forward's x, wx, wh, h0,
 * mask, hseq, gates, aux. gates and aux are overwritten (with dL/dz).
 * Outputs: dx (B,T,I) = (or 0), dwx (I,G) +=, dwh (H,G) +=, dbias (G or 2G,
 * as bias) += (or 0), dh0 (B,H) = (or 0).
 * Scratch: whPacked 3H·panelWidth(H), hprev (B,T,H), dh (3·B·H), work.
 */
export function gru_backward_f32(
  dx: usize, dwx: usize, dwh: usize, dbias: usize, dh0: usize,
  dhseq: usize, dhT: usize,
  x: usize, wx: usize, wh: usize, h0: usize, mask: usize,
  hseq: usize, gates: usize, aux: usize,
  B: i32, T: i32, I: i32, H: i32, goBackwards: i32, act: i32, recAct: i32, resetAfter: i32,
  whPacked: usize, hprev: usize, dhBuf: usize, work: usize,
): void {
  const G = 3 * H;
  const after = resetAfter != 0;
  const hb = <usize>H * F32;
  const BH = <usize>B * hb;
  let dh = dhBuf;
  let dhNext = dhBuf + BH;
  const daux = dhBuf + 2 * BH;
  if (dhT != 0) memory.copy(dh, dhT, BH); else memory.fill(dh, 0, BH);
  // resetAfter: Uᵀ (G,H) whole. Otherwise U_zrᵀ (2H,H), then U_hᵀ (H,H).
  const whHT = whPacked + 2 * <usize>H * panelWidth(H) * F32;
  if (after) {
    packBFull(whPacked, wh, G, true, G, H);
  } else {
    packBFull(whPacked, wh, G, true, 2 * H, H);
    packBFull(whHT, wh + 2 * hb, G, true, H, H);
  }
  for (let s = T - 1; s >= 0; s--) {
    const t = goBackwards != 0 ? T - 1 - s : s;
    const tp = goBackwards != 0 ? t + 1 : t - 1;
    const first = s == 0;
    for (let b = 0; b < B; b++) {
      const dhb = dh + <usize>b * hb;
      const dn = dhNext + <usize>b * hb;
      if (dhseq != 0) {
        const src = row(dhseq, b, t, T, H);
        for (let j = 0; j < H; j++) {
          const o = <usize>j * F32;
          store<f32>(dhb + o, load<f32>(dhb + o) + load<f32>(src + o));
        }
      }
      const g = row(gates, b, t, T, G);
      const a = row(aux, b, t, T, H);
      if (isMasked(mask, b, t, T)) {
        // the step copied its state: dh passes through, no dz (the GEMMs add 0)
        memory.fill(g, 0, <usize>G * F32);
        memory.fill(a, 0, hb);
        memory.copy(dn, dhb, hb);
        continue;
      }
      cellBackwardRow(g, a, first ? h0 + <usize>b * hb : row(hseq, b, tp, T, H), dhb, dn, H, act, recAct, after);
    }
    const g0 = row(gates, 0, t, T, G);
    if (after) {
      // dh_{t-1} += [dz, dr, daux]_t · Uᵀ
      gemmPackedB(dhNext, H, g0, T * G, false, whPacked, B, H, G, true, work);
    } else {
      // daux = dhh·U_hᵀ is d(r⊙h_{t-1}); then dr, and dh_{t-1} += [dz, dr]·U_zrᵀ
      gemmPackedB(daux, H, g0 + 2 * hb, T * G, false, whHT, B, H, H, false, work);
      for (let b = 0; b < B; b++) {
        if (isMasked(mask, b, t, T)) continue;
        const hp = first ? h0 + <usize>b * hb : row(hseq, b, tp, T, H);
        resetBackwardRow(row(gates, b, t, T, G), hp, daux + <usize>b * hb, dhNext + <usize>b * hb, H, recAct);
      }
      gemmPackedB(dhNext, H, g0, T * G, false, whPacked, B, H, 2 * H, true, work);
    }
    const tmp = dh;
    dh = dhNext;
    dhNext = tmp;
  }
  if (dh0 != 0) memory.copy(dh0, dh, BH);
  // h_{t-1} for every step, then the weight gradients as single big GEMMs
  previousStates(hprev, hseq, h0, B, T, H, goBackwards);
  const N = B * T;
  if (after) {
    // recurrent side [dz, dr, daux] in gates, the candidate's dhh in aux
    gemm(dwh, G, hprev, H, true, gates, G, false, H, G, N, true, work);
    gemm(dwx, G, x, I, true, gates, G, false, I, 2 * H, N, true, work);
    gemm(dwx + 2 * hb, G, x, I, true, aux, H, false, I, H, N, true, work);
    if (dbias != 0) {
      columnSumStrided(dbias, gates, N, 2 * H, G);
      column_sum_f32(dbias + 2 * hb, aux, N, H, 1);
      column_sum_f32(dbias + <usize>G * F32, gates, N, G, 1);
    }
    if (dx != 0) {
      gemm(dx, I, gates, G, false, wx, G, true, N, I, 2 * H, false, work);
      gemm(dx, I, aux, H, false, wx + 2 * hb, G, true, N, I, H, true, work);
    }
  } else {
    // [dz, dr, dhh] in gates serve both sides; aux = r⊙h_{t-1} feeds dU_h
    gemm(dwh, G, hprev, H, true, gates, G, false, H, 2 * H, N, true, work);
    gemm(dwh + 2 * hb, G, aux, H, true, gates + 2 * hb, G, false, H, H, N, true, work);
    gemm(dwx, G, x, I, true, gates, G, false, I, G, N, true, work);
    if (dbias != 0) column_sum_f32(dbias, gates, N, G, 1);
    if (dx != 0) gemm(dx, I, gates, G, false, wx, G, true, N, I, G, false, work);
  }
}
