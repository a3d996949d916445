// Elementwise maximum of several inputs (Keras Maximum), one input per call.
//
//   y = max(x_0, x_1, ..., x_{m−1}) elementwise; arg = which input won.
// Call i = 0, 1, ... in order: call 0 copies x_0; call i takes x_i where it
// is strictly greater, so on a tie the earlier input keeps the element (and
// its gradient). The backward of input i passes dy where arg == i, else 0.
// n elements; y, dy, dx f32, arg i32.

import { F32 } from './simd';

/** y (n), arg (n) updated with input `index` x (n): index 0 sets them, later inputs win where strictly greater. */
export function maximum_forward_f32(y: usize, arg: usize, x: usize, n: i32, index: i32): void {
  const idx = i32x4.splat(index);
  let i = 0;
  if (index == 0) {
    memory.copy(y, x, <usize>n * F32);
    for (; i + 4 <= n; i += 4) v128.store(arg + <usize>i * F32, idx);
    for (; i < n; i++) store<i32>(arg + <usize>i * F32, 0);
    return;
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    const v = v128.load(x + o);
    const m = v128.load(y + o);
    const gt = f32x4.gt(v, m);
    v128.store(y + o, v128.bitselect(v, m, gt));
    v128.store(arg + o, v128.bitselect(idx, v128.load(arg + o), gt));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    const v = load<f32>(x + o);
    if (v > load<f32>(y + o)) {
      store<f32>(y + o, v);
      store<i32>(arg + o, index);
    }
  }
}

/** dx (n) = dy (n) where arg == index, else 0: the gradient of input `index`. */
export function maximum_backward_f32(dx: usize, dy: usize, arg: usize, n: i32, index: i32): void {
  const idx = i32x4.splat(index);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(dx + o, v128.and(v128.load(dy + o), i32x4.eq(v128.load(arg + o), idx)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(dx + o, load<i32>(arg + o) == index ? load<f32>(dy + o) : 0);
  }
}
