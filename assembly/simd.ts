// Small SIMD helpers shared by every kernel file.
//
// One source builds two variants: plain SIMD (`--enable simd`) and relaxed SIMD
// (`--enable simd,relaxed-simd`). ASC_FEATURE_RELAXED_SIMD is a compile-time
// constant, so only the taken branch is emitted.

/** a*b + c. Fused (one rounding) where the relaxed build and the CPU allow it. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/** Bytes in one f32. Pointers are byte addresses; dims count elements. */
// @ts-ignore: decorator
@inline export const F32: usize = 4;
