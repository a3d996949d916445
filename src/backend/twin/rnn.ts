/**
 * Twin of assembly/rnn.ts: the SimpleRNN forward over a sequence and its
 * backward through time, written as plainly as the math (see the header of
 * assembly/rnn.ts for layouts and the goBackwards / mask rules). Offsets
 * address the heap `h`; 0 means "absent".
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';
import { previousStates, passMaskedRows } from './recurrent.js';
import { matmul } from './gemm.js';
import { act1, actGrad1 } from './activations.js';

/** hseq (B,T,H) = SimpleRNN(x (B,T,I)): h_t = act(x_t·wx + h_{t-1}·wh + bias). */
export function simpleRnnForward(m: HeapMemory, a: KernelArgs<'simpleRnnForward'>): void {
  const h = m.f32();
  const { B, T, I, H, goBackwards, act } = a;
  const { hseq, x, wx, wh, bias, h0, mask } = offsets('simpleRnnForward', a);
  // input projection for all steps, then the bias
  matmul(h, 'nn', hseq, H, x, I, wx, H, B * T, H, I, false);
  if (bias) for (let r = 0; r < B * T; r++) for (let j = 0; j < H; j++) h[hseq + r * H + j] += h[bias + j];
  for (let s = 0; s < T; s++) {
    const t = goBackwards ? T - 1 - s : s;
    const tp = goBackwards ? t + 1 : t - 1;
    const first = s === 0;
    // z_t += h_{t-1}·wh
    matmul(h, 'nn', hseq + t * H, T * H, first ? h0 : hseq + tp * H, first ? H : T * H, wh, H, B, H, H, true);
    for (let b = 0; b < B; b++) {
      const ht = hseq + (b * T + t) * H;
      if (mask && h[mask + b * T + t] === 0) {
        const hp = first ? h0 + b * H : hseq + (b * T + tp) * H;
        h.copyWithin(ht, hp, hp + H);
        continue;
      }
      for (let j = 0; j < H; j++) h[ht + j] = act1(act, h[ht + j]);
    }
  }
}

/** Backward through time; see assembly/rnn.ts simple_rnn_backward_f32 for the contract. */
export function simpleRnnBackward(m: HeapMemory, a: KernelArgs<'simpleRnnBackward'>): void {
  const h = m.f32();
  const { B, T, I, H, goBackwards, act } = a;
  const { dx, dwx, dwh, dbias, dh0, dhseq, dhT, x, wx, wh, h0, mask, hseq, dz, hprev, dhBuf } = offsets('simpleRnnBackward', a);
  const BH = B * H;
  let dh = dhBuf;
  let dhNext = dhBuf + BH;
  if (dhT) h.copyWithin(dh, dhT, dhT + BH);
  else h.fill(0, dh, dh + BH);
  const masked = (b: number, t: number) => mask !== 0 && h[mask + b * T + t] === 0;

  for (let s = T - 1; s >= 0; s--) {
    const t = goBackwards ? T - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const dhb = dh + b * H;
      if (dhseq) for (let j = 0; j < H; j++) h[dhb + j] += h[dhseq + (b * T + t) * H + j];
      const dzb = dz + (b * T + t) * H;
      if (masked(b, t)) {
        h.fill(0, dzb, dzb + H); // the state was copied: no dz, dh passes through
        continue;
      }
      // backprop through act, from its output h_t
      const ht = hseq + (b * T + t) * H;
      for (let j = 0; j < H; j++) h[dzb + j] = actGrad1(act, h[ht + j], h[dhb + j]);
    }
    // dh_{t-1} = dz_t · whᵀ; masked rows pass their dh through
    matmul(h, 'nt', dhNext, H, dz + t * H, T * H, wh, H, B, H, H, false);
    passMaskedRows(h, dhNext, dh, mask, B, T, t, H);
    const tmp = dh;
    dh = dhNext;
    dhNext = tmp;
  }
  if (dh0) h.copyWithin(dh0, dh, dh + BH);
  previousStates(h, hprev, hseq, h0, B, T, H, goBackwards);
  const N = B * T;
  matmul(h, 'tn', dwh, H, hprev, H, dz, H, H, H, N, true);
  matmul(h, 'tn', dwx, H, x, I, dz, H, I, H, N, true);
  if (dbias) for (let r = 0; r < N; r++) for (let j = 0; j < H; j++) h[dbias + j] += h[dz + r * H + j];
  if (dx) matmul(h, 'nt', dx, I, dz, H, wx, H, N, I, H, false);
}
