/** Twin of assembly/optim.ts: Keras update rules over a flat parameter vector. */

export function sgdUpdate(h: Float32Array, w: number, g: number, vel: number, n: number, lr: number, momentum: number, nesterov: boolean): void {
  for (let i = 0; i < n; i++) {
    const gv = h[g + i];
    if (momentum === 0) {
      h[w + i] -= lr * gv;
    } else {
      const v = momentum * h[vel + i] - lr * gv;
      h[vel + i] = v;
      h[w + i] += nesterov ? momentum * v - lr * gv : v;
    }
  }
}

export function adamUpdate(h: Float32Array, w: number, g: number, m: number, v: number, n: number, lrT: number, beta1: number, beta2: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const gv = h[g + i];
    const mv = beta1 * h[m + i] + (1 - beta1) * gv;
    const vv = beta2 * h[v + i] + (1 - beta2) * gv * gv;
    h[m + i] = mv;
    h[v + i] = vv;
    h[w + i] -= (lrT * mv) / (Math.sqrt(vv) + eps);
  }
}

export function rmspropUpdate(h: Float32Array, w: number, g: number, acc: number, mom: number, n: number, lr: number, rho: number, eps: number, momentum: number): void {
  for (let i = 0; i < n; i++) {
    const gv = h[g + i];
    const a = rho * h[acc + i] + (1 - rho) * gv * gv;
    h[acc + i] = a;
    let step = (lr * gv) / Math.sqrt(a + eps);
    if (momentum !== 0) {
      step = momentum * h[mom + i] + step;
      h[mom + i] = step;
    }
    h[w + i] -= step;
  }
}

export function adagradUpdate(h: Float32Array, w: number, g: number, acc: number, n: number, lr: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const gv = h[g + i];
    const a = h[acc + i] + gv * gv;
    h[acc + i] = a;
    h[w + i] -= (lr * gv) / Math.sqrt(a + eps);
  }
}

export function clipValue(h: Float32Array, g: number, n: number, c: number): void {
  for (let i = 0; i < n; i++) h[g + i] = Math.min(Math.max(h[g + i], -c), c);
}
