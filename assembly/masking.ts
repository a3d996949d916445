// Keras Masking: a time step whose features all equal `value` is masked.
//   mask (N) = any(x[n, :] != value) ? 1 : 0;  y (N,F) = x ⊙ mask (row-wise)
// Backward is row_scale_f32 with the same mask: dx = dy ⊙ mask.
// N = B·T rows of F features.

import { F32 } from './simd';

export function masking_forward_f32(y: usize, mask: usize, x: usize, N: i32, F: i32, value: f32): void {
  const rowBytes = <usize>F * F32;
  for (let n = 0; n < N; n++) {
    const xr = x + <usize>n * rowBytes;
    let keep = false;
    for (let j = 0; j < F; j++) {
      if (load<f32>(xr + <usize>j * F32) != value) {
        keep = true;
        break;
      }
    }
    store<f32>(mask + <usize>n * F32, keep ? 1 : 0);
    const yr = y + <usize>n * rowBytes;
    if (keep) {
      if (yr != xr) memory.copy(yr, xr, rowBytes);
    } else {
      memory.fill(yr, 0, rowBytes);
    }
  }
}

/** y (R,C) = x (R,C) ⊙ s (R) broadcast along each row. y may alias x. */
export function row_scale_f32(y: usize, x: usize, s: usize, R: i32, C: i32): void {
  for (let r = 0; r < R; r++) {
    const sv = f32x4.splat(load<f32>(s + <usize>r * F32));
    const o = <usize>r * <usize>C * F32;
    let j = 0;
    for (; j + 4 <= C; j += 4) {
      const q = o + <usize>j * F32;
      v128.store(y + q, f32x4.mul(v128.load(x + q), sv));
    }
    for (; j < C; j++) {
      const q = o + <usize>j * F32;
      store<f32>(y + q, load<f32>(x + q) * f32x4.extract_lane(sv, 0));
    }
  }
}
