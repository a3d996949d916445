// Inverted dropout with a counter-based hash as the random source, so the
// mask of element i depends only on (seed, i): the TS twin computes the same
// bits, and no RNG state lives in wasm.
//   keep_i = fmix32(seed ^ (i · 0x9E3779B1)) >= rate · 2^32
//   mask_i = keep_i ? 1 / (1 - rate) : 0,  y = x ⊙ mask
// (fmix32 is MurmurHash3's finaliser: every input bit affects every output bit.)

import { F32 } from './simd';

// @ts-ignore: decorator
@inline function fmix32v(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x85ebca6b));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(0xc2b2ae35));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/** y (n) = x (n) ⊙ mask (n); mask (n) is written for the backward pass (dx = dy ⊙ mask). */
export function dropout_forward_f32(y: usize, mask: usize, x: usize, n: i32, rate: f32, seed: u32): void {
  // keep when hash >= threshold, compared as unsigned: flip the sign bit and compare signed
  const threshold = <u32>Math.min(4294967295.0, Math.floor(<f64>rate * 4294967296.0));
  const thr = i32x4.splat(<i32>(threshold ^ 0x80000000));
  const scale = f32x4.splat(<f32>1 / (<f32>1 - rate));
  const seedv = i32x4.splat(<i32>seed);
  const golden = i32x4.splat(<i32>0x9e3779b1);
  const sign = i32x4.splat(<i32>0x80000000);
  let idx = i32x4(0, 1, 2, 3);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const h = fmix32v(v128.xor(seedv, i32x4.mul(idx, golden)));
    const keep = i32x4.ge_s(v128.xor(h, sign), thr);
    const m = v128.and(scale, keep);
    const o = <usize>i * F32;
    v128.store(mask + o, m);
    v128.store(y + o, f32x4.mul(v128.load(x + o), m));
    idx = i32x4.add(idx, i32x4.splat(4));
  }
  for (; i < n; i++) {
    const h = i32x4.extract_lane(fmix32v(v128.xor(seedv, i32x4.mul(i32x4.splat(i), golden))), 0);
    const m: f32 = <u32>h >= threshold ? f32x4.extract_lane(scale, 0) : 0;
    const o = <usize>i * F32;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}
