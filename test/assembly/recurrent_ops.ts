/**
 * Raw-op harness for the SimpleRNN, LSTM and GRU kernels (shared by
 * rnn.test.ts, lstm.test.ts and gru.test.ts): lays out one forward +
 * backward call on a Backend, with `=` outputs pre-filled with NaN and `+=`
 * outputs with random values, and a float64 finite-difference check of every
 * gradient output of the kernel contract (dx, dwx, dwh, dbias, dh0; LSTM
 * also dpeep and dc0) on the twin.
 */
import { expect } from 'vitest';
import { Backend, gruPackedSize, packedSize, type Buf } from '../../src/backend/backend.js';
import { JsKernels, JsMemory } from '../../src/backend/js.js';
import { Rng, randomArray } from '../util.js';

export interface OpSpec {
  kind: 'rnn' | 'gru' | 'lstm';
  B: number;
  T: number;
  I: number;
  H: number;
  goBackwards: boolean;
  act: number;
  /** GRU and LSTM */
  recAct?: number;
  /** GRU only */
  resetAfter?: boolean;
  /** LSTM only: peephole weights (and dpeep) */
  peep?: boolean;
  bias: boolean;
  mask: boolean;
  /** which optional inputs / outputs are given */
  dhseq: boolean;
  dhT: boolean;
  dx: boolean;
  dh0: boolean;
}

export interface OpData {
  x: Float32Array; wx: Float32Array; wh: Float32Array; bias: Float32Array; h0: Float32Array; mask: Float32Array;
  dhseq: Float32Array; dhT: Float32Array;
  /** LSTM: the cell state's initial value and final-state gradient, the peepholes */
  c0: Float32Array; dcT: Float32Array; peep: Float32Array;
  /** the values `+=` outputs start from */
  dwx0: Float32Array; dwh0: Float32Array; dbias0: Float32Array; dpeep0: Float32Array;
}

/** Gate columns: G = 3H (GRU), 4H (LSTM), H (SimpleRNN). */
function gates(s: OpSpec): number {
  return s.kind === 'gru' ? 3 * s.H : s.kind === 'lstm' ? 4 * s.H : s.H;
}

/** Inputs: the first step of each row stays unmasked so every row sees real data. */
export function opData(s: OpSpec, seed: number): OpData {
  const rng = new Rng(seed);
  const G = gates(s);
  const nBias = s.kind === 'gru' && s.resetAfter ? 2 * G : G;
  const mask = new Float32Array(s.B * s.T).map((_, i) => (i % s.T !== 0 && rng.next() < 0.35 ? 0 : 1));
  return {
    x: randomArray(rng, s.B * s.T * s.I, -1, 1),
    wx: randomArray(rng, s.I * G, -0.6, 0.6),
    wh: randomArray(rng, s.H * G, -0.6, 0.6),
    bias: randomArray(rng, nBias, -0.5, 0.5),
    h0: randomArray(rng, s.B * s.H, -0.8, 0.8),
    mask,
    dhseq: randomArray(rng, s.B * s.T * s.H),
    dhT: randomArray(rng, s.B * s.H),
    dwx0: randomArray(rng, s.I * G),
    dwh0: randomArray(rng, s.H * G),
    dbias0: randomArray(rng, nBias),
    // drawn after the rest, so the SimpleRNN and GRU data are what they always were
    c0: randomArray(rng, s.B * s.H, -0.8, 0.8),
    dcT: randomArray(rng, s.B * s.H),
    peep: randomArray(rng, 3 * s.H, -0.5, 0.5),
    dpeep0: randomArray(rng, 3 * s.H),
  };
}

export interface OpResult {
  hseq: Float32Array;
  /** LSTM only: the cell states (B,T,H), and the gradients for c0 and the peepholes */
  cseq?: Float32Array;
  dc0?: Float32Array;
  dpeep?: Float32Array;
  /** GRU only: the forward's gates (B,T,3H) and aux (B,T,H), read before the backward */
  gates?: Float32Array;
  aux?: Float32Array;
  dx?: Float32Array;
  dwx: Float32Array;
  dwh: Float32Array;
  dbias?: Float32Array;
  dh0?: Float32Array;
  /** absent outputs (dx, dh0, dbias; LSTM dc0, dpeep) the kernel wrote anyway */
  strayWrites: string[];
}

function upload(be: Backend, a: ArrayLike<number>): Buf {
  const b = be.alloc(Math.max(1, a.length));
  be.write(b, a);
  return b;
}

function nan(be: Backend, n: number): Buf {
  return upload(be, new Float32Array(n).fill(NaN));
}

/** The buffers of one layer call, inputs uploaded, outputs pre-filled. */
export class OpCall {
  readonly bufs: Record<string, Buf> = {};
  constructor(readonly be: Backend, readonly s: OpSpec, readonly d: OpData) {
    const { B, T, I, H } = s;
    const G = gates(s);
    const b = this.bufs;
    for (const k of ['x', 'wx', 'wh', 'bias', 'h0', 'mask', 'dhseq', 'dhT', 'c0', 'dcT', 'peep'] as const) b[k] = upload(be, d[k]);
    b.hseq = nan(be, B * T * H);
    b.gates = nan(be, B * T * G);
    b.aux = nan(be, B * T * H);
    b.whPacked = nan(be, s.kind === 'gru' ? gruPackedSize(H) : packedSize(H, G));
    b.cseq = nan(be, B * T * H);
    b.dc0 = nan(be, B * H);
    b.dpeep = upload(be, d.dpeep0);
    b.dcBuf = nan(be, B * H);
    b.dx = nan(be, B * T * I);
    b.dh0 = nan(be, B * H);
    b.dwx = upload(be, d.dwx0);
    b.dwh = upload(be, d.dwh0);
    b.dbias = upload(be, d.dbias0);
    b.dz = nan(be, B * T * H);
    b.hprev = nan(be, B * T * H);
    b.dhBuf = nan(be, 3 * B * H);
  }

  private common() {
    const { s, bufs: b } = this;
    return {
      hseq: b.hseq, x: b.x, wx: b.wx, wh: b.wh, bias: s.bias ? b.bias : null, h0: b.h0, mask: s.mask ? b.mask : null,
      B: s.B, T: s.T, I: s.I, H: s.H, goBackwards: s.goBackwards, act: s.act, whPacked: b.whPacked,
    };
  }

  private lstmArgs() {
    const { s, bufs: b } = this;
    return { cseq: b.cseq, gates: b.gates, c0: b.c0, peep: s.peep ? b.peep : null, recAct: s.recAct! };
  }

  forward(): void {
    const { s, bufs: b } = this;
    if (s.kind === 'rnn') this.be.simpleRnnForward(this.common());
    else if (s.kind === 'lstm') this.be.lstmForward({ ...this.common(), ...this.lstmArgs() });
    else this.be.gruForward({ ...this.common(), gates: b.gates, aux: b.aux, recAct: s.recAct!, resetAfter: !!s.resetAfter });
  }

  backward(): void {
    const { s, bufs: b } = this;
    const grads = {
      dx: s.dx ? b.dx : null, dwx: b.dwx, dwh: b.dwh, dbias: s.bias ? b.dbias : null, dh0: s.dh0 ? b.dh0 : null,
      dhseq: s.dhseq ? b.dhseq : null, dhT: s.dhT ? b.dhT : null, hprev: b.hprev, dhBuf: b.dhBuf,
    };
    if (s.kind === 'rnn') this.be.simpleRnnBackward({ ...this.common(), ...grads, dz: b.dz });
    else if (s.kind === 'lstm') {
      this.be.lstmBackward({
        ...this.common(), ...grads, ...this.lstmArgs(),
        dpeep: s.peep ? b.dpeep : null, dc0: s.dh0 ? b.dc0 : null, dcT: s.dhT ? b.dcT : null, dcBuf: b.dcBuf,
      });
    } else this.be.gruBackward({ ...this.common(), ...grads, gates: b.gates, aux: b.aux, recAct: s.recAct!, resetAfter: !!s.resetAfter });
  }

  /** Σ hseq ⊙ dhseq + Σ h_final ⊙ dhT (+ Σ c_final ⊙ dcT): the scalar whose gradients backward returns. */
  loss(): number {
    const { s, be, bufs: b } = this;
    const h = be.read(b.hseq);
    const c = s.kind === 'lstm' ? be.read(b.cseq) : null;
    let L = 0;
    if (s.dhseq) for (let i = 0; i < h.length; i++) L += h[i] * this.d.dhseq[i];
    if (s.dhT) {
      const last = s.goBackwards ? 0 : s.T - 1;
      for (let r = 0; r < s.B; r++) {
        for (let j = 0; j < s.H; j++) {
          const at = (r * s.T + last) * s.H + j;
          L += h[at] * this.d.dhT[r * s.H + j];
          if (c) L += c[at] * this.d.dcT[r * s.H + j];
        }
      }
    }
    return L;
  }

  free(): void {
    for (const b of Object.values(this.bufs)) this.be.free(b);
  }
}

/** Forward then backward on `be`; every output read back. */
export function runOp(be: Backend, s: OpSpec, d: OpData): OpResult {
  const c = new OpCall(be, s, d);
  const b = c.bufs;
  c.forward();
  const r: OpResult = { hseq: be.read(b.hseq) as Float32Array, dwx: new Float32Array(0), dwh: new Float32Array(0), strayWrites: [] };
  if (s.kind === 'gru') {
    r.gates = be.read(b.gates) as Float32Array;
    r.aux = be.read(b.aux) as Float32Array;
  }
  if (s.kind === 'lstm') {
    r.cseq = be.read(b.cseq) as Float32Array;
    r.gates = be.read(b.gates) as Float32Array;
  }
  c.backward();
  r.dwx = be.read(b.dwx) as Float32Array;
  r.dwh = be.read(b.dwh) as Float32Array;
  if (s.bias) r.dbias = be.read(b.dbias) as Float32Array;
  if (s.dx) r.dx = be.read(b.dx) as Float32Array;
  if (s.dh0) r.dh0 = be.read(b.dh0) as Float32Array;
  if (s.kind === 'lstm' && s.dh0) r.dc0 = be.read(b.dc0) as Float32Array;
  if (s.kind === 'lstm' && s.peep) r.dpeep = be.read(b.dpeep) as Float32Array;
  const untouched = (k: string, want: ArrayLike<number>, isNaN_: boolean) => {
    const got = be.read(b[k]);
    for (let i = 0; i < got.length; i++) {
      if (isNaN_ ? !Number.isNaN(got[i]) : got[i] !== want[i]) return r.strayWrites.push(k);
    }
  };
  if (!s.dx) untouched('dx', [], true);
  if (!s.dh0) untouched('dh0', [], true);
  if (!s.bias) untouched('dbias', d.dbias0, false);
  if (s.kind === 'lstm' && !s.dh0) untouched('dc0', [], true);
  if (s.kind === 'lstm' && !s.peep) untouched('dpeep', d.dpeep0, false);
  c.free();
  return r;
}

/**
 * Centred differences in float64 on the twin for every entry of x, wx, wh,
 * bias and h0 (LSTM: also c0 and the peepholes), against dx, dwx − dwx0,
 * dwh − dwh0, dbias − dbias0, dh0 (dc0, dpeep − dpeep0).
 */
export function opGradCheck(s: OpSpec, d: OpData, label: string): void {
  const be = new Backend(new JsKernels(new JsMemory({ precision: 'float64' })));
  const spec = { ...s, dx: true, dh0: true };
  const c = new OpCall(be, spec, d);
  c.forward();
  c.backward();
  const b = c.bufs;
  const ana: Record<string, ArrayLike<number>> = {
    x: be.read(b.dx),
    wx: be.read(b.dwx).map((v, i) => v - d.dwx0[i]),
    wh: be.read(b.dwh).map((v, i) => v - d.dwh0[i]),
    h0: be.read(b.dh0),
  };
  if (s.bias) ana.bias = be.read(b.dbias).map((v, i) => v - d.dbias0[i]);
  if (s.kind === 'lstm') ana.c0 = be.read(b.dc0);
  if (s.kind === 'lstm' && s.peep) ana.peep = be.read(b.dpeep).map((v, i) => v - d.dpeep0[i]);
  const eps = 1e-6;
  for (const [k, g] of Object.entries(ana)) {
    const buf = b[k];
    for (let i = 0; i < g.length; i++) {
      const orig = be.get(buf, i);
      be.write(buf, [orig + eps], i);
      c.forward();
      const up = c.loss();
      be.write(buf, [orig - eps], i);
      c.forward();
      const down = c.loss();
      be.write(buf, [orig], i);
      const num = (up - down) / (2 * eps);
      const err = Math.abs(num - g[i]) / Math.max(1, Math.abs(num), Math.abs(g[i]));
      expect(err, `${label}: d${k}[${i}] analytic ${g[i]} vs numeric ${num}`).toBeLessThan(1e-7);
    }
  }
  c.free();
}
