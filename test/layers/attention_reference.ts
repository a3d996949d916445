/**
 * Independent float64 references of Keras's attention equations, written
 * from the Keras 3 documentation and call() code paths as plain loops over
 * (b, h, i, j, d) — no kernels, no shared helpers with src/ — for the
 * layers' forward checks.
 *
 *   Attention / AdditiveAttention: scores, masked scores − 1e9 (Keras's
 *   offset), softmax, weights · value, the query mask zeroing rows.
 *   MultiHeadAttention: EinsumDense projections, scores scaled by 1/√Kd,
 *   Keras 3's masked Softmax (masked positions −1e9, then zeroed),
 *   weights · V, the output EinsumDense.
 */

export interface AttentionRef {
  B: number;
  Tq: number;
  Tv: number;
  D: number;
  Dv: number;
  q: ArrayLike<number>;
  v: ArrayLike<number>;
  /** default: v */
  k?: ArrayLike<number>;
  mode: 'dot' | 'concat' | 'additive';
  /** 'dot'/'concat' scalar scale, or null */
  scale?: number | null;
  /** 'concat' concat_score_weight */
  concatWeight?: number;
  /** AdditiveAttention scale (D), or null */
  scaleVector?: ArrayLike<number> | null;
  qmask?: ArrayLike<number> | null;
  vmask?: ArrayLike<number> | null;
  causal?: boolean;
}

export function attentionRef(a: AttentionRef): { out: Float64Array; w: Float64Array } {
  const { B, Tq, Tv, D, Dv, q, v } = a;
  const k = a.k ?? v;
  const out = new Float64Array(B * Tq * Dv);
  const w = new Float64Array(B * Tq * Tv);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const s = new Float64Array(Tv);
      for (let j = 0; j < Tv; j++) {
        let x = 0;
        for (let d = 0; d < D; d++) {
          const qd = q[(b * Tq + i) * D + d];
          const kd = k[(b * Tv + j) * D + d];
          if (a.mode === 'dot') x += qd * kd;
          else if (a.mode === 'concat') x += Math.tanh((a.scale ?? 1) * (qd + kd));
          else x += (a.scaleVector ? a.scaleVector[d] : 1) * Math.tanh(qd + kd);
        }
        if (a.mode === 'dot' && a.scale != null) x *= a.scale;
        if (a.mode === 'concat') x *= a.concatWeight ?? 1;
        const allowed = (!a.vmask || a.vmask[b * Tv + j] !== 0) && (!a.causal || j <= i);
        s[j] = allowed ? x : x - 1e9;
      }
      const mx = Math.max(...s);
      let sum = 0;
      for (let j = 0; j < Tv; j++) sum += Math.exp(s[j] - mx);
      for (let j = 0; j < Tv; j++) w[(b * Tq + i) * Tv + j] = Math.exp(s[j] - mx) / sum;
      const keep = !a.qmask || a.qmask[b * Tq + i] !== 0;
      for (let e = 0; e < Dv; e++) {
        let o = 0;
        for (let j = 0; j < Tv; j++) o += w[(b * Tq + i) * Tv + j] * v[(b * Tv + j) * Dv + e];
        out[(b * Tq + i) * Dv + e] = keep ? o : 0;
      }
    }
  }
  return { out, w };
}

export interface MhaRef {
  B: number;
  Tq: number;
  Tv: number;
  H: number;
  Kd: number;
  Vd: number;
  E: number;
  xq: ArrayLike<number>;
  xv: ArrayLike<number>;
  xk?: ArrayLike<number>;
  Dq: number;
  Dv: number;
  Dk?: number;
  /** Keras order: query kernel, bias, key kernel, bias, value kernel, bias, output kernel, bias (no biases without useBias) */
  weights: ArrayLike<number>[];
  useBias: boolean;
  qmask?: ArrayLike<number> | null;
  vmask?: ArrayLike<number> | null;
  kmask?: ArrayLike<number> | null;
  /** (B,Tq,Tv) */
  amask?: ArrayLike<number> | null;
  causal?: boolean;
}

/** y[n, h, e] = Σ_f x[n, f] W[f, h, e] + bias[h, e]  (EinsumDense "abc,cde->abde") */
function project(
  x: ArrayLike<number>,
  N: number,
  F: number,
  W: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  width: number,
): Float64Array {
  const y = new Float64Array(N * width);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < width; c++) {
      let s = bias ? bias[c] : 0;
      for (let f = 0; f < F; f++) s += x[n * F + f] * W[f * width + c];
      y[n * width + c] = s;
    }
  }
  return y;
}

export function mhaRef(a: MhaRef): { out: Float64Array; w: Float64Array } {
  const { B, Tq, Tv, H, Kd, Vd, E, Dq, Dv } = a;
  const Dk = a.Dk ?? Dv;
  const xk = a.xk ?? a.xv;
  const st = a.useBias ? 2 : 1;
  const W = (i: number) => a.weights[i * st];
  const bias = (i: number) => (a.useBias ? a.weights[i * st + 1] : null);
  const Q = project(a.xq, B * Tq, Dq, W(0), bias(0), H * Kd);
  const K = project(xk, B * Tv, Dk, W(1), bias(1), H * Kd);
  const V = project(a.xv, B * Tv, Dv, W(2), bias(2), H * Vd);
  const w = new Float64Array(B * H * Tq * Tv);
  const O = new Float64Array(B * Tq * H * Vd);
  const inv = 1 / Math.sqrt(Kd);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Tq; i++) {
        const s = new Float64Array(Tv);
        const allowed: boolean[] = [];
        for (let j = 0; j < Tv; j++) {
          let x = 0;
          // the query is scaled before the dot product, as Keras does
          for (let d = 0; d < Kd; d++) x += Q[((b * Tq + i) * H + h) * Kd + d] * inv * K[((b * Tv + j) * H + h) * Kd + d];
          const ok =
            (!a.qmask || a.qmask[b * Tq + i] !== 0) &&
            (!a.vmask || a.vmask[b * Tv + j] !== 0) &&
            (!a.kmask || a.kmask[b * Tv + j] !== 0) &&
            (!a.amask || a.amask[(b * Tq + i) * Tv + j] !== 0) &&
            (!a.causal || j <= i);
          allowed.push(ok);
          s[j] = ok ? x : x - 1e9;
        }
        const mx = Math.max(...s);
        let sum = 0;
        for (let j = 0; j < Tv; j++) sum += Math.exp(s[j] - mx);
        for (let j = 0; j < Tv; j++) w[((b * H + h) * Tq + i) * Tv + j] = allowed[j] ? Math.exp(s[j] - mx) / sum : 0;
        for (let e = 0; e < Vd; e++) {
          let o = 0;
          for (let j = 0; j < Tv; j++) o += w[((b * H + h) * Tq + i) * Tv + j] * V[((b * Tv + j) * H + h) * Vd + e];
          O[((b * Tq + i) * H + h) * Vd + e] = o;
        }
      }
    }
  }
  return { out: project(O, B * Tq, H * Vd, W(3), bias(3), E), w };
}
