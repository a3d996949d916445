// Embedding: gather forward, scatter-add backward (touches only the rows of
// ids that occur), and the Keras mask_zero mask.
//   N = number of ids (B*T), D = output dim, V = vocabulary (rows of w).
// ids are i32 in [0, V): the host checks the range before calling.

import { F32 } from './simd';

// y (N,D) = w[ids] (V,D)
export function embedding_forward_f32(y: usize, ids: usize, w: usize, N: i32, D: i32): void {
  const rowBytes = <usize>D * F32;
  for (let n = 0; n < N; n++) {
    const id = load<i32>(ids + <usize>n * 4);
    memory.copy(y + <usize>n * rowBytes, w + <usize>id * rowBytes, rowBytes);
  }
}

// dw (V,D) += scatter of dy (N,D) to the rows ids (N)
export function embedding_backward_f32(dw: usize, dy: usize, ids: usize, N: i32, D: i32): void {
  const rowBytes = <usize>D * F32;
  for (let n = 0; n < N; n++) {
    const dst = dw + <usize>load<i32>(ids + <usize>n * 4) * rowBytes;
    const src = dy + <usize>n * rowBytes;
    let j = 0;
    for (; j + 4 <= D; j += 4) {
      const o = <usize>j * F32;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
    for (; j < D; j++) {
      const o = <usize>j * F32;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
}

// mask (N) = ids (N) != 0 ? 1 : 0, as f32 (Keras mask_zero)
export function mask_from_ids_f32(mask: usize, ids: usize, N: i32): void {
  for (let n = 0; n < N; n++) {
    store<f32>(mask + <usize>n * F32, load<i32>(ids + <usize>n * 4) != 0 ? 1 : 0);
  }
}
