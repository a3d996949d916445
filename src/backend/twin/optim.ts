/** Twin of assembly/optim.ts: Keras update rules over a flat parameter vector. */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

export function sgdUpdate(m: HeapMemory, a: KernelArgs<'sgdUpdate'>): void {
  const h = m.f32();
  const { n, lr, momentum, nesterov } = a;
  const { w, g, vel } = offsets('sgdUpdate', a);
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

export function adamUpdate(mem: HeapMemory, a: KernelArgs<'adamUpdate'>): void {
  const h = mem.f32();
  const { n, lrT, beta1, beta2, eps } = a;
  const { w, g, m, v } = offsets('adamUpdate', a);
  for (let i = 0; i < n; i++) {
    const gv = h[g + i];
    const mv = beta1 * h[m + i] + (1 - beta1) * gv;
    const vv = beta2 * h[v + i] + (1 - beta2) * gv * gv;
    h[m + i] = mv;
    h[v + i] = vv;
    h[w + i] -= (lrT * mv) / (Math.sqrt(vv) + eps);
  }
}

export function rmspropUpdate(m: HeapMemory, a: KernelArgs<'rmspropUpdate'>): void {
  const h = m.f32();
  const { n, lr, rho, eps, momentum } = a;
  const { w, g, acc, mom } = offsets('rmspropUpdate', a);
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

export function adagradUpdate(m: HeapMemory, a: KernelArgs<'adagradUpdate'>): void {
  const h = m.f32();
  const { n, lr, eps } = a;
  const { w, g, acc } = offsets('adagradUpdate', a);
  for (let i = 0; i < n; i++) {
    const gv = h[g + i];
    const a = h[acc + i] + gv * gv;
    h[acc + i] = a;
    h[w + i] -= (lr * gv) / Math.sqrt(a + eps);
  }
}

export function clipValue(m: HeapMemory, a: KernelArgs<'clipValue'>): void {
  const h = m.f32();
  const { n, c } = a;
  const g = a.g.off;
  for (let i = 0; i < n; i++) h[g + i] = Math.min(Math.max(h[g + i], -c), c);
}
