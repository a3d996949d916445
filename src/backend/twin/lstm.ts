/**
 * Twin of assembly/lstm.ts: the LSTM forward over a sequence and its
 * backward through time, written as plainly as the math (see the header of
 * assembly/lstm.ts for layouts, gate order and the goBackwards / mask rules).
 * Offsets address the heap `h` (float32) and `hi` (int32 view of the same
 * memory); 0 means "absent".
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';
import { previousStates, passMaskedRows } from './recurrent.js';
import { matmul } from './gemm.js';
import { act1, actGrad1 } from './activations.js';

/** hseq, cseq (B,T,H), gates (B,T,4H) = LSTM(x (B,T,I)). */
export function lstmForward(m: HeapMemory, a: KernelArgs<'lstmForward'>): void {
  const h = m.f32();
  const { B, T, I, H, goBackwards, act, recAct } = a;
  const { hseq, cseq, gates, x, wx, wh, bias, peep, h0, c0, mask } = offsets('lstmForward', a);
  const G = 4 * H;
  // input projection for all steps, then the bias
  matmul(h, 'nn', gates, G, x, I, wx, G, B * T, G, I, false);
  if (bias) for (let r = 0; r < B * T; r++) for (let j = 0; j < G; j++) h[gates + r * G + j] += h[bias + j];
  for (let s = 0; s < T; s++) {
    const t = goBackwards ? T - 1 - s : s;
    const tp = goBackwards ? t + 1 : t - 1;
    const first = s === 0;
    // z_t += h_{t-1}·wh
    matmul(h, 'nn', gates + t * G, T * G, first ? h0 : hseq + tp * H, first ? H : T * H, wh, G, B, G, H, true);
    for (let b = 0; b < B; b++) {
      const z = gates + (b * T + t) * G;
      const c = cseq + (b * T + t) * H;
      const hh = hseq + (b * T + t) * H;
      const cp = first ? c0 + b * H : cseq + (b * T + tp) * H;
      const hp = first ? h0 + b * H : hseq + (b * T + tp) * H;
      if (mask && h[mask + b * T + t] === 0) {
        h.copyWithin(c, cp, cp + H);
        h.copyWithin(hh, hp, hp + H);
        continue;
      }
      for (let j = 0; j < H; j++) {
        const cprev = h[cp + j];
        let zi = h[z + j];
        let zf = h[z + H + j];
        let zo = h[z + 3 * H + j];
        if (peep) {
          zi += h[peep + j] * cprev;
          zf += h[peep + H + j] * cprev;
        }
        const i = act1(recAct, zi);
        const f = act1(recAct, zf);
        const g = act1(act, h[z + 2 * H + j]);
        const cv = f * cprev + i * g;
        if (peep) zo += h[peep + 2 * H + j] * cv;
        const o = act1(recAct, zo);
        h[z + j] = i;
        h[z + H + j] = f;
        h[z + 2 * H + j] = g;
        h[z + 3 * H + j] = o;
        h[c + j] = cv;
        h[hh + j] = o * act1(act, cv);
      }
    }
  }
}

/** Backward through time; see assembly/lstm.ts lstm_backward_f32 for the contract. */
export function lstmBackward(m: HeapMemory, a: KernelArgs<'lstmBackward'>): void {
  const h = m.f32();
  const { B, T, I, H, goBackwards, act, recAct } = a;
  const { dx, dwx, dwh, dbias, dpeep, dh0, dc0, dhseq, dhT, dcT, x, wx, wh, peep, h0, c0, mask, hseq, cseq, gates, hprev, dhBuf, dcBuf } =
    offsets('lstmBackward', a);
  const G = 4 * H;
  const BH = B * H;
  let dh = dhBuf;
  let dhNext = dhBuf + BH;
  if (dhT) h.copyWithin(dh, dhT, dhT + BH);
  else h.fill(0, dh, dh + BH);
  if (dcT) h.copyWithin(dcBuf, dcT, dcT + BH);
  else h.fill(0, dcBuf, dcBuf + BH);
  const masked = (b: number, t: number) => mask !== 0 && h[mask + b * T + t] === 0;

  for (let s = T - 1; s >= 0; s--) {
    const t = goBackwards ? T - 1 - s : s;
    const tp = goBackwards ? t + 1 : t - 1;
    const first = s === 0;
    for (let b = 0; b < B; b++) {
      const dhb = dh + b * H;
      if (dhseq) for (let j = 0; j < H; j++) h[dhb + j] += h[dhseq + (b * T + t) * H + j];
      const z = gates + (b * T + t) * G;
      if (masked(b, t)) {
        h.fill(0, z, z + G); // the state was copied: no dz, dh and dc pass through
        continue;
      }
      const c = cseq + (b * T + t) * H;
      const cp = first ? c0 + b * H : cseq + (b * T + tp) * H;
      const dcb = dcBuf + b * H;
      for (let j = 0; j < H; j++) {
        const i = h[z + j];
        const f = h[z + H + j];
        const g = h[z + 2 * H + j];
        const o = h[z + 3 * H + j];
        const cv = h[c + j];
        const cprev = h[cp + j];
        const dhv = h[dhb + j];
        const tc = act1(act, cv);
        // h = o ⊙ act(c)
        const dzo = actGrad1(recAct, o, dhv * tc);
        let dct = h[dcb + j] + actGrad1(act, tc, dhv * o);
        if (peep) dct += dzo * h[peep + 2 * H + j];
        // c = f ⊙ c_prev + i ⊙ g
        const dzi = actGrad1(recAct, i, dct * g);
        const dzf = actGrad1(recAct, f, dct * cprev);
        const dzg = actGrad1(act, g, dct * i);
        let dcp = dct * f;
        if (peep) {
          dcp += dzi * h[peep + j] + dzf * h[peep + H + j];
          h[dpeep + j] += dzi * cprev;
          h[dpeep + H + j] += dzf * cprev;
          h[dpeep + 2 * H + j] += dzo * cv;
        }
        h[z + j] = dzi;
        h[z + H + j] = dzf;
        h[z + 2 * H + j] = dzg;
        h[z + 3 * H + j] = dzo;
        h[dcb + j] = dcp;
      }
    }
    // dh_{t-1} = dz_t · whᵀ; masked rows pass their dh through
    matmul(h, 'nt', dhNext, H, gates + t * G, T * G, wh, G, B, H, G, false);
    passMaskedRows(h, dhNext, dh, mask, B, T, t, H);
    const tmp = dh;
    dh = dhNext;
    dhNext = tmp;
  }
  if (dh0) h.copyWithin(dh0, dh, dh + BH);
  if (dc0) h.copyWithin(dc0, dcBuf, dcBuf + BH);
  previousStates(h, hprev, hseq, h0, B, T, H, goBackwards);
  const N = B * T;
  matmul(h, 'tn', dwh, G, hprev, H, gates, G, H, G, N, true);
  matmul(h, 'tn', dwx, G, x, I, gates, G, I, G, N, true);
  if (dbias) for (let r = 0; r < N; r++) for (let j = 0; j < G; j++) h[dbias + j] += h[gates + r * G + j];
  if (dx) matmul(h, 'nt', dx, I, gates, G, wx, G, N, I, G, false);
}
