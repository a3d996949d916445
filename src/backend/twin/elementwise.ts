/** Twin of assembly/elementwise.ts. */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';

// y (R,C) = x (R,C) + b (C)
export function biasAdd(m: HeapMemory, a: KernelArgs<'biasAdd'>): void {
  const h = m.f32();
  const { R, C } = a;
  const { y, x, b } = offsets('biasAdd', a);
  for (let r = 0; r < R; r++) for (let j = 0; j < C; j++) h[y + r * C + j] = h[x + r * C + j] + h[b + j];
}

// db (C) =|+= Σ_r dy (R,C)
export function columnSum(m: HeapMemory, a: KernelArgs<'columnSum'>): void {
  const h = m.f32();
  const { R, C } = a;
  const { db, dy } = offsets('columnSum', a);
  if (!a.accumulate) h.fill(0, db, db + C);
  for (let r = 0; r < R; r++) for (let j = 0; j < C; j++) h[db + j] += h[dy + r * C + j];
}

// y (n) += alpha · x (n)
export function axpy(m: HeapMemory, a: KernelArgs<'axpy'>): void {
  const h = m.f32();
  const { y, x } = offsets('axpy', a);
  for (let i = 0; i < a.n; i++) h[y + i] += a.alpha * h[x + i];
}

// y (n) = alpha · x (n)
export function scale(m: HeapMemory, a: KernelArgs<'scale'>): void {
  const h = m.f32();
  const { y, x } = offsets('scale', a);
  for (let i = 0; i < a.n; i++) h[y + i] = a.alpha * h[x + i];
}

// y (n) =|+= a (n) ⊙ b (n)
export function mul(m: HeapMemory, args: KernelArgs<'mul'>): void {
  const h = m.f32();
  const { y, a, b } = offsets('mul', args);
  for (let i = 0; i < args.n; i++) {
    const v = h[a + i] * h[b + i];
    h[y + i] = args.accumulate ? h[y + i] + v : v;
  }
}

// y (n) = a (n) + b (n)
export function add(m: HeapMemory, args: KernelArgs<'add'>): void {
  const h = m.f32();
  const { y, a, b } = offsets('add', args);
  for (let i = 0; i < args.n; i++) h[y + i] = h[a + i] + h[b + i];
}

// y (n) = value
export function fill(m: HeapMemory, a: KernelArgs<'fill'>): void {
  m.f32().fill(a.value, a.y.off, a.y.off + a.n);
}

// y (n) = x (n); copyWithin moves bytes, so int32 buffers copy too
export function copy(m: HeapMemory, a: KernelArgs<'copy'>): void {
  m.f32().copyWithin(a.y.off, a.x.off, a.x.off + a.n);
}

// Σ x (n)², in float64
export function sumSquares(m: HeapMemory, a: KernelArgs<'sumSquares'>): number {
  const h = m.f32();
  const x = a.x.off;
  let s = 0;
  for (let i = 0; i < a.n; i++) s += h[x + i] * h[x + i];
  return s;
}

// any of x (n) NaN or ±Inf
export function hasNonFinite(m: HeapMemory, a: KernelArgs<'hasNonFinite'>): boolean {
  const h = m.f32();
  const x = a.x.off;
  for (let i = 0; i < a.n; i++) if (!Number.isFinite(h[x + i])) return true;
  return false;
}

// dst rows (R,W), stride ds = src rows, stride ss
export function copyRows(m: HeapMemory, a: KernelArgs<'copyRows'>): void {
  const h = m.f32();
  const { ds, ss, R, W } = a;
  const { dst, src } = offsets('copyRows', a);
  for (let r = 0; r < R; r++) h.copyWithin(dst + r * ds, src + r * ss, src + r * ss + W);
}

// y (B,T,F)[b,t] = x[b,T-1-t]
export function reverseTime(m: HeapMemory, a: KernelArgs<'reverseTime'>): void {
  const h = m.f32();
  const { B, T, F } = a;
  const { y, x } = offsets('reverseTime', a);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = x + (b * T + T - 1 - t) * F;
      h.copyWithin(y + (b * T + t) * F, src, src + F);
    }
  }
}
