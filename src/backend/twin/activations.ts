/**
 * Twin of assembly/activations.ts: float64 Math, one rounding to float32 on
 * store. The accuracy reference for the vectorised approximations.
 */
import { ACT_HARD_SIGMOID, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../abi.js';
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

export function act1(act: number, x: number): number {
  switch (act) {
    case ACT_SIGMOID:
      return 1 / (1 + Math.exp(-x));
    case ACT_TANH:
      return Math.tanh(x);
    case ACT_RELU:
      return x > 0 ? x : 0;
    case ACT_HARD_SIGMOID: {
      const y = 0.2 * x + 0.5;
      return y < 0 ? 0 : y > 1 ? 1 : y;
    }
    default:
      return x;
  }
}

/** dy · act'(x) expressed through y = act(x). */
export function actGrad1(act: number, y: number, dy: number): number {
  switch (act) {
    case ACT_SIGMOID:
      return dy * y * (1 - y);
    case ACT_TANH:
      return dy * (1 - y * y);
    case ACT_RELU:
      return y > 0 ? dy : 0;
    case ACT_HARD_SIGMOID:
      return y > 0 && y < 1 ? 0.2 * dy : 0;
    default:
      return dy;
  }
}

/** y (n) = act(x (n)); linear is a copy (none when y is x). */
export function activation(m: HeapMemory, a: KernelArgs<'activation'>): void {
  const h = m.f32();
  const { y, x } = offsets('activation', a);
  if (a.act === ACT_LINEAR) {
    if (y !== x) h.copyWithin(y, x, x + a.n);
    return;
  }
  for (let i = 0; i < a.n; i++) h[y + i] = act1(a.act, h[x + i]);
}

/** The exports that name their activation: y (n) = f(x (n)). */
export const sigmoid = (m: HeapMemory, a: KernelArgs<'sigmoid'>) => activation(m, { ...a, act: ACT_SIGMOID });
export const tanh = (m: HeapMemory, a: KernelArgs<'tanh'>) => activation(m, { ...a, act: ACT_TANH });
export const relu = (m: HeapMemory, a: KernelArgs<'relu'>) => activation(m, { ...a, act: ACT_RELU });
export const hardSigmoid = (m: HeapMemory, a: KernelArgs<'hardSigmoid'>) => activation(m, { ...a, act: ACT_HARD_SIGMOID });

/** dx (n) =|+= dy · act'(x), from y = act(x). */
export function activationBackward(m: HeapMemory, a: KernelArgs<'activationBackward'>): void {
  const h = m.f32();
  const { dx, y, dy } = offsets('activationBackward', a);
  for (let i = 0; i < a.n; i++) {
    const g = actGrad1(a.act, h[y + i], h[dy + i]);
    h[dx + i] = a.accumulate ? h[dx + i] + g : g;
  }
}

/** y (R,C) = softmax of each row of x. */
export function softmaxRows(m: HeapMemory, a: KernelArgs<'softmaxRows'>): void {
  const h = m.f32();
  const { R, C } = a;
  const { y, x } = offsets('softmaxRows', a);
  for (let r = 0; r < R; r++) {
    const xr = x + r * C;
    const yr = y + r * C;
    let mx = -Infinity;
    for (let j = 0; j < C; j++) mx = Math.max(mx, h[xr + j]);
    let s = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp(h[xr + j] - mx);
      h[yr + j] = e;
      s += e;
    }
    for (let j = 0; j < C; j++) h[yr + j] /= s;
  }
}

/** dx (R,C) =|+= y ⊙ (dy − Σ y·dy). */
export function softmaxRowsBackward(m: HeapMemory, a: KernelArgs<'softmaxRowsBackward'>): void {
  const h = m.f32();
  const { R, C, accumulate } = a;
  const { dx, y, dy } = offsets('softmaxRowsBackward', a);
  for (let r = 0; r < R; r++) {
    const o = r * C;
    let dot = 0;
    for (let j = 0; j < C; j++) dot += h[y + o + j] * h[dy + o + j];
    for (let j = 0; j < C; j++) {
      const g = h[y + o + j] * (h[dy + o + j] - dot);
      h[dx + o + j] = accumulate ? h[dx + o + j] + g : g;
    }
  }
}
