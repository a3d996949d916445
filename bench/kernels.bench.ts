/**
 * K1 GEMM GFLOP/s at the docs/benchmarks.md shapes, NN/NT/TN, and K2 gate
 * throughput (elements/ns), each wasm build against the pure-JS twin.
 * Every contender's result is checked against the twin before it is timed.
 */
import { ACT_SIGMOID, ACT_TANH } from '../src/backend/abi.js';
import type { Backend, GemmForm } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/load.js';
import { Rng } from '../src/rng.js';
import { table, time } from './harness.js';

export const K1_SHAPES: Array<[number, number, number]> = [
  [32, 192, 512],
  [3200, 64, 512],
  [256, 256, 256],
  [1024, 1024, 1024],
];

export interface KernelResults {
  gemm: Array<{ backend: string; form: GemmForm; M: number; K: number; N: number; gflops: number; min: number; max: number }>;
  gates: Array<{ backend: string; op: string; elementsPerNs: number }>;
  markdown: string;
}

function setup(be: Backend, M: number, N: number, K: number, rng: Rng) {
  const A = be.alloc(M * K);
  const B = be.alloc(K * N);
  const C = be.alloc(M * N);
  be.write(
    A,
    Float32Array.from({ length: M * K }, () => rng.uniform(-1, 1)),
  );
  be.write(
    B,
    Float32Array.from({ length: K * N }, () => rng.uniform(-1, 1)),
  );
  return { A, B, C };
}

export async function benchKernels(opts: { full?: boolean; log?: (s: string) => void } = {}): Promise<KernelResults> {
  const log = opts.log ?? console.log;
  const js = await createBackend({ backend: 'js' });
  const wasm: Backend[] = [await createBackend({ backend: 'wasm-simd' })];
  try {
    wasm.push(await createBackend({ backend: 'wasm-relaxed-simd' }));
  } catch {
    log('(relaxed SIMD not available in this runtime: skipped)');
  }
  const out: KernelResults = { gemm: [], gates: [], markdown: '' };
  const forms: GemmForm[] = ['nn', 'nt', 'tn'];

  for (const [M, K, N] of K1_SHAPES) {
    for (const form of forms) {
      const flop = 2 * M * N * K;
      // reference result from the twin, also its timing (fewer samples: it is slow)
      const rng = new Rng(M + N + K);
      const ref = setup(js, M, N, K, rng);
      js.gemm(form, ref.C, ref.A, ref.B, M, N, K);
      const want = js.read(ref.C);
      const jsBig = flop > 1e9;
      const contenders: Backend[] = [...wasm, ...(jsBig && !opts.full ? [] : [js])];
      for (const be of contenders) {
        const r2 = new Rng(M + N + K);
        const { A, B, C } = be === js ? ref : setup(be, M, N, K, r2);
        be.gemm(form, C, A, B, M, N, K);
        const got = be.read(C);
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
        if (!(worst < 1e-4)) throw new Error(`K1 ${be.name} gemm_${form} ${M}x${K}x${N}: wrong result (max rel diff ${worst})`);
        const t = await time(`${be.name} ${form}`, () => be.gemm(form, C, A, B, M, N, K), {
          time: be === js ? 300 : 500,
          iterations: be === js ? 2 : 5,
        });
        out.gemm.push({ backend: be.name, form, M, K, N, gflops: flop / t.median / 1e6, min: flop / t.max / 1e6, max: flop / t.min / 1e6 });
        if (be !== js) for (const b of [A, B, C]) be.free(b);
      }
      for (const b of [ref.A, ref.B, ref.C]) js.free(b);
    }
  }

  const n = 16384;
  for (const [op, act] of [
    ['sigmoid', ACT_SIGMOID],
    ['tanh', ACT_TANH],
  ] as const) {
    for (const be of [...wasm, js]) {
      const X = be.alloc(n);
      const Y = be.alloc(n);
      be.write(
        X,
        Float32Array.from({ length: n }, (_, i) => ((i % 4001) - 2000) / 100),
      );
      const t = await time(`${be.name} ${op}`, () => be.activation(Y, X, n, act), { time: 300 });
      out.gates.push({ backend: be.name, op, elementsPerNs: n / (t.median * 1e6) });
    }
  }

  const names = [...wasm.map((b) => b.name), 'js'];
  const rows: (string | number)[][] = [];
  for (const [M, K, N] of K1_SHAPES) {
    for (const form of forms) {
      const cells = names.map((nm) => out.gemm.find((g) => g.backend === nm && g.form === form && g.M === M && g.K === K && g.N === N));
      const jsG = cells[cells.length - 1]?.gflops;
      rows.push([
        `(${M},${K},${N}) ${form.toUpperCase()}`,
        ...cells.map((c) => (c ? c.gflops : '—')),
        jsG ? `${(cells[0]!.gflops / jsG).toFixed(0)}x` : '—',
      ]);
    }
  }
  const gemmTable = table(['K1 GEMM GFLOP/s (M,K,N)', ...names, `${names[0]} / js`], rows);
  const gateRows = ['sigmoid', 'tanh'].map((op) => [
    op,
    ...names.map((nm) => out.gates.find((g) => g.backend === nm && g.op === op)!.elementsPerNs),
  ]);
  const gateTable = table(['K2 gates, elements/ns (16K)', ...names], gateRows);
  out.markdown = `${gemmTable}\n\n${gateTable}`;
  log(out.markdown);
  return out;
}
