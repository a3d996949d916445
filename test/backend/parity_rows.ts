/**
 * The rows of the parity suite: for every kernel of the table, the calls to
 * make (awkward sizes: lane tails and several vector iterations), the
 * generators of inputs that must be in a range (ids, labels, masks,
 * positive optimizer state), the forward pass a backward's inputs come from,
 * and the tolerance. Adding a kernel to the table means adding its row here;
 * parity.test.ts fails for a kernel without one.
 */
import {
  ACT_HARD_SIGMOID, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH, MERGE_AVE, MERGE_CONCAT, MERGE_MUL, MERGE_SUM,
} from '../../src/backend/abi.js';
import type { KernelName } from '../../src/backend/contract/index.js';
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

const uniform = (lo: number, hi: number): Gen => (rng, n) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
const ids = (dim: string): Gen => (rng, n, a) => Int32Array.from({ length: n }, () => rng.int(a[dim] as number));
const zeroOne = (pZero: number): Gen => (rng, n) => Float32Array.from({ length: n }, () => (rng.next() < pZero ? 0 : 1));
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
  // M <= 4 takes the unpacked row kernels (1x24, 2x16, 4x8 and their column
  // tails); M = 17 the packed path with a leftover row; K = 300 two KC blocks
  const shapes = [[1, 1, 1], [3, 5, 7], [4, 8, 16], [5, 9, 17], [17, 33, 9], [64, 65, 33], [7, 3, 0],
    [1, 57, 9], [2, 41, 13], [3, 50, 33], [4, 37, 300]];
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
  // pack it; (2,3) comes after the rest so that their option rotation stays
  const shapes = [1, 3, 4, 5, 8, 9, 16, 17, 33].flatMap((H) => [[1, 1, 1], [3, 4, 7], [5, 2, 16]].map(([B, T, I]) => [H, B, T, I]))
    .concat([1, 5, 17, 33].map((H) => [H, 2, 3, 5]));
  for (const [H, B, T, I] of shapes) {
    const args: Scalars = {
      B, T, I, H, goBackwards: n % 2 === 1,
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

const fixedAct: Row = {
  cases: cases(sweep((n) => ({ n })), (_, i) => (i % 3 === 0 ? { alias: { y: 'x' } } : {})),
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
    cases: cases(grid(ACTS, SOME).map(([act, n]) => ({ act, n })), (_, i) => (i % 4 === 0 ? { alias: { y: 'x' } } : {})),
    gens: { x: uniform(-6, 6) },
  },
  activationBackward: { cases: cases(grid(ACTS, SOME).map(([act, n], i) => ({ act, n, accumulate: i % 2 === 0 }))) },
  softmaxRows: {
    cases: cases(grid([1, 3, 7], SOME).map(([R, C]) => ({ R, C })), (_, i) => (i % 5 === 0 ? { alias: { y: 'x' } } : {})),
    gens: { x: uniform(-6, 6) },
  },
  softmaxRowsBackward: { cases: cases(grid([1, 3, 7], SOME).map(([R, C], i) => ({ R, C, accumulate: i % 2 === 1 }))), gens: { y: uniform(0, 1) } },
  biasAdd: { cases: cases(grid([1, 3, 7], SOME).map(([R, C]) => ({ R, C })), (_, i) => (i % 4 === 1 ? { alias: { y: 'x' } } : {})) },
  columnSum: { cases: cases(grid([1, 3, 7], SOME).map(([R, C], i) => ({ R, C, accumulate: i % 2 === 0 }))) },
  axpy: { cases: cases(sweep((n, i) => ({ n, alpha: i % 2 ? -0.75 : 1.5 }))) },
  scale: { cases: cases(sweep((n, i) => ({ n, alpha: i % 2 ? -2 : 0.5 })), (_, i) => (i % 3 === 0 ? { alias: { y: 'x' } } : {})) },
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
    cases: cases(grid([1, 3, 7], SOME).map(([R, C]) => ({ R, C })), (_, i) => (i % 3 === 0 ? { alias: { y: 'x' } } : {})),
    gens: { s: zeroOne(0.3) },
  },
  lstmForward,
  lstmBackward,
  simpleRnnForward,
  simpleRnnBackward,
  gruForward,
  gruBackward,
  bidirectionalMerge: {
    cases: cases(grid(MODES, SOME).map(([mode, H], i) => ({ mode, H, R: 1 + (i % 6) })), (_, i) => (i % 2 ? { absent: ['mask'] } : {})),
    gens: { mask: zeroOne(0.3) },
  },
  bidirectionalMergeBackward: {
    cases: cases(grid(MODES, SOME).map(([mode, H], i) => ({ mode, H, R: 1 + (i % 6) })), (_, i) => (i % 2 ? {} : { absent: ['mask'] })),
    gens: { mask: zeroOne(0.3) },
  },
  bceLogits: {
    cases: cases(grid([1, 3, 17], SOME).map(([N, C], i) => ({ N, C, scale: i % 2 ? 1 / N : 1 })), (_, i) => (i % 3 === 0 ? { absent: ['w'] } : {})),
    gens: { z: uniform(-30, 30), y: uniform(0, 1), w: uniform(0, 2) },
    rtolResult: 1e-5,
  },
  softmaxCe: {
    cases: cases(grid([1, 3, 17], SOME).map(([N, C], i) => ({ N, C, sparse: i % 2 === 0, scale: i % 3 ? 1 / N : 1 })),
      (_, i) => (i % 4 === 1 ? { absent: ['w'] } : {})),
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
    cases: cases(grid([1, 3, 17], SOME).map(([N, C], i) => ({ N, C, scale: i % 2 ? 1 / N : 1 })), (_, i) => (i % 3 === 0 ? { absent: ['w'] } : {})),
    gens: { w: uniform(0, 2) },
    rtolResult: 1e-5,
  },
  sgdUpdate: {
    cases: cases(optimN.flatMap((s, i) => [
      { ...s, lr: 0.1, momentum: 0, nesterov: false },
      { ...s, lr: 0.05, momentum: 0.9, nesterov: i % 2 === 0 },
    ]), (a, i) => (a.momentum === 0 && i % 4 === 0 ? { absent: ['vel'] } : {})),
  },
  adamUpdate: { cases: cases(optimN.map((s) => ({ ...s, lrT: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 }))), gens: { v: uniform(0, 1) } },
  rmspropUpdate: {
    cases: cases(optimN.flatMap((s) => [{ ...s, lr: 0.01, rho: 0.9, eps: 1e-7, momentum: 0 }, { ...s, lr: 0.01, rho: 0.8, eps: 1e-7, momentum: 0.5 }]),
      (a, i) => (a.momentum === 0 && i % 4 === 0 ? { absent: ['mom'] } : {})),
    gens: { acc: uniform(0, 1) },
  },
  adagradUpdate: { cases: cases(optimN.map((s) => ({ ...s, lr: 0.1, eps: 1e-7 }))), gens: { acc: uniform(0, 1) } },
  clipValue: { cases: cases(optimN.map((s, i) => ({ ...s, c: i % 2 ? 0.3 : 2 }))), gens: { g: uniform(-3, 3) } },
};
