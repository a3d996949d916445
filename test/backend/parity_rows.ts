/**
 * The rows of the parity suite: for every kernel of the table, the calls to
 * make (awkward sizes: lane tails and several vector iterations), the
 * generators of inputs that must be in a range (ids, labels, masks,
 * positive optimizer state), the forward pass a backward's inputs come from,
 * and the tolerance. Adding a kernel to the table means adding its row here;
 * parity.test.ts fails for a kernel without one.
 */
import {
  ACT_HARD_SIGMOID,
  ACT_LINEAR,
  ACT_RELU,
  ACT_SIGMOID,
  ACT_TANH,
  MERGE_AVE,
  MERGE_CONCAT,
  MERGE_MUL,
  MERGE_SUM,
} from '../../src/backend/abi.js';
import type { KernelName } from '../../src/backend/contract/index.js';
import { paddedRows } from '../../src/backend/contract/conv.js';
import { windowGeometry, type Padding } from '../../src/layers/windows.js';
import { SIZES, type Rng } from '../util.js';
import type { Case, Gen, Scalars } from './parity_harness.js';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Row {
  cases: Case[];
  gens?: Record<string, Gen>;
  /** a backward kernel: run this forward on the twin first; its outputs become these inputs */
  forward?: { kernel: KernelName; outputs: string[] };
  tol?: Tolerance | ((c: Case) => Tolerance);
  /** returned value (losses, sums): relative tolerance */
  rtolResult?: number;
}

const ACTS = [ACT_LINEAR, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_HARD_SIGMOID];
const MODES = [MERGE_CONCAT, MERGE_SUM, MERGE_MUL, MERGE_AVE];
/** a smaller sweep where a case costs more */
const SOME = [1, 3, 4, 5, 8, 9, 17, 33];

const uniform =
  (lo: number, hi: number): Gen =>
  (rng, n) =>
    Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
const ids =
  (dim: string): Gen =>
  (rng, n, a) =>
    Int32Array.from({ length: n }, () => rng.int(a[dim] as number));
const zeroOne =
  (pZero: number): Gen =>
  (rng, n) =>
    Float32Array.from({ length: n }, () => (rng.next() < pZero ? 0 : 1));
/** (B,T) recurrent mask: the first step of every row kept, so every row sees data */
const stepMask: Gen = (rng, n, a) => Float32Array.from({ length: n }, (_, i) => (i % (a.T as number) !== 0 && rng.next() < 0.35 ? 0 : 1));

function cases(list: Scalars[], extra: (a: Scalars, i: number) => Partial<Case> = () => ({})): Case[] {
  return list.map((args, i) => ({ args, ...extra(args, i) }));
}

/** n over the lane-tail sizes, with more scalars per case */
function sweep(f: (n: number, i: number) => Scalars, sizes = SIZES): Scalars[] {
  return sizes.map(f);
}

function grid<T>(a: T[], b: T[]): Array<[T, T]> {
  return a.flatMap((x) => b.map((y) => [x, y] as [T, T]));
}

function gemmCases(): Case[] {
  // M <= 4 takes the unpacked row kernels (1x28 from lane 0 and lane 4 of a
  // group, 1x4, 2x16, 4x8 and their column tails: N = 30 and 86 end 2 columns
  // past a lane-4 start); M = 17 the packed path with a leftover row; K = 300
  // two KC blocks
  const shapes = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 16],
    [5, 9, 17],
    [17, 33, 9],
    [64, 65, 33],
    [7, 3, 0],
    [1, 57, 9],
    [2, 41, 13],
    [3, 50, 33],
    [4, 37, 300],
    [1, 30, 11],
    [3, 86, 5],
  ];
  const out: Case[] = [];
  let i = 0;
  for (const form of ['nn', 'nt', 'tn']) {
    for (const [M, N, K] of shapes) {
      const pad = i % 3 === 2 ? 3 : 0;
      const lda = (form === 'tn' ? M : K) + pad;
      const ldb = (form === 'nt' ? K : N) + pad;
      out.push({ args: { form, M, N, K, lda, ldb, ldc: N + pad, accumulate: i++ % 2 === 1 } });
    }
  }
  return out;
}

type Cell = 'lstm' | 'rnn' | 'gru';

/** The recurrent sweep: H over the lane tails, three (B,T,I), every option turned on and off across the cases. */
function cellCases(cell: Cell, backward: boolean): Case[] {
  const out: Case[] = [];
  let n = 0;
  // (B,T) = (1,1) and (2,3) read wh in place (B <= 4, T <= 3), the others
  // pack it ((1,5): in 28-column strips for the one-row kernel); (2,3) comes after the rest so that their option rotation stays
  const shapes = [1, 3, 4, 5, 8, 9, 16, 17, 33]
    .flatMap((H) =>
      [
        [1, 1, 1],
        [3, 4, 7],
        [5, 2, 16],
      ].map(([B, T, I]) => [H, B, T, I]),
    )
    .concat([1, 5, 17, 33].map((H) => [H, 2, 3, 5]))
    .concat([65, 17].map((H) => [H, 1, 5, 3]));
  for (const [H, B, T, I] of shapes) {
    const args: Scalars = {
      B,
      T,
      I,
      H,
      goBackwards: n % 2 === 1,
      act: [ACT_TANH, ACT_RELU, ACT_TANH, ACT_LINEAR, ACT_SIGMOID][n % 5],
      recAct: n % 5 === 1 ? ACT_HARD_SIGMOID : ACT_SIGMOID,
      resetAfter: n % 2 === 0,
    };
    const absent: string[] = [];
    if (n % 3 === 0) absent.push('mask');
    if (n % 4 === 3) absent.push('bias', 'dbias');
    if (cell === 'lstm' && n % 3 !== 1) absent.push('peep', 'dpeep');
    if (backward) {
      if (n % 5 === 4) absent.push('dhseq');
      if (n % 5 === 2) absent.push('dhT', 'dcT');
      if (n % 3 === 2) absent.push('dx');
      if (n % 2 === 1) absent.push('dh0', 'dc0');
    }
    out.push({ args, absent });
    n++;
  }
  return out;
}

type Layout = 'dense' | 'heads' | 'padded';

/** Strides of one operand of the batched GEMM: (P, Q) matrices of rows × cols laid out as `kind`. */
function stridesOf(kind: Layout, Q: number, rows: number, cols: number): { ld: number; s1: number; s2: number } {
  if (kind === 'dense') return { ld: cols, s2: rows * cols, s1: Q * rows * cols };
  // Keras's attention layout: (P, rows, Q, cols), heads interleaved in a row
  if (kind === 'heads') return { ld: Q * cols, s2: cols, s1: rows * Q * cols };
  // gaps everywhere: row padding, between matrices and between blocks
  const ld = cols + 3;
  return { ld, s2: rows * ld + 2, s1: Q * (rows * ld + 2) + 5 };
}

/** The batched GEMM sweep: every form, awkward (P,Q,M,N,K), every layout; C with gaps only when accumulating (a `=` C must be covered). */
function batchedGemmCases(): Case[] {
  // N <= 32 takes the kernel's narrow path (2x16 tiles, then 4x8 for the rest): N of 16, 24, 31 with odd M cover its seams
  const shapes = [
    [1, 1, 1, 1, 1],
    [2, 3, 5, 7, 3],
    [3, 2, 4, 8, 16],
    [2, 4, 17, 9, 5],
    [1, 2, 33, 65, 17],
    [2, 2, 9, 33, 64],
    [2, 1, 3, 5, 0],
    [2, 2, 7, 16, 9],
    [1, 3, 9, 24, 5],
    [2, 1, 5, 31, 3],
    [1, 2, 16, 32, 33],
  ];
  const kinds: Layout[] = ['dense', 'heads', 'padded'];
  const out: Case[] = [];
  let n = 0;
  for (const form of ['nn', 'nt', 'tn', 'tt']) {
    const tA = form[0] === 't';
    const tB = form[1] === 't';
    for (const [P, Q, M, N, K] of shapes) {
      const ka = kinds[n % 3];
      const kb = kinds[(n + 1) % 3];
      const accumulate = n % 2 === 1;
      const kc: Layout = accumulate ? kinds[(n + 2) % 3] : n % 4 === 0 ? 'heads' : 'dense';
      const A = stridesOf(ka, Q, tA ? K : M, tA ? M : K);
      const Bs = stridesOf(kb, Q, tB ? N : K, tB ? K : N);
      const C = stridesOf(kc, Q, M, N);
      out.push({
        args: {
          form,
          P,
          Q,
          M,
          N,
          K,
          accumulate,
          lda: A.ld,
          sa1: A.s1,
          sa2: A.s2,
          ldb: Bs.ld,
          sb1: Bs.s1,
          sb2: Bs.s2,
          ldc: C.ld,
          sc1: C.s1,
          sc2: C.s2,
        },
      });
      n++;
    }
  }
  return out;
}

/** Attention's masked softmax: (B,H,Tq,Tk) over lane tails, every mask, causal and empty-row rule on and off. */
function maskedSoftmaxCases(backward: boolean): Case[] {
  const out: Case[] = [];
  let n = 0;
  for (const Tk of [1, 3, 4, 5, 7, 8, 9, 16, 17, 33]) {
    for (const [B, H, Tq] of [
      [1, 1, 1],
      [2, 3, 4],
      [3, 2, 9],
    ]) {
      const absent: string[] = [];
      if (n % 2 === 0) absent.push('kmask');
      if (n % 3 !== 1) absent.push('qmask');
      if (n % 4 !== 2) absent.push('amask');
      if (n % 5 === 0) absent.push('gain');
      if (backward && (n % 3 === 0 || n % 5 === 0)) absent.push('dgain');
      const alias: Record<string, string> | undefined = backward
        ? n % 4 === 1
          ? { ds: 'dw' }
          : undefined
        : n % 4 === 3
          ? { w: 's' }
          : undefined;
      out.push({
        args: { B, H, Tq, Tk, scale: n % 2 ? 0.25 : 1.5, causal: n % 3 === 2, emptyUniform: n % 2 === 1, accumulate: n % 3 === 1 },
        absent,
        ...(alias ? { alias } : {}),
      });
      n++;
    }
  }
  return out;
}

function additiveCases(backward: boolean): Case[] {
  const out: Case[] = [];
  let n = 0;
  for (const D of [1, 3, 4, 5, 8, 9, 16, 17, 33, 64]) {
    for (const [B, Tq, Tk] of [
      [1, 1, 1],
      [2, 3, 5],
      [1, 7, 4],
    ]) {
      const absent: string[] = [];
      if (n % 2 === 0) absent.push('v', ...(backward ? ['dv'] : []));
      if (n % 3 === 0) absent.push('alpha', ...(backward ? ['dalpha'] : []));
      if (backward && n % 5 === 1) absent.push('dv', 'dalpha');
      out.push({ args: { B, Tq, Tk, D, accumulate: n % 2 === 1 }, absent: [...new Set(absent)] });
      n++;
    }
  }
  return out;
}

function layerNormCases(backward: boolean): Case[] {
  return grid([1, 3, 7], [...SOME, 64, 65]).map(([R, C], n) => {
    const absent: string[] = [];
    if (n % 3 === 1) absent.push('gamma', ...(backward ? ['dgamma'] : []));
    if (n % 4 === 2) absent.push('beta', 'dbeta');
    if (backward && n % 5 === 3) absent.push('dgamma');
    const alias: Record<string, string> | undefined = backward
      ? n % 3 === 0
        ? { dx: 'dy' }
        : undefined
      : n % 4 === 3
        ? { y: 'x' }
        : undefined;
    return { args: { R, C, eps: n % 2 ? 1e-3 : 1e-5, accumulate: n % 2 === 0 }, absent: [...new Set(absent)], ...(alias ? { alias } : {}) };
  });
}

/** (O,N,I) with about a fifth of the normalised vectors zero (the clamp) */
const l2Gens: Record<string, Gen> = {
  x: (rng, n, a) => {
    const { O, N, I } = a as { O: number; N: number; I: number };
    const x = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) if (rng.next() < 0.2) for (let k = 0; k < N; k++) x[(o * N + k) * I + i] = 0;
    return x;
  },
};

function l2Cases(backward: boolean): Case[] {
  return [
    [1, 1, 1],
    [2, 5, 1],
    [3, 17, 1],
    [1, 64, 1],
    [2, 3, 4],
    [3, 4, 5],
    [2, 7, 9],
    [1, 9, 33],
    [4, 1, 8],
  ].map(([O, N, I], n) => ({
    args: { O, N, I, accumulate: n % 2 === 1 },
    ...(n % 3 === 2 ? { alias: (backward ? { dx: 'dy' } : { y: 'x' }) as Record<string, string> } : {}),
  }));
}

const RECURRENT_TOL = { atol: 1e-5, rtol: 1e-4 };
const cellGens: Record<string, Gen> = { mask: stepMask, wx: uniform(-0.6, 0.6), wh: uniform(-0.6, 0.6), peep: uniform(-0.5, 0.5) };

/** The forward row and the backward row of one cell (absent names that a kernel lacks are ignored). */
function cellRow(cell: Cell, fwd: KernelName, bwd: KernelName, outputs: string[]): [Row, Row] {
  return [
    { cases: cellCases(cell, false), gens: cellGens, tol: { atol: 1e-6, rtol: 1e-5 } },
    { cases: cellCases(cell, true), gens: cellGens, forward: { kernel: fwd, outputs }, tol: RECURRENT_TOL },
  ];
}

const [lstmForward, lstmBackward] = cellRow('lstm', 'lstmForward', 'lstmBackward', ['hseq', 'cseq', 'gates']);
const [simpleRnnForward, simpleRnnBackward] = cellRow('rnn', 'simpleRnnForward', 'simpleRnnBackward', ['hseq']);
const [gruForward, gruBackward] = cellRow('gru', 'gruForward', 'gruBackward', ['hseq', 'gates', 'aux']);

/**
 * Conv1D and pooling: (T, K, S, D, padding) geometries that cover a window
 * as wide as the sequence, strides that skip steps, dilation, left padding
 * (same, causal) and a window reading padding only; channels over lane tails.
 */
const WINDOWS: Array<[number, number, number, number, Padding]> = [
  [1, 1, 1, 1, 'valid'],
  [5, 3, 1, 1, 'same'],
  [7, 3, 2, 1, 'valid'],
  [9, 2, 1, 3, 'causal'],
  [6, 5, 3, 1, 'same'],
  [2, 4, 1, 1, 'same'],
  [8, 3, 1, 2, 'valid'],
  [4, 4, 1, 1, 'causal'],
  [11, 5, 4, 1, 'same'],
];

/** The dims of one windowed call. */
function windowArgs(T: number, K: number, S: number, D: number, padding: Padding): Scalars {
  const { To, P } = windowGeometry(T, K, S, D, padding);
  return { T, K, S, D, P, To, Tp: paddedRows(To, K, S, D) };
}

/** Conv calls: every geometry against (C, F) over lane tails; masks, padding buffers, gradients and activations on and off. */
function convCases(backward: boolean): Case[] {
  const out: Case[] = [];
  let n = 0;
  for (const [T, K, S, D, pad] of WINDOWS) {
    for (const [C, F] of [
      [1, 1],
      [3, 5],
      [4, 8],
      [5, 9],
      [9, 17],
      [16, 33],
    ]) {
      const w = windowArgs(T, K, S, D, pad);
      const absent: string[] = [];
      const masked = n % 3 !== 0;
      if (!masked) absent.push('mask');
      // xpad is optional only without padding and mask
      if (!masked && w.P === 0 && n % 2 === 0) absent.push('xpad');
      if (n % 4 === 3) absent.push('bias', 'dbias');
      if (backward) {
        if (n % 5 === 1) absent.push('dx', 'du');
        if (n % 7 === 2) absent.push('dw');
      }
      out.push({ args: { ...w, B: 1 + (n % 3), C, F, R: [1, 3, 1000][n % 3], act: ACTS[n % ACTS.length] }, absent });
      n++;
    }
  }
  return out;
}

/** Pooling calls: the geometries with D = 1 and windows up to the whole sequence (global pooling). */
function poolCases(withMask: (i: number) => boolean): Case[] {
  const out: Case[] = [];
  let n = 0;
  const geoms = WINDOWS.filter((g) => g[3] === 1 && g[4] !== 'causal').map(([T, K, S, , pad]) => windowArgs(T, K, S, 1, pad));
  // global pooling: the window is the sequence
  geoms.push(...[1, 6, 33].map((T) => ({ T, K: T, S: 1, D: 1, P: 0, To: 1 })));
  for (const g of geoms) {
    for (const C of SOME) {
      out.push({ args: { ...g, B: 1 + (n % 3), C }, absent: withMask(n) ? [] : ['mask'] });
      n++;
    }
  }
  return out;
}

/** (B,T) masks with about 40% of steps masked: some windows, and some whole rows, read nothing. */
const poolMask = zeroOne(0.4);
/** values from a small set, so a maximum sees ties */
const fewValues: Gen = (rng, n) => Float32Array.from({ length: n }, () => [-1, 0, 0.5, 1][rng.int(4)]);
/** an int32 output's pre-fill: values no step index takes */
const junkInts: Gen = (rng, n) => Int32Array.from({ length: n }, () => 1e9 + rng.int(1000));

const fixedAct: Row = {
  cases: cases(
    sweep((n) => ({ n })),
    (_, i) => (i % 3 === 0 ? { alias: { y: 'x' } } : {}),
  ),
  gens: { x: uniform(-8, 8) },
};

const optimN = sweep((n) => ({ n }), [...SIZES, 1000]);

export const ROWS: Record<KernelName, Row> = {
  gemm: { cases: gemmCases(), tol: (c) => ({ atol: 2e-6 * Math.sqrt(c.args.K as number) + 1e-6, rtol: 1e-5 }) },
  sigmoid: fixedAct,
  tanh: fixedAct,
  relu: fixedAct,
  hardSigmoid: fixedAct,
  activation: {
    cases: cases(
      grid(ACTS, SOME).map(([act, n]) => ({ act, n })),
      (_, i) => (i % 4 === 0 ? { alias: { y: 'x' } } : {}),
    ),
    gens: { x: uniform(-6, 6) },
  },
  activationBackward: { cases: cases(grid(ACTS, SOME).map(([act, n], i) => ({ act, n, accumulate: i % 2 === 0 }))) },
  softmaxRows: {
    cases: cases(
      grid([1, 3, 7], SOME).map(([R, C]) => ({ R, C })),
      (_, i) => (i % 5 === 0 ? { alias: { y: 'x' } } : {}),
    ),
    gens: { x: uniform(-6, 6) },
  },
  softmaxRowsBackward: {
    cases: cases(grid([1, 3, 7], SOME).map(([R, C], i) => ({ R, C, accumulate: i % 2 === 1 }))),
    gens: { y: uniform(0, 1) },
  },
  biasAdd: {
    cases: cases(
      grid([1, 3, 7], SOME).map(([R, C]) => ({ R, C })),
      (_, i) => (i % 4 === 1 ? { alias: { y: 'x' } } : {}),
    ),
  },
  columnSum: { cases: cases(grid([1, 3, 7], SOME).map(([R, C], i) => ({ R, C, accumulate: i % 2 === 0 }))) },
  axpy: { cases: cases(sweep((n, i) => ({ n, alpha: i % 2 ? -0.75 : 1.5 }))) },
  scale: {
    cases: cases(
      sweep((n, i) => ({ n, alpha: i % 2 ? -2 : 0.5 })),
      (_, i) => (i % 3 === 0 ? { alias: { y: 'x' } } : {}),
    ),
  },
  mul: { cases: cases(sweep((n, i) => ({ n, accumulate: i % 2 === 1 }))) },
  add: { cases: cases(sweep((n) => ({ n }))) },
  fill: { cases: cases(sweep((n, i) => ({ n, value: [2.5, 0, -0.5][i % 3] }))) },
  copy: { cases: cases(sweep((n) => ({ n }))) },
  sumSquares: { cases: cases(sweep((n) => ({ n }))), rtolResult: 1e-12 },
  hasNonFinite: {
    // every third call has one NaN or ±Inf at a pseudo-random place
    cases: cases(sweep((n, i) => ({ n, bad: i % 3 === 0 ? (i % 2) + 1 : 0 }))),
    gens: {
      x: (rng: Rng, n, a) => {
        const x = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
        if (a.bad) x[rng.int(n)] = a.bad === 1 ? NaN : -Infinity;
        return x;
      },
    },
  },
  copyRows: { cases: cases(grid([1, 3, 7], SOME).map(([R, W], i) => ({ R, W, ds: W + (i % 3), ss: W + ((i + 1) % 4) }))) },
  reverseTime: { cases: cases(grid([1, 3], SOME).map(([B, F], i) => ({ B, T: 1 + (i % 5), F }))) },
  embeddingForward: { cases: cases(grid([1, 5, 33], SOME).map(([N, D]) => ({ N, D, V: 7 }))), gens: { ids: ids('V') } },
  embeddingBackward: { cases: cases(grid([1, 5, 33], SOME).map(([N, D]) => ({ N, D, V: 4 }))), gens: { ids: ids('V') } },
  maskFromIds: { cases: cases(sweep((N) => ({ N, V: 3 }))), gens: { ids: ids('V') } },
  dropoutForward: {
    cases: cases(grid([0, 0.25, 0.5, 0.9], SIZES).map(([rate, n], i) => ({ n, rate, seed: i % 2 ? 0xdeadbeef : 7 + i }))),
    tol: { atol: 0, rtol: 0 },
  },
  maskingForward: {
    cases: cases(grid([1, 4, 9], SOME).map(([N, F], i) => ({ N, F, value: i % 2 ? 0 : -1 }))),
    gens: {
      // about a third of the rows all `value` (masked), some equal to it in one feature only
      x: (rng: Rng, n, a) => {
        const F = a.F as number;
        const x = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
        for (let r = 0; r * F < n; r++) {
          const u = rng.next();
          if (u < 0.35) x.fill(a.value as number, r * F, r * F + F);
          else if (u < 0.5) x[r * F] = a.value as number;
        }
        return x;
      },
    },
  },
  rowScale: {
    cases: cases(
      grid([1, 3, 7], SOME).map(([R, C]) => ({ R, C })),
      (_, i) => (i % 3 === 0 ? { alias: { y: 'x' } } : {}),
    ),
    gens: { s: zeroOne(0.3) },
  },
  lstmForward,
  lstmBackward,
  simpleRnnForward,
  simpleRnnBackward,
  gruForward,
  gruBackward,
  bidirectionalMerge: {
    cases: cases(
      grid(MODES, SOME).map(([mode, H], i) => ({ mode, H, R: 1 + (i % 6) })),
      (_, i) => (i % 2 ? { absent: ['mask'] } : {}),
    ),
    gens: { mask: zeroOne(0.3) },
  },
  bidirectionalMergeBackward: {
    cases: cases(
      grid(MODES, SOME).map(([mode, H], i) => ({ mode, H, R: 1 + (i % 6) })),
      (_, i) => (i % 2 ? {} : { absent: ['mask'] }),
    ),
    gens: { mask: zeroOne(0.3) },
  },
  conv1dForward: { cases: convCases(false), gens: { mask: poolMask }, tol: { atol: 2e-6, rtol: 1e-5 } },
  conv1dBackward: {
    cases: convCases(true),
    gens: { mask: poolMask },
    forward: { kernel: 'conv1dForward', outputs: ['xpad'] },
    tol: { atol: 1e-5, rtol: 1e-5 },
  },
  maxPool1dForward: { cases: poolCases((i) => i % 2 === 1), gens: { mask: poolMask, x: fewValues, arg: junkInts } },
  maxPool1dBackward: {
    cases: poolCases((i) => i % 3 !== 0),
    gens: { mask: poolMask, x: fewValues, arg: junkInts },
    forward: { kernel: 'maxPool1dForward', outputs: ['arg'] },
  },
  avgPool1dForward: { cases: poolCases((i) => i % 2 === 0), gens: { mask: poolMask } },
  avgPool1dBackward: { cases: poolCases((i) => i % 3 !== 1), gens: { mask: poolMask } },
  windowMask: {
    cases: cases(WINDOWS.flatMap(([T, K, S, D, pad]) => [1, 4].map((B) => ({ ...windowArgs(T, K, S, D, pad), B })))),
    gens: { mask: poolMask },
  },
  maximumForward: {
    cases: cases(grid([0, 1, 3], SIZES).map(([index, n]) => ({ n, index }))),
    gens: { y: fewValues, x: fewValues, arg: (rng, n, a) => Int32Array.from({ length: n }, () => rng.int(Math.max(1, a.index as number))) },
    tol: { atol: 0, rtol: 0 },
  },
  maximumBackward: {
    cases: cases(grid([0, 1, 2], SIZES).map(([index, n]) => ({ n, index }))),
    gens: { arg: (rng, n) => Int32Array.from({ length: n }, () => rng.int(3)) },
    tol: { atol: 0, rtol: 0 },
  },
  bceLogits: {
    cases: cases(
      grid([1, 3, 17], SOME).map(([N, C], i) => ({ N, C, scale: i % 2 ? 1 / N : 1 })),
      (_, i) => (i % 3 === 0 ? { absent: ['w'] } : {}),
    ),
    gens: { z: uniform(-30, 30), y: uniform(0, 1), w: uniform(0, 2) },
    rtolResult: 1e-5,
  },
  softmaxCe: {
    cases: cases(
      grid([1, 3, 17], SOME).map(([N, C], i) => ({ N, C, sparse: i % 2 === 0, scale: i % 3 ? 1 / N : 1 })),
      (_, i) => (i % 4 === 1 ? { absent: ['w'] } : {}),
    ),
    gens: {
      z: uniform(-8, 8),
      w: uniform(0, 2),
      labels: (rng: Rng, n, a) => {
        if (a.sparse) return Int32Array.from({ length: n }, () => rng.int(a.C as number));
        // rows of probabilities
        const C = a.C as number;
        const y = Float32Array.from({ length: n }, () => rng.next());
        for (let r = 0; r * C < n; r++) {
          let s = 0;
          for (let j = 0; j < C; j++) s += y[r * C + j];
          for (let j = 0; j < C; j++) y[r * C + j] /= s;
        }
        return y;
      },
    },
    rtolResult: 1e-5,
  },
  mse: {
    cases: cases(
      grid([1, 3, 17], SOME).map(([N, C], i) => ({ N, C, scale: i % 2 ? 1 / N : 1 })),
      (_, i) => (i % 3 === 0 ? { absent: ['w'] } : {}),
    ),
    gens: { w: uniform(0, 2) },
    rtolResult: 1e-5,
  },
  sgdUpdate: {
    cases: cases(
      optimN.flatMap((s, i) => [
        { ...s, lr: 0.1, momentum: 0, nesterov: false },
        { ...s, lr: 0.05, momentum: 0.9, nesterov: i % 2 === 0 },
      ]),
      (a, i) => (a.momentum === 0 && i % 4 === 0 ? { absent: ['vel'] } : {}),
    ),
  },
  adamUpdate: { cases: cases(optimN.map((s) => ({ ...s, lrT: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 }))), gens: { v: uniform(0, 1) } },
  rmspropUpdate: {
    cases: cases(
      optimN.flatMap((s) => [
        { ...s, lr: 0.01, rho: 0.9, eps: 1e-7, momentum: 0 },
        { ...s, lr: 0.01, rho: 0.8, eps: 1e-7, momentum: 0.5 },
      ]),
      (a, i) => (a.momentum === 0 && i % 4 === 0 ? { absent: ['mom'] } : {}),
    ),
    gens: { acc: uniform(0, 1) },
  },
  adagradUpdate: { cases: cases(optimN.map((s) => ({ ...s, lr: 0.1, eps: 1e-7 }))), gens: { acc: uniform(0, 1) } },
  clipValue: { cases: cases(optimN.map((s, i) => ({ ...s, c: i % 2 ? 0.3 : 2 }))), gens: { g: uniform(-3, 3) } },
  batchedGemm: { cases: batchedGemmCases(), tol: (c) => ({ atol: 2e-6 * Math.sqrt(c.args.K as number) + 1e-6, rtol: 1e-5 }) },
  maskedSoftmax: {
    cases: maskedSoftmaxCases(false),
    gens: { s: uniform(-4, 4), gain: uniform(0.5, 1.5), kmask: zeroOne(0.3), qmask: zeroOne(0.2), amask: zeroOne(0.3) },
  },
  maskedSoftmaxBackward: {
    cases: maskedSoftmaxCases(true),
    gens: { s: uniform(-4, 4), gain: uniform(0.5, 1.5), kmask: zeroOne(0.3), qmask: zeroOne(0.2), amask: zeroOne(0.3) },
    forward: { kernel: 'maskedSoftmax', outputs: ['w'] },
  },
  additiveScore: {
    cases: additiveCases(false),
    gens: { q: uniform(-1.5, 1.5), k: uniform(-1.5, 1.5), alpha: uniform(0.5, 1.5) },
    tol: (c) => ({ atol: 3e-7 * (c.args.D as number) + 1e-6, rtol: 1e-5 }),
  },
  additiveScoreBackward: {
    cases: additiveCases(true),
    gens: { q: uniform(-1.5, 1.5), k: uniform(-1.5, 1.5), alpha: uniform(0.5, 1.5) },
    tol: (c) => ({ atol: 3e-7 * (c.args.D as number) * Math.max(c.args.Tq as number, c.args.Tk as number) + 2e-6, rtol: 1e-5 }),
  },
  layerNormForward: { cases: layerNormCases(false), gens: { x: uniform(-3, 3) }, tol: { atol: 2e-6, rtol: 1e-5 } },
  layerNormBackward: {
    cases: layerNormCases(true),
    gens: { x: uniform(-3, 3) },
    forward: { kernel: 'layerNormForward', outputs: ['mean', 'rstd'] },
    tol: { atol: 1e-5, rtol: 1e-4 },
  },
  l2Normalize: { cases: l2Cases(false), gens: l2Gens },
  l2NormalizeBackward: {
    cases: l2Cases(true),
    gens: l2Gens,
    forward: { kernel: 'l2Normalize', outputs: ['inv'] },
    tol: { atol: 2e-6, rtol: 1e-5 },
  },
};
