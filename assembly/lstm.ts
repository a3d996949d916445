// LSTM over a whole sequence: one call forward, one call backward (BPTT).
//
// Dims: B batch, T time, I input, H units, G = 4H. Keras layout and gate
// order (i, f, c, o) in every G axis:
//   wx (I,G) kernel, wh (H,G) recurrent kernel, bias (G), peep (3H) = the
//   diagonal peephole weights p_i, p_f, p_o (Gers & Schmidhuber: i and f see
//   c_{t-1}, o sees c_t).
// Activations are batch-major as in Keras: x (B,T,I), hseq/cseq (B,T,H),
// gates (B,T,G). Step t of batch row b lives at row b*T + t, so one time step
// is B rows with a row stride of T*(width): the GEMMs take it as a leading
// dimension.
//
//   z_t = x_t·wx + h_{t-1}·wh + bias
//   i = σ(z_i + p_i⊙c_{t-1})   f = σ(z_f + p_f⊙c_{t-1})   g = act(z_c)
//   c_t = f⊙c_{t-1} + i⊙g      o = σ(z_o + p_o⊙c_t)       h_t = o⊙act(c_t)
//   (σ is the recurrent activation, act the activation.)
//
// goBackwards processes t = T-1 .. 0; every output is stored at the index of
// the input step it came from, and "previous" means the previously processed
// step (t+1). Masked steps (mask[b,t] == 0) copy h and c through unchanged.
// A pointer of 0 means "absent" (no bias, no peepholes, no mask, ...).
//
// The input projection for all steps is one big GEMM; only the recurrent
// GEMM (B,H)·(H,G) runs inside the time loop, on wh packed once per call.

import { F32 } from './simd';
import { activationGradv } from './activations';
import { gemm, gemmPackedB, packBFull } from './gemm';
import { bias_add_f32, column_sum_f32 } from './elementwise';
import { ACT_SIGMOID, ACT_TANH } from './abi';
import { activatek, isMasked, lstmGates4, outTanh16, tanhk, packRecurrent, passMaskedRows, previousStates, recurrentGemm, row, whInPlace } from './recurrent';


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
 * The cell update for lanes [o4, o4+4) of one batch row (one lane when
 * `scalar`: tails go through the same vector math, so every lane gets the
 * same bits). z holds the pre-activations on entry, the activated gates on exit.
 */
// @ts-ignore: decorator
@inline function cellForwardLanes(
  z: usize, c: usize, h: usize, cp: usize, peep: usize,
  hb: usize, o4: usize, act: i32, recAct: i32, scalar: bool,
): void {
  const cpv = ld(cp + o4, scalar);
  let zi = ld(z + o4, scalar);
  let zf = ld(z + hb + o4, scalar);
  const zg = ld(z + 2 * hb + o4, scalar);
  let zo = ld(z + 3 * hb + o4, scalar);
  if (peep != 0) {
    zi = f32x4.add(zi, f32x4.mul(ld(peep + o4, scalar), cpv));
    zf = f32x4.add(zf, f32x4.mul(ld(peep + hb + o4, scalar), cpv));
  }
  const i = activatek(recAct, zi);
  const f = activatek(recAct, zf);
  const g = activatek(act, zg);
  const cv = f32x4.add(f32x4.mul(f, cpv), f32x4.mul(i, g));
  if (peep != 0) zo = f32x4.add(zo, f32x4.mul(ld(peep + 2 * hb + o4, scalar), cv));
  const o = activatek(recAct, zo);
  st(z + o4, i, scalar);
  st(z + hb + o4, f, scalar);
  st(z + 2 * hb + o4, g, scalar);
  st(z + 3 * hb + o4, o, scalar);
  st(c + o4, cv, scalar);
  st(h + o4, f32x4.mul(o, activatek(act, cv)), scalar);
}

/** One batch row at one step. A masked row copies h and c through. */
function cellForward(
  z: usize, c: usize, h: usize, cp: usize, hp: usize, peep: usize,
  H: i32, act: i32, recAct: i32, masked: bool,
): void {
  if (masked) {
    memory.copy(c, cp, <usize>H * F32);
    memory.copy(h, hp, <usize>H * F32);
    return;
  }
  const hb = <usize>H * F32;
  const vecEnd = H & ~3;
  if (peep == 0 && act == ACT_TANH && recAct == ACT_SIGMOID) {
    // the default cell: its four gate activations interleaved (recurrent.ts lstmGates4)
    // (c_t first, then h_t = o ⊙ tanh(c_t) sixteen lanes at a time, four exps side by side)
    for (let j = 0; j < vecEnd; j += 4) {
      const o4 = <usize>j * F32;
      lstmGates4(z, hb, o4);
      const cv = f32x4.add(f32x4.mul(v128.load(z + hb + o4), v128.load(cp + o4)), f32x4.mul(v128.load(z + o4), v128.load(z + 2 * hb + o4)));
      v128.store(c + o4, cv);
    }
    const zo = z + 3 * hb;
    let j = 0;
    for (; j + 16 <= vecEnd; j += 16) {
      const o4 = <usize>j * F32;
      outTanh16(h + o4, zo + o4, c + o4);
    }
    for (; j < vecEnd; j += 4) {
      const o4 = <usize>j * F32;
      v128.store(h + o4, f32x4.mul(v128.load(zo + o4), tanhk(v128.load(c + o4))));
    }
  } else {
    for (let j = 0; j < vecEnd; j += 4) cellForwardLanes(z, c, h, cp, peep, hb, <usize>j * F32, act, recAct, false);
  }
  for (let j = vecEnd; j < H; j++) cellForwardLane1(z, c, h, cp, peep, hb, <usize>j * F32, act, recAct);
}

/** One tail lane: the same (inlined) math, kept out of line so it is emitted once. */
function cellForwardLane1(z: usize, c: usize, h: usize, cp: usize, peep: usize, hb: usize, o: usize, act: i32, recAct: i32): void {
  cellForwardLanes(z, c, h, cp, peep, hb, o, act, recAct, true);
}

/**
 * hseq (B,T,H), cseq (B,T,H), gates (B,T,G) =  LSTM over x (B,T,I).
 * gates keeps the activated i, f, g, o for the backward pass.
 * h0, c0 (B,H) initial state. mask (B,T) f32 or 0. bias, peep may be 0.
 * whPacked: H·roundUp(G, GEMM_NR) f32 scratch. work: GEMM_WORK f32.
 */
export function lstm_forward_f32(
  hseq: usize, cseq: usize, gates: usize,
  x: usize, wx: usize, wh: usize, bias: usize, peep: usize,
  h0: usize, c0: usize, mask: usize,
  B: i32, T: i32, I: i32, H: i32, goBackwards: i32, act: i32, recAct: i32,
  whPacked: usize, work: usize,
): void {
  const G = 4 * H;
  // input projection for every step at once: (B*T, I)·(I, G)
  gemm(gates, G, x, I, false, wx, G, false, B * T, G, I, false, work);
  if (bias != 0) bias_add_f32(gates, gates, bias, B * T, G);
  const inPlace = whInPlace(B, T);
  if (!inPlace) packRecurrent(whPacked, wh, G, H, G, B);
  for (let s = 0; s < T; s++) {
    const t = goBackwards != 0 ? T - 1 - s : s;
    const tp = goBackwards != 0 ? t + 1 : t - 1;
    const first = s == 0;
    // z_t += h_{t-1}·wh for all B rows
    const hprev0 = first ? h0 : row(hseq, 0, tp, T, H);
    recurrentGemm(row(gates, 0, t, T, G), T * G, hprev0, first ? H : T * H, inPlace, wh, G, whPacked, B, G, H, true, work);
    for (let b = 0; b < B; b++) {
      const hp = first ? h0 + <usize>b * <usize>H * F32 : row(hseq, b, tp, T, H);
      const cp = first ? c0 + <usize>b * <usize>H * F32 : row(cseq, b, tp, T, H);
      const masked = isMasked(mask, b, t, T);
      cellForward(row(gates, b, t, T, G), row(cseq, b, t, T, H), row(hseq, b, t, T, H), cp, hp, peep, H, act, recAct, masked);
    }
  }
}

/**
 * One row of the backward cell math, lanes [o4, o4+4) of H (or one lane when
 * `scalar`). On entry dh/dc hold dL/dh_t, dL/dc_t; on exit dc holds dL/dc_{t-1}
 * (the part through c) and z holds dL/dz_t in place of the gates.
 */
// @ts-ignore: decorator
@inline function cellBackwardLanes(
  z: usize, c: usize, cp: usize, dh: usize, dc: usize, peep: usize, dpeep: usize,
  hb: usize, o4: usize, act: i32, recAct: i32, scalar: bool,
): void {
  const i = ld(z + o4, scalar);
  const f = ld(z + hb + o4, scalar);
  const g = ld(z + 2 * hb + o4, scalar);
  const o = ld(z + 3 * hb + o4, scalar);
  const cv = ld(c + o4, scalar);
  const cpv = ld(cp + o4, scalar);
  const dhv = ld(dh + o4, scalar);
  const tc = activatek(act, cv);
  // h = o ⊙ act(c)
  const dzo = activationGradv(recAct, o, f32x4.mul(dhv, tc));
  let dct = f32x4.add(ld(dc + o4, scalar), activationGradv(act, tc, f32x4.mul(dhv, o)));
  if (peep != 0) dct = f32x4.add(dct, f32x4.mul(dzo, ld(peep + 2 * hb + o4, scalar)));
  // c = f ⊙ c_prev + i ⊙ g
  const dzi = activationGradv(recAct, i, f32x4.mul(dct, g));
  const dzf = activationGradv(recAct, f, f32x4.mul(dct, cpv));
  const dzg = activationGradv(act, g, f32x4.mul(dct, i));
  let dcp = f32x4.mul(dct, f);
  if (peep != 0) {
    dcp = f32x4.add(dcp, f32x4.add(f32x4.mul(dzi, ld(peep + o4, scalar)), f32x4.mul(dzf, ld(peep + hb + o4, scalar))));
    st(dpeep + o4, f32x4.add(ld(dpeep + o4, scalar), f32x4.mul(dzi, cpv)), scalar);
    st(dpeep + hb + o4, f32x4.add(ld(dpeep + hb + o4, scalar), f32x4.mul(dzf, cpv)), scalar);
    st(dpeep + 2 * hb + o4, f32x4.add(ld(dpeep + 2 * hb + o4, scalar), f32x4.mul(dzo, cv)), scalar);
  }
  st(z + o4, dzi, scalar);
  st(z + hb + o4, dzf, scalar);
  st(z + 2 * hb + o4, dzg, scalar);
  st(z + 3 * hb + o4, dzo, scalar);
  st(dc + o4, dcp, scalar);
}

function cellBackward(
  z: usize, c: usize, cp: usize, dh: usize, dc: usize, peep: usize, dpeep: usize,
  H: i32, act: i32, recAct: i32,
): void {
  const hb = <usize>H * F32;
  const vecEnd = H & ~3;
  for (let j = 0; j < vecEnd; j += 4) {
    cellBackwardLanes(z, c, cp, dh, dc, peep, dpeep, hb, <usize>j * F32, act, recAct, false);
  }
  // tails lane by lane: z is updated in place, so no lane may be computed twice
  for (let j = vecEnd; j < H; j++) cellBackwardLane1(z, c, cp, dh, dc, peep, dpeep, hb, <usize>j * F32, act, recAct);
}

function cellBackwardLane1(z: usize, c: usize, cp: usize, dh: usize, dc: usize, peep: usize, dpeep: usize, hb: usize, o: usize, act: i32, recAct: i32): void {
  cellBackwardLanes(z, c, cp, dh, dc, peep, dpeep, hb, o, act, recAct, true);
}

/**
 * Backward through time. Inputs: dhseq (B,T,H) = dL/d(output at each step)
 * or 0; dhT, dcT (B,H) = dL/d(final state) or 0; the forward's x, wx, wh,
 * peep, h0, c0, mask, hseq, cseq, gates. gates is overwritten with dL/dz.
 * Outputs: dx (B,T,I) = (or 0), dwx (I,G) +=, dwh (H,G) +=, dbias (G) += (or
 * 0), dpeep (3H) += (or 0), dh0, dc0 (B,H) = (or 0).
 * Scratch: whPacked G·roundUp(H, GEMM_NR), hprev (B,T,H), dh (2·B·H), dc (B·H), work.
 */
export function lstm_backward_f32(
  dx: usize, dwx: usize, dwh: usize, dbias: usize, dpeep: usize, dh0: usize, dc0: usize,
  dhseq: usize, dhT: usize, dcT: usize,
  x: usize, wx: usize, wh: usize, peep: usize, h0: usize, c0: usize, mask: usize,
  hseq: usize, cseq: usize, gates: usize,
  B: i32, T: i32, I: i32, H: i32, goBackwards: i32, act: i32, recAct: i32,
  whPacked: usize, hprev: usize, dhBuf: usize, dcBuf: usize, work: usize,
): void {
  const G = 4 * H;
  const BH = <usize>B * <usize>H * F32;
  let dh = dhBuf;
  let dhNext = dhBuf + BH;
  if (dhT != 0) memory.copy(dh, dhT, BH); else memory.fill(dh, 0, BH);
  if (dcT != 0) memory.copy(dcBuf, dcT, BH); else memory.fill(dcBuf, 0, BH);
  // whᵀ packed once: op(B) = whᵀ (G,H), wh stored (H,G)
  packBFull(whPacked, wh, G, true, G, H);
  for (let s = T - 1; s >= 0; s--) {
    const t = goBackwards != 0 ? T - 1 - s : s;
    const tp = goBackwards != 0 ? t + 1 : t - 1;
    const first = s == 0;
    for (let b = 0; b < B; b++) {
      const dhb = dh + <usize>b * <usize>H * F32;
      if (dhseq != 0) {
        const src = row(dhseq, b, t, T, H);
        for (let j = 0; j < H; j++) {
          const o = <usize>j * F32;
          store<f32>(dhb + o, load<f32>(dhb + o) + load<f32>(src + o));
        }
      }
      const z = row(gates, b, t, T, G);
      const masked = isMasked(mask, b, t, T);
      if (masked) {
        // the step copied its state: gradients pass through, no dz
        memory.fill(z, 0, <usize>G * F32);
        continue;
      }
      const cp = first ? c0 + <usize>b * <usize>H * F32 : row(cseq, b, tp, T, H);
      cellBackward(z, row(cseq, b, t, T, H), cp, dhb, dcBuf + <usize>b * <usize>H * F32, peep, dpeep, H, act, recAct);
    }
    // dh_{t-1} = dz_t · whᵀ; masked rows keep their dh (it passed through)
    gemmPackedB(dhNext, H, row(gates, 0, t, T, G), T * G, false, whPacked, B, H, G, false, work);
    passMaskedRows(dhNext, dh, mask, B, T, t, H);
    const tmp = dh;
    dh = dhNext;
    dhNext = tmp;
  }
  if (dh0 != 0) memory.copy(dh0, dh, BH);
  if (dc0 != 0) memory.copy(dc0, dcBuf, BH);
  // h_{t-1} for every step, then the weight gradients as single big GEMMs
  previousStates(hprev, hseq, h0, B, T, H, goBackwards);
  const N = B * T;
  gemm(dwh, G, hprev, H, true, gates, G, false, H, G, N, true, work);
  gemm(dwx, G, x, I, true, gates, G, false, I, G, N, true, work);
  if (dbias != 0) column_sum_f32(dbias, gates, N, G, 1);
  if (dx != 0) gemm(dx, I, gates, G, false, wx, G, true, N, I, G, false, work);
}
