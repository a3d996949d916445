/**
 * Twin of assembly/gru.ts: the GRU forward over a sequence and its backward
 * through time, written as plainly as the math (see the header of
 * assembly/gru.ts for layouts, gate order z, r, h, both resetAfter forms and
 * the goBackwards / mask rules). Offsets address the heap `h`; 0 means
 * "absent".
 */
import type { KernelArgs } from '../contract/index.js';
import type { HeapMemory } from '../memory.js';
import { offsets } from './args.js';
import { previousStates } from './recurrent.js';
import { matmul } from './gemm.js';
import { act1, actGrad1 } from './activations.js';

/** hseq (B,T,H), gates (B,T,3H) = z, r, hh, aux (B,T,H) = GRU(x (B,T,I)). */
export function gruForward(m: HeapMemory, args: KernelArgs<'gruForward'>): void {
  const h = m.f32();
  const { B, T, I, H, goBackwards, act, recAct, resetAfter } = args;
  const { hseq, gates, aux, x, wx, wh, bias, h0, mask } = offsets('gruForward', args);
  const G = 3 * H;
  // input projection for all steps, then the input bias
  matmul(h, 'nn', gates, G, x, I, wx, G, B * T, G, I, false);
  if (bias) for (let r = 0; r < B * T; r++) for (let j = 0; j < G; j++) h[gates + r * G + j] += h[bias + j];
  const brec = resetAfter && bias ? bias + G : 0;
  for (let s = 0; s < T; s++) {
    const t = goBackwards ? T - 1 - s : s;
    const tp = goBackwards ? t + 1 : t - 1;
    const first = s === 0;
    const hp0 = first ? h0 : hseq + tp * H;
    const ldh = first ? H : T * H;
    // z, r += h_{t-1}·U_zr; resetAfter: aux = h_{t-1}·U_h
    matmul(h, 'nn', gates + t * G, T * G, hp0, ldh, wh, G, B, 2 * H, H, true);
    if (resetAfter) matmul(h, 'nn', aux + t * H, T * H, hp0, ldh, wh + 2 * H, G, B, H, H, false);
    for (let b = 0; b < B; b++) {
      const g = gates + (b * T + t) * G;
      const a = aux + (b * T + t) * H;
      if (mask && h[mask + b * T + t] === 0) {
        if (!resetAfter) h.fill(0, a, a + H);
        continue;
      }
      const hp = first ? h0 + b * H : hseq + (b * T + tp) * H;
      for (let j = 0; j < H; j++) {
        const z = act1(recAct, h[g + j] + (brec ? h[brec + j] : 0));
        const r = act1(recAct, h[g + H + j] + (brec ? h[brec + H + j] : 0));
        h[g + j] = z;
        h[g + H + j] = r;
        if (!resetAfter)
          h[a + j] = r * h[hp + j]; // r⊙h_{t-1}
        else if (brec) h[a + j] += h[brec + 2 * H + j]; // h_{t-1}·U_h + b'_h
      }
    }
    // not resetAfter: candidate += (r⊙h_{t-1})·U_h
    if (!resetAfter) matmul(h, 'nn', gates + t * G + 2 * H, T * G, aux + t * H, T * H, wh + 2 * H, G, B, H, H, true);
    for (let b = 0; b < B; b++) {
      const ht = hseq + (b * T + t) * H;
      const hp = first ? h0 + b * H : hseq + (b * T + tp) * H;
      if (mask && h[mask + b * T + t] === 0) {
        h.copyWithin(ht, hp, hp + H);
        continue;
      }
      const g = gates + (b * T + t) * G;
      const a = aux + (b * T + t) * H;
      for (let j = 0; j < H; j++) {
        const z = h[g + j];
        const pre = h[g + 2 * H + j] + (resetAfter ? h[g + H + j] * h[a + j] : 0);
        const hh = act1(act, pre);
        h[g + 2 * H + j] = hh;
        h[ht + j] = z * h[hp + j] + (1 - z) * hh;
      }
    }
  }
}

/** Backward through time; see assembly/gru.ts gru_backward_f32 for the contract. */
export function gruBackward(m: HeapMemory, args: KernelArgs<'gruBackward'>): void {
  const h = m.f32();
  const { B, T, I, H, goBackwards, act, recAct, resetAfter } = args;
  const { dx, dwx, dwh, dbias, dh0, dhseq, dhT, x, wx, wh, h0, mask, hseq, gates, aux, hprev, dhBuf } = offsets('gruBackward', args);
  const G = 3 * H;
  const BH = B * H;
  let dh = dhBuf;
  let dhNext = dhBuf + BH;
  const daux = dhBuf + 2 * BH;
  if (dhT) h.copyWithin(dh, dhT, dhT + BH);
  else h.fill(0, dh, dh + BH);
  const masked = (b: number, t: number) => mask !== 0 && h[mask + b * T + t] === 0;

  for (let s = T - 1; s >= 0; s--) {
    const t = goBackwards ? T - 1 - s : s;
    const tp = goBackwards ? t + 1 : t - 1;
    const first = s === 0;
    for (let b = 0; b < B; b++) {
      const dhb = dh + b * H;
      const dn = dhNext + b * H;
      if (dhseq) for (let j = 0; j < H; j++) h[dhb + j] += h[dhseq + (b * T + t) * H + j];
      const g = gates + (b * T + t) * G;
      const a = aux + (b * T + t) * H;
      if (masked(b, t)) {
        // the state was copied: no dz, dh passes through
        h.fill(0, g, g + G);
        h.fill(0, a, a + H);
        h.copyWithin(dn, dhb, dhb + H);
        continue;
      }
      const hp = first ? h0 + b * H : hseq + (b * T + tp) * H;
      for (let j = 0; j < H; j++) {
        const z = h[g + j];
        const r = h[g + H + j];
        const hh = h[g + 2 * H + j];
        const dhv = h[dhb + j];
        // h = z⊙h_{t-1} + (1−z)⊙hh
        const dz = actGrad1(recAct, z, dhv * (h[hp + j] - hh));
        const dhh = actGrad1(act, hh, dhv * (1 - z));
        h[dn + j] = dhv * z;
        h[g + j] = dz;
        if (resetAfter) {
          // hh = act(x W_h + b_h + r⊙aux), aux = h_{t-1}·U_h + b'_h
          h[g + H + j] = actGrad1(recAct, r, dhh * h[a + j]);
          h[g + 2 * H + j] = dhh * r; // d aux: the recurrent side of the h block
          h[a + j] = dhh; // the input side of the h block
        } else {
          h[g + 2 * H + j] = dhh;
        }
      }
    }
    if (resetAfter) {
      // dh_{t-1} += [dz, dr, daux]·Uᵀ
      matmul(h, 'nt', dhNext, H, gates + t * G, T * G, wh, G, B, H, G, true);
    } else {
      // daux = dhh·U_hᵀ = d(r⊙h_{t-1}); then dr, then dh_{t-1} += [dz, dr]·U_zrᵀ
      matmul(h, 'nt', daux, H, gates + t * G + 2 * H, T * G, wh + 2 * H, G, B, H, H, false);
      for (let b = 0; b < B; b++) {
        if (masked(b, t)) continue;
        const g = gates + (b * T + t) * G;
        const hp = first ? h0 + b * H : hseq + (b * T + tp) * H;
        for (let j = 0; j < H; j++) {
          const r = h[g + H + j];
          const da = h[daux + b * H + j];
          h[g + H + j] = actGrad1(recAct, r, da * h[hp + j]);
          h[dhNext + b * H + j] += da * r;
        }
      }
      matmul(h, 'nt', dhNext, H, gates + t * G, T * G, wh, G, B, H, 2 * H, true);
    }
    const tmp = dh;
    dh = dhNext;
    dhNext = tmp;
  }
  if (dh0) h.copyWithin(dh0, dh, dh + BH);
  previousStates(h, hprev, hseq, h0, B, T, H, goBackwards);
  const N = B * T;
  const colSum = (db: number, src: number, C: number, ld: number) => {
    for (let r = 0; r < N; r++) for (let j = 0; j < C; j++) h[db + j] += h[src + r * ld + j];
  };
  if (resetAfter) {
    // gates = [dz, dr, daux] (recurrent side), aux = dhh (input side of the h block)
    matmul(h, 'tn', dwh, G, hprev, H, gates, G, H, G, N, true);
    matmul(h, 'tn', dwx, G, x, I, gates, G, I, 2 * H, N, true);
    matmul(h, 'tn', dwx + 2 * H, G, x, I, aux, H, I, H, N, true);
    if (dbias) {
      colSum(dbias, gates, 2 * H, G);
      colSum(dbias + 2 * H, aux, H, H);
      colSum(dbias + G, gates, G, G);
    }
    if (dx) {
      matmul(h, 'nt', dx, I, gates, G, wx, G, N, I, 2 * H, false);
      matmul(h, 'nt', dx, I, aux, H, wx + 2 * H, G, N, I, H, true);
    }
  } else {
    // gates = [dz, dr, dhh] for both sides; aux = r⊙h_{t-1}
    matmul(h, 'tn', dwh, G, hprev, H, gates, G, H, 2 * H, N, true);
    matmul(h, 'tn', dwh + 2 * H, G, aux, H, gates + 2 * H, G, H, H, N, true);
    matmul(h, 'tn', dwx, G, x, I, gates, G, I, G, N, true);
    if (dbias) colSum(dbias, gates, G, G);
    if (dx) matmul(h, 'nt', dx, I, gates, G, wx, G, N, I, G, false);
  }
}
