// 1-D pooling over time, channels last, and the mask of a windowed layer.
//
// Dims: B batch, T input steps, C channels, To output steps, K window
// (pool size), S stride, D dilation (window_mask only; pooling uses 1), P
// padding steps before step 0. Output step t reads input steps
// i = t·S + k·D − P, k < K; a step is read when 0 <= i < T and it is valid
// (mask absent, or mask[b,i] != 0). Global pooling is the case K = T, S = 1,
// P = 0, To = 1.
//
//   max:      y[b,t,c] = max over read steps of x[b,i,c]; arg[b,t,c] = that i,
//             the earliest one on ties (TF's rule); no step read: y = 0, arg = −1
//   average:  y[b,t,c] = Σ over read steps x[b,i,c] / (number of read steps);
//             padding and masked steps are not counted; none read: y = 0
//   mask:     ymask[b,t] = 1 if output t reads at least one step, else 0
//
// Backward writes dx (B,T,C) = (zero where no window reads the step).

import { F32 } from './simd';

// @ts-ignore: decorator
@inline function reads(mask: usize, b: i32, T: i32, i: i32): bool {
  if (i < 0 || i >= T) return false;
  return mask == 0 || load<f32>(mask + (<usize>b * <usize>T + <usize>i) * F32) != 0;
}

/** y, arg (B,To,C) = the max over each window of x (B,T,C) and the step it came from. */
export function max_pool1d_forward_f32(y: usize, arg: usize, x: usize, mask: usize,
  B: i32, T: i32, C: i32, To: i32, K: i32, S: i32, P: i32): void {
  const rowBytes = <usize>C * F32;
  const none = f32x4.splat(-Infinity);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const o = (<usize>b * <usize>To + <usize>t) * rowBytes;
      const yr = y + o;
      const ar = arg + o;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        v128.store(yr + <usize>c * F32, none);
        v128.store(ar + <usize>c * F32, i32x4.splat(-1));
      }
      for (; c < C; c++) {
        store<f32>(yr + <usize>c * F32, -Infinity);
        store<i32>(ar + <usize>c * F32, -1);
      }
      for (let k = 0; k < K; k++) {
        const i = t * S + k - P;
        if (!reads(mask, b, T, i)) continue;
        const xr = x + (<usize>b * <usize>T + <usize>i) * rowBytes;
        const iv = i32x4.splat(i);
        c = 0;
        for (; c + 4 <= C; c += 4) {
          const q = <usize>c * F32;
          const v = v128.load(xr + q);
          const m = v128.load(yr + q);
          // strictly greater: the earliest step keeps a tie
          const gt = f32x4.gt(v, m);
          v128.store(yr + q, v128.bitselect(v, m, gt));
          v128.store(ar + q, v128.bitselect(iv, v128.load(ar + q), gt));
        }
        for (; c < C; c++) {
          const q = <usize>c * F32;
          const v = load<f32>(xr + q);
          if (v > load<f32>(yr + q)) {
            store<f32>(yr + q, v);
            store<i32>(ar + q, i);
          }
        }
      }
      // a window with no step read gives 0
      for (c = 0; c < C; c++) {
        if (load<i32>(ar + <usize>c * F32) < 0) store<f32>(yr + <usize>c * F32, 0);
      }
    }
  }
}

/** dx (B,T,C) = dy (B,To,C) routed to the step each max came from (arg). */
export function max_pool1d_backward_f32(dx: usize, dy: usize, arg: usize, B: i32, T: i32, C: i32, To: i32): void {
  memory.fill(dx, 0, <usize>B * <usize>T * <usize>C * F32);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const o = (<usize>b * <usize>To + <usize>t) * <usize>C * F32;
      for (let c = 0; c < C; c++) {
        const i = load<i32>(arg + o + <usize>c * F32);
        if (i < 0) continue;
        const p = dx + ((<usize>b * <usize>T + <usize>i) * <usize>C + <usize>c) * F32;
        store<f32>(p, load<f32>(p) + load<f32>(dy + o + <usize>c * F32));
      }
    }
  }
}

/** Steps output t of batch row b reads. */
// @ts-ignore: decorator
@inline function countRead(mask: usize, b: i32, T: i32, t: i32, K: i32, S: i32, P: i32): i32 {
  let n = 0;
  for (let k = 0; k < K; k++) if (reads(mask, b, T, t * S + k - P)) n++;
  return n;
}

/** y (B,To,C) = the mean over each window of x (B,T,C), counting only the steps read. */
export function avg_pool1d_forward_f32(y: usize, x: usize, mask: usize,
  B: i32, T: i32, C: i32, To: i32, K: i32, S: i32, P: i32): void {
  const rowBytes = <usize>C * F32;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const yr = y + (<usize>b * <usize>To + <usize>t) * rowBytes;
      memory.fill(yr, 0, rowBytes);
      let n = 0;
      for (let k = 0; k < K; k++) {
        const i = t * S + k - P;
        if (!reads(mask, b, T, i)) continue;
        n++;
        const xr = x + (<usize>b * <usize>T + <usize>i) * rowBytes;
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          const q = <usize>c * F32;
          v128.store(yr + q, f32x4.add(v128.load(yr + q), v128.load(xr + q)));
        }
        for (; c < C; c++) {
          const q = <usize>c * F32;
          store<f32>(yr + q, load<f32>(yr + q) + load<f32>(xr + q));
        }
      }
      if (n == 0) continue;
      const inv: f32 = 1 / <f32>n;
      const iv = f32x4.splat(inv);
      let c = 0;
      for (; c + 4 <= C; c += 4) v128.store(yr + <usize>c * F32, f32x4.mul(v128.load(yr + <usize>c * F32), iv));
      for (; c < C; c++) store<f32>(yr + <usize>c * F32, load<f32>(yr + <usize>c * F32) * inv);
    }
  }
}

/** dx (B,T,C) = each dy (B,To,C) row spread evenly over the steps its window read. */
export function avg_pool1d_backward_f32(dx: usize, dy: usize, mask: usize,
  B: i32, T: i32, C: i32, To: i32, K: i32, S: i32, P: i32): void {
  const rowBytes = <usize>C * F32;
  memory.fill(dx, 0, <usize>B * <usize>T * rowBytes);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      const n = countRead(mask, b, T, t, K, S, P);
      if (n == 0) continue;
      const inv: f32 = 1 / <f32>n;
      const iv = f32x4.splat(inv);
      const dyr = dy + (<usize>b * <usize>To + <usize>t) * rowBytes;
      for (let k = 0; k < K; k++) {
        const i = t * S + k - P;
        if (!reads(mask, b, T, i)) continue;
        const dxr = dx + (<usize>b * <usize>T + <usize>i) * rowBytes;
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          const q = <usize>c * F32;
          v128.store(dxr + q, f32x4.add(v128.load(dxr + q), f32x4.mul(v128.load(dyr + q), iv)));
        }
        for (; c < C; c++) {
          const q = <usize>c * F32;
          store<f32>(dxr + q, load<f32>(dxr + q) + load<f32>(dyr + q) * inv);
        }
      }
    }
  }
}

/** ymask (B,To) = 1 where the window of output t (taps D apart) reads a valid step of mask (B,T), else 0. */
export function window_mask_f32(ymask: usize, mask: usize, B: i32, T: i32, To: i32, K: i32, S: i32, D: i32, P: i32): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < To; t++) {
      let any = false;
      for (let k = 0; k < K && !any; k++) any = reads(mask, b, T, t * S + k * D - P);
      store<f32>(ymask + (<usize>b * <usize>To + <usize>t) * F32, any ? 1 : 0);
    }
  }
}
