// Bidirectional: merge the forward and backward layers' outputs, and split
// the merged gradient back. Both directions arrive in input order (the
// backward layer's sequence already reversed back), as R rows of H: R = B·T
// for sequences, R = B for final states.
//
//   mode (MERGE_*)  y (R,W)                     W
//   concat          [f, b]                      2H
//   sum             f + b                       H
//   mul             f ⊙ b                       H
//   ave             (f + b) / 2                 H
//
// mask (R) f32 or 0: a row whose mask is 0 gives y = 0 (Keras forces
// zero_output_for_mask on both layers of a Bidirectional that returns
// sequences), and its gradient is 0.

import { F32 } from './simd';
import { MERGE_CONCAT, MERGE_SUM, MERGE_MUL, MERGE_AVE } from './abi';

/** y (R,W) = merge(f (R,H), b (R,H)). y must not alias f or b. */
export function bidirectional_merge_f32(y: usize, f: usize, b: usize, mask: usize, R: i32, H: i32, mode: i32): void {
  const hb = <usize>H * F32;
  const W: usize = mode == MERGE_CONCAT ? 2 * hb : hb;
  const half = f32x4.splat(0.5);
  for (let r = 0; r < R; r++) {
    const yr = y + <usize>r * W;
    const fr = f + <usize>r * hb;
    const br = b + <usize>r * hb;
    if (mask != 0 && load<f32>(mask + <usize>r * F32) == 0) {
      memory.fill(yr, 0, W);
      continue;
    }
    if (mode == MERGE_CONCAT) {
      memory.copy(yr, fr, hb);
      memory.copy(yr + hb, br, hb);
      continue;
    }
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j * F32;
      const fv = v128.load(fr + o);
      const bv = v128.load(br + o);
      let v = mode == MERGE_MUL ? f32x4.mul(fv, bv) : f32x4.add(fv, bv);
      if (mode == MERGE_AVE) v = f32x4.mul(v, half);
      v128.store(yr + o, v);
    }
    for (; j < H; j++) {
      const o = <usize>j * F32;
      const fv = load<f32>(fr + o);
      const bv = load<f32>(br + o);
      let v = mode == MERGE_MUL ? fv * bv : fv + bv;
      if (mode == MERGE_AVE) v *= 0.5;
      store<f32>(yr + o, v);
    }
  }
}

/**
 * df (R,H) =, db (R,H) = the gradient of merge through dy (R,W); f and b are
 * the forward's inputs (read by mul only). df, db must not alias dy.
 */
export function bidirectional_merge_backward_f32(
  df: usize, db: usize, dy: usize, f: usize, b: usize, mask: usize, R: i32, H: i32, mode: i32,
): void {
  const hb = <usize>H * F32;
  const W: usize = mode == MERGE_CONCAT ? 2 * hb : hb;
  const half = f32x4.splat(0.5);
  for (let r = 0; r < R; r++) {
    const dyr = dy + <usize>r * W;
    const dfr = df + <usize>r * hb;
    const dbr = db + <usize>r * hb;
    if (mask != 0 && load<f32>(mask + <usize>r * F32) == 0) {
      memory.fill(dfr, 0, hb);
      memory.fill(dbr, 0, hb);
      continue;
    }
    if (mode == MERGE_CONCAT) {
      memory.copy(dfr, dyr, hb);
      memory.copy(dbr, dyr + hb, hb);
      continue;
    }
    if (mode == MERGE_SUM) {
      memory.copy(dfr, dyr, hb);
      memory.copy(dbr, dyr, hb);
      continue;
    }
    const fr = f + <usize>r * hb;
    const br = b + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j * F32;
      const d = v128.load(dyr + o);
      if (mode == MERGE_MUL) {
        v128.store(dfr + o, f32x4.mul(d, v128.load(br + o)));
        v128.store(dbr + o, f32x4.mul(d, v128.load(fr + o)));
      } else {
        const h = f32x4.mul(d, half);
        v128.store(dfr + o, h);
        v128.store(dbr + o, h);
      }
    }
    for (; j < H; j++) {
      const o = <usize>j * F32;
      const d = load<f32>(dyr + o);
      if (mode == MERGE_MUL) {
        store<f32>(dfr + o, d * load<f32>(br + o));
        store<f32>(dbr + o, d * load<f32>(fr + o));
      } else {
        store<f32>(dfr + o, d * 0.5);
        store<f32>(dbr + o, d * 0.5);
      }
    }
  }
}
